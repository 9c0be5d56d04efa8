"""ANERcorp (team kit, read by path) and the deterministic dev split carved from it."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from ._paths import shared_dir

BLOCK = 25  # consecutive sentences share a block: dev holds whole stretches of articles


@dataclass(frozen=True, slots=True)
class Sentence:
    id: str
    tokens: list[str]
    tags: list[str]


def anercorp_path() -> Path:
    return shared_dir() / "data" / "anercorp" / "train.jsonl"


def load(path: Path | None = None) -> list[Sentence]:
    with (path or anercorp_path()).open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    return [Sentence(r["id"], r["tokens"], r["tags"]) for r in rows]


def block_hash(sentence_id: str, salt: str) -> int:
    """A byte of hash of the sentence's block of `BLOCK` consecutive sentences: splits by it keep
    whole stretches of articles together."""
    num = sentence_id.rsplit("-", 1)[-1]
    block = int(num) // BLOCK if num.isdigit() else sentence_id
    return hashlib.sha1(f"{salt}:{block}".encode()).digest()[0]


def is_dev(sentence_id: str) -> bool:
    """~10 % of blocks by hash. Whole blocks, not single sentences: a sentence-level split would
    put the rest of the same article (same names) in train and overstate held-out accuracy."""
    return block_hash(sentence_id, "khabar-dev") % 10 == 0


def split(sentences: list[Sentence]) -> tuple[list[Sentence], list[Sentence]]:
    train = [s for s in sentences if not is_dev(s.id)]
    dev = [s for s in sentences if is_dev(s.id)]
    return train, dev

