"""The evaluation command, on the team kit's Recognizers-Text specs and seed gold."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from khabar.cli import main
from khabar.figures.evaluate import run
from khabar.kit import kit_dir

SHARED = kit_dir()
pytestmark = pytest.mark.skipif(not (SHARED / "data").is_dir(), reason="team kit not next to the checkout")


def test_percent_model_meets_the_bar_and_seed_is_exact() -> None:
    res = run(SHARED)
    assert res["percent"]["share_right"] >= 0.95
    assert res["seed"]["figures"] == 2
    assert res["seed"]["non_figures_reported"] == []
    assert all(c["found"] and c["metric_ok"] and c["direction_ok"] for c in res["seed"]["context"])
    num = res["number"]
    # every case is either scored or counted out of scope with a reason
    assert num["in_scope"] + sum(r["count"] for r in num["out_of_scope"].values()) == num["cases"]
    assert num["share_right"] >= 0.6


def test_json_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "figures", "--json", "--shared", str(SHARED)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"percent", "currency", "number", "seed", "facts"}
    assert {"precision", "recall", "f1"} <= set(out["percent"])


def test_missing_data_is_an_error(tmp_path: Path) -> None:
    assert main(["eval", "figures", "--shared", str(tmp_path)]) == 2
