"""Domain records that flow through the pipeline: parsed articles, rejects, and what we extract."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

EntityType = Literal["PERSON", "LOCATION", "ORGANIZATION"]
FigureKind = Literal["money", "percent", "quantity"]
Direction = Literal["up", "down"]


@dataclass(slots=True)
class Article:
    """One article as parsed from an upload. `body` is the original text; offsets index into it."""

    title: str
    body: str
    source: str | None = None
    published: str | None = None
    url: str | None = None
    id: str | None = None  # the id given by the uploader, if any
    locator: str = ""  # where in the upload it came from, e.g. "line 12" or "archive.zip!a.txt"


@dataclass(slots=True)
class Reject:
    """A record (or a whole upload) that could not become an article, and why."""

    locator: str
    reason: str  # a short machine-readable code, e.g. "undecodable", "malformed_json"
    detail: str = ""
    raw_excerpt: str = ""


@dataclass(slots=True)
class Entity:
    text: str
    type: EntityType
    canonical_id: str
    start: int
    end: int
    country_code: str | None = None
    sentence_index: int = 0


@dataclass(slots=True)
class Figure:
    text: str
    kind: FigureKind
    value: float
    unit: str  # ISO 4217 for money, "%" for percent, snake_case unit for quantities
    start: int
    end: int
    metric: str | None = None
    direction: Direction | None = None
    sentence_index: int = 0
    related_ids: list[str] = field(default_factory=list)
    range_role: Literal["low", "high"] | None = None


@dataclass(slots=True)
class Extraction:
    entities: list[Entity]
    figures: list[Figure]
