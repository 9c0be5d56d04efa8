"""The reference period of a figure: the year, quarter, half, month, day or span of months that
its sentence gives it («عام 2016», «الربع الأول من 2016», «ديسمبر/كانون الأول 2016», «الأشهر العشرة
الأولى من العام الماضي»).

Only the figure's sentence is read, on the article's normalised text (`khabar.text`), with the
words of data/figures_periods.json (their patterns: `_period_words`). The reading prefers no period to a guessed one:

- the expression nearest the figure wins, inside its clause (clauses end at «، ؛ :») when the
  clause has one, else in another clause up to 80 characters away; never across the start of a
  new statement («مشيرا إلى أن», «وهو ما», «وفق بلاغ …»);
- an expression introduced by a comparison cue (مقارنة، مقابل، قياسا …) or naming «the same period»
  of another year is the period of the compared value, not of the figure: it is skipped. A figure
  that itself follows such a cue («… مقابل 3% في 2015») takes the expression after it, if any
  (not a bare year when the figure's own period is shorter: «… الشهرين الأولين من 2017 مقابل 16%
  السنة الفارطة» is of two months, None);
- the nearest expression may be one that cannot be placed: a relative one with no publication
  date, «الأشهر السبعة الأخيرة» (the last seven months of the year, or up to now?), a bare count of
  months («بيانات عشرة أشهر») with no year before it in the sentence, a range of years or a season
  («2016-2017»), a fiscal year, a period named in an earlier sentence («خلال هذه الفترة»). Then the
  answer is None, never a farther expression;
- a bare count of months after one year of the sentence («في العام الماضي … وفقاً لبيانات عشرة
  أشهر») is the first N months of that year ("2022-01/2022-10");
- «(مع|إلى) موفى سبتمبر 2016», «إلى غاية 20 ديسمبر 2016» are, as in statistics, the year to that
  date (the project's convention, figures/README.md): "2016-01/2016-09", "2016-01-01/2016-12-20";
- days count from publication in event news («صباح اليوم», «أمس السبت», «يوم الاثنين»), but not
  the day of a statement («اليوم الخميس 18 أوت 2016 أن …», «قال الوزير، الثلاثاء، إن …»);
- after «منذ/قبل» an expression is a bound, not a period, and is ignored;
- a value in brackets right after an expression is a value of that period («مقارنة بشهر أوت 2016
  (مستوى 3,8 بالمائة)»), and an expression in brackets beside another value is that value's
  («225 دينارا (219 دينارا سنة 2015)»); the first value of «من X إلى Y» is the level before the
  change: None.

Not read (None, or a farther expression): a quarter or half with no year and no relative word
near it that is not «الثلاثي» («الربع الأول» alone: the anchors miss it); «نفس العام»; seasons
(«الموسم الفارط»); «أمس» without a weekday (no anchor: its letters are too common to scan for);
weeks; Hijri years.

Spans of whole quarters, halves and years take those forms: the first three months of 2016 are
"2016-Q1", the first six "2016-H1"; other spans are ISO 8601 intervals ("2023-01/2023-10").

Speed (the figures stage may grow by 10 %): trying a pattern at every word costs ~10 µs a word in
Python's `re`. So one C-level pass finds anchors, a year or a stem that every expression holds
within a few words (شهر، ماضي، جاري …, chosen with rare first letters so that the pass seldom stops);
from an anchor we step back over the words that may lead an expression (في، من، نفس، a month
name, a day …) and try, at those words only, the patterns their word class allows; the commonest
case, a year alone or after «في/خلال/سنة», takes no pattern at all. Separators are found with
str.find, patterns are compiled on first use (cold start), and a sentence is scanned once for all
its figures.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from khabar.figures._period_words import (
    _ANCHOR,
    _BOUND_NOUNS,
    _CONJ,
    _COUNTS,
    _CUE,
    _DAYS,
    _DIGIT_KINDS,
    _END_POINT,
    _FROM_BEFORE,
    _KINDS,
    _LEAD_PUNCT,
    _MONTHS,
    _NEW_STATEMENT,
    _NOT_BEFORE,
    _NOT_COMPARED,
    _ORDINALS,
    _SCALE_AFTER,
    _SEPS,
    _TO_AFTER,
    _TRAIL_PUNCT,
    _WEEKDAYS,
    _YCUE,
    _YN_KINDS,
    _pattern,
)
from khabar.figures.lexicon import UNIT_RE
from khabar.text import NormalizedText

__all__ = ["Period", "figure_period"]


@dataclass(frozen=True, slots=True)
class Period:
    period: str  # "2016", "2016-Q1", "2016-H1", "2016-12", "2016-12-31", "2023-01/2023-10"
    start: date  # first day
    end: date  # last day
    text: str  # the words of the body that gave it (original text)
    text_start: int  # offsets into the original body
    text_end: int


# reading limits (normalised characters unless said otherwise)
_PAREN_REACH = 20  # a figure this close after an expression, in brackets, is a value of its period
_BARE_GAP = frozenset(" \t()[]-–:")
_CUE_REACH = 80  # a cue introduces a time expression up to this far (normalised characters)
_CUE_TO_FIGURE = 40  # a figure this close after a cue is the compared value
_OTHER_CLAUSE_REACH = 80  # an expression in another clause counts up to this far from the figure
_SUB_YEAR = frozenset(["quarter", "half", "month", "day", "span", "relmonth"])
_MAX_LEAD = 6  # words stepped back from an anchor
_YEAR_END = frozenset(["", "،", ".", ")", ",", "؛", ";", ":", "»"])  # cannot start a unit
_MONTH_DAYS = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_YEAR_GROUP = {"year": "yy", "ycue": "yu", "bare": "by"}


@dataclass(slots=True)
class _Expr:
    start: int  # span in the normalised text
    end: int
    unit: str  # year quarter half month day todate span relmonth relday; "" when it cannot be placed
    comparison: bool = False  # «نفس الفترة من …»: the period of a compared value
    bare: bool = False  # a bare year: read only right next to the figure
    year: int | None = None
    yrel: int | None = None  # the year is the publication year + yrel
    mrel: int | None = None  # a named month before (-1), in (0) or after (+1) the publication month
    a: int = 0  # quarter, half, month, first month of a span, or the month offset of relmonth
    b: int = 0  # day, or last month of a span
    y0: int | None = None  # first year of a span of months that crosses a new year
    months: bool = False  # a bare count of months (b): placed only by a year elsewhere in the sentence
    clause: int = 0
    # the answer for `body` (two bodies may normalise alike) and `published`, shared by the
    # figures of the sentence
    resolved: Period | None = None
    body: str | None = None
    published: date | None = None


@dataclass(frozen=True, slots=True)
class _Scan:
    exprs: tuple[_Expr, ...]
    cues: tuple[tuple[int, int], ...]  # (end, clause) of each comparison cue
    seps: tuple[int, ...]


def _relative(m: re.Match[str], s: str) -> int | None:
    """-1, 0, +1 from the groups of _rel(s), or None."""
    p, c, n = m.group("p" + s, "c" + s, "n" + s)
    return -1 if p else 0 if c else 1 if n else None


def _yearref(m: re.Match[str], s: str) -> tuple[int | None, int | None]:
    """(year, yrel) from the groups of _yref(s)."""
    y, p, c, n, this = m.group("y" + s, "p" + s, "c" + s, "n" + s, "t" + s)
    if y:
        return int(y), None
    return None, (-1 if p else 0 if c or this else 1 if n else None)


def _key(text: str) -> str:
    """A matched (already normalised) phrase as a key of the word tables: single spaces."""
    return text if " " not in text else " ".join(text.split())


def _count(text: str) -> int:
    return int(text) if text.isdigit() else _COUNTS[_key(text)]


def _build(m: re.Match[str], kind: str, t: str, before: str) -> _Expr | None:  # noqa: C901  # a branch per kind
    """The expression matched by `m` (the pattern of `kind`); `before` is the word before it."""
    s, e = m.span()
    if kind in ("year", "ycue", "bare"):
        g = _YEAR_GROUP[kind]
        if _amount_after(t, m.end(g)):
            return None  # «2016 مليون دينار» is an amount
        if kind == "ycue":
            s = m.start(g)
        return _Expr(s, e, "year", bare=kind == "bare", year=int(m[g]))
    if kind == "rely":
        return _Expr(s, e, "year", yrel=-2 if m["pp"] else (_relative(m, "e") or 0))
    if kind == "dur":  # «بيانات عشرة أشهر»: b keeps the count, for a year named elsewhere in the sentence
        k = m["kd"] or m["ke"]
        return _Expr(s, e, "", b=_count(k) if k else 2, months=True)
    if kind in ("same", "anaph", "open", "fiscal"):
        return _Expr(s, e, "", comparison=kind == "same")
    if kind in ("date", "month"):
        k = "d" if kind == "date" else "n"
        (y, yr), mrel = _yearref(m, k), _relative(m, k + "m")
        if y is None and yr is None and mrel is None and not (kind == "month" and m["ms"]):
            return None  # a month name alone («مارس» is also a verb)
        day = int(m["dd"]) if kind == "date" else 0
        mo = _MONTHS[_key(m["m" + k])]
        if before in _END_POINT:  # «مع موفى أفريل 2017», «إلى غاية 20 ديسمبر»: the year to that date
            if day:
                return _Expr(s, e, "todate", year=y, yrel=yr, mrel=mrel, a=mo, b=day)
            return _Expr(s, e, "span", year=y, yrel=yr, mrel=mrel, a=1, b=mo)
        return _Expr(s, e, "day" if day else "month", year=y, yrel=yr, mrel=mrel, a=mo, b=day)
    if kind.startswith("first"):
        k = kind[-1]
        n = 2 if k == "w" else _count(m["k" + k])
        if (k != "c" and m["l" + k]) or not 2 <= n <= 12:
            return _Expr(s, e, "")  # «الأشهر السبعة الأخيرة»: of the year, or up to now?
        y, yr = _yearref(m, k)
        return _Expr(s, e, "span", year=y, yrel=yr, a=1, b=n)
    if kind in ("quarter", "quartery", "half"):
        k = {"quarter": "q", "quartery": "Q", "half": "h"}[kind]
        o = _ORDINALS[_key(m[k + "o"])]
        if kind == "half":
            o = {1: 1, 2: 2, 4: 2}.get(o, 0)  # «النصف الأخير» is the second half
        y, yr = _yearref(m, k)
        return _Expr(s, e, kind[:7], year=y, yrel=yr, a=o) if o else None
    if kind == "relmonth":
        return _Expr(s, e, "relmonth", a=_relative(m, "r") or 0)
    if kind == "relday":  # a: days from publication; or b: a weekday (+1, Monday = 1)
        dw, wd = m.group("dw", "wd")
        return _Expr(s, e, "relday", a=_DAYS[_key(dw)] if dw else 0, b=0 if dw else _WEEKDAYS[wd] + 1)
    if kind == "yrange":
        r0, r1 = int(m["r0"]), m["r1"] or m["r2"]
        hi = int(r1) if len(r1) == 4 else r0 // 100 * 100 + int(r1)
        return _Expr(s, e, "") if 0 < hi - r0 <= 50 else None  # «2016-12» is no range
    if kind in ("idate", "ndate"):
        ys, ms, ds = m.group("iy", "im", "id") if kind == "idate" else m.group("nyear", "nmon", "nday")
        return _Expr(s, e, "todate" if before in _END_POINT else "day", year=int(ys), a=int(ms), b=int(ds))
    if kind == "mspan":
        y, yr = _yearref(m, "1")
        y0 = int(m["y0"]) if m["y0"] else None
        a, b = _MONTHS[_key(m["m0"])], _MONTHS[_key(m["m1"])]
        return _Expr(s, e, "span", year=y, yrel=yr, mrel=_relative(m, "1m"), a=a, b=b, y0=y0)
    return None


def _amount_after(t: str, end: int) -> bool:
    """A unit or scale word after a year-like number: «2016 مليون دينار» is an amount."""
    c = t[end : end + 1]
    if c in _YEAR_END:
        return False
    return bool(UNIT_RE.match(t, end) or _SCALE_AFTER.match(t, end))


def _word(t: str, ws: int, we: int) -> tuple[int, str]:
    """(start, word) of the token t[ws:we] without surrounding punctuation; of «ديسمبر/كانون» the
    first name."""
    tok = t[ws:we]
    if tok.isalnum():
        return ws, tok
    word = tok.lstrip(_LEAD_PUNCT)
    return ws + len(tok) - len(word), word.rstrip(_TRAIL_PUNCT).split("/", 1)[0]


def _prev(t: str, ws: int, lo: int) -> tuple[int, str]:
    """(start, word) of the token before the one that starts at `ws` (-1, "") when there is none
    after `lo` or a separator ends it. Tokens are split at single spaces."""
    k = ws - 1
    while k > lo and t[k] in _LEAD_PUNCT:  # «(ديسمبر)»: the word starts after its bracket
        k -= 1
    if k <= lo or t[k - 1] in _SEPS or t[k] != " ":
        return -1, ""
    s = t.rfind(" ", lo, k) + 1
    s = s if s > lo else lo
    w = t[s:k]
    return (s, w) if w.isalnum() else _word(t, s, k)


@lru_cache(maxsize=64)  # the figures of one sentence share its scan
def _scan(t: str, lo: int, hi: int) -> _Scan:  # noqa: C901  # one pass, its skips and three fast paths
    """Time expressions, comparison cues and clause separators of the sentence t[lo:hi] (t is the
    article's normalised text; offsets stay in it)."""
    exprs: list[_Expr] = []
    cues: list[int] = []
    seps: list[int] = []
    last = lo  # end of the last expression: the next one starts after it
    for a in _ANCHOR.finditer(t, lo, hi):
        p = a.start()
        c = t[p]
        if p < last:
            continue
        if c.isdigit() and not t[p + 2 : p + 4].isdigit():
            continue
        if c.isdigit() and t[p - 1] == " " and (t[p + 4 : p + 5] == " " or t[p + 4 : p + 5] in _YEAR_END):
            ws, we, w = p, p + 4, t[p : p + 4]  # the commonest: a year as a word of its own
        else:
            ws = t.rfind(" ", last, p) + 1
            ws = ws if ws > last else last
            we = t.find(" ", p, hi)
            we = we if we > 0 else hi
            w = t[ws:we]
            if not w.isalnum():
                ws, w = _word(t, ws, we)
        k = _KINDS.get(w)
        if k is None:
            if not w[:1].isdigit():
                continue  # the anchor is inside another word («الطعام»، «التجاري»)
            k = _DIGIT_KINDS
            if len(w) == 4 and w.isdigit() and ws >= last:
                # fast paths, the commonest cases: a year alone, after a year cue («في 2016») or
                # after a year noun that follows no other time word («خلال سنة 2016»)
                s, before = ws, _prev(t, ws, last)
                pk = _KINDS.get(before[1])
                if pk == _YN_KINDS:
                    s, before = before[0], _prev(t, before[0], last)
                    pk = _KINDS.get(before[1])
                    pk = _YCUE if pk is None else pk
                if pk is None or pk == _YCUE:
                    if not _amount_after(t, ws + 4):
                        if not _bound(t, before, lo):
                            exprs.append(_Expr(s, ws + 4, "year", False, pk is None, int(w)))
                        last = ws + 4
                    continue
        elif k == _CUE:
            ne = t.find(" ", we + 1, hi)
            nxt = _word(t, we + 1, ne if ne > 0 else hi)[1] if we < hi else ""
            if nxt not in _NOT_COMPARED:  # «مقابل الدولار» is an exchange rate
                cues.append(we)
            continue
        # Back over words that may lead an expression («في», «من», «نفس», a month, a day …), not
        # into the last expression nor across a separator; then the patterns of each word's
        # kinds, from the earliest word.
        leads = [(ws, k)]
        before = _prev(t, ws, last)
        while len(leads) <= _MAX_LEAD:
            kb = _KINDS.get(before[1])
            if kb is None:
                if not before[1][:1].isdigit():
                    break
                kb = _DIGIT_KINDS
            elif kb == _CUE:
                break
            # a year cue matters only right before a year (the fast path above): here it is inner
            leads.append((before[0], () if kb == _YCUE else kb))
            before = _prev(t, before[0], last)
        x = m = None
        for q in range(len(leads) - 1, -1, -1):
            ls, kq = leads[q]
            for kind in kq:
                m = _pattern(kind).match(t, ls, hi)
                if m is not None and m.end() > p:
                    x = _build(m, kind, t, before[1])
                    if x is not None:
                        break
            if x is not None and m is not None:
                if not _bound(t, before, lo):
                    exprs.append(x)
                last = m.end()
                break
            before = (ls, _word(t, ls, leads[q - 1][0] - 1)[1]) if q else before
    if not exprs:
        return _Scan((), (), ())
    seps = _separators(t, lo, hi)
    for x in exprs:
        x.clause = bisect_right(seps, x.start)
    return _Scan(tuple(exprs), tuple((c, bisect_right(seps, c)) for c in cues), tuple(seps))


def _separators(t: str, lo: int, hi: int) -> list[int]:
    """Offsets of the clause separators in t[lo:hi]; a comma between two digits is a decimal mark
    («2703،8»). One C-level search per mark (they are rare) instead of a regex pass."""
    out = []
    for sep in _SEPS:
        i = t.find(sep, lo, hi)
        while i >= 0:
            if not (t[i - 1].isdigit() and t[i + 1 : i + 2].isdigit()):
                out.append(i)
            i = t.find(sep, i + 1, hi)
    out.sort()
    return out


def _bound(t: str, before: tuple[int, str], lo: int) -> bool:
    """«منذ 2010»، «قبل نهاية 2016»: an expression after `before` (start, word) is a bound, not a period."""
    w = before[1]
    return w in _NOT_BEFORE or (w in _BOUND_NOUNS and _prev(t, before[0], lo)[1] in _NOT_BEFORE)


def _span(y0: int, m0: int, y1: int, m1: int) -> tuple[str, date, date] | None:
    leap = m1 == 2 and y1 % 4 == 0 and (y1 % 100 != 0 or y1 % 400 == 0)
    start, end = date(y0, m0, 1), date(y1, m1, _MONTH_DAYS[m1] + leap)
    if end < start:
        return None
    if y0 == y1:
        if (m0, m1) == (1, 12):
            return str(y0), start, end
        if m0 == m1:
            return f"{y0}-{m0:02d}", start, end
        if m0 % 3 == 1 and m1 == m0 + 2:
            return f"{y0}-Q{m1 // 3}", start, end
        if m0 % 6 == 1 and m1 == m0 + 5:
            return f"{y0}-H{m1 // 6}", start, end
    return f"{y0}-{m0:02d}/{y1}-{m1:02d}", start, end


def _resolve(x: _Expr, published: date | None) -> tuple[str, date, date] | None:  # noqa: C901
    """(period, first day, last day), or None when the expression cannot be placed."""
    if not x.unit:
        return None
    if x.unit == "relday":
        if published is None:
            return None
        d = published - timedelta(days=(published.weekday() - x.b + 1) % 7 if x.b else -x.a)
        return d.isoformat(), d, d
    if x.unit == "relmonth":
        if published is None:
            return None
        k = published.year * 12 + published.month - 1 + x.a
        return _span(k // 12, k % 12 + 1, k // 12, k % 12 + 1)
    y = x.year
    if x.mrel is not None:  # «مارس الماضي»: the last March before the publication month
        if published is None:
            return None
        m, p = (x.b if x.unit == "span" else x.a), published.month
        y = published.year - (m >= p) if x.mrel < 0 else published.year + (m <= p) if x.mrel > 0 else published.year
    elif x.yrel is not None:
        if published is None:
            return None
        y = published.year + x.yrel
    if y is None or not 1900 <= y <= 2100:
        return None  # «الربع الأول» with no year: of which year?
    if x.unit == "year":
        return _span(y, 1, y, 12)
    if x.unit == "quarter":
        return _span(y, 3 * x.a - 2, y, 3 * x.a) if 1 <= x.a <= 4 else None
    if x.unit == "half":
        return _span(y, 6 * x.a - 5, y, 6 * x.a)
    if not 1 <= x.a <= 12 or (x.unit == "span" and not 1 <= x.b <= 12):
        return None
    if x.unit == "month":
        return _span(y, x.a, y, x.a)
    if x.unit in ("day", "todate"):
        try:
            d = date(y, x.a, x.b)
        except ValueError:
            return None
        if x.unit == "todate":
            return f"{y}-01-01/{d.isoformat()}", date(y, 1, 1), d
        return d.isoformat(), d, d
    # a span of months: «الأشهر العشرة الأولى من 2023», «من نوفمبر 2016 إلى مارس»
    return _span(x.y0 if x.y0 is not None else (y if x.a <= x.b else y - 1), x.a, y, x.b)


def _choose(t: str, scan: _Scan, f0: int, f1: int) -> _Expr | None:  # noqa: C901
    """The expression that gives the period of the figure at [f0, f1) of the normalised text `t`."""
    fc = bisect_right(scan.seps, f0) if scan.seps else 0
    for x in scan.exprs:  # «… بشهر أوت 2016 (مستوى 3.8 بالمائة)»: a value given for the period before it
        if x.end <= f0 <= x.end + _PAREN_REACH and "(" in t[x.end : f0] and ")" not in t[x.end : f0]:
            return x
    cues = scan.cues
    if cues:
        # A figure right after a comparison cue («مقابل 3% في 2015») is the compared value: its
        # period is the nearest expression after it in its clause, if any, before a new conjunct.
        for c1, cc in cues:
            if (
                cc == fc
                and c1 <= f0 <= c1 + _CUE_TO_FIGURE
                and not any(c1 <= x.start < f0 and _near(t, x, f0, f1) for x in scan.exprs)
                and not _CONJ.search(t, c1, f0)
            ):
                after = [
                    x
                    for x in scan.exprs
                    if x.start >= f1 and x.clause == fc and _near(t, x, f0, f1) and not _CONJ.search(t, f1, x.start)
                ]
                if not after:
                    return None
                x = min(after, key=lambda x: x.start)
                if x.unit == "year" and any(
                    y.unit in _SUB_YEAR and not y.comparison for y in scan.exprs if y.end <= c1
                ):
                    return None  # «في الشهرين الأولين من 2017 مقابل 16% السنة الفارطة»: the same two months
                return x
    # in the figure's clause first, then the nearest; at equal distance the one after the figure
    # («… 5 مليار دينار في 2016»); the costlier checks only until one passes
    ranked = []
    for x in scan.exprs:
        if x.comparison:
            continue
        if x.end <= f0:
            k = (x.clause != fc, f0 - x.end, 1)
        elif x.start >= f1:
            k = (x.clause != fc, x.start - f1, 0)
        else:
            continue  # inside the figure
        if k[0] and (k[1] > _OTHER_CLAUSE_REACH or (x.unit == "relday" and x.b)):
            continue  # too far in another clause; «قال الوزير، الثلاثاء، إن …»: the day of a statement
        ranked.append((k, x))
    best: _Expr | None = None
    for _, x in sorted(ranked, key=lambda kx: kx[0]) if len(ranked) > 1 else ranked:
        if x.bare and not _near(t, x, f0, f1):
            continue
        if _NEW_STATEMENT.search(t, x.end, f0) if x.end <= f0 else _NEW_STATEMENT.search(t, f1, x.start):
            continue  # on the other side of «مشيرا إلى أن», «وهو ما», «وفق»: another statement
        if cues and any(  # introduced by a cue that does not also introduce the figure
            cc == x.clause and c1 <= x.start <= c1 + _CUE_REACH and not c1 <= f0 < x.start for c1, cc in cues
        ):
            continue
        if _aside(t, x, f0, f1):
            continue
        best = x
        break
    if best is not None and "من" in t[max(0, f0 - 12) : f0] and _FROM_BEFORE.search(t, max(0, f0 - 12), f0):
        # «تقلص العجز من 30 مليون دينار إلى 6 مليون دينار سنة 2016»: 30 is the level before the
        # period, unless the period sits between the two values («من 3% في 2015 إلى 5%»)
        to = _TO_AFTER.match(t, f1)
        if to is not None and (best.end <= f0 or best.start >= to.start("to")):
            return None
    return best


def _aside(t: str, x: _Expr, f0: int, f1: int) -> bool:
    """True for an expression inside brackets that hold another value and not the figure: «225
    دينارا (219 دينارا سنة 2015)» — 2015 is the period of 219, not of 225."""
    if x.start >= f1:
        gap = t[f1 : x.start]
        i = gap.rfind("(")
        return i >= 0 and ")" not in gap[i:] and any(c.isdigit() for c in gap[i:])
    gap = t[x.end : f0]
    j = gap.find(")")
    if j < 0 or "(" in gap[:j]:
        return False
    i = t.rfind("(", max(0, x.start - _PAREN_REACH * 2), x.start)
    return i >= 0 and any(c.isdigit() for c in t[i : x.start])


def _near(t: str, x: _Expr, f0: int, f1: int) -> bool:
    """False for a bare year that is not right next to the figure (only white space or brackets
    between)."""
    if not x.bare:
        return True
    gap = t[x.end : f0] if x.end <= f0 else t[f1 : x.start]
    return len(gap) <= 3 and all(ch in _BARE_GAP for ch in gap)


def figure_period(
    body: str, norm: NormalizedText, figure: tuple[int, int], sentence: tuple[int, int], published: date | None
) -> Period | None:
    """The reference period of the figure at `figure` (original offsets) in `sentence` (original
    offsets) of `body`, whose normalisation is `norm`. Relative expressions («العام الماضي») are
    resolved against `published`; without it they give None. None when the sentence gives no
    period, or the nearest time expression cannot be placed."""
    off = norm.offsets
    lo, hi = sentence
    f0, f1 = figure
    lo, hi = (lo if lo < f0 else f0), (hi if hi > f1 else f1)
    if type(off) is not range:  # else no character was dropped or expanded: the offsets are the same
        lo, hi, f0, f1 = bisect_left(off, lo), bisect_left(off, hi), bisect_left(off, f0), bisect_left(off, f1)
    t = norm.text
    scan = _scan(t, lo, hi)
    if not scan.exprs:
        return None
    x = _choose(t, scan, f0, f1)
    if x is None:
        return None
    if x.body is not body or x.published != published:  # figures of a sentence share expressions
        x.resolved = _period(body, norm, x, scan, published)
        x.body, x.published = body, published
    return x.resolved


def _period(body: str, norm: NormalizedText, x: _Expr, scan: _Scan, published: date | None) -> Period | None:
    if x.months:
        return _months_of_year(body, norm, x, scan, published)
    r = _resolve(x, published)
    a, b = norm.span(x.start, x.end)
    return None if r is None else Period(*r, body[a:b], a, b)


def _months_of_year(body: str, norm: NormalizedText, x: _Expr, scan: _Scan, published: date | None) -> Period | None:
    """A bare count of months («وفقا لبيانات عشرة أشهر») after a year named earlier in its sentence
    («في العام الماضي»): the first N months of that year, as a year's statistics are reported month
    by month from January. Two different years before it, or none, give None; so does a year only
    after it («… عشرة أشهر رغم صعوبات 2012»: the count is not said to be of that year)."""
    years = {
        r[1].year: y
        for y in scan.exprs
        if y.unit == "year"
        and y.end <= x.start
        and not y.bare
        and not any(cc == y.clause and c1 <= y.start <= c1 + _CUE_REACH for c1, cc in scan.cues)
        and (r := _resolve(y, published)) is not None
    }
    if len(years) != 1 or not 2 <= x.b <= 12:
        return None
    (year, y), *_ = years.items()
    r = _span(year, 1, year, x.b)
    if r is None:
        return None
    a, b = norm.span(y.start, x.end)
    return Period(*r, body[a:b], a, b)
