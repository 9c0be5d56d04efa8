"""Shared fixtures: the team kit beside the checkout, and moto's server as S3 + SQS."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from khabar.kit import kit_dir

ROOT = Path(__file__).resolve().parents[1]
KIT = kit_dir()
EVENTS = Path(__file__).parent / "events"


@pytest.fixture(scope="session")
def kit() -> Path:
    if not (KIT / "samples").is_dir():
        pytest.skip(f"team kit not found at {KIT}")
    return KIT


@pytest.fixture(scope="session")
def sample_article(kit: Path) -> Path:
    return kit / "samples" / "cis_summit_tasnim_ar.txt"


@pytest.fixture()
def moto_url() -> Iterator[str]:
    from khabar.local.aws import moto_server

    with moto_server() as url:
        yield url
