"""The team kit: read-only gold and evaluation data beside the checkout (`../shared/`), not to be
confused with this project's `shared/` folder (the Lambda layer holding the `khabar` package).
Evaluation commands, training and tests read it by path; nothing in the Lambda does."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["kit_dir"]

_CHECKOUT = Path(__file__).resolve().parents[2]  # <checkout>/shared/khabar/kit.py


def kit_dir() -> Path:
    """`$KHABAR_SHARED` if set, else `../shared` beside the checkout."""
    env = os.environ.get("KHABAR_SHARED")
    return Path(env) if env else _CHECKOUT.parent / "shared"
