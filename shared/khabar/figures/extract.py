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
from khabar.figures.money import country_mentions, qualifier_at, resolve_currency
from khabar.figures.numbers import NumberSpan, find_numbers
from khabar.models import Figure
from khabar.text import NormalizedText, normalize, sentence_spans

__all__ = ["extract_figures"]

# What joins the two ends of a range, and what must come before the first end.
_RANGE_GAP = re.compile(r"[ \t\u00a0]*(?P<c>و|او|الي|حتي|-|–|—)[ \t\u00a0]*")
_BETWEEN_BEFORE = re.compile(r"(?:بين|يتراوح|تتراوح|تراوح|تراوحت)[ \t\u00a0]*$")
_FROM_BEFORE = re.compile(r"(?<!\w)(?:من|بين)[ \t\u00a0]*$")
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
    pair: int | None = None  # index of the low end of a range


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


def _range_low(t: str, low: NumberSpan, high: NumberSpan) -> str | None:
    """'between' / 'from' when `low` opens a range closed by `high`, else None."""
    g = _RANGE_GAP.fullmatch(t, low.end, high.start)
    if not g:
        return None
    c = g.group("c")
    if c in ("و", "او"):
        return "between" if _BETWEEN_BEFORE.search(t, max(0, low.start - 12), low.start) else None
    if c in ("الي", "حتي"):
        return "from" if _FROM_BEFORE.search(t, max(0, low.start - 8), low.start) else None
    return "between"


def _candidates(t: str) -> list[_Raw]:
    raws: list[_Raw] = []
    last_end = 0
    bare: NumberSpan | None = None
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
                bare = num
                continue
            form, start = before
        raw = _Raw(start, end, form, num.value * form.factor)
        if form.currency is not None:
            q = qualifier_at(form.currency, t, end)
            if q:
                raw.iso, raw.end = q
        if bare is not None and bare.start >= last_end and hit:
            kind = _range_low(t, bare, num)
            if kind:
                v = bare.value
                if bare.scale == 1.0 and num.scale > 1.0 and v <= num.base:
                    v *= num.scale  # «بين 10 و15 مليار»: the first end inherits the scale
                role = "low" if kind == "between" else None
                raws.append(_Raw(bare.start, bare.end, form, v * form.factor, raw.iso, role))
                raw.role = "high" if kind == "between" else None
                raw.pair = len(raws) - 1
        raws.append(raw)
        last_end = raw.end
        bare = None
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
        s, e = norm.span(r.start, r.end)
        made[i] = fig = Figure(
            text=text[s:e],
            kind=r.form.kind,  # type: ignore[arg-type]  # the lexicon's kinds are exactly Figure's literals
            value=float(f"{r.value:.12g}"),  # 2084.2 مليون is 2084200000, not …199999.9999998
            unit=unit,
            start=s,
            end=e,
            metric=metric,
            direction=direction,
            range_role=r.role,  # type: ignore[arg-type]  # set only to "low"/"high" by the range pass
        )
        out.append(fig)
    return out
