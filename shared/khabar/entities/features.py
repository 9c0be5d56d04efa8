"""CRF features for one sentence of normalised words.

Per-word features are computed once per distinct word (LRU cache) and neighbours reuse them with
an offset prefix, so a sentence costs a few list concatenations per token; only gazetteer tags,
stem n-grams, class conjunctions and written forms are per-position work.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from functools import lru_cache

from khabar.entities.clusters import cluster_ids
from khabar.entities.gazetteer import Gazetteer, Match, gazetteer, names
from khabar.entities.merged import merged_attr
from khabar.entities.name_tokens import flags as name_flags
from khabar.entities.outside_names import lexicon as outside_lexicon
from khabar.entities.outside_names import priors as outside_priors
from khabar.entities.zipf import zipf10
from khabar.text import clitic_stems

# Feature families switched off for ablation runs of `khabar train-ner` (measuring what each adds):
# nt (outside name tokens), k (clusters), x (outside names). Empty in production.
ABLATE = frozenset(os.environ.get("KHABAR_NER_ABLATE", "").split(","))

_CLASS_ABBR = {
    "person_title": "T",
    "person_verb": "V",
    "org_trigger": "O",
    "loc_trigger": "L",
    "name_particle": "P",
    "first_name": "F",
    "known_person": "K",
}
# function_word and common_noun serve extract-time rules only: as features they scored no better.


def _shape(w: str) -> str:
    if w.isdigit():
        return "num"
    if w.isalpha():
        return "lat" if w.isascii() else "ar"
    if not any(c.isalnum() for c in w):
        return "punct"
    return "mix"


@lru_cache(maxsize=1)
def _gaz_first_tokens() -> frozenset[str]:
    return frozenset(k[0] for k in gazetteer().entries)


WordInfo = tuple[str, str, tuple[str, ...], dict[int, tuple[str, ...]]]
KeptInfo = tuple[str, str, tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...], str]
_VOWELS = frozenset("اوي")


@lru_cache(maxsize=200_000)
def word_info(w: str) -> WordInfo:
    """(stem, classes, own features, features seen from neighbours at offsets -2..2) of a
    normalised word."""
    stems = clitic_stems(w)
    stem = stems[-1]
    classes = sorted(_CLASS_ABBR[c] for c in gazetteer().word_classes(w) if c in _CLASS_ABBR)
    shape = _shape(w)
    own = [
        f"w={w}",
        f"s={stem}",
        f"p2={w[:2]}",
        f"p3={w[:3]}",
        f"x2={w[-2:]}",
        f"x3={w[-3:]}",
        f"sx2={stem[-2:]}",
        f"sp2={stem[:2]}",
        f"sh={shape}|{min(len(stem), 9)}",
    ]
    own += [f"c={c}" for c in classes]
    # Consonant/long-vowel pattern: transliterated foreign names (بلنسية, أراجون) break Arabic
    # root templates, which a pattern like CVCCVC exposes for words never seen in training.
    own_vp = "".join("V" if c in _VOWELS else "C" for c in stem[:10])
    own.append("vp=" + own_vp)
    if len(stems) > 1:
        own.append(f"cl={w[: len(w) - len(stem)]}")  # which proclitics were stripped
    if stem != w and stem in _gaz_first_tokens():
        own.append("stem_gz")  # the clitic-free stem starts a gazetteer name
    # General-Arabic frequency (see zipf.py): of the word, of its stem, and how much likelier the
    # stem is with the article than without (proper names: far less, or far more when ال is theirs).
    zw, zs, za = zipf10(w) // 10, zipf10(stem), zipf10("ال" + stem)
    ratio = "none" if za == zs == 0 else max(-3, min(3, round((za - zs) / 10)))
    own += [f"zw={zw}", f"zs={zs // 10}", f"za={ratio}"]
    # Outside name lists (name_tokens.py): typed foreign names and Wikidata name tokens, weighed
    # against how common the word is in general Arabic (عقل is a name token and a common noun).
    nf = "" if "nt" in ABLATE else next((f for f in (name_flags(x) for x in stems) if f), "")
    near: tuple[str, ...] = ()
    if nf:
        own += [f"nt={nf}", f"ntz={nf}|{min(zs // 10, 5)}"]
        near = (f"nt={nf}",)
    # How the word is labelled in the kit's Wikipedia corpora (outside_names.priors): «فورد» is an
    # organisation or a person there, «الوداد» inside organisations; rarely a whole one-word name.
    if "x" not in ABLATE and (op := next((p for p in map(outside_priors, stems) if p), ())):
        own += op
    # Distributional classes (clusters.py): a name never labelled is typed by the words it keeps
    # company with in unlabelled news and Wikipedia. The word's own, else its clitic-free stem's.
    cl = None if "k" in ABLATE else next((c for c in (cluster_ids(x) for x in stems) if c is not None), None)
    if cl is not None:
        own += [f"k{k}={c}" for k, c in enumerate(cl)]
        near += (f"k0={cl[0]}", f"k1={cl[1]}")
    ctx: dict[int, tuple[str, ...]] = {}
    for off in (-1, 1):
        ctx[off] = (
            f"{off}w={w}",
            f"{off}s={stem}",
            f"{off}x2={w[-2:]}",
            f"{off}p2={w[:2]}",
            *(f"{off}c={c}" for c in classes),
            *(f"{off}{x}" for x in near),
        )
    for off in (-2, 2):
        ctx[off] = (f"{off}s={stem}", f"{off}w={w}", *(f"{off}c={c}" for c in classes))
    return stem, "".join(classes), tuple(own), ctx


# Document context without labels: how a word is used elsewhere in the article (or in a window of
# neighbouring sentences). A stem seen after a title or a first name elsewhere is likely a surname
# here; one seen after an organisation head is likely part of a name; one seen with the article
# ال elsewhere is likely a common noun. Cue letters: n seen, T after a title, F after a first name
# or name particle, O after an org head, L after a place head, V next to a reporting verb, A with ال.
Doc = Mapping[str, Mapping[str, int]]
WINDOW = 6  # sentences either side when no article boundaries are known (ANERcorp, `khabar tag`)


@lru_cache(maxsize=200_000)
def _cue_base(w: str) -> str:
    """ "n" (or "nA" when written with the article) for words that can carry cues, else ""."""
    stem, cls = word_info(w)[:2]
    if len(stem) < 3 or cls or not stem.isalpha():
        return ""
    pre = w[: len(w) - len(stem)]
    return "nA" if "ال" in pre or pre.endswith("لل") else "n"


_PREV_CUES = (("T", "T"), ("F", "F"), ("F", "P"), ("O", "O"), ("L", "L"))


def local_cues(words: Sequence[str], infos: Sequence[WordInfo]) -> list[str]:
    """Cue letters of each position (see `Doc`); "" for short words and lexicon class words."""
    return neighbour_cues([_cue_base(w) for w in words], infos)


def neighbour_cues(out: list[str], infos: Sequence[WordInfo] | Sequence[KeptInfo]) -> list[str]:
    """`local_cues` from the `_cue_base` of each word (`out`, updated in place)."""
    for i, x in enumerate(infos):  # only next to a class word is there more to say
        cls = x[1]
        if not cls:
            continue
        if i + 1 < len(out) and out[i + 1]:
            out[i + 1] += "".join(c for c, y in _PREV_CUES if y in cls) + ("V" if "V" in cls else "")
        if i and out[i - 1] and "V" in cls and "V" not in out[i - 1]:
            out[i - 1] += "V"
    return out


def add_cues(counts: dict[str, dict[str, int]], infos: Sequence[WordInfo], cues: Sequence[str]) -> None:
    for x, c in zip(infos, cues, strict=True):
        if c:
            d = counts.get(x[0])
            if d is None:
                counts[x[0]] = d = {}
            for ch in c:
                d[ch] = d.get(ch, 0) + 1


def doc_counts(sentences: Sequence[Sequence[str]], info: Callable[[str], WordInfo] = word_info) -> Doc:
    """Cue counts per stem over the normalised word lists of one article."""
    counts: dict[str, dict[str, int]] = {}
    for words in sentences:
        infos = [info(w) for w in words]
        add_cues(counts, infos, local_cues(words, infos))
    return counts


def window_docs(
    sentences: Sequence[Sequence[str]], window: int = WINDOW, info: Callable[[str], WordInfo] = word_info
) -> list[Doc]:
    """For consecutive sentences without article boundaries: the cue counts of each sentence's
    window of `window` sentences either side (itself included; its own cues are discounted)."""
    per = [doc_counts([words], info) for words in sentences]
    out: list[Doc] = []
    for k in range(len(sentences)):
        counts: dict[str, Counter[str]] = {}
        for d in per[max(0, k - window) : k + window + 1]:
            for stem, c in d.items():
                counts.setdefault(stem, Counter()).update(c)
        out.append(counts)
    return out


_EDGE = {-2: ("-2:BOS",), -1: ("-1:BOS",), 1: ("1:EOS",), 2: ("2:EOS",)}


def _bio_tags(n: int, matches: Sequence[Match]) -> list[str | None]:
    """Per word: the B-/I- tag of the match covering it, category + w(eak) + 1/m(ulti-word)."""
    tags: list[str | None] = [None] * n
    for m in matches:
        cat = m.entry.category + ("w" if m.entry.weak else "")
        multi = "m" if m.end - m.start > 1 else "1"
        for k in range(m.start, m.end):
            tags[k] = ("B-" if k == m.start else "I-") + cat + multi
    return tags


def sentence_features(
    words: list[str],
    matches: list[Match] | None = None,
    info: Callable[[str], WordInfo] = word_info,
    keep: Container[str] | None = None,
    raws: list[str] | None = None,
    doc: Doc | None = None,
    lexicon: Gazetteer | None = None,
    outside: Gazetteer | None = None,
) -> list[list[str]]:
    """Feature strings per word; `words` are already normalised (khabar.text.normalize_word).
    `matches` are the sentence's gazetteer matches when the caller has them already. At tagging
    time `info` and `keep` drop features the model has no weight for (same tags, less work).
    `raws` are the words as written: where normalisation merged forms (على/علي, the preposition
    and the name), the written form is a feature. `doc` holds the cue counts of the article (or
    window) this sentence is in, itself included. `lexicon` holds the names seen labelled in
    training (default: the shipped `gazetteer.names()`; training passes jackknifed ones)."""
    n = len(words)
    infos = [info(w) for w in words]
    gtags = _bio_tags(n, gazetteer().match(words) if matches is None else matches)
    ntags = _bio_tags(n, (lexicon or names()).match(words))
    xtags = _bio_tags(n, [] if "x" in ABLATE else (outside or outside_lexicon()).match(words))
    # Neighbour features padded with sentence-edge markers, so each token is one list display.
    m2 = [_EDGE[-2], _EDGE[-2], *(x[3][-2] for x in infos)]
    m1 = [_EDGE[-1], *(x[3][-1] for x in infos)]
    p1 = [*(x[3][1] for x in infos[1:]), _EDGE[1]]
    p2 = [*(x[3][2] for x in infos[2:]), _EDGE[2], _EDGE[2]]
    stems = ["<s>", *(x[0] for x in infos), "</s>"]
    classes = ["", *(x[1] for x in infos), ""]
    gt = [None, *gtags, None]
    nt = [None, *ntags, None]
    xt = [None, *xtags, None]
    cues = local_cues(words, infos) if doc else None
    pairs = [f"{a}|{b}" for a, b in zip(stems, stems[1:], strict=False)]  # pairs[i]: stems i-1, i
    out: list[list[str]] = []
    for i in range(n):
        w, stem = words[i], stems[i + 1]
        extra = ["b-=" + pairs[i], "b+=" + pairs[i + 1], f"t3={stems[i]}|{pairs[i + 1]}"]
        if raws is not None and raws[i] != w:
            extra.append("r=" + raws[i])
        for key, t in (("g=", gt), ("n=", nt), ("x=", xt)):  # gazetteer, training, outside names
            extra += [f"{pre}{key}{t[k]}" for pre, k in (("", i + 1), ("-1", i), ("1", i + 2)) if t[k]]
        if classes[i]:  # e.g. a first name then ال...ي: a family name (محمد الصفتي)
            extra.append(f"pcx={classes[i]}|{w[:2]}|{w[-1:]}")
        if classes[i + 2]:
            extra.append(f"ncx={classes[i + 2]}|{w[:2]}")
        if cues is not None and doc and (seen := doc.get(stem)):  # cues exist only with a doc
            own_cues = cues[i]
            extra += [f"d={c}" for c, k in seen.items() if k > (c in own_cues)]
        if keep is not None:
            extra = [x for x in extra if x in keep]
        out.append(["bias", *infos[i][2], *m2[i], *m1[i], *p1[i], *p2[i], *extra])
    return out


class Kept:
    """The model's attribute set split by feature kind, so tagging-time features are tested
    before their strings are built: "b-=" + pair is kept exactly when pair is in `bm`, and so on.
    Most stem pairs, trigrams and written forms have no weight and cost one set lookup.

    With `as_bytes` the features come out UTF-8 encoded: pycrfsuite takes bytes as they are but
    encodes every str anew, so per-word features encoded once make tagging ~25 % faster."""

    def __init__(self, keep: Iterable[str], as_bytes: bool = False) -> None:
        keep = frozenset(keep)
        self.keep = keep
        self.as_bytes = as_bytes
        self.bm = frozenset(x[3:] for x in keep if x.startswith("b-="))
        self.bp = frozenset(x[3:] for x in keep if x.startswith("b+="))
        # Every tail after a "|" of a kept trigram: a superset of the pairs that can end one.
        self.t3_tails = frozenset(
            x[i + 1 :] for x in keep if x.startswith("t3=") for i, ch in enumerate(x) if ch == "|"
        )
        self.bp_t3 = self.bp | self.t3_tails
        self.raws = frozenset(x[2:] for x in keep if x.startswith("r="))
        self.d = {x[2:]: self.out(x) for x in keep if x.startswith("d=")}
        self.edge = {off: tuple(self.out(x) for x in feats) for off, feats in _EDGE.items()}
        self.bias = self.out("bias")

    def out(self, feature: str) -> str:
        """A feature as handed to the tagger (bytes when `as_bytes`, typed as str for brevity)."""
        return feature.encode() if self.as_bytes else feature  # type: ignore[return-value]  # bytes, see above

    def info(self, w: str) -> KeptInfo:
        """Per word (cache it: Model.info): stem, classes, ("bias", *own), the features seen from
        offsets -2, -1, 1, 2 (all restricted to the kept ones) and `_cue_base(w)`."""
        stem, classes, own, ctx = word_info(w)
        keep, out = self.keep, self.out
        # A word the model has merged attributes for (merged.py) hands one string per view of it.
        m = merged_attr(w)
        own_kept = (out(m),) if m in keep else (self.bias, *(out(x) for x in own if x in keep))
        views = []
        for off in (-2, -1, 1, 2):
            m = merged_attr(w, off)
            views.append((out(m),) if m in keep else tuple(out(x) for x in ctx[off] if x in keep))
        return (stem, classes, own_kept, *views, _cue_base(w))  # type: ignore[return-value]  # bytes (`out`)


def kept_features(  # noqa: C901  the tagger's hot path, unrolled by feature kind on purpose
    words: list[str],
    matches: list[Match] | None,
    info: Callable[[str], KeptInfo],
    kept: Kept,
    raws: list[str] | None = None,
    doc: Doc | None = None,
    cues: Sequence[str] | None = None,
    infos: Sequence[KeptInfo] | None = None,
    lexicon: Gazetteer | None = None,
    outside: Gazetteer | None = None,
) -> list[list[str]]:
    """`sentence_features(words, matches, ..., keep=kept.keep, raws, doc)`: the same lists in the
    same order (encoded if `kept.as_bytes`), without building strings the filter would drop.
    `info` is `kept.info`, cached; `cues` (`local_cues(words, ...)`) and `infos` (`info` of each
    word) when the caller has them; `lexicon` the model's training names.

    Each token's list is its word's own features and its neighbours' in one display; the rare
    extras (stem n-grams, written form, gazetteer tags, class conjunctions, document cues) are then
    appended kind by kind, in `sentence_features`' order, only at the positions that have them."""
    n = len(words)
    if infos is None:
        infos = [info(w) for w in words]
    edge, out_ = kept.edge, kept.out
    m2 = [edge[-2], edge[-2]]
    m2 += [x[3] for x in infos]
    m1 = [edge[-1]]
    m1 += [x[4] for x in infos]
    p1 = [x[5] for x in infos[1:]]
    p1.append(edge[1])
    p2 = [x[6] for x in infos[2:]]
    p2 += (edge[2], edge[2])
    out = [[*x[2], *a, *b, *c, *d] for x, a, b, c, d in zip(infos, m2, m1, p1, p2, strict=False)]
    stems = ["<s>", *[x[0] for x in infos], "</s>"]
    pairs = [f"{a}|{b}" for a, b in zip(stems, stems[1:], strict=False)]  # pairs[i]: stems i-1, i
    if not kept.bm.isdisjoint(pairs):
        bm = kept.bm
        for i in range(n):
            if pairs[i] in bm:
                out[i].append(out_("b-=" + pairs[i]))
    if not kept.bp_t3.isdisjoint(pairs):
        bp, t3_tails, keep = kept.bp, kept.t3_tails, kept.keep
        for i in range(n):
            pb = pairs[i + 1]
            if pb in bp:
                out[i].append(out_("b+=" + pb))
            if pb in t3_tails and (x := f"t3={stems[i]}|{pb}") in keep:
                out[i].append(out_(x))
    if raws is not None and not kept.raws.isdisjoint(raws):
        kept_raws = kept.raws
        for i, (r, w) in enumerate(zip(raws, words, strict=True)):
            if r != w and r in kept_raws:
                out[i].append(out_("r=" + r))
    if matches is None:
        matches = gazetteer().match(words)
    if matches:
        _kept_match_features(out, n, matches, "g=", kept)
    if lexicon_matches := (lexicon or names()).match(words):
        _kept_match_features(out, n, lexicon_matches, "n=", kept)
    if "x" not in ABLATE and (outside_matches := (outside or outside_lexicon()).match(words)):
        _kept_match_features(out, n, outside_matches, "x=", kept)
    classes = ["", *[x[1] for x in infos], ""]
    if any(classes):
        keep = kept.keep
        for i in range(n):
            if classes[i] and (x := f"pcx={classes[i]}|{words[i][:2]}|{words[i][-1:]}") in keep:
                out[i].append(out_(x))
            if classes[i + 2] and (x := f"ncx={classes[i + 2]}|{words[i][:2]}") in keep:
                out[i].append(out_(x))
    if doc:
        if cues is None:
            cues = neighbour_cues([x[7] for x in infos], infos)
        dkeep = kept.d
        for i, info_i in enumerate(infos):
            if seen := doc.get(info_i[0]):
                own_cues = cues[i]
                for c, k in seen.items():
                    if k > (c in own_cues) and (f := dkeep.get(c)) is not None:
                        out[i].append(f)
    return out


def _kept_match_features(out: list[list[str]], n: int, matches: Sequence[Match], key: str, kept: Kept) -> None:
    """Append the kept "g=" / "-1g=" / "1g=" features (or "n=" ...) of `matches` to `out`."""
    keep, out_ = kept.keep, kept.out
    gt: list[str | None] = [None, *_bio_tags(n, matches), None]
    near: set[int] = set()  # tokens in or next to a match
    for m in matches:
        near.update(range(max(m.start - 1, 0), min(m.end + 1, n)))
    for i in sorted(near):
        g0, g1, g2 = gt[i], gt[i + 1], gt[i + 2]
        if g1 and (x := key + g1) in keep:
            out[i].append(out_(x))
        if g0 and (x := "-1" + key + g0) in keep:
            out[i].append(out_(x))
        if g2 and (x := "1" + key + g2) in keep:
            out[i].append(out_(x))
