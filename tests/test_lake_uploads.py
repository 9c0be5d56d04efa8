"""The upload writer: one upload's rows, then its ledger row, under the upload's own part names."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from khabar.config import Limits
from khabar.lake import layout
from khabar.lake.store import Lake
from khabar.lake.uploads import UploadWriter
from khabar.models import Article, Entity, Extraction, Reject, Upload

AT = datetime(2026, 11, 28, 23, 30, tzinfo=UTC)
UP = Upload("raw", "in/a.jsonl", "e1", "v1", 99, AT)


def test_rows_parts_and_ledger(tmp_path: Path) -> None:
    lake = Lake.open(str(tmp_path))
    out = UploadWriter(lake, UP, version="1.2.3", ingested_at=AT, limits=Limits(articles_per_file=2, rows_per_group=1))
    found = Extraction([Entity("عمّان", "LOCATION", "loc:amman", 0, 5)], [])
    for i in range(3):
        out.add_article(f"a{i}", Article("t", "عمّان", locator=f"line {i + 1}"), found)
    out.add_reject(Reject("line 4", "malformed_json"))
    ledger = out.commit(articles_in=4)
    assert (ledger.dt, ledger.articles_out, ledger.rejects, ledger.entities, ledger.parts) == ("2026-11-28", 3, 1, 3, 2)
    assert ledger.status == "ok" and ledger.reject_reasons == {"malformed_json": 1}
    stem = layout.upload_stem("raw", "in/a.jsonl")
    names = [p.rsplit("/", 1)[1] for p in lake.parts("articles", "2026-11-28")]
    assert names == [layout.part_name(stem, 0), layout.part_name(stem, 1)]
    [m] = lake.read("manifests", "2026-11-28").to_pylist()
    assert (m["source_version"], m["bytes"], m["extractor_version"], m["articles_in"]) == ("v1", 99, "1.2.3", 4)
    assert lake.read_json(lake.pointer_path(stem)) == {"dt": "2026-11-28"}
    with pytest.raises(RuntimeError):
        out.commit(articles_in=4)


def test_an_unbalanced_ledger_is_recorded(tmp_path: Path) -> None:
    lake = Lake.open(str(tmp_path))
    out = UploadWriter(lake, UP, version="1", ingested_at=AT)
    out.add_reject(Reject("line 1", "undecodable"))
    ledger = out.commit(articles_in=2)
    assert not ledger.conserved and ledger.status == "conservation_mismatch"
    assert lake.read("manifests").column("status").to_pylist() == ["conservation_mismatch"]
