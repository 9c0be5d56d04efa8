"""Domain records → lake rows: the one mapping per table (columns as in `khabar.lake.schema`).

`pa.Table.from_pylist` silently turns a misspelled key into a NULL column, so every row of the
lake is built here and a test compares each function's keys with the schema's column names.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from khabar.lake.schema import DATA_TABLES, UPLOAD_TABLES
from khabar.models import Article, Entity, Figure, Ledger, Reject, Upload

__all__ = [
    "DATA_TABLES",
    "UPLOAD_TABLES",
    "upload_columns",
    "article_row",
    "entity_row",
    "figure_row",
    "reject_row",
    "manifest_row",
]

# What one upload writes: its data rows, then its ledger row (manifests) last.

Row = dict[str, Any]


def upload_columns(upload: Upload, *, version: str, ingested_at: datetime) -> Row:
    """The columns that articles and rejects share: where the row came from, and when/how."""
    return {
        "source_bucket": upload.bucket,
        "source_key": upload.key,
        "source_etag": upload.etag,
        "extractor_version": version,
        "ingested_at": ingested_at,
    }


def article_row(common: Row, article_id: str, a: Article) -> Row:
    return {
        **common,
        "article_id": article_id,
        "record_locator": a.locator,
        "title": a.title,
        "source": a.source,
        "published": a.published,
        "url": a.url,
        "body": a.body,
        "language": "ar",
        "n_chars": len(a.body),
    }


def entity_row(article_id: str, e: Entity) -> Row:
    return {
        "article_id": article_id,
        "entity_text": e.text,
        "entity_type": e.type,
        "canonical_id": e.canonical_id,
        "country_code": e.country_code,
        "start": e.start,
        "end": e.end,
        "sentence_index": e.sentence_index,
    }


def figure_row(article_id: str, f: Figure) -> Row:
    return {
        "article_id": article_id,
        "figure_text": f.text,
        "kind": f.kind,
        "value": f.value,
        "unit": f.unit,
        "metric": f.metric,
        "direction": f.direction,
        "start": f.start,
        "end": f.end,
        "sentence_index": f.sentence_index,
        "related_ids": f.related_ids,
        "range_role": f.range_role,
        "subject_id": f.subject_id,
        "subject_text": f.subject_text,
        "period": f.period,
        "period_start": f.period_start,
        "period_end": f.period_end,
        "period_text": f.period_text,
    }


# A reject records why, not the whole (possibly huge or hostile) record: enough of the parser's
# message to act on, and enough of the raw bytes to recognise the record.
DETAIL_CHARS = 1000
EXCERPT_CHARS = 200


def reject_row(common: Row, r: Reject) -> Row:
    return {
        **common,
        "record_locator": r.locator,
        "reason": r.reason,
        "detail": r.detail[:DETAIL_CHARS],
        "raw_excerpt": r.raw_excerpt[:EXCERPT_CHARS],
    }


def manifest_row(upload: Upload, ledger: Ledger, *, version: str, processed_at: datetime) -> Row:
    return {
        "source_bucket": upload.bucket,
        "source_key": upload.key,
        "source_etag": upload.etag,
        "source_version": upload.version,
        "bytes": upload.size,
        "articles_in": ledger.articles_in,
        "articles_out": ledger.articles_out,
        "rejects": ledger.rejects,
        "entities": ledger.entities,
        "figures": ledger.figures,
        "parts": ledger.parts,
        "extractor_version": version,
        "status": ledger.status,
        "duration_ms": ledger.duration_ms,
        "processed_at": processed_at,
    }
