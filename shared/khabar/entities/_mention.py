"""A mention found in one article, before it becomes an `Entity`."""

from __future__ import annotations

from dataclasses import dataclass

from khabar.entities.gazetteer import Entry


@dataclass(slots=True)
class Mention:
    type: str  # PERSON / LOCATION / ORGANIZATION
    start: int  # offsets into the normalised text
    end: int
    words: list[str]  # normalised, first word clitic-trimmed
    entry: Entry | None = None
