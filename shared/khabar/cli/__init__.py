"""`khabar` command line: scriptable, exit 0 on success, non-zero with a one-line error otherwise."""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

__all__ = ["main"]

# Subcommands implemented by their own modules' main(argv); imported only when used.
_DELEGATED = {
    "train-ner": ("khabar.entities.training.train", "train the NER tagger on ANERcorp"),
    "tag": ("khabar.entities.tag", 'BIO-tag JSON Lines {"tokens": [...]}'),
    "build-gazetteers": ("khabar.entities.training.gazetteer_build", "regenerate the country gazetteer"),
    "build-clusters": ("khabar.entities.training.clusters_build", "regenerate the NER word-cluster table"),
    "aggregate": ("khabar.nightly.local", "build a day's summary tables and compact the lake"),
    "report": ("khabar.nightly.local", "write the nightly HTML/JSON/CSV report for a day"),
    "bench": ("khabar.local.bench", "measure speed, memory and start-up"),
    "redrive": ("khabar.aws.ops", "move DLQ messages back to the extract queue"),
    "reprocess": ("khabar.aws.ops", "re-run extraction over raw uploads of a date range"),
}
_EVAL = {"figures": "khabar.figures.evaluate", "entities": "khabar.entities.training.evaluate"}


def _files(inputs: list[str]) -> Iterator[Path]:
    for raw in inputs:
        p = Path(raw)
        if p.is_dir():
            yield from sorted(f for f in p.rglob("*") if f.is_file() and not f.name.startswith("."))
        elif p.is_file():
            yield p
        else:
            raise FileNotFoundError(f"no such file or folder: {raw}")


def cmd_inspect(args: argparse.Namespace) -> int:
    from khabar.extract import extract
    from khabar.formats import read_upload
    from khabar.models import Reject

    for path in _files(args.inputs):
        with open(path, "rb") as fh:
            for item in read_upload(path.name, fh):
                if isinstance(item, Reject):
                    print(f"reject {item.locator}: {item.reason}: {item.detail}", file=sys.stderr)
                    continue
                res = extract(item.body)
                out = {
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
                        }
                        for f in res.figures
                    ],
                }
                print(json.dumps(out, ensure_ascii=False))
    return 0


def cmd_extract(args: argparse.Namespace) -> int:
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


def cmd_query(args: argparse.Namespace) -> int:
    from khabar.lake.query import LocalAthena, format_result

    sql = Path(args.file).read_text(encoding="utf-8") if args.file else args.sql
    if not sql:
        raise ValueError("give the SQL as an argument or with --file")
    cols, rows = LocalAthena(args.lake).execute(sql, args.param or None)
    print(format_result(cols, rows, args.format))
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from khabar.local.demo import run_demo

    return run_demo(out_dir=args.out)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="khabar", description="Arabic news → entities and economic figures")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    d = sub.add_parser("demo", help="run the whole pipeline on moto's server (no AWS account)")
    d.add_argument("--out", default="out/demo", help="where the demo lake and report go (default out/demo)")
    d.set_defaults(func=cmd_demo)

    e = sub.add_parser("extract", help="process local files or folders into a lake")
    e.add_argument("inputs", nargs="+")
    e.add_argument("--lake", required=True, help="a folder or s3://bucket/prefix")
    e.add_argument("--date", help="partition date YYYY-MM-DD (default: today, UTC)")
    e.add_argument("--quiet", action="store_true", help="no progress bar")
    e.set_defaults(func=cmd_extract)

    i = sub.add_parser("inspect", help="parse and extract, print one JSON object per article")
    i.add_argument("inputs", nargs="+")
    i.set_defaults(func=cmd_inspect)

    q = sub.add_parser("query", help="run Athena SQL locally (sqlglot → DuckDB)")
    q.add_argument("sql", nargs="?")
    q.add_argument("--lake", required=True, help="a folder or s3://bucket/prefix")
    q.add_argument("--file", help="read the SQL from a file")
    q.add_argument("--param", action="append", help="a positional ? parameter (repeatable)")
    q.add_argument("--format", choices=["table", "csv", "json"], default="table")
    q.set_defaults(func=cmd_query)

    ev = sub.add_parser("eval", help="score extraction against gold data")
    ev.add_argument("what", choices=sorted(_EVAL))
    ev.add_argument("rest", nargs=argparse.REMAINDER)

    for name, (_mod, help_text) in _DELEGATED.items():
        sp = sub.add_parser(name, help=help_text, add_help=False)
        sp.add_argument("rest", nargs=argparse.REMAINDER)
    return p


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in _DELEGATED:
        mod = importlib.import_module(_DELEGATED[argv[0]][0])
        runner = getattr(mod, f"main_{argv[0]}", None) or mod.main
        return _guard(lambda: runner(argv[1:]))
    args = _parser().parse_args(argv)
    if args.command == "eval":
        mod = importlib.import_module(_EVAL[args.what])
        return _guard(lambda: mod.main(args.rest))
    return _guard(lambda: args.func(args))


def _guard(run: Callable[[], int | None]) -> int:
    try:
        return int(run() or 0)
    except KeyboardInterrupt:
        print("khabar: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # one line for the user; KHABAR_DEBUG=1 shows the traceback
        if os.environ.get("KHABAR_DEBUG"):
            raise
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        print(f"khabar: error: {type(exc).__name__}: {msg}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
