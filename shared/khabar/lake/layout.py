"""Every path rule of the lake, in one place: how files are named and how names are read back.

    <root>/<table>/dt=YYYY-MM-DD/part-<stem>-<nnnnn>.parquet    an upload's rows (stem: hash of bucket+key)
    <root>/<table>/dt=YYYY-MM-DD/part-compacted-<nnnnn>.parquet compaction output
    <root>/<table>/dt=YYYY-MM-DD/part-summary-<nnnnn>.parquet   a summary table's partition
    <root>/<table>/dt=YYYY-MM-DD/_compaction.json               compaction sidecar (which stems it absorbed)
    <root>/<table>/dt=YYYY-MM-DD/_tmp-compacted-<token>-<nnnnn>.parquet  compaction output before its checks
    <path>.tmp-<token>                                          a local file being written (renamed on close)
    <root>/_staging/<table>/dt=YYYY-MM-DD/<run>/                Athena UNLOAD target, swapped in after checks
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
    "SIDECAR",
    "STAGING",
    "SUMMARY_PREFIX",
    "UPLOADS",
    "compacted_name",
    "dt_for",
    "dt_of",
    "is_compacted",
    "is_part",
    "part_name",
    "partition",
    "pointer",
    "safe_dt",
    "sidecar",
    "staging",
    "stem_of",
    "summary_name",
    "table_dir",
    "tmp_compacted",
    "tmp_file",
    "upload_stem",
]

UPLOADS = "_uploads"
STAGING = "_staging"
SIDECAR = "_compaction.json"
COMPACTED_PREFIX = "part-compacted-"
SUMMARY_PREFIX = "part-summary-"
_DT = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DT_IN_PATH = re.compile(r"/dt=(\d{4}-\d{2}-\d{2})/")
_STEM = re.compile(r"^[0-9a-f]{24}$")


def safe_dt(dt: str) -> str:
    """`dt` if it is a YYYY-MM-DD date string; the only date that may reach a path or a query."""
    if not _DT.match(dt):
        raise ValueError(f"partition date must be YYYY-MM-DD, got {dt!r}")
    return dt


def dt_for(at: datetime) -> str:
    """The partition of rows stamped `at`: its UTC date."""
    return at.astimezone(UTC).date().isoformat()


def upload_stem(bucket: str, key: str) -> str:
    """A fixed-length file stem for an upload: no user string ever reaches a path."""
    return hashlib.sha256(f"{bucket}\x00{key}".encode()).hexdigest()[:24]


def table_dir(root: str, table: str) -> str:
    return f"{root}/{table}"


def partition(root: str, table: str, dt: str) -> str:
    return f"{root}/{table}/dt={safe_dt(dt)}"


def part_name(stem: str, n: int) -> str:
    """The n-th part file of one upload in a partition."""
    if not _STEM.match(stem):
        raise ValueError(f"not an upload stem: {stem!r}")
    return f"part-{stem}-{n:05d}.parquet"


def compacted_name(n: int) -> str:
    return f"{COMPACTED_PREFIX}{n:05d}.parquet"


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


def tmp_compacted(root: str, table: str, dt: str, token: str, n: int) -> str:
    """A compaction output file before its checks: hidden (`_`), so no reader takes rows from it."""
    return f"{partition(root, table, dt)}/_tmp-compacted-{token}-{n:05d}.parquet"


def tmp_file(path: str, token: str) -> str:
    """Where a local file is written before its rename: not `*.parquet`, so never read as rows."""
    return f"{path}.tmp-{token}"


def staging(root: str, table: str, dt: str, run: str) -> str:
    """An always-new, always-empty staging folder for one run's output (UNLOAD refuses a non-empty
    target)."""
    if not re.fullmatch(r"[0-9a-f]{8,32}", run):
        raise ValueError(f"bad run id {run!r}")
    return f"{root}/{STAGING}/{table}/dt={safe_dt(dt)}/{run}"


def pointer(root: str, stem: str) -> str:
    """The small JSON object that records where an upload's rows were last written."""
    if not _STEM.match(stem):
        raise ValueError(f"not an upload stem: {stem!r}")
    return f"{root}/{UPLOADS}/{stem}.json"
