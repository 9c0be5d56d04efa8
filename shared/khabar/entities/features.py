"""CRF features for one sentence of normalised words.

Per-word features are computed once per distinct word (LRU cache) and neighbours reuse them with
an offset prefix, so a sentence costs a few list concatenations per token; only the gazetteer
walk and two stem bigrams are per-position work.
"""

from __future__ import annotations

from collections.abc import Callable, Container
from functools import lru_cache

from khabar.text import clitic_stems

from .gazetteer import Match, gazetteer

_CLASS_ABBR = {"person_title": "T", "person_verb": "V", "org_trigger": "O", "loc_trigger": "L",
               "name_particle": "P", "first_name": "F", "known_person": "K"}


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


@lru_cache(maxsize=200_000)
def word_info(w: str) -> WordInfo:
    """(stem, classes, own features, features seen from neighbours at offsets -2..2) of a
    normalised word."""
    stems = clitic_stems(w)
    stem = stems[-1]
    classes = sorted(_CLASS_ABBR[c] for c in gazetteer().word_classes(w))
    shape = _shape(w)
    own = [f"w={w}", f"s={stem}", f"p1={w[:1]}", f"p2={w[:2]}", f"p3={w[:3]}", f"x1={w[-1:]}",
           f"x2={w[-2:]}", f"x3={w[-3:]}", f"sx2={stem[-2:]}", f"sp2={stem[:2]}", f"sh={shape}",
           f"len={min(len(stem), 9)}"]
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
        ctx[off] = (f"{off}w={w}", f"{off}s={stem}", f"{off}x2={w[-2:]}", f"{off}sh={shape}",
                    f"{off}p2={w[:2]}", f"{off}vp={own_vp}",
                    *(f"{off}c={c}" for c in classes))
    for off in (-2, 2):
        ctx[off] = (f"{off}s={stem}", f"{off}w={w}", *(f"{off}c={c}" for c in classes))
    return stem, "".join(classes), tuple(own), ctx


_VOWELS = frozenset("اوي")
_EDGE = {-2: ("-2:BOS",), -1: ("-1:BOS",), 1: ("1:EOS",), 2: ("2:EOS",)}


def sentence_features(words: list[str], matches: list[Match] | None = None,
                      info: Callable[[str], WordInfo] = word_info,
                      keep: Container[str] | None = None) -> list[list[str]]:
    """Feature strings per word; `words` are already normalised (khabar.text.normalize_word).
    `matches` are the sentence's gazetteer matches when the caller has them already. At tagging
    time `info` and `keep` drop features the model has no weight for (same tags, less work)."""
    n = len(words)
    infos = [info(w) for w in words]
    gtags: list[str | None] = [None] * n
    for m in gazetteer().match(words) if matches is None else matches:
        cat = m.entry.category + ("w" if m.entry.weak else "")
        multi = "m" if m.end - m.start > 1 else "1"
        for k in range(m.start, m.end):
            gtags[k] = ("B-" if k == m.start else "I-") + cat + multi
    out: list[list[str]] = []
    for i in range(n):
        stem, _, own, _ = infos[i]
        f = ["bias", *own]
        for off in (-2, -1, 1, 2):
            j = i + off
            f.extend(infos[j][3][off] if 0 <= j < n else _EDGE[off])
        extra: list[str] = []  # per-position features; the per-word ones come from `info`
        g = gtags[i]
        if g:
            extra.append("g=" + g)
        w = words[i]
        if i > 0:
            extra.append(f"b-={infos[i - 1][0]}|{stem}")
            if infos[i - 1][1]:  # e.g. a first name then ال...ي: a family name (محمد الصفتي)
                extra.append(f"pcx={infos[i - 1][1]}|{w[:2]}|{w[-1:]}")
            if gtags[i - 1]:
                extra.append(f"-1g={gtags[i - 1]}")
        if i + 1 < n:
            extra.append(f"b+={stem}|{infos[i + 1][0]}")
            if infos[i + 1][1]:
                extra.append(f"ncx={infos[i + 1][1]}|{w[:2]}")
            if gtags[i + 1]:
                extra.append(f"1g={gtags[i + 1]}")
            if i > 0:
                extra.append(f"t3={infos[i - 1][0]}|{stem}|{infos[i + 1][0]}")
        f.extend(extra if keep is None else [x for x in extra if x in keep])
        out.append(f)
    return out
