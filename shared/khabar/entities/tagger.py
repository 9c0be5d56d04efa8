"""The shipped CRF: loaded lazily once per process, tags token lists with BIO labels."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pycrfsuite

from khabar.text import normalize_word

from . import camel_backend
from ._paths import MODEL_PATH
from .features import Doc, WordInfo, sentence_features, window_docs, word_info
from .gazetteer import Match

_cached_norm = lru_cache(maxsize=200_000)(normalize_word)


class Model:
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

    def tag(self, words: list[str], matches: list[Match] | None, raws: list[str] | None,
            doc: Doc | None = None) -> list[str]:
        return list(self.tagger.tag(sentence_features(words, matches, self.info, self.attrs, raws, doc)))


@lru_cache(maxsize=2)
def load_model(path: Path = MODEL_PATH) -> Model:
    return Model(path)


def tag_words(words: list[str], model: Path = MODEL_PATH, matches: list[Match] | None = None,
              raws: list[str] | None = None, doc: Doc | None = None) -> list[str]:
    """BIO tags for the normalised words of one sentence; `matches` are its gazetteer matches if
    already known, `raws` the words as written, `doc` the cue counts of its article."""
    if not words:
        return []
    if camel_backend.wanted():
        return camel_backend.tag_words(raws or words)
    return load_model(model).tag(words, matches, raws, doc)


def prepare(tokens: list[str]) -> list[str]:
    """Normalised words for raw tokens; an empty token gets a stand-in so it keeps its place."""
    return [_cached_norm(t.strip()) or "_" for t in tokens]


def tag_tokens(tokens: list[str], model: Path = MODEL_PATH) -> list[str]:
    """BIO tags (PERS/LOC/ORG/MISC), one per given token; tokens are raw text."""
    return tag_words(prepare(tokens), model, raws=tokens)


def tag_sentences(sentences: list[list[str]], model: Path = MODEL_PATH) -> list[list[str]]:
    """BIO tags for consecutive sentences of raw tokens (a corpus file without article marks):
    each sentence is tagged with the document cues of its neighbours (`features.WINDOW`)."""
    words = [prepare(t) for t in sentences]
    docs = window_docs(words)
    return [tag_words(w, model, raws=t, doc=d) for w, t, d in zip(words, sentences, docs, strict=True)]
