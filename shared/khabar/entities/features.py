"""CRF features for one sentence of normalised words.

Per-word features are computed once per distinct word (LRU cache) and neighbours reuse them with
an offset prefix, so a sentence costs a few list concatenations per token; only gazetteer tags,
stem n-grams, class conjunctions and written forms are per-position work.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Container, Mapping, Sequence
from functools import lru_cache

from khabar.text import clitic_stems

from .gazetteer import Match, gazetteer

_CLASS_ABBR = {"person_title": "T", "person_verb": "V", "org_trigger": "O", "loc_trigger": "L",
               "name_particle": "P", "first_name": "F", "known_person": "K"}
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
_VOWELS = frozenset("اوي")


@lru_cache(maxsize=200_000)
def word_info(w: str) -> WordInfo:
    """(stem, classes, own features, features seen from neighbours at offsets -2..2) of a
    normalised word."""
    stems = clitic_stems(w)
    stem = stems[-1]
    classes = sorted(_CLASS_ABBR[c] for c in gazetteer().word_classes(w) if c in _CLASS_ABBR)
    shape = _shape(w)
    own = [f"w={w}", f"s={stem}", f"p2={w[:2]}", f"p3={w[:3]}", f"x2={w[-2:]}", f"x3={w[-3:]}",
           f"sx2={stem[-2:]}", f"sp2={stem[:2]}", f"sh={shape}|{min(len(stem), 9)}"]
    own += [f"c={c}" for c in classes]
    # Consonant/long-vowel pattern: transliterated foreign names (بلنسية, أراجون) break Arabic
    # root templates, which a pattern like CVCCVC exposes for words never seen in training.
    own_vp = "".join("V" if c in _VOWELS else "C" for c in stem[:10])
    own.append("vp=" + own_vp)
    if len(stems) > 1:
        own.append(f"cl={w[: len(w) - len(stem)]}")  # which proclitics were stripped
    if stem != w and stem in _gaz_first_tokens():
        own.append("stem_gz")  # the clitic-free stem starts a gazetteer name
    ctx: dict[int, tuple[str, ...]] = {}
    for off in (-1, 1):
        ctx[off] = (f"{off}w={w}", f"{off}s={stem}", f"{off}x2={w[-2:]}", f"{off}p2={w[:2]}",
                    *(f"{off}c={c}" for c in classes))
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
    """"n" (or "nA" when written with the article) for words that can carry cues, else ""."""
    stem, cls = word_info(w)[:2]
    if len(stem) < 3 or cls or not stem.isalpha():
        return ""
    pre = w[: len(w) - len(stem)]
    return "nA" if "ال" in pre or pre.endswith("لل") else "n"


_PREV_CUES = (("T", "T"), ("F", "F"), ("F", "P"), ("O", "O"), ("L", "L"))


def local_cues(words: Sequence[str], infos: Sequence[WordInfo]) -> list[str]:
    """Cue letters of each position (see `Doc`); "" for short words and lexicon class words."""
    out = [_cue_base(w) for w in words]
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


def window_docs(sentences: Sequence[Sequence[str]], window: int = WINDOW,
                info: Callable[[str], WordInfo] = word_info) -> list[Doc]:
    """For consecutive sentences without article boundaries: the cue counts of each sentence's
    window of `window` sentences either side (itself included; its own cues are discounted)."""
    per = [doc_counts([words], info) for words in sentences]
    out: list[Doc] = []
    for k in range(len(sentences)):
        counts: dict[str, Counter[str]] = {}
        for d in per[max(0, k - window): k + window + 1]:
            for stem, c in d.items():
                counts.setdefault(stem, Counter()).update(c)
        out.append(counts)
    return out


_EDGE = {-2: ("-2:BOS",), -1: ("-1:BOS",), 1: ("1:EOS",), 2: ("2:EOS",)}


def sentence_features(words: list[str], matches: list[Match] | None = None,
                      info: Callable[[str], WordInfo] = word_info,
                      keep: Container[str] | None = None, raws: list[str] | None = None,
                      doc: Doc | None = None) -> list[list[str]]:
    """Feature strings per word; `words` are already normalised (khabar.text.normalize_word).
    `matches` are the sentence's gazetteer matches when the caller has them already. At tagging
    time `info` and `keep` drop features the model has no weight for (same tags, less work).
    `raws` are the words as written: where normalisation merged forms (على/علي, the preposition
    and the name), the written form is a feature. `doc` holds the cue counts of the article (or
    window) this sentence is in, itself included."""
    n = len(words)
    infos = [info(w) for w in words]
    gtags: list[str | None] = [None] * n
    for m in gazetteer().match(words) if matches is None else matches:
        cat = m.entry.category + ("w" if m.entry.weak else "")
        multi = "m" if m.end - m.start > 1 else "1"
        for k in range(m.start, m.end):
            gtags[k] = ("B-" if k == m.start else "I-") + cat + multi
    # Neighbour features padded with sentence-edge markers, so each token is one list display.
    m2 = [_EDGE[-2], _EDGE[-2], *(x[3][-2] for x in infos)]
    m1 = [_EDGE[-1], *(x[3][-1] for x in infos)]
    p1 = [*(x[3][1] for x in infos[1:]), _EDGE[1]]
    p2 = [*(x[3][2] for x in infos[2:]), _EDGE[2], _EDGE[2]]
    stems = ["<s>", *(x[0] for x in infos), "</s>"]
    classes = ["", *(x[1] for x in infos), ""]
    gt = [None, *gtags, None]
    cues = local_cues(words, infos) if doc else None
    pairs = [f"{a}|{b}" for a, b in zip(stems, stems[1:], strict=False)]  # pairs[i]: stems i-1, i
    out: list[list[str]] = []
    for i in range(n):
        w, stem = words[i], stems[i + 1]
        extra = ["b-=" + pairs[i], "b+=" + pairs[i + 1], f"t3={stems[i]}|{pairs[i + 1]}"]
        if raws is not None and raws[i] != w:
            extra.append("r=" + raws[i])
        if gt[i + 1]:
            extra.append(f"g={gt[i + 1]}")
        if gt[i]:
            extra.append(f"-1g={gt[i]}")
        if gt[i + 2]:
            extra.append(f"1g={gt[i + 2]}")
        if classes[i]:  # e.g. a first name then ال...ي: a family name (محمد الصفتي)
            extra.append(f"pcx={classes[i]}|{w[:2]}|{w[-1:]}")
        if classes[i + 2]:
            extra.append(f"ncx={classes[i + 2]}|{w[:2]}")
        if cues is not None and (seen := doc.get(stem)):  # type: ignore[union-attr]
            own_cues = cues[i]
            extra += [f"d={c}" for c, k in seen.items() if k > (c in own_cues)]
        if keep is not None:
            extra = [x for x in extra if x in keep]
        out.append(["bias", *infos[i][2], *m2[i], *m1[i], *p1[i], *p2[i], *extra])
    return out
