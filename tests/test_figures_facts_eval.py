"""The facts gold (subject and period of figures in the kit's news) and its scorer."""

from __future__ import annotations

import json
import re
from types import SimpleNamespace

import pytest

from khabar.figures.evaluate import FACTS_GOLD, facts_predictions, score_facts
from khabar.kit import kit_dir

NEWS = kit_dir() / "data" / "news" / "ant_economy_dev.jsonl"
_PERIOD = re.compile(r"\d{4}(?:-(?:Q[1-4]|H[12]|\d{2}(?:-\d{2})?))?")
_DATE = re.compile(r"\d{4}-\d{2}(?:-\d{2})?")  # either end of a span: a month or a day
_SUBJECT = re.compile(r"(?:country:[A-Z]{2}|org:\w+|loc:\w+)")
_ARABIC = re.compile(r"[\u0600-\u06ff]")


def _gold() -> list[dict[str, object]]:
    with FACTS_GOLD.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def test_gold_file_parses() -> None:
    rows = _gold()
    assert 80 <= len(rows) <= 120
    assert len({(r["article_id"], r["start"]) for r in rows}) == len(rows)
    for r in rows:
        assert set(r) <= {"article_id", "start", "end", "subject_id", "period", "note"}, r
        assert isinstance(r["start"], int) and isinstance(r["end"], int) and 0 <= r["start"] < r["end"], r
        subject, period = r["subject_id"], r["period"]
        assert subject is None or (isinstance(subject, str) and _SUBJECT.fullmatch(subject)), r
        if period is not None:
            assert isinstance(period, str), r
            ends = period.split("/")
            if len(ends) == 1:
                assert _PERIOD.fullmatch(period), r
            else:
                assert len(ends) == 2 and all(_DATE.fullmatch(e) for e in ends) and ends[0] < ends[1], r
        # offsets and ids only: no article or figure text in the file (the kit's licence)
        assert not _ARABIC.search(str(r.get("note", ""))), r


@pytest.mark.skipif(not NEWS.is_file(), reason="team kit not next to the checkout")
def test_gold_rows_point_at_extracted_figures_of_kit_articles() -> None:
    rows = _gold()
    with NEWS.open(encoding="utf-8") as fh:
        kit_ids = {json.loads(line)["id"] for line in fh if line.strip()}
    assert {r["article_id"] for r in rows} <= kit_ids
    predicted = facts_predictions(kit_dir(), rows)
    spans = {(aid, f.start, f.end) for aid, figs in predicted.items() for f in figs}
    keys = [(r["article_id"], r["start"], r["end"]) for r in rows]
    assert [k for k in keys if k not in spans] == []
    res = score_facts(rows, predicted)
    assert res["figures"] == res["found"] == len(rows) and res["not_found"] == []
    for field in ("subject", "period"):
        r = res[field]
        assert r["correct"] + r["wrong"] == r["predicted_non_null"]
        assert r["predicted_non_null"] + r["abstain"] == len(rows)


def test_score_facts_counts_precision_coverage_and_abstentions() -> None:
    gold = [
        {"article_id": "a", "start": 0, "end": 5, "subject_id": "country:TN", "period": "2016"},
        {"article_id": "a", "start": 10, "end": 15, "subject_id": "country:TN", "period": "2016-Q1"},
        {"article_id": "a", "start": 20, "end": 25, "subject_id": None, "period": None},
        {"article_id": "b", "start": 0, "end": 5, "subject_id": "org:tunisair", "period": "2017-01/2017-10"},
        {"article_id": "b", "start": 30, "end": 35, "subject_id": "country:FR", "period": "2015"},  # not extracted
    ]
    predicted = {
        "a": [
            SimpleNamespace(start=0, subject_id="country:TN", period="2016"),  # both right
            SimpleNamespace(start=10, subject_id="country:DZ", period=None),  # subject wrong, period abstains
            {"start": 20, "subject_id": "country:TN", "period": "2016"},  # gold null: both wrong
            SimpleNamespace(start=40, subject_id="country:TN", period="2016"),  # no gold: ignored
        ],
        "b": [SimpleNamespace(start=0)],  # no subject/period attributes yet: abstains on both
    }
    res = score_facts(gold, predicted)
    assert (res["figures"], res["articles"], res["found"]) == (5, 2, 4)
    assert res["not_found"] == [{"article_id": "b", "start": 30, "end": 35}]
    s, p = res["subject"], res["period"]
    assert (s["gold_non_null"], s["predicted_non_null"], s["correct"], s["wrong"]) == (4, 3, 1, 2)
    assert (s["wrong_where_gold_null"], s["abstain"], s["abstain_where_gold_set"]) == (1, 2, 2)
    assert (s["precision"], s["coverage"], s["recall"]) == (round(1 / 3, 4), 0.75, 0.25)
    assert (p["gold_non_null"], p["predicted_non_null"], p["correct"], p["wrong"]) == (4, 2, 1, 1)
    assert (p["wrong_where_gold_null"], p["abstain"], p["abstain_where_gold_set"]) == (1, 3, 3)
    assert (p["precision"], p["coverage"], p["recall"]) == (0.5, 0.5, 0.25)
    assert {(d["article_id"], d["start"], d["field"]) for d in res["disagreements"]} == {
        ("a", 10, "subject_id"),
        ("a", 20, "subject_id"),
        ("a", 20, "period"),
    }


def test_score_facts_with_no_predictions_abstains_everywhere() -> None:
    res = score_facts([{"article_id": "a", "start": 0, "end": 1, "subject_id": "country:TN", "period": None}], {})
    assert res["found"] == 0
    assert res["subject"]["abstain"] == res["period"]["abstain"] == 1
    assert res["subject"]["precision"] == 0.0 and res["subject"]["coverage"] == 0.0
