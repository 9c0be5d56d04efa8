"""BIO chunks and conlleval-style entity scoring (exact span and type)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

Span = tuple[str, int, int]  # (type, start, end) over token indices, end exclusive
SCORED = ("PERS", "LOC", "ORG")


def chunks(tags: list[str]) -> list[Span]:
    """Chunks as conlleval reads them: an I- after O or after another type starts a chunk."""
    out: list[Span] = []
    start, typ = -1, ""
    for i, tag in enumerate(tags):
        if tag == "O":  # most tags: close the open chunk, nothing to parse
            if typ:
                out.append((typ, start, i))
                typ = ""
            continue
        prefix, _, t = tag.partition("-")
        if typ and (prefix != "I" or t != typ):
            out.append((typ, start, i))
            typ = ""
        if prefix in ("B", "I") and not typ:
            start, typ = i, t
    if typ:
        out.append((typ, start, len(tags)))
    return out


def prf(tp: int, n_pred: int, n_gold: int) -> dict[str, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {
        "precision": round(p, 4),
        "recall": round(r, 4),
        "f1": round(f, 4),
        "tp": tp,
        "pred": n_pred,
        "gold": n_gold,
    }


def score(pairs: Iterable[tuple[list[str], list[str]]], types: tuple[str, ...] = SCORED) -> dict:
    """Per-type and micro P/R/F1 over (gold tags, predicted tags) sentence pairs."""
    tp: Counter[str] = Counter()
    npred: Counter[str] = Counter()
    ngold: Counter[str] = Counter()
    for gold, pred in pairs:
        g = {c for c in chunks(gold) if c[0] in types}
        p = {c for c in chunks(pred) if c[0] in types}
        for c in g:
            ngold[c[0]] += 1
        for c in p:
            npred[c[0]] += 1
        for c in g & p:
            tp[c[0]] += 1
    out = {t: prf(tp[t], npred[t], ngold[t]) for t in types}
    out["micro"] = prf(sum(tp.values()), sum(npred.values()), sum(ngold.values()))
    return out
