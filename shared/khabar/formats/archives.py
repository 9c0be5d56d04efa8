"""Zip and tar archives from strangers: members are read in memory-bounded streams, never extracted
to disk by name, and links, unsafe paths, encrypted members and zip bombs are rejected."""

from __future__ import annotations

import io
import posixpath
import stat
import tarfile
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from typing import BinaryIO, Protocol

from khabar.config import Limits
from khabar.models import Reject

__all__ = ["ArchiveLimitError", "ByteStream", "CappedReader", "GunzipReader", "read_zip", "read_tar", "Member"]


class ByteStream(Protocol):
    """Anything the readers can pull bytes from: files, S3 streaming bodies, zip members, our
    capped and gunzip readers (only `read` is needed)."""

    def read(self, n: int = -1, /) -> bytes: ...


Member = tuple[str, BinaryIO, None] | tuple[str, None, Reject]
_SPOOL = 64 << 20  # keep up to 64 MiB of a non-seekable archive in memory, the rest in /tmp


class ArchiveLimitError(Exception):
    pass


class CappedReader(io.RawIOBase):
    """Reads through `inner` but raises once more than `cap` bytes came out (decompression bombs)."""

    def __init__(self, inner: ByteStream, cap: int) -> None:
        self._inner, self._cap, self.count = inner, cap, 0

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        data = self._inner.read(self._cap - self.count + 1 if n is None or n < 0 else n)
        self.count += len(data)
        if self.count > self._cap:
            raise ArchiveLimitError(f"more than {self._cap} uncompressed bytes")
        return data

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]  # typeshed: any buffer
        data = self.read(len(b))
        b[: len(data)] = data
        return len(data)


class GunzipReader(io.RawIOBase):
    """Streaming gunzip that hands out every byte it could decompress before a truncation, then
    raises EOFError (the stdlib GzipFile loses the last buffered block when the stream is cut)."""

    def __init__(self, inner: ByteStream) -> None:
        self._inner = inner
        self._z = zlib.decompressobj(16 + zlib.MAX_WBITS)
        self._buf = b""  # compressed bytes of the next gzip member, if any
        self._done = False

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        want = n if n is not None and n >= 0 else 1 << 62
        out = bytearray()
        while len(out) < want:
            # Bounded output per call (max_length): a highly compressed chunk cannot balloon memory.
            pending = self._z.unconsumed_tail or self._buf
            if not pending and not self._done:
                pending = self._inner.read(1 << 16)
                if not pending:
                    self._done = True
            self._buf = b""
            if pending:
                out += self._z.decompress(pending, min(want - len(out), 1 << 20))
                if self._z.eof and self._z.unused_data:  # concatenated gzip members
                    rest = self._z.unused_data
                    self._z = zlib.decompressobj(16 + zlib.MAX_WBITS)
                    self._buf = rest
                continue
            if not self._z.eof:
                if out:
                    break  # hand out what we have; the next read raises
                raise EOFError("compressed stream ended before the end-of-stream marker")
            break
        return bytes(out)

    def readinto(self, b: bytearray | memoryview) -> int:  # type: ignore[override]  # typeshed: any buffer
        data = self.read(len(b))
        b[: len(data)] = data
        return len(data)


def _unsafe_name(name: str) -> str | None:
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        return "absolute path"
    parts = name.replace("\\", "/").split("/")
    if ".." in parts:
        return "'..' in path"
    if "\x00" in name:
        return "NUL in name"
    return None


def _common_problem(name: str, limits: Limits, total: int) -> tuple[str, str] | None:
    why = _unsafe_name(name)
    if why:
        return "unsafe_member", why
    if total > limits.max_uncompressed_bytes:
        return "archive_limit", f"archive over {limits.max_uncompressed_bytes} uncompressed bytes"
    return None


def _zip_problem(info: zipfile.ZipInfo, limits: Limits, total: int) -> tuple[str, str] | None:
    """(reason, detail) when a zip member must not be read; `total` counts this member too."""
    if stat.S_ISLNK(info.external_attr >> 16):
        return "unsafe_member", "symbolic link in archive"
    if info.flag_bits & 0x1:
        return "encrypted_member", "encrypted member"
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size > 1 << 20 and ratio > limits.max_ratio:
        return "archive_limit", f"compression ratio {ratio:.0f} over {limits.max_ratio}"
    return _common_problem(info.filename, limits, total)


def _tar_problem(info: tarfile.TarInfo, limits: Limits, total: int) -> tuple[str, str] | None:
    if info.issym() or info.islnk():
        return "unsafe_member", "link in archive"
    if not info.isfile():
        return "unsafe_member", "device or special file in archive"
    return _common_problem(info.name, limits, total)


def _seekable(stream: ByteStream) -> BinaryIO:
    """`stream` itself when it can seek (zipfile needs to), else a spooled copy."""
    try:
        if stream.seekable():  # type: ignore[attr-defined]  # absent on some streams: caught below
            return stream  # type: ignore[return-value]  # a seekable stream is a file object
    except (AttributeError, ValueError):
        pass
    spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL)  # noqa: SIM115 - returned to the caller, closed with it
    while chunk := stream.read(1 << 20):
        spool.write(chunk)
    spool.seek(0)
    return spool  # type: ignore[return-value]  # a binary file object, not typed as BinaryIO by typeshed


def read_zip(stream: BinaryIO, limits: Limits, where: str) -> Iterator[Member]:
    # Spooling errors (a full /tmp) are infrastructure failures: they propagate and the message is
    # retried, rather than calling a good archive corrupt.
    spooled = _seekable(stream)
    try:
        zf = zipfile.ZipFile(spooled)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        yield where, None, Reject(where, "corrupt_archive", f"not a readable zip: {exc}")
        return
    total = 0
    with zf:
        for info in zf.infolist():
            if info.is_dir():
                continue
            problem = _zip_problem(info, limits, total + info.file_size)
            if problem:
                yield info.filename, None, Reject(f"{where}!{info.filename}", *problem)
                continue
            total += info.file_size
            loc = f"{where}!{info.filename}"
            try:
                with zf.open(info) as member:
                    # Cap by the declared size too: a forged header cannot make us read more.
                    data = CappedReader(member, min(info.file_size, limits.max_uncompressed_bytes))
                    yield posixpath.basename(info.filename) or info.filename, _seekable(data), None
            except ArchiveLimitError as exc:
                yield info.filename, None, Reject(loc, "archive_limit", str(exc))
            except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
                yield info.filename, None, Reject(loc, "corrupt_archive", f"member unreadable: {exc}")


def read_tar(stream: BinaryIO, limits: Limits, where: str) -> Iterator[Member]:
    total = 0
    try:
        tf = tarfile.open(fileobj=stream, mode="r|*")  # noqa: SIM115 - closed in finally
    except (tarfile.TarError, OSError, EOFError) as exc:
        yield where, None, Reject(where, "corrupt_archive", f"not a readable tar: {exc}")
        return
    count = 0
    try:
        for info in tf:
            count += 1
            if info.isdir():
                continue
            problem = _tar_problem(info, limits, total + info.size)
            if problem:
                yield info.name, None, Reject(f"{where}!{info.name}", *problem)
                continue
            total += info.size
            member = tf.extractfile(info)
            if member is None:
                continue
            # Spool: a streamed tar member is only readable until the next member is requested.
            yield posixpath.basename(info.name), _seekable(member), None
    except (tarfile.TarError, OSError, EOFError) as exc:
        yield where, None, Reject(f"{where} after member {count}", "corrupt_archive", f"tar stream broken: {exc}")
    finally:
        tf.close()
