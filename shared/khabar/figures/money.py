"""Which currency a money unit means.

Unambiguous units (دولار، يورو، $ …) carry their ISO code; an adjective can still refine them
(دولار كندي → CAD). The five ambiguous names (دينار، ريال، درهم، جنيه، ليرة, and Tunisian «د»,
«م د») are resolved in this order:

1. an explicit qualifier right after the unit (دينار كويتي، الجنيه الإسترليني);
2. the nearest country mention in the same sentence whose currency has that name (from the
   entity extractor's `countries`; when none of them fits, from a small built-in list of those
   countries' names and adjectives, which also catches «الدينار التونسي» elsewhere);
3. the most frequent such country in the article;
4. the documented default per name: دينار → TND (our news sources are Tunisian), ريال → SAR,
   درهم → AED, جنيه → EGP, ليرة → TRY.

Tunisian and Libyan dinars are written with their millimes after a comma: «2،308 دينار» and
«289,639 دينارا» are 2.308 and 289.639 dinars (`MILLESIMAL_DINARS`; the extractor reads one comma
and three digits before a dinar unit that way only when the dinar resolves to one of them).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from khabar.figures.lexicon import COUNTRY_BY_NAME, COUNTRY_NAME_RE, QUALIFIER_RE, CurrencyUnit

__all__ = ["MILLESIMAL_DINARS", "qualifier_at", "resolve_currency", "country_mentions"]

# Dinars of 1000 millimes whose press writes «2،308 دينار» for 2 dinars 308 millimes. The Kuwaiti,
# Bahraini and Jordanian dinars also have 1000 fils, but their press groups thousands with a comma
# («1,500 دينار» = 1500) and writes fils after a point; the Iraqi fils is out of use.
MILLESIMAL_DINARS = frozenset({"TND", "LYD"})


def qualifier_at(cur: CurrencyUnit, text: str, pos: int) -> tuple[str, int] | None:
    """(ISO, end) of an adjective qualifying the currency that ends at `pos`, if any."""
    if not cur.qualifiers:
        return None
    m = QUALIFIER_RE.match(text, pos)
    if not m:
        return None
    q = m.group("q")
    iso = cur.qualifiers.get(q) or cur.qualifiers.get(q.removesuffix("ي"))
    return (iso, m.end()) if iso else None


def country_mentions(text: str) -> list[tuple[int, str]]:
    """(offset, alpha-2) of the built-in currency-country names in normalised `text`."""
    return [(m.start(), COUNTRY_BY_NAME[m.group("n")]) for m in COUNTRY_NAME_RE.finditer(text)]


def resolve_currency(
    cur: CurrencyUnit,
    pos: int,
    sentence: tuple[int, int],
    countries: Sequence[tuple[int, str]],
) -> str | None:
    """ISO code for an ambiguous currency at `pos` from country mentions (same offsets as `pos`),
    or None when no mention names a country that uses it."""
    fitting = [(off, cc) for off, cc in countries if cc in cur.by_country]
    if not fitting:
        return None
    near = [(abs(off - pos), cc) for off, cc in fitting if sentence[0] <= off < sentence[1]]
    if near:
        return cur.by_country[min(near)[1]]
    return cur.by_country[Counter(cc for _, cc in fitting).most_common(1)[0][0]]
