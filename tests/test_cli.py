"""The command line as a user scripts it: JSON contracts, exit codes, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from khabar.cli import main

ROOT = Path(__file__).resolve().parents[1]


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_inspect_sample_article_contract(capsys: pytest.CaptureFixture[str], sample_article: Path) -> None:
    code, out, _ = _run(capsys, "inspect", str(sample_article))
    assert code == 0
    [doc] = [json.loads(line) for line in out.splitlines()]
    assert set(doc) == {"id", "title", "source", "body", "entities", "figures"}
    assert doc["title"] == "اجتماع غير رسمي لزعماء رابطة الدول المستقلة"
    assert "تسنيم" in doc["source"] and "مصدر" not in doc["body"]
    figures = [(f["kind"], f["value"], f["unit"], f["metric"]) for f in doc["figures"]]
    assert figures == [("percent", 2.0, "%", "trade"), ("money", 83.7e9, "USD", "trade")]
    assert doc["figures"][0]["direction"] == "up"
    countries = {e["country_code"] for e in doc["entities"] if e["country_code"]}
    assert countries == {"RU", "AZ", "AM", "BY", "KZ", "KG", "TJ", "TM", "UZ"}
    for item in doc["entities"] + doc["figures"]:
        assert doc["body"][item["start"] : item["end"]] == item["text"]
    assert {e["type"] for e in doc["entities"]} == {"PERSON", "LOCATION", "ORGANIZATION"}


def test_inspect_sample_gives_each_figure_its_subject_and_period(
    capsys: pytest.CaptureFixture[str], sample_article: Path
) -> None:
    """Issue 15's "done when": both trade figures of the sample are about the Commonwealth of
    Independent States («دول هذا المجتمع») and, read against the day given (the article has no
    date), cover the first ten months of the year before (tests/test_figures_period.py documents
    the reading of «في العام الماضي … وفقاً لبيانات عشرة أشهر»)."""
    code, out, _ = _run(capsys, "inspect", "--date", "2023-12-27", str(sample_article))
    assert code == 0
    [doc] = [json.loads(line) for line in out.splitlines()]
    cis = {e["canonical_id"] for e in doc["entities"] if e["text"] == "رابطة الدول المستقلة"}
    assert len(cis) == 1
    for f in doc["figures"]:
        assert f["subject_id"] in cis and f["subject_text"]
        assert (f["period"], f["period_start"], f["period_end"]) == ("2022-01/2022-10", "2022-01-01", "2022-10-31")
        assert f["period_text"].startswith("العام الماضي") and f["period_text"].endswith("عشرة أشهر")


def test_extract_then_query(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    code, out, _ = _run(
        capsys, "extract", str(ROOT / "samples"), "--lake", str(lake), "--date", "2026-11-28", "--quiet"
    )
    assert code == 0
    summary = json.loads(out)
    assert summary["uploads"] == 3 and summary["articles"] == 5 and summary["rejects"] == 2
    code, out, _ = _run(
        capsys,
        "query",
        "--lake",
        str(lake),
        "--format",
        "csv",
        "SELECT dt, count(*) AS n FROM articles WHERE dt = ? GROUP BY dt",
        "--param",
        "2026-11-28",
    )
    assert (code, out.strip()) == (0, "dt,n\n2026-11-28,5")
    code, out, _ = _run(
        capsys,
        "query",
        "--lake",
        str(lake),
        "--format",
        "json",
        "SELECT unit, count(*) AS n FROM figures WHERE kind = 'money' GROUP BY unit ORDER BY unit",
    )
    units = {json.loads(line)["unit"] for line in out.splitlines()}
    assert {"USD", "SAR", "EUR", "TND", "MAD"} <= units


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["inspect", "/no/such/file.txt"], "no such file or folder"),
        (["query", "--lake", "/tmp", "SELEC broken"], "QueryError"),
        (["extract", "x.txt", "--lake", "/tmp/l", "--date", "28-11-2026"], "ValueError"),
    ],
)
def test_errors_are_one_line_and_non_zero(capsys: pytest.CaptureFixture[str], argv: list[str], message: str) -> None:
    code, _, err = _run(capsys, *argv)
    assert code != 0
    assert err.startswith("khabar: error:") and message in err and len(err.strip().splitlines()) == 1


def test_every_subcommand_is_documented_in_the_readme() -> None:
    import argparse

    from khabar.cli import _parser

    sub = next(a for a in _parser()._actions if isinstance(a, argparse._SubParsersAction))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [name for name in sub.choices if f"khabar {name}" not in readme]
    assert not missing, f"subcommands missing from the README's Commands: {missing}"


def test_the_parser_loads_no_command_code() -> None:
    """Commands import their code when they run: `khabar --help` stays fast, and `khabar.cli` imports
    in the Lambda layer, which leaves out the development-only modules."""
    probe = (
        "import sys, khabar.cli; khabar.cli._parser(); "
        "print(sorted(m for m in sys.modules if m.startswith('khabar.') and not m.startswith('khabar.cli')))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
