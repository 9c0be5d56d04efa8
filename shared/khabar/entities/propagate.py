"""Rules applied after the tagger: article-level consistency (a name the tagger found once is
found everywhere in the article) and span fixes (`fix_spans`).

The CRF sees one sentence at a time and misses repeats (وقال بوتين after فلاديمير بوتين). Only
multi-word person names lend their last word (the surname), and only unknown names whose full
word sequence recurs are copied, so common words are not turned into entities.

`propagate_tags` does the same on BIO tags for `khabar tag`, where there are no articles, only
consecutive sentences: a name tagged in a sentence is tagged where it recurs untagged nearby.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from khabar.entities._mention import Mention
from khabar.entities.bio import chunks
from khabar.entities.gazetteer import gazetteer, stems
from khabar.entities.zipf import zipf10
from khabar.text import clitic_stems

Sentence = tuple[list[tuple[int, int]], list[str]]  # token spans (normalised text), words


def propagate(sentences: list[Sentence], mentions: list[Mention]) -> list[Mention]:
    """New mentions for untagged repeats of names already in `mentions`."""
    classes = gazetteer().classes
    singles: dict[str, str] = {}
    seqs: dict[str, dict[tuple[str, ...], str]] = {}  # first word -> name -> type
    for m in mentions:
        if m.entry is not None:
            continue
        surname = m.words[-1]
        if (
            m.type == "PERSON"
            and len(m.words) >= 2
            and len(surname) >= 3
            and surname.isalpha()
            and surname not in classes
        ):
            singles.setdefault(surname, "PERSON")
        if len(m.words) >= 2:
            seqs.setdefault(m.words[0], {}).setdefault(tuple(m.words), m.type)
    if not singles and not seqs:
        return []
    firsts = set(singles) | set(seqs)
    taken = {k for m in mentions for k in range(m.start, m.end)}
    out: list[Mention] = []
    vocab = {w for _, words in sentences for w in words}
    hits = {w for w in vocab if not firsts.isdisjoint(stems(w))}  # words a known name can start at
    for spans, words in sentences:
        i = 0
        while i < len(words):
            found = _at(words, i, singles, seqs) if words[i] in hits else None
            if found is None:
                i += 1
                continue
            n, strip, type_ = found
            start, end = spans[i][0] + strip, spans[i + n - 1][1]
            if not any(k in taken for k in range(start, end)):
                out.append(Mention(type_, start, end, [words[i][strip:], *words[i + 1 : i + n]]))
                taken.update(range(start, end))
            i += n
    return out


def _at(
    words: list[str], i: int, singles: dict[str, str], seqs: dict[str, dict[tuple[str, ...], str]]
) -> tuple[int, int, str] | None:
    """(length, clitic chars to cut, type) of a known name starting at word i, if any."""
    for stem in stems(words[i]):
        if not words[i].endswith(stem):
            continue
        strip = len(words[i]) - len(stem)
        for key, type_ in seqs.get(stem, {}).items():
            if tuple(words[i + 1 : i + len(key)]) == key[1:]:
                return len(key), strip, type_
        if stem in singles:
            return 1, strip, singles[stem]
    return None


MIN_NAME_LEN = 3  # a one-word name shorter than this (بن, ال) is never copied


def _name_key(words: Sequence[str]) -> tuple[str, ...]:
    return (clitic_stems(words[0])[-1], *words[1:])  # وبوش and بوش are one name


def propagate_tags(sentences: Sequence[Sequence[str]], tags: Sequence[Sequence[str]], window: int) -> list[list[str]]:
    """Tags with every untagged recurrence of a tagged name (same clitic-free words) in the
    `window` sentences either side tagged too, with the name's most frequent type; longest first."""
    found: list[dict[tuple[str, ...], Counter[str]]] = []
    for words, ts in zip(sentences, tags, strict=True):
        here: dict[tuple[str, ...], Counter[str]] = {}
        for typ, a, b in chunks(list(ts)):
            key = _name_key(words[a:b])
            if len(key) > 1 or len(key[0]) >= MIN_NAME_LEN:
                here.setdefault(key, Counter())[typ] += 1
        found.append(here)
    out = []
    for k, (words, ts) in enumerate(zip(sentences, tags, strict=True)):
        near: dict[tuple[str, ...], Counter[str]] = {}
        for here in found[max(0, k - window) : k + window + 1]:
            for key, c in here.items():
                near.setdefault(key, Counter()).update(c)
        new = list(ts)
        longest = max(map(len, near), default=0)
        i = 0
        while i < len(words):
            for n in range(min(longest, len(words) - i), 0, -1):
                key = _name_key(words[i : i + n])
                if key in near and all(t == "O" for t in new[i : i + n]):
                    typ = near[key].most_common(1)[0][0]
                    new[i : i + n] = [f"B-{typ}"] + [f"I-{typ}"] * (n - 1)
                    i += n
                    break
            else:
                i += 1
        out.append(new)
    return out


def split_coordinated(sentences: Sequence[Sequence[str]], tags: Sequence[Sequence[str]]) -> list[list[str]]:
    """A person span running over و + another name (واين وكريستيانو) is two persons: a word inside
    it that starts with و, and that general Arabic knows better without the و, opens a new name.
    An organisation span running over و + an organisation head (البنك الوطني والشركة التونسية)
    is two organisations."""
    classes = gazetteer().classes
    out = []
    for words, ts in zip(sentences, tags, strict=True):
        new = list(ts)
        for typ, a, b in chunks(list(ts)):
            for k in range(a + 1, b):
                w = words[k]
                if not w.startswith("و") or len(w) <= 3:
                    continue
                if (typ == "PERS" and zipf10(w[1:]) > zipf10(w)) or (
                    typ == "ORG" and "org_trigger" in classes.get(w[1:], ())
                ):
                    new[k] = "B-" + typ
        out.append(new)
    return out


QUOTES = frozenset('"«»“”')
HEAD_REACH = 3  # words between an organisation head and the quote: شركة النفط البريطانية "بيتروفاك"


def quoted_organisations(sentences: Sequence[Sequence[str]], tags: Sequence[Sequence[str]]) -> list[list[str]]:
    """A quoted name right after an organisation head (وكالة التصنيف "فيتش رايتينغ", شركة
    "بيتروفاك") is the organisation's name, not a person's: news quotes company names, rarely people."""
    classes = gazetteer().word_classes
    out = []
    for words, ts in zip(sentences, tags, strict=True):
        new = list(ts)
        for typ, a, b in chunks(list(ts)):
            if (
                typ == "PERS"
                and a
                and words[a - 1] in QUOTES
                and any("org_trigger" in classes(w) for w in words[max(0, a - 1 - HEAD_REACH) : a - 1])
            ):
                new[a:b] = ["B-ORG"] + ["I-ORG"] * (b - a - 1)
        out.append(new)
    return out


def fix_spans(sentences: Sequence[Sequence[str]], tags: Sequence[Sequence[str]]) -> list[list[str]]:
    """The span rules applied to every tagger output: coordinated names split, quoted names after
    an organisation head made organisations."""
    return quoted_organisations(sentences, split_coordinated(sentences, tags))
