"""What the command groups share: the type of the subcommand table, the `eval` group of two-word
commands, the `--lake` help, and `CommandError` (a failure the command words itself)."""

from __future__ import annotations

import argparse
from typing import TypeAlias

Subcommands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"

LAKE_HELP = "a folder or s3://bucket/prefix"


class CommandError(Exception):
    """Printed as `khabar: error: <message>` (without the exception type) and exits with `exit_code`:
    2 for a usage error argparse cannot see (e.g. two options that contradict each other)."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def eval_command(sub: Subcommands, what: str, *, help: str, description: str) -> argparse.ArgumentParser:
    """The parser of `khabar eval WHAT`. Two groups add to `eval`; the first one creates it."""
    ev = sub.choices.get("eval")
    if ev is None:
        ev = sub.add_parser("eval", help="score extraction against gold data")
        ev.add_subparsers(dest="what", required=True)
    # argparse has no public accessor for a parser's subcommand table.
    whats = next(a for a in ev._actions if isinstance(a, argparse._SubParsersAction))
    parser: argparse.ArgumentParser = whats.add_parser(what, help=help, description=description)
    return parser
