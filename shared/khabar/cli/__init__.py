"""`khabar` command line: scriptable, exit 0 on success, non-zero with one line `khabar: error: …`
otherwise (`KHABAR_DEBUG=1` shows the traceback instead).

Each command group is a module here whose `register(sub)` adds its subcommands, each with
`set_defaults(run=...)`; `COMMAND_GROUPS` is the table of them. The groups import the code they run
inside their run functions, so `khabar --help` stays fast and the Lambda layer, which leaves out
`khabar.local`, `khabar.entities.training` and `khabar.figures.evaluate`, can still import `khabar.cli`.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from typing import Protocol

from khabar.cli import bench, entities, figures, nightly, ops, pipeline, scale
from khabar.cli.common import CommandError, Subcommands

__all__ = ["COMMAND_GROUPS", "main"]


class CommandGroup(Protocol):
    def register(self, sub: Subcommands) -> None: ...


# In the order `khabar --help` lists their commands.
COMMAND_GROUPS: tuple[CommandGroup, ...] = (pipeline, entities, figures, nightly, bench, scale, ops)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="khabar", description="Arabic news → entities and economic figures")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in COMMAND_GROUPS:
        group.register(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)  # a usage error exits 2 here, with argparse's message
    return _guard(lambda: args.run(args))


def _first_line(exc: BaseException) -> str:
    text = str(exc)
    return text.splitlines()[0] if text else ""


def _guard(run: Callable[[], int | None]) -> int:
    try:
        return int(run() or 0)
    except KeyboardInterrupt:
        print("khabar: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `khabar inspect … | head`: the reader has what it wanted
        return 0
    except Exception as exc:
        if os.environ.get("KHABAR_DEBUG"):
            raise
        if isinstance(exc, CommandError):
            print(f"khabar: error: {_first_line(exc)}", file=sys.stderr)
            return exc.exit_code
        # The type tells a FileNotFoundError from a QueryError when the message alone would not.
        detail = _first_line(exc)
        print(f"khabar: error: {type(exc).__name__}" + (f": {detail}" if detail else ""), file=sys.stderr)
        return 1
