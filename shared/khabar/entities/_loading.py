"""Building the tagger's tables (gazetteers, name lists, the model's attribute sets) once per
process, without the cyclic garbage collector walking them while they grow.

Each table is hundreds of thousands of fresh tuples, sets and dicts. With the collector on, every
few hundred of them start a collection, and the older generations are walked again and again as the
heap grows: ~0.1 s of a cold start (two full collections, measured with `gc.callbacks`) that frees
nothing, since building a table makes no reference cycles. Collections resume when the outermost
build returns, after `gc.freeze()`: the objects that exist then, the whole process's and not only the
table, move to the collector's permanent generation, so later collections never walk the tables
again (cyclic garbage alive at that moment is kept; refcounting still frees everything else).
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


def gc_paused(build: Callable[P, R]) -> Callable[P, R]:
    """`build` run with the cyclic collector paused, then what exists frozen (put it under the
    `lru_cache` that keeps the table, so cached calls do not touch the collector)."""

    @wraps(build)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        if not gc.isenabled():  # an outer build (or the caller) has paused it already
            return build(*args, **kwargs)
        gc.disable()
        try:
            return build(*args, **kwargs)
        finally:
            gc.freeze()
            gc.enable()

    return run
