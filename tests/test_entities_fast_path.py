"""The tagging-time fast path builds exactly the features `sentence_features` keeps, in order."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest

from khabar.entities._paths import MODEL_PATH
from khabar.entities.features import Kept, doc_counts, kept_features, sentence_features, word_info
from khabar.entities.gazetteer import gazetteer
from khabar.entities.merged import is_merged
from khabar.entities.tagger import load_model, tag_words
from khabar.formats import read_upload
from khabar.models import Article
from khabar.text import normalize, normalize_word, sentence_spans, token_spans

pytestmark = pytest.mark.skipif(not MODEL_PATH.exists(), reason="needs the model")
SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def _articles() -> list[list[list[str]]]:
    out = []
    for p in sorted(SAMPLES.iterdir()):
        with open(p, "rb") as fh:
            for a in read_upload(p.name, fh):
                if isinstance(a, Article):
                    nt = normalize(a.body).text
                    out.append(
                        [[nt[s0 + i : s0 + j] for i, j in token_spans(nt[s0:s1])] for s0, s1 in sentence_spans(nt)]
                    )
    return out


def _reference(keep: frozenset[str]):
    def info(w: str):
        stem, classes, own, ctx = word_info(w)
        return (
            stem,
            classes,
            tuple(x for x in own if x in keep),
            {k: tuple(x for x in v if x in keep) for k, v in ctx.items()},
        )

    return info


def test_fast_features_equal_the_filtered_reference() -> None:
    model = load_model(MODEL_PATH)
    attrs = frozenset(a for a in model.attrs if not is_merged(a))  # merged.py: tests of their own
    ref_info = _reference(attrs)
    plain = Kept(attrs)
    plain_info = lru_cache(maxsize=None)(plain.info)
    merged_info = lru_cache(maxsize=None)(Kept(model.attrs).info)
    n = 0
    for sentences in _articles():
        doc = doc_counts(sentences)
        for words in sentences:
            raws = [w.upper() if k % 2 else w for k, w in enumerate(words)]  # some written forms differ
            for matches in (None, gazetteer().match(words)):
                for d in (doc, None):
                    want = sentence_features(words, matches, ref_info, attrs, raws, d)
                    assert kept_features(words, matches, plain_info, plain, raws, d) == want
                    got = model.features(words, matches, raws, d)
                    assert [[f.decode() for f in t] for t in got] == kept_features(
                        words, matches, merged_info, Kept(model.attrs), raws, d
                    )
                    n += 1
    assert n > 50


def test_article_tagging_equals_sentence_tagging() -> None:
    model = load_model(MODEL_PATH)
    for sentences in _articles():
        doc = doc_counts(sentences)
        matches = [gazetteer().match(w) for w in sentences]
        want = [tag_words(w, matches=m, raws=w, doc=doc) for w, m in zip(sentences, matches, strict=True)]
        assert model.tag_article(sentences, matches, sentences) == want


def test_gazetteer_start_cache_follows_additions() -> None:
    from khabar.entities.gazetteer import Entry, Gazetteer

    g = Gazetteer()
    words = [normalize_word(w) for w in ("وزيلاندا", "الجديدة")]
    assert g.match(words) == []  # the word's (empty) starts are cached now
    g.add("زيلاندا الجديدة", Entry("loc:x", "LOCATION", "CTRY"))
    [m] = g.match(words)
    assert (m.start, m.end, m.strip) == (0, 2, 1)
