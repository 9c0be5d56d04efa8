"""`khabar tag [FILE]` (parsed in `khabar.cli.entities`): JSON Lines {"tokens": [...]} in (file or
stdin), the same objects with "tags": [...] (BIO over PERS/LOC/ORG/MISC, one per token) out."""

from __future__ import annotations

import json
from typing import TextIO

from khabar.entities.tagger import tag_sentences


def tag_stream(inp: TextIO, out: TextIO) -> int:
    """Lines are read whole first: each sentence is tagged with the document cues of its
    neighbouring lines (consecutive sentences of a corpus), see `features.WINDOW`."""
    objs = []
    for lineno, line in enumerate(inp, 1):
        if not line.strip():
            continue
        obj = json.loads(line)
        tokens = obj.get("tokens")
        if not isinstance(tokens, list) or not all(isinstance(t, str) for t in tokens):
            raise ValueError(f"line {lineno}: 'tokens' must be a list of strings")
        objs.append(obj)
    for obj, tags in zip(objs, tag_sentences([o["tokens"] for o in objs]), strict=True):
        obj["tags"] = tags
        out.write(json.dumps(obj, ensure_ascii=False) + "\n")
    return len(objs)
