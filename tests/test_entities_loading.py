"""Tables are built with the cyclic garbage collector paused, then frozen out of its way."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from khabar.entities._loading import gc_paused


@pytest.fixture
def collector() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_build_runs_paused_and_collector_resumes(collector: None) -> None:
    seen: list[bool] = []

    @gc_paused
    def build() -> list[tuple[int, ...]]:
        seen.append(gc.isenabled())
        return [(i,) for i in range(1000)]

    before = gc.get_freeze_count()
    table = build()
    assert seen == [False]
    assert gc.isenabled()
    # What the build made is frozen: later collections do not walk it again.
    assert gc.get_freeze_count() >= before + 1
    assert len(table) == 1000


def test_nested_builds_resume_only_at_the_outermost(collector: None) -> None:
    states: list[bool] = []

    @gc_paused
    def inner() -> int:
        states.append(gc.isenabled())
        return 1

    @gc_paused
    def outer() -> int:
        n = inner()
        states.append(gc.isenabled())  # still paused after the inner build returned
        return n + 1

    assert outer() == 2
    assert states == [False, False]
    assert gc.isenabled()


def test_collector_resumes_when_the_build_fails(collector: None) -> None:
    @gc_paused
    def broken() -> None:
        raise ValueError("bad table")

    with pytest.raises(ValueError, match="bad table"):
        broken()
    assert gc.isenabled()


def test_a_caller_that_paused_the_collector_keeps_it_paused(collector: None) -> None:
    @gc_paused
    def build() -> int:
        return 1

    gc.disable()
    assert build() == 1
    assert not gc.isenabled()
    gc.enable()


def test_loaders_are_paused_builds() -> None:
    from khabar.entities.gazetteer import gazetteer, names
    from khabar.entities.outside_names import lexicon
    from khabar.entities.tagger import load_model

    for loader in (gazetteer, names, lexicon, load_model):
        # lru_cache over gc_paused: what the cache calls is the pausing wrapper, around the build.
        assert loader.__wrapped__.__code__ is gc_paused(len).__code__, loader  # type: ignore[attr-defined]
