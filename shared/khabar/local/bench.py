"""`khabar bench`: speed, memory and start-up of the extraction, as medians over repeated runs.

Corpus: the team's real news (`../shared/data/news/*.jsonl`) when present, else the project's
samples, repeated to a fixed size. Reports MB/s (UTF-8 bytes of article bodies) and articles/s for
figures alone, entities alone, full extraction, and full extraction + Parquet writing; peak RSS;
the extract handler's import and first-call time in fresh processes; Parquet bytes per article.
"""

from __future__ import annotations

import io
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import cast

from khabar.kit import kit_dir
from khabar.local.aws import REPO_ROOT

__all__ = ["load_corpus", "print_table", "run_bench"]

_NEWS = kit_dir() / "data" / "news"


def load_corpus(target_bytes: int) -> tuple[list[str], str]:
    """Article bodies repeated up to `target_bytes`, and a description of where they came from."""
    bodies: list[str] = []
    files = sorted(_NEWS.glob("*.jsonl")) if _NEWS.is_dir() else []
    if files:
        for f in files:
            for line in f.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    bodies.append(json.loads(line)["body"])
        where = f"{len(bodies)} news articles from {_NEWS}"
    else:
        from khabar.formats import read_upload
        from khabar.models import Article

        for p in sorted((REPO_ROOT / "samples").iterdir()):
            with open(p, "rb") as fh:
                bodies += [a.body for a in read_upload(p.name, fh) if isinstance(a, Article)]
        where = f"{len(bodies)} project samples"
    if not bodies:
        raise RuntimeError("no corpus: neither ../shared/data/news nor samples/ hold articles")
    out: list[str] = []
    size = 0
    while size < target_bytes:
        for b in bodies:
            out.append(b)
            size += len(b.encode("utf-8"))
            if size >= target_bytes:
                break
    return out, where


def _median_time(fn: Callable[[], object], runs: int) -> float:
    fn()  # warm-up: loads models, fills caches
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _fresh_process_init(runs: int) -> dict[str, float]:
    # As in the Lambda layer, which ships no numpy: pyarrow imports it when it can (~0.13 s here).
    code = (
        "import time,sys; sys.modules['numpy']=None; t0=time.perf_counter();"
        "from khabar.local.aws import load_handler; m=load_handler('extract'); t1=time.perf_counter();"
        "from khabar.extract import extract; extract('قال وزير المالية إن الصادرات بلغت 5 مليارات دولار');"
        "t2=time.perf_counter(); print(t1-t0, t2-t1)"
    )
    imports, firsts = [], []
    env = {**os.environ, "LAKE_URI": "/tmp/khabar-bench-lake", "POWERTOOLS_TRACE_DISABLED": "1"}
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
        a, b = out.stdout.split()
        imports.append(float(a))
        firsts.append(float(b))
    return {
        "import_s": statistics.median(imports),
        "first_extract_s": statistics.median(firsts),
        "init_total_s": statistics.median(i + f for i, f in zip(imports, firsts, strict=True)),
    }


def run_bench(target_mb: float = 2.0, runs: int = 5, init_runs: int = 5) -> dict[str, object]:
    from khabar.entities import extract_entities
    from khabar.extract import extract
    from khabar.figures import extract_figures
    from khabar.lake.store import Lake
    from khabar.models import Upload
    from khabar.pipeline import process_upload
    from khabar.text import normalize

    bodies, where = load_corpus(int(target_mb * 1_000_000))
    nbytes = sum(len(b.encode("utf-8")) for b in bodies)
    results: dict[str, object] = {
        "date": datetime.now(UTC).date().isoformat(),
        "machine": f"{platform.machine()} {os.cpu_count()} cpu, Python {platform.python_version()}",
        "corpus": where,
        "corpus_mb": round(nbytes / 1e6, 3),
        "articles": len(bodies),
        "runs": runs,
    }
    stages: dict[str, Callable[[], object]] = {
        "normalise": lambda: [normalize(b) for b in bodies],
        "figures": lambda: [extract_figures(b) for b in bodies],
        "entities": lambda: [extract_entities(b) for b in bodies],
        "full_extract": lambda: [extract(b) for b in bodies],
    }
    upload_bytes = b"".join(
        json.dumps({"id": str(i), "title": "", "body": b}, ensure_ascii=False).encode() + b"\n"
        for i, b in enumerate(bodies)
    )
    tmp = tempfile.mkdtemp(prefix="khabar-bench-")
    lake = Lake.open(tmp)

    def full_write() -> object:
        up = Upload("bench", "bench.jsonl", modified=datetime(2026, 1, 1, tzinfo=UTC))
        return process_upload(up, io.BytesIO(upload_bytes), lake)

    stages["full_extract_write"] = full_write
    table = {}
    for name, fn in stages.items():
        sec = _median_time(fn, runs)
        table[name] = {
            "seconds": round(sec, 4),
            "mb_per_s": round(nbytes / 1e6 / sec, 3),
            "articles_per_s": round(len(bodies) / sec, 1),
            "ms_per_article": round(sec * 1000 / len(bodies), 3),
        }
    results["stages"] = table
    # Bytes per article from the distinct articles only: repeats would compress unrealistically well.
    unique = list(dict.fromkeys(bodies))
    size_lake = Lake.open(tempfile.mkdtemp(prefix="khabar-bench-size-"))
    once = b"".join(
        json.dumps({"id": str(i), "title": "", "body": b}, ensure_ascii=False).encode() + b"\n"
        for i, b in enumerate(unique)
    )
    process_upload(
        Upload("bench", "size.jsonl", modified=datetime(2026, 1, 1, tzinfo=UTC)), io.BytesIO(once), size_lake
    )
    parquet = sum(p.stat().st_size for p in Path(size_lake.root).rglob("*.parquet") if "manifests" not in p.parts)
    results["parquet_bytes_per_article"] = round(parquet / len(unique), 1)
    results["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    if init_runs:
        results["cold_start"] = _fresh_process_init(init_runs)
    return results


def print_table(r: dict[str, object]) -> None:
    """`run_bench`'s result as the text table."""
    print(f"khabar bench — {r['date']} — {r['machine']}")
    print(
        f"corpus: {r['corpus']}, repeated to {r['corpus_mb']} MB ({r['articles']} articles); "
        f"median of {r['runs']} runs after a warm-up"
    )
    print(f"{'stage':<20} {'MB/s':>8} {'articles/s':>11} {'ms/article':>11}")
    stages = cast(dict[str, dict[str, float]], r["stages"])
    for name, s in stages.items():
        print(f"{name:<20} {s['mb_per_s']:>8.2f} {s['articles_per_s']:>11.1f} {s['ms_per_article']:>11.3f}")
    print(f"peak RSS: {r['peak_rss_mb']} MB; Parquet: {r['parquet_bytes_per_article']} bytes/article")
    if "cold_start" in r:
        c = cast(dict[str, float], r["cold_start"])
        print(
            f"cold start (fresh process as in the layer, no numpy; median): handler import {c['import_s']:.3f} s, "
            f"first extract (model load) {c['first_extract_s']:.3f} s, total {c['init_total_s']:.3f} s"
        )
