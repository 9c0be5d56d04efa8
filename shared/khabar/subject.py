"""The subject of a figure: the country or organisation a number is about («صادرات تونس» → country:TN).

It sits above both extractors: it reads an article's entities and one of its figures, and scans only
the figure's sentence (normalised words, `khabar.text.token_spans`). The sentence is cut into
clauses at «، ؛ :», a complementizer («أن/إن»), a comparison («مقابل، مقارنة»), a clause-opening
particle («فيما، بينما، حيث، كما») and a conjoined verb («وبلغت، لتصل، وقال»). Rules, the first that
applies wins (`explain_subject` says which):

1. construct: the metric noun nearest before the figure in its clause, read forward as a construct
   chain («صادرات تونس»، «عجز الميزانية التونسية» via the nisba، «أرباح شركة X»، «صادرات البلاد»
   or «الصادرات الوطنية» → the article's country). A demonstrative metric noun («هذه الصادرات»)
   is read at its antecedent earlier in the sentence. «بين» + parties is bilateral, a place or
   «الجهوية» is regional: both give null and end the search ("blocked").
2. verb_subject: a verb of achieving or change at the clause start followed by the entity
   («حققت شركة X أرباحا»، «سجلت تونس نموا»), or the entity followed by such a verb («أن تونس سجلت»).
3. clause: the name in the clause nearest before the figure (else the first after it, with no other
   number between) when it is a country or an organisation. Not names: persons, partners and
   exclusions («نحو/مع/إلى/باستثناء X», «من X» for imports, and names coordinated or in apposition
   with them), sources («حسب/وفق X»; news agencies, media, statistics institutes, rating agencies), a
   country inside an unnamed organisation's name («بنك تونس العربي»). A place there, or two names
   joined by و, give null. A clause with no metric noun and no name of its own (a conjoined «وبلغت 40
   مليار دولار», «مقابل 3 بالمائة») takes rules 1-3 from the clause before it, not across «أن».
4. national: a national statistic (`NATIONAL_METRICS`; growth only when the sentence speaks of the
   economy or «النمو») is the article's dominant country, named by its first mention in the article,
   when the sentence names no other country, place or group of countries.

A reference to a group of member states («دول هذه المجموعة»، «دول المنظمة»، «الدول الأعضاء») is
the article's most mentioned organisation that has members (curated kind intergovernmental or
union); «دول» + an organisation's name is that organisation; other «الدول/البلدان ...» are
countries unnamed (no subject). A person, a currency or a unit is never a subject. Null over a guess.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import compress
from typing import NamedTuple

from khabar.currencies import currency_words
from khabar.entities.gazetteer import gazetteer
from khabar.figures.context import Triggers
from khabar.figures.lexicon import CONTEXT_RE
from khabar.models import Entity, Figure
from khabar.text import NormalizedText, clitic_stems, normalize_word, token_spans

__all__ = ["NATIONAL_METRICS", "Subject", "dominant_country", "explain_subject", "figure_subject"]

# Metric names of data/figures_context.json that are a country's own statistics.
NATIONAL_METRICS = frozenset(
    {
        "gdp",
        "growth",
        "inflation",
        "unemployment",
        "budget",
        "deficit",
        "debt",
        "trade",
        "exports",
        "imports",
        "reserves",
        "coverage_rate",
        "remittances",
    }
)


def _ws(*words: str) -> frozenset[str]:
    return frozenset(normalize_word(w) for w in words)


# Verbs of achieving, recording or change (past masculine, imperfect stem): the clause-start verb of
# rule 2 and, after و/ف/ل, a clause boundary. Speech verbs (قال، أكد ...) come from the entity
# lexicon's `person_verb` class: boundaries only, their subject is a source.
_VERBS = (
    ("حقق", "حقق"), ("سجل", "سجل"), ("بلغ", "بلغ"), ("وصل", "صل"), ("شهد", "شهد"), ("عرف", "عرف"),
    ("أظهر", "ظهر"), ("أنهى", "نهي"), ("حصد", "حصد"), ("جنى", "جني"), ("ربح", "ربح"), ("خسر", "خسر"),
    ("تكبد", "تكبد"), ("صدر", "صدر"), ("استورد", "ستورد"), ("أنتج", "نتج"), ("استقطب", "ستقطب"),
    ("جلب", "جلب"), ("وفر", "وفر"), ("استثمر", "ستثمر"), ("اقترض", "قترض"), ("تلقى", "تلقي"),
    ("رصد", "رصد"), ("خصص", "خصص"), ("أنفق", "نفق"), ("باع", "بيع"), ("اشترى", "شتري"), ("ضخ", "ضخ"),
    ("ارتفع", "رتفع"), ("انخفض", "نخفض"), ("تراجع", "تراجع"), ("زاد", "زيد"), ("نما", "نمو"),
    ("قفز", "قفز"), ("صعد", "صعد"), ("هبط", "هبط"), ("تقلص", "تقلص"), ("تطور", "تطور"), ("تحسن", "تحسن"),
    ("تدهور", "تدهور"), ("انكمش", "نكمش"), ("تضاعف", "تضاعف"), ("استقر", "ستقر"), ("تجاوز", "تجاوز"),
    ("ناهز", "ناهز"), ("فاق", "فوق"), ("تخطى", "تخطي"), ("قدر", "قدر"), ("مر", "مر"), ("هوى", "هوي"),
    ("تزايد", "تزايد"), ("تدنى", "تدني"), ("نزل", "نزل"), ("قارب", "قارب"), ("أنجز", "نجز"),
)  # fmt: skip


def _verb_forms() -> frozenset[str]:
    out: set[str] = set()
    for past, imperfect in _VERBS:
        p, i = normalize_word(past), normalize_word(imperfect)
        out |= {p, (p[:-1] if p[-1] in "اي" else p) + "ت", "ي" + i, "ت" + i}
    return frozenset(out)


_VERB_FORMS = _verb_forms()
_VERB_PROCLITICS = frozenset({"و", "ف", "ل", "ول", "فل"})
_PUNCT = frozenset("،,؛;:")
_COMPLEMENTIZERS = _ws("أن", "أنه", "أنها", "أنهم", "لأن")
_COMPARISON = _ws("مقابل", "مقارنة", "بالمقارنة", "قياسا")
_OPENERS = _ws("فيما", "بينما", "حين", "حيث", "إذ", "كما", "ثم", "لكن", "بل")
_PARTICLES = _OPENERS | _ws("قد", "لقد", "أيضا")
_DEMONSTRATIVES = _ws("هذا", "هذه", "ذلك", "تلك", "هذين", "هاتين", "هؤلاء")
_COUNTRY_HEADS = _ws("دول", "الدول", "بلدان", "البلدان")
_GROUP_HEADS = _COUNTRY_HEADS | _ws("أعضاء", "الأعضاء")
_GROUP_NOUNS = _ws(
    "المجتمع", "المجموعة", "المنظمة", "الاتحاد", "التكتل", "الرابطة", "التجمع", "الكومنولث", "المجلس",
    "المنتدى", "التحالف", "الفضاء",
)  # fmt: skip
_MEMBERS = _ws("الأعضاء")
_GROUP_HINT = re.compile("|".join(sorted({h.removeprefix("ال") for h in _GROUP_HEADS})))
_MEMBER_KINDS = frozenset({"intergovernmental", "union"})
# News agencies, media, statistics institutes and rating agencies report figures; they do not own them.
_SOURCE_KINDS = frozenset({"agency", "media", "institute", "rating"})
# A partner («نحو/مع/إلى X») or an exclusion («باستثناء X»): a name the figure is not about.
_PARTNERS = _ws("نحو", "مع", "إلى", "تجاه", "باتجاه", "باستثناء", "عدا", "ماعدا")
_PARTNERS_IMPORTS = _PARTNERS | _ws("من")  # «من X»: where imports come from
_SOURCES = _ws("حسب", "بحسب", "وفق", "وفقا", "حسبما", "نقلا")
_NATIONAL = _ws("البلاد", "بلادنا", "الوطني", "الوطنية")
_REGIONAL = _ws("الجهوي", "الجهوية", "جهويا")
_BETWEEN = _ws("بين")
_APPOSITION = _ws("على", "غرار", "مثل", "منها", "خاصة", "سيما", "لاسيما")  # «... على غرار إسبانيا»
_STOPS = _ws("لفائدة", "قصد", "بهدف")  # «التمويل لفائدة مشروع ...»: what follows is not the owner
_GROWTH = normalize_word("النمو")  # growth is national when the sentence speaks of the economy or «النمو»

_CHAIN = 4  # words read after a metric noun
_PARTNER_BACK = 5  # words searched back from a name for a partner preposition
_SOURCE_BACK = 6  # ... for a source marker («حسب ما أفاد به المدير الجهوي للمجمع»)
_SUBJECT_KINDS = frozenset({"country", "org", "group"})


class Subject(NamedTuple):
    id: str | None
    text: str | None
    rule: str | None  # construct, verb_subject, clause, national; blocked (a rule that says null); None


_NONE = Subject(None, None, None)
_BLOCKED = Subject(None, None, "blocked")


@dataclass(slots=True)
class _Mention:
    a: int  # token span [a, b) in the sentence
    b: int
    kind: str  # country, org, group, place, person, unresolved (a group with no member organisation)
    id: str | None
    text: str
    partner: bool = False  # a partner or an exclusion, or coordinated with one («مع الصين ... وروسيا»)
    source: bool = False  # a source («حسب X»، a news agency)
    in_org: bool = False  # a country inside an unnamed organisation's name («بنك تونس العربي»)

    @property
    def owner(self) -> bool:
        """Can own a figure: a country, an organisation or a group that is not a partner or source."""
        return self.kind in _SUBJECT_KINDS and not (self.partner or self.source or self.in_org)

    @property
    def counts(self) -> bool:
        """Is a name rule 3 weighs at all (a person, a source, a country in an organisation's name are not)."""
        return self.kind != "person" and not (self.partner or self.source or self.in_org)


def figure_subject(
    body: str,
    norm: NormalizedText,
    figure: Figure,
    sentence: tuple[int, int],
    entities: list[Entity],
    article_country: str | None,
) -> tuple[str | None, str | None]:
    """(subject_id, subject_text): the canonical id of the entity the figure is about, from this
    article's entities (or a nisba adjective's country), and the text that named it; (None, None)
    when no rule applies. Prefer null over a guess."""
    s = explain_subject(body, norm, figure, sentence, entities, article_country)
    return s.id, s.text


def explain_subject(
    body: str,
    norm: NormalizedText,
    figure: Figure,
    sentence: tuple[int, int],
    entities: list[Entity],
    article_country: str | None,
) -> Subject:
    """`figure_subject` with the rule that decided (see the module docstring)."""
    if not sentence[0] <= figure.start < figure.end <= sentence[1]:
        return _NONE
    return _Sentence(body, norm, figure, sentence, entities, article_country).subject()


def dominant_country(entities: list[Entity]) -> str | None:
    """The article's most mentioned country id ("country:TN"); ties go to the first mentioned."""
    counts = Counter(e.canonical_id for e in entities if e.country_code)
    if not counts:
        return None
    first: dict[str, int] = {}
    for e in sorted(entities, key=lambda e: e.start):
        first.setdefault(e.canonical_id, e.start)
    return max(counts, key=lambda cid: (counts[cid], -first[cid]))


@lru_cache(maxsize=1)
def _org_kinds() -> dict[str, str]:
    with resources.files("khabar").joinpath("data", "organizations.json").open(encoding="utf-8") as fh:
        rows = json.load(fh)["organizations"]
    return {f"org:{r['id']}": r.get("kind", "") for r in rows}


def _member_org(entities: list[Entity]) -> str | None:
    """The most mentioned organisation that has members (ties: the first mentioned), or None."""
    kinds = _org_kinds()
    counts: Counter[str] = Counter()
    first: dict[str, int] = {}
    for e in entities:
        if e.type == "ORGANIZATION" and kinds.get(e.canonical_id) in _MEMBER_KINDS:
            counts[e.canonical_id] += 1
            first[e.canonical_id] = min(first.get(e.canonical_id, e.start), e.start)
    return max(counts, key=lambda cid: (counts[cid], -first[cid])) if counts else None


def _in(word: str, words: frozenset[str]) -> bool:
    """`word`, alone or after a conjunction و/ف, is one of `words`."""
    return word in words or (len(word) > 2 and word[0] in "وف" and word[1:] in words)


@lru_cache(maxsize=50_000)  # words repeat across sentences and articles
def _classes(word: str) -> frozenset[str]:
    return gazetteer().word_classes(word)


@lru_cache(maxsize=50_000)
def _is_verb(word: str) -> bool:
    """A verb of `_VERBS` (with a conjunction and/or ل: وبلغت، لتصل) or a speech verb (وقال)."""
    return word in _VERB_FORMS or _conjoined_verb(word) or "person_verb" in _classes(word)


def _conjoined_verb(word: str) -> bool:
    """و/ف and/or ل glued to a verb: «وبلغت»، «لتصل»، «وقال» (a clause boundary; «فاق» is not one)."""
    classes = gazetteer().classes
    for n in (1, 2):
        if word[:n] in _VERB_PROCLITICS and len(word) - n >= 3:
            rest = word[n:]
            if rest in _VERB_FORMS or "person_verb" in classes.get(rest, ()):
                return True
    return False


@lru_cache(maxsize=50_000)  # words repeat across an article's figures
def _opens(w: str) -> str | None:
    """The kind of clause word `w` opens: "comp" (أن), "compare", "conj" (فيما ...), "verb" (وبلغت)."""
    bare = w[1:] if len(w) > 2 and w[0] in "وفب" else w
    if w in _COMPLEMENTIZERS or bare in _COMPLEMENTIZERS:
        return "comp"
    if _in(w, _COMPARISON):
        return "compare"
    if _in(w, _OPENERS):
        return "conj"
    if _conjoined_verb(w):
        return "verb"
    return None


@lru_cache(maxsize=50_000)
def _group_head(w: str) -> str | None:
    """The head «دول/بلدان/أعضاء» word `w` is (after its clitics), or None."""
    if not _GROUP_HINT.search(w):
        return None
    return next((s for s in clitic_stems(w) if s in _GROUP_HEADS), None)


@lru_cache(maxsize=4096)  # entity texts repeat across figures and articles
def _currency_name(text: str) -> bool:
    return normalize_word(text).removeprefix("ال") in currency_words()


def _is_achieving_verb(word: str) -> bool:
    w = word[1:] if len(word) > 3 and word[0] in "وف" else word
    return w in _VERB_FORMS or word in _VERB_FORMS


def _imperfect(text: str, pos: int) -> bool:
    """The context trigger at `pos` carries a verbal prefix ي/ت/ن before its stem."""
    m = CONTEXT_RE.match(text, pos)
    return m is not None and text[pos : m.start("w")][-1:] in ("ي", "ت", "ن")


@lru_cache(maxsize=50_000)
def _has_digit(word: str) -> bool:
    return any(c.isdigit() for c in word)


def _boundary(words: list[str], ns: Sequence[int], ne: Sequence[int], i: int) -> str | None:
    """How token i cuts the sentence: "punct" (the token is dropped) or the kind of clause the
    word opens; None inside a clause."""
    w = words[i]
    if w in _PUNCT:
        decimal = (
            0 < i < len(words) - 1
            and ne[i - 1] == ns[i]
            and ns[i + 1] == ne[i]
            and words[i - 1][-1].isdigit()
            and words[i + 1][0].isdigit()
        )
        return None if decimal else "punct"
    return _opens(w)


@lru_cache(maxsize=50_000)
def _may_cut(w: str) -> bool:
    """Word `w` is a punctuation mark or opens a clause (the cut `_boundary` says for token i)."""
    return w in _PUNCT or _opens(w) is not None


@lru_cache(maxsize=50_000)
def _notable(w: str) -> bool:
    """Word `w` may cut a clause or head a group: most words do neither and are skipped."""
    return _may_cut(w) or _group_head(w) is not None


def _segments(words: list[str], ns: Sequence[int], ne: Sequence[int], notable: list[int]) -> list[tuple[int, int, str]]:
    out: list[tuple[int, int, str]] = []
    a, opener = 0, "start"
    for i in notable:
        if not _may_cut(words[i]):
            continue
        kind = _boundary(words, ns, ne, i)
        if kind is None:
            continue
        if i > a:
            out.append((a, i, opener))
        a, opener = (i + 1, kind) if kind == "punct" else (i, kind)
    if a < len(words):
        out.append((a, len(words), opener))
    return out or [(0, len(words), "start")]


@dataclass(slots=True)
class _Parse:
    """The figure-independent parse of a sentence, shared by all its figures."""

    n0: int  # the sentence's start in the normalised text
    words: list[str]  # normalised tokens
    ns: Sequence[int]  # token starts and ends in the normalised text, from n0
    ne: Sequence[int]
    ostarts: list[int]  # token starts in the original text
    in_sentence: list[Entity]
    segments: list[tuple[int, int, str]]  # clauses: token span [a, b) and the kind that opened it
    seg_of: list[int]  # token -> clause
    metrics: list[tuple[int, int, str | None]]  # metric nouns: token span [a, b) and head metric
    heads: list[tuple[int, str]]  # tokens that head a group of countries «دول/الأعضاء», with the head
    by_figure: dict[tuple[tuple[int, ...], bool], tuple[list[_Mention], dict[int, _Mention]]]


def _parse(norm: NormalizedText, sentence: tuple[int, int], entities: list[Entity], by_start: _ByStart) -> _Parse:
    offsets, ntext = norm.offsets, norm.text
    n0, n1 = bisect_left(offsets, sentence[0]), bisect_left(offsets, sentence[1])
    text = ntext[n0:n1]
    spans = token_spans(text)
    ns, ne = zip(*spans, strict=True) if spans else ((), ())  # relative to n0
    words = list(map(text.__getitem__, map(slice, ns, ne)))
    # Tokens are never empty: a token's original start is the offset of its first character (the
    # end of a span is read, when needed, from `ne`).
    ostarts = list(map(offsets[n0:n1].__getitem__, ns))
    in_sentence = by_start.within(entities, sentence)
    notable = list(compress(range(len(words)), map(_notable, words)))
    segments = _segments(words, ns, ne, notable)
    seg_of = [0] * len(words)
    for k, (a, b, _) in enumerate(segments):
        seg_of[a:b] = [k] * (b - a)
    trig = Triggers.within(ntext, n0, n1)
    # Metric nouns as token spans [a, b) with the metric of their construct's head; a trigger
    # read as an imperfect verb («يمنح»، «تصدر») heads no construct.
    metrics = [
        (max(bisect_right(ns, p - n0) - 1, 0), bisect_left(ns, e - n0), trig.head_metric(i))
        for i, (p, e, t) in enumerate(zip(trig.pos, trig.ends, trig.found, strict=True))
        if t.metric and not _imperfect(ntext, p)
    ]
    heads = [(i, h) for i in notable if (h := _group_head(words[i])) is not None]
    return _Parse(n0, words, ns, ne, ostarts, in_sentence, segments, seg_of, metrics, heads, {})


class _ByStart:
    """An article's entities ordered by start, to find a sentence's without reading them all."""

    def __init__(self, entities: list[Entity]) -> None:
        self.order = sorted(range(len(entities)), key=lambda i: entities[i].start)
        self.starts = [entities[i].start for i in self.order]
        self.spans_ok = all(e.start <= e.end for e in entities)  # else an entity may end before its start

    def within(self, entities: list[Entity], sentence: tuple[int, int]) -> list[Entity]:
        """The entities inside `sentence`, in the article's order."""
        s0, s1 = sentence
        if not self.spans_ok:
            return [e for e in entities if s0 <= e.start and e.end <= s1]
        lo, hi = bisect_left(self.starts, s0), bisect_right(self.starts, s1)
        return [entities[i] for i in sorted(self.order[lo:hi]) if entities[i].end <= s1]


class _ArticleParses:
    """The figure-independent parses of the current article's sentences."""

    norm: NormalizedText | None = None
    entities: list[Entity] | None = None
    parsed: dict[tuple[int, int], _Parse] = {}  # replaced, never mutated across articles
    first_text: dict[str, str] | None = None  # canonical id -> text of its first mention
    by_start: _ByStart | None = None


_ARTICLE = _ArticleParses()


class _Sentence:
    """One figure's sentence: words, clauses, the names in it, and the rules over them."""

    def __init__(
        self,
        body: str,
        norm: NormalizedText,
        figure: Figure,
        sentence: tuple[int, int],
        entities: list[Entity],
        article_country: str | None,
    ) -> None:
        self.body, self.norm, self.figure, self.entities = body, norm, figure, entities
        self.country = article_country
        # The figure-independent parse of the sentence is shared by all its figures (a list of
        # figures in one sentence is common): tokens, clauses, metric nouns.
        # Only the current article's sentences are kept (memory must not grow with an upload).
        article = _ARTICLE
        if article.norm is not norm or article.entities is not entities or article.by_start is None:
            article.norm, article.entities, article.parsed = norm, entities, {}
            article.first_text, article.by_start = None, _ByStart(entities)
        p = article.parsed.get(sentence)
        if p is None:
            p = article.parsed[sentence] = _parse(norm, sentence, entities, article.by_start)
        self.parse = p
        self.n0, self.words, self.ns, self.ne, self.ostarts = p.n0, p.words, p.ns, p.ne, p.ostarts
        self.in_sentence, self.segments, self.seg_of, self.metrics = p.in_sentence, p.segments, p.seg_of, p.metrics
        self.f0 = max(bisect_right(self.ostarts, figure.start) - 1, 0)
        self.f1 = max(bisect_left(self.ostarts, figure.end), self.f0 + 1)
        # The names depend on the figure only through the entities it overlaps and the partner
        # words of imports: figures that agree on both share them (the rules never change them).
        fs, fe = figure.start, figure.end
        overlap = tuple([i for i, e in enumerate(self.in_sentence) if e.start < fe and fs < e.end])
        key = (overlap, figure.metric == "imports")
        known = p.by_figure.get(key)
        if known is None:
            mentions = self._mentions(sentence)
            at: dict[int, _Mention] = {}
            for m in sorted(mentions, key=lambda m: m.a - m.b):  # the longest wins a shared start
                at.setdefault(m.a, m)
            known = p.by_figure[key] = (mentions, at)
        self.mentions, self.at = known

    # --- structure ----------------------------------------------------------------------------
    def _span_text(self, a: int, b: int, strip: int = 0) -> str:
        """The original text of tokens [a, b), without `strip` normalised letters of proclitic."""
        offsets, n0 = self.norm.offsets, self.n0
        return self.body[offsets[n0 + self.ns[a] + strip] : offsets[n0 + self.ne[b - 1] - 1] + 1]

    def _boundary(self, i: int) -> str | None:
        return _boundary(self.words, self.ns, self.ne, i)

    def _mentions(self, sentence: tuple[int, int]) -> list[_Mention]:
        out: list[_Mention] = []
        fig, kinds = self.figure, _org_kinds()
        for e in self.in_sentence:
            if e.start < fig.end and fig.start < e.end:
                continue  # part of the figure (a currency, a unit)
            if _currency_name(e.text):
                continue
            a = max(bisect_right(self.ostarts, e.start) - 1, 0)
            b = max(bisect_left(self.ostarts, e.end), a + 1)
            if e.type == "PERSON":
                kind = "person"
            elif e.type == "LOCATION":
                kind = "country" if e.country_code else "place"
            else:
                kind = "org"
            m = _Mention(a, b, kind, e.canonical_id, e.text)
            m.source = kind == "org" and kinds.get(e.canonical_id) in _SOURCE_KINDS
            out.append(m)
        if self.parse.heads:
            out += self._groups(out)
        out.sort(key=lambda m: m.a)
        covered = {k: m for m in out for k in range(m.a, m.b)}
        partners = self._partners()
        for i, m in enumerate(out):
            found = self._back(m.a, _PARTNER_BACK, lambda w: _in(w, partners), covered)
            # «مع بلدان أخرى منها خاصة تركيا»: a name after a partner, in apposition, is one too
            m.partner = found is True or isinstance(found, _Mention) and found.partner
            m.source = m.source or self._back(m.a, _SOURCE_BACK, lambda w: _in(w, _SOURCES), covered, False) is True
            if m.kind == "country":
                m.in_org = self._back(m.a, 3, lambda w: "org_trigger" in _classes(w), covered) is True
            prev = out[i - 1] if i else None
            if prev is not None and prev.partner and self.words[m.a][:1] == "و" and self._same_clause(prev.a, m.a):
                m.partner = True  # «مع الصين (...) وروسيا»: coordinated names share the role
        return out

    def _same_clause(self, i: int, j: int) -> bool:
        return self.seg_of[i] == self.seg_of[j]

    def _partners(self) -> frozenset[str]:
        return _PARTNERS_IMPORTS if self.figure.metric == "imports" else _PARTNERS

    def _groups(self, names: list[_Mention]) -> list[_Mention]:
        """«دول هذه المجموعة»، «دول المنظمة»، «الدول الأعضاء»: a group of member states."""
        out: list[_Mention] = []
        starts = {m.a: m for m in names}
        words = self.words
        member: list[str | None] = []  # looked up once, at the first group noun
        covered = {k for m in names for k in range(m.a, m.b)}
        for i, head in self.parse.heads:
            if i in covered:
                continue
            w = words[i]
            strip = len(w) - len(head) if w.endswith(head) else 0  # «لدول»: the text starts at «دول»
            j = i + 1 + (i + 1 < len(words) and words[i + 1] in _DEMONSTRATIVES)
            if j >= len(words) or (words[j] not in _GROUP_NOUNS and words[j] not in _MEMBERS):
                if head in _COUNTRY_HEADS:  # «الدول العربية»: which ones?
                    out.append(_Mention(i, i + 1, "unresolved", None, self._span_text(i, i + 1, strip)))
                continue
            named = starts.get(j)
            if named is not None and named.kind == "org":  # «دول الاتحاد الأوروبي»: the name says which
                out.append(_Mention(i, named.b, "group", named.id, self._span_text(i, named.b, strip)))
                continue
            if not member:
                member.append(_member_org(self.entities))
            kind = "group" if member[0] else "unresolved"
            out.append(_Mention(i, j + 1, kind, member[0], self._span_text(i, j + 1, strip)))
        return out

    def _back(
        self, a: int, back: int, is_marker: Callable[[str], bool], covered: dict[int, _Mention], strict: bool = True
    ) -> object:
        """Search back from token a, in its clause, up to `back` words: True at a marker word, the
        name met first (a `_Mention`), else False. A number or a punctuation mark ends the search,
        and so does a function word when `strict` (except the words of an apposition: «على غرار»)."""
        lo = max(self.segments[self.seg_of[a]][0], a - back)
        words = self.words
        for k in range(a - 1, lo - 1, -1):
            w = words[k]
            if k in covered:
                return covered[k]
            if is_marker(w):
                return True
            if not w.isalpha():  # a number or a mark (no letter is also a digit)
                return False
            if strict and "function_word" in _classes(w) and not _in(w, _APPOSITION):
                return False
        return False

    # --- rules --------------------------------------------------------------------------------
    def subject(self) -> Subject:
        k = self.seg_of[self.f0]
        at = self.f0
        while True:
            a, b, _ = self.segments[k]
            for rule in (self._construct, self._verb_subject, self._clause):
                found = rule(a, b, at)
                if found is not None:
                    return found
            if not self._continues(k, at):
                break
            k -= 1
            at = self.segments[k][1]
        return self._national()

    def _continues(self, k: int, at: int) -> bool:
        """Clause k, with nothing of its own before the figure, shares the subject of the clause
        before it: no metric noun, no name, and not a complement clause («أن ...»)."""
        a, _, opener = self.segments[k]
        if k == 0 or opener == "comp":
            return False
        if any(a <= ta and tb <= at for ta, tb, _ in self.metrics):
            return False
        return not any(a <= m.a < self.segments[k][1] and m.counts for m in self.mentions)

    def _construct(self, a: int, b: int, at: int) -> Subject | None:
        """Rule 1: the metric noun nearest before the figure in the clause, and what it is «of»."""
        before = [(ta, tb, mt) for ta, tb, mt in self.metrics if a <= ta and tb <= at]
        if not before:
            return None
        i = self.metrics.index(before[-1])
        while i > 0 and self.metrics[i - 1][1] == self.metrics[i][0]:  # «عجز الميزانية»: one construct
            i -= 1
        run_start, tb, metric = self.metrics[i][0], before[-1][1], before[-1][2]
        if run_start > 0 and self.words[run_start - 1] in _DEMONSTRATIVES:  # «هذه الصادرات»
            earlier = [m for m in self.metrics[:i] if m[2] == metric and m[1] < run_start - 1]
            if not earlier:
                return None
            ea, tb, _ = earlier[-1]
            at = self.segments[self.seg_of[ea]][1]
        found = self._chain(tb, at)
        return found if found is None or found.rule == "blocked" else found._replace(rule="construct")

    def _chain(self, j: int, limit: int) -> Subject | None:
        """Read the words after a metric noun: a name, a group, a nisba, «البلاد/الوطنية»."""
        words, org_head, classes = self.words, False, _classes
        currencies = currency_words()
        for k in range(j, min(limit, j + _CHAIN)):
            m = self.at.get(k)
            if m is not None:
                if m.kind == "person" or org_head and m.kind == "country":
                    return None  # «أسهم بنك تونس العربي»: the country names an unnamed company
                if m.kind in _SUBJECT_KINDS:
                    return Subject(m.id, m.text, "")
                return _BLOCKED  # a city, a region, unnamed countries: not one country's figure
            w = words[k]
            if _in(w, _BETWEEN):
                nxt = self.at.get(k + 1)
                if nxt is not None and nxt.kind == "group":
                    return Subject(nxt.id, nxt.text, "")
                return None if k + 1 >= len(words) or _has_digit(words[k + 1]) else _BLOCKED  # bilateral
            if not w.isalpha() or _is_verb(w) or "function_word" in classes(w) or w in _STOPS:
                return None
            if w.removeprefix("ال") in currencies:
                return None
            if not org_head and (nisba := self._nisba(k)) is not None:
                return nisba
            if w in _NATIONAL:
                return Subject(self.country, self._span_text(k, k + 1), "") if self.country else None
            if w in _REGIONAL:
                return _BLOCKED
            org_head = org_head or "org_trigger" in classes(w)  # «الشركة التونسية»: the company's nisba
        return None

    def _nisba(self, k: int) -> Subject | None:
        found = gazetteer().match(self.words[k : k + 3])
        if found and found[0].start == 0 and found[0].entry.category == "NIS":
            return Subject(found[0].entry.canonical_id, self._span_text(k, k + found[0].end), "")
        return None

    def _verb_subject(self, a: int, b: int, at: int) -> Subject | None:
        """Rule 2: «حققت شركة X ...»، «سجلت تونس ...»، «أن تونس سجلت ...»."""
        i = a
        while i < at and (_in(self.words[i], _PARTICLES) or self._boundary(i) == "comp"):
            i += 1
        if i >= at:
            return None
        m = self.at.get(i + 1) if _is_achieving_verb(self.words[i]) else None
        if m is None:
            m = self.at.get(i)
            if m is None or m.b >= at or not _is_achieving_verb(self.words[m.b]):
                return None
        if not m.owner or m.a >= at:
            return None
        return Subject(m.id, m.text, "verb_subject")

    def _clause(self, a: int, b: int, at: int) -> Subject | None:
        """Rule 3: the name in the clause nearest before the figure, else the first after it with
        no other number in between; a place or unnamed countries there mean no subject."""
        names = [m for m in self.mentions if a <= m.a < b and m.counts]
        before = [m for m in names if m.a < at]
        if before:
            m = before[-1]
            if len(before) > 1 and before[-2].b == m.a and self.words[m.a][:1] == "و":
                return None  # «تونس واليونان استقطبت 55 بالمائة»: two names, no single subject
        else:  # after the figure: only in its own clause (a clause before it ends at `at`)
            after = [m for m in names if m.a >= self.f1 and at == self.f0]
            if not after or any(_has_digit(w) for w in self.words[self.f1 : after[0].a]):
                return None
            m = after[0]
        return Subject(m.id, m.text, "clause") if m.owner else None

    def _national(self) -> Subject:
        """Rule 4: a national statistic in a sentence that names no other place."""
        metric, country = self.figure.metric, self.country
        if country is None or metric not in NATIONAL_METRICS:
            return _NONE
        if metric == "growth" and not any("اقتصاد" in w or _GROWTH in clitic_stems(w) for w in self.words):
            return _NONE  # «سجل عدد الزوار نموا»: the growth of something, not of the economy
        for m in self.mentions:
            if m.in_org:
                continue
            if m.kind == "unresolved" or m.kind in ("country", "place") and m.id != country:
                return _NONE
        return Subject(country, self._first_text().get(country), "national")

    def _first_text(self) -> dict[str, str]:
        """Canonical id -> the text of its first mention in the article (once per article)."""
        if _ARTICLE.first_text is None:
            first: dict[str, str] = {}
            for e in sorted(self.entities, key=lambda e: e.start):
                first.setdefault(e.canonical_id, e.text)
            _ARTICLE.first_text = first
        return _ARTICLE.first_text
