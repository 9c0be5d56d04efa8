"""`khabar bench`: speed, memory and start-up of the extraction (`khabar.local.bench`, development-only,
imported when the command runs)."""

from __future__ import annotations

import argparse
import json

from khabar.cli.common import Subcommands


def register(sub: Subcommands) -> None:
    b = sub.add_parser(
        "bench",
        help="measure speed, memory and start-up",
        description="speed, memory and start-up of the extraction, as medians over repeated runs.",
    )
    b.add_argument("--mb", type=float, default=2.0, help="corpus size in MB (default 2)")
    b.add_argument("--runs", type=int, default=5, help="timed runs per stage (default 5)")
    b.add_argument("--init-runs", type=int, default=5, help="fresh processes for the start-up time")
    b.add_argument("--json", action="store_true", help="print JSON instead of a table")
    b.set_defaults(run=run_bench)


def run_bench(args: argparse.Namespace) -> int:
    from khabar.local import bench

    r = bench.run_bench(args.mb, args.runs, args.init_runs)
    if args.json:
        print(json.dumps(r, ensure_ascii=False, indent=2))
    else:
        bench.print_table(r)
    return 0
