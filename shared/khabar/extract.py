"""One article body in, entities and figures out: the orchestration of the two extractors."""

from __future__ import annotations

from bisect import bisect_right

from khabar.entities import extract_entities
from khabar.figures import extract_figures
from khabar.models import Extraction
from khabar.text import normalize, sentence_spans

__all__ = ["extract"]


def extract(body: str) -> Extraction:
    norm = normalize(body)  # once per article, shared by both extractors
    entities = extract_entities(body, norm)
    countries = [(e.start, e.country_code) for e in entities if e.country_code]
    figures = extract_figures(body, norm, countries)
    if figures:
        # A currency or unit inside a figure («78 مليار ريال سعودي») is not an organisation or place.
        spans = [(f.start, f.end) for f in figures]
        entities = [e for e in entities if not any(s <= e.start and e.end <= t for s, t in spans)]

    starts = [s for s, _ in sentence_spans(body)] or [0]
    by_sentence: dict[int, list[str]] = {}
    for e in entities:
        e.sentence_index = max(bisect_right(starts, e.start) - 1, 0)
        ids = by_sentence.setdefault(e.sentence_index, [])
        if e.canonical_id not in ids:
            ids.append(e.canonical_id)
    for f in figures:
        f.sentence_index = max(bisect_right(starts, f.start) - 1, 0)
        f.related_ids = list(by_sentence.get(f.sentence_index, ()))
    return Extraction(entities, figures)
