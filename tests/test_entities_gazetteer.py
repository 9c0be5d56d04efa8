"""Gazetteer data files: the generated country file is current; curated files are well formed."""

from __future__ import annotations

import json
import re

import pytest

from khabar.entities._paths import DATA_DIR
from khabar.entities.gazetteer import gazetteer


def test_committed_generated_files_equal_a_regeneration():
    from khabar.entities.training.gazetteer_build import outputs

    files = outputs()
    assert [p.name for p, _ in files] == [
        "countries.json",
        "geonames_places.json",
        "word_zipf.tsv.gz",
        "name_tokens.tsv.gz",
        "outside_names.tsv.gz",
        "outside_priors.tsv.gz",
    ]
    for path, data in files:
        assert path.read_bytes() == data, f"{path.name} is stale: run khabar build-gazetteers"


def test_build_check_flag_reports_stale_file(tmp_path, capsys):
    from khabar.cli import main

    stale = tmp_path / "countries.json"
    stale.write_text("{}", encoding="utf-8")
    assert main(["build-gazetteers", "--out", str(stale), "--check"]) == 1
    assert main(["build-gazetteers", "--out", str(stale)]) == 0
    assert main(["build-gazetteers", "--out", str(stale), "--check"]) == 0
    assert "up to date" in capsys.readouterr().out


def test_countries_have_cldr_names_aliases_and_nisbas():
    rows = {r["code"]: r for r in json.loads((DATA_DIR / "countries.json").read_text("utf-8"))["countries"]}
    assert {"روسيا", "روسيا الاتحادية"} <= set(rows["RU"]["names"])
    assert {"الروسي", "الروسية", "روسي"} <= set(rows["RU"]["nisbas"])
    assert "قرغيزستان" in rows["KG"]["names"] and "قيرغيزستان" in rows["KG"]["names"]
    assert rows["SU"].get("historic") is True


@pytest.mark.parametrize("name,key", [("organizations.json", "organizations"), ("places.json", "places")])
def test_curated_ids_are_unique_snake_case_with_english_names(name, key):
    rows = json.loads((DATA_DIR / name).read_text(encoding="utf-8"))[key]
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)*", i) for i in ids)
    assert all(r["en"] and (r["names"] or r["weak_names"]) for r in rows)


def test_required_organisations_are_listed():
    g = gazetteer()
    ids = {e.canonical_id for e in g.entries.values()}
    for org in (
        "commonwealth_of_independent_states",
        "tasnim_news_agency",
        "ria_novosti",
        "reuters",
        "tunis_afrique_presse",
        "gazprom",
        "saudi_aramco",
        "kremlin",
        "eurasian_economic_community",
    ):
        assert f"org:{org}" in ids
