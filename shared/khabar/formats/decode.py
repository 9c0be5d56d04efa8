"""Bytes to text: BOMs first, strict UTF-8 next, then charset detection (Windows-1256, UTF-16...)."""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes

from khabar.text import arabic_ratio

__all__ = ["DecodeError", "decode_bytes", "looks_binary"]

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Encodings we accept from detection: the ones Arabic text is really written in.
_ACCEPTED = {
    "cp1256",
    "windows-1256",
    "iso8859_6",
    "utf_16",
    "utf_16_le",
    "utf_16_be",
    "utf_8",
    "ascii",
    "mac_arabic",
    "cp720",
    "cp864",
}


class DecodeError(ValueError):
    """The bytes are not text in an encoding we can trust; `reason` is the reject code."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


def looks_binary(data: bytes) -> bool:
    """Control bytes (other than tab/newline/CR/form feed) in the head mean binary, unless UTF-16."""
    head = data[:4096]
    if not head:
        return False
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    return controls / len(head) > 0.05


def _utf16_without_bom(data: bytes) -> str | None:
    # Arabic in UTF-16 has a 0x06 byte in every other position; ASCII has 0x00 there.
    head = data[:4096]
    if len(head) < 4 or len(head) % 2:
        return None
    for enc, hi in (("utf-16-le", head[1::2]), ("utf-16-be", head[0::2])):
        if sum(1 for b in hi if b in (0, 6)) / len(hi) > 0.9:
            try:
                return data.decode(enc)
            except UnicodeDecodeError:
                return None
    return None


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Return (text, encoding). Raises DecodeError("binary"|"undecodable", detail)."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError as exc:
                raise DecodeError("undecodable", f"{enc} BOM but invalid {enc}: {exc.reason}") from None
    # NUL bytes are valid UTF-8 but never appear in real UTF-8 text: look for BOM-less UTF-16 first.
    utf16 = _utf16_without_bom(data) if b"\x00" in data[:4096] else None
    if utf16 is not None:
        return utf16, "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if looks_binary(data):
        raise DecodeError("binary", "control bytes in the first 4 KiB: not a text file")
    best = from_bytes(data[:262_144]).best()
    if best is None or best.encoding.lower() not in _ACCEPTED:
        found = best.encoding if best is not None else "none"
        raise DecodeError("undecodable", f"not UTF-8 and no Arabic encoding detected (best guess: {found})")
    try:
        text = data.decode(best.encoding)
    except UnicodeDecodeError as exc:
        raise DecodeError("undecodable", f"detected {best.encoding} but decoding failed: {exc.reason}") from None
    if best.encoding.lower() not in ("utf_8", "ascii") and arabic_ratio(text) < 0.3:
        # A legacy code page that does not yield Arabic letters is a wrong guess, not Arabic.
        raise DecodeError("undecodable", f"detected {best.encoding} but the text is not Arabic")
    return text, best.encoding
