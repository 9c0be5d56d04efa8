"""`khabar tag` round trip, BIO chunking and the conlleval-style scorer on hand-made cases."""

from __future__ import annotations

import io
import json

import pytest

from khabar import cli
from khabar.entities import tag_tokens
from khabar.entities._paths import MODEL_PATH
from khabar.entities.bio import chunks, score
from khabar.entities.training.evaluate import eval_seed

needs_model = pytest.mark.skipif(not MODEL_PATH.exists(), reason="model not trained")
LINES = [
    {"id": "a", "tokens": ["قال", "الرئيس", "الروسي", "فلاديمير", "بوتين", "في", "موسكو", "."]},
    {"id": "b", "tokens": ["وأعلنت", "شركة", "غازبروم", "أن", "الصادرات", "إلى", "أوروبا", "ارتفعت"]},
    {"id": "c", "tokens": []},
    {"id": "d", "tokens": ["", " ", "(د", "ب", "أ)"]},
]


@needs_model
def test_tag_round_trip_one_tag_per_token(tmp_path, capsys):
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in LINES) + "\n", "utf-8")
    assert cli.main(["tag", str(src)]) == 0
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [o["id"] for o in out] == ["a", "b", "c", "d"]
    for given, got in zip(LINES, out, strict=True):
        assert got["tokens"] == given["tokens"] and len(got["tags"]) == len(given["tokens"])
        assert all(t == "O" or t[:2] in ("B-", "I-") and t[2:] in ("PERS", "LOC", "ORG", "MISC") for t in got["tags"])
    assert out[0]["tags"][3:5] == ["B-PERS", "I-PERS"] and out[0]["tags"][6] == "B-LOC"


@needs_model
def test_tag_reads_stdin(monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(LINES[1], ensure_ascii=False) + "\n"))
    assert cli.main(["tag"]) == 0
    assert json.loads(capsys.readouterr().out)["tags"] == tag_tokens(LINES[1]["tokens"])


@pytest.mark.parametrize("bad", ['{"tokens": "not a list"}', "{not json"])
def test_tag_rejects_malformed_lines(tmp_path, capsys, bad):
    src = tmp_path / "bad.jsonl"
    src.write_text(bad + "\n", encoding="utf-8")
    assert cli.main(["tag", str(src)]) == 1
    assert capsys.readouterr().err.startswith("khabar: error:")


def test_tag_missing_file_is_an_error(tmp_path, capsys):
    assert cli.main(["tag", str(tmp_path / "nope.jsonl")]) == 1


def test_chunks_follow_conlleval():
    tags = ["B-PERS", "I-PERS", "O", "I-LOC", "I-LOC", "B-LOC", "I-ORG", "B-MISC"]
    assert chunks(tags) == [("PERS", 0, 2), ("LOC", 3, 5), ("LOC", 5, 6), ("ORG", 6, 7), ("MISC", 7, 8)]


def test_score_known_precision_and_recall():
    gold = [["B-PERS", "I-PERS", "O", "B-LOC", "O", "B-ORG"], ["B-LOC", "O", "B-MISC"]]
    pred = [["B-PERS", "I-PERS", "O", "B-ORG", "O", "B-ORG"], ["B-LOC", "B-PERS", "O"]]
    s = score(zip(gold, pred, strict=True))
    # PERS: 1 right of 2 predicted, 1 gold. LOC: 1 of 1 predicted, 2 gold. ORG: 1 of 2, 1 gold. MISC ignored.
    assert (s["PERS"]["precision"], s["PERS"]["recall"]) == (0.5, 1.0)
    assert (s["LOC"]["precision"], s["LOC"]["recall"]) == (1.0, 0.5)
    assert (s["ORG"]["precision"], s["ORG"]["recall"]) == (0.5, 1.0)
    assert (s["micro"]["tp"], s["micro"]["pred"], s["micro"]["gold"]) == (3, 5, 4)
    assert s["micro"]["f1"] == round(2 * 0.6 * 0.75 / 1.35, 4)


@needs_model
def test_eval_seed_on_a_hand_made_gold():
    gold = {
        "entities": [
            {"type": "LOCATION", "name_en": "Russia", "surfaces": ["روسيا"]},
            {"type": "ORGANIZATION", "name_en": "Kremlin", "surfaces": ["الكرملين"]},
            {"type": "PERSON", "name_en": "Nobody", "surfaces": ["زيد عمرو"]},
        ]
    }
    r = eval_seed(gold, "وقال الكرملين إن روسيا ستواصل العمل.")
    assert (r["surfaces_found"], r["surfaces"], r["entities_unified"]) == (2, 3, 2)
    assert r["missing"] == ["زيد عمرو"] and r["mention_precision"] == 1.0
