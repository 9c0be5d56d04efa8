"""Arabic text utilities for matching: normalisation that keeps a map back to original offsets,
sentence and token spans.

Matching happens on a normalised copy of the body (camel-tools' Unicode, alef, alef-maksura and
teh-marbuta normalisation; diacritics and tatweel dropped) while every offset we store refers to
the original body. The normalisation table is computed with camel-tools' `utils` at development
time (`build_table`) and shipped as data, which keeps camel-tools' slow charset import off the
Lambda's cold start; its `data`, `morphology` and `ner` modules (which download a catalogue at
import) are never used.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

__all__ = [
    "NormalizedText",
    "normalize",
    "normalize_word",
    "sentence_spans",
    "token_spans",
    "clitic_stems",
    "arabic_ratio",
    "build_table",
]

# Bidi and joiner controls carry no letters; scrapers leave them inside numbers and names.
_CONTROLS = "\u200c\u200d\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# Code points whose normal form may differ from themselves: Latin-1 and general punctuation
# (NFKC), the Arabic blocks and their presentation forms. Everything else maps to itself.
_RANGES = (
    (0x00A0, 0x0100),
    (0x0600, 0x0700),
    (0x0750, 0x0780),
    (0x08A0, 0x0900),
    (0x2000, 0x2070),
    (0xFB00, 0xFE00),
    (0xFE70, 0xFF00),
)
TABLE_PATH = Path(__file__).parent / "data" / "normalization.json"


def build_table() -> dict[str, str]:
    """The normalisation of every code point in _RANGES that changes, computed with camel-tools
    (Unicode, alef, alef-maksura and teh-marbuta normalisers; its Arabic diacritic set; tatweel),
    plus Arabic-Indic digits to ASCII. Importing camel-tools' charsets takes ~0.5 s (it scans all of
    Unicode), so this runs at development time and the result ships as data/normalization.json;
    a test checks the file equals a fresh build."""
    from camel_tools.utils.charsets import AR_DIAC_CHARSET
    from camel_tools.utils.normalize import (
        normalize_alef_ar,
        normalize_alef_maksura_ar,
        normalize_teh_marbuta_ar,
        normalize_unicode,
    )

    drop = set(AR_DIAC_CHARSET) | {"\u0640"} | set(_CONTROLS)
    digits = {ord(c): str(i) for i, c in enumerate("٠١٢٣٤٥٦٧٨٩")}
    digits.update({ord(c): str(i) for i, c in enumerate("۰۱۲۳۴۵۶۷۸۹")})
    table: dict[str, str] = {}
    for lo, hi in _RANGES:
        for cp in range(lo, hi):
            ch = chr(cp)
            if ch in drop:
                out = ""
            else:
                out = normalize_teh_marbuta_ar(normalize_alef_maksura_ar(normalize_alef_ar(normalize_unicode(ch))))
                out = "".join(c for c in out.translate(digits) if c not in drop)
            if out != ch:
                table[ch] = out
    return table


def _load() -> tuple[dict[int, str], re.Pattern[str]]:
    raw: dict[str, str] = json.loads(TABLE_PATH.read_text(encoding="utf-8"))
    irregular = "".join(re.escape(c) for c, out in raw.items() if len(out) != 1)
    return {ord(c): out for c, out in raw.items()}, re.compile(f"[{irregular}]" if irregular else r"(?!)")


# One str.translate table for the whole normalisation, and the characters whose normal form is
# not exactly one character (they shift offsets).
_TABLE, _IRREGULAR = _load()


@dataclass(frozen=True, slots=True)
class NormalizedText:
    """A normalised copy of `original` and, for each of its characters, the original offset."""

    original: str
    text: str
    offsets: Sequence[int]  # len(text) + 1 entries; the last is len(original)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a [start, end) span of the normalised text back to the original text."""
        if end <= start:
            o = self.offsets[start]
            return o, o
        return self.offsets[start], self.offsets[end - 1] + 1


def normalize(original: str) -> NormalizedText:
    """One C-level translate pass; offsets are the identity unless a character was dropped or
    expanded, in which case they are rebuilt from the (rare) irregular positions."""
    text = original.translate(_TABLE)
    first = _IRREGULAR.search(original)
    if first is None:
        return NormalizedText(original, text, range(len(original) + 1))
    offsets: list[int] = []
    pos = 0
    for m in _IRREGULAR.finditer(original, first.start()):
        i = m.start()
        offsets.extend(range(pos, i))
        offsets.extend([i] * len(_TABLE.get(ord(original[i]), original[i])))
        pos = i + 1
    offsets.extend(range(pos, len(original) + 1))
    if pos == 0 and not offsets:
        offsets = [0]
    return NormalizedText(original, text, offsets)


def normalize_word(word: str) -> str:
    """Normalised form of a short string (a word or name), for dictionary keys: `normalize(word).text`
    without the offsets (the gazetteers normalise ~14k names on a cold start)."""
    return word.translate(_TABLE)


# Sentence ends: Arabic and Latin full stop, question/exclamation marks, and line breaks.
# A dot between two digits (83.7) is a decimal point, not an end. Written as (?<!\d)[.!?؟](?!\d), but
# with the mark first: a pattern that opens on a character set lets re skip to the candidates (2x faster).
_SENT_END = re.compile(r"[.!?؟](?<!\d.)(?!\d)|\n+|[|]\s*$", re.M)


@lru_cache(maxsize=8)  # the figure and entity extractors both split the same normalised body
def sentence_spans(text: str) -> tuple[tuple[int, int], ...]:
    """[start, end) spans of sentences in `text`, trimmed of surrounding white space."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _SENT_END.finditer(text):
        _push(text, start, m.end(), spans)
        start = m.end()
    _push(text, start, len(text), spans)
    return tuple(spans)


def _push(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))


_TOKEN = re.compile(r"\w+|[^\w\s]", re.U)


@lru_cache(maxsize=256)  # the entity extractor and each figure's subject tokenise the same sentences
def token_spans(text: str) -> tuple[tuple[int, int], ...]:
    """Token spans in the manner of camel-tools' simple_word_tokenize (words and punctuation)."""
    return tuple([m.span() for m in _TOKEN.finditer(text)])


# Proclitics that attach to the first word: conjunctions و ف, prepositions ب ل ك, and the article.
# Stripping is ambiguous (بوتين is not ب + وتين), so we offer candidates and let a lexicon decide.
_CLITIC = re.compile(r"^(?P<conj>[وف])?(?P<prep>[بلك])?(?P<art>ال)?")


def clitic_stems(word: str, min_len: int = 2) -> list[str]:
    """Candidate stems of a normalised word, longest first: the word itself, then without a
    leading و/ف, ب/ل/ك and ال (لل is ل + ال). Each candidate keeps at least `min_len` letters."""
    out = [word]
    rest = word
    for prefix in ("و", "ف"):
        if rest.startswith(prefix) and len(rest) - 1 >= min_len:
            rest = rest[1:]
            out.append(rest)
            break
    if rest.startswith("لل") and len(rest) - 2 >= min_len:
        out.append("ال" + rest[2:])
        out.append(rest[2:])
        return out
    if rest[:1] in ("ب", "ل", "ك") and len(rest) - 1 >= min_len:
        rest = rest[1:]
        out.append(rest)
    if rest.startswith("ال") and len(rest) - 2 >= min_len:
        out.append(rest[2:])
    return out


_NOT_AR = re.compile(r"[^\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]+")
_NOT_LETTER = re.compile(r"[\W\d_]+", re.U)


def arabic_ratio(text: str, sample: int = 4000) -> float:
    """Share of letters that are Arabic, over the first `sample` characters (two C-level passes)."""
    letters = _NOT_LETTER.sub("", text[:sample])
    if not letters:
        return 0.0
    return len(_NOT_AR.sub("", letters)) / len(letters)


if __name__ == "__main__":  # python -m khabar.text: regenerate data/normalization.json
    TABLE_PATH.write_text(
        json.dumps(build_table(), ensure_ascii=False, indent=0, sort_keys=True) + "\n", encoding="utf-8"
    )
    print(f"wrote {TABLE_PATH}")
