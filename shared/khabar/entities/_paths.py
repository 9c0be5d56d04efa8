"""Where the entity component finds its package data (the team kit is `khabar.kit.kit_dir()`)."""

from __future__ import annotations

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
MODEL_PATH = DATA_DIR / "ner.crfsuite"


def beside(model: Path, kind: str) -> Path:
    """A file `khabar train-ner` writes next to a model (ner.crfsuite -> ner.<kind>): "names.json"
    (the training names, a feature), "attrs.gz" (its weighted attributes), "meta.json" (parameters
    and held-out scores)."""
    return model.with_suffix(f".{kind}")
