"""Canonical ids for mentions that no gazetteer names.

- person:<normalised full name>, e.g. person:فلاديمير_بوتين. Within one article a mention whose
  name skeletons (see `skeleton`) form a contiguous part of a longer person mention takes the
  longer one's id: بوتين -> فلاديمير بوتين, بسكوف -> ديمتري بيسكوف.
- org:<normalised>, loc:<normalised> for unknown organisations and places: normalised words with
  the proclitics and the article of the first word removed (للبنك الأهلي -> org:بنك_الاهلي).
Gazetteer entries carry their own ids (country:RU, org:<english>, loc:<english>).
"""

from __future__ import annotations

_LONG_VOWELS = frozenset("اوي")
_HAMZA_SEAT = str.maketrans({"ؤ": "و", "ئ": "ي", "ء": ""})
PREFIX = {"PERSON": "person", "LOCATION": "loc", "ORGANIZATION": "org"}


def skeleton(word: str) -> str:
    """Word without long vowels inside it (first and last letters kept), hamza seats folded:
    transliterations differ mostly there (بيسكوف/بسكوف, ديمتري/ديميتري)."""
    w = word.translate(_HAMZA_SEAT)
    if len(w) <= 2:
        return w
    return w[0] + "".join(c for c in w[1:-1] if c not in _LONG_VOWELS) + w[-1]


def plain_id(type_: str, words: list[str]) -> str:
    """Id of an unknown entity from its normalised, clitic-trimmed words."""
    if type_ != "PERSON" and words and words[0].startswith("ال") and len(words[0]) > 3:
        words = [words[0][2:], *words[1:]]
    return f"{PREFIX[type_]}:" + "_".join(words).lower()  # lower: Latin names in Arabic text


def _contains(long: tuple[str, ...], short: tuple[str, ...]) -> bool:
    n = len(short)
    return any(long[i : i + n] == short for i in range(len(long) - n + 1))


def resolve_persons(names: list[list[str]]) -> list[str]:
    """One id per person mention (normalised words each): the id of the longest mention in the
    article whose skeleton contains this one's; ties go to the earliest mention."""
    skels = [tuple(skeleton(w) for w in words) for words in names]
    order = sorted(range(len(names)), key=lambda i: (-len(names[i]), i))
    out = []
    for sk in skels:
        rep = next(j for j in order if _contains(skels[j], sk))
        out.append(plain_id("PERSON", names[rep]))
    return out
