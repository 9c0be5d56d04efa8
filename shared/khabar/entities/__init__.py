"""Named entities (persons, places, organisations) with canonical ids: a CRF tagger trained on
ANERcorp plus curated gazetteers. See README.md in this folder."""

from __future__ import annotations

from .extract import extract_entities
from .tagger import tag_tokens

__all__ = ["extract_entities", "tag_tokens"]
