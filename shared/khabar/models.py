"""Domain records that flow through the pipeline: the uploaded object, parsed articles, rejects,
what we extract, and the ledger that accounts for every record of an upload."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

EntityType = Literal["PERSON", "LOCATION", "ORGANIZATION"]
FigureKind = Literal["money", "percent", "quantity"]
Direction = Literal["up", "down"]


@dataclass(frozen=True, slots=True)
class Upload:
    """One uploaded object. An event names it (bucket, key and what the notification says of it);
    once fetched, etag/version/size/modified describe the content that was actually read, and
    end up in the manifest row."""

    bucket: str
    key: str
    etag: str = ""
    version: str | None = None
    size: int = 0
    modified: datetime | None = None  # the object's upload time: drives dt and ingested_at


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
    # Whose and when (khabar.subject, khabar.figures.period): the entity the figure is about, as a
    # canonical id of this article, and the time it refers to; None when the text does not say.
    subject_id: str | None = None
    subject_text: str | None = None
    period: str | None = None  # "2016", "2016-Q1", "2016-H1", "2016-12", "2016-12-31", "2023-01/2023-10"
    period_start: date | None = None
    period_end: date | None = None
    period_text: str | None = None


@dataclass(slots=True)
class Extraction:
    entities: list[Entity]
    figures: list[Figure]


@dataclass(slots=True)
class Ledger:
    """The manifest row of one upload: every record read is an article written or a reject."""

    articles_in: int = 0
    articles_out: int = 0
    rejects: int = 0
    entities: int = 0
    figures: int = 0
    parts: int = 0
    status: str = "ok"
    duration_ms: int = 0
    dt: str = ""
    reject_reasons: dict[str, int] = field(default_factory=dict)

    @property
    def conserved(self) -> bool:
        return self.articles_in == self.articles_out + self.rejects
