"""Sorted "<word>\\t<value>" tables shipped as gzip and searched by bisection: loading is one split
(no dict of 100k+ words to build at cold start), a lookup is a binary search."""

from __future__ import annotations

import gzip
from bisect import bisect_left
from pathlib import Path


def load(path: Path) -> list[str]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return fh.read().split("\n")


def lookup(lines: list[str], word: str) -> str | None:
    """The value after the tab on `word`'s line, None when the table has no such word."""
    key = word + "\t"
    i = bisect_left(lines, key)
    if i < len(lines) and lines[i].startswith(key):
        return lines[i][len(key) :]
    return None
