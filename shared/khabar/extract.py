"""One article body in, entities and figures out: the orchestration of the two extractors, and
what joins them: each figure's subject (an entity of the article) and reference period."""

from __future__ import annotations

import re
from bisect import bisect_right
from datetime import date

from khabar.entities import extract_entities
from khabar.figures import extract_figures
from khabar.figures.period import figure_period
from khabar.models import Extraction
from khabar.subject import dominant_country, figure_subject
from khabar.text import normalize, sentence_spans

__all__ = ["extract", "published_date"]

_ISO_DAY = re.compile(r"\s*(\d{4})-(\d{1,2})-(\d{1,2})")
_DMY = re.compile(r"\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")  # 20/01/2017, as many news sites write it


def published_date(published: str | None) -> date | None:
    """The day of an article's `published` field (ISO 2017-01-20[T...] or day-first 20/01/2017),
    else None."""
    text = published or ""
    if m := _ISO_DAY.match(text):
        y, mo, d = int(m[1]), int(m[2]), int(m[3])
    elif m := _DMY.match(text):
        d, mo, y = int(m[1]), int(m[2]), int(m[3])
    else:
        return None
    try:
        return date(y, mo, d)
    except ValueError:
        return None


def extract(body: str, published: date | None = None) -> Extraction:
    """Entities and figures of one article; `published` (the article's date, or the upload's) is
    what relative periods («العام الماضي») are resolved against."""
    norm = normalize(body)  # once per article, shared by both extractors
    entities = extract_entities(body, norm)
    countries = [(e.start, e.country_code) for e in entities if e.country_code]
    figures = extract_figures(body, norm, countries)
    if figures:
        # A currency or unit inside a figure («78 مليار ريال سعودي») is not an organisation or place.
        inside = [(f.start, f.end) for f in figures]
        entities = [e for e in entities if not any(s <= e.start and e.end <= t for s, t in inside)]

    spans = sentence_spans(body)
    starts = [s for s, _ in spans] or [0]
    by_sentence: dict[int, list[str]] = {}
    for e in entities:
        e.sentence_index = max(bisect_right(starts, e.start) - 1, 0)
        ids = by_sentence.setdefault(e.sentence_index, [])
        if e.canonical_id not in ids:
            ids.append(e.canonical_id)
    country = dominant_country(entities) if figures else None
    for f in figures:
        f.sentence_index = max(bisect_right(starts, f.start) - 1, 0)
        f.related_ids = list(by_sentence.get(f.sentence_index, ()))
        sentence = spans[f.sentence_index] if spans else (0, len(body))
        f.subject_id, f.subject_text = figure_subject(body, norm, f, sentence, entities, country)
        if (p := figure_period(body, norm, (f.start, f.end), sentence, published)) is not None:
            f.period, f.period_start, f.period_end, f.period_text = p.period, p.start, p.end, p.text
    return Extraction(entities, figures)
