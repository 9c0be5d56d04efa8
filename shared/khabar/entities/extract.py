"""`extract_entities`: CRF spans on each sentence, reconciled with gazetteer matches, with
canonical ids and offsets into the original body."""

from __future__ import annotations

from collections import Counter
from itertools import chain

from khabar.currencies import currency_words
from khabar.entities._mention import Mention
from khabar.entities.bio import chunks
from khabar.entities.gazetteer import Match, gazetteer, stems
from khabar.entities.identity import plain_id, resolve_persons
from khabar.entities.propagate import propagate
from khabar.entities.tagger import tag_article
from khabar.models import Entity
from khabar.text import NormalizedText, clitic_stems, normalize, sentence_spans, token_spans

TYPES = {"PERS": "PERSON", "LOC": "LOCATION", "ORG": "ORGANIZATION"}


def extract_entities(text: str, norm: NormalizedText | None = None) -> list[Entity]:
    """Persons, places and organisations in `text` (an article body), in text order."""
    norm = norm or normalize(text)
    nt = norm.text
    mentions: list[Mention] = []
    sentences = []
    for s0, s1 in sentence_spans(nt):
        spans = [(s0 + a, s0 + b) for a, b in token_spans(nt[s0:s1])]
        sentences.append((spans, [nt[a:b] for a, b in spans]))
    freq = Counter(chain.from_iterable(words for _, words in sentences))
    off = norm.offsets
    raws = [[text[off[a] : off[b - 1] + 1] for a, b in spans] for spans, _ in sentences]  # tokens are never empty
    match = gazetteer().match
    matches = [match(words) for _, words in sentences]
    tags = tag_article([words for _, words in sentences], matches, raws)  # with the article's cues
    for (spans, words), all_matches, t in zip(sentences, matches, tags, strict=True):
        mentions += _sentence_mentions(spans, words, all_matches, t, freq)
    mentions = sorted(mentions + propagate(sentences, mentions), key=lambda m: m.start)
    persons = [m for m in mentions if m.type == "PERSON" and m.entry is None]
    person_ids = dict(zip(map(id, persons), resolve_persons([m.words for m in persons]), strict=True))
    out = []
    for m in mentions:
        if m.entry is not None:
            cid, cc = m.entry.canonical_id, m.entry.country_code if m.entry.category == "CTRY" else None
        else:
            cid, cc = person_ids.get(id(m)) or plain_id(m.type, m.words), None
        start, end = norm.span(m.start, m.end)
        out.append(Entity(text[start:end], m.type, cid, start, end, cc))  # type: ignore[arg-type]  # mention types are the three literals
    return out


def _sentence_mentions(
    spans: list[tuple[int, int]], words: list[str], all_matches: list[Match], tags: list[str], freq: Counter[str]
) -> list[Mention]:
    matches = [m for m in all_matches if m.entry.type is not None]  # nisbas are not entities
    taken = [False] * len(words)
    out: list[Mention] = []
    for label, i, j in chunks(tags):
        while i < j and (_is("function_word", words[i]) or _glued_number(words[i])):  # باتجاه كوناكري
            i += 1
        while j > i and (
            _glued_number(words[j - 1]) or (label == "PERS" and not any(c.isalpha() for c in words[j - 1]))
        ):
            j -= 1  # a name never ends in a number (موفى 2016 'end of 2016', جوان2015)
        if label not in TYPES or not any(c.isalpha() for w in words[i:j] for c in w):
            continue
        if all(_is_common(w) for w in words[i:j]):  # زيت الزيتون, دينار, مارس
            continue
        if label == "PERS" and j - i > 2 and _stray_head(words[i], words[i + 1]):
            i += 1
        if label == "PERS" and _is("org_trigger", words[i]):
            label = "ORG"  # a person's name never opens with ديوان / شركة / وزارة
        elif label == "PERS" and _is("loc_trigger", words[i]):
            label = "LOC"
        m = _reconcile(i, j, matches if label == "LOC" else [x for x in matches if x.entry.category != "GN"], words)
        if m is not None:
            i, j = m.start, m.end
        if any(taken[i:j]):
            continue
        taken[i:j] = [True] * (j - i)
        if m is not None:
            out.append(_from_match(m, spans, words))
        else:
            strip = _person_strip(words[i], freq) if label == "PERS" else _org_strip(words[i])
            first = words[i][strip:]
            out.append(Mention(TYPES[label], spans[i][0] + strip, spans[j - 1][1], [first, *words[i + 1 : j]]))
    for m in matches:  # confident gazetteer names the tagger missed
        if not m.entry.weak and not any(taken[m.start : m.end]):
            taken[m.start : m.end] = [True] * (m.end - m.start)
            out.append(_from_match(m, spans, words))
    out.sort(key=lambda x: x.start)
    return out


def _reconcile(i: int, j: int, matches: list[Match], words: list[str]) -> Match | None:
    """The gazetteer match that names the tagged span [i, j): one covering it (the span grows to
    the full name), one inside it whose other words are head nouns of its kind (شركة غازبروم,
    جمهورية أذربيجان), one opening it before a word that cannot continue a name, or a strong one
    crossing its boundary. جامعة القاهرة keeps its own id."""
    classes = gazetteer().word_classes
    for m in matches:
        if m.end <= i or m.start >= j:
            continue
        if m.start <= i and m.end >= j:
            return m
        if i <= m.start and m.end <= j:
            want = "org_trigger" if m.entry.type == "ORGANIZATION" else "loc_trigger"
            if all(want in classes(w) for w in words[i : m.start] + words[m.end : j]):
                return Match(i, j, m.entry, m.strip if m.start == i else _org_strip(words[i]))
            if m.start == i and not m.entry.weak and not words[m.end].startswith(("ال", "لل")):
                return m  # a name then a verb or preposition (الكومنولث تستفيد): the tagger ran on
        elif not m.entry.weak:
            return m
    return None


def _from_match(m: Match, spans: list[tuple[int, int]], words: list[str]) -> Mention:
    e = m.entry
    start = spans[m.start][0] + min(m.strip, len(words[m.start]) - 1)
    return Mention(e.type or "LOCATION", start, spans[m.end - 1][1], words[m.start : m.end], e)


def _org_strip(word: str) -> int:
    """Cut و/ف/ب/ل/ك (never ال) off the first word of an org or place when an article-bearing
    or class word remains (والبنك -> البنك, وبوزارة -> وزارة); وكالة is not و + كالة."""
    gaz = gazetteer()
    if word in gaz.classes:
        return 0
    for stem in clitic_stems(word)[1:]:
        cut = len(word) - len(stem)
        if not word.endswith(stem) or "ا" in word[:cut]:
            continue
        if (stem.startswith("ال") and len(stem) > 3) or stem in gaz.classes:
            return cut
    return 0


def _is(cls: str, word: str) -> bool:
    """`word` is in lexicon class `cls`, alone or after و/ف (not after ب/ل/ك: بان is Ban, not ب + أن)."""
    classes = gazetteer().classes
    return cls in classes.get(word, ()) or (word[:1] in "وف" and cls in classes.get(word[1:], ()))


def _glued_number(word: str) -> bool:
    """Arabic letters and digits in one token (جوان2015, a month glued to its year): never a name."""
    return any(c.isdigit() for c in word) and any("\u0621" <= c <= "\u064a" for c in word)


def _is_common(word: str) -> bool:
    classes = gazetteer().classes
    bare = word[1:] if word[:1] in "وف" and word[1:3] == "ال" else word  # والين, not وين (Wayne)
    return (
        _is("function_word", word)
        or bare.removeprefix("ال") in currency_words()
        or any("common_noun" in classes.get(s, ()) for s in stems(word) if len(s) >= 3)
    )


_NAME_CLASSES = frozenset({"first_name", "known_person", "name_particle"})


def _stray_head(first: str, second: str) -> bool:
    """A word glued before a given name (تبادل فلاديمير بوتين): not itself part of a name."""
    classes = gazetteer().word_classes
    return not classes(first) & _NAME_CLASSES and "first_name" in classes(second)


def _person_strip(word: str, freq: Counter[str]) -> int:
    """Cut a proclitic off a person's first word when the article also has the bare form
    (وبوتين next to بوتين) or the bare form is a known first name."""
    gaz = gazetteer()
    for stem in clitic_stems(word)[1:]:
        if not word.endswith(stem) or stem.startswith("ال"):
            continue
        if freq[stem] > 0 or "first_name" in gaz.classes.get(stem, ()):
            return len(word) - len(stem)
    return 0
