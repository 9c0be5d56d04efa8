"""The SQL files: loader, their home, trend views and the analyst starter queries on a generated lake."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlglot

import aggregate_lake as gen
from khabar import sql
from khabar.lake.query import LocalAthena
from khabar.lake.schema import SUMMARY_TABLES
from khabar.nightly.job import run_nightly
from khabar.nightly.local import LocalEngine, create_views

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> tuple[gen.GenLake, LocalAthena]:
    g = gen.build(str(tmp_path_factory.mktemp("lake")))
    for dt in gen.DAYS:
        run_nightly(g.lake, dt, LocalEngine(g.lake))
    eng = LocalAthena(g.lake)
    create_views(eng)
    return g, eng


def _run(eng: LocalAthena, name: str, **values: Any) -> list[dict[str, Any]]:
    stmt = sql.load("queries", name)
    cols, rows = eng.execute(stmt.sql, stmt.bind(values))
    return [dict(zip(cols, r, strict=True)) for r in rows]


def _all(g: gen.GenLake, table: str, days: list[str] | None = None) -> list[dict[str, Any]]:
    return [{**r, "dt": d} for d in (days or gen.DAYS) for r in g.day(d, table)]


# ---- loader and home ----------------------------------------------------------------------------


def test_parse_named_skips_strings_comments_and_casts() -> None:
    text = "-- :nope in a comment\nSELECT ':no', \"a:b\", x::int, /* :no */ y FROM t WHERE a = :a AND b IN (:b, :a);"
    out, params = sql.parse_named(text)
    assert params == ("a", "b", "a")
    assert out.endswith("WHERE a = ? AND b IN (?, ?)") and "':no'" in out and "x::int" in out


def test_bind_and_athena_parameters() -> None:
    stmt = sql.load("queries", "articles_with_two_entities")
    vals = {"dt_from": "2026-11-20", "dt_to": "2026-11-28", "entity_a": "x'y", "entity_b": "z"}
    assert stmt.bind(vals) == ["2026-11-20", "2026-11-28", "2026-11-20", "2026-11-28", "x'y", "z"]
    assert stmt.athena_parameters(vals)[4] == "'x''y'"
    assert sql.athena_literal(3) == "3" and sql.athena_literal(date(2026, 1, 2)) == "'2026-01-02'"
    with pytest.raises(KeyError, match="entity_b"):
        stmt.bind({"dt_from": "a", "dt_to": "b", "entity_a": "c"})
    with pytest.raises(ValueError):
        sql.load("queries", "../summaries/entity_daily")


def test_infra_athena_points_at_the_packaged_sql() -> None:
    """One source of truth: infra/athena/<kind> is a symlink to shared/khabar/sql/<kind>."""
    for kind in sql.KINDS:
        link = REPO / "infra" / "athena" / kind
        assert link.resolve() == sql.SQL_DIR / kind
        assert sorted(p.stem for p in link.glob("*.sql")) == sql.names(kind)
    assert sql.names("summaries") == sorted(SUMMARY_TABLES)
    assert set(sql.names("views")) == {"entity_mentions_7d", "entity_day_over_day", "entity_new", "figure_facts"}


@pytest.mark.parametrize("kind", sql.KINDS)
def test_every_file_parses_as_athena_sql(kind: str) -> None:
    for name in sql.names(kind):
        stmt = sql.load(kind, name)
        assert len(sqlglot.parse(stmt.sql, read="athena")) == 1, name
        assert "{" not in stmt.sql and "%s" not in stmt.sql  # no string formatting of values


# ---- trend views --------------------------------------------------------------------------------


def _daily_mentions(g: gen.GenLake) -> dict[str, Counter]:
    return {d: Counter(e["canonical_id"] for e in g.day(d, "entities")) for d in gen.DAYS}


def test_view_new_entities(engine: tuple[gen.GenLake, LocalAthena]) -> None:
    g, eng = engine
    _, rows = eng.execute("SELECT dt, canonical_id FROM entity_new ORDER BY dt, canonical_id")
    seen: set[str] = set()
    expected = []
    for d, counts in _daily_mentions(g).items():
        expected += [(d, c) for c in sorted(set(counts) - seen)]
        seen |= set(counts)
    assert rows == expected
    assert ("2026-11-28", "org:newbank") in rows


def test_views_moving_and_day_over_day(engine: tuple[gen.GenLake, LocalAthena]) -> None:
    g, eng = engine
    daily = _daily_mentions(g)
    _, rows = eng.execute("SELECT dt, canonical_id, mentions, mentions_7d FROM entity_mentions_7d")
    for dt, cid, m, m7 in rows:
        day = date.fromisoformat(dt)
        window = [(day - timedelta(days=i)).isoformat() for i in range(7)]
        assert m == daily[dt][cid]
        assert m7 == sum(daily.get(w, Counter())[cid] for w in window)
    assert len(rows) == sum(len(c) for c in daily.values())
    # the same window ending the day before: the 7 days before the day (the report's baseline)
    _, rows = eng.execute("SELECT dt, canonical_id, prev_mentions_7d, prev_avg_daily_7d FROM entity_mentions_7d")
    for dt, cid, p7, avg in rows:
        day = date.fromisoformat(dt)
        before = [(day - timedelta(days=i)).isoformat() for i in range(1, 8)]
        assert p7 == sum(daily.get(w, Counter())[cid] for w in before) and avg == pytest.approx(p7 / 7)
    _, rows = eng.execute("SELECT dt, canonical_id, prev_mentions, change FROM entity_day_over_day")
    for dt, cid, prev, change in rows:
        before = (date.fromisoformat(dt) - timedelta(days=1)).isoformat()
        assert prev == daily.get(before, Counter())[cid]
        assert change == daily[dt][cid] - prev


# ---- starter queries ----------------------------------------------------------------------------


def test_top_entities_this_week(engine: tuple[gen.GenLake, LocalAthena]) -> None:
    g, eng = engine
    week = gen.DAYS[-7:]
    counts = Counter(e["canonical_id"] for e in _all(g, "entities", week))
    got = _run(eng, "top_entities_week", dt=gen.LAST)
    assert [(r["canonical_id"], r["mentions"]) for r in got] == sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def test_trade_figures_by_country(engine: tuple[gen.GenLake, LocalAthena]) -> None:
    g, eng = engine
    country = {e["canonical_id"]: e["country_code"] for e in _all(g, "entities") if e["country_code"]}
    agg: dict[tuple, list[float]] = defaultdict(list)
    for f in _all(g, "figures"):
        if f["metric"] in ("trade", "exports", "imports"):
            for cc in sorted({country[c] for c in f["related_ids"] if c in country}):
                agg[(cc, f["metric"], f["unit"])].append(f["value"])
    got = _run(eng, "trade_figures_by_country", dt_from=gen.DAYS[0], dt_to=gen.LAST)
    assert [(r["country_code"], r["metric"], r["unit"], r["figures"]) for r in got] == [
        (*k, len(v)) for k, v in sorted(agg.items())
    ]
    for r in got:
        assert r["value_sum"] == pytest.approx(sum(agg[(r["country_code"], r["metric"], r["unit"])]))


def test_figures_mentioning_an_entity(engine: tuple[gen.GenLake, LocalAthena]) -> None:
    g, eng = engine
    days = gen.DAYS[2:5]
    expected = sorted(
        (f["dt"], f["article_id"], f["start"]) for f in _all(g, "figures", days) if "org:opec" in f["related_ids"]
    )
    got = _run(eng, "figures_mentioning_entity", dt_from=days[0], dt_to=days[-1], entity_id="org:opec")
    assert [(r["dt"], r["article_id"]) for r in got] == [(d, a) for d, a, _ in expected]
    assert got and all(r["title"] for r in got)


def test_a_country_indicator_over_time(engine: tuple[gen.GenLake, LocalAthena]) -> None:
    g, eng = engine
    facts = [f for f in _all(g, "figures") if f["subject_id"] and f["period"] and f["metric"]]
    subject, metric = Counter((f["subject_id"], f["metric"]) for f in facts).most_common(1)[0][0]
    mine = [f for f in facts if (f["subject_id"], f["metric"]) == (subject, metric)]
    got = _run(eng, "country_indicator_over_time", subject_id=subject, metric=metric)
    assert [(r["period"], r["unit"]) for r in got] == sorted({(f["period"], f["unit"]) for f in mine})
    for r in got:
        rows = [f for f in mine if (f["period"], f["unit"]) == (r["period"], r["unit"])]
        assert sorted(r["values_reported"]) == sorted({f["value"] for f in rows})
        assert r["articles"] == len({f["article_id"] for f in rows})
        assert r["first_reported"] == min(f["dt"] for f in rows) <= r["last_reported"]
    # figures without a subject, metric or period are not facts; the view keys them by who, what, when, unit
    _, rows = eng.execute("SELECT count(*) FROM figure_facts")
    assert rows == [(len({(f["subject_id"], f["metric"], f["period"], f["unit"]) for f in facts}),)]


def test_daily_article_volume_by_source(engine: tuple[gen.GenLake, LocalAthena]) -> None:
    g, eng = engine
    counts = Counter((a["dt"], a["source"] or "(unknown)") for a in _all(g, "articles"))
    got = _run(eng, "article_volume_by_source", dt_from=gen.DAYS[0], dt_to=gen.LAST)
    assert {(r["dt"], r["source"]): r["articles"] for r in got} == dict(counts)


def test_articles_mentioning_two_entities(engine: tuple[gen.GenLake, LocalAthena]) -> None:
    g, eng = engine
    ids: dict[tuple[str, str], set[str]] = defaultdict(set)
    for e in _all(g, "entities"):
        ids[(e["dt"], e["article_id"])].add(e["canonical_id"])
    expected = sorted(k for k, v in ids.items() if {"country:SA", "org:opec"} <= v)
    got = _run(
        eng,
        "articles_with_two_entities",
        dt_from=gen.DAYS[0],
        dt_to=gen.LAST,
        entity_a="country:SA",
        entity_b="org:opec",
    )
    assert [(r["dt"], r["article_id"]) for r in got] == expected and expected
    # a value is a value, never SQL
    assert (
        _run(
            eng,
            "articles_with_two_entities",
            dt_from=gen.DAYS[0],
            dt_to=gen.LAST,
            entity_a="x' OR '1'='1",
            entity_b="org:opec",
        )
        == []
    )
