"""Named entities (persons, places, organisations) with canonical ids: a CRF tagger trained on
ANERcorp plus curated gazetteers. See README.md in this folder."""

from __future__ import annotations

from khabar.entities.extract import extract_entities
from khabar.entities.tagger import tag_tokens

__all__ = ["extract_entities", "tag_tokens"]
