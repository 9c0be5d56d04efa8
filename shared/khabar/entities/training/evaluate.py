"""`khabar eval entities`: conlleval-style P/R/F1 of the tagger on the ANERcorp dev tail (the last
sixth of the train split: later stories than all training text, as users' new articles are), the
cross-validation recorded at training (which flatters: folds share stories), and
the full extractor on the seed-gold sample article (surfaces found with the right type, and all
surfaces of one gold entity under one canonical id)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from khabar.entities._paths import MODEL_PATH, beside
from khabar.entities.bio import score
from khabar.entities.extract import extract_entities
from khabar.entities.tagger import tag_sentences
from khabar.entities.training import corpus
from khabar.kit import kit_dir
from khabar.text import clitic_stems, normalize_word

GOLD_TYPES = {"PERSON", "LOCATION", "ORGANIZATION"}


def eval_dev(model: Path = MODEL_PATH) -> dict[str, Any]:
    _, dev = corpus.split(corpus.load())
    return score(zip((s.tags for s in dev), tag_sentences([s.tokens for s in dev], model), strict=True))


def _covers(entity_text: str, surface: str, exact: bool) -> bool:
    """Entity text equals the surface up to proclitics, or (not exact) holds it as whole words:
    جمهورية أذربيجان holds أذربيجان."""
    words = normalize_word(entity_text).split()
    key = normalize_word(surface).split()
    if not words or not key:
        return False
    firsts = clitic_stems(words[0])
    if exact:
        return len(words) == len(key) and words[1:] == key[1:] and key[0] in firsts
    n = len(key)
    return any(
        words[k : k + n] == key or (k == 0 and key[0] in firsts and words[1:n] == key[1:])
        for k in range(len(words) - n + 1)
    )


def eval_seed(gold: dict[str, Any], text: str) -> dict[str, Any]:
    """Recall of gold surfaces (type must agree), id unification per gold entity, and the
    predicted (surface, type) pairs that match no gold surface."""
    found = extract_entities(text)
    surfaces, unified, missing, split_ids = 0, 0, [], []
    matched: set[int] = set()
    for ent in gold["entities"]:
        ids = set()
        for surf in ent["surfaces"]:
            typed = [k for k, e in enumerate(found) if e.type == ent["type"]]
            hits = [k for k in typed if _covers(found[k].text, surf, exact=True)]
            hits = hits or [k for k in typed if _covers(found[k].text, surf, exact=False)]
            if hits:
                surfaces += 1
                ids |= {found[k].canonical_id for k in hits}
                matched |= set(hits)
            else:
                missing.append(surf)
        if len(ids) == 1:
            unified += 1
        else:
            split_ids.append({"entity": ent["name_en"], "ids": sorted(ids)})
    n_surf = sum(len(e["surfaces"]) for e in gold["entities"])
    extra = sorted({(e.text, e.type) for k, e in enumerate(found) if k not in matched})
    return {
        "surfaces_found": surfaces,
        "surfaces": n_surf,
        "surface_recall": round(surfaces / n_surf, 4),
        "entities_unified": unified,
        "entities": len(gold["entities"]),
        "mention_precision": round(len(matched) / len(found), 4) if found else 0.0,
        "missing": missing,
        "not_unified": split_ids,
        "extra": [list(x) for x in extra],
    }


def load_seed() -> tuple[dict[str, Any], str]:
    root = kit_dir()
    gold = json.loads((root / "data" / "seed_gold.json").read_text(encoding="utf-8"))
    return gold, (root / gold["file"]).read_text(encoding="utf-8")


def _print_scores(scores: dict[str, Any]) -> None:
    for name in ("PERS", "LOC", "ORG", "micro"):
        r = scores[name]
        print(f"  {name:6s} P={r['precision']:.4f} R={r['recall']:.4f} F1={r['f1']:.4f} (gold {r['gold']})")


def training_meta(model: Path) -> dict[str, Any]:
    """What `khabar train-ner` recorded beside the model (parameters, held-out and CV scores)."""
    meta_path = beside(model, "meta.json")
    return json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}


def run(model: Path = MODEL_PATH) -> dict[str, Any]:
    """Every score of `khabar eval entities` (its --json output)."""
    meta = training_meta(model)
    return {
        "dev": eval_dev(model),
        "dev_in_training": bool(meta.get("full")),
        "dev_held_out_at_training": meta.get("dev_held_out"),
        "cv_at_training": meta.get("cv"),
        "seed": eval_seed(*load_seed()),
    }


def print_text(result: dict[str, Any], meta: dict[str, Any]) -> None:
    """The text report: the held-out score first (the main number), then this model's, CV, seed."""
    if held := meta.get("dev_held_out"):
        print(f"ANERcorp dev tail, held out at training ({meta.get('dev', 'dev split')}): the main number")
        _print_scores(held)
    seen = " (the model was trained with --full: it has seen the tail)" if meta.get("full") else ""
    print(f"ANERcorp dev tail, this model{seen}")
    _print_scores(result["dev"])
    if cv := meta.get("cv"):
        print(f"{cv['folds']}-fold cross-validation over blocks at training (optimistic: folds share stories)")
        _print_scores(cv)
    s = result["seed"]
    print(
        f"seed gold: {s['surfaces_found']}/{s['surfaces']} surfaces, {s['entities_unified']}/"
        f"{s['entities']} entities under one id, mention precision {s['mention_precision']}"
    )
    for key in ("missing", "not_unified", "extra"):
        if s[key]:
            print(f"  {key}: {json.dumps(s[key], ensure_ascii=False)}")
