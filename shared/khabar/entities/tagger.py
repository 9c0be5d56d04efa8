"""The shipped CRF: loaded lazily once per process, tags token lists with BIO labels."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pycrfsuite

from khabar.text import normalize_word

from ._paths import MODEL_PATH
from .features import WordInfo, sentence_features, word_info
from .gazetteer import Match

_cached_norm = lru_cache(maxsize=200_000)(normalize_word)


class _Model:
    """A crfsuite tagger and the attributes it has weights for: features outside that set cannot
    change a tag, so they are dropped before crossing into C++ (tagging ~1.7x faster)."""

    def __init__(self, path: Path) -> None:
        if not path.exists():
            raise FileNotFoundError(f"{path} missing: run `khabar train-ner --full`")
        self.tagger = pycrfsuite.Tagger()
        self.tagger.open(str(path))
        self.attrs = frozenset(a for a, _ in self.tagger.info().state_features)
        self.info = lru_cache(maxsize=200_000)(self._info)

    def _info(self, w: str) -> WordInfo:
        stem, classes, own, ctx = word_info(w)
        keep = self.attrs
        return (stem, classes, tuple(x for x in own if x in keep),
                {off: tuple(x for x in feats if x in keep) for off, feats in ctx.items()})

    def tag(self, words: list[str], matches: list[Match] | None) -> list[str]:
        return list(self.tagger.tag(sentence_features(words, matches, self.info, self.attrs)))


@lru_cache(maxsize=2)
def load_model(path: Path = MODEL_PATH) -> _Model:
    return _Model(path)


def tag_words(words: list[str], model: Path = MODEL_PATH, matches: list[Match] | None = None) -> list[str]:
    """BIO tags for already-normalised words of one sentence (and its gazetteer matches, if known)."""
    if not words:
        return []
    return load_model(model).tag(words, matches)


def tag_tokens(tokens: list[str], model: Path = MODEL_PATH) -> list[str]:
    """BIO tags (PERS/LOC/ORG/MISC), one per given token; tokens are raw text."""
    # An empty or whitespace token would vanish in a feature string; give it a stand-in.
    words = [_cached_norm(t.strip()) or "_" for t in tokens]
    return tag_words(words, model)
