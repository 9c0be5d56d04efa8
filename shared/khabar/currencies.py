"""Currency names: the one list both extractors read (data/figures_units.json). The figures
extractor turns them into money units; the entity extractor never emits one as a name («الين» is
the yen, not a place or an organisation)."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

from khabar.text import normalize_word

__all__ = ["currency_entries", "currency_words"]


@lru_cache(maxsize=1)
def _units() -> dict[str, Any]:
    with resources.files("khabar").joinpath("data", "figures_units.json").open(encoding="utf-8") as fh:
        return json.load(fh)


def currency_entries() -> list[dict[str, Any]]:
    """The currencies of figures_units.json as written there (forms, scaled forms, ISO codes ...)."""
    return list(_units()["currencies"])


@lru_cache(maxsize=1)
def currency_words() -> frozenset[str]:
    """One-word currency names, normalised (ين، روبية، فرنك، دينار ...)."""
    words = set()
    for c in currency_entries():
        for form in (*c["forms"], *c.get("scaled_forms", {})):
            w = " ".join(normalize_word(form).split())
            if w.isalpha():
                words.add(w)
    return frozenset(words)
