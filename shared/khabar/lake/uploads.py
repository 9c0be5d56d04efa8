"""Writing one upload into the lake: its articles (with entity and figure rows), its rejects, and at
commit its ledger row.

Parts are named from the upload (bucket + key), rows carry deterministic ids and the upload's own
timestamp, so writing the same upload again yields the same files with the same rows. Commit then
tidies what an earlier write of the same upload left behind:
- parts of this dt that this write did not produce (the new content is shorter);
- its rows inside compacted files of this dt (a nightly compaction absorbed the earlier write):
  not rewritten here (that would load the partition), but marked under `_control/recompact/` so the
  next nightly compaction drops them;
- its parts and manifest in another dt (the key was uploaded again on another day); a small
  pointer object per upload (`_uploads/<stem>.json`) records which dt that was;
and writes the manifest last, so a manifest row means the upload's rows are complete.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from khabar.config import Limits
from khabar.lake import layout
from khabar.lake.rows import (
    DATA_TABLES,
    UPLOAD_TABLES,
    Row,
    article_row,
    entity_row,
    figure_row,
    manifest_row,
    reject_row,
    upload_columns,
)
from khabar.lake.store import Lake, TableWriter
from khabar.models import Article, Extraction, Ledger, Reject, Upload

__all__ = ["UploadWriter"]


class UploadWriter:
    """Streams one upload's rows into part files (rotated every `limits.articles_per_file` articles,
    a row group every `limits.rows_per_group`), then `commit` writes the ledger.

    `ingested_at` stamps every row and picks the partition (its UTC date)."""

    def __init__(
        self, lake: Lake, upload: Upload, *, version: str, ingested_at: datetime, limits: Limits | None = None
    ) -> None:
        self.lake, self.upload, self.version = lake, upload, version
        self.limits = limits or Limits()
        self.dt = layout.dt_for(ingested_at)
        self.stem = layout.upload_stem(upload.bucket, upload.key)
        self.ledger = Ledger(dt=self.dt)
        self._t0 = time.perf_counter()
        self._common = upload_columns(upload, version=version, ingested_at=ingested_at)
        self._rows: dict[str, list[Row]] = {t: [] for t in DATA_TABLES}
        self._totals = dict.fromkeys(DATA_TABLES, 0)
        self._written: dict[str, list[str]] = {t: [] for t in DATA_TABLES}
        self._writers: dict[str, TableWriter] = {}
        self._part = -1
        self._in_part = 0
        self._committed = False
        self._open()

    def add_article(self, article_id: str, article: Article, found: Extraction) -> None:
        self._rows["articles"].append(article_row(self._common, article_id, article))
        self._rows["entities"].extend(entity_row(article_id, e) for e in found.entities)
        self._rows["figures"].extend(figure_row(article_id, f) for f in found.figures)
        self._in_part += 1
        if len(self._rows["articles"]) >= self.limits.rows_per_group:
            self._flush()
        if self._in_part >= self.limits.articles_per_file:
            self._close()
            self._open()

    def add_reject(self, reject: Reject) -> None:
        self._rows["rejects"].append(reject_row(self._common, reject))
        reasons = self.ledger.reject_reasons
        reasons[reject.reason] = reasons.get(reject.reason, 0) + 1

    def commit(self, articles_in: int) -> Ledger:
        """Finish the parts, tidy what earlier writes of this upload left, write the manifest.
        `articles_in` is the number of records the caller read; the ledger compares it with the
        rows written (status `conservation_mismatch` when they differ; raising is the caller's)."""
        if self._committed:
            raise RuntimeError("upload already committed")
        self._committed = True
        self._close()
        for table in DATA_TABLES:
            self.lake.remove_stale(table, self.dt, self.stem, self._written[table])
        _evict_if_compacted(self.lake, self.dt, self.stem)
        self._move_pointer()
        led = self.ledger
        led.articles_in = articles_in
        led.articles_out, led.rejects = self._totals["articles"], self._totals["rejects"]
        led.entities, led.figures = self._totals["entities"], self._totals["figures"]
        led.parts = self._part + 1
        led.duration_ms = int((time.perf_counter() - self._t0) * 1000)
        if not led.conserved:
            led.status = "conservation_mismatch"
        w = self.lake.writer("manifests", self.dt, self.stem, 0)  # same naming as the data tables' parts
        w.write_rows([manifest_row(self.upload, led, version=self.version, processed_at=datetime.now(UTC))])
        w.close()
        return led

    def _open(self) -> None:
        self._part += 1
        self._writers = {t: self.lake.writer(t, self.dt, self.stem, self._part) for t in DATA_TABLES}
        self._in_part = 0

    def _flush(self) -> None:
        for t, rows in self._rows.items():
            if rows:
                self._writers[t].write_rows(rows)
                self._totals[t] += len(rows)
                rows.clear()

    def _close(self) -> None:
        self._flush()
        for t, w in self._writers.items():
            path = w.close()
            if path:
                self._written[t].append(path)
        self._writers = {}

    def _move_pointer(self) -> None:
        """A key re-uploaded on another day lands in another dt partition: remove what its previous
        version left in the old one, then point at the new one."""
        pointer = self.lake.pointer_path(self.stem)
        try:
            doc = self.lake.read_json(pointer)
            previous = doc.get("dt") if isinstance(doc, dict) else None
        except ValueError:  # a damaged pointer: treated as absent, and rewritten below
            previous = None
        if previous and previous != self.dt:
            for table in UPLOAD_TABLES:
                self.lake.remove_stale(table, previous, self.stem, keep=())
            _evict_if_compacted(self.lake, previous, self.stem)
        if previous != self.dt:
            self.lake.write_json(pointer, {"dt": self.dt})


def _evict_if_compacted(lake: Lake, dt: str, stem: str) -> None:
    """A re-processed upload whose old rows a nightly compaction already folded into compacted files:
    mark the day for the next nightly compaction, which drops those rows. Until then readers see the
    upload twice. (Rewriting the compacted files here loaded the whole partition into this Lambda,
    once per upload: quadratic in a backfill of a compacted day.)"""
    from khabar.lake.compaction import absorbed, mark_for_recompaction  # lazy: off the cold start

    if absorbed(lake, dt, stem):
        mark_for_recompaction(lake, dt, stem)
