"""Operations after a fix: move dead letters back (`khabar redrive`) and re-run extraction over raw
uploads of a date range (`khabar reprocess`, a backfill with the current extractor version), here on
this machine; `khabar.aws.backfill` does it through the queue and the deployed function instead."""

from __future__ import annotations

from datetime import date
from typing import Any

from khabar.aws.backfill import Progress, list_raw
from khabar.aws.ingest import process_object
from khabar.config import Limits
from khabar.lake.store import Lake
from khabar.models import Upload

__all__ = ["redrive", "reprocess"]


def redrive(sqs: Any, dlq_url: str, queue_url: str, limit: int | None = None) -> int:
    """Move messages from the DLQ back to the extract queue; returns how many moved. A message is
    deleted from the DLQ only after it was sent, so an interruption duplicates at worst (and the
    pipeline is idempotent), never loses."""
    moved = 0
    while limit is None or moved < limit:
        n = 10 if limit is None else min(10, limit - moved)
        msgs = sqs.receive_message(
            QueueUrl=dlq_url, MaxNumberOfMessages=n, VisibilityTimeout=60, WaitTimeSeconds=0
        ).get("Messages", [])
        if not msgs:
            break
        resp = sqs.send_message_batch(
            QueueUrl=queue_url, Entries=[{"Id": str(i), "MessageBody": m["Body"]} for i, m in enumerate(msgs)]
        )
        sent = {e["Id"] for e in resp.get("Successful", [])}
        done = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(msgs) if str(i) in sent]
        if done:
            sqs.delete_message_batch(QueueUrl=dlq_url, Entries=done)
        moved += len(done)
        if len(done) < len(msgs):
            raise RuntimeError(f"{len(msgs) - len(done)} message(s) could not be sent back; they stay in the DLQ")
    return moved


def reprocess(
    s3: Any,
    bucket: str,
    lake: Lake,
    start: date,
    end: date,
    prefix: str = "",
    limits: Limits | None = None,
    *,
    start_after: str | None = None,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Re-extract, one after the other on this machine, every raw upload whose upload date is in
    [start, end] (listed by `khabar.aws.backfill.list_raw`, as the queue mode lists them). Part files
    are named from the object, so the new rows (with the current extractor_version) replace the old
    ones. `progress.resume_after` is the last key processed with all before it, whatever stops the run."""
    progress = progress if progress is not None else Progress()
    totals = {"uploads": 0, "articles": 0, "rejects": 0}
    for obj in list_raw(s3, bucket, start, end, prefix, start_after, progress):
        ledger = process_object(Upload(bucket, obj.key), s3, lake, limits)
        progress.mark_done([obj])
        progress.notify()
        if ledger is None:
            continue
        totals["uploads"] += 1
        totals["articles"] += ledger.articles_out
        totals["rejects"] += ledger.rejects
    return totals
