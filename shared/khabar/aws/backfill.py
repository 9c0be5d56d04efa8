"""Backfill through the queue (`khabar reprocess --queue-url`): list the raw uploads of a date range
and enqueue one S3-notification-shaped message per object to the extract queue.

Why the queue rather than a loop on the operator's machine: the deployed extract function then does
the work, in parallel up to its concurrency, with its memory, its retries and its DLQ; an object that
keeps failing lands in the DLQ like a live upload would (and `khabar redrive` brings it back after a
fix) instead of stopping a long local run. The local sequential mode (`--lake`) stays for small
ranges and for the embedded default. A message is shaped exactly like S3's own notification, so the
handler (`khabar.aws.events.refs_from_message`) reads it unchanged; it is marked as a backfill by the
message attribute `khabar-backfill` (the run's start time) and by `userIdentity.principalId` and
`s3.configurationId` = `khabar-backfill` in the body. Sending is at-least-once: a duplicate is
harmless, since part files are named from the object and re-processing replaces them.

After the queue has drained (and the DLQ is empty), re-run the nightly job for every affected day,
with compaction (`khabar aggregate --compact --date D` on a folder or S3 lake; in AWS, invoke the
aggregate function with `{"date": "D"}` while CompactNightly is 1): the day's summaries were computed
from the old rows, and a re-processed upload of an already compacted day now has its own small part
files again beside its old compacted rows (readers see both until then); the compaction drops the old
rows and folds the new parts in. The nightly run with compaction also compacts every day that such a
re-processing marked (`_control/recompact/`).

Resumption: keys are listed in order (list_objects_v2 is lexicographic), batches are sent in order,
and `Progress.resume_after` is the last key up to which every object of the range is enqueued.
`--start-after` that key continues without sending anything twice.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import quote_plus

__all__ = [
    "BACKFILL_MARK",
    "BackfillError",
    "Progress",
    "RateLimit",
    "RawObject",
    "enqueue",
    "list_raw",
    "notification",
    "plan",
    "resume_hint",
    "shell_quote",
]

# The message attribute, principal and notification configuration id that tell a backfill from a live upload.
BACKFILL_MARK = "khabar-backfill"
BATCH = 10  # SendMessageBatch's maximum


@dataclass(frozen=True, slots=True)
class RawObject:
    """One raw upload as listed."""

    key: str
    size: int
    etag: str
    modified: datetime


@dataclass(slots=True)
class Progress:
    """Counters of a run, updated as it goes (read by a progress line and the final summary)."""

    listed: int = 0  # objects under the prefix, any date
    objects: int = 0  # of which in the date range
    bytes: int = 0  # their sizes
    done: int = 0  # enqueued (queue mode) or processed (local mode)
    done_bytes: int = 0
    first_key: str | None = None  # first key in range
    last_key: str | None = None  # last key done (dry run: last key in range)
    resume_after: str | None = None  # every key in range up to this one is done: the --start-after to resume
    started: float = field(default_factory=time.monotonic)
    listener: Callable[[Progress], None] | None = None

    def notify(self) -> None:
        if self.listener:
            self.listener(self)

    def mark_done(self, objs: list[RawObject]) -> None:
        self.done += len(objs)
        self.done_bytes += sum(o.size for o in objs)
        if objs:
            self.last_key = self.resume_after = objs[-1].key

    def summary(self) -> dict[str, Any]:
        return {
            "listed": self.listed,
            "objects": self.objects,
            "bytes": self.bytes,
            "first_key": self.first_key,
            "last_key": self.last_key,
        }


class BackfillError(RuntimeError):
    """Messages that could not be enqueued; `resume_after` is where a re-run should start."""

    def __init__(self, message: str, resume_after: str | None) -> None:
        super().__init__(message)
        self.resume_after = resume_after


def list_raw(
    s3: Any,
    bucket: str,
    start: date,
    end: date,
    prefix: str = "",
    start_after: str | None = None,
    progress: Progress | None = None,
) -> Iterator[RawObject]:
    """The objects under `prefix` uploaded (LastModified, UTC) in [start, end], in key order, after
    `start_after`. Shared by the local and the queue mode so both see the same objects."""
    progress = progress if progress is not None else Progress()
    if progress.resume_after is None:
        progress.resume_after = start_after
    kwargs: dict[str, Any] = {"Bucket": bucket, "Prefix": prefix}
    if start_after:
        kwargs["StartAfter"] = start_after
    for page in s3.get_paginator("list_objects_v2").paginate(**kwargs):
        for obj in page.get("Contents", []):
            progress.listed += 1
            if not start <= obj["LastModified"].astimezone(UTC).date() <= end:
                continue
            raw = RawObject(obj["Key"], int(obj.get("Size", 0)), obj.get("ETag", "").strip('"'), obj["LastModified"])
            progress.objects += 1
            progress.bytes += raw.size
            progress.first_key = progress.first_key or raw.key
            yield raw
        progress.notify()


def plan(objects: Iterable[RawObject], progress: Progress) -> Progress:
    """A dry run: consume the listing (which counts), remember the last key, send nothing."""
    for obj in objects:
        progress.last_key = obj.key
    return progress


def notification(obj: RawObject, bucket: str, region: str) -> dict[str, Any]:
    """The S3 event notification S3 itself would send for `obj` (eventVersion 2.1; the key
    URL-encoded with quote_plus, as S3 does), marked as a backfill."""
    return {
        "Records": [
            {
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "awsRegion": region,
                "eventTime": obj.modified.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
                "eventName": "ObjectCreated:Put",
                "userIdentity": {"principalId": BACKFILL_MARK},
                "s3": {
                    "s3SchemaVersion": "1.0",
                    "configurationId": BACKFILL_MARK,
                    "bucket": {"name": bucket, "arn": f"arn:aws:s3:::{bucket}"},
                    "object": {"key": quote_plus(obj.key), "size": obj.size, "eTag": obj.etag},
                },
            }
        ]
    }


class RateLimit:
    """A token bucket of `per_second` messages holding at most one batch, so a batch of n waits until
    n tokens have accrued. `clock` and `sleep` are injectable for tests."""

    def __init__(
        self,
        per_second: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if per_second <= 0:
            raise ValueError("the rate must be positive")
        self.rate = per_second
        # Batches no larger than a second's worth keep bursts below the limit at low rates.
        self.batch = max(1, min(BATCH, int(per_second)))
        self.tokens = float(self.batch)
        self._clock, self._sleep = clock, sleep
        self._t = clock()

    def acquire(self, n: int) -> None:
        now = self._clock()
        self.tokens = min(float(self.batch), self.tokens + (now - self._t) * self.rate)
        self._t = now
        if self.tokens < n:
            wait = (n - self.tokens) / self.rate
            self._sleep(wait)
            # Count the wait as elapsed even when the clock is a test's and did not move.
            self._t = max(self._clock(), now + wait)
            self.tokens = float(n)
        self.tokens -= n


def enqueue(
    sqs: Any,
    queue_url: str,
    bucket: str,
    objects: Iterable[RawObject],
    *,
    region: str,
    progress: Progress | None = None,
    limit: RateLimit | None = None,
    retries: int = 4,
    backoff: float = 0.5,
    run_id: str | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Progress:
    """Send one notification per object, `BATCH` per SendMessageBatch call, in key order. Entries a
    call reports as failed are retried `retries` times with exponential backoff (a sender fault, e.g.
    an invalid message, at once), then BackfillError names the key to resume after. Whole-call
    errors (throttling, 5xx) are retried by botocore's own policy and then propagate;
    `progress.resume_after` stays valid whatever stops the run."""
    progress = progress if progress is not None else Progress()
    run_id = run_id or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    size = limit.batch if limit else BATCH
    batch: list[RawObject] = []
    for obj in objects:
        batch.append(obj)
        if len(batch) == size:
            _send(sqs, queue_url, bucket, batch, region, run_id, progress, limit, retries, backoff, sleep)
            batch = []
    if batch:
        _send(sqs, queue_url, bucket, batch, region, run_id, progress, limit, retries, backoff, sleep)
    return progress


def _send(
    sqs: Any,
    queue_url: str,
    bucket: str,
    batch: list[RawObject],
    region: str,
    run_id: str,
    progress: Progress,
    limit: RateLimit | None,
    retries: int,
    backoff: float,
    sleep: Callable[[float], None],
) -> None:
    entries = {
        str(i): {
            "Id": str(i),
            "MessageBody": json.dumps(notification(o, bucket, region), separators=(",", ":")),
            "MessageAttributes": {BACKFILL_MARK: {"DataType": "String", "StringValue": run_id}},
        }
        for i, o in enumerate(batch)
    }
    pending = list(entries)
    for attempt in range(retries + 1):
        if attempt:
            sleep(backoff * 2 ** (attempt - 1))
        if limit:
            limit.acquire(len(pending))
        resp = sqs.send_message_batch(QueueUrl=queue_url, Entries=[entries[i] for i in pending])
        # Only an entry reported Successful counts as sent: one missing from both lists is retried too.
        ok = {e["Id"] for e in resp.get("Successful", [])}
        failed = {f["Id"]: f for f in resp.get("Failed", [])}
        pending = [i for i in pending if i not in ok]
        if not pending or any(failed.get(i, {}).get("SenderFault") for i in pending):
            break
    if pending:
        # Entries before the first failure are all enqueued; later ones may be too (resending is harmless).
        first = min(int(i) for i in pending)
        progress.mark_done(batch[:first])
        f = failed.get(str(first), {})
        where = resume_hint(progress.resume_after)
        raise BackfillError(
            f"{len(pending)} message(s) not enqueued after {attempt + 1} attempt(s), first {batch[first].key!r}: "
            f"{f.get('Code', '?')} {f.get('Message', '')}".rstrip()
            + f"; {where}",
            progress.resume_after,
        )
    progress.mark_done(batch)
    progress.notify()


def resume_hint(resume_after: str | None) -> str:
    if resume_after is None:
        return "nothing of the range was done; re-run the same command"
    return f"resume with --start-after {shell_quote(resume_after)}"


def shell_quote(key: str) -> str:
    """`key` in single quotes, safe to paste into a shell (the resume hint is meant to be copied)."""
    return "'" + key.replace("'", "'\\''") + "'"
