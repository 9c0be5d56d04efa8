"""extract_figures: numbers with a unit become money, percent or quantity figures.

A number without a unit (a year, a count of people or months, an article or phone number, a
rank) is not an economic figure; it can only become one as the first end of a range whose second
end has a unit («بين 10 و15 مليار دولار»: 10e9 and 15e9 USD).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from khabar.figures.context import Triggers, context_of
from khabar.figures.lexicon import PERCENT_BEFORE_RE, PRE_UNIT_FORMS, PRE_UNIT_RE, UNIT_FORMS, UNIT_RE, UnitForm
from khabar.figures.money import MILLESIMAL_DINARS, country_mentions, qualifier_at, resolve_currency
from khabar.figures.numbers import NumberSpan, find_numbers
from khabar.models import Figure
from khabar.text import NormalizedText, normalize, sentence_spans

__all__ = ["extract_figures"]

_WS = r"[ \t\u00a0]"
# «حوالي» and its kin may stand between «بين» and a range end, or after the conjunction.
_APPROX = rf"(?:حوالي|نحو|قرابه|زهاء|ما{_WS}+يقارب|ما{_WS}+يناهز){_WS}+"
# What joins the two ends of a range (or two members of a list), and what comes before the first end.
_RANGE_GAP = re.compile(rf"{_WS}*(?P<c>و|او|الي|حتي|-|–|—){_WS}*(?:{_APPROX})?")
_LIST_GAP = re.compile(rf"{_WS}*(?:و|او){_WS}*")
_BETWEEN_BEFORE = re.compile(rf"(?:بين|يتراوح|تتراوح|تراوح|تراوحت){_WS}*(?:{_APPROX})?$")
_FROM_BEFORE = re.compile(rf"(?<!\w)من{_WS}*(?:{_APPROX})?$")
_BY_BEFORE = re.compile(rf"(?<!\w)ب{_WS}*$")  # «ارتفع ب 0.5 الى 3.5 بالمائة»: a change, then a level
# «28 مليار دينار للصناعة و12 للخدمات»: a prepositional phrase after a figure, و, a bare number and a
# phrase with the same preposition (ل/لل, ب/بال, في, علي; not the partitive «من»: «12 من العمال»).
_PP = rf"(?:(?P<w>في|علي){_WS}+|(?P<g>لل|ل|بال|ب))[^\W\d_]{{2,}}"
_PP_THEN_AND = re.compile(rf"{_WS}+{_PP}(?:{_WS}+[^\W\d_]+){{0,3}}{_WS}*[،,]?{_WS}*و{_WS}*")
_PP_AFTER = re.compile(rf"{_WS}+{_PP}")
_PP_SHAPE = {"لل": "ل", "بال": "ب"}
# One comma and three digits: thousands in general, but dinars and millimes before a dinar unit
# («2،308 دينار» = 2.308) and a decimal mark before a range's scale word («بين 1،2 و1،5 مليار»).
_COMMA_THOUSANDS = re.compile(r"\d{1,3}[,،]\d{3}")
_CLAUSE_END = re.compile(r"[،,;؛:()]|\s(?:فيما|بينما|في حين)\s")
_URL_CHARS = frozenset("=/&?#")
_POINT_METRICS = frozenset({"stock_index", "interest_rate"})


@dataclass(slots=True)
class _Raw:
    start: int
    end: int
    form: UnitForm
    value: float
    iso: str | None = None  # explicit currency qualifier
    role: str | None = None
    pair: int | None = None  # index of the figure whose context it shares: a range's low end, a list's head
    scale: float = 1.0  # scale of the number, written or inherited (for a list written once)
    grouped: bool = False  # several scale groups (3 مليارات و500 مليون): no scale to hand on
    before: bool = False  # the unit stands before the number (بنسبة 5، $5)
    millimes: bool = False  # «2،308 دينار»: 2.308 when the dinar is one of 1000 millimes


def _unit_after(t: str, num: NumberSpan) -> tuple[UnitForm, int] | None:
    m = UNIT_RE.match(t, num.end)
    if not m:
        return None
    form = UNIT_FORMS.get(" ".join((m.group("u") or m.group("a")).split()))
    return (form, m.end()) if form else None


def _unit_before(t: str, num: NumberSpan, lo: int) -> tuple[UnitForm, int] | None:
    lo = max(lo, num.start - 12)
    m = PRE_UNIT_RE.search(t, lo, num.start)
    if m:
        return PRE_UNIT_FORMS[" ".join(m.group(0).split())], m.start()
    m = PERCENT_BEFORE_RE.search(t, lo, num.start)
    if m and abs(num.value) <= 1000 and (num.value != int(num.value) or not 1900 <= num.value <= 2100):
        return UNIT_FORMS["%"], (m.start("p") if "نسب" in m.group("p") else m.start())
    return None


def _is_year(n: NumberSpan) -> bool:
    return not n.has_scale and n.value == int(n.value) and 1900 <= n.value <= 2100


def _comma_thousands(t: str, n: NumberSpan) -> bool:
    return _COMMA_THOUSANDS.fullmatch(t, n.start, n.end) is not None


def _dinar_form(form: UnitForm) -> bool:
    return form.factor == 1.0 and form.currency is not None and form.currency.base in ("dinar", "TND")


def _range_low(t: str, low: NumberSpan, high: NumberSpan) -> str | None:
    """How the bare number `low` relates to `high`, the next number, which has a unit:
    'between' (the two ends of a range: «بين 10 و15», «بين 4 الى 5», «10-15»), 'to' (a range
    without «بين» or «من»: «4 الى 5 مليارات», only when it rises), 'from' (a change: «من 10 الى 15»),
    'list' (one unit written once: «4.7 و5.7 بالمائة»), or None. A year never opens one."""
    g = _RANGE_GAP.fullmatch(t, low.end, high.start)
    if not g:
        return None
    c = g.group("c")
    if c in "-–—":
        return "between"
    lo = max(0, low.start - 24)
    if _BETWEEN_BEFORE.search(t, lo, low.start):
        return "between"
    if _is_year(low) or (low.words and low.value in (1.0, 2.0)):
        return None  # «خلال 2015 و43 بالمائة»; «مقر واحد الى 100 ألف دولار»: واحد/اثنان follow their noun
    if c in ("و", "او"):
        # «11 مليون و844 دينار» is one sum (in millimes), not a list: a member's own scale must be the unit's
        return "list" if not low.has_scale or low.scale == high.scale else None
    if _FROM_BEFORE.search(t, lo, low.start):
        return "from"
    return None if _BY_BEFORE.search(t, lo, low.start) else "to"


def _low_end(t: str, low: NumberSpan, high: NumberSpan, kind: str) -> float | None:
    """Value of the bare `low` (before the unit's factor), with the scale of `high` when it has
    none of its own («بين 10 و15 مليار»، «4.7 و5.7 مليار»); None when a range would go down."""
    v = low.value
    if high.scale > 1.0 and low.scale == 1.0 and not low.has_scale:
        base = v / 1000 if _comma_thousands(t, low) else v  # «بين 1،200 و1،500 مليار»: decimal commas
        if base < 1000 if kind == "list" else base <= high.base:
            v = base * high.scale
        elif kind == "to":
            return None  # «انخفضت 7 الى 5 مليارات»: from 7 (billion) down to 5, not a range
    if kind == "to" and v > high.value:
        return None  # «4 الى 5»: without «من» or «بين», only a rising range is a range
    return v


def _shared_unit(t: str, prev: _Raw, pair: int, num: NumberSpan) -> _Raw | None:
    """«28 مليار دينار للصناعة و12 للخدمات»: the bare `num`, joined by و to the figure `prev` and
    followed by a phrase with the same preposition as the one after `prev`, takes its unit and
    scale (its own scale if it has one: «و500 مليون للخدمات»). Not a year or a grouped figure."""
    if prev.grouped or _is_year(num):
        return None
    g = _PP_THEN_AND.fullmatch(t, prev.end, num.start)
    a = _PP_AFTER.match(t, num.end) if g else None
    if not g or not a:
        return None
    shape_before = g.group("w") or _PP_SHAPE.get(g.group("g"), g.group("g"))
    if (a.group("w") or _PP_SHAPE.get(a.group("g"), a.group("g"))) != shape_before:
        return None
    scale = num.scale if num.has_scale else prev.scale
    millimes = scale == 1.0 and _dinar_form(prev.form) and _comma_thousands(t, num)
    v = (num.value if num.has_scale else num.value * prev.scale) * prev.form.factor
    return _Raw(num.start, num.end, prev.form, v, prev.iso, pair=pair, scale=scale, millimes=millimes)


def _list_head(t: str, raws: list[_Raw], first: NumberSpan, form: UnitForm) -> int | None:
    """Index of a figure with the same unit that opens the list whose first bare member is
    `first` («بنسبة 4.7 و5.7 و6.8 بالمائة»), so that the list shares its context."""
    if raws and raws[-1].form.unit == form.unit and _LIST_GAP.fullmatch(t, raws[-1].end, first.start):
        return raws[-1].pair if raws[-1].pair is not None else len(raws) - 1
    return None


def _candidates(t: str) -> list[_Raw]:  # noqa: C901  one left-to-right pass: units, ranges, lists
    raws: list[_Raw] = []
    last_end = 0
    bare: NumberSpan | None = None
    chain: list[NumberSpan] = []  # bare numbers joined by و before `bare`: «4.7 و5.7 و6.8 بالمائة»
    for num in find_numbers(t):
        if num.start < last_end:
            continue
        start, end = num.start, num.end
        if num.start and (
            t[num.start - 1] in _URL_CHARS or (t[num.start - 1] == "%" and num.start > 1 and t[num.start - 2].isalnum())
        ):
            continue  # inside a URL or a query string: …?q=30%25%2020%
        hit = _unit_after(t, num)
        if hit:
            form, end = hit
        else:
            before = _unit_before(t, num, last_end)
            if not before:
                if "و" not in t[max(0, num.start - 3) : num.start]:  # not after و: neither rule applies
                    if chain:
                        chain = []
                    bare = num
                    continue
                if raws and num.start - last_end <= 80:
                    shared = _shared_unit(t, raws[-1], len(raws) - 1 if raws[-1].pair is None else raws[-1].pair, num)
                    if shared is not None:
                        raws.append(shared)
                        last_end, bare, chain = shared.end, None, []
                        continue
                if bare is not None and _LIST_GAP.fullmatch(t, bare.end, num.start) and not _is_year(bare):
                    chain.append(bare)
                elif chain:
                    chain = []
                bare = num
                continue
            form, start = before
        raw = _Raw(start, end, form, num.value * form.factor, scale=num.scale, before=not hit)
        if num.has_scale and num.scale == 1.0:
            raw.grouped = True
        dinar = False
        if form.currency is not None:
            q = qualifier_at(form.currency, t, end)
            if q:
                raw.iso, raw.end = q
            dinar = _dinar_form(form)
            if dinar and hit:
                raw.millimes = _comma_thousands(t, num)
        if bare is not None and hit:
            kind = _range_low(t, bare, num)
            lows = (*chain, bare) if kind == "list" else (bare,) if kind else ()
            head = _list_head(t, raws, lows[0], form) if kind == "list" else None
            for low in lows:
                v = _low_end(t, low, num, kind or "")
                if v is None:
                    continue
                role = "low" if kind in ("between", "to") else None
                mm = dinar and v == low.value and _comma_thousands(t, low)
                raws.append(_Raw(low.start, low.end, form, v * form.factor, raw.iso, role, head, millimes=mm))
                head = len(raws) - 1 if head is None else head
                raw.role, raw.pair = "high" if role else None, head
        elif hit and form.kind == "percent" and raws and raws[-1].before and raws[-1].form.kind == "percent":
            low_raw = raws[-1]  # «بنسبة 4 الى 5 بالمائة»: the low end has its own marker before it
            g = _RANGE_GAP.fullmatch(t, low_raw.end, num.start)
            if g and g.group("c") not in ("و", "او") and low_raw.value <= raw.value:
                low_raw.role, raw.role, raw.pair = "low", "high", len(raws) - 1
        raws.append(raw)
        last_end, bare = raw.end, None
        if chain:
            chain = []
    return raws


def extract_figures(
    text: str,
    norm: NormalizedText | None = None,
    countries: Sequence[tuple[int, str]] = (),
) -> list[Figure]:
    """Economic figures of an article body. Offsets index into `text`; `countries` are
    (offset, alpha-2) of country mentions, used to resolve دينار/ريال/درهم/جنيه/ليرة."""
    norm = norm if norm is not None else normalize(text)
    t = norm.text
    raws = _candidates(t)
    if not raws:
        return []
    sents = sentence_spans(t) or [(0, len(t))]
    starts = [s for s, _ in sents]
    off = norm.offsets
    own: list[tuple[int, str]] | None = None
    trig = Triggers(t, max(0, raws[0].start - 300), raws[-1].end + 100)
    out: list[Figure] = []
    made: dict[int, Figure] = {}
    for i, r in enumerate(raws):
        si = max(bisect_right(starts, r.start) - 1, 0)
        s_lo, s_hi = sents[si][0], max(sents[si][1], r.end)
        lo = max(s_lo, raws[i - 1].end if i else 0)
        hi = min(s_hi, raws[i + 1].start) if i + 1 < len(raws) else s_hi
        clause_end = _CLAUSE_END.search(t, r.end, hi)  # look ahead only within the figure's clause
        hi = clause_end.start() if clause_end else hi
        metric, direction = context_of(trig, r.start, r.end, lo, s_lo, hi)
        low = made.get(r.pair) if r.pair is not None else None
        if low is not None:  # the high end of a range shares the context read for the low end
            metric, direction = low.metric or metric, low.direction
        unit = r.form.unit
        if r.form.kind == "money" and r.form.currency is not None:
            cur = r.form.currency
            if r.iso:
                unit = r.iso
            elif cur.iso is None:
                sent = (off[s_lo], off[s_hi - 1] + 1)
                unit = resolve_currency(cur, off[r.start], sent, countries) or ""
                if not unit:
                    if own is None:
                        own = [(off[p], cc) for p, cc in country_mentions(t)]
                    unit = resolve_currency(cur, off[r.start], sent, own) or cur.default or cur.base
        if r.form.needs_context and metric not in _POINT_METRICS:
            continue  # «800 نقطة توزيع»: a bare «نقطة» is an index point only in market talk
        value = r.value / 1000 if r.millimes and unit in MILLESIMAL_DINARS else r.value
        s, e = norm.span(r.start, r.end)
        made[i] = fig = Figure(
            text=text[s:e],
            kind=r.form.kind,  # type: ignore[arg-type]  # the lexicon's kinds are exactly Figure's literals
            value=float(f"{value:.12g}"),  # 2084.2 مليون is 2084200000, not …199999.9999998
            unit=unit,
            start=s,
            end=e,
            metric=metric,
            direction=direction,
            range_role=r.role,  # type: ignore[arg-type]  # set only to "low"/"high" by the range pass
        )
        out.append(fig)
    return out
