"""Numbers in normalised Arabic text: digits in any script (already ASCII after
`khabar.text.normalize`), Tunisian decimal styles, and number words with their compounds.

Digit separators, decided per number:
- `٫` is always decimal, `٬ ' ’` always thousands, runs of spaces before 3-digit groups are
  thousands (Tunisian «321 666»);
- one `,` or `،` is decimal unless exactly three digits follow a 1-3 digit integer and no scale
  word comes next («1,234» = 1234 but «117,901 مليون» = 117.901 million, «71،8» = 71.8);
- several identical separators are thousands; with two kinds, the last one is the decimal mark;
- TAP wire style «5ر2» reads right to left: 2.5.

Words: units, teens (ثلاثة عشر), units before tens (ثلاثة وعشرون), hundreds (ثلاثمائة, ثلاث مائة),
scales (ألف … تريليون, dual forms ألفين/ملياري = 2x, plural forms need a multiplier), fractions
(نصف، ربع، ثلثان، ثلاثة أرباع، مليار ونصف), spoken decimals (ثلاثة فاصلة خمسة، 5 فاصل 7), groups chained
with و in decreasing scale (مليون وألفين ومائتين), and digits with scale words (83.7 مليار،
3 مليارات و500 مليون).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass

from khabar.figures.lexicon import DECIMAL_WORDS, NEGATIVE_WORDS, NUMBER_WORD_RE, NUMBER_WORDS, phrase_pattern
from khabar.text import normalize

__all__ = ["NumberSpan", "find_numbers", "extract_numbers", "parse_digits"]

_SP = r"[ \t\u00a0\u202f]"
DIGITS = (
    r"(?:\d+ر\d+"  # TAP «5ر2»
    rf"|\d{{1,3}}(?:{_SP}\d{{3}})+(?!\d)(?:[.,،٫]\d+)?"  # 1 234 567(.89)
    r"|\d+(?:[\u202a-\u202e\u2066-\u2069]?[.,،٫٬'’][\u202a-\u202e\u2066-\u2069]?\d+)*)"  # bidi marks
    r"(?:[eE][-+]?\d+)?"
)
# Where a number may start: at a word start (a proclitic و ف ب ل ك or ال may be glued to it).
# The pattern starts with \b so that re's scan stays fast; a start right after a decimal mark
# («,25») and a glued minus sign are checked in Python on the few candidates.
ANCHOR_RE = re.compile(rf"\b(?:(?P<cl>[وف][بلك]?|[بلك]|ال)?(?:(?P<dig>{DIGITS})|(?P<w>{NUMBER_WORD_RE})(?!\w)))")
# A cheaper first pass: one trie of number words and of digits, each with their proclitics; the
# candidates it finds are then read with ANCHOR_RE.
_CLITICS = ("", "و", "ف", "ب", "ل", "ك", "وب", "ول", "وك", "فب", "فل", "ال")
_LOCATED = [c + w for c in _CLITICS[:-1] for w in NUMBER_WORDS] + [c + d for c in _CLITICS for d in "0123456789"]
_LOCATOR_RE = re.compile(rf"\b(?:{phrase_pattern(_LOCATED)})")
_NOT_BEFORE = frozenset(".,،٫٬")
# A following token of the same number: a word, or (after و) digits.
# و is read as a conjunction first: «مائة وأحد» is 100 + 1, not 100 followed by «واحد».
CONT_RE = re.compile(
    rf"{_SP}*(?:(?P<conj>و){_SP}*(?:(?P<w1>{NUMBER_WORD_RE})(?!\w)|(?P<dig>{DIGITS}))"
    rf"|(?P<w0>{NUMBER_WORD_RE})(?!\w))"
)
# Tunisian abbreviations that carry a scale (م د = million dinars, أد = thousand dinars): the
# number before them is read as if a scale word followed («194,647 م د» = 194.647 million).
_ABBREV_SCALE_RE = re.compile(rf"{_SP}*[ما]\.?{_SP}?\.?د(?!\w)")
_DECIMAL_RE = re.compile(rf"{_SP}+(?:{'|'.join(DECIMAL_WORDS)}){_SP}+")
# The fractional part of a spoken decimal written in digits: «5 فاصل 7», «خمسة فاصلة 25».
_FRACTION_DIGITS_RE = re.compile(r"\d+(?![\d.,،٫٬]?\d)")
_NEG_BEFORE_RE = re.compile(rf"(?:{'|'.join(NEGATIVE_WORDS)}){_SP}+$")
_STRIP = re.compile(r"[ \t\u00a0\u202f\u202a-\u202e\u2066-\u2069]")
_SEP = re.compile(r"[.,،٫٬'’]")
_MAX_TOKENS = 16


@dataclass(slots=True)
class NumberSpan:
    """A number in the normalised text. `scale` is the multiplier of a single «N scale» group
    (for range inheritance: «بين 10 و15 مليار»), 1 otherwise."""

    start: int
    end: int
    value: float
    scale: float = 1.0
    words: bool = False
    has_scale: bool = False  # a scale word is part of it (with scale 1: several groups, 3 مليارات و500 مليون)

    @property
    def base(self) -> float:
        return self.value / self.scale


@dataclass(slots=True)
class _Tok:
    kind: str  # digits zero unit ten tens hundred scale fraction
    value: float
    end: int
    conj: bool = False
    plural: bool = False
    dual: bool = False


def parse_digits(s: str, scaled: bool = False) -> float | None:
    """Value of a digit string (ASCII digits); `scaled` says a scale word follows."""
    s = _STRIP.sub("", s)
    mant, _, exp = s.lower().partition("e")
    if "ر" in mant:
        frac, _, whole = mant.partition("ر")
        v = float(f"{whole}.{frac}")
    else:
        seps = _SEP.findall(mant)
        parts = _SEP.split(mant)
        if not seps:
            v = float(mant)
        elif len(set(seps)) > 1:  # 26،013,94: the last mark is the decimal one
            v = float("".join(parts[:-1]) + "." + parts[-1])
        elif seps[0] in "٬'’" or len(seps) > 1:
            if seps[0] == "٫" or any(len(p) != 3 for p in parts[1:]):
                return None  # 192.168.1.2, 1٫2٫3: not one number
            v = float("".join(parts))
        elif seps[0] in ",،" and len(parts[1]) == 3 and len(parts[0]) <= 3 and not scaled:
            v = float("".join(parts))
        else:
            v = float(parts[0] + "." + parts[1])
    return v * 10 ** int(exp) if exp.lstrip("+-").isdigit() else v


def _word_token(word: str, end: int, conj: bool) -> _Tok:
    w = NUMBER_WORDS[word]
    return _Tok(w.kind, w.value, end, conj, w.plural, w.dual)


def _evaluate(toks: list[_Tok]) -> tuple[float, int, float] | None:  # noqa: C901  one pass over the number grammar
    """(value, tokens used, scale of a single group) of the longest valid prefix of `toks`."""
    total, cur, kind = 0.0, None, ""
    last_scale = math.inf
    n_scales = 0
    pending = False  # a group after a scale, valid only once closed (see _commit)
    pending_digits = False
    best: tuple[float, int, float] | None = None
    broke = False
    for i, t in enumerate(toks):
        ok = False
        k, v = t.kind, t.value
        after_scale = cur is None and last_scale < math.inf
        if k == "digits":
            if i == 0:
                cur, kind, ok = v, "digits", True
            elif t.conj and after_scale:
                cur, kind, ok, pending, pending_digits = v, "digits", True, True, True
        elif k in ("zero", "unit", "ten", "tens", "hundred"):
            if cur is None:
                if i == 0 or (t.conj and after_scale):
                    cur, kind, ok = v, k, True
                    pending = i > 0
            elif not t.conj:
                if k == "ten" and kind == "unit":  # ثلاثة عشر، مائة وخمسة عشر
                    cur, kind, ok = cur + 10, "teen", True
                elif k == "hundred" and v == 100 and kind in ("unit", "digits") and 1 <= cur < 10:
                    cur, kind, ok = cur * 100, "hundred", True  # ثلاث مائة، ٣ مئة
            elif kind == "hundred" and k in ("unit", "ten", "tens"):
                cur, kind, ok = cur + v, k, True
            elif kind == "unit" and k == "tens":  # ثلاثة وعشرون
                cur, kind, ok = cur + v, "tens", True
        elif k == "scale" and v < last_scale:
            mult: float | None = None
            if cur is None:
                if not t.plural and (i == 0 or t.conj):
                    mult = 2.0 if t.dual else 1.0
            elif not t.conj and not t.dual:
                mult = cur
            if mult is not None:
                total += mult * v
                cur, kind, last_scale, ok = None, "scale", v, True
                pending = pending_digits = False
                n_scales += 1
        elif k == "fraction":
            if t.plural:
                if cur is not None and not t.conj and kind in ("unit", "digits", "ten", "teen", "tens"):
                    cur, kind, ok = cur * v, "fraction", True  # ثلاثة أرباع، مائة وثلاثون أخماس = 26
            elif cur is None and i == 0:
                cur, kind, ok = v, "lead_fraction", True  # نصف مليون
            elif t.conj and cur is not None and kind in ("unit", "ten", "teen", "tens", "hundred", "digits"):
                cur, kind, ok = cur + v, "fraction", True  # واحد ونصف
            elif t.conj and kind == "scale":
                total += v * last_scale  # مليار ونصف
                kind, ok = "fraction", True
        if not ok:
            broke = True
            break
        if not pending:
            scale = last_scale if n_scales == 1 and cur is None else 1.0
            best = (total + (cur or 0.0), i + 1, scale)
    if pending and not broke and cur is not None and (not pending_digits or last_scale == 1000):
        best = (total + cur, len(toks), 1.0)
    return best


def _tokens_after(text: str, pos: int, toks: list[_Tok]) -> None:
    while len(toks) < _MAX_TOKENS:
        m = CONT_RE.match(text, pos)
        if not m:
            return
        conj = m.group("conj") is not None
        if m.group("dig"):
            v = parse_digits(m.group("dig"), _scaled_after(text, m.end()))
            if v is None:
                return
            toks.append(_Tok("digits", v, m.end(), conj))
        else:
            toks.append(_word_token(m.group("w0") or m.group("w1"), m.end(), conj))
        pos = m.end()


def _scaled_after(text: str, pos: int) -> bool:
    nxt = CONT_RE.match(text, pos)
    return bool(nxt and not nxt.group("conj") and _is_scale(nxt)) or bool(_ABBREV_SCALE_RE.match(text, pos))


def _is_scale(m: re.Match[str]) -> bool:
    w = m.group("w0") or m.group("w1")
    return bool(w) and NUMBER_WORDS[w].kind == "scale"


def _minus_at(text: str, i: int) -> bool:
    """Is text[i] == '-' a minus sign (after a space or a lone proclitic: «ب-0.5») rather than
    a dash between two numbers («10-15»)?"""
    if i == 0 or not text[i - 1].isalnum():
        return True
    return text[i - 1] in "وفبلك" and (i == 1 or not text[i - 2].isalnum())


def _spoken_fraction(text: str, pos: int, whole: float) -> tuple[float, int] | None:
    """(value, end) of `whole` + the fractional part at `pos`, after «فاصلة»: digits («5 فاصل 7»)
    or words (خمسة، صفر خمسة، خمسة وعشرون); leading zeros are kept."""
    if whole != int(whole):
        return None
    fd = _FRACTION_DIGITS_RE.match(text, pos)
    if fd:
        return float(f"{int(whole)}.{fd.group()}"), fd.end()
    toks: list[_Tok] = []
    _tokens_after(text, pos, toks)
    if not toks:
        return None
    if all(t.kind in ("zero", "unit") and not t.conj for t in toks):
        return float(f"{int(whole)}.{''.join(str(int(t.value)) for t in toks)}"), toks[-1].end
    fr = _evaluate(toks)
    if fr and fr[2] == 1.0 and fr[0] == int(fr[0]):
        return float(f"{int(whole)}.{int(fr[0])}"), toks[fr[1] - 1].end
    return None


def _parse_at(text: str, m: re.Match[str]) -> NumberSpan | None:
    toks: list[_Tok] = []
    neg = False
    if m.group("dig"):
        start = m.start("dig")
        if m.start() and text[m.start() - 1] in _NOT_BEFORE:
            return None
        # A glued minus sign, not a dash between two numbers (10-15): -5, ب-0.5
        if not m.group("cl") and start and text[start - 1] == "-" and _minus_at(text, start - 1):
            neg, start = True, start - 1
        v = parse_digits(m.group("dig"), _scaled_after(text, m.end()))
        if v is None:
            return None
        toks.append(_Tok("digits", v, m.end()))
    else:
        word, start, cl = m.group("w"), m.start("w"), m.group("cl")
        if cl and cl + word in NUMBER_WORDS:  # واحد is not و + احد
            word, start = cl + word, m.start()
        elif cl == "ال":  # الاثنين (Monday), الخمسة: not a quantity
            return None
        toks.append(_word_token(word, m.end(), False))
    _tokens_after(text, m.end(), toks)
    res = _evaluate(toks)
    if res is None:
        return None
    value, used, scale = res
    end = toks[used - 1].end
    words = toks[0].kind != "digits"
    has_scale = scale != 1.0 or (used > 1 and any(t.kind == "scale" for t in toks[:used]))
    # Spoken decimal: ثلاثة فاصلة خمسة، 5 فاصل 7 (the fractional part is read as written).
    d = _DECIMAL_RE.match(text, end) if scale == 1.0 else None
    if d:
        frac = _spoken_fraction(text, d.end(), value)
        if frac:
            value, end = frac
        s = CONT_RE.match(text, end)
        if s and not s.group("conj") and _is_scale(s) and not NUMBER_WORDS[s.group("w0")].dual:
            scale = NUMBER_WORDS[s.group("w0")].value
            value, end, has_scale = value * scale, s.end(), True
    if neg:
        value = -value
    else:
        n = _NEG_BEFORE_RE.search(text, max(0, start - 8), start)
        if n:
            value, start = -value, n.start()
    value = float(f"{value:.12g}")  # drop float noise: 0.6000000000000001
    return NumberSpan(start, end, value, scale, words, has_scale)


def find_numbers(text: str, pos: int = 0, endpos: int | None = None) -> Iterator[NumberSpan]:
    """Numbers in normalised `text`, left to right, not overlapping."""
    endpos = len(text) if endpos is None else endpos
    while True:
        loc = _LOCATOR_RE.search(text, pos, endpos)
        if not loc:
            return
        m = ANCHOR_RE.match(text, loc.start(), endpos)
        if not m:
            pos = loc.end()
            continue
        num = _parse_at(text, m)
        if num is None:
            pos = m.end()
            continue
        yield num
        pos = num.end


def extract_numbers(text: str) -> list[tuple[str, int, int, float]]:
    """(surface, start, end, value) of every number in an original text, offsets into it."""
    norm = normalize(text)
    out = []
    for n in find_numbers(norm.text):
        s, e = norm.span(n.start, n.end)
        out.append((text[s:e], s, e, n.value))
    return out
