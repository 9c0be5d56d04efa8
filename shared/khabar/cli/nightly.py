"""`khabar aggregate` and `khabar report`: the nightly job locally, on a folder or S3 lake
(`khabar.nightly.local.LocalEngine`)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from khabar.cli.common import LAKE_HELP, Subcommands


def register(sub: Subcommands) -> None:
    a = sub.add_parser(
        "aggregate",
        help="build a day's summary tables and compact the lake",
        description="Nightly aggregation: the day's summary tables from the SQL in `khabar/sql/summaries/`.",
    )
    _day_options(a)
    a.add_argument(
        "--compact",
        action="store_true",
        help=(
            "also compact the day's articles/entities/figures parts, and any earlier day marked for it, by the"
            " SQL in `khabar/sql/compaction/` on DuckDB (see khabar.lake.compaction)"
        ),
    )
    a.set_defaults(run=run_aggregate)

    r = sub.add_parser(
        "report",
        help="write the nightly HTML/JSON/CSV report for a day",
        description="write the nightly report of a day",
    )
    _day_options(r)
    r.add_argument("--out", default=None, help="output folder (default: out/reports/dt=<date>)")
    r.set_defaults(run=run_report)


def _day_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--lake", required=True, help=LAKE_HELP)
    p.add_argument("--date", default=None, help="the day YYYY-MM-DD (default: yesterday, UTC)")


def run_aggregate(args: argparse.Namespace) -> int:
    """The night's summaries (and compaction), no report."""
    from khabar.lake.store import Lake
    from khabar.nightly.job import run_nightly, target_day
    from khabar.nightly.local import LocalEngine

    day = target_day({"date": args.date})
    lake = Lake.open(args.lake)
    result = run_nightly(lake, day, LocalEngine(lake), compact=args.compact)
    print(json.dumps(result.as_dict(), ensure_ascii=False))
    return 0


def run_report(args: argparse.Namespace) -> int:
    """The report step of the night alone, into a folder."""
    from khabar.lake.store import Lake
    from khabar.nightly.job import report_day, target_day
    from khabar.nightly.local import LocalEngine
    from khabar.nightly.publish import FolderPublisher

    day = target_day({"date": args.date})
    lake = Lake.open(args.lake)
    out = Path(args.out or f"out/reports/dt={day}")
    published = report_day(lake, day, LocalEngine(lake), FolderPublisher(out))
    print(json.dumps(published.files, ensure_ascii=False))
    return 0
