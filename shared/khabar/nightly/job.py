"""The nightly job, one for every caller: the aggregate Lambda (Athena, S3 + SNS), `khabar aggregate`
and `khabar report` (DuckDB, a folder) and the demo.

    run_nightly(lake, day, engine, publisher)
      1. each summary table's partition for the day from `sql/summaries/<table>.sql` (the engine);
      2. optionally, compaction of the day's extract tables by `sql/compaction/<table>.sql` (planned
         by `khabar.lake.compaction`, run by the engine), then of every earlier day the extract path
         marked because it re-processed an upload that a compaction had absorbed;
      3. the report (`khabar.nightly.report`, trends from the SQL views, run by the engine), handed
         to the publisher.

Where the SQL runs is an `Engine` (Athena: UNLOAD + verified swap, `khabar.nightly.athena`; DuckDB:
replace the partition, `khabar.nightly.local`); where the report goes is a `Publisher`
(`khabar.nightly.publish`). Neither engine holds a partition's rows in the job's memory to compact
it: the SQL does the work, the job reads listings and Parquet footers. During a compaction's swap a
reader may see the absorbed rows twice for a few seconds, never fewer (`khabar.lake.compaction`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import pyarrow as pa

from khabar import sql
from khabar.lake.compaction import CompactionPlan, TableCompaction, compact_day, marked_days
from khabar.lake.layout import safe_dt
from khabar.lake.schema import SUMMARY_TABLES
from khabar.lake.store import Lake
from khabar.nightly.report import ReportFile, render_report

__all__ = [
    "Engine",
    "Publisher",
    "Written",
    "Published",
    "NightlyResult",
    "conform",
    "day_before",
    "target_day",
    "run_nightly",
    "report_day",
]


@dataclass(frozen=True, slots=True)
class Written:
    """One summary partition written by an engine."""

    table: str
    rows: int
    files: int
    query_id: str | None = None  # Athena's, for the logs and the Lambda's answer


@dataclass(frozen=True, slots=True)
class Published:
    """Where a report went: its files by kind (html/json/csv) as paths or s3:// URIs."""

    files: dict[str, str]
    link: str | None = None  # a link to index.html that works in a browser (S3: presigned)
    message_id: str | None = None  # the SNS notice

    @property
    def location(self) -> str:
        return self.files["html"]


class Engine(Protocol):
    """Runs the project's Athena SQL for one day."""

    def write_partition(self, table: str, day: str, stmt: sql.Statement) -> Written:
        """Make the rows of `stmt` (bound with dt=day) the whole of `<table>/dt=<day>/`; the old
        partition stays intact if the query fails."""
        ...

    def query(self, stmt: sql.Statement, day: str, schema: pa.Schema) -> pa.Table:
        """The rows of `stmt` (bound with dt=day), checked and cast by `conform`."""
        ...

    def compact_partition(self, plan: CompactionPlan) -> TableCompaction:
        """Run the plan's compaction SQL into staging and swap the checked output in
        (`khabar.lake.compaction.swap`); the partition stays as it was if anything fails."""
        ...


class Publisher(Protocol):
    def publish(self, day: str, files: Mapping[str, ReportFile]) -> Published:
        """Deliver the rendered report files of `day` (keyed by kind: html, json, csv)."""
        ...


@dataclass(frozen=True, slots=True)
class NightlyResult:
    dt: str
    written: list[Written]
    compaction: dict[str, TableCompaction] | None = None
    published: Published | None = None
    # Earlier days compacted again because the extract path marked them (dt → table → result).
    recompacted: dict[str, dict[str, TableCompaction]] = field(default_factory=dict)

    @property
    def rows(self) -> dict[str, int]:
        return {w.table: w.rows for w in self.written}

    def as_dict(self) -> dict[str, object]:
        """`khabar aggregate`'s answer: rows per summary table and, when compacted, files per table."""
        out: dict[str, object] = {"dt": self.dt, "rows": self.rows}
        if self.compaction is not None:
            out["compaction"] = _files(self.compaction)
        if self.recompacted:
            out["recompacted"] = {d: _files(c) for d, c in self.recompacted.items()}
        return out


def _files(compaction: Mapping[str, TableCompaction]) -> dict[str, dict[str, int]]:
    return {
        t: {"files_before": r.files_before, "files_after": r.files_after, "rows": r.rows} for t, r in compaction.items()
    }


def conform(stmt: sql.Statement, data: pa.Table, schema: pa.Schema) -> pa.Table:
    """`data` cast to `schema`, if the query returned exactly the schema's columns in its order."""
    if data.column_names != schema.names:
        raise ValueError(f"{stmt.kind}/{stmt.name}.sql returns {data.column_names}, schema says {schema.names}")
    return data.cast(schema)


def day_before(now: datetime | None = None) -> str:
    """The night's day: the UTC date before `now` (default: the current time)."""
    return ((now or datetime.now(UTC)).astimezone(UTC).date() - timedelta(days=1)).isoformat()


def target_day(event: Mapping[str, Any] | None = None, now: datetime | None = None) -> str:
    """The day to aggregate: the event's "date" (a manual run, `--date`), else the day before the
    schedule's time (EventBridge Scheduler's `scheduled_time` input or a scheduled event's `time`, so
    a retry later still summarises the same night), else the day before now."""
    event = event or {}
    day = event.get("date")
    if day:
        return safe_dt(str(day))
    stamp = event.get("scheduled_time") or event.get("time")
    if stamp:
        now = datetime.fromisoformat(str(stamp).replace("Z", "+00:00"))
    return day_before(now)


def run_nightly(
    lake: Lake, day: str, engine: Engine, publisher: Publisher | None = None, *, compact: bool = False
) -> NightlyResult:
    """The night of `day`: summaries, compaction when asked, and the report when there is a publisher."""
    safe_dt(day)
    written = [engine.write_partition(t, day, sql.load("summaries", t)) for t in SUMMARY_TABLES]
    # After the summaries: they read the parts that compaction replaces.
    compaction = compact_day(lake, day, engine) if compact else None
    recompacted = {d: compact_day(lake, d, engine) for d in marked_days(lake) if d != day} if compact else {}
    published = report_day(lake, day, engine, publisher) if publisher is not None else None
    return NightlyResult(day, written, compaction, published, recompacted)


def report_day(lake: Lake, day: str, engine: Engine, publisher: Publisher) -> Published:
    """The report step alone (`khabar report`): render the day's report and publish it."""
    return publisher.publish(safe_dt(day), render_report(lake, day, engine))
