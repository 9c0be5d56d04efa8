"""Every path rule of the lake, in one place: how files are named and how names are read back.

    <root>/<table>/dt=YYYY-MM-DD/part-<stem>-<nnnnn>.parquet    an upload's rows (stem: hash of bucket+key)
    <root>/<table>/dt=YYYY-MM-DD/part-compacted-<run>-<nnnnn>.parquet  compaction output
    <root>/<table>/dt=YYYY-MM-DD/part-summary-<nnnnn>.parquet   a summary table's partition
    <root>/<table>/dt=YYYY-MM-DD/_compaction.json               compaction sidecar (which stems it absorbed)
    <path>.tmp-<token>                                          a local file being written (renamed on close)
    <root>/_staging/<table>/dt=YYYY-MM-DD/<run>/                UNLOAD target (summaries, compaction), swapped in
                                                                after checks
    <root>/_control/<name>/dt=YYYY-MM-DD/part-<run>.parquet     a job's input for its SQL (compaction_control:
                                                                the files and stale uploads of one compaction run)
    <root>/_control/recompact/dt=YYYY-MM-DD/<stem|run>.json     the day must be compacted again (an upload
                                                                re-processed after it, or a swap under way)
    <root>/_uploads/<stem>.json                                 which dt an upload was last written to

Names that start with `_` sit outside every table's prefix (or are not `part-*.parquet`), so
Athena, DuckDB and pyarrow never read them as rows. Nothing outside `khabar.lake` builds or parses
these strings.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime

__all__ = [
    "COMPACTED_PREFIX",
    "CONTROL",
    "SIDECAR",
    "STAGING",
    "SUMMARY_PREFIX",
    "UPLOADS",
    "compacted_name",
    "control_dir",
    "control_file",
    "dt_for",
    "dt_of",
    "is_compacted",
    "is_part",
    "part_name",
    "partition",
    "pointer",
    "recompact_dir",
    "recompact_marker",
    "safe_dt",
    "sidecar",
    "staging",
    "stem_of",
    "summary_name",
    "table_dir",
    "tmp_file",
    "upload_stem",
]

UPLOADS = "_uploads"
STAGING = "_staging"
CONTROL = "_control"
SIDECAR = "_compaction.json"
COMPACTED_PREFIX = "part-compacted-"
SUMMARY_PREFIX = "part-summary-"
_DT = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DT_IN_PATH = re.compile(r"/dt=(\d{4}-\d{2}-\d{2})/")
_STEM = re.compile(r"^[0-9a-f]{24}$")
_RUN = re.compile(r"^[0-9a-f]{8,32}$")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def safe_dt(dt: str) -> str:
    """`dt` if it is a YYYY-MM-DD date string; the only date that may reach a path or a query."""
    if not _DT.match(dt):
        raise ValueError(f"partition date must be YYYY-MM-DD, got {dt!r}")
    return dt


def dt_for(at: datetime) -> str:
    """The partition of rows stamped `at`: its UTC date."""
    return at.astimezone(UTC).date().isoformat()


def upload_stem(bucket: str, key: str) -> str:
    """A fixed-length file stem for an upload: no user string ever reaches a path. The compaction SQL
    (`khabar/sql/compaction/`) computes the same from a row's bucket and key; a test keeps them equal."""
    return hashlib.sha256(f"{bucket}\x00{key}".encode()).hexdigest()[:24]


def table_dir(root: str, table: str) -> str:
    return f"{root}/{table}"


def partition(root: str, table: str, dt: str) -> str:
    return f"{root}/{table}/dt={safe_dt(dt)}"


def part_name(stem: str, n: int) -> str:
    """The n-th part file of one upload in a partition."""
    return f"part-{_stem(stem)}-{n:05d}.parquet"


def compacted_name(n: int, run: str | None = None) -> str:
    """The n-th output file of a compaction run (names of their own per run: a swap never rewrites a
    file a reader may be opening); without a run, the name earlier versions wrote."""
    return f"{COMPACTED_PREFIX}{_run(run) + '-' if run else ''}{n:05d}.parquet"


def summary_name(n: int) -> str:
    return f"{SUMMARY_PREFIX}{n:05d}.parquet"


def is_compacted(path: str) -> bool:
    return path.rsplit("/", 1)[-1].startswith(COMPACTED_PREFIX)


def is_part(name: str) -> bool:
    """A file readers take rows from: `part-*.parquet` (upload, compacted or summary)."""
    return name.startswith("part-") and name.endswith(".parquet")


def stem_of(path: str) -> str | None:
    """The upload stem of an upload part (`part-<stem>-<n>.parquet`); None for compacted, summary
    and other files."""
    name = path.rsplit("/", 1)[-1]
    if not is_part(name):
        return None
    stem = name[len("part-") :].rsplit("-", 1)[0]
    return stem if _STEM.match(stem) else None


def dt_of(path: str) -> str | None:
    """The partition date of a path (`.../dt=YYYY-MM-DD/...`), None outside partitions."""
    m = _DT_IN_PATH.search(path)
    return m.group(1) if m else None


def sidecar(root: str, table: str, dt: str) -> str:
    return f"{partition(root, table, dt)}/{SIDECAR}"


def tmp_file(path: str, token: str) -> str:
    """Where a local file is written before its rename: not `*.parquet`, so never read as rows."""
    return f"{path}.tmp-{token}"


def staging(root: str, table: str, dt: str, run: str) -> str:
    """An always-new, always-empty staging folder for one run's output (UNLOAD refuses a non-empty
    target)."""
    return f"{root}/{STAGING}/{table}/dt={safe_dt(dt)}/{_run(run)}"


def _run(run: str) -> str:
    if not _RUN.match(run):
        raise ValueError(f"bad run id {run!r}")
    return run


def _stem(stem: str) -> str:
    if not _STEM.match(stem):
        raise ValueError(f"not an upload stem: {stem!r}")
    return stem


def control_dir(root: str, name: str) -> str:
    """The location of a control table (a Glue table outside every data table's prefix)."""
    if not _NAME.match(name):
        raise ValueError(f"bad control table name {name!r}")
    return f"{root}/{CONTROL}/{name}"


def control_file(root: str, name: str, dt: str, run: str) -> str:
    """One run's control rows, in the Hive layout of the control table (partition dt; the rows carry
    their run, so no partition needs projecting beyond the date)."""
    return f"{control_dir(root, name)}/dt={safe_dt(dt)}/part-{_run(run)}.parquet"


def recompact_dir(root: str) -> str:
    return f"{root}/{CONTROL}/recompact"


def recompact_marker(root: str, dt: str, key: str) -> str:
    """Asks the nightly job to compact `dt` again (it removes the marker then). `key` is the upload
    stem the extract path re-processed after a compaction absorbed it, or the run of a compaction
    swap under way (removed when the swap completes, so an interrupted one is finished next night)."""
    return f"{recompact_dir(root)}/dt={safe_dt(dt)}/{_run(key)}.json"


def pointer(root: str, stem: str) -> str:
    """The small JSON object that records where an upload's rows were last written."""
    return f"{root}/{UPLOADS}/{_stem(stem)}.json"
