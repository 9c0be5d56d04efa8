"""Optional high-accuracy backend: camel-tools' BERT NERecognizer, for a container-image Lambda
that ships torch and the model data (`CAMELTOOLS_DATA`). Never imported on the default path:
`khabar.entities` only loads it when `KHABAR_NER_BACKEND=camel`.

The recognizer tags the same tokens our CRF tags, so offsets, gazetteer reconciliation and ids are
unchanged; only the BIO labels come from BERT (ANERcorp's label set: PERS, LOC, ORG, MISC).
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Protocol

LABELS = frozenset({"PERS", "LOC", "ORG", "MISC"})


class Recognizer(Protocol):
    def predict_sentence(self, sentence: list[str]) -> list[str]: ...


def wanted() -> bool:
    return os.environ.get("KHABAR_NER_BACKEND", "").lower() == "camel"


@lru_cache(maxsize=1)
def _pretrained() -> Recognizer:
    if not os.environ.get("CAMELTOOLS_DATA"):
        raise RuntimeError("KHABAR_NER_BACKEND=camel needs CAMELTOOLS_DATA with the 'ner-arabert' model")
    from camel_tools.ner import NERecognizer  # heavy (torch): only here

    return NERecognizer.pretrained()


def to_bio(labels: list[str], n: int) -> list[str]:
    """camel-tools labels to our BIO: unknown labels become O; length must match the tokens."""
    if len(labels) != n:
        raise ValueError(f"recognizer returned {len(labels)} labels for {n} tokens")
    out = []
    for label in labels:
        prefix, _, typ = label.partition("-")
        out.append(label if prefix in ("B", "I") and typ in LABELS else "O")
    return out


def tag_words(words: list[str], recognizer: Recognizer | None = None) -> list[str]:
    """BIO tags for one sentence's tokens from the BERT recognizer."""
    if not words:
        return []
    rec = recognizer or _pretrained()
    return to_bio(rec.predict_sentence(words), len(words))
