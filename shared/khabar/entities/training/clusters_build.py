"""`khabar build-clusters`: regenerate data/ner_clusters.tsv.gz, distributional word classes for
the NER tagger. A name ANERcorp never labelled often shares a cluster with ones it did (two cities,
two surnames), which a word or gazetteer feature cannot tell.

Word2Vec (gensim, dev extras) is trained on the team kit's unlabelled ANT news, ANERcorp (without its
dev sentences), WikiFANE Gold (clitics re-joined) and PAN-X, all normalised as the tagger sees them;
the unit-length vectors are clustered by seeded spherical k-means at 64, 256 and 1024 clusters.
Deterministic on one machine: one worker thread, fixed seeds, one BLAS thread. Dev time only."""

from __future__ import annotations

import gzip
import json
import os
import sys
import time
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from khabar.entities.clusters import SIZES, TABLE
from khabar.entities.training import corpus
from khabar.entities.training.wikifane import join_clitics
from khabar.kit import kit_dir
from khabar.text import normalize, normalize_word, sentence_spans, token_spans

if TYPE_CHECKING:
    import numpy as np

OUT = TABLE
SEED = 7
DIM, WINDOW, MIN_COUNT, EPOCHS = 100, 5, 5, 5
KMEANS_ITERS = 30


def ant_sentences(path: Path) -> Iterator[list[str]]:
    """Sentences of the unlabelled ANT articles, split and tokenised as `extract` does."""
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            row = json.loads(line)
            for part in (row.get("title") or "", row.get("body") or ""):
                text = normalize(part).text
                for s0, s1 in sentence_spans(text):
                    yield [text[s0 + a : s0 + b] for a, b in token_spans(text[s0:s1])]


def _rows(path: Path) -> list[dict[str, list[str]]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def anercorp_train(path: Path) -> list[list[str]]:
    """ANERcorp without its dev split (`corpus.split`: the last sixth of lines, n - n // 6 kept):
    dev text in the clusters would make a cluster feature's dev scores look better than they are."""
    train, _dev = corpus.split(corpus.load(path))
    return [s.tokens for s in train]


def sentences(kit: Path) -> tuple[list[list[str]], dict[str, int]]:
    """Every training sentence as normalised words (`tagger.prepare`'s normalisation), and the
    number of sentences taken from each source."""
    data = kit / "data"
    sources: dict[str, Iterable[list[str]]] = {
        "ant": ant_sentences(data / "corpora" / "ant_unlabelled.jsonl.gz"),
        "anercorp": anercorp_train(data / "anercorp" / "train.jsonl"),
        "wikifane": (join_clitics(r["tokens"], None)[0] for r in _rows(data / "ner_extra" / "wikifane_gold.jsonl")),
        "panx": (r["tokens"] for r in _rows(data / "ner_extra" / "panx_ar.jsonl")),
    }
    out: list[list[str]] = []
    counts: dict[str, int] = {}
    for name, sents in sources.items():
        before = len(out)
        for toks in sents:
            words = [w for w in (normalize_word(t.strip()) for t in toks) if w]
            if words:
                out.append(words)
        counts[name] = len(out) - before
    return out, counts


def crc_hash(text: str) -> int:
    """gensim's `hashfxn`: Python's `hash` of a str changes with every process (PYTHONHASHSEED)."""
    return zlib.crc32(text.encode("utf-8"))


def train_vectors(sents: list[list[str]]) -> tuple[list[str], np.ndarray]:
    """Skip-gram vectors (better than CBOW for rare words, which is what names are), one worker
    thread so that the result is reproducible. Words by descending frequency."""
    from gensim.models import Word2Vec

    model = Word2Vec(
        sents,
        vector_size=DIM,
        window=WINDOW,
        min_count=MIN_COUNT,
        sg=1,
        negative=5,
        epochs=EPOCHS,
        workers=1,
        seed=SEED,
        hashfxn=crc_hash,
    )
    return list(model.wv.index_to_key), model.wv.vectors


def kmeans(x: np.ndarray, k: int, seed: int = SEED, iters: int = KMEANS_ITERS) -> np.ndarray:
    """Spherical k-means (cosine) of unit rows: k-means++ seeding, then Lloyd until stable or
    `iters`. Labels are renumbered by first appearance in row order (cluster 0 holds row 0), so
    that ids do not depend on the seeding order."""
    import numpy as np

    rng = np.random.default_rng(seed)
    n = len(x)
    centres = np.empty((k, x.shape[1]), dtype=x.dtype)
    centres[0] = x[rng.integers(n)]
    dist = np.maximum(1.0 - x @ centres[0], 0.0)  # |a - b|² / 2 for unit vectors
    for j in range(1, k):
        i = min(int(np.searchsorted(np.cumsum(dist), rng.random() * dist.sum())), n - 1)
        centres[j] = x[i]
        np.minimum(dist, np.maximum(1.0 - x @ x[i], 0.0), out=dist)
    labels = np.full(n, -1)
    for _ in range(iters):
        new = np.concatenate([(x[s : s + 8192] @ centres.T).argmax(1) for s in range(0, n, 8192)])
        if np.array_equal(new, labels):
            break
        labels = new
        sums = np.zeros_like(centres)
        np.add.at(sums, labels, x)
        norms = np.linalg.norm(sums, axis=1)
        filled = norms > 0  # an empty cluster keeps its centre
        centres[filled] = sums[filled] / norms[filled, None]
    first: dict[int, int] = {}
    for label in labels.tolist():
        first.setdefault(label, len(first))
    return np.array([first[label] for label in labels.tolist()])


def render(words: list[str], columns: list[np.ndarray]) -> bytes:
    """Sorted `word\\tc64\\tc256\\tc1024` lines, gzipped with mtime 0 (same bytes on every build)."""
    lines = sorted("\t".join([w, *(str(int(c[i])) for c in columns)]) for i, w in enumerate(words))
    return gzip.compress("\n".join(lines).encode("utf-8"), compresslevel=9, mtime=0)


def run(out: Path = OUT) -> None:
    """Build the table and write it to `out`, printing the time of each step."""
    # One BLAS thread: the machine is shared, and float sums must not depend on thread scheduling.
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"
    if "numpy" in sys.modules:
        print("warning: numpy already imported; BLAS may use several threads", file=sys.stderr)
    import numpy as np

    t0 = time.perf_counter()
    sents, counts = sentences(kit_dir())
    tokens = sum(map(len, sents))
    print(
        f"read {len(sents):,} sentences, {tokens:,} tokens ({', '.join(f'{k} {v:,}' for k, v in counts.items())}) "
        f"in {time.perf_counter() - t0:.0f} s"
    )
    t1 = time.perf_counter()
    words, vectors = train_vectors(sents)
    print(f"word2vec: {len(words):,} words (min count {MIN_COUNT}) in {time.perf_counter() - t1:.0f} s")
    x = vectors.astype(np.float64)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    columns = []
    for k in SIZES:
        t2 = time.perf_counter()
        columns.append(kmeans(x, k))
        print(f"k-means {k}: {time.perf_counter() - t2:.0f} s")
    data = render(words, columns)
    out.write_bytes(data)
    print(f"wrote {out}: {len(words):,} words, {len(data) / 1e6:.2f} MB (total {time.perf_counter() - t0:.0f} s)")
