"""`khabar demo`, `extract`, `inspect`, `query`: the pipeline on local files and lakes."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from khabar.cli.common import LAKE_HELP, Subcommands

if TYPE_CHECKING:
    from khabar.models import Article, Extraction


def register(sub: Subcommands) -> None:
    d = sub.add_parser("demo", help="run the whole pipeline on moto's server (no AWS account)")
    d.add_argument("--out", default="out/demo", help="where the demo lake and report go (default out/demo)")
    d.set_defaults(run=run_demo)

    e = sub.add_parser("extract", help="process local files or folders into a lake")
    e.add_argument("inputs", nargs="+")
    e.add_argument("--lake", required=True, help=LAKE_HELP)
    e.add_argument("--date", help="partition date YYYY-MM-DD (default: today, UTC)")
    e.add_argument("--quiet", action="store_true", help="no progress bar")
    e.set_defaults(run=run_extract)

    i = sub.add_parser("inspect", help="parse and extract, print one JSON object per article")
    i.add_argument("inputs", nargs="+")
    i.add_argument(
        "--date",
        help="the day relative periods are read against when an article has no date (YYYY-MM-DD, default: today, UTC)",
    )
    i.set_defaults(run=run_inspect)

    q = sub.add_parser("query", help="run Athena SQL locally (sqlglot → DuckDB)")
    q.add_argument("sql", nargs="?")
    q.add_argument("--lake", required=True, help=LAKE_HELP)
    q.add_argument("--file", help="read the SQL from a file")
    q.add_argument("--param", action="append", help="a positional ? parameter (repeatable)")
    q.add_argument("--format", choices=["table", "csv", "json"], default="table")
    q.set_defaults(run=run_query)


def _files(inputs: list[str]) -> Iterator[Path]:
    for raw in inputs:
        p = Path(raw)
        if p.is_dir():
            yield from sorted(f for f in p.rglob("*") if f.is_file() and not f.name.startswith("."))
        elif p.is_file():
            yield p
        else:
            raise FileNotFoundError(f"no such file or folder: {raw}")


def _inspected(item: Article, res: Extraction) -> dict[str, Any]:
    """The stable `khabar inspect` object (README, Commands)."""
    return {
        "id": item.id,
        "title": item.title,
        "source": item.source,
        "body": item.body,
        "entities": [
            {
                "text": e.text,
                "type": e.type,
                "canonical_id": e.canonical_id,
                "country_code": e.country_code,
                "start": e.start,
                "end": e.end,
            }
            for e in res.entities
        ],
        "figures": [
            {
                "text": f.text,
                "kind": f.kind,
                "value": f.value,
                "unit": f.unit,
                "metric": f.metric,
                "direction": f.direction,
                "start": f.start,
                "end": f.end,
                "subject_id": f.subject_id,
                "subject_text": f.subject_text,
                "period": f.period,
                "period_start": f.period_start.isoformat() if f.period_start else None,
                "period_end": f.period_end.isoformat() if f.period_end else None,
                "period_text": f.period_text,
            }
            for f in res.figures
        ],
    }


def run_inspect(args: argparse.Namespace) -> int:
    from khabar.extract import extract, published_date
    from khabar.formats import read_upload
    from khabar.models import Reject

    # As `khabar extract`: relative periods read against the article's date, else the given or today's.
    today = datetime.strptime(args.date, "%Y-%m-%d").date() if args.date else datetime.now(UTC).date()
    for path in _files(args.inputs):
        with open(path, "rb") as fh:
            for item in read_upload(path.name, fh):
                if isinstance(item, Reject):
                    print(f"reject {item.locator}: {item.reason}: {item.detail}", file=sys.stderr)
                    continue
                found = extract(item.body, published_date(item.published) or today)
                print(json.dumps(_inspected(item, found), ensure_ascii=False))
    return 0


def run_extract(args: argparse.Namespace) -> int:
    from khabar.config import Limits
    from khabar.lake.store import Lake
    from khabar.models import Upload
    from khabar.pipeline import process_upload

    lake = Lake.open(args.lake)
    modified = datetime.strptime(args.date, "%Y-%m-%d").replace(tzinfo=UTC) if args.date else datetime.now(UTC)
    files = list(_files(args.inputs))
    bar = None
    if sys.stderr.isatty() and not args.quiet:
        from tqdm import tqdm

        bar = tqdm(total=len(files), unit="file", file=sys.stderr)
    totals = {"uploads": 0, "articles": 0, "rejects": 0, "entities": 0, "figures": 0}
    limits = Limits.from_env()
    for path in files:
        upload = Upload(bucket="local", key=str(path.resolve()), size=path.stat().st_size, modified=modified)
        with open(path, "rb") as fh:
            ledger = process_upload(upload, fh, lake, limits)
        totals["uploads"] += 1
        totals["articles"] += ledger.articles_out
        totals["rejects"] += ledger.rejects
        totals["entities"] += ledger.entities
        totals["figures"] += ledger.figures
        if bar:
            bar.update(1)
            bar.set_postfix(articles=totals["articles"], rejects=totals["rejects"])
    if bar:
        bar.close()
    print(json.dumps({"lake": lake.uri, "dt": modified.date().isoformat(), **totals}))
    return 0


def run_query(args: argparse.Namespace) -> int:
    from khabar.lake.query import LocalAthena, format_result

    sql = Path(args.file).read_text(encoding="utf-8") if args.file else args.sql
    if not sql:
        raise ValueError("give the SQL as an argument or with --file")
    cols, rows = LocalAthena(args.lake).execute(sql, args.param or None)
    print(format_result(cols, rows, args.format))
    return 0


def run_demo(args: argparse.Namespace) -> int:
    from khabar.local import demo

    return demo.run_demo(out_dir=args.out)
