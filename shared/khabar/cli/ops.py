"""`khabar redrive` and `khabar reprocess`: operations after a fix (`khabar.aws.ops`, and
`khabar.aws.backfill` for `reprocess --queue-url`), against AWS."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from datetime import date
from typing import IO, TYPE_CHECKING, Any

from khabar.cli.common import LAKE_HELP, CommandError, Subcommands

if TYPE_CHECKING:
    from khabar.aws.backfill import Progress

REPROCESS_EPILOG = (
    "Without --queue-url the uploads are processed here, one after another, into --lake (small ranges). "
    "With --queue-url one message per upload, shaped like S3's own notification, goes to the extract "
    "queue and the deployed function processes them in parallel (failures reach its DLQ). Either way a "
    "duplicate is harmless: part files are named from the object, so processing an upload twice "
    "replaces its rows. An interrupted run prints the key to continue with --start-after. Afterwards, "
    "re-run `khabar aggregate --compact` for the affected days."
)


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
        help="re-run extraction over raw uploads of a date range (here, or through the extract queue)",
        description="re-run extraction over raw uploads of a date range",
        epilog=REPROCESS_EPILOG,
    )
    p.add_argument("--bucket", required=True, help="the raw-upload bucket")
    p.add_argument("--prefix", default="", help="only keys under this prefix")
    p.add_argument("--from", dest="start", required=True, type=date.fromisoformat, help="YYYY-MM-DD")
    p.add_argument("--to", dest="end", required=True, type=date.fromisoformat, help="YYYY-MM-DD")
    p.add_argument("--lake", help=f"process here into this lake: {LAKE_HELP}")
    p.add_argument(
        "--queue-url",
        help="instead of --lake: enqueue one S3-notification message per upload for the deployed extract function",
    )
    p.add_argument(
        "--max-per-second", type=float, metavar="N", help="with --queue-url: send at most N messages a second"
    )
    p.add_argument(
        "--start-after", metavar="KEY", help="only keys after KEY (keys are listed in order): resume an interrupted run"
    )
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="only count the uploads (objects, bytes, first/last key); process or send nothing",
    )
    p.add_argument("--progress", action="store_true", help="a progress line on stderr even when it is not a terminal")
    p.set_defaults(run=run_reprocess)


def run_redrive(args: argparse.Namespace) -> int:
    import boto3

    from khabar.aws.ops import redrive

    moved = redrive(boto3.client("sqs"), args.dlq_url, args.queue_url, args.max)
    print(json.dumps({"moved": moved}))
    return 0


def _check_reprocess(args: argparse.Namespace) -> None:
    """Usage errors argparse cannot see (exit 2)."""
    if args.end < args.start:
        raise CommandError("--to is before --from", exit_code=2)
    if args.lake and args.queue_url:
        raise CommandError(
            "--lake and --queue-url exclude each other (--lake processes here, --queue-url enqueues for the "
            "deployed function)",
            exit_code=2,
        )
    if not (args.lake or args.queue_url or args.dry_run):
        raise CommandError("give --lake (process here) or --queue-url (enqueue for the extract function)", exit_code=2)
    if args.max_per_second is not None:
        if not args.queue_url:
            raise CommandError("--max-per-second applies to --queue-url only", exit_code=2)
        if args.max_per_second <= 0:
            raise CommandError("--max-per-second must be positive", exit_code=2)


def run_reprocess(args: argparse.Namespace) -> int:
    from khabar.aws.backfill import BackfillError, Progress, resume_hint

    _check_reprocess(args)
    progress = Progress()
    line = None
    if args.progress or sys.stderr.isatty():
        line = ProgressLine(sys.stderr, None if args.dry_run else "sent" if args.queue_url else "processed")
        progress.listener = line
    try:
        summary = _reprocess(args, progress)
    except KeyboardInterrupt:
        if line:
            line.close(progress)
        print(f"khabar: interrupted; {resume_hint(progress.resume_after)}", file=sys.stderr)
        return 130
    except BackfillError as exc:
        raise CommandError(str(exc)) from exc
    except Exception as exc:
        # Whatever stopped the run, say where to continue (one line, as every error).
        detail = str(exc).splitlines()[0] if str(exc) else ""
        raise CommandError(
            f"{type(exc).__name__}{': ' + detail if detail else ''}; {resume_hint(progress.resume_after)}"
        ) from exc
    finally:
        if line and not line.closed:
            line.close(progress)
    print(json.dumps(summary, ensure_ascii=False))
    return 0


def _reprocess(args: argparse.Namespace, progress: Progress) -> dict[str, Any]:
    from khabar.aws.backfill import list_raw, plan
    from khabar.aws.ingest import s3_client

    s3 = s3_client()
    if args.dry_run:
        listing = list_raw(s3, args.bucket, args.start, args.end, args.prefix, args.start_after, progress)
        return {"dry_run": True, **plan(listing, progress).summary()}
    if args.queue_url:
        return _enqueue(args, s3, progress)

    from khabar.aws.ops import reprocess
    from khabar.config import Limits
    from khabar.lake.store import Lake

    lake, limits = Lake.open(args.lake), Limits.from_env()
    totals = reprocess(
        s3,
        args.bucket,
        lake,
        args.start,
        args.end,
        args.prefix,
        limits,
        start_after=args.start_after,
        progress=progress,
    )
    return dict(totals)


def _enqueue(args: argparse.Namespace, s3: Any, progress: Progress) -> dict[str, Any]:
    import boto3

    from khabar.aws.backfill import RateLimit, enqueue, list_raw
    from khabar.aws.ingest import RETRY_CONFIG

    sqs = boto3.client("sqs", config=RETRY_CONFIG)
    listing = list_raw(s3, args.bucket, args.start, args.end, args.prefix, args.start_after, progress)
    limit = RateLimit(args.max_per_second) if args.max_per_second else None
    enqueue(sqs, args.queue_url, args.bucket, listing, region=sqs.meta.region_name, progress=progress, limit=limit)
    return {
        "dry_run": False,
        **progress.summary(),
        "sent": progress.done,
        "seconds": round(time.monotonic() - progress.started, 3),
    }


class ProgressLine:
    """The run's counters on one stderr line: rewritten in place on a terminal (5 times a second at
    most), else a new line every 5 s (a log keeps a readable trail)."""

    def __init__(self, stream: IO[str], verb: str | None, clock: Callable[[], float] = time.monotonic) -> None:
        self.stream, self.verb, self.clock = stream, verb, clock
        self.tty = stream.isatty()
        self.every = 0.2 if self.tty else 5.0
        self.last = float("-inf")
        self.closed = False

    def __call__(self, p: Progress) -> None:
        now = self.clock()
        if now - self.last >= self.every:
            self.last = now
            self._write(p, now)

    def close(self, p: Progress) -> None:
        self._write(p, self.clock())
        if self.tty:
            self.stream.write("\n")
        self.stream.flush()
        self.closed = True

    def _write(self, p: Progress, now: float) -> None:
        text = f"listed {p.listed:,} · in range {p.objects:,} ({_size(p.bytes)})"
        if self.verb:
            rate = p.done / max(now - p.started, 1e-3)
            text += f" · {self.verb} {p.done:,} ({_size(p.done_bytes)}) · {rate:,.1f}/s"
        self.stream.write("\r\x1b[K" + text if self.tty else text + "\n")
        self.stream.flush()


def _size(n: int) -> str:
    if n < 1000:
        return f"{n} B"
    x = float(n)
    for unit in ("kB", "MB", "GB"):
        x /= 1000
        if x < 1000 or unit == "GB":
            break
    return f"{x:,.1f} {unit}"
