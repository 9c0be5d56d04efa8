"""`khabar train-ner`: train the CRF on ANERcorp (minus the dev split, or all of it with --full)
and write the package model data/ner.crfsuite. Deterministic: L-BFGS on a fixed corpus order."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import pycrfsuite

from . import corpus
from ._paths import MODEL_PATH
from .bio import score
from .features import sentence_features, window_docs
from .tagger import Model, prepare

C1, C2 = 0.3, 0.01  # c1 0.3: same dev F1 as 0.05 at half the model size (see README)
MAX_ITER = 250
MIN_FREQ = 1


def featurize(sentences: list[corpus.Sentence]) -> list[list[list[str]]]:
    words = [prepare(s.tokens) for s in sentences]
    return [sentence_features(w, raws=s.tokens, doc=d)
            for w, s, d in zip(words, sentences, window_docs(words), strict=True)]


def train(sentences: list[corpus.Sentence], out: Path, c1: float = C1, c2: float = C2,
          max_iter: int = MAX_ITER) -> None:
    trainer = pycrfsuite.Trainer(verbose=False)
    for xseq, s in zip(featurize(sentences), sentences, strict=True):
        trainer.append(xseq, s.tags)
    trainer.set_params({"c1": c1, "c2": c2, "max_iterations": max_iter,
                        "feature.possible_transitions": True, "feature.minfreq": MIN_FREQ})
    out.parent.mkdir(parents=True, exist_ok=True)
    trainer.train(str(out))


def evaluate(model: Path, sentences: list[corpus.Sentence]) -> tuple[dict, float]:
    """Scores and tokens/s (normalisation, features and Viterbi, as `tag_tokens` runs) of
    `model` on `sentences`."""
    tagger = Model(model)  # not load_model(): grid and CV runs rewrite the same path
    t0 = time.perf_counter()
    words = [prepare(s.tokens) for s in sentences]
    preds = [tagger.tag(w, None, s.tokens, d) for w, s, d in zip(words, sentences, window_docs(words), strict=True)]
    elapsed = time.perf_counter() - t0
    ntok = sum(len(s.tokens) for s in sentences)
    return score((s.tags, p) for s, p in zip(sentences, preds, strict=True)), ntok / elapsed


def _grid(train_set: list[corpus.Sentence], dev: list[corpus.Sentence], tmp: Path, max_iter: int) -> int:
    for c1 in (0.0, 0.02, 0.05, 0.2):
        for c2 in (0.001, 0.01, 0.05):
            train(train_set, tmp, c1, c2, max_iter)
            print(f"c1={c1} c2={c2} dev micro-F1={evaluate(tmp, dev)[0]['micro']['f1']:.4f}", flush=True)
    tmp.unlink()
    return 0


def _line(name: str, r: dict) -> str:
    return f"  {name:6s} P={r['precision']:.4f} R={r['recall']:.4f} F1={r['f1']:.4f} (gold {r['gold']})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="khabar train-ner", description=__doc__)
    parser.add_argument("--full", action="store_true",
                        help="after the held-out run, retrain on train+dev and ship that (the default model)")
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    parser.add_argument("--c1", type=float, default=C1)
    parser.add_argument("--c2", type=float, default=C2)
    parser.add_argument("--max-iter", type=int, default=MAX_ITER)
    parser.add_argument("--grid", action="store_true", help="dev micro-F1 over a c1 x c2 grid; writes nothing")
    args = parser.parse_args(argv)
    train_set, dev = corpus.split(corpus.load())
    print(f"ANERcorp: {len(train_set)} train / {len(dev)} dev sentences", flush=True)
    if args.grid:
        return _grid(train_set, dev, args.out.with_suffix(".grid.crfsuite"), args.max_iter)
    t0 = time.perf_counter()
    held = args.out.with_suffix(".heldout.crfsuite") if args.full else args.out
    train(train_set, held, args.c1, args.c2, args.max_iter)
    took = time.perf_counter() - t0
    scores, tps = evaluate(held, dev)
    print(f"trained on train split in {took:.1f}s; dev (held out), tagging {tps:,.0f} tokens/s:")
    for name in ("PERS", "LOC", "ORG", "micro"):
        print(_line(name, scores[name]))
    if args.full:
        held.unlink()
        t1 = time.perf_counter()
        train(train_set + dev, args.out, args.c1, args.c2, args.max_iter)
        print(f"retrained on train+dev in {time.perf_counter() - t1:.1f}s")
    meta = {"full": args.full, "c1": args.c1, "c2": args.c2, "max_iterations": args.max_iter,
            "feature_minfreq": MIN_FREQ, "dev_held_out": scores, "tokens_per_s": round(tps)}
    args.out.with_suffix(".meta.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB); total {time.perf_counter() - t0:.1f}s")
    return 0
