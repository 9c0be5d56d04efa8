"""Gazetteers and word classes loaded from package data, matched over normalised tokens.

Every name is normalised with `khabar.text.normalize_word` and split like `token_spans`, so
matching is a dictionary walk over token n-grams (a prefix set stops it early): linear in the
text, independent of the number of entries.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import compress
from pathlib import Path
from typing import Any, cast

from khabar.entities._loading import gc_paused
from khabar.entities._paths import DATA_DIR, MODEL_PATH, beside
from khabar.text import clitic_stems, normalize_word

_TOKEN = re.compile(r"\w+|[^\w\s]", re.U)
stems = lru_cache(maxsize=200_000)(clitic_stems)  # words repeat: strip each once


@dataclass(frozen=True, slots=True)
class Entry:
    canonical_id: str
    type: str | None  # "LOCATION" / "ORGANIZATION"; None for nisba adjectives
    category: str  # CTRY, CITY, REG, LMK, ORG, NIS, GN (GeoNames city): tagger feature value
    country_code: str | None = None
    weak: bool = False  # ambiguous word: a feature and an id, never an entity on its own


@dataclass(frozen=True, slots=True)
class Match:
    start: int  # token index
    end: int  # exclusive
    entry: Entry
    strip: int  # characters of proclitic cut from the first token (و، ب، ل، ال ...)


def name_key(name: str) -> tuple[str, ...]:
    return tuple(_TOKEN.findall(normalize_word(name)))


class Gazetteer:
    def __init__(self) -> None:
        self.entries: dict[tuple[str, ...], Entry] = {}
        self.prefixes: set[tuple[str, ...]] = set()
        self.classes: dict[str, frozenset[str]] = {}
        self._starts: dict[str, tuple[tuple[str, int], ...]] = {}  # word -> (stem, strip) opening a name

    def _word_starts(self, word: str) -> tuple[tuple[str, int], ...]:
        """The stems of `word` (in `stems` order) that begin some name, with their strip."""
        starts = tuple((s, _strip(word, s)) for s in stems(word) if (s,) in self.prefixes)
        if len(self._starts) >= 200_000:
            self._starts.clear()
        self._starts[word] = starts
        return starts

    def add(self, name: str, entry: Entry) -> None:
        self.add_key(name_key(name), entry)

    def add_key(self, key: tuple[str, ...], entry: Entry) -> None:
        """`add` for a name already split into normalised words."""
        old = self.entries.get(key)
        if not key or (old is not None and not (old.weak and not entry.weak)):
            return  # first source wins (countries, then organisations, then places), strong over weak
        self.entries[key] = entry
        self._starts.clear()
        for n in range(1, len(key) + 1):
            self.prefixes.add(key[:n])

    def add_class(self, word: str, cls: str) -> None:
        w = normalize_word(word)
        self.classes[w] = self.classes.get(w, frozenset()) | {cls}

    def word_classes(self, word: str) -> frozenset[str]:
        """Classes of a normalised word or of its clitic-stripped stems (وقال -> قال)."""
        out: frozenset[str] = frozenset()
        for stem in stems(word):
            out |= self.classes.get(stem, frozenset())
        return out

    def match(self, words: list[str]) -> list[Match]:
        """Greedy longest, left-to-right, non-overlapping matches over normalised words."""
        cached = list(map(self._starts.get, words))  # per word: most start no name
        # Words not seen before are looked up (a warm process meets few).
        starts = (
            cast("list[tuple[tuple[str, int], ...]]", cached)
            if None not in cached
            else [s if s is not None else self._word_starts(w) for s, w in zip(cached, words, strict=True)]
        )
        out: list[Match] = []
        n, end = len(words), 0
        prefixes, entries = self.prefixes, self.entries
        for i in compress(range(n), starts):  # only where a name can begin
            if i < end:
                continue  # inside the previous match
            best: Match | None = None
            for stem, strip in starts[i]:
                key: tuple[str, ...] = (stem,)
                j = i + 1
                while key in prefixes:
                    entry = entries.get(key)
                    if entry is not None and (best is None or j > best.end):
                        best = Match(i, j, entry, strip)
                    if j >= n:
                        break
                    key = (*key, words[j])
                    j += 1
            if best is not None:
                out.append(best)
                end = best.end
        return out


def _strip(word: str, stem: str) -> int:
    if word.endswith(stem):
        return len(word) - len(stem)
    return len(word) - len(stem) + 2  # لل + X matched as ال + X: cut the whole لل


def _load(name: str) -> Any:
    return json.loads((DATA_DIR / name).read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
@gc_paused
def gazetteer() -> Gazetteer:  # noqa: C901  one loop per curated source, in precedence order
    g = Gazetteer()
    # One Entry per row and kind, shared by its names (entries are frozen): 13k names, fewer objects.
    for row in _load("countries.json")["countries"]:
        cc = row["code"]
        entry = Entry(f"country:{cc}", "LOCATION", "CTRY", cc)
        for name in row["names"]:
            g.add(name, entry)
        entry = Entry(f"country:{cc}", None, "NIS", cc)
        for name in row["nisbas"]:
            g.add(name, entry)
    for row in _load("organizations.json")["organizations"]:
        for weak, names in ((False, row["names"]), (True, row.get("weak_names", []))):
            entry = Entry(f"org:{row['id']}", "ORGANIZATION", "ORG", None, weak)
            for name in names:
                g.add(name, entry)
    cats = {"city": "CITY", "region": "REG", "landmark": "LMK"}
    for row in _load("places.json")["places"]:
        for weak, names in ((False, row["names"]), (True, row.get("weak_names", []))):
            entry = Entry(f"loc:{row['id']}", "LOCATION", cats[row["kind"]], None, weak)
            for name in names:
                g.add(name, entry)
    # GeoNames cities last and weak: thousands of names, some of them common words (العين 'the
    # eye'), so they are tagger features and ids for spans tagged as places, never entities alone.
    for row in _load("geonames_places.json")["places"]:
        entry = Entry(f"loc:{row['id']}", "LOCATION", "GN", row["cc"], weak=True)
        for name in row["names"]:
            g.add(name, entry)
    for cls, words in _load("ner_lexicon.json").items():
        if not cls.startswith("_"):
            for word in words:
                if " " not in word:
                    g.add_class(word, cls)
    return g


def names_from(rows: Iterable[Sequence[str]]) -> Gazetteer:
    """A gazetteer of [type, normalised words...] rows: the names seen labelled in training, a
    tagger feature only (type None: never an entity or an id by itself). Built in bulk (one shared
    Entry per type, no per-name cache reset, prefixes in one set display): 31k names in ~0.05 s."""
    g = Gazetteer()
    kinds: dict[str, Entry] = {}
    entries = g.entries
    for row in rows:
        key = tuple(row[1:])
        if key and key not in entries:  # the first row wins, as in add_key
            typ = row[0]
            entries[key] = kinds.get(typ) or kinds.setdefault(typ, Entry("", None, typ))
    # One-word names are their own only prefix; longer ones add theirs (most names are short).
    g.prefixes = {k[:n] for k in entries for n in range(1, len(k) + 1)} if entries else set()
    return g


@lru_cache(maxsize=4)
@gc_paused
def names(model: Path = MODEL_PATH) -> Gazetteer:
    """The names `model` was trained with (`khabar train-ner` writes them beside it)."""
    return names_from(json.loads(beside(model, "names.json").read_text(encoding="utf-8"))["names"])
