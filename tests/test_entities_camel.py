"""The optional camel-tools backend, with a stand-in recognizer (no torch, no model data)."""

from __future__ import annotations

import pytest

from khabar.entities import camel_backend, extract_entities, tag_tokens


class StandIn:
    """Labels بوتين as a person, موسكو as a place, anything else O; also emits a label we don't use."""

    def predict_sentence(self, sentence: list[str]) -> list[str]:
        table = {"بوتين": "B-PERS", "موسكو": "B-LOC", "الأحد": "B-DATE"}
        return [table.get(t, "O") for t in sentence]


@pytest.fixture
def camel(monkeypatch):
    monkeypatch.setenv("KHABAR_NER_BACKEND", "camel")
    monkeypatch.setattr(camel_backend, "_pretrained", StandIn)


def test_label_mapping_keeps_anercorp_labels_and_drops_others():
    assert camel_backend.to_bio(["B-PERS", "I-PERS", "B-DATE", "I-ORG", "O", "B-MISC"], 6) == [
        "B-PERS",
        "I-PERS",
        "O",
        "I-ORG",
        "O",
        "B-MISC",
    ]


def test_label_count_must_match_tokens():
    with pytest.raises(ValueError, match="2 labels for 3 tokens"):
        camel_backend.to_bio(["O", "O"], 3)


def test_backend_needs_model_data(monkeypatch):
    monkeypatch.delenv("CAMELTOOLS_DATA", raising=False)
    camel_backend._pretrained.cache_clear()
    with pytest.raises(RuntimeError, match="CAMELTOOLS_DATA"):
        camel_backend.tag_words(["بوتين"])


def test_tag_tokens_uses_the_backend(camel):
    assert tag_tokens(["قال", "بوتين", "الأحد"]) == ["O", "B-PERS", "O"]


def test_extract_aligns_backend_labels_with_original_offsets(camel):
    text = "وقالَ الرئيسُ بوتين يومَ الأحد في موسكو."
    ents = extract_entities(text)
    got = [(e.text, e.type, text[e.start : e.end]) for e in ents]
    assert ("بوتين", "PERSON", "بوتين") in got
    assert [e.canonical_id for e in ents if e.text == "موسكو"] == ["loc:moscow"]
