"""Nightly aggregation and compaction over a generated several-day lake."""

from __future__ import annotations

import json
import os
import statistics
from collections import Counter, defaultdict
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import aggregate_lake as gen
from khabar import sql
from khabar.cli import main as cli_main
from khabar.lake import compaction
from khabar.lake.layout import summary_name
from khabar.lake.query import LocalAthena, QueryError
from khabar.lake.schema import SUMMARY_TABLES, schema
from khabar.lake.store import Lake, upload_stem
from khabar.lake.uploads import _evict_if_compacted
from khabar.nightly.job import run_nightly
from khabar.nightly.local import LocalEngine

SUMMARY_FILE = summary_name(0)


def run_aggregation(lake: Lake, day: str, *, compact: bool = False) -> dict[str, object]:
    """What `khabar aggregate` runs and prints."""
    return run_nightly(lake, day, LocalEngine(lake), compact=compact).as_dict()


@pytest.fixture(scope="module")
def aggregated(tmp_path_factory: pytest.TempPathFactory) -> gen.GenLake:
    g = gen.build(str(tmp_path_factory.mktemp("lake")))
    for dt in gen.DAYS:
        run_aggregation(g.lake, dt)
    return g


def _rows(lake: Lake, table: str, dt: str) -> list[dict[str, Any]]:
    return lake.read(table, dt).to_pylist()


def _mode(values: list[str]) -> str:
    counts = Counter(values)
    return min(counts, key=lambda v: (-counts[v], v))


# ---- summaries equal counts computed independently in Python ------------------------------------


@pytest.mark.parametrize("dt", [gen.DAYS[0], gen.DAYS[4], gen.LAST])
def test_entity_daily_matches_python(aggregated: gen.GenLake, dt: str) -> None:
    source_of = {a["article_id"]: a["source"] for a in aggregated.day(dt, "articles")}
    by_id: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for e in aggregated.day(dt, "entities"):
        by_id[e["canonical_id"]].append(e)
    expected = sorted(
        (
            {
                "canonical_id": cid,
                "entity_type": _mode([m["entity_type"] for m in ms]),
                "display_name": _mode([m["entity_text"] for m in ms]),
                "country_code": ms[0]["country_code"],
                "mentions": len(ms),
                "articles": len({m["article_id"] for m in ms}),
                "sources": len({source_of[m["article_id"]] for m in ms} - {None}),
            }
            for cid, ms in by_id.items()
        ),
        key=lambda r: (-r["mentions"], r["canonical_id"]),
    )
    assert _rows(aggregated.lake, "entity_daily", dt) == expected


@pytest.mark.parametrize("dt", [gen.DAYS[1], gen.LAST])
def test_figure_daily_matches_python(aggregated: gen.GenLake, dt: str) -> None:
    groups: dict[tuple, list[dict[str, Any]]] = defaultdict(list)
    for f in aggregated.day(dt, "figures"):
        groups[(f["metric"], f["kind"], f["unit"])].append(f)
    got = {(r["metric"], r["kind"], r["unit"]): r for r in _rows(aggregated.lake, "figure_daily", dt)}
    assert set(got) == set(groups)
    for key, fs in groups.items():
        values = [f["value"] for f in fs]
        related = Counter(c for f in fs for c in f["related_ids"])
        top = sorted(related, key=lambda c: (-related[c], c))[:5]
        r = got[key]
        assert (r["figures"], r["articles"]) == (len(fs), len({f["article_id"] for f in fs}))
        assert r["value_sum"] == pytest.approx(sum(values))
        assert (r["value_min"], r["value_max"]) == (min(values), max(values))
        assert r["value_median"] == pytest.approx(statistics.median(values))
        assert r["top_entities"] == top


@pytest.mark.parametrize("dt", [gen.DAYS[2], gen.LAST])
def test_cooccurrence_daily_matches_python(aggregated: gen.GenLake, dt: str) -> None:
    per_article: dict[str, set[str]] = defaultdict(set)
    for e in aggregated.day(dt, "entities"):
        per_article[e["article_id"]].add(e["canonical_id"])
    pairs = Counter((a, b) for ids in per_article.values() for a in ids for b in ids if a < b)
    got = {
        (r["canonical_id_a"], r["canonical_id_b"]): r["articles"]
        for r in _rows(aggregated.lake, "cooccurrence_daily", dt)
    }
    assert got == dict(pairs)


@pytest.mark.parametrize("dt", gen.DAYS)
def test_source_daily_matches_python(aggregated: gen.GenLake, dt: str) -> None:
    unknown = "(unknown)"
    arts = aggregated.day(dt, "articles")
    src = {a["article_id"]: a["source"] or unknown for a in arts}
    upload_sources: dict[tuple, set[str]] = defaultdict(set)
    for a in arts:
        upload_sources[(a["source_bucket"], a["source_key"])].add(a["source"] or unknown)
    exp: dict[str, Counter] = defaultdict(Counter)
    for a in arts:
        exp[src[a["article_id"]]]["articles"] += 1
    for t in ("entities", "figures"):
        for r in aggregated.day(dt, t):
            exp[src[r["article_id"]]][t] += 1
    for r in aggregated.day(dt, "rejects"):
        s = upload_sources.get((r["source_bucket"], r["source_key"]), set())
        exp[next(iter(s)) if len(s) == 1 else unknown]["rejects"] += 1
    got = {
        r["source"]: {k: r[k] for k in ("articles", "rejects", "entities", "figures")}
        for r in _rows(aggregated.lake, "source_daily", dt)
    }
    assert got == {s: {k: c[k] for k in ("articles", "rejects", "entities", "figures")} for s, c in exp.items()}
    assert sum(r["rejects"] for r in got.values()) == len(aggregated.day(dt, "rejects"))


# ---- idempotency --------------------------------------------------------------------------------


def _snapshot(lake: Lake) -> dict[str, tuple[int, bytes]]:
    out = {}
    for table in SUMMARY_TABLES:
        for p in lake.parts(table):
            out[p] = (os.stat(p).st_mtime_ns, Path(p).read_bytes())
    return out


def test_rerun_is_identical_and_leaves_other_days_alone(aggregated: gen.GenLake) -> None:
    lake, day = aggregated.lake, gen.DAYS[4]
    before = _snapshot(lake)
    rows_before = {t: _rows(lake, t, day) for t in SUMMARY_TABLES}
    summary = run_aggregation(lake, day)
    after = _snapshot(lake)
    assert set(after) == set(before)
    assert {t: _rows(lake, t, day) for t in SUMMARY_TABLES} == rows_before  # row for row, in order
    assert summary["rows"] == {t: len(r) for t, r in rows_before.items()}
    for path, (mtime, content) in after.items():
        if f"/dt={day}/" in path:
            assert content == before[path][1]
        else:
            assert (mtime, content) == before[path], f"{path} of another day was touched"


def test_one_summary_file_per_partition(aggregated: gen.GenLake) -> None:
    for table in SUMMARY_TABLES:
        for dt in gen.DAYS:
            assert [p.rsplit("/", 1)[-1] for p in aggregated.lake.parts(table, dt)] == [SUMMARY_FILE]


def test_replace_partition_removes_other_files_and_empty_result(tmp_path: Path) -> None:
    lake = Lake.open(str(tmp_path))
    stray = f"{lake.partition_dir('source_daily', '2026-01-01')}/part-old-00000.parquet"
    row = {"source": "x", "articles": 1, "rejects": 0, "entities": 0, "figures": 0}
    lake.write_table("source_daily", stray, pa.Table.from_pylist([row], schema=schema("source_daily")))
    lake.replace_partition(
        "source_daily",
        "2026-01-01",
        pa.Table.from_pylist([{**row, "articles": 2}], schema=schema("source_daily")),
    )
    assert [r["articles"] for r in lake.read("source_daily", "2026-01-01").to_pylist()] == [2]
    lake.replace_partition("source_daily", "2026-01-01", schema("source_daily").empty_table())
    assert lake.parts("source_daily", "2026-01-01") == []


def test_cli_aggregate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    g = gen.build(str(tmp_path / "lake"), days=gen.DAYS[:2])
    assert cli_main(["aggregate", "--lake", str(tmp_path / "lake"), "--date", gen.DAYS[1]]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["dt"] == gen.DAYS[1] and out["rows"]["entity_daily"] > 0
    assert len(g.lake.read("entity_daily", gen.DAYS[1])) == out["rows"]["entity_daily"]
    assert cli_main(["aggregate", "--lake", str(tmp_path / "lake"), "--date", "28-11-2026"]) == 1


# ---- compaction (sql/compaction/*.sql on DuckDB, the same SQL Athena runs) ----------------------


def _multiset(lake: Lake, table: str, dt: str) -> Counter:
    def freeze(v: Any) -> Any:
        return tuple(v) if isinstance(v, list) else v

    return Counter(tuple(freeze(v) for v in r.values()) for r in lake.read(table, dt).to_pylist())


def _names(lake: Lake, table: str, dt: str) -> list[str]:
    return [p.rsplit("/", 1)[-1] for p in lake.parts(table, dt)]


def _compact(lake: Lake, day: str) -> dict[str, compaction.TableCompaction]:
    return compaction.compact_day(lake, day, LocalEngine(lake))


def _sort_key(table: str, row: dict[str, Any]) -> tuple:
    return tuple((row[k] is None, row[k] or 0 if k == "start" else row[k] or "") for k in compaction.SORT_KEYS[table])


def test_compaction_keeps_rows_and_reduces_files(tmp_path: Path) -> None:
    g = gen.build(str(tmp_path), days=gen.DAYS[:2])
    lake, day = g.lake, gen.DAYS[1]
    tables = compaction.COMPACT_TABLES
    before = {t: _multiset(lake, t, day) for t in tables}
    files_before = {t: len(lake.parts(t, day)) for t in tables}
    run_aggregation(lake, day)
    summaries = {t: _rows(lake, t, day) for t in SUMMARY_TABLES}

    result = run_aggregation(lake, day, compact=True)

    for t in tables:
        assert _multiset(lake, t, day) == before[t]
        (name,) = _names(lake, t, day)
        assert name.startswith("part-compacted-") and name.endswith("-00000.parquet")
        assert files_before[t] > 1 and result["compaction"][t] == {  # type: ignore[index]
            "files_before": files_before[t],
            "files_after": 1,
            "rows": sum(before[t].values()),
        }
        rows = lake.read(t, day).to_pylist()
        assert rows == sorted(rows, key=partial(_sort_key, t))  # sorted for row-group pruning
    assert {t: _rows(lake, t, day) for t in SUMMARY_TABLES} == summaries  # same summaries afterwards
    assert _multiset(lake, "articles", gen.DAYS[0]) == Counter(
        tuple(r.values()) for r in g.day(gen.DAYS[0], "articles")
    )  # other days untouched
    side = json.loads(Path(lake.partition_dir("articles", day), "_compaction.json").read_text())
    assert side["rows"] == sum(before["articles"].values()) and len(side["stems"]) == len(g.day(day, "manifests"))
    assert side["files"] == _names(lake, "articles", day) and "pending" not in side
    assert not [f for d in ("_staging", "_control") for f in (tmp_path / d).rglob("*") if f.is_file()]

    # a second compaction of a compacted day is a no-op
    mtime = os.stat(lake.parts("entities", day)[0]).st_mtime_ns
    again = _compact(lake, day)
    assert all(r.files_after == 1 for r in again.values())
    assert os.stat(lake.parts("entities", day)[0]).st_mtime_ns == mtime


def test_compaction_splits_by_target_size_into_key_ranges(tmp_path: Path) -> None:
    g = gen.build(str(tmp_path), days=gen.DAYS[:1])
    day = gen.DAYS[0]
    before = _multiset(g.lake, "articles", day)
    res = compaction.compact_table(g.lake, "articles", day, LocalEngine(g.lake), target_bytes=2_000)
    assert res.files_after > 1 and _multiset(g.lake, "articles", day) == before
    assert all(n.startswith("part-compacted-") for n in _names(g.lake, "articles", day))
    # files in name order are one sorted sequence: each file is one range of the sort keys
    rows = [r for p in g.lake.parts("articles", day) for r in pq.read_table(p).to_pylist()]
    assert rows == sorted(rows, key=partial(_sort_key, "articles"))


def _reprocess(g: gen.GenLake, day: str, drop_article: str) -> str:
    """What the pipeline does when an upload of `day` is processed again and now yields one article
    fewer: rewrite its parts (same names) and its manifest with a new processed_at."""
    lake = g.lake
    arts = [a for a in g.day(day, "articles") if a["source_key"] == g.day(day, "manifests")[0]["source_key"]]
    key = arts[0]["source_key"]
    stem = upload_stem("raw", key)
    keep = {a["article_id"] for a in arts} - {drop_article}
    for table in ("articles", "entities", "figures"):
        rows = [r for r in g.day(day, table) if r["article_id"] in keep]
        w = lake.writer(table, day, stem, 0)
        w.write_rows(rows)
        w.close()
    m = {**g.day(day, "manifests")[0], "processed_at": datetime(2026, 12, 1, tzinfo=UTC)}
    lake.write_table(
        "manifests",
        f"{lake.partition_dir('manifests', day)}/part-{stem}-00000.parquet",
        pa.Table.from_pylist([m], schema=schema("manifests")),
    )
    return stem


def _expected_after_drop(g: gen.GenLake, day: str, table: str, dropped: str) -> Counter:
    def freeze(v: Any) -> Any:
        return tuple(v) if isinstance(v, list) else v

    return Counter(tuple(freeze(v) for v in r.values()) for r in g.day(day, table) if r["article_id"] != dropped)


def test_late_reprocessing_of_a_compacted_day_does_not_duplicate(tmp_path: Path) -> None:
    g = gen.build(str(tmp_path), days=gen.DAYS[:1])
    lake, day = g.lake, gen.DAYS[0]
    _compact(lake, day)
    dropped = g.day(day, "articles")[0]["article_id"]
    stem = _reprocess(g, day, dropped)
    # until the next compaction readers see the re-processed upload twice (documented)
    assert sum(_multiset(lake, "articles", day).values()) > len(g.day(day, "articles"))

    res = _compact(lake, day)

    assert res["articles"].replaced == [stem] and res["articles"].absorbed == [stem]
    for t in compaction.COMPACT_TABLES:
        assert _multiset(lake, t, day) == _expected_after_drop(g, day, t, dropped)
        assert len(_names(lake, t, day)) == 1


def test_reprocessing_to_nothing_drops_the_old_rows(tmp_path: Path) -> None:
    # GIVEN a compacted day, and an upload processed again that now yields no row at all: no live
    # part comes back, only its manifest changes
    g = gen.build(str(tmp_path), days=gen.DAYS[:1])
    lake, day = g.lake, gen.DAYS[0]
    _compact(lake, day)
    m = g.day(day, "manifests")[0]
    stem = upload_stem(m["source_bucket"], m["source_key"])
    lake.write_table(
        "manifests",
        f"{lake.partition_dir('manifests', day)}/part-{stem}-00000.parquet",
        pa.Table.from_pylist([{**m, "processed_at": datetime(2026, 12, 1, tzinfo=UTC)}], schema=schema("manifests")),
    )
    # THEN the next compaction drops its rows, found by the changed manifest time
    _compact(lake, day)
    gone = {a["article_id"] for a in g.day(day, "articles") if a["source_key"] == m["source_key"]}
    for t in compaction.COMPACT_TABLES:
        assert {r["article_id"] for r in lake.read(t, day).to_pylist()}.isdisjoint(gone)
        assert sum(_multiset(lake, t, day).values()) == len([r for r in g.day(day, t) if r["article_id"] not in gone])


def test_reprocessing_marks_the_day_and_the_next_night_compacts_it(tmp_path: Path) -> None:
    # GIVEN two compacted days, and an upload of the first processed again on the third night
    g = gen.build(str(tmp_path), days=gen.DAYS[:3])
    lake, day = g.lake, gen.DAYS[0]
    for d in gen.DAYS[:2]:
        _compact(lake, d)
    dropped = g.day(day, "articles")[0]["article_id"]
    stem = _reprocess(g, day, dropped)
    _evict_if_compacted(lake, day, stem)  # what UploadWriter.commit calls
    assert compaction.marked_days(lake) == [day]
    assert sum(_multiset(lake, "articles", day).values()) > len(g.day(day, "articles"))  # twice, until the night
    untouched = _names(lake, "articles", gen.DAYS[1])

    # WHEN the night of the third day runs with compaction
    result = run_nightly(lake, gen.DAYS[2], LocalEngine(lake), compact=True)

    # THEN the marked day is compacted too, and only it; the marker is gone
    assert set(result.recompacted) == {day} and result.recompacted[day]["articles"].replaced == [stem]
    assert result.as_dict()["recompacted"][day]["articles"]["files_after"] == 1  # type: ignore[index]
    for t in compaction.COMPACT_TABLES:
        assert _multiset(lake, t, day) == _expected_after_drop(g, day, t, dropped)
    assert _names(lake, "articles", gen.DAYS[1]) == untouched
    assert compaction.marked_days(lake) == []


def _state(root: Path, day: str) -> dict[str, bytes]:
    """Every file of the day's compacted partitions (sidecars included), by path, and nothing under
    `_staging/` or `_control/`."""
    out = {}
    for t in compaction.COMPACT_TABLES:
        for f in sorted((root / t / f"dt={day}").iterdir()):
            out[str(f)] = f.read_bytes()
    for hidden in ("_staging", "_control"):
        out.update({str(f): b"" for f in (root / hidden).rglob("*") if f.is_file()})
    return out


@pytest.mark.parametrize("compacted_before", [False, True])
def test_failed_compaction_query_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, compacted_before: bool
) -> None:
    # GIVEN a day (compacted once already, then re-processed, or never compacted)
    g = gen.build(str(tmp_path), days=gen.DAYS[:1])
    lake, day = g.lake, gen.DAYS[0]
    if compacted_before:
        _compact(lake, day)
        _reprocess(g, day, g.day(day, "articles")[0]["article_id"])
    before = _state(tmp_path, day)

    # WHEN the query fails after writing part of its output (Athena leaves such files behind too)
    real = LocalAthena.unload

    def partial(self: LocalAthena, sql: str, params: Any, folder: str, **kw: Any) -> list[str]:
        real(self, sql, params, folder, **kw)
        raise QueryError("HIVE_CURSOR_ERROR: worker lost")

    monkeypatch.setattr(LocalAthena, "unload", partial)
    with pytest.raises(QueryError, match="worker lost"):
        _compact(lake, day)
    # THEN files, names and sidecars are exactly as before; no staging or control file is left
    assert _state(tmp_path, day) == before

    # ... and a query that does not run at all leaves everything as it was too
    monkeypatch.setattr(LocalAthena, "unload", real)
    text = "SELECT no_such_column FROM entities"
    broken = sql.Statement("compaction", "entities", text, text, ())
    monkeypatch.setattr(compaction, "statement", lambda plan: broken)
    with pytest.raises(QueryError):
        _compact(lake, day)
    assert _state(tmp_path, day) == before


def test_count_mismatch_or_changed_input_replaces_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    g = gen.build(str(tmp_path), days=gen.DAYS[:1])
    lake, day = g.lake, gen.DAYS[0]
    before = _state(tmp_path, day)
    real_verify = compaction.verify

    # the query counts one row more than the staged files hold
    monkeypatch.setattr(compaction, "verify", lambda lk, plan, staged, n: real_verify(lk, plan, staged, n + 1))
    with pytest.raises(compaction.CompactionError, match="query counted"):
        compaction.compact_table(lake, "entities", day, LocalEngine(lake))
    assert _state(tmp_path, day) == before

    # an extract run writes a part of the day while the query runs
    def concurrent(lk: Lake, plan: compaction.CompactionPlan, staged: Any, n: int) -> list[str]:
        w = lk.writer("entities", day, upload_stem("raw", "late.jsonl"), 0)
        w.write_rows([{"article_id": "late", "canonical_id": "x"}])
        w.close()
        return real_verify(lk, plan, staged, n)

    monkeypatch.setattr(compaction, "verify", concurrent)
    with pytest.raises(compaction.CompactionError, match="changed during compaction"):
        compaction.compact_table(lake, "entities", day, LocalEngine(lake))
    assert {
        k: v for k, v in _state(tmp_path, day).items() if "late" not in k and upload_stem("raw", "late.jsonl") not in k
    } == before


@pytest.mark.parametrize(("stop_at", "call"), [("move", 2), ("delete", 1)])
def test_interrupted_swap_is_finished_or_rolled_back_next_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stop_at: str, call: int
) -> None:
    # GIVEN a swap that stops midway (a Lambda timeout): while moving the second new file, or while
    # deleting the inputs after every new file is in place
    g = gen.build(str(tmp_path), days=gen.DAYS[:1])
    lake, day = g.lake, gen.DAYS[0]
    expected = _multiset(lake, "articles", day)
    calls = {"n": 0}
    real = getattr(Lake, stop_at)

    def flaky(self: Lake, *args: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == call:
            raise TimeoutError("Lambda timed out")
        return real(self, *args)

    monkeypatch.setattr(Lake, stop_at, flaky)
    with pytest.raises(TimeoutError):
        compaction.compact_table(lake, "articles", day, LocalEngine(lake), target_bytes=4_000)
    monkeypatch.setattr(Lake, stop_at, real)
    side = json.loads(Path(lake.partition_dir("articles", day), "_compaction.json").read_text())
    assert "pending" in side  # the sidecar knows a swap was under way
    assert compaction.marked_days(lake) == [day]  # and the next night compacts the day again
    if stop_at == "move":
        assert sum(_multiset(lake, "articles", day).values()) > sum(expected.values())  # twice, never fewer

    # WHEN the day is compacted again: THEN every row is there exactly once, in the files of one run
    # (the interrupted one finished, or a new one after the roll-back), and the marker is gone
    compaction.compact_day(lake, day, LocalEngine(lake), tables=["articles"])
    assert compaction.marked_days(lake) == []
    assert _multiset(lake, "articles", day) == expected
    names = _names(lake, "articles", day)
    assert len({n.rsplit("-", 1)[0] for n in names}) == 1 and (len(names) > 1) == (stop_at == "delete")
    assert "pending" not in json.loads(Path(lake.partition_dir("articles", day), "_compaction.json").read_text())


def test_compaction_sql_orders_by_the_sort_keys_and_selects_the_schema() -> None:
    import sqlglot
    from sqlglot import exp

    for table in compaction.COMPACT_TABLES:
        tree = sqlglot.parse_one(sql.load("compaction", table).sql, read="athena")
        assert isinstance(tree, exp.Select)
        assert [e.alias_or_name for e in tree.expressions] == [*schema(table).names, compaction.BUCKET]
        order = tree.args["order"].expressions
        assert [o.this.name for o in order] == compaction.SORT_KEYS[table]
        plan = compaction.CompactionPlan(table, "2026-11-28", "abcd1234", (), (), (), {}, {}, 1)
        count = compaction.count_statement(plan)  # the same query, counted: parses as one Athena statement
        assert (
            len(sqlglot.parse(count.sql, read="athena")) == 1 and count.params == sql.load("compaction", table).params
        )
        window = tree.expressions[-1].find(exp.Window)
        assert (
            window is not None
            and [o.this.name for o in window.args["order"].expressions] == compaction.SORT_KEYS[table]
        )


def test_compaction_sql_finds_the_upload_of_a_row_as_upload_stem_does(tmp_path: Path) -> None:
    # GIVEN a compacted day whose uploads have keys with Arabic, quotes and spaces
    lake, day = Lake.open(str(tmp_path)), "2026-11-28"
    keys = ["وارد/أخبار 'اليوم'.jsonl", 'in/"x" y.jsonl']

    def write(key: str, ids: list[str], at: datetime) -> None:
        stem = upload_stem("raw-ب", key)
        w = lake.writer("articles", day, stem, 0)
        w.write_rows([{"article_id": i, "source_bucket": "raw-ب", "source_key": key, "source": "s"} for i in ids])
        w.close()
        e = lake.writer("entities", day, stem, 0)
        e.write_rows([{"article_id": i, "canonical_id": "c", "start": 0} for i in ids])
        e.close()
        m = {"source_bucket": "raw-ب", "source_key": key, "processed_at": at}
        lake.write_table(
            "manifests",
            f"{lake.partition_dir('manifests', day)}/part-{stem}-00000.parquet",
            pa.Table.from_pylist([m], schema=schema("manifests")),
        )

    for n, key in enumerate(keys):
        write(key, [f"{n}a", f"{n}b"], datetime(2026, 11, 28, tzinfo=UTC))
    _compact(lake, day)
    # WHEN each upload is processed again with one article fewer, and the day compacted again
    for n, key in enumerate(keys):
        write(key, [f"{n}a"], datetime(2026, 11, 29, tzinfo=UTC))
    _compact(lake, day)
    # THEN the SQL recognised every old row as its upload's: only the new rows are left
    for t in ("articles", "entities"):
        assert sorted(r["article_id"] for r in lake.read(t, day).to_pylist()) == ["0a", "1a"]
