"""Compaction of a day's many small part files into few sorted `part-compacted-<run>-NNNNN.parquet`
files, by SQL: Athena's UNLOAD in AWS, DuckDB locally. The job never holds a partition's rows.

Per table partition (`entities`, `figures`, then `articles` of one dt; articles last because the
other two find a row's upload through its article):
1. Plan (`plan_table`, metadata only): list the partition's live upload parts
   (`part-<stem>-<n>.parquet`) and the files of earlier compactions, with their sizes and footer row
   counts; read the sidecar `_compaction.json` (the uploads earlier runs absorbed, with their
   manifests' `processed_at`) and the day's manifests (one small row per upload). Stale uploads,
   whose rows in the old compacted files are dropped: those with live parts again, and those whose
   manifest time changed since (a re-processing may yield fewer rows, none, or move to another day).
   Output files: input bytes / 128 MB, rounded up (at most 100, UNLOAD's partition limit).
2. Query (the engine's `compact_partition`): `sql/compaction/<table>.sql` reads the run's control
   rows (`compaction_control`, a small Parquet file under `_control/`: the run id, the planned files
   by path, the stale stems), keeps the rows of the planned files less those of stale uploads in old compacted
   files (the file is Athena's `"$path"`; `khabar.lake.query` gives DuckDB the same column), orders
   them by SORT_KEYS and numbers the output files with `ntile` (`bucket`). The rows go to staging
   (`_staging/<table>/dt=D/<run>/bucket=NNNNN/`); a `SELECT count(*)` of the same query gives the
   expected rows. Control rows instead of parameters: an ExecutionParameter holds at most 1024
   characters and the lists are unbounded; values are never formatted into SQL.
3. Swap (`swap`, footers only): the staged files' footers must hold the table's columns and add up
   to the expected count, which must lie between the live parts' rows and all inputs' rows, and
   the inputs must be unchanged since the plan (no concurrent write). Only then: the sidecar records
   the pending swap, the staged files are moved to their final names, every input file is deleted,
   and the sidecar is written. A failed or refused query, a count or schema mismatch, or a changed
   input leave the partition exactly as it was (the engine deletes staging and control files).

Why `ntile` buckets (UNLOAD `partitioned_by`): UNLOAD writes files in parallel, each sorted but not
sorted relative to each other, and of sizes it chooses. Bucket b holds the b-th range of the sorted
rows, so each output file covers one key range (file pruning besides row-group pruning) and is
about 128 MB. The cost is one sort of the day on one Athena worker, fine for a day of news.

What a reader sees during the swap: output files get names of their own run, so no file is ever
rewritten in place, and each appears whole (S3 CopyObject, a local rename). Between the first new
file and the deletion of the inputs (seconds on S3: one copy per file, one DeleteObjects call) a
query that lists the partition sees the day's rows twice (in the inputs and in the new files); a
query that listed the inputs before their deletion and opens one after fails (Athena: the file
does not exist) and must be retried. Rows are never missing. Staging and control files sit under
`_` folders, outside every table location. Hence compaction runs in the nightly job for a finished
day, off-hours, opt-in (`khabar aggregate --compact`, env COMPACT=1 in AWS). A swap interrupted
midway (a Lambda timeout) is finished or rolled back by the next plan of that partition, from the
pending record (a marker has the next night compact that day again).

A late re-processing of an upload of a compacted day writes `part-<stem>-*` again while its old rows
sit in the compacted files: readers see that upload twice until the day is compacted again. The
extract path leaves a marker (`mark_for_recompaction`); the nightly job compacts every marked day
besides its own, which drops the stale rows (step 1).
"""

from __future__ import annotations

import contextlib
import math
import os
import uuid
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from khabar import sql
from khabar.lake import layout
from khabar.lake.layout import safe_dt, upload_stem
from khabar.lake.schema import schema
from khabar.lake.store import Lake

__all__ = [
    "BUCKET",
    "COMPACT_TABLES",
    "CONTROL_SCHEMA",
    "CONTROL_TABLE",
    "COUNT_SCHEMA",
    "PREFIX",
    "SORT_KEYS",
    "CompactionError",
    "CompactionPlan",
    "Compactor",
    "InputFile",
    "TableCompaction",
    "absorbed",
    "cleanup",
    "compact_day",
    "compact_table",
    "control_location",
    "count_statement",
    "mark_for_recompaction",
    "marked_days",
    "plan_table",
    "staging_location",
    "statement",
    "swap",
    "verify",
    "write_control",
]

COMPACT_TABLES = ("entities", "figures", "articles")  # articles last: the others map rows to uploads through it
PREFIX = layout.COMPACTED_PREFIX
SIDECAR = layout.SIDECAR
TARGET_BYTES = 128 * 2**20
MAX_FILES = 100  # UNLOAD writes at most 100 partitions (here: buckets)
# Sort keys chosen for row-group pruning on the usual filters (source, entity, metric); the ORDER BY of
# sql/compaction/<table>.sql (a test keeps them equal).
SORT_KEYS: dict[str, list[str]] = {
    "articles": ["source", "article_id"],
    "entities": ["canonical_id", "article_id", "start"],
    "figures": ["metric", "unit", "article_id", "start"],
}
BUCKET = "bucket"  # the SQL's last column: which output file a row goes to
# The Glue table the compaction SQL reads its run's inputs from (partitioned by dt, like the data).
CONTROL_TABLE = "compaction_control"
CONTROL_SCHEMA = pa.schema([("run", pa.string()), ("kind", pa.string()), ("ref", pa.string())])
CONTROL_KINDS = ("live", "compacted", "stale")  # kind: an input file (by path) of each sort, or a stem
COUNT_SCHEMA = pa.schema([("n", pa.int64())])


class CompactionError(RuntimeError):
    """The staged output does not hold exactly the rows expected, or the inputs changed; nothing was
    replaced."""


@dataclass(slots=True)
class TableCompaction:
    table: str
    files_before: int
    files_after: int
    rows: int
    absorbed: list[str] = field(default_factory=list)  # upload stems whose parts were folded in
    replaced: list[str] = field(default_factory=list)  # absorbed earlier, re-processed since: old rows dropped
    queries: list[str] = field(default_factory=list)  # Athena query ids (count, UNLOAD)

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class InputFile:
    path: str
    size: int
    mtime_ns: int | None
    rows: int
    compacted: bool  # a file of an earlier compaction (else an upload's live part)


@dataclass(frozen=True, slots=True)
class CompactionPlan:
    """What one compaction of one table partition reads and drops (`plan_table`)."""

    table: str
    dt: str
    run: str  # names the control rows, the staging folder and the output files
    inputs: tuple[InputFile, ...]
    stale: tuple[str, ...]  # upload stems whose rows in old compacted files are dropped
    live_stems: tuple[str, ...]
    recorded: Mapping[str, str | None]  # the sidecar's stems → processed_at
    times: Mapping[str, str]  # the day's manifests: stem → processed_at
    files: int  # output files
    sidecar: Mapping[str, Any] = field(default_factory=dict)

    @property
    def noop(self) -> bool:
        """Nothing to absorb and nothing to drop: the partition stays as it is."""
        return not self.stale and all(i.compacted for i in self.inputs)

    @property
    def input_rows(self) -> int:
        return sum(i.rows for i in self.inputs)

    @property
    def live_rows(self) -> int:
        return sum(i.rows for i in self.inputs if not i.compacted)

    def parameters(self) -> dict[str, Any]:
        return {"dt": self.dt, "run": self.run, "files": self.files}


class Compactor(Protocol):
    """Runs a plan's SQL and swaps its output in (`khabar.nightly` engines: Athena, DuckDB)."""

    def compact_partition(self, plan: CompactionPlan) -> TableCompaction: ...


# -- planning (metadata only) ---------------------------------------------------------------------


def _sidecar(lake: Lake, table: str, day: str) -> dict[str, Any]:
    return lake.read_json(lake.sidecar_path(table, day)) or {}


def _manifest_times(lake: Lake, day: str) -> dict[str, str]:
    """stem → processed_at of each upload's ledger row of the day (one small row per upload)."""
    m = lake.read("manifests", day, columns=["source_bucket", "source_key", "processed_at"]).to_pylist()
    return {upload_stem(r["source_bucket"], r["source_key"]): r["processed_at"].isoformat() for r in m}


def _mtime_ns(info: pafs.FileInfo) -> int | None:
    return info.mtime_ns if info.mtime is not None else None


def plan_table(
    lake: Lake,
    table: str,
    day: str,
    *,
    target_bytes: int = TARGET_BYTES,
    manifest_times: Mapping[str, str] | None = None,
) -> CompactionPlan:
    """The plan of one table partition's compaction, from listings, footers and small JSON only."""
    safe_dt(day)
    side = _sidecar(lake, table, day)
    if "pending" in side:
        side = _recover(lake, table, day, side)
    parts = lake.parts(table, day)
    infos = lake.fs.get_file_info(parts) if parts else []
    with ThreadPoolExecutor(8) as pool:  # one footer read per file: S3 round trips overlap
        rows = list(pool.map(lambda p: pq.read_metadata(p, filesystem=lake.fs).num_rows, parts))
    inputs = tuple(
        InputFile(i.path, i.size or 0, _mtime_ns(i), n, layout.is_compacted(i.path))
        for i, n in zip(infos, rows, strict=True)
    )
    recorded: dict[str, str | None] = dict(side.get("stems", {}))
    times = dict(_manifest_times(lake, day) if manifest_times is None else manifest_times)
    live_stems = tuple(sorted({s for i in inputs if not i.compacted and (s := layout.stem_of(i.path))}))
    stale = tuple(sorted({s for s, t in recorded.items() if t != times.get(s)} | set(live_stems)))
    size = sum(i.size for i in inputs)
    files = min(MAX_FILES, max(1, math.ceil(size / target_bytes)))
    run = uuid.uuid4().hex[:16]
    return CompactionPlan(table, day, run, inputs, stale, live_stems, recorded, times, files, side)


def statement(plan: CompactionPlan) -> sql.Statement:
    return sql.load("compaction", plan.table)


def count_statement(plan: CompactionPlan) -> sql.Statement:
    """`SELECT count(*)` over the compaction query: the rows its output must hold."""
    stmt = statement(plan)
    text = f"SELECT count(*) AS n FROM (\n{stmt.text.strip().rstrip(';')}\n) AS compacted"
    query, params = sql.parse_named(text)
    return sql.Statement(stmt.kind, f"{plan.table}_count", text, query, params)


def control_location(lake: Lake) -> str:
    return layout.control_dir(lake.root, CONTROL_TABLE)


def write_control(lake: Lake, plan: CompactionPlan) -> str:
    """The run's control rows: each input file by its engine path (`Lake.url`, what Athena's "$path"
    says), kind live or compacted, and each stale upload stem."""
    rows = [("compacted" if i.compacted else "live", lake.url(i.path)) for i in plan.inputs]
    rows += [("stale", s) for s in plan.stale]
    data = pa.table(
        {"run": [plan.run] * len(rows), "kind": [k for k, _ in rows], "ref": [r for _, r in rows]},
        schema=CONTROL_SCHEMA,
    )
    path = layout.control_file(lake.root, CONTROL_TABLE, plan.dt, plan.run)
    if lake.is_local:
        lake.fs.create_dir(path.rsplit("/", 1)[0], recursive=True)
    pq.write_table(data, path, filesystem=lake.fs)
    return path


def staging_location(lake: Lake, plan: CompactionPlan) -> str:
    return layout.staging(lake.root, plan.table, plan.dt, plan.run)


def cleanup(lake: Lake, plan: CompactionPlan) -> None:
    """Remove the run's control rows and whatever is left in its staging folder."""
    control, staging = layout.control_file(lake.root, CONTROL_TABLE, plan.dt, plan.run), staging_location(lake, plan)
    lake.delete([p for p in lake.files(control.rsplit("/", 1)[0]) if p == control] + lake.files(staging))
    if lake.is_local:  # and the folders left empty (S3 has none)
        for folder in (control.rsplit("/", 1)[0], staging):
            _prune(lake, folder)


def _prune(lake: Lake, folder: str) -> None:
    """Remove empty folders in and above `folder` (up to the lake root); rmdir keeps non-empty ones."""
    for sub, _, _ in sorted(os.walk(folder, topdown=False), key=lambda w: -len(w[0])):
        with contextlib.suppress(OSError):
            os.rmdir(sub)
    parent = folder.rsplit("/", 1)[0]
    while parent != lake.root:
        try:
            os.rmdir(parent)
        except OSError:
            break
        parent = parent.rsplit("/", 1)[0]


# -- the swap (footers only) ----------------------------------------------------------------------


def _kind(t: pa.DataType) -> object:
    """A type as readers see it: pyarrow casts timestamp units/zones and list field names on read."""
    if pa.types.is_timestamp(t):
        return "timestamp"
    if pa.types.is_large_string(t):
        return pa.string()
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        return ("list", _kind(t.value_type))
    return t


def _check_columns(table: str, path: str, got: pa.Schema) -> None:
    want = schema(table)
    if got.names != want.names or any(_kind(g.type) != _kind(w.type) for g, w in zip(got, want, strict=True)):
        raise CompactionError(f"{table}: staged file {path} has columns {got}, the table {want}; nothing replaced")


def verify(lake: Lake, plan: CompactionPlan, staged: Iterable[str], expected: int) -> list[str]:
    """The staged files that hold rows, after checking their footers (columns, row counts) against
    the expected count and the plan's bounds."""
    keep: list[str] = []
    rows = 0
    for path in staged:
        try:
            meta = pq.read_metadata(path, filesystem=lake.fs)
        except (OSError, pa.ArrowException) as exc:
            raise CompactionError(
                f"{plan.table}: staged file {path} is not Parquet ({exc}); nothing replaced"
            ) from None
        _check_columns(plan.table, path, meta.schema.to_arrow_schema())
        if meta.num_rows:
            keep.append(path)
            rows += meta.num_rows
    where = f"{plan.table} dt={plan.dt}"
    if rows != expected:
        raise CompactionError(f"{where}: staged files hold {rows} rows, the query counted {expected}; nothing replaced")
    if not plan.live_rows <= expected <= plan.input_rows:  # live rows are always kept; nothing is added
        raise CompactionError(
            f"{where}: {expected} rows is outside [{plan.live_rows} live, {plan.input_rows} input]; nothing replaced"
        )
    return keep


def _check_unchanged(lake: Lake, plan: CompactionPlan) -> None:
    """The partition holds exactly the planned files, unchanged: an extract run that wrote to the day
    meanwhile would otherwise lose rows in the deletion."""
    now = {i.path: (i.size, _mtime_ns(i)) for i in lake.fs.get_file_info(lake.parts(plan.table, plan.dt))}
    if now != {i.path: (i.size, i.mtime_ns) for i in plan.inputs}:
        raise CompactionError(f"{plan.table} dt={plan.dt} changed during compaction; nothing replaced")


def swap(lake: Lake, plan: CompactionPlan, staged: Iterable[str], expected: int) -> TableCompaction:
    """Check the staged output (footers only), then make it the partition: record the pending swap in
    the sidecar, move the files to their final names, delete every input, write the sidecar."""
    files = verify(lake, plan, staged, expected)
    _check_unchanged(lake, plan)
    base = lake.partition_dir(plan.table, plan.dt)
    names = [layout.compacted_name(n, plan.run) for n in range(len(files))]
    stems = {s: t for s, t in plan.recorded.items() if s not in plan.stale}
    stems.update({s: plan.times.get(s) for s in plan.live_stems})
    final = {
        "table": plan.table,
        "dt": plan.dt,
        "files": names,
        "rows": expected,
        "sort_by": SORT_KEYS[plan.table],
        "stems": dict(sorted(stems.items())),
    }
    old = {k: v for k, v in plan.sidecar.items() if k != "pending"}
    remove = [{"name": i.path.rsplit("/", 1)[1], "size": i.size, "mtime_ns": i.mtime_ns} for i in plan.inputs]
    pending = {"run": plan.run, "files": names, "remove": remove, "sidecar": final}
    sidecar = lake.sidecar_path(plan.table, plan.dt)
    # If the swap stops midway, the marker has the next night compact the day again, which finishes
    # or rolls back the pending swap (`_recover`).
    marker = layout.recompact_marker(lake.root, plan.dt, plan.run)
    lake.write_json(marker, {"dt": plan.dt, "run": plan.run, "table": plan.table})
    lake.write_json(sidecar, {**old, "pending": pending}, indent=1)
    for src, name in zip(files, names, strict=True):
        lake.move(src, f"{base}/{name}")
    lake.delete(i.path for i in plan.inputs)
    lake.write_json(sidecar, final, indent=1)
    lake.delete([marker])
    replaced = [s for s in plan.stale if s in plan.recorded]
    return TableCompaction(plan.table, len(plan.inputs), len(names), expected, list(plan.live_stems), replaced)


def _recover(lake: Lake, table: str, day: str, side: dict[str, Any]) -> dict[str, Any]:
    """Finish a swap that stopped midway (every new file is there: delete the inputs that are
    unchanged) or roll it back (delete the new files); returns the sidecar then in force."""
    pending, base = side["pending"], lake.partition_dir(table, day)
    path = lake.sidecar_path(table, day)
    new = lake.fs.get_file_info([f"{base}/{n}" for n in pending["files"]])
    if all(i.type == pafs.FileType.File for i in new):
        infos = lake.fs.get_file_info([f"{base}/{r['name']}" for r in pending["remove"]])
        same = [
            i.path
            for i, r in zip(infos, pending["remove"], strict=True)
            if i.type == pafs.FileType.File and (i.size, _mtime_ns(i)) == (r["size"], r["mtime_ns"])
        ]
        lake.delete(same)  # a changed one was rewritten meanwhile: it stays, as a live part
        lake.write_json(path, pending["sidecar"], indent=1)
        return dict(pending["sidecar"])
    lake.delete(i.path for i in new if i.type == pafs.FileType.File)
    restored = {k: v for k, v in side.items() if k != "pending"}
    if restored:
        lake.write_json(path, restored, indent=1)
    else:
        lake.delete([path])
    return restored


# -- the night's entry points ---------------------------------------------------------------------


def _unchanged(plan: CompactionPlan) -> TableCompaction:
    n = len(plan.inputs)
    return TableCompaction(plan.table, n, n, plan.input_rows)


def compact_table(
    lake: Lake,
    table: str,
    day: str,
    engine: Compactor,
    *,
    target_bytes: int = TARGET_BYTES,
    manifest_times: Mapping[str, str] | None = None,
) -> TableCompaction:
    """Compact one table partition with `engine` (see the module docstring); a no-op when nothing
    changed since the last compaction."""
    plan = plan_table(lake, table, day, target_bytes=target_bytes, manifest_times=manifest_times)
    return _unchanged(plan) if plan.noop else engine.compact_partition(plan)


def compact_day(
    lake: Lake,
    day: str,
    engine: Compactor,
    *,
    tables: Iterable[str] = COMPACT_TABLES,
    target_bytes: int = TARGET_BYTES,
) -> dict[str, TableCompaction]:
    """Compact the day's entity, figure and article partitions; returns what each table did. The
    day's re-compaction markers seen before the start are removed once every table is done."""
    markers = _markers(lake).get(safe_dt(day), [])
    times = _manifest_times(lake, day)
    out = {t: compact_table(lake, t, day, engine, target_bytes=target_bytes, manifest_times=times) for t in tables}
    lake.delete(markers)
    return out


def absorbed(lake: Lake, day: str, stem: str) -> bool:
    """Did a compaction of `day` fold this upload's rows into compacted files? (small reads only)"""
    return any(stem in _sidecar(lake, t, day).get("stems", {}) for t in COMPACT_TABLES)


def mark_for_recompaction(lake: Lake, day: str, stem: str) -> None:
    """Ask the nightly job to compact `day` again: this upload, absorbed by an earlier compaction,
    was processed again, and its old rows are still in the compacted files."""
    lake.write_json(layout.recompact_marker(lake.root, day, stem), {"dt": day, "stem": stem})


def _markers(lake: Lake) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for path in lake.files(layout.recompact_dir(lake.root)):
        if (day := layout.dt_of(path)) is not None:
            out.setdefault(day, []).append(path)
    return out


def marked_days(lake: Lake) -> list[str]:
    """Days with re-compaction markers (`mark_for_recompaction`), oldest first."""
    return sorted(_markers(lake))
