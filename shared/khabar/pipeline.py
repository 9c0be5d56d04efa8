"""Process one uploaded object: read → parse → extract → write its lake partitions and ledger row.

This is the domain function behind the extract Lambda and `khabar extract`. It is idempotent per
upload: part files are named from (bucket, key), rows carry deterministic ids and the upload's own
timestamp, so processing the same object again yields the same files with the same rows.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, BinaryIO

from khabar.config import EXTRACTOR_VERSION, Limits
from khabar.extract import extract
from khabar.formats import read_upload
from khabar.lake.store import UPLOADS_PREFIX, Lake, TableWriter, upload_stem
from khabar.models import Article, Reject

__all__ = ["Upload", "Ledger", "ConservationError", "process_upload", "article_id"]

_DATA_TABLES = ("articles", "entities", "figures", "rejects")


@dataclass(frozen=True, slots=True)
class Upload:
    """Identity of one uploaded object."""

    bucket: str
    key: str
    etag: str = ""
    version: str | None = None
    size: int = 0
    modified: datetime | None = None  # the object's upload time: drives dt and ingested_at

    @property
    def dt(self) -> str:
        return (self.modified or datetime.now(UTC)).astimezone(UTC).date().isoformat()


@dataclass(slots=True)
class Ledger:
    """The manifest row of one upload."""

    articles_in: int = 0
    articles_out: int = 0
    rejects: int = 0
    entities: int = 0
    figures: int = 0
    parts: int = 0
    status: str = "ok"
    duration_ms: int = 0
    dt: str = ""
    reject_reasons: dict[str, int] | None = None

    @property
    def conserved(self) -> bool:
        return self.articles_in == self.articles_out + self.rejects


class ConservationError(RuntimeError):
    """articles_in != articles_out + rejects: something was lost or counted twice."""


def article_id(upload: Upload, article: Article) -> str:
    ident = f"id={article.id}" if article.id else f"at={article.locator}"
    return hashlib.sha256(f"{upload.bucket}\x00{upload.key}\x00{ident}".encode()).hexdigest()[:24]


class _Parts:
    """The open writers of one part number across the data tables; rotated together."""

    def __init__(self, lake: Lake, dt: str, stem: str) -> None:
        self.lake, self.dt, self.stem = lake, dt, stem
        self.part = -1
        self.written: dict[str, list[str]] = {t: [] for t in _DATA_TABLES}
        self.rows: dict[str, list[dict[str, Any]]] = {t: [] for t in _DATA_TABLES}
        self.writers: dict[str, TableWriter] = {}
        self.articles_in_part = 0
        self.totals = dict.fromkeys(_DATA_TABLES, 0)

    def open(self) -> None:
        self.part += 1
        self.writers = {t: self.lake.writer(t, self.dt, self.stem, self.part) for t in _DATA_TABLES}
        self.articles_in_part = 0

    def flush(self) -> None:
        for t, rows in self.rows.items():
            if rows:
                self.writers[t].write_rows(rows)
                self.totals[t] += len(rows)
                rows.clear()

    def close(self) -> None:
        self.flush()
        for t, w in self.writers.items():
            path = w.close()
            if path:
                self.written[t].append(path)
        self.writers = {}


def process_upload(
    upload: Upload,
    stream: BinaryIO,
    lake: Lake,
    limits: Limits | None = None,
    on_article: Callable[[], None] | None = None,
) -> Ledger:
    """Process one object into the lake. Raises ConservationError if the ledger does not balance."""
    limits = limits or Limits()
    t0 = time.perf_counter()
    dt = upload.dt
    stem = upload_stem(upload.bucket, upload.key)
    ingested = upload.modified or datetime.now(UTC)
    ledger = Ledger(dt=dt, reject_reasons={})
    parts = _Parts(lake, dt, stem)
    parts.open()
    # Only uploader-given ids can repeat (positional ids are unique); 8-byte keys keep this set at
    # ~70-150 bytes per such article, the one part of memory that grows with the upload.
    seen_ids: set[int] = set()
    common = {"source_bucket": upload.bucket, "source_key": upload.key, "source_etag": upload.etag,
              "extractor_version": EXTRACTOR_VERSION, "ingested_at": ingested}

    def reject(r: Reject) -> None:
        parts.rows["rejects"].append({**common, "record_locator": r.locator, "reason": r.reason,
                                      "detail": r.detail[:1000], "raw_excerpt": r.raw_excerpt[:200]})
        ledger.reject_reasons[r.reason] = ledger.reject_reasons.get(r.reason, 0) + 1  # type: ignore[index]

    for item in read_upload(upload.key, stream, limits):
        ledger.articles_in += 1
        if isinstance(item, Reject):
            reject(item)
            continue
        aid = article_id(upload, item)
        if item.id is not None:
            key = int(aid[:16], 16)
            if key in seen_ids:
                reject(Reject(item.locator, "duplicate_id", f"id {item.id!r} appeared earlier in this upload",
                              item.body[:200]))
                continue
            seen_ids.add(key)
        _add_article(parts, aid, item, common)
        parts.articles_in_part += 1
        if on_article:
            on_article()
        if len(parts.rows["articles"]) >= limits.rows_per_group:
            parts.flush()
        if parts.articles_in_part >= limits.articles_per_file:
            parts.close()
            parts.open()
    parts.close()

    for table in _DATA_TABLES:
        lake.remove_stale(table, dt, stem, parts.written[table])
    _evict_if_compacted(lake, dt, stem)
    _forget_other_day(lake, stem, dt)
    ledger.articles_out = parts.totals["articles"]
    ledger.rejects = parts.totals["rejects"]
    ledger.entities = parts.totals["entities"]
    ledger.figures = parts.totals["figures"]
    ledger.parts = parts.part + 1
    ledger.duration_ms = int((time.perf_counter() - t0) * 1000)
    if not ledger.conserved:
        ledger.status = "conservation_mismatch"
    _write_manifest(lake, upload, stem, ledger)
    if not ledger.conserved:
        raise ConservationError(
            f"{upload.key}: articles_in={ledger.articles_in} != articles_out={ledger.articles_out} "
            f"+ rejects={ledger.rejects}")
    return ledger


def _forget_other_day(lake: Lake, stem: str, dt: str) -> None:
    """A key re-uploaded on another day lands in another dt partition: remove what its previous
    version left in the old one. A small pointer object per upload says where that was."""
    pointer = f"{lake.root}/{UPLOADS_PREFIX}/{stem}.json"
    try:
        with lake.fs.open_input_stream(pointer) as fh:
            previous = json.loads(fh.read().decode("utf-8")).get("dt")
    except (FileNotFoundError, OSError, ValueError):
        previous = None
    if previous and previous != dt:
        for table in (*_DATA_TABLES, "manifests"):
            lake.remove_stale(table, previous, stem, keep=())
        _evict_if_compacted(lake, previous, stem)
    if previous != dt:
        if lake.is_local:
            lake.fs.create_dir(f"{lake.root}/{UPLOADS_PREFIX}", recursive=True)
        with lake.fs.open_output_stream(pointer) as fh:
            fh.write(json.dumps({"dt": dt}).encode("utf-8"))


def _evict_if_compacted(lake: Lake, dt: str, stem: str) -> None:
    """A re-processed upload whose old rows a nightly compaction already folded into compacted files:
    drop those rows now, or readers would count the upload twice until the next compaction."""
    from khabar.lake.compaction import absorbed, evict_upload  # lazy: pyarrow.compute stays off the cold start

    if absorbed(lake, dt, stem):
        evict_upload(lake, dt, stem)


def _add_article(parts: _Parts, aid: str, art: Article, common: dict[str, Any]) -> None:
    result = extract(art.body)
    parts.rows["articles"].append({
        **common, "article_id": aid, "record_locator": art.locator, "title": art.title,
        "source": art.source, "published": art.published, "url": art.url, "body": art.body,
        "language": "ar", "n_chars": len(art.body),
    })
    parts.rows["entities"].extend(
        {"article_id": aid, "entity_text": e.text, "entity_type": e.type, "canonical_id": e.canonical_id,
         "country_code": e.country_code, "start": e.start, "end": e.end, "sentence_index": e.sentence_index}
        for e in result.entities
    )
    parts.rows["figures"].extend(
        {"article_id": aid, "figure_text": f.text, "kind": f.kind, "value": f.value, "unit": f.unit,
         "metric": f.metric, "direction": f.direction, "start": f.start, "end": f.end,
         "sentence_index": f.sentence_index, "related_ids": f.related_ids, "range_role": f.range_role}
        for f in result.figures
    )


def _write_manifest(lake: Lake, upload: Upload, stem: str, ledger: Ledger) -> None:
    row = {
        "source_bucket": upload.bucket, "source_key": upload.key, "source_etag": upload.etag,
        "source_version": upload.version, "bytes": upload.size, "articles_in": ledger.articles_in,
        "articles_out": ledger.articles_out, "rejects": ledger.rejects, "entities": ledger.entities,
        "figures": ledger.figures, "parts": ledger.parts, "extractor_version": EXTRACTOR_VERSION,
        "status": ledger.status, "duration_ms": ledger.duration_ms, "processed_at": datetime.now(UTC),
    }
    writer = lake.writer("manifests", ledger.dt, stem, 0)  # same naming as the data tables' parts
    writer.write_rows([row])
    writer.close()
