"""Process one uploaded object: read → dedupe → extract → write its rows and ledger into the lake.

This is the domain function behind the extract Lambda and `khabar extract`. It is idempotent per
upload (see `khabar.lake.uploads`): processing the same object again yields the same files with
the same rows.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime
from typing import BinaryIO

from khabar.config import EXTRACTOR_VERSION, Limits
from khabar.extract import extract, published_date
from khabar.formats import read_upload
from khabar.lake.store import Lake
from khabar.lake.uploads import UploadWriter
from khabar.models import Article, Ledger, Reject, Upload

__all__ = ["ConservationError", "process_upload", "article_id"]


class ConservationError(RuntimeError):
    """articles_in != articles_out + rejects: something was lost or counted twice."""


def article_id(upload: Upload, article: Article) -> str:
    ident = f"id={article.id}" if article.id else f"at={article.locator}"
    return hashlib.sha256(f"{upload.bucket}\x00{upload.key}\x00{ident}".encode()).hexdigest()[:24]


def process_upload(
    upload: Upload,
    stream: BinaryIO,
    lake: Lake,
    limits: Limits | None = None,
    on_article: Callable[[], None] | None = None,
) -> Ledger:
    """Process one object into the lake. Raises ConservationError if the ledger does not balance."""
    limits = limits or Limits()
    out = UploadWriter(
        lake, upload, version=EXTRACTOR_VERSION, ingested_at=upload.modified or datetime.now(UTC), limits=limits
    )
    # Only uploader-given ids can repeat (positional ids are unique); 8-byte keys keep this set at
    # ~70-150 bytes per such article, the one part of memory that grows with the upload.
    seen_ids: set[int] = set()
    upload_day = (upload.modified or datetime.now(UTC)).astimezone(UTC).date()  # the upload's dt
    records = 0
    for item in read_upload(upload.key, stream, limits):
        records += 1
        if isinstance(item, Reject):
            out.add_reject(item)
            continue
        aid = article_id(upload, item)
        if item.id is not None:
            key = int(aid[:16], 16)
            if key in seen_ids:
                out.add_reject(
                    Reject(
                        item.locator, "duplicate_id", f"id {item.id!r} appeared earlier in this upload", item.body[:200]
                    )
                )
                continue
            seen_ids.add(key)
        # Relative periods («العام الماضي») read against the article's date, else the upload's.
        out.add_article(aid, item, extract(item.body, published_date(item.published) or upload_day))
        if on_article:
            on_article()
    ledger = out.commit(articles_in=records)
    if not ledger.conserved:
        raise ConservationError(
            f"{upload.key}: articles_in={ledger.articles_in} != articles_out={ledger.articles_out} "
            f"+ rejects={ledger.rejects}"
        )
    return ledger
