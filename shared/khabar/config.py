"""Limits and settings read from the environment (Lambda configuration), with safe defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass

EXTRACTOR_VERSION = "0.1.0"


def _int_env(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{name} must be an integer, got {raw!r}") from None


@dataclass(frozen=True)  # no slots: from_env reads the class-level defaults
class Limits:
    max_article_bytes: int = 1_000_000  # a longer article is rejected ("too_large")
    max_line_bytes: int = 8_000_000  # one JSONL line; longer lines are rejected unread
    max_uncompressed_bytes: int = 2_000_000_000  # total across an archive or gzip stream
    max_ratio: int = 200  # uncompressed/compressed per archive member (zip bombs)
    max_archive_depth: int = 2  # an archive inside an archive is fine; deeper is rejected
    articles_per_file: int = 20_000  # cap on articles per Parquet part file
    rows_per_group: int = 2_000  # articles buffered before a row group is written

    @classmethod
    def from_env(cls) -> Limits:
        return cls(
            max_article_bytes=_int_env("KHABAR_MAX_ARTICLE_BYTES", cls.max_article_bytes),
            max_line_bytes=_int_env("KHABAR_MAX_LINE_BYTES", cls.max_line_bytes),
            max_uncompressed_bytes=_int_env("KHABAR_MAX_UNCOMPRESSED_BYTES", cls.max_uncompressed_bytes),
            max_ratio=_int_env("KHABAR_MAX_RATIO", cls.max_ratio),
            max_archive_depth=_int_env("KHABAR_MAX_ARCHIVE_DEPTH", cls.max_archive_depth),
            articles_per_file=_int_env("KHABAR_ARTICLES_PER_FILE", cls.articles_per_file),
            rows_per_group=_int_env("KHABAR_ROWS_PER_GROUP", cls.rows_per_group),
        )
