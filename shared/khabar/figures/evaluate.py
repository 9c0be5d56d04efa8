"""`khabar eval figures`: score the figure extractor on the Recognizers-Text Arabic specs and the
hand-made gold of the sample article.

- PercentModel / CurrencyModel: per item, a prediction is right when its span and value match
  (and, for money, its ISO code); a case is right when all its items are right and nothing extra.
- NumberModel: scored on bare numbers (`extract_numbers`). Cases whose form we do not read are
  counted as out of scope with a reason (exponents, «N على M» / «جزء من» fractions, dozens, items
  upstream itself marks as bad spans) and reported apart; nothing is dropped.
- seed_gold.json: (kind, value, unit) of the article's figures, and the listed non-figures.
- facts_gold.jsonl (beside this module): subject and period of 118 figures of 40 kit news articles
  (selection rule and guidelines in README.md "Facts gold"). `score_facts` matches each gold row to
  the extracted figure at the same (article_id, start) and scores subject and period apart:
  precision = correct / predicted non-null, coverage = predicted non-null / gold non-null; a null
  prediction is an abstention, never wrong; a non-null prediction where the gold is null is wrong.

The data is read in place from ../shared (next to the repository) or from $KHABAR_SHARED.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from khabar.figures import extract_figures, extract_numbers

__all__ = ["FACTS_GOLD", "facts_predictions", "print_text", "run", "score_facts"]

_TOL = 1e-6
FACTS_GOLD = Path(__file__).with_name("facts_gold.jsonl")
_NEWS = Path("data") / "news" / "ant_economy_dev.jsonl"
_CURRENCY_NAMES = {"euro": "EUR", "dollar": "USD", "egyptian pound": "EGP", "british pound": "GBP"}


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= _TOL * max(1.0, abs(a), abs(b))


def _gold_span(case: dict[str, Any], item: dict[str, Any]) -> tuple[int, int]:
    """Upstream ends are inclusive; trust the text when the offsets disagree with it."""
    s, text = item["start"], item["text"]
    if case["input"][s : s + len(text)] == text:
        return s, s + len(text)
    found = case["input"].find(text.strip())
    return (found, found + len(text.strip())) if found >= 0 else (s, item["end"] + 1)


def _prf(tp: int, fp: int, fn: int) -> dict[str, float | int]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"tp": tp, "fp": fp, "fn": fn, "precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}


def _match(gold: list[tuple[int, int, float, str]], pred: list[tuple[int, int, float, str]]) -> tuple[int, int, int]:
    left = list(pred)
    tp = 0
    for g in gold:
        hit = next((p for p in left if p[:2] == g[:2] and _close(p[2], g[2]) and p[3] == g[3]), None)
        if hit:
            left.remove(hit)
            tp += 1
    return tp, len(left), len(gold) - tp


def score_figures(cases: Iterable[dict[str, Any]], kind: str) -> dict[str, Any]:
    tp = fp = fn = right = n = 0
    failures: list[dict[str, Any]] = []
    for case in cases:
        n += 1
        gold = []
        for item in case["expected"]:
            unit = "%"
            if kind == "money":
                unit = item.get("iso_currency") or _CURRENCY_NAMES.get(str(item.get("unit", "")).lower(), "?")
            gold.append((*_gold_span(case, item), float(item["value_num"]), unit))
        pred = [(f.start, f.end, f.value, f.unit) for f in extract_figures(case["input"]) if f.kind == kind]
        a, b, c = _match(gold, pred)
        tp, fp, fn = tp + a, fp + b, fn + c
        if b == 0 and c == 0:
            right += 1
        else:
            failures.append({"input": case["input"], "gold": gold, "predicted": pred})
    return {
        "cases": n,
        "right": right,
        "share_right": round(right / n, 4) if n else 0.0,
        **_prf(tp, fp, fn),
        "failures": failures,
    }


_OUT_OF_SCOPE = [
    (
        "power",
        "exponent or power notation (1e10, 1.1^23)",
        lambda c, i: i.get("subtype") == "power" or bool(re.search(r"\d\s*[eE^]|\^", c["input"])),
    ),
    (
        "ratio",
        "ratio fractions «N على M», «N من M», «جزء من» (not how economic news writes numbers)",
        lambda c, i: bool(re.search(r"(?:\sعلى\s|\sمن\s|جزء|أجزاء|اجزاء|\sفي\s\S)", i["text"])),
    ),
    ("dozen", "dozens (دزينة، دستة)", lambda c, i: bool(re.search(r"دزين|دست", i["text"]))),
    ("bad_span", "upstream marks the span as unreliable", lambda c, i: not i.get("span_ok", True)),
    ("slash", "slash fractions and mixed numbers (4/5, 2 1/4)", lambda c, i: "/" in i["text"]),
]


def score_numbers(cases: list[dict[str, Any]]) -> dict[str, Any]:
    right = n_in = 0
    out: Counter[str] = Counter()
    classes: Counter[str] = Counter()
    examples: dict[str, list[str]] = {}
    tp = fp = fn = 0
    for case in cases:
        reason = next((key for key, _, test in _OUT_OF_SCOPE for i in case["expected"] if test(case, i)), None)
        if reason:
            out[reason] += 1
            continue
        n_in += 1
        gold = [(*_gold_span(case, i), float(i["value_num"]), "") for i in case["expected"]]
        pred = [(s, e, v, "") for _, s, e, v in extract_numbers(case["input"])]
        a, b, c = _match(gold, pred)
        tp, fp, fn = tp + a, fp + b, fn + c
        if b == 0 and c == 0:
            right += 1
            continue
        values = {round(g[2], 6) for g in gold}
        if any(round(p[2], 6) in values for p in pred):
            cls = "span differs"
        elif not pred:
            cls = "missed"
        elif not gold:
            cls = "extra number"
        else:
            cls = "wrong value"
        classes[cls] += 1
        examples.setdefault(cls, []).append(case["input"])
    reasons = {key: {"count": out[key], "why": why} for key, why, _ in _OUT_OF_SCOPE if out[key]}
    return {
        "cases": len(cases),
        "in_scope": n_in,
        "right": right,
        "share_right": round(right / n_in, 4) if n_in else 0.0,
        "share_right_all_cases": round(right / len(cases), 4) if cases else 0.0,
        **_prf(tp, fp, fn),
        "failure_classes": dict(classes.most_common()),
        "out_of_scope": reasons,
        "examples": {k: v[:5] for k, v in examples.items()},
    }


def score_seed(root: Path) -> dict[str, Any]:
    gold_doc = json.loads((root / "data" / "seed_gold.json").read_text(encoding="utf-8"))
    text = (root / gold_doc["file"]).read_text(encoding="utf-8")
    figs = extract_figures(text)
    per_kind: dict[str, Any] = {}
    for kind in ("money", "percent", "quantity"):
        gold = [(0, 0, float(g["value"]), g["unit"]) for g in gold_doc["figures"] if g["kind"] == kind]
        pred = [(0, 0, f.value, f.unit) for f in figs if f.kind == kind]
        per_kind[kind] = _prf(*_match(gold, pred))
    texts = " | ".join(f.text for f in figs)
    leaked = [nf for nf in gold_doc.get("not_figures", []) if nf in texts]
    checks = []
    for g in gold_doc["figures"]:
        f = next((f for f in figs if f.kind == g["kind"] and _close(f.value, g["value"])), None)
        checks.append(
            {
                "text": g["text"],
                "found": f is not None,
                "metric_ok": f is not None and f.metric == g.get("metric"),
                "direction_ok": f is not None and f.direction == g.get("direction"),
            }
        )
    return {"figures": len(figs), "per_kind": per_kind, "non_figures_reported": leaked, "context": checks}


_FACT_FIELDS = ("subject_id", "period")


def _fact_value(fig: Any, name: str) -> str | None:
    """`name` of a predicted figure (a `Figure` or a dict); None when it has no such field yet."""
    value = fig.get(name) if isinstance(fig, Mapping) else getattr(fig, name, None)
    return value if value is None else str(value)


def _fact_field(pairs: list[tuple[str | None, str | None]]) -> dict[str, Any]:
    """Counts of one field over (gold, predicted) pairs."""
    gold_set = sum(g is not None for g, _ in pairs)
    predicted = sum(p is not None for _, p in pairs)
    correct = sum(p is not None and p == g for g, p in pairs)
    return {
        "gold_non_null": gold_set,
        "predicted_non_null": predicted,
        "correct": correct,
        "wrong": predicted - correct,
        "wrong_where_gold_null": sum(p is not None and g is None for g, p in pairs),
        "abstain": sum(p is None for _, p in pairs),
        "abstain_where_gold_set": sum(p is None and g is not None for g, p in pairs),
        "precision": round(correct / predicted, 4) if predicted else 0.0,
        "coverage": round(predicted / gold_set, 4) if gold_set else 0.0,
        "recall": round(correct / gold_set, 4) if gold_set else 0.0,
    }


def score_facts(gold_rows: Iterable[Mapping[str, Any]], predicted: Mapping[str, Iterable[Any]]) -> dict[str, Any]:
    """Subject and period of the gold figures against `predicted` (article id -> its extracted
    figures: `Figure` objects or dicts with `start`, `subject_id`, `period`).

    Each gold row is matched to the predicted figure of its article with the same `start`; a gold
    figure with no such prediction counts as `not_found` and as an abstention on both fields. Per
    field: correct = non-null prediction equal to the gold; every other non-null prediction is wrong
    (also where the gold is null); a null prediction abstains. precision = correct / predicted
    non-null, coverage = predicted non-null / gold non-null, recall = correct / gold non-null."""
    by_start: dict[tuple[str, int], Any] = {}
    for article_id, figures in predicted.items():
        for fig in figures:
            start = fig["start"] if isinstance(fig, Mapping) else fig.start
            by_start.setdefault((article_id, int(start)), fig)
    pairs: dict[str, list[tuple[str | None, str | None]]] = {f: [] for f in _FACT_FIELDS}
    not_found: list[dict[str, Any]] = []
    disagreements: list[dict[str, Any]] = []
    articles: set[str] = set()
    n = 0
    for row in gold_rows:
        n += 1
        articles.add(row["article_id"])
        fig = by_start.get((row["article_id"], int(row["start"])))
        if fig is None:
            not_found.append({"article_id": row["article_id"], "start": row["start"], "end": row["end"]})
        for field in _FACT_FIELDS:
            gold = row.get(field)
            pred = None if fig is None else _fact_value(fig, field)
            pairs[field].append((gold, pred))
            if pred is not None and pred != gold:
                where = {"article_id": row["article_id"], "start": row["start"], "field": field}
                disagreements.append({**where, "gold": gold, "predicted": pred})
    return {
        "figures": n,
        "articles": len(articles),
        "found": n - len(not_found),
        "not_found": not_found,
        **{("subject" if f == "subject_id" else f): _fact_field(pairs[f]) for f in _FACT_FIELDS},
        "disagreements": disagreements,
    }


def facts_predictions(root: Path, gold_rows: Iterable[Mapping[str, Any]]) -> dict[str, list[Any]]:
    """The extracted figures of every kit news article the gold rows name, each article extracted
    with its `published` date as `khabar.extract.extract` reads it."""
    from khabar.extract import extract, published_date  # the full extractor, only when scoring facts

    wanted = {row["article_id"] for row in gold_rows}
    out: dict[str, list[Any]] = {}
    for article in _read_jsonl(root / _NEWS):
        if article["id"] in wanted:
            out[article["id"]] = extract(article["body"], published_date(article.get("published"))).figures
    return out


def run_facts(root: Path, gold_path: Path = FACTS_GOLD) -> dict[str, Any]:
    """`score_facts` on the facts gold and the kit's news; skipped (with the reason) without them."""
    if not gold_path.is_file() or not (root / _NEWS).is_file():
        return {"skipped": f"needs {gold_path.name} and {root / _NEWS}"}
    gold = _read_jsonl(gold_path)
    return score_facts(gold, facts_predictions(root, gold))


def run(root: Path) -> dict[str, Any]:
    rt = root / "data" / "recognizers_text"
    return {
        "percent": score_figures(_read_jsonl(rt / "PercentModel.jsonl"), "percent"),
        "currency": score_figures(_read_jsonl(rt / "CurrencyModel.jsonl"), "money"),
        "number": score_numbers(_read_jsonl(rt / "NumberModel.jsonl")),
        "seed": score_seed(root),
        "facts": run_facts(root),
    }


def print_text(res: dict[str, Any]) -> None:
    """The text report of `run`'s result."""

    def line(name: str, r: dict[str, Any]) -> str:
        return (
            f"{name:9} cases {r['cases']:4}  right {r['right']:4} ({r['share_right']:.1%})  "
            f"P {r['precision']:.3f} R {r['recall']:.3f} F1 {r['f1']:.3f}"
        )

    print(line("percent", res["percent"]))
    print(line("currency", res["currency"]))
    for f in res["currency"]["failures"]:
        print(f"  currency miss: {f['input']!r} gold={f['gold']} predicted={f['predicted']}")
    num = res["number"]
    print(line("number", num) + f"  [in scope {num['in_scope']}, all cases {num['share_right_all_cases']:.1%}]")
    print("  failure classes:", num["failure_classes"])
    for key, r in num["out_of_scope"].items():
        print(f"  out of scope {key}: {r['count']} ({r['why']})")
    seed = res["seed"]
    print(f"seed      figures {seed['figures']}  non-figures reported: {seed['non_figures_reported'] or 'none'}")
    for kind, r in seed["per_kind"].items():
        print(f"  {kind:8} P {r['precision']:.3f} R {r['recall']:.3f} F1 {r['f1']:.3f}")
    for c in seed["context"]:
        print(f"  {c['text']}: found={c['found']} metric={c['metric_ok']} direction={c['direction_ok']}")
    facts = res.get("facts", {})
    if "skipped" in facts:
        print(f"facts     skipped: {facts['skipped']}")
    elif facts:
        print(f"facts     figures {facts['figures']} in {facts['articles']} articles, found {facts['found']}")
        for field in ("subject", "period"):
            r = facts[field]
            print(
                f"  {field:8} gold {r['gold_non_null']:3}  predicted {r['predicted_non_null']:3}  "
                f"correct {r['correct']:3}  wrong {r['wrong']:3} ({r['wrong_where_gold_null']} where gold null)  "
                f"abstain {r['abstain']:3}  P {r['precision']:.3f} coverage {r['coverage']:.3f} R {r['recall']:.3f}"
            )
