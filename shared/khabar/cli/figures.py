"""`khabar eval figures`: the figure extractor against the team kit's gold data. The scoring code
(`khabar.figures.evaluate`) is development-only, imported when the command runs."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from khabar.cli.common import CommandError, Subcommands, eval_command


def register(sub: Subcommands) -> None:
    ev = eval_command(
        sub,
        "figures",
        help="score the figure extractor (Recognizers-Text specs, seed gold)",
        description="score the figure extractor on the Recognizers-Text Arabic specs and the hand-made gold "
        "of the sample article.",
    )
    ev.add_argument("--json", action="store_true", help="print the full result as JSON")
    ev.add_argument("--shared", type=Path, default=None, help="the team kit folder (default ../shared)")
    ev.set_defaults(run=run_eval_figures)


def run_eval_figures(args: argparse.Namespace) -> int:
    from khabar.figures import evaluate
    from khabar.kit import kit_dir

    root = args.shared or kit_dir()
    if not (root / "data" / "recognizers_text").is_dir():
        raise CommandError(f"no evaluation data under {root}", exit_code=2)
    res = evaluate.run(root)
    if args.json:
        json.dump(res, sys.stdout, ensure_ascii=False, indent=1)
        print()
    else:
        evaluate.print_text(res)
    return 0
