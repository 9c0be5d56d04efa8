"""`khabar redrive` and `khabar reprocess`: operations after a fix (`khabar.aws.ops`), against AWS."""

from __future__ import annotations

import argparse
import json
from datetime import date

from khabar.cli.common import CommandError, Subcommands


def register(sub: Subcommands) -> None:
    r = sub.add_parser(
        "redrive",
        help="move DLQ messages back to the extract queue",
        description="move DLQ messages back to the queue",
    )
    r.add_argument("--dlq-url", required=True)
    r.add_argument("--queue-url", required=True)
    r.add_argument("--max", type=int, help="move at most this many messages")
    r.set_defaults(run=run_redrive)

    p = sub.add_parser(
        "reprocess",
        help="re-run extraction over raw uploads of a date range",
        description="re-run extraction over raw uploads of a date range",
    )
    p.add_argument("--bucket", required=True, help="the raw-upload bucket")
    p.add_argument("--prefix", default="", help="only keys under this prefix")
    p.add_argument("--lake", required=True, help="the lake: s3://bucket/prefix or a folder")
    p.add_argument("--from", dest="start", required=True, type=date.fromisoformat, help="YYYY-MM-DD")
    p.add_argument("--to", dest="end", required=True, type=date.fromisoformat, help="YYYY-MM-DD")
    p.set_defaults(run=run_reprocess)


def run_redrive(args: argparse.Namespace) -> int:
    import boto3

    from khabar.aws.ops import redrive

    moved = redrive(boto3.client("sqs"), args.dlq_url, args.queue_url, args.max)
    print(json.dumps({"moved": moved}))
    return 0


def run_reprocess(args: argparse.Namespace) -> int:
    from khabar.aws.ingest import s3_client
    from khabar.aws.ops import reprocess
    from khabar.config import Limits
    from khabar.lake.store import Lake

    if args.end < args.start:
        raise CommandError("--to is before --from", exit_code=2)
    totals = reprocess(
        s3_client(), args.bucket, Lake.open(args.lake), args.start, args.end, args.prefix, Limits.from_env()
    )
    print(json.dumps(totals))
    return 0
