"""Arabic text utilities for matching: normalisation that keeps a map back to original offsets,
sentence and token spans.

Matching happens on a normalised copy of the body (camel-tools' Unicode, alef, alef-maksura and
teh-marbuta normalisation; diacritics and tatweel dropped) while every offset we store refers to
the original body. Only camel-tools' `utils` and `tokenizers` are imported: its `data`,
`morphology` and `ner` modules download a catalogue at import and are never used here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from camel_tools.tokenizers.word import simple_word_tokenize
from camel_tools.utils.charsets import AR_DIAC_CHARSET
from camel_tools.utils.normalize import (
    normalize_alef_ar,
    normalize_alef_maksura_ar,
    normalize_teh_marbuta_ar,
    normalize_unicode,
)

__all__ = [
    "NormalizedText",
    "normalize",
    "normalize_word",
    "sentence_spans",
    "token_spans",
    "simple_word_tokenize",
    "clitic_stems",
    "arabic_ratio",
]

TATWEEL = "\u0640"
_DROP = frozenset(AR_DIAC_CHARSET) | {TATWEEL, "\u200c", "\u200d", "\u200e", "\u200f", "\u061c"}
# Arabic-Indic and Eastern Arabic-Indic digits to ASCII, and the Arabic decimal/thousands marks.
_DIGITS = {ord(c): str(i) for i, c in enumerate("٠١٢٣٤٥٦٧٨٩")}
_DIGITS.update({ord(c): str(i) for i, c in enumerate("۰۱۲۳۴۵۶۷۸۹")})


@lru_cache(maxsize=4096)
def _norm_char(ch: str) -> str:
    """Normalise one character; may return "" (dropped) or several characters (ligatures)."""
    if ch in _DROP:
        return ""
    out = normalize_unicode(ch)
    out = normalize_alef_ar(out)
    out = normalize_alef_maksura_ar(out)
    out = normalize_teh_marbuta_ar(out)
    out = out.translate(_DIGITS)
    return "".join(c for c in out if c not in _DROP)


@dataclass(frozen=True, slots=True)
class NormalizedText:
    """A normalised copy of `original` and, for each of its characters, the original offset."""

    original: str
    text: str
    offsets: tuple[int, ...]  # len(text) + 1 entries; the last is len(original)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a [start, end) span of the normalised text back to the original text."""
        if end <= start:
            o = self.offsets[start]
            return o, o
        return self.offsets[start], self.offsets[end - 1] + 1


def normalize(original: str) -> NormalizedText:
    chars: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(original):
        # Fast path: most characters of Arabic news are already normal.
        n = ch if ch.isascii() else _norm_char(ch)
        for c in n:
            chars.append(c)
            offsets.append(i)
    offsets.append(len(original))
    return NormalizedText(original, "".join(chars), tuple(offsets))


def normalize_word(word: str) -> str:
    """Normalised form of a short string (a word or name), for dictionary keys."""
    return normalize(word).text


# Sentence ends: Arabic and Latin full stop, question/exclamation marks, and line breaks.
# A dot between two digits (83.7) is a decimal point, not an end.
_SENT_END = re.compile(r"(?<!\d)[.!?؟](?!\d)|\n+|[|]\s*$", re.M)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """[start, end) spans of sentences in `text`, trimmed of surrounding white space."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _SENT_END.finditer(text):
        _push(text, start, m.end(), spans)
        start = m.end()
    _push(text, start, len(text), spans)
    return spans


def _push(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))


_TOKEN = re.compile(r"\w+|[^\w\s]", re.U)


def token_spans(text: str) -> list[tuple[int, int]]:
    """Token spans in the manner of camel-tools' simple_word_tokenize (words and punctuation)."""
    return [m.span() for m in _TOKEN.finditer(text)]


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


_AR = re.compile(r"[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]")
_LETTER = re.compile(r"[^\W\d_]", re.U)


def arabic_ratio(text: str, sample: int = 4000) -> float:
    """Share of letters that are Arabic, over the first `sample` characters."""
    letters = _LETTER.findall(text[:sample])
    if not letters:
        return 0.0
    return sum(1 for c in letters if _AR.match(c)) / len(letters)
