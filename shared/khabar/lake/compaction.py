"""Compaction of a day's many small part files into few sorted `part-compacted-NNNNN.parquet` files.

Protocol, per table partition (`articles`, `entities`, `figures` of one dt):
1. read the live upload parts (`part-<stem>-<n>.parquet`) and the previous compacted files;
2. drop from the previous compacted rows every upload (stem) that was re-processed since: it has
   live parts again, or its manifest's `processed_at` differs from the one recorded in the
   sidecar `_compaction.json` (a re-processed upload may now produce fewer rows, or none);
3. sort, write the new files under hidden names (`_tmp-compacted-*`: Athena, Hive and
   `Lake.parts` ignore names starting with `_`), read them back and check they equal the sorted
   input and the row count adds up, and only then move them to their final names and delete the
   absorbed upload parts and surplus old compacted files; finally write the sidecar.

Reader-visible behaviour: each final file appears atomically (local rename, S3 PUT/COPY). Between
the move of the new compacted files and the deletion of the absorbed parts (milliseconds locally,
one DeleteObjects call on S3) a reader that lists the partition sees the absorbed rows twice; a
query that listed before the deletion and opens a file after it fails with file-not-found and must
be retried. Hence compaction runs in the nightly job for a finished day (yesterday), off-hours,
and is opt-in (`khabar aggregate --compact`, env COMPACT=1 in AWS). Rows are never missing.

A late re-processing of an upload of a compacted day writes `part-<stem>-*` again while its old
rows sit in the compacted file: readers see that upload twice until the next compaction (which
replaces the stale rows, see 2.) or until the pipeline calls `evict_upload` right after writing.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from khabar.lake import layout
from khabar.lake.layout import safe_dt, upload_stem
from khabar.lake.schema import schema
from khabar.lake.store import COMPRESSION, Lake

__all__ = ["compact_day", "compact_table", "evict_upload", "TableCompaction", "COMPACT_TABLES", "PREFIX"]

COMPACT_TABLES = ("entities", "figures", "articles")  # articles last: its old files map rows to uploads
PREFIX = layout.COMPACTED_PREFIX
SIDECAR = layout.SIDECAR
TARGET_BYTES = 128 * 2**20
ROW_GROUP = 65_536
# Sort keys chosen for row-group pruning on the usual filters (source, entity, metric).
SORT_KEYS: dict[str, list[str]] = {
    "articles": ["source", "article_id"],
    "entities": ["canonical_id", "article_id", "start"],
    "figures": ["metric", "unit", "article_id", "start"],
}


class CompactionError(RuntimeError):
    """The written files do not hold exactly the input rows; nothing was deleted."""


@dataclass(slots=True)
class TableCompaction:
    table: str
    files_before: int
    files_after: int
    rows: int
    absorbed: list[str] = field(default_factory=list)  # upload stems whose parts were folded in
    replaced: list[str] = field(default_factory=list)  # stems whose old compacted rows were dropped

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def _sort_indices(data: pa.Table, keys: list[str]) -> pa.Array:
    if int(pa.__version__.split(".")[0]) >= 25:  # null placement moved into each sort key
        return pc.sort_indices(data, sort_keys=[(k, "ascending", "at_end") for k in keys])
    return pc.sort_indices(data, sort_keys=[(k, "ascending") for k in keys], null_placement="at_end")


def _read(lake: Lake, table: str, paths: Iterable[str]) -> pa.Table:
    sch = schema(table)
    tables = [pq.read_table(p, filesystem=lake.fs, schema=sch) for p in paths]
    return pa.concat_tables(tables) if tables else sch.empty_table()


def _sidecar(lake: Lake, table: str, day: str) -> dict[str, object]:
    return lake.read_json(lake.sidecar_path(table, day)) or {}


def _manifest_times(lake: Lake, day: str) -> dict[str, str]:
    """stem → processed_at of each upload's ledger row of the day."""
    m = lake.read("manifests", day).select(["source_bucket", "source_key", "processed_at"]).to_pylist()
    return {upload_stem(r["source_bucket"], r["source_key"]): r["processed_at"].isoformat() for r in m}


def _article_stems(lake: Lake, day: str) -> dict[str, str]:
    """article_id → upload stem for every article of the day (compacted or not)."""
    arts = lake.read("articles", day).select(["article_id", "source_bucket", "source_key"]).to_pylist()
    return {r["article_id"]: upload_stem(r["source_bucket"], r["source_key"]) for r in arts}


def _row_stems(table: str, data: pa.Table, art_stems: dict[str, str]) -> list[str | None]:
    if table == "articles":
        b, k = data.column("source_bucket").to_pylist(), data.column("source_key").to_pylist()
        return [upload_stem(x, y) for x, y in zip(b, k, strict=True)]
    return [art_stems.get(a) for a in data.column("article_id").to_pylist()]


def compact_table(
    lake: Lake,
    table: str,
    day: str,
    *,
    target_bytes: int = TARGET_BYTES,
    art_stems: dict[str, str] | None = None,
    manifest_times: dict[str, str] | None = None,
    evict: Iterable[str] = (),
) -> TableCompaction:
    """Compact one table partition (see the module docstring for the protocol)."""
    safe_dt(day)
    parts = lake.parts(table, day)
    old = [p for p in parts if layout.is_compacted(p)]
    live = [p for p in parts if p not in old]
    side = _sidecar(lake, table, day)
    recorded: dict[str, str | None] = dict(side.get("stems", {}))  # type: ignore[call-overload]  # JSON object
    times = _manifest_times(lake, day) if manifest_times is None else manifest_times
    live_stems = sorted({s for p in live if (s := layout.stem_of(p))})
    stale = {s for s, t in recorded.items() if t != times.get(s)} | set(live_stems) | set(evict)
    if not live and not stale:
        return TableCompaction(
            table, len(parts), len(parts), sum(pq.read_metadata(p, filesystem=lake.fs).num_rows for p in old)
        )

    kept = _read(lake, table, old)
    replaced: list[str] = []
    if stale and kept.num_rows:
        # Filter by the rows' own uploads, not only the sidecar: after a crash between moving the new
        # files and writing the sidecar, absorbed parts are still live and must not count twice.
        row_stems = _row_stems(table, kept, art_stems if art_stems is not None else _article_stems(lake, day))
        replaced = sorted({s for s in row_stems if s is not None and s in stale})
        kept = kept.filter(pa.array([s not in stale for s in row_stems], pa.bool_()))
    fresh = _read(lake, table, live)
    data = pa.concat_tables([kept, fresh])
    order = _sort_indices(data, SORT_KEYS[table])
    data = data.take(order)

    # Rows per file from the inputs' on-disk bytes per row: ~target_bytes per output file.
    sizes = sum(i.size for i in lake.fs.get_file_info(parts)) or 1
    in_rows = sum(pq.read_metadata(p, filesystem=lake.fs).num_rows for p in parts) or 1
    per_file = max(1, int(target_bytes / max(sizes / in_rows, 1.0)))
    base = lake.partition_dir(table, day)
    token = uuid.uuid4().hex[:8]
    tmps: list[str] = []
    for n, start in enumerate(range(0, data.num_rows, per_file)):
        tmp = layout.tmp_compacted(lake.root, table, day, token, n)
        pq.write_table(
            data.slice(start, per_file),
            tmp,
            filesystem=lake.fs,
            compression=COMPRESSION,
            row_group_size=ROW_GROUP,
        )
        tmps.append(tmp)
    try:
        back = _read(lake, table, tmps)
        if back.num_rows != kept.num_rows + fresh.num_rows or not back.equals(data):
            raise CompactionError(f"{table} dt={day}: written files differ from the input; old parts kept")
    except BaseException:
        lake.delete(tmps)
        raise

    finals = [f"{base}/{layout.compacted_name(n)}" for n in range(len(tmps))]
    for tmp, final in zip(tmps, finals, strict=True):
        lake.move(tmp, final)  # replaces an old compacted file of the same name atomically
    lake.delete([*live, *(o for o in old if o not in finals)])
    stems = {s: t for s, t in recorded.items() if s not in stale}
    stems.update({s: times.get(s) for s in live_stems})
    meta = {
        "table": table,
        "dt": day,
        "files": [layout.compacted_name(n) for n in range(len(finals))],
        "rows": data.num_rows,
        "sort_by": SORT_KEYS[table],
        "stems": dict(sorted(stems.items())),
    }
    lake.write_json(lake.sidecar_path(table, day), meta, indent=1)
    return TableCompaction(table, len(parts), len(finals), data.num_rows, live_stems, replaced)


def compact_day(
    lake: Lake, day: str, *, tables: Iterable[str] = COMPACT_TABLES, target_bytes: int = TARGET_BYTES
) -> dict[str, TableCompaction]:
    """Compact the day's article, entity and figure partitions; returns what each table did."""
    art_stems = _article_stems(lake, day)  # read before articles are rewritten
    times = _manifest_times(lake, day)
    return {
        t: compact_table(lake, t, day, target_bytes=target_bytes, art_stems=art_stems, manifest_times=times)
        for t in tables
    }


def absorbed(lake: Lake, day: str, stem: str) -> bool:
    """Did a compaction of `day` fold this upload's rows into compacted files? (one small read)"""
    return any(stem in _sidecar(lake, t, day).get("stems", {}) for t in COMPACT_TABLES)  # type: ignore[operator]


def evict_upload(lake: Lake, day: str, stem: str) -> dict[str, TableCompaction]:
    """Drop one upload's rows from a day's compacted files (for the pipeline to call right after
    it re-processes an upload of an already compacted day). Its live parts are folded in too."""
    art_stems = _article_stems(lake, day)
    times = _manifest_times(lake, day)
    out: dict[str, TableCompaction] = {}
    for t in COMPACT_TABLES:
        if _sidecar(lake, t, day):
            out[t] = compact_table(lake, t, day, art_stems=art_stems, manifest_times=times, evict=[stem])
    return out
