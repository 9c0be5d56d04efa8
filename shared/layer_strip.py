"""Drop the static symbol tables (.symtab/.strtab) of ELF shared objects, like `strip`, in Python.

Used by shared/Makefile on the layer's aarch64 libraries: the build machine's binutils usually
cannot write aarch64 ELF files, and cross binutils are not something every user has.

    python layer_strip.py FILE...

Safe by construction: the dynamic loader reads only program headers and the segments they map.
A table is dropped only when it lies after the end of every segment in the file, so bytes
[0, end of the last segment) are kept as they are, the loaded image is byte-identical, and only
the trailing non-loaded sections and the section header table are rewritten (moved up). A file
that does not fit that shape (not 64-bit little-endian ELF, a dropped table referenced by a kept
section, ...) is left untouched.
"""

from __future__ import annotations

import struct
import sys
from pathlib import Path

DROP = {b".symtab", b".strtab"}
SHF_ALLOC = 0x2
_EHDR = struct.Struct("<16sHHIQQQIHHHHHH")
_PHDR = struct.Struct("<IIQQQQQQ")
_SHDR = struct.Struct("<IIQQQQIIQQ")


def _align(n: int, a: int) -> int:
    return n if a <= 1 else (n + a - 1) // a * a


def strip(data: bytes) -> bytes | None:
    """The file without its static symbol tables, or None when there is nothing (safe) to drop."""
    if len(data) < _EHDR.size or data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        return None
    (_, _, _, _, _, phoff, shoff, _, _, phentsize, phnum, shentsize, shnum, shstrndx) = _EHDR.unpack_from(data)
    if shoff == 0 or shnum == 0 or shentsize != _SHDR.size or phentsize != _PHDR.size:
        return None
    seg_end = phoff + phnum * phentsize
    for i in range(phnum):
        p = _PHDR.unpack_from(data, phoff + i * phentsize)
        seg_end = max(seg_end, p[2] + p[5])  # p_offset + p_filesz
    shdrs = [list(_SHDR.unpack_from(data, shoff + i * shentsize)) for i in range(shnum)]
    names = shdrs[shstrndx]

    def name(sh: list[int]) -> bytes:
        start = names[4] + sh[0]
        return data[start : data.index(b"\0", start)]

    drop = {i for i, sh in enumerate(shdrs) if name(sh) in DROP and not sh[2] & SHF_ALLOC and sh[4] >= seg_end}
    if not drop or shstrndx in drop:
        return None
    for i, sh in enumerate(shdrs):
        if i not in drop and (sh[6] in drop or (sh[7] in drop and sh[1] in (4, 9))):
            return None  # a kept section links to a dropped one (SHT_RELA/SHT_REL: sh_info is a section)
        if sh[1] != 8 and sh[4] < seg_end < sh[4] + sh[5]:
            return None  # a section straddles the end of the segments
    out = bytearray(data[:seg_end])
    # Kept sections stored after the segments (.comment, .shstrtab, ...), moved up in file order.
    for i in sorted(
        (i for i, sh in enumerate(shdrs) if i and i not in drop and sh[4] >= seg_end and sh[1] != 8),
        key=lambda i: shdrs[i][4],
    ):
        sh = shdrs[i]
        out += b"\0" * (_align(len(out), sh[8]) - len(out))
        chunk = data[sh[4] : sh[4] + sh[5]]
        sh[4] = len(out)
        out += chunk
    for i in drop:
        shdrs[i] = [0] * 10  # SHT_NULL
    out += b"\0" * (_align(len(out), 8) - len(out))
    new_shoff = len(out)
    for sh in shdrs:
        out += _SHDR.pack(*sh)
    struct.pack_into("<Q", out, 0x28, new_shoff)  # e_shoff
    assert out[:0x28] == data[:0x28] and out[0x30:seg_end] == data[0x30:seg_end]
    return bytes(out)


def main(paths: list[str]) -> int:
    saved = 0
    for p in map(Path, paths):
        data = p.read_bytes()
        new = strip(data)
        if new is not None and len(new) < len(data):
            p.write_bytes(new)
            saved += len(data) - len(new)
    print(f"layer_strip: {len(paths)} files, {saved / 1e6:.1f} MB of symbol tables removed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
