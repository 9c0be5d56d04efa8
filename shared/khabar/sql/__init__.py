"""The project's Athena SQL files and their loader.

The `.sql` files in this package (`summaries/`, `views/`, `queries/`) are the single source of
truth; `infra/athena/{summaries,views,queries}` are symlinks to these folders, and the files ship
in the Lambda layer as package data. `compaction/` holds the nightly job's own statements (one per
compacted table, see `khabar.lake.compaction`) and `report/` the nightly report's (the rows the
report shows, see `khabar.nightly.report`); analysts never run them, so infra/athena has no link.
All are Athena (Trino) SQL with named parameters (`:dt`); `load()` turns them into positional
`?` placeholders plus the ordered parameter names, so the same file runs on Athena
(`ExecutionParameters`) and locally on DuckDB (`?` params). Values are never formatted into SQL
text.

A view's query can also run where the view was never created: `with_views` puts the views' own
queries in front of a query as a WITH clause (the nightly job's Athena database holds only the
tables), so each view file stays the one definition of what it computes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = [
    "Statement",
    "load",
    "names",
    "parse_named",
    "athena_literal",
    "view_query",
    "with_views",
    "SQL_DIR",
    "KINDS",
    "JOB_KINDS",
]

SQL_DIR = Path(__file__).resolve().parent
KINDS = ("summaries", "views", "queries")
JOB_KINDS = ("compaction", "report")  # loaded by the nightly job only; not linked from infra/athena

# One alternation scanned left to right: quoted strings, quoted identifiers and comments are
# skipped whole, so a ':x' inside them is never taken for a parameter; '::' is not a parameter.
_TOKENS = re.compile(
    r"""(?P<skip>'(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*|/\*.*?\*/|::)"""
    r"""|:(?P<name>[A-Za-z_][A-Za-z0-9_]*)""",
    re.S,
)
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_CREATE_VIEW = re.compile(r"\bCREATE\s+OR\s+REPLACE\s+VIEW\s+([a-z][a-z0-9_]*)\s+AS\s+", re.I)


@dataclass(frozen=True, slots=True)
class Statement:
    """One SQL file: `sql` has `?` placeholders, `params` their names in order (repeats kept)."""

    kind: str
    name: str
    text: str
    sql: str
    params: tuple[str, ...]

    def bind(self, values: Mapping[str, Any]) -> list[Any]:
        """Positional values for the placeholders; every named parameter must be given."""
        missing = sorted(set(self.params) - set(values))
        if missing:
            raise KeyError(f"{self.kind}/{self.name}.sql needs parameter(s) {', '.join(missing)}")
        return [values[p] for p in self.params]

    def athena_parameters(self, values: Mapping[str, Any]) -> list[str]:
        """Athena's ExecutionParameters: each value as the SQL literal Athena substitutes."""
        return [athena_literal(v) for v in self.bind(values)]


def parse_named(text: str) -> tuple[str, tuple[str, ...]]:
    """Replace `:name` placeholders by `?`; returns (sql, ordered names)."""
    names_: list[str] = []

    def repl(m: re.Match[str]) -> str:
        if m.group("skip") is not None:
            return m.group("skip")
        names_.append(m.group("name"))
        return "?"

    sql = _TOKENS.sub(repl, text).strip().rstrip(";").rstrip()
    return sql, tuple(names_)


def athena_literal(value: Any) -> str:
    """Athena substitutes ExecutionParameters as literals: strings must be quoted (quotes doubled)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, date):
        value = value.isoformat()
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    raise TypeError(f"unsupported Athena parameter type {type(value).__name__}")


def names(kind: str) -> list[str]:
    """Names (without .sql) of the files of one kind, sorted."""
    if kind not in (*KINDS, *JOB_KINDS):
        raise ValueError(f"kind must be one of {(*KINDS, *JOB_KINDS)}, got {kind!r}")
    return sorted(p.stem for p in (SQL_DIR / kind).glob("*.sql"))


@lru_cache(maxsize=64)
def load(kind: str, name: str) -> Statement:
    if kind not in (*KINDS, *JOB_KINDS) or not _NAME.match(name):
        raise ValueError(f"no SQL file {kind}/{name}")
    path = SQL_DIR / kind / f"{name}.sql"
    text = path.read_text(encoding="utf-8")
    sql, params = parse_named(text)
    return Statement(kind, name, text, sql, params)


def view_query(name: str) -> str:
    """The query of `views/<name>.sql`, without its `CREATE OR REPLACE VIEW <name> AS`."""
    stmt = load("views", name)
    m = _CREATE_VIEW.search(stmt.sql)
    if not m or m.group(1) != name or stmt.params:
        raise ValueError(f"views/{name}.sql must be CREATE OR REPLACE VIEW {name} AS <query>, without parameters")
    return stmt.sql[m.end() :]


def with_views(name: str, text: str, views: Sequence[str]) -> Statement:
    """`text`, a query over `views` with `:named` parameters, behind a WITH clause that defines
    each view by its own file's query."""
    ctes = ",\n".join(f"{v} AS (\n{view_query(v)}\n)" for v in views)
    full = f"WITH {ctes}\n{text.strip()}"
    sql, params = parse_named(full)
    return Statement("views", name, full, sql, params)
