"""Metric and direction of a figure, from the words around it in its sentence.

Direction: the trigger (ارتفع، تراجع، زيادة، انخفاض، نمو …) nearest before the figure, searched
back to the sentence start or the previous figure; a neutral predicate after it (بلغ، لتصل،
بقيمة …) means the figure is a level, not a change. Failing that, a trigger just after it
(«5 بالمائة تراجعا»). Metric: the vocabulary phrase nearest before the figure in its sentence
(up to ~250 characters), else the nearest within ~60 characters after it; when that phrase
complements another metric noun (عجز الميزانية، عائدات السياحة), the head noun names the metric.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from typing import ClassVar, Literal

from khabar.figures.lexicon import CONTEXT_FORMS, CONTEXT_RE, Trigger

__all__ = ["Triggers", "context_of"]

_BACK = 250
_AHEAD = 60
_AHEAD_DIRECTION = 25

Dir = Literal["up", "down"]

_WORD = re.compile(r"\w")


class Triggers:
    """All context triggers of a text, found in one scan, for lookups around each figure."""

    # The latest scan that asked to be remembered: the figure extractor's, which the subject of each
    # figure (`within`, over its sentence) reads again instead of scanning the sentence anew.
    last: ClassVar[Triggers | None] = None

    def __init__(self, text: str, start: int = 0, end: int | None = None, remember: bool = True) -> None:
        end = len(text) if end is None else end
        self.text, self.start, self.end = text, start, end
        self.pos: list[int] = []
        self.ends: list[int] = []
        self.found: list[Trigger] = []
        for m in CONTEXT_RE.finditer(text, start, end):
            self.pos.append(m.start())
            self.ends.append(m.end())
            self.found.append(CONTEXT_FORMS[" ".join(m.group("w").split())])
        if remember:
            Triggers.last = self

    @classmethod
    def within(cls, text: str, start: int, end: int) -> Triggers:
        """`Triggers(text, start, end)`, read from the last scan of `text` when that gives the same."""
        last = cls.last
        view = last._view(text, start, end) if last is not None else None
        return view if view is not None else cls(text, start, end, remember=False)

    def _view(self, text: str, start: int, end: int) -> Triggers | None:
        """The triggers of a scan of [start, end) taken from this wider scan of the same text, or None
        when the two could differ. The pattern looks around a match only at its two ends («\\b» before,
        «(?!\\w)» after), so they agree when no trigger here crosses `start` or `end` and the character
        at `end`, which this scan saw and the narrower one does not, is not a word character."""
        if text is not self.text or not self.start <= start <= end <= self.end:
            return None
        i, j = bisect_left(self.pos, start), bisect_left(self.pos, end)
        if (i and self.ends[i - 1] > start) or (j and self.ends[j - 1] > end):
            return None
        if end < self.end and _WORD.match(text, end):
            return None
        view = Triggers.__new__(Triggers)
        view.text, view.start, view.end = text, start, end
        view.pos, view.ends, view.found = self.pos[i:j], self.ends[i:j], self.found[i:j]
        return view

    def head_metric(self, i: int) -> str | None:
        """The metric of trigger i, or of the noun it complements: in «عجز الميزانية» or
        «عائدات السياحة» the first noun (the head of the construct) names the figure."""
        while i > 0 and self.found[i - 1].metric and self.pos[i] - self.ends[i - 1] <= 1:
            i -= 1
        return self.found[i].metric


def context_of(trig: Triggers, start: int, end: int, lo: int, s_lo: int, hi: int) -> tuple[str | None, Dir | None]:
    """(metric, direction) of the figure at [start, end). Direction is searched back to `lo`
    (sentence start or previous figure end), metric back to `s_lo` (sentence start); both
    ahead up to `hi` (sentence end or next figure start)."""
    metric: str | None = None
    direction: str | None = None
    dir_seen = False
    i = bisect_left(trig.pos, start) - 1
    floor = max(s_lo, start - _BACK)
    while i >= 0 and trig.pos[i] >= floor and (metric is None or not dir_seen):
        tr, p = trig.found[i], trig.pos[i]
        if metric is None and tr.metric:
            metric = trig.head_metric(i)
        if not dir_seen and p >= lo and (tr.direction or tr.neutral):
            direction, dir_seen = tr.direction, True
        i -= 1
    j = bisect_left(trig.pos, end)
    while j < len(trig.pos) and trig.pos[j] < min(hi, end + _AHEAD) and (metric is None or not dir_seen):
        tr, p = trig.found[j], trig.pos[j]
        if metric is None and tr.metric:
            metric = trig.head_metric(j)
        if not dir_seen and tr.direction and p < end + _AHEAD_DIRECTION:
            direction, dir_seen = tr.direction, True
        j += 1
    return metric, direction  # type: ignore[return-value]  # trigger directions are "up"/"down" only
