"""Operations after a fix: redrive dead letters, reprocess raw uploads with a new extractor."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from khabar import pipeline
from khabar.aws.ops import redrive, reprocess
from khabar.cli import main
from khabar.lake.query import LocalAthena
from khabar.lake.store import Lake
from khabar.local.aws import LocalStack, load_handler

pytestmark = pytest.mark.integration
BODY = "أعلن البنك المركزي التونسي أن الاحتياطيات بلغت 22 مليار دينار بارتفاع 5 بالمائة."


def _batch(n: int) -> bytes:
    return "".join(json.dumps({"id": str(i), "body": BODY}, ensure_ascii=False) + "\n" for i in range(n)).encode()


def test_redrive_moves_dead_letters_back_after_a_fix(moto_url: str) -> None:
    stack = LocalStack(prefix="ops-redrive", max_receives=1)
    for i in range(13):
        stack.sqs.send_message(QueueUrl=stack.dlq_url, MessageBody=json.dumps({"n": i}))
    assert redrive(stack.sqs, stack.dlq_url, stack.queue_url, limit=5) == 5
    assert redrive(stack.sqs, stack.dlq_url, stack.queue_url) == 8
    bodies = []
    while msgs := stack.receive(10):
        bodies += [json.loads(m["Body"])["n"] for m in msgs if "TestEvent" not in m["Body"]]
        for m in msgs:
            stack.sqs.delete_message(QueueUrl=stack.queue_url, ReceiptHandle=m["ReceiptHandle"])
    assert sorted(bodies) == list(range(13)) and stack.dlq_messages() == []


def test_reprocess_rewrites_with_the_new_extractor_version(
    moto_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stack = LocalStack(prefix="ops-reprocess")
    handler = load_handler("extract")
    handler._clients.clear()
    stack.upload("in/a.jsonl", _batch(3))
    stack.upload("in/b.jsonl", _batch(2))
    stack.drain(handler.lambda_handler)
    capsys.readouterr()  # the handler's own log lines
    engine = LocalAthena(stack.lake_uri)
    _, before = engine.execute("SELECT extractor_version, count(*) FROM articles GROUP BY 1")
    assert before == [(pipeline.EXTRACTOR_VERSION, 5)]

    # WHEN the extractor changes and the day's raw uploads are reprocessed through the CLI
    monkeypatch.setattr(pipeline, "EXTRACTOR_VERSION", "9.9.9")
    today = datetime.now(UTC).date().isoformat()
    code = main(["reprocess", "--bucket", stack.raw_bucket, "--lake", stack.lake_uri, "--from", today, "--to", today])
    assert code == 0 and json.loads(capsys.readouterr().out) == {"uploads": 2, "articles": 5, "rejects": 0}

    # THEN every row carries the new version, once
    engine.refresh()
    _, after = engine.execute("SELECT extractor_version, count(*), count(DISTINCT article_id) FROM articles GROUP BY 1")
    assert after == [("9.9.9", 5, 5)]
    assert reprocess(
        stack.s3, stack.raw_bucket, Lake.open(stack.lake_uri), datetime(2020, 1, 1).date(), datetime(2020, 1, 2).date()
    ) == {"uploads": 0, "articles": 0, "rejects": 0}
