"""The figure lexicons (data/figures_*.json), normalised and compiled once at import.

Every form in the data files is written as it appears in text; here it goes through the same
normalisation as article bodies (`khabar.text.normalize_word`), so matching runs on the
normalised body and one entry covers its alef/yeh/teh-marbuta/diacritic variants.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from khabar.currencies import currency_entries
from khabar.text import normalize_word

__all__ = [
    "NumberWord",
    "CurrencyUnit",
    "UnitForm",
    "NUMBER_WORDS",
    "NUMBER_WORD_RE",
    "DECIMAL_WORDS",
    "NEGATIVE_WORDS",
    "UNIT_FORMS",
    "UNIT_RE",
    "PRE_UNIT_RE",
    "PERCENT_BEFORE_RE",
    "CURRENCY_BASES",
    "QUALIFIER_RE",
    "COUNTRY_NAME_RE",
    "COUNTRY_BY_NAME",
    "METRIC_BY_PHRASE",
    "CONTEXT_RE",
    "CONTEXT_FORMS",
    "Trigger",
    "phrase_pattern",
]


def _load(name: str) -> dict[str, Any]:
    with resources.files("khabar").joinpath("data", name).open(encoding="utf-8") as fh:
        return json.load(fh)


def _norm(form: str) -> str:
    return " ".join(normalize_word(form).split())


def phrase_pattern(forms: Iterable[str]) -> str:
    """A regex alternation of normalised phrases, factored as a trie so that a failing position
    is rejected on its first character (Python's re tries alternatives one by one); any white
    space between words. Greedy: the longest phrase wins, unless what follows fails."""
    trie: dict[str, dict] = {}
    for f in sorted({" ".join(f.split()) for f in forms}):  # sorted: the same pattern on every run
        node = trie
        for ch in f:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict[str, dict]) -> str:
        alts = [(r"\s+" if ch == " " else re.escape(ch)) + build(sub) for ch, sub in node.items() if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        if "" in node:
            return "(?:" + body + ")?"
        return body

    return build(trie)


@dataclass(frozen=True, slots=True)
class NumberWord:
    value: float
    kind: str  # zero unit ten tens hundred scale fraction
    plural: bool = False  # آلاف، ملايين، أرباع: needs a multiplier before it
    dual: bool = False  # ألفين، مليونين: stands for 2 x value


@dataclass(frozen=True, slots=True)
class CurrencyUnit:
    base: str  # ISO code for unambiguous currencies, else dinar/riyal/dirham/pound/lira
    iso: str | None  # None when ambiguous
    default: str | None = None
    qualifiers: dict[str, str] = field(default_factory=dict)  # normalised adjective stem -> ISO
    by_country: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class UnitForm:
    kind: str  # money percent quantity
    unit: str  # ISO, "%", quantity unit, or an ambiguous currency base
    factor: float = 1.0
    currency: CurrencyUnit | None = None
    needs_context: bool = False


# --- numbers -----------------------------------------------------------------------------------
_NUM = _load("figures_numbers.json")
NUMBER_WORDS: dict[str, NumberWord] = {}
for _kind in ("fraction", "fraction_dual", "fraction_plural", "hundred", "tens", "ten", "unit", "zero"):
    for _w, _v in _NUM[_kind].items():
        _k = _kind.split("_")[0]
        NUMBER_WORDS[_norm(_w)] = NumberWord(float(_v), _k, plural=_kind.endswith("plural"))
for _kind in ("scale", "scale_plural", "scale_dual"):
    for _w, _v in _NUM[_kind].items():
        NUMBER_WORDS[_norm(_w)] = NumberWord(
            float(_v), "scale", plural=_kind.endswith("plural"), dual=_kind.endswith("dual")
        )
DECIMAL_WORDS = frozenset(_norm(w) for w in _NUM["decimal_point"])
NEGATIVE_WORDS = frozenset(_norm(w) for w in _NUM["negative"])
NUMBER_WORD_RE = phrase_pattern(list(NUMBER_WORDS))

# --- units -------------------------------------------------------------------------------------
_UNITS = _load("figures_units.json")
UNIT_FORMS: dict[str, UnitForm] = {}
_PRE_FORMS: dict[str, UnitForm] = {}
CURRENCY_BASES: dict[str, CurrencyUnit] = {}
_QUALIFIERS: list[str] = []

for _w in _UNITS["percent_after"]:
    UNIT_FORMS[_norm(_w)] = UnitForm("percent", "%")
for _c in currency_entries():  # one list of currencies for both extractors (khabar.currencies)
    _quals = {_norm(q): iso for q, iso in _c.get("qualifiers", {}).items()}
    _QUALIFIERS.extend(_quals)
    if "base" in _c:
        _cur = CurrencyUnit(_c["base"], None, _c["default"], _quals, _c.get("by_country", {}))
        CURRENCY_BASES[_c["base"]] = _cur
    else:
        _cur = CurrencyUnit(_c["iso"], _c["iso"], _c["iso"], _quals)
    _unit = _cur.iso or _cur.base
    for _w in _c["forms"]:
        UNIT_FORMS[_norm(_w)] = UnitForm("money", _unit, float(_c.get("factor", 1)), _cur)
        if not _w[0].isalpha() or _w.isascii():  # symbols and codes may also stand before the number
            _PRE_FORMS[_norm(_w)] = UNIT_FORMS[_norm(_w)]
    for _w, _f in _c.get("scaled_forms", {}).items():
        UNIT_FORMS[_norm(_w)] = UnitForm("money", _unit, float(_f), _cur)
for _q in _UNITS["quantities"]:
    for _w in _q["forms"]:
        UNIT_FORMS.setdefault(
            _norm(_w),
            UnitForm("quantity", _q["unit"], float(_q.get("factor", 1)), None, bool(_q.get("needs_context"))),
        )

_ASCII_UNIT = r"(?<![A-Za-z])(?:{})(?![A-Za-z])"
_ascii = [f for f in UNIT_FORMS if f.isascii() and f[0].isalpha()]
_arabic = [f for f in UNIT_FORMS if f not in _ascii]
# A unit right after the number (white space or nothing between); word units end at a word end.
_AR_UNITS, _LATIN_UNITS = phrase_pattern(_arabic), _ASCII_UNIT.format(phrase_pattern(_ascii))
UNIT_RE = re.compile(rf"[ \t\u00a0\u202f]*(?:(?P<u>{_AR_UNITS})(?![\w])|(?P<a>{_LATIN_UNITS}))")
# A currency symbol or code right before the number: $5، US$ 5، USD 5.
PRE_UNIT_RE = re.compile(rf"(?:{phrase_pattern(list(_PRE_FORMS))})[ \t\u00a0]*$")
PRE_UNIT_FORMS = _PRE_FORMS
PERCENT_BEFORE_RE = re.compile(
    r"(?<![\w])(?P<p>{})[ \t\u00a0]*$".format(phrase_pattern([_norm(w) for w in _UNITS["percent_before"]]))
)
# An adjective that names the currency's country: دينار كويتي، الدولارات الأمريكية، جنيها إسترلينيا.
QUALIFIER_RE = re.compile(
    r"[ \t\u00a0]+(?:ال)?(?P<q>{})(?:ه|ا|ين|ان|يه)?(?![\w])".format(
        phrase_pattern([q.removesuffix("ي") + "ي" for q in _QUALIFIERS])
    )
)
_CC = _UNITS["currency_countries"]
COUNTRY_BY_NAME: dict[str, str] = {_norm(n): cc for cc, names in _CC.items() if not cc.startswith("_") for n in names}
COUNTRY_NAME_RE = re.compile(rf"\b(?:[وفبل]|ال|بال|لل|وال)?(?P<n>{phrase_pattern(list(COUNTRY_BY_NAME))})")

# --- context -----------------------------------------------------------------------------------
# All triggers in one pattern: proclitics (a trie), a stem (a trie: re rejects most positions on
# the first character) and a suffix; the stem is classified with CONTEXT_FORMS.
_CTX = _load("figures_context.json")
_PREFIXES = {
    c + p + v
    for c in ("", "و", "ف")
    for p in ("", "ب", "ل", "ك", "لل", "ال", "بال", "كال")
    for v in ("", "ا", "ي", "ت", "ن")
    if not (v and p in ("ك", "كال"))
}
_SUFFIX = r"(?:ت|ا|وا|ان|تا|ه|ات|اته|ها|هما|هم|ين|ون|يا)?"


@dataclass(slots=True)
class Trigger:
    metric: str | None = None
    direction: str | None = None  # up / down
    neutral: bool = False


CONTEXT_FORMS: dict[str, Trigger] = {}
METRIC_BY_PHRASE: dict[str, str] = {}
for _m, _phrases in _CTX["metric"].items():
    for _p in _phrases:
        _n = _norm(_p).removeprefix("ال")  # the prefixes put the article back
        METRIC_BY_PHRASE.setdefault(_n, _m)
        _t = CONTEXT_FORMS.setdefault(_n, Trigger())
        _t.metric = _t.metric or _m
for _d, _stems in _CTX["direction"].items():
    for _st in _stems:
        CONTEXT_FORMS.setdefault(_norm(_st), Trigger()).direction = _d
for _st in _CTX["neutral"]:
    _t = CONTEXT_FORMS.setdefault(_norm(_st), Trigger())
    _t.neutral = _t.direction is None
_CTX_PRE, _CTX_STEMS = phrase_pattern(list(_PREFIXES)), phrase_pattern(list(CONTEXT_FORMS))
CONTEXT_RE = re.compile(rf"\b(?:{_CTX_PRE})(?P<w>{_CTX_STEMS}){_SUFFIX}(?!\w)")
