"""The words and patterns of time expressions that `khabar.figures.period` reads: the word lists
of data/figures_periods.json, one regular expression per kind of expression (on normalised text),
the kinds each word may start, and the anchors that the one-pass scan looks for."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import cache
from importlib import resources
from typing import Any

from khabar.figures.lexicon import phrase_pattern
from khabar.text import normalize_word


def _load() -> dict[str, Any]:
    with resources.files("khabar").joinpath("data", "figures_periods.json").open(encoding="utf-8") as fh:
        return json.load(fh)


def _n(form: str) -> str:
    return " ".join(normalize_word(form).split())


def _alt(forms: Iterable[str]) -> str:
    """An alternation of the normalised forms, as a trie (`phrase_pattern`)."""
    return phrase_pattern(_n(f) for f in forms)


_D = _load()
_MONTHS = {_n(f): int(m) for m, forms in _D["months"].items() for f in forms}
_ORDINALS = {_n(f): (4 if o == "last" else int(o)) for o, forms in _D["ordinals"].items() for f in forms}
_COUNTS = {_n(f): int(c) for c, forms in _D["month_counts"].items() for f in forms}

# --- patterns of the expressions, on normalised text -------------------------------------------
_MONTH = _alt(_MONTHS)
_ORD = _alt(_ORDINALS)
_COUNT = _alt(_COUNTS)
_PLURAL = _alt(_D["month_plurals"])
_YNOUN = _alt(_D["year_nouns"])
_CL = r"[وف]?(?:بال|لل|ال|ل|ب)?"  # proclitics before a noun
_YN = rf"{_CL}(?:{_YNOUN})"  # عام، العام، لسنة، للعام، بسنة
_SHAHR = rf"(?:{_CL}شهر\s+)"
_Y = r"(?:19|20)\d\d(?!\d)"
_THIS = _alt(_D["this"])
_DAYS = {_n(f): int(d) for d, forms in _D["days"].items() for f in forms}
_WEEKDAYS = {_n(f): int(d) for d, forms in _D["weekdays"].items() for f in forms}
_WEEKDAY = _alt(_WEEKDAYS)


def _year(s: str) -> str:
    return rf"(?P<y{s}>{_Y})(?:م(?!\w))?"  # «2016م»: the Gregorian era mark


def _rel(s: str) -> str:
    past, cur, nxt = (_alt(_D["relative"][k]) for k in ("past", "current", "next"))
    return rf"(?:ال)?(?:(?P<p{s}>{past})|(?P<c{s}>{cur})|(?P<n{s}>{nxt}))(?!\w)"


def _yref(s: str) -> str:
    """A year after a sub-year unit: «2016», «من سنة 2016», «لعام 2016», «من العام الماضي», «من هذه السنة»."""
    prep = r"(?:(?:من|في|خلال)\s+)?"
    this = rf"(?P<t{s}>ل?(?:{_THIS})\s+(?:ال)?(?:{_YNOUN})(?!\w))"
    return rf"(?:\s*{prep}(?:{_YN}\s*)?{_year(s)}|\s+{prep}(?:{_YN}\s+{_rel(s)}|{this}))"


def _month(s: str) -> str:  # «ديسمبر/كانون الأول», «كانون الأول (ديسمبر)»
    return rf"(?P<m{s}>{_MONTH})(?!\w)(?:\s*[/(]\s*[^\W\d_]+(?:\s+[^\W\d_]+)?\s*\)?)?"


def _first(s: str) -> str:
    return rf"(?:ال)?(?:(?P<f{s}>{_alt(_D['first'])})|(?P<l{s}>{_alt(_D['last'])}))(?!\w)(?:{_yref(s)})?"


# One pattern per kind of expression; where several may start at a word, the earlier kind wins.
_ALTS = {
    "same": rf"[وف]?[بل]?(?:{_alt(_D['same_period'])})(?!\w)(?:{_yref('S')})?",
    "anaph": rf"[وف]?[بل]?(?:{_alt(_D['anaphoric'])})(?!\w)(?:{_yref('A')})?",
    "open": rf"[وف]?[بل]?(?:{_alt(_D['open_spans'])})(?!\w)",
    "idate": rf"(?P<iy>{_Y})-(?P<im>[01]\d)-(?P<id>[0-3]\d)(?!\d)",
    "yrange": rf"(?:(?:ما\s+)?بين\s+)?(?:{_CL}(?:{_alt(_D['year_range_nouns'] + _D['year_nouns'])})\s*)?(?P<r0>{_Y})"
    rf"\s*(?:[-–/]\s*(?P<r1>(?:19|20)?\d\d)|(?:و|الي|حتي)\s*(?:(?:عام|سنه)\s*)?(?P<r2>{_Y}))(?!\d)",
    "fiscal": rf"{_YN}\s+(?:ال)?ماليه?(?!\w)(?:{_yref('F')})?",
    "mspan": rf"{_SHAHR}?{_month('0')}(?:\s*{_year('0')})?(?:\s*[-–/]\s*|\s+(?:الي|حتي)\s+(?:غايه\s+)?"
    rf"(?:(?:موفي|نهايه|اخر)\s+)?){_SHAHR}?{_month('1')}(?:{_yref('1')}|\s+{_rel('1m')})",
    "firsta": rf"{_CL}(?:اشهر|شهور)\s+(?:ال)?(?P<ka>{_COUNT})\s+{_first('a')}",
    "firstb": rf"{_CL}\s*(?P<kb>{_COUNT}|\d{{1,2}})\s*(?:{_PLURAL})\s+{_first('b')}",
    "firstc": rf"[وف]?[بل]?(?:ال)?اول\s+(?P<kc>{_COUNT}|\d{{1,2}})\s*(?:{_PLURAL})(?!\w)(?:{_yref('c')})?",
    "firstw": rf"{_CL}شهرين\s+(?:ال)?(?:(?P<fw>اولين|اوليين)|(?P<lw>اخيرين))(?!\w)(?:{_yref('w')})?",
    "dur": rf"(?:{_CL}(?:اشهر|شهور)\s+(?:ال)?(?P<kd>{_COUNT})|{_CL}\s*(?P<ke>{_COUNT}|\d{{1,2}})\s*(?:{_PLURAL})"
    rf"|{_CL}شهر(?:ين|ان))(?!\w)",
    "quarter": rf"[وف]?(?:بال|لل|ال)(?:{_alt(_D['quarter_nouns'])})\s+(?:ال)?(?P<qo>{_ORD})(?!\w)(?:{_yref('q')})?",
    "quartery": rf"[وف]?(?:بال|لل|ال)(?:{_alt(_D['quarter_nouns_with_year'])})\s+(?:ال)?(?P<Qo>{_ORD})(?!\w)"
    rf"{_yref('Q')}",
    "half": rf"[وف]?(?:بال|لل|ال)(?:{_alt(_D['half_nouns'])})\s+(?:ال)?(?P<ho>{_ORD})(?!\w)(?:{_yref('h')})?",
    "date": rf"(?P<dd>[0-3]?\d)\s+(?:من\s+)?{_SHAHR}?{_month('d')}(?:\s*[,،]?{_yref('d')}|\s+{_rel('dm')})",
    "ndate": rf"(?P<nday>[0-3]?\d)\s*(?P<nsep>[/.-])\s*(?P<nmon>[01]?\d)\s*(?P=nsep)\s*(?P<nyear>{_Y})",
    "month": rf"(?P<ms>{_SHAHR})?{_month('n')}(?:{_yref('n')}|\s+{_rel('nm')})?",
    "relmonth": rf"{_CL}شهر\s+{_rel('r')}|[وف]?[لب]?هذا\s+الشهر(?!\w)",
    "year": rf"{_YN}\s*{_year('y')}",
    "rely": rf"{_YN}\s+(?:(?P<pp>قبل\s+الماضيه?)(?!\w)|{_rel('e')})|ل?(?:{_THIS})\s+(?:ال)?(?:{_YNOUN})(?!\w)",
    "ycue": rf"[وف]?[لب]?(?:{_alt(_D['year_cues'])})\s+{_year('u')}",
    "relday": rf"[وف]?(?:(?P<dw>{_alt(_DAYS)})(?:\s+(?:{_WEEKDAY}))?|(?:يوم\s+)?(?P<wd>{_WEEKDAY}))(?!\w)"
    rf"(?!\s+(?:(?:{_WEEKDAY})\s+)?(?:\d|ان(?!\w)))",  # «اليوم الأربعاء أن …»: the day of a statement
    "bare": rf"[وبل]?(?P<by>{_Y})(?![.,،/]\d)(?:م(?!\w))?",
}
_ORDER = {k: i for i, k in enumerate([*_ALTS, "cue"])}

# --- word classes: which kinds may start at a word; a word with no kinds may stand inside one ---
_PRE = ("", "و", "ف", "ب", "ل", "ك", "وب", "ول", "فب", "فل")
_ART = ("ال", "وال", "فال", "بال", "وبال", "لل", "ولل", "فلل", "كال")
_KINDS: dict[str, tuple[str, ...]] = {}


def _add(words: Iterable[str], kinds: tuple[str, ...], article: bool = True) -> None:
    for w in {_n(w) for w in words}:
        for p in _PRE + (_ART if article else ()):
            old = _KINDS.get(p + w, ())
            _KINDS[p + w] = tuple(sorted(set(old) | set(kinds), key=_ORDER.__getitem__))


_add(["نفس", "ذات"], ("same", "anaph"), article=False)
_add(_D["this"], ("anaph", "relmonth", "rely"), article=False)
_add(["فترة"], ("same", "anaph"))
_add(_D["year_range_nouns"], ("yrange",))
_add(["بين"], ("yrange",), article=False)
_add(_D["year_nouns"], ("anaph", "yrange", "fiscal", "year", "rely"))
_add({m.split()[0] for m in _MONTHS}, ("mspan", "month"), article=False)
_add(["شهر"], ("same", "mspan", "month", "relmonth"))
_add(["أشهر", "شهور"], ("open", "firsta", "dur"))
_add(["سنتين", "عامين", "سنوات", "أعوام"], ("open",))
_add(["شهرين", "شهران"], ("firstw", "dur"))
_add([*_COUNTS, "ال"], ("firstb", "dur"), article=False)  # «العشرة أشهر الأولى»، «الـ 10 أشهر» (a bare article)
_add(_COUNTS, ("firstb", "dur"))
_add(["أول"], ("firstc", "relday"), article=False)
_add([*_D["days"]["0"], *_D["days"]["-1"], "يوم"], ("relday",), article=False)
_add([f for forms in _D["weekdays"].values() for f in forms], ("relday",), article=False)
_add(_D["quarter_nouns"] + _D["quarter_nouns_with_year"], ("same", "quarter", "quartery"))
_add(_D["half_nouns"], ("half",))
_add(_D["year_cues"], ("ycue",), article=False)
_add(_D["comparison"], ("cue",), article=False)
_inner = [*_D["connectors"], *_ORDINALS, *_D["first"], *_D["last"], *(w for m in _MONTHS for w in m.split())]
_inner += [w for span in _D["open_spans"] + _D["same_period"] + _D["anaphoric"] for w in span.split()[1:]]
_add(_inner + [w for ws in _D["relative"].values() for w in ws], ())
_CUE = ("cue",)
_YCUE = ("ycue",)
_YN_KINDS = _KINDS[_n("سنة")]
_DIGIT_KINDS = ("idate", "yrange", "date", "ndate", "firstb", "dur", "bare")


@cache
def _pattern(kind: str) -> re.Pattern[str]:
    """The compiled pattern of a kind, on first use: compiling all of them costs ~0.1 s of cold
    start (sre's compiler is Python), and most articles need few."""
    return re.compile(_ALTS[kind])


# The anchors and the two first digits of a year, in one trie: every branch starts with a literal,
# so `re` skips to candidate characters in C.
_SEPS = "،,;؛:"
_ANCHOR = re.compile(_alt([*_D["anchors"], "19", "20"]))
_LEAD_PUNCT = "(«\"'["
_TRAIL_PUNCT = ")»\"'].،,:;؛"
_NOT_COMPARED = frozenset(_n(w) for w in _D["not_compared"])
_NOT_BEFORE = frozenset(_n(w) for w in _D["not_period_before"])
_NEW_STATEMENT = re.compile(_alt(_D["new_statement"]) + r"(?!\w)")  # literal first: re skips in C
_BOUND_NOUNS = frozenset(_n(w) for w in ("بداية", "مطلع", "نهاية", "أواخر", "أوائل", "منتصف", "انطلاق", "موفى"))
_END_POINT = frozenset(p + _n(w) for w in [*_D["end_point"], "إلى", "حتى"] for p in _PRE)
_SCALE_AFTER = re.compile(r"\s*(?:الف|الاف|مليون|ملايين|مليار|مليارات|ترليون)(?!\w)")
_CONJ = re.compile(r"(?<!\w)و\w")
_FROM_BEFORE = re.compile(r"(?<!\w)من(?:\s+مستوي)?\s*$")
_TO_AFTER = re.compile(r"[^،؛:\d]{0,30}?(?<!\w)(?P<to>الي|حتي)(?!\w)[^،؛:\d]{0,15}\d")
