"""Regenerate the generated sections of template.yaml from the code that owns them.

    .venv/bin/python infra/gen_template.py          # rewrite template.yaml in place
    .venv/bin/python infra/gen_template.py --check  # exit 1 if template.yaml is out of date

Sections of the hand-written SAM template are generated, between marker comments:
- `glue-tables`: one AWS::Glue::Table per lake and summary table of `khabar.lake.schema`, columns from
  `schema.glue_columns(table)`, Parquet SerDe, partition projection on `dt`; and the nightly
  compaction's control table (`khabar.lake.compaction.CONTROL_TABLE`, under `_control/`), projected
  on `dt` too;
- `named-queries`: one AWS::Athena::NamedQuery per `infra/athena/queries/*.sql` (the analysts'
  starter queries, which `khabar query` runs locally), with the `:name` parameters turned into
  Athena's positional `?` by the same `khabar.sql.parse_named` the aggregate function uses;
- the IAM resource lists that follow the tables: the extract role's lake prefixes (with the
  re-compaction markers it leaves), the aggregate role's summary prefixes and its exact Glue table
  ARNs.

tests/test_template.py runs `--check`, so a schema or query change without regenerating fails.
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "template.yaml"
QUERIES = ROOT / "infra" / "athena" / "queries"

sys.path.insert(0, str(ROOT / "shared"))

from khabar.lake import compaction, layout, schema  # noqa: E402
from khabar.sql import parse_named  # noqa: E402

PROJECTION_START = "2020-01-01"
SERDE = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
INPUT_FORMAT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
OUTPUT_FORMAT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"
INDENT = "  "


def camel(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", name) if part)


def tables() -> list[tuple[str, str]]:
    """(table, kind) for every table the lake holds, lake tables first, in schema order."""
    return [(t, "lake") for t in schema.LAKE_TABLES] + [(t, "summary") for t in schema.SUMMARY_TABLES]


def control_tables() -> list[str]:
    """Tables of the nightly job's own inputs (not data): read by its SQL, outside the data prefixes."""
    return [compaction.CONTROL_TABLE]


def control_prefix(table: str) -> str:
    """The control table's location as a key prefix of the lake bucket (`_control/<table>`)."""
    return layout.control_dir("", table).lstrip("/")


def control_columns(table: str) -> list[tuple[str, str]]:
    sch = {compaction.CONTROL_TABLE: compaction.CONTROL_SCHEMA}[table]
    if any(f.type != "string" for f in sch):  # only what the control rows need
        raise TypeError(f"{table}: control columns must be strings")
    return [(f.name, "string") for f in sch]


def table_logical_id(table: str) -> str:
    return f"GlueTable{camel(table)}"


def query_files() -> list[Path]:
    return sorted(QUERIES.glob("*.sql")) if QUERIES.is_dir() else []


def query_logical_id(path: Path) -> str:
    return f"NamedQuery{camel(path.stem)}"


def named_query_sql(path: Path) -> tuple[str, str, tuple[str, ...]]:
    """(description, Athena SQL with `?` placeholders, parameter names) of one query file."""
    text = path.read_text(encoding="utf-8")
    sql, params = parse_named(text)
    description = ""
    for line in text.splitlines():
        line = line.strip()
        if not line.startswith("--"):
            break
        description = (description + " " + line.lstrip("-").strip()).strip()
    if params:
        sql = f"-- Parameters, in order: {', '.join(params)} (Athena asks for each '?')\n{sql}"
    return description or path.stem.replace("_", " "), sql, params


def _quote(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _glue_table(table: str, description: str, prefix: str, keys: list[str], projection: list[str]) -> list[str]:
    template = "".join(f"/{k}=${{!{k}}}" for k in keys)
    out = [
        f"{table_logical_id(table)}:",
        "  Type: AWS::Glue::Table",
        "  Properties:",
        "    CatalogId: !Ref AWS::AccountId",
        "    DatabaseName: !Ref GlueDatabase",
        "    TableInput:",
        f"      Name: {table}",
        f"      Description: {_quote(description)}",
        "      TableType: EXTERNAL_TABLE",
        "      Parameters:",
        "        classification: parquet",
        "        EXTERNAL: 'TRUE'",
        "        parquet.compression: ZSTD",
        "        projection.enabled: 'true'",
        *(f"        {line}" for line in projection),
        f"        storage.location.template: !Sub 's3://${{LakeBucket}}/{prefix}{template}/'",
        "      PartitionKeys:",
    ]
    for k in keys:
        out += [f"        - Name: {k}", "          Type: string"]
    return [
        *out,
        "      StorageDescriptor:",
        f"        Location: !Sub 's3://${{LakeBucket}}/{prefix}/'",
        f"        InputFormat: {INPUT_FORMAT}",
        f"        OutputFormat: {OUTPUT_FORMAT}",
        "        Compressed: true",
        "        SerdeInfo:",
        f"          SerializationLibrary: {SERDE}",
        "          Parameters:",
        "            serialization.format: '1'",
        "        Columns:",
    ]


DT_PROJECTION = [
    "projection.dt.type: date",
    f"projection.dt.range: '{PROJECTION_START},NOW'",
    "projection.dt.format: yyyy-MM-dd",
    "projection.dt.interval: '1'",
    "projection.dt.interval.unit: DAYS",
]


def render_glue_tables() -> list[str]:
    out: list[str] = []
    for table, kind in tables():
        description = f"khabar {kind} table {table} (generated from khabar.lake.schema)"
        out += _glue_table(table, description, table, ["dt"], DT_PROJECTION)
        for name, gtype in schema.glue_columns(table):
            out += [f"          - Name: {name}", f"            Type: {_quote(gtype)}"]
    for table in control_tables():
        description = f"khabar control rows {table}: the nightly job's input to its SQL (khabar.lake.compaction)"
        out += _glue_table(table, description, control_prefix(table), ["dt"], DT_PROJECTION)
        for name, gtype in control_columns(table):
            out += [f"          - Name: {name}", f"            Type: {_quote(gtype)}"]
    return out


def render_named_queries() -> list[str]:
    out: list[str] = []
    for path in query_files():
        description, sql, _ = named_query_sql(path)
        out += [
            f"{query_logical_id(path)}:",
            "  Type: AWS::Athena::NamedQuery",
            "  Properties:",
            f"    Name: !Sub '${{NamePrefix}}-${{Stage}}-{path.stem}'",
            f"    Description: {_quote(description[:1024])}",
            "    Database: !Ref GlueDatabase",
            "    WorkGroup: !Ref AthenaWorkGroup",
            "    QueryString: |-",
        ]
        out += [("      " + line).rstrip() for line in sql.splitlines()]
    return out


def render_extract_lake_prefixes() -> list[str]:
    """The extract role writes the extract tables only (khabar.lake.schema.LAKE_TABLES), the
    per-upload pointers (khabar.lake.store.UPLOADS_PREFIX) and the markers that ask the nightly job
    to compact a day again (khabar.lake.layout.recompact_dir)."""
    from khabar.lake.store import UPLOADS_PREFIX

    prefixes = [*schema.LAKE_TABLES, UPLOADS_PREFIX, layout.recompact_dir("").lstrip("/")]
    return [f"- !Sub '${{LakeBucket.Arn}}/{t}/*'" for t in prefixes]


def render_summary_prefixes() -> list[str]:
    """The aggregate role writes the summary tables (khabar.lake.schema.SUMMARY_TABLES)."""
    return [f"- !Sub '${{LakeBucket.Arn}}/{t}/*'" for t in schema.SUMMARY_TABLES]


def render_glue_table_arns() -> list[str]:
    """Exact Glue table ARNs: Athena reads table definitions with the caller's permissions."""
    return [
        f"- !Sub 'arn:${{AWS::Partition}}:glue:${{AWS::Region}}:${{AWS::AccountId}}:table/${{GlueDatabase}}/{t}'"
        for t in [*(t for t, _ in tables()), *control_tables()]
    ]


SECTIONS = {
    "glue-tables": render_glue_tables,
    "named-queries": render_named_queries,
    "extract-lake-prefixes": render_extract_lake_prefixes,
    "summary-prefixes": render_summary_prefixes,
    "glue-table-arns": render_glue_table_arns,
}


def render(text: str) -> str:
    for name, fn in SECTIONS.items():
        begin = re.compile(rf"^(?P<indent> *)# >>> generated: {name} .*$", re.M)
        m = begin.search(text)
        if not m:
            raise SystemExit(f"template.yaml has no '# >>> generated: {name}' marker")
        end = re.compile(rf"^ *# <<< generated: {name}\s*$", re.M).search(text, m.end())
        if not end:
            raise SystemExit(f"template.yaml has no '# <<< generated: {name}' marker")
        indent = m.group("indent")
        body = "".join(f"{indent}{line}\n" if line else "\n" for line in fn())
        text = text[: m.end() + 1] + body + text[end.start() :]
    return text


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="exit 1 if template.yaml is out of date")
    ap.add_argument("--template", type=Path, default=TEMPLATE)
    args = ap.parse_args(argv)
    current = args.template.read_text(encoding="utf-8")
    new = render(current)
    if args.check:
        if new != current:
            diff = difflib.unified_diff(
                current.splitlines(), new.splitlines(), "template.yaml", "generated", lineterm="", n=1
            )
            print("\n".join(list(diff)[:60]), file=sys.stderr)
            print("template.yaml is out of date: run .venv/bin/python infra/gen_template.py", file=sys.stderr)
            return 1
        return 0
    if new != current:
        args.template.write_text(new, encoding="utf-8")
        print(f"updated {args.template}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
