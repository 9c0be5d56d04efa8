"""Acceptance on the sample article (team kit): the entities, their ids and country codes."""

from __future__ import annotations

from collections import defaultdict

import pytest

from khabar.entities import extract_entities
from khabar.entities._paths import MODEL_PATH
from khabar.entities.training.evaluate import eval_seed, load_seed
from khabar.kit import kit_dir

SAMPLE = kit_dir() / "samples" / "cis_summit_tasnim_ar.txt"
pytestmark = pytest.mark.skipif(not SAMPLE.exists() or not MODEL_PATH.exists(), reason="needs kit and model")


@pytest.fixture(scope="module")
def found():
    text = SAMPLE.read_text(encoding="utf-8")
    ents = extract_entities(text)
    return text, ents


def _ids_by_surface(ents) -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for e in ents:
        out[e.text].add(e.canonical_id)
    return out


def test_offsets_point_into_the_original_text(found):
    text, ents = found
    assert ents and all(text[e.start : e.end] == e.text for e in ents)
    assert all(e.sentence_index == 0 for e in ents)


def test_putin_and_peskov_each_have_one_id_over_all_spellings(found):
    _, ents = found
    by = _ids_by_surface(ents)
    assert by["فلاديمير بوتين"] == by["بوتين"] == {"person:فلاديمير_بوتين"}
    assert by["ديمتري بيسكوف"] == by["بسكوف"] == {"person:ديمتري_بيسكوف"}
    assert {e.type for e in ents if e.canonical_id.startswith("person:")} == {"PERSON"}


def test_nine_countries_with_iso_codes(found):
    _, ents = found
    codes = {e.country_code for e in ents if e.canonical_id.startswith("country:")}
    assert codes == {"RU", "AZ", "AM", "BY", "KZ", "KG", "TJ", "TM", "UZ"}
    assert all(e.type == "LOCATION" and e.canonical_id == f"country:{e.country_code}" for e in ents if e.country_code)


@pytest.mark.parametrize(
    "cid,type_",
    [
        ("loc:saint_petersburg", "LOCATION"),
        ("loc:eurasia", "LOCATION"),
        ("org:tasnim_news_agency", "ORGANIZATION"),
        ("org:ria_novosti", "ORGANIZATION"),
        ("org:kremlin", "ORGANIZATION"),
        ("org:gazprom", "ORGANIZATION"),
        ("org:eurasian_economic_community", "ORGANIZATION"),
    ],
)
def test_places_and_organisations(found, cid, type_):
    _, ents = found
    assert {e.type for e in ents if e.canonical_id == cid} == {type_}


def test_cis_three_names_one_id(found):
    _, ents = found
    cis = {e.text for e in ents if e.canonical_id == "org:commonwealth_of_independent_states"}
    assert {"رابطة الدول المستقلة", "كومنولث الدول المستقلة", "الكومنولث"} <= cis


def test_seed_gold_every_surface_found_and_unified():
    result = eval_seed(*load_seed())
    assert result["missing"] == [] and result["not_unified"] == []
    assert result["surfaces_found"] == result["surfaces"]
