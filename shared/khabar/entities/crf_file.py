"""crfsuite's first-order CRF model file (CRF1d, "lCRF"/"FOMC", version 100), read and written.

Used by `merged.py` to add attributes to a trained model. Layout (all integers little-endian):
a 48-byte header with the offsets of five chunks; "FEAT", 20-byte features (type 0: attribute ->
label, type 1: label -> label; weight a double); two CQDB string <-> id tables (labels, attributes:
records `id, size, key\\0`, 256 open-addressing hash tables keyed by Bob Jenkins' lookup3
`hashlittle` of the key with its NUL, and an id -> record array); "LFRF" and "AFRF", per label and
per attribute the ids of the features starting there. Reading checks what the writer relies on; a
round trip of a crfsuite-written model gives a model crfsuite tags identically with (a test).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

_HEADER = struct.Struct("<4sI4sI8I")
_CHUNK = struct.Struct("<4sII")
_FEATURE = struct.Struct("<IIId")
_CQDB_HEADER = struct.Struct("<4sIIIII")
_BYTEORDER = 0x62445371
_TABLES = 256
_M32 = 0xFFFFFFFF
_MIX = (4, 6, 8, 16, 19, 4)  # lookup3's mix() rotations


class ModelFormatError(ValueError):
    """Not a crfsuite CRF1d model this module can read."""


def _rot(x: int, k: int) -> int:
    return ((x << k) | (x >> (32 - k))) & _M32


def hashlittle(key: bytes, initval: int = 0) -> int:
    """Bob Jenkins' lookup3 `hashlittle` (public domain), byte by byte, as CQDB keys its tables."""
    n = len(key)
    a = b = c = (0xDEADBEEF + n + initval) & _M32
    if n == 0:
        return c
    i = 0
    while n - i > 12:
        a = (a + int.from_bytes(key[i : i + 4], "little")) & _M32
        b = (b + int.from_bytes(key[i + 4 : i + 8], "little")) & _M32
        c = (c + int.from_bytes(key[i + 8 : i + 12], "little")) & _M32
        # mix: six steps of the same shape, the roles of a, b, c turning one place each step (so
        # after six they are back): a -= c; a ^= rot(c, r); c += b, then the same on b, c, a ...
        for r in _MIX:
            a = ((a - c) & _M32) ^ _rot(c, r)
            c = (c + b) & _M32
            a, b, c = b, c, a
        i += 12
    tail = key[i:].ljust(12, b"\0")  # the last 1..12 bytes, zero-padded: what the C switch adds
    a = (a + int.from_bytes(tail[0:4], "little")) & _M32
    b = (b + int.from_bytes(tail[4:8], "little")) & _M32
    c = (c + int.from_bytes(tail[8:12], "little")) & _M32
    # final
    c = (c ^ b) - _rot(b, 14) & _M32
    a = (a ^ c) - _rot(c, 11) & _M32
    b = (b ^ a) - _rot(a, 25) & _M32
    c = (c ^ b) - _rot(b, 16) & _M32
    a = (a ^ c) - _rot(c, 4) & _M32
    b = (b ^ a) - _rot(a, 14) & _M32
    c = (c ^ b) - _rot(b, 24) & _M32
    return c


@dataclass
class CRFModel:
    """A model's content: label and attribute names (index = id), state weights per attribute as
    (label id, weight) pairs in file order, and transitions (from label, to label, weight)."""

    labels: list[str]
    attrs: list[str]
    state: list[list[tuple[int, float]]]
    transitions: list[tuple[int, int, float]]
    label_slots: int  # crfsuite's label reference chunk has two slots more than labels (BOS, EOS)


def _read_cqdb(buf: bytes, start: int, n: int) -> list[str]:
    """The `n` keys of the CQDB chunk at `start`, by id (crfsuite writes only the used part of
    its id -> record array, though the header gives the allocated size)."""
    tag, _size, _flag, order, bwd_size, bwd_offset = _CQDB_HEADER.unpack_from(buf, start)
    if tag != b"CQDB" or order != _BYTEORDER or not bwd_offset or bwd_size < n:
        raise ModelFormatError("bad CQDB chunk")
    out = []
    for off in struct.unpack_from(f"<{n}I", buf, start + bwd_offset):
        if not off:
            raise ModelFormatError("CQDB id without a record")
        ksize = struct.unpack_from("<I", buf, start + off + 4)[0]
        key = buf[start + off + 8 : start + off + 8 + ksize - 1]
        out.append(key.decode("utf-8"))
    return out


def _read_refs(buf: bytes, start: int, tag: bytes, n: int) -> tuple[int, list[list[int]]]:
    """The slot count of an LFRF/AFRF chunk and the feature ids of its first `n` slots."""
    got, _size, num = _CHUNK.unpack_from(buf, start)
    if got != tag or num < n:
        raise ModelFormatError(f"bad {tag.decode()} chunk")
    refs = []
    for off in struct.unpack_from(f"<{n}I", buf, start + _CHUNK.size):
        k = struct.unpack_from("<I", buf, off)[0]
        refs.append(list(struct.unpack_from(f"<{k}I", buf, off + 4)))
    return num, refs


def read_model(buf: bytes) -> CRFModel:
    """Parse a CRF1d model file's bytes."""
    if len(buf) < _HEADER.size:
        raise ModelFormatError("too short for a crfsuite model")
    magic, size, kind, version, _, n_labels, n_attrs, off_feat, off_labels, off_attrs, off_lref, off_aref = (
        _HEADER.unpack_from(buf)
    )
    if magic != b"lCRF" or kind != b"FOMC" or version != 100 or size != len(buf):
        raise ModelFormatError("not a crfsuite CRF1d model (lCRF/FOMC 100)")
    tag, _size, n_feat = _CHUNK.unpack_from(buf, off_feat)
    if tag != b"FEAT":
        raise ModelFormatError("bad FEAT chunk")
    feats = [_FEATURE.unpack_from(buf, off_feat + _CHUNK.size + i * _FEATURE.size) for i in range(n_feat)]
    labels, attrs = _read_cqdb(buf, off_labels, n_labels), _read_cqdb(buf, off_attrs, n_attrs)
    state = []
    for a, fids in enumerate(_read_refs(buf, off_aref, b"AFRF", n_attrs)[1]):
        row = []
        for f in fids:
            ftype, src, dst, w = feats[f]
            if ftype != 0 or src != a:
                raise ModelFormatError("attribute reference to a foreign feature")
            row.append((dst, w))
        state.append(row)
    transitions = []
    label_slots, label_refs = _read_refs(buf, off_lref, b"LFRF", n_labels)
    for lab, fids in enumerate(label_refs):
        for f in fids:
            ftype, src, dst, w = feats[f]
            if ftype != 1 or src != lab:
                raise ModelFormatError("label reference to a foreign feature")
            transitions.append((src, dst, w))
    return CRFModel(labels, attrs, state, transitions, label_slots)


def _cqdb(keys: list[str]) -> bytes:
    """A CQDB chunk mapping each key to its index, laid out as crfsuite's writer does."""
    data_start = _CQDB_HEADER.size + 8 * _TABLES
    records = bytearray()
    tables: list[list[tuple[int, int]]] = [[] for _ in range(_TABLES)]
    bwd = []
    for i, key in enumerate(keys):
        k = key.encode("utf-8") + b"\0"
        if b"\0" in k[:-1]:
            raise ValueError(f"NUL inside a key: {key!r}")
        off = data_start + len(records)
        hv = hashlittle(k)
        tables[hv % _TABLES].append((hv, off))
        bwd.append(off)
        records += struct.pack("<iI", i, len(k)) + k
    refs = bytearray()
    buckets = bytearray()
    cur = data_start + len(records)
    for entries in tables:
        n = 2 * len(entries)  # half the slots stay empty, as crfsuite writes them
        refs += struct.pack("<II", cur if entries else 0, n)
        slots = [(0, 0)] * n
        for hv, off in entries:
            slot = (hv >> 8) % n
            while slots[slot][1]:
                slot = (slot + 1) % n
            slots[slot] = (hv, off)
        for hv, off in slots:
            buckets += struct.pack("<II", hv, off)
        cur += 8 * n
    bwd_offset = cur
    tail = struct.pack(f"<{len(bwd)}I", *bwd)
    size = bwd_offset + len(tail)
    header = _CQDB_HEADER.pack(b"CQDB", size, 0, _BYTEORDER, len(bwd), bwd_offset if bwd else 0)
    return header + bytes(refs) + bytes(records) + bytes(buckets) + tail


def _refs(tag: bytes, start: int, lists: list[list[int]], slots: int) -> bytes:
    """An LFRF/AFRF chunk at file offset `start` (4-aligned): `slots` offsets (0 past the lists),
    then count + ids per list."""
    body = bytearray()
    offsets = []
    base = start + _CHUNK.size + 4 * slots
    for fids in lists:
        offsets.append(base + len(body))
        body += struct.pack(f"<I{len(fids)}I", len(fids), *fids)
    offsets += [0] * (slots - len(lists))
    size = _CHUNK.size + 4 * slots + len(body)
    return _CHUNK.pack(tag, size, slots) + struct.pack(f"<{slots}I", *offsets) + bytes(body)


def write_model(model: CRFModel) -> bytes:
    """The bytes of a CRF1d model file holding `model` (features: the state ones attribute by
    attribute, then the transitions)."""
    feats = bytearray()
    attr_refs: list[list[int]] = []
    fid = 0
    for a, row in enumerate(model.state):
        attr_refs.append(list(range(fid, fid + len(row))))
        for dst, w in row:
            feats += _FEATURE.pack(0, a, dst, w)
        fid += len(row)
    label_refs: list[list[int]] = [[] for _ in model.labels]
    for src, dst, w in model.transitions:
        label_refs[src].append(fid)
        feats += _FEATURE.pack(1, src, dst, w)
        fid += 1
    out = bytearray(_HEADER.size)
    off_feat = len(out)
    out += _CHUNK.pack(b"FEAT", _CHUNK.size + len(feats), fid) + feats
    off_labels = len(out)
    out += _cqdb(model.labels)
    off_attrs = len(out)
    out += _cqdb(model.attrs)
    out += b"\0" * (-len(out) % 4)
    off_lref = len(out)
    out += _refs(b"LFRF", off_lref, label_refs, model.label_slots)
    out += b"\0" * (-len(out) % 4)
    off_aref = len(out)
    out += _refs(b"AFRF", off_aref, attr_refs, len(attr_refs))
    header = (b"lCRF", len(out), b"FOMC", 100, 0, len(model.labels), len(model.attrs))
    _HEADER.pack_into(out, 0, *header, off_feat, off_labels, off_attrs, off_lref, off_aref)
    return bytes(out)
