"""`khabar scale` in small: N articles through moto's server, W worker processes running the real
extract handler, the nightly job with compaction; nothing lost. `make scale` runs the big sizes."""

from __future__ import annotations

import gzip
import json

import pytest

from khabar.local.scale import load_records, markdown, run_scale, upload_body, upload_sizes


def test_uploads_split_the_articles_and_every_id_is_new() -> None:
    assert upload_sizes(10, 3) == [4, 3, 3]
    with pytest.raises(ValueError):
        upload_sizes(2, 3)
    records, _ = load_records()
    n = len(records) + 5  # wraps around the corpus: texts repeat, ids must not
    lines = gzip.decompress(upload_body(records, 0, n)).decode("utf-8").splitlines()
    docs = [json.loads(line) for line in lines]
    assert len(docs) == n and len({d["id"] for d in docs}) == n
    assert docs[len(records)]["body"] == docs[0]["body"]


@pytest.mark.integration
def test_small_scale_run_balances_and_compacts() -> None:
    r = run_scale(300, 6, 2)  # raises ImbalanceError if anything was lost or counted twice
    assert not r.problems
    b = r.balance
    assert b["ledger_in"] == 300 == b["ledger_out"] + b["ledger_rejects"]
    assert b["article_rows"] == b["ledger_out"] == b["distinct_ids"]
    assert b["manifests"] == 6
    assert len(r.worker_stats) == 2 and sum(w.uploads for w in r.worker_stats) == 6
    assert sum(w.articles for w in r.worker_stats) == 300
    assert all(w.peak_rss_mb > 0 and w.failed == 0 for w in r.worker_stats)
    assert r.nightly is not None and r.nightly.peak_rss_mb > 0
    before = {(p.table, p.dt): p.files for p in r.before}
    after = {(p.table, p.dt): p.files for p in r.after}
    assert set(before) == set(after) and {t for t, _ in before} == {"articles", "entities", "figures"}
    assert all(before[k] == 6 and after[k] == 1 for k in before)  # one part per upload → one compacted file
    assert all(c["files_after"] < c["files_before"] for c in r.nightly.compaction.values())
    assert "| 300 | 6 | 2 |" in markdown([r])
