"""Upload formats: split an uploaded object into Articles, or Rejects that say why.

Supported: `.txt` (one article, the sample layout), `.html`, `.json` (an array or one object),
`.jsonl`/`.ndjson`, any of these gzip-compressed (`.gz`), and `.zip` / `.tar` / `.tar.gz` / `.tgz`
archives holding any of them (nested up to `Limits.max_archive_depth`). Readers stream: JSONL is
read line by line, so memory does not grow with the upload.

Every record ends as exactly one Article or one Reject; an upload that cannot be read at all is
one Reject. Reject reasons are listed in `REJECT_REASONS`.
"""

from __future__ import annotations

import io
import json
import zlib
from collections.abc import Iterator
from typing import BinaryIO

from khabar.config import Limits
from khabar.formats.archives import ArchiveLimitError, ByteStream, CappedReader, GunzipReader, read_tar, read_zip
from khabar.formats.article import excerpt, from_record, from_txt
from khabar.formats.decode import DecodeError, decode_bytes
from khabar.formats.jsonlines import read_jsonl
from khabar.models import Article, Reject

__all__ = ["read_upload", "REJECT_REASONS", "format_of"]

REJECT_REASONS = {
    "empty_upload": "the object has no bytes",
    "unsupported_format": "the file name's extension is not one we read",
    "binary": "the bytes are not text",
    "undecodable": "not valid UTF-8/UTF-16 and no Arabic code page fits",
    "malformed_json": "a JSON document or JSON line does not parse",
    "not_an_object": "a JSON record is not an object",
    "missing_body": "a record has no 'body' (or 'text') string",
    "empty_body": "the body is empty or white space",
    "not_arabic": "fewer than 30% of the body's letters are Arabic",
    "too_large": "the article is over the size limit (KHABAR_MAX_ARTICLE_BYTES)",
    "line_too_long": "a JSONL line is over KHABAR_MAX_LINE_BYTES",
    "html_no_text": "an HTML page without readable text",
    "duplicate_id": "an id seen earlier in the same upload",
    "truncated_gzip": "the gzip stream ends early or is corrupt; records before it were kept",
    "corrupt_archive": "a zip/tar archive that cannot be read (from that point on)",
    "unsafe_member": "an archive member with an absolute or '..' path, a link, or a device",
    "archive_limit": "an archive member over the size or compression-ratio limits (zip bomb)",
    "nesting_too_deep": "an archive nested deeper than KHABAR_MAX_ARCHIVE_DEPTH",
    "encrypted_member": "an encrypted archive member",
}

_ARCHIVES = (".zip", ".tar", ".tar.gz", ".tgz")
_TEXTS = (".txt", ".text", ".html", ".htm", ".json", ".jsonl", ".ndjson")


def format_of(name: str) -> str | None:
    """The format suffix of a file name ('.jsonl.gz' → '.jsonl' inside gzip), or None."""
    low = name.lower()
    for suffix in _ARCHIVES:
        if low.endswith(suffix):
            return suffix
    if low.endswith(".gz"):
        inner = format_of(low[:-3])
        return f"{inner}.gz" if inner in _TEXTS else None
    for suffix in _TEXTS:
        if low.endswith(suffix):
            return suffix
    return None


def read_upload(
    name: str, stream: BinaryIO, limits: Limits | None = None, *, depth: int = 0, prefix: str = ""
) -> Iterator[Article | Reject]:
    """Yield the articles and rejects of one uploaded object. Never raises for bad content."""
    limits = limits or Limits()
    where = f"{prefix}{name}"
    fmt = format_of(name)
    if fmt is None:
        yield Reject(
            where,
            "unsupported_format",
            f"cannot read {name!r}: supported are "
            ".txt .html .json .jsonl .ndjson (optionally .gz), .zip .tar .tar.gz .tgz",
        )
        return
    if fmt in (".zip", ".tar", ".tar.gz", ".tgz"):
        if depth >= limits.max_archive_depth:
            yield Reject(
                where, "nesting_too_deep", f"archive at depth {depth + 1}; the limit is {limits.max_archive_depth}"
            )
            return
        reader = read_zip if fmt == ".zip" else read_tar
        for member, data, err in reader(stream, limits, where):
            if err is not None:
                yield err
            elif data is not None:
                yield from read_upload(member, data, limits, depth=depth + 1, prefix=f"{where}!")
        return
    if fmt.endswith(".gz"):
        yield from _read_gzip(name[:-3], stream, limits, where)
        return
    yield from _read_text_format(fmt, stream, limits, where)


def _read_gzip(inner: str, stream: ByteStream, limits: Limits, where: str) -> Iterator[Article | Reject]:
    capped = CappedReader(GunzipReader(stream), limits.max_uncompressed_bytes)
    produced = 0
    try:
        for item in _read_text_format(format_of(inner) or ".txt", capped, limits, where):
            produced += 1
            yield item
    except (EOFError, zlib.error, OSError) as exc:
        yield Reject(
            f"{where} after record {produced}", "truncated_gzip", f"gzip stream broken after {produced} records: {exc}"
        )
    except ArchiveLimitError as exc:
        yield Reject(f"{where} after record {produced}", "archive_limit", str(exc))


def _read_text_format(fmt: str, stream: ByteStream, limits: Limits, where: str) -> Iterator[Article | Reject]:
    if fmt in (".jsonl", ".ndjson"):
        yield from read_jsonl(stream, limits, where)
        return
    data = stream.read(limits.max_article_bytes * 64 if fmt == ".json" else limits.max_article_bytes * 4 + 1)
    if not data:
        yield Reject(where, "empty_upload", "the object has no bytes")
        return
    try:
        text, _enc = decode_bytes(data)
    except DecodeError as exc:
        yield Reject(where, exc.reason, str(exc), excerpt(data))
        return
    if fmt == ".json":
        yield from _read_json(text, limits, where)
    else:
        yield from_txt(text, where, limits)


def _read_json(text: str, limits: Limits, where: str) -> Iterator[Article | Reject]:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        if "\n{" in text:  # JSON Lines saved as .json
            yield from read_jsonl_text(text, limits, where)
            return
        yield Reject(where, "malformed_json", f"invalid JSON: {exc}", excerpt(text))
        return
    if isinstance(doc, dict) and isinstance(doc.get("articles"), list):
        doc = doc["articles"]
    if isinstance(doc, list):
        for i, rec in enumerate(doc):
            yield from_record(rec, f"{where}:item {i}", limits)
    else:
        yield from_record(doc, where, limits)


def read_jsonl_text(text: str, limits: Limits, where: str) -> Iterator[Article | Reject]:
    yield from read_jsonl(io.BytesIO(text.encode("utf-8")), limits, where)
