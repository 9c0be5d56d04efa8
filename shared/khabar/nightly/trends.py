"""The report's trends, computed once, in SQL: the views `entity_mentions_7d` (the 7-day window)
and `entity_new` (first day in the lake), inlined as a WITH clause so the same text runs on Athena
(where the views are not created) and on DuckDB."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyarrow as pa

from khabar import sql

if TYPE_CHECKING:
    from khabar.nightly.job import Engine

__all__ = ["Trend", "read_trends", "statement", "SCHEMA"]

VIEWS = ("entity_mentions_7d", "entity_new")
# One row per entity of the day (entity_mentions_7d has a row for every entity_daily row).
QUERY = """
SELECT
  t.canonical_id,
  t.prev_mentions_7d,
  t.prev_avg_daily_7d,
  n.canonical_id IS NOT NULL AS is_new
FROM entity_mentions_7d t
LEFT JOIN entity_new n ON n.canonical_id = t.canonical_id AND n.dt = t.dt
WHERE t.dt = :dt
ORDER BY t.canonical_id
"""
SCHEMA = pa.schema(
    [
        ("canonical_id", pa.string()),
        ("prev_mentions_7d", pa.int64()),
        ("prev_avg_daily_7d", pa.float64()),
        ("is_new", pa.bool_()),
    ]
)


@dataclass(frozen=True, slots=True)
class Trend:
    prev_mentions_7d: int  # mentions in the 7 days before the day
    prev_avg_daily_7d: float  # their daily average (a 7-day window ending the day before)
    is_new: bool  # mentioned on no earlier day


def statement() -> sql.Statement:
    return sql.with_views("entity_trends", QUERY, VIEWS)


def read_trends(engine: Engine, day: str) -> dict[str, Trend]:
    """The trends of every entity of `day`, by canonical id."""
    rows = engine.query(statement(), day, SCHEMA).to_pylist()
    return {r.pop("canonical_id"): Trend(**r) for r in rows}
