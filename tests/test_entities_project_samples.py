"""Entities on the team's own sample batches: sane spans and the obvious countries."""

from __future__ import annotations

from pathlib import Path

import pytest

from khabar.entities import extract_entities
from khabar.formats import read_upload
from khabar.models import Article

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def _articles() -> list[Article]:
    out: list[Article] = []
    for p in sorted(SAMPLES.iterdir()):
        with open(p, "rb") as fh:
            out += [a for a in read_upload(p.name, fh) if isinstance(a, Article)]
    return out


@pytest.mark.parametrize("article", _articles(), ids=lambda a: a.id or a.title[:20])
def test_spans_are_names_not_clauses(article: Article) -> None:
    for e in extract_entities(article.body):
        assert len(e.text.split()) <= 6, e.text
        assert not any(ch.isdigit() for ch in e.text), e.text


@pytest.mark.parametrize(
    ("article_id", "country"),
    [
        ("tn-2026-0003", "TN"),
        ("iq-2026-0004", "IQ"),
        ("eg-2026-0001", "EG"),
        ("ma-2026-0002", "MA"),
    ],
)
def test_the_article_country_is_found(article_id: str, country: str) -> None:
    [article] = [a for a in _articles() if a.id == article_id]
    assert country in {e.country_code for e in extract_entities(article.body)}


def test_shipped_model_matches_the_feature_code(kit: Path) -> None:
    """The model was trained on these sentences (--full): tagging them back must agree almost
    everywhere, or the shipped model and the feature extraction have drifted apart."""
    import json

    from khabar.entities import tag_tokens

    total = agree = 0
    with open(kit / "data" / "anercorp" / "train.jsonl", encoding="utf-8") as fh:
        for _, line in zip(range(200), fh, strict=False):
            doc = json.loads(line)
            tags = tag_tokens(doc["tokens"])
            total += len(tags)
            agree += sum(a == b for a, b in zip(tags, doc["tags"], strict=True))
    assert agree / total > 0.95
