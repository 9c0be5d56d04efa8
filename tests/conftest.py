"""Shared fixtures: the team kit beside the checkout, and moto's server as S3 + SQS."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
KIT = Path(os.environ.get("KHABAR_SHARED", ROOT.parent / "shared"))
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
    from khabar.local_aws import moto_server

    with moto_server() as url:
        yield url
