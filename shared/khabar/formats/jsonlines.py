"""JSON Lines, streamed: one record per line, bad lines rejected one by one."""

from __future__ import annotations

import codecs
import io
import json
from collections.abc import Iterator

from khabar.config import Limits
from khabar.formats.archives import ByteStream
from khabar.formats.article import excerpt, from_record
from khabar.formats.decode import DecodeError, decode_bytes
from khabar.models import Article, Reject

__all__ = ["read_jsonl"]

_CHUNK = 1 << 16


def _file_encoding(head: bytes) -> str:
    """Pick the encoding for the whole file from its head; lines are still decoded one by one."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    lines = head.split(b"\n")[:-1] or [head]
    ok = 0
    for ln in lines:
        try:
            ln.decode("utf-8")
            ok += 1
        except UnicodeDecodeError:
            pass
    if ok * 2 >= len(lines):
        return "utf-8"  # mostly UTF-8: a bad line is a bad record, not a different file encoding
    try:
        return decode_bytes(head)[1]
    except DecodeError:
        return "utf-8"


def _lines(stream: io.BufferedReader, limit: int) -> Iterator[tuple[bytes | None, int]]:
    """Yield (line, line_number); a line over `limit` bytes is yielded as None and skipped."""
    number = 0
    while True:
        line = stream.readline(limit + 1)
        if not line:
            return
        number += 1
        if len(line) > limit and not line.endswith(b"\n"):
            while True:  # discard the rest of the long line without holding it
                rest = stream.readline(_CHUNK)
                if not rest or rest.endswith(b"\n"):
                    break
            yield None, number
            continue
        yield line, number


def read_jsonl(stream: ByteStream, limits: Limits, where: str) -> Iterator[Article | Reject]:
    buffered = stream if isinstance(stream, io.BufferedReader) else io.BufferedReader(_Raw(stream), _CHUNK)
    head = buffered.peek(_CHUNK)[:_CHUNK]
    if not head:
        yield Reject(where, "empty_upload", "the object has no bytes")
        return
    encoding = _file_encoding(head)
    if encoding == "utf-16":
        text = io.TextIOWrapper(buffered, encoding="utf-16", errors="strict")
        try:
            for number, line in enumerate(text, 1):
                yield from _record(line, f"{where}:line {number}", limits)
        except UnicodeDecodeError as exc:
            yield Reject(f"{where}:rest", "undecodable", f"invalid UTF-16: {exc.reason}")
        return
    seen_any = False
    for raw, number in _lines(buffered, limits.max_line_bytes):
        loc = f"{where}:line {number}"
        if raw is None:
            yield Reject(loc, "line_too_long", f"line over {limits.max_line_bytes} bytes")
            continue
        if number == 1 and encoding == "utf-8-sig":
            raw = raw.removeprefix(codecs.BOM_UTF8)
        try:
            line = raw.decode("utf-8" if encoding == "utf-8-sig" else encoding)
        except UnicodeDecodeError as exc:
            yield Reject(loc, "undecodable", f"invalid {encoding} at byte {exc.start}: {exc.reason}", excerpt(raw))
            continue
        if line.strip():
            seen_any = True
        yield from _record(line, loc, limits)
    if not seen_any:
        yield Reject(where, "empty_upload", "no JSON lines in the object")


def _record(line: str, loc: str, limits: Limits) -> Iterator[Article | Reject]:
    if not line.strip():
        return
    try:
        rec = json.loads(line)
    except json.JSONDecodeError as exc:
        yield Reject(loc, "malformed_json", f"invalid JSON: {exc.msg} at column {exc.colno}", excerpt(line))
        return
    yield from_record(rec, loc, limits)


class _Raw(io.RawIOBase):
    """Adapts any object with read(n) (gzip, S3 streaming bodies) to a raw stream for buffering."""

    def __init__(self, inner: ByteStream) -> None:
        self._inner = inner

    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]  # typeshed: any buffer
        data = self._inner.read(len(b))
        n = len(data)
        b[:n] = data
        return n
