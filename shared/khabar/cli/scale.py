"""`khabar scale`: a measured scale run on moto's server (`khabar.local.scale`, development-only,
imported when the command runs)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from khabar.cli.common import CommandError, Subcommands


def register(sub: Subcommands) -> None:
    s = sub.add_parser(
        "scale",
        help="measured scale run: N articles through moto, W extract workers and the nightly job",
        description=(
            "generate N articles from the team's news as M gzip JSON Lines uploads, drain the queue with W "
            "worker processes running the real extract handler, run the nightly job with compaction, and "
            "check that nothing was lost. Several N and W run every combination; each run starts afresh."
        ),
    )
    s.add_argument("--articles", type=int, nargs="+", default=[10_000], metavar="N", help="articles (default 10000)")
    s.add_argument("--uploads", type=int, metavar="M", help="uploads per run (default: N / --per-upload)")
    s.add_argument("--per-upload", type=int, default=1000, metavar="K", help="articles per upload (default 1000)")
    s.add_argument("--workers", type=int, nargs="+", default=[1], metavar="W", help="worker processes (default 1)")
    s.add_argument("--batch-size", type=int, default=5, help="SQS messages per invocation (default 5, as the stack)")
    s.add_argument("--json", action="store_true", help="print JSON instead of the markdown tables")
    s.add_argument("--save", type=Path, metavar="FILE", help="also write the results as JSON to FILE, after each run")
    s.add_argument("--keep", type=Path, metavar="DIR", help="copy each run's lake and handler log into DIR/N-W/")
    s.add_argument(
        "--report", type=Path, nargs="+", metavar="FILE", help="print the tables of saved results (--save) instead"
    )
    s.set_defaults(run=run_scale)


def run_scale(args: argparse.Namespace) -> int:
    from khabar.local import scale

    def progress(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    results = scale.load(args.report) if args.report else []
    for n in [] if args.report else args.articles:
        m = args.uploads or max(1, round(n / args.per_upload))
        for w in args.workers:
            keep = args.keep / f"{n}-{w}" if args.keep else None
            try:
                r = scale.run_scale(n, m, w, batch_size=args.batch_size, keep=keep, progress=progress)
            except scale.ImbalanceError as exc:
                r = exc.result
            results.append(r)
            if args.save:
                scale.save(results, args.save)
    if args.json:
        print(json.dumps([r.as_dict() for r in results], ensure_ascii=False, indent=2))
    else:
        print(f"khabar scale — {results[0].date} — {results[0].machine}\ncorpus: {results[0].corpus}\n")
        print(scale.markdown(results))
    bad = [r for r in results if r.problems]
    if bad:
        raise CommandError(f"N={bad[0].articles} W={bad[0].workers} does not balance: {bad[0].problems[0]}")
    return 0
