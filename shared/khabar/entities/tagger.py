"""The shipped CRF: loaded lazily once per process, tags token lists with BIO labels."""

from __future__ import annotations

import gzip
import hashlib
from functools import lru_cache
from pathlib import Path

import pycrfsuite

from khabar.entities import camel_backend
from khabar.entities._loading import gc_paused
from khabar.entities._paths import MODEL_PATH, beside
from khabar.entities.crf_file import CRFModel, read_model
from khabar.entities.features import WINDOW, Doc, Kept, add_cues, kept_features, neighbour_cues, window_docs
from khabar.entities.gazetteer import Match, names
from khabar.entities.propagate import fix_spans, propagate_tags
from khabar.text import normalize_word

_cached_norm = lru_cache(maxsize=200_000)(normalize_word)


class Model:
    """A crfsuite tagger and the attributes it has weights for (`model_attrs`): features outside
    that set cannot change a tag, or barely, so they are dropped before crossing into C++."""

    def __init__(self, path: Path) -> None:
        if not path.exists():
            raise FileNotFoundError(f"{path} missing: run `khabar train-ner --full`")
        self.tagger = pycrfsuite.Tagger()
        self.tagger.open(str(path))
        self.attrs = read_attrs(path)
        self.kept = Kept(self.attrs, as_bytes=True)
        self.info = lru_cache(maxsize=200_000)(self.kept.info)
        self.lexicon = names(path)

    def features(
        self,
        words: list[str],
        matches: list[Match] | None,
        raws: list[str] | None,
        doc: Doc | None = None,
        cues: list[str] | None = None,
    ) -> list[list[str]]:
        """`sentence_features(words, matches, keep=self.attrs, raws=raws, doc=doc)`, built faster
        and UTF-8 encoded, as `tag` hands them to crfsuite."""
        return kept_features(words, matches, self.info, self.kept, raws, doc, cues, lexicon=self.lexicon)

    def tag(
        self,
        words: list[str],
        matches: list[Match] | None,
        raws: list[str] | None,
        doc: Doc | None = None,
        cues: list[str] | None = None,
    ) -> list[str]:
        return self.tagger.tag(self.features(words, matches, raws, doc, cues))

    def tag_article(
        self, sentences: list[list[str]], matches: list[list[Match]], raws: list[list[str]]
    ) -> list[list[str]]:
        """Tags of each sentence of an article, with the article's document cues: the same as
        `tag(words, matches, raws, features.doc_counts(sentences))` per sentence, but each word's
        info and each sentence's cues are computed once for both the counts and the features."""
        info = self.info
        infos = [[info(w) for w in words] for words in sentences]
        cues = [neighbour_cues([x[7] for x in xs], xs) for xs in infos]
        doc: dict[str, dict[str, int]] = {}
        for xs, cs in zip(infos, cues, strict=True):
            add_cues(doc, xs, cs)  # type: ignore[arg-type]  # reads stems only
        tag, kept = self.tagger.tag, self.kept
        lexicon = self.lexicon
        return [
            tag(kept_features(w, m, info, kept, r, doc, c, xs, lexicon)) if w else []
            for w, m, r, c, xs in zip(sentences, matches, raws, cues, infos, strict=True)
        ]


def _model_digest(model: Path) -> str:
    return hashlib.sha256(model.read_bytes()).hexdigest()


# Attributes whose every state weight is below this in magnitude are not handed to crfsuite: an
# eighth of the model's attributes, the same dev-tail scores (0.02; 0.05 lost 0.003 micro-F1),
# and each token's feature list shorter. L1 leaves many weights just above zero.
MIN_WEIGHT = 0.02


def kept_attrs(model: CRFModel) -> frozenset[str]:
    """The attributes `model` has a state weight of at least `MIN_WEIGHT` (in magnitude) for."""
    return frozenset(
        a for a, row in zip(model.attrs, model.state, strict=True) if any(abs(w) >= MIN_WEIGHT for _, w in row)
    )


def model_attrs(model: Path) -> frozenset[str]:
    """`kept_attrs` of the model file (≈ 0.1 s to parse it)."""
    return kept_attrs(read_model(model.read_bytes()))


def write_attrs(model: Path) -> None:
    """Save `model_attrs` beside the model, keyed by the model's digest, for a fast cold start."""
    text = "\n".join([_model_digest(model), *sorted(model_attrs(model))])
    beside(model, "attrs.gz").write_bytes(gzip.compress(text.encode("utf-8"), mtime=0))


def read_attrs(model: Path) -> frozenset[str]:
    """`model_attrs`, from the saved list when it belongs to this very model file (≈ 15 ms)."""
    path = beside(model, "attrs.gz")
    if path.exists():
        digest, *attrs = gzip.decompress(path.read_bytes()).decode("utf-8").split("\n")
        if digest == _model_digest(model):
            return frozenset(attrs)
    return model_attrs(model)


@lru_cache(maxsize=2)
@gc_paused
def load_model(path: Path = MODEL_PATH) -> Model:
    return Model(path)


def tag_words(
    words: list[str],
    model: Path = MODEL_PATH,
    matches: list[Match] | None = None,
    raws: list[str] | None = None,
    doc: Doc | None = None,
) -> list[str]:
    """BIO tags for the normalised words of one sentence; `matches` are its gazetteer matches if
    already known, `raws` the words as written, `doc` the cue counts of its article."""
    if not words:
        return []
    if camel_backend.wanted():
        return camel_backend.tag_words(raws or words)
    return load_model(model).tag(words, matches, raws, doc)


def tag_article(
    sentences: list[list[str]], matches: list[list[Match]], raws: list[list[str]], model: Path = MODEL_PATH
) -> list[list[str]]:
    """BIO tags for the normalised words of each sentence of one article, with the article's
    document cues (`features.doc_counts`); `matches` are each sentence's gazetteer matches, `raws`
    its words as written."""
    if camel_backend.wanted():
        return [camel_backend.tag_words(r or w) if w else [] for w, r in zip(sentences, raws, strict=True)]
    return fix_spans(sentences, load_model(model).tag_article(sentences, matches, raws))


def prepare(tokens: list[str]) -> list[str]:
    """Normalised words for raw tokens; an empty token gets a stand-in so it keeps its place."""
    return [_cached_norm(t.strip()) or "_" for t in tokens]


def tag_tokens(tokens: list[str], model: Path = MODEL_PATH) -> list[str]:
    """BIO tags (PERS/LOC/ORG/MISC), one per given token; tokens are raw text."""
    return tag_words(prepare(tokens), model, raws=tokens)


def tag_sentences(sentences: list[list[str]], model: Path = MODEL_PATH) -> list[list[str]]:
    """BIO tags for consecutive sentences of raw tokens (a corpus file without article marks):
    each sentence is tagged with the document cues of its neighbours (`features.WINDOW`), then
    the span rules run (`fix_spans`) and names tagged in that window are tagged where they recur
    untagged (`propagate_tags`)."""
    words = [prepare(t) for t in sentences]
    docs = window_docs(words)
    tags = [tag_words(w, model, raws=t, doc=d) for w, t, d in zip(words, sentences, docs, strict=True)]
    return propagate_tags(words, fix_spans(words, tags), WINDOW)
