"""End to end on moto's server: upload → S3 notification → SQS → the real extract handler → lake → SQL."""

from __future__ import annotations

import json

import pytest

from khabar.lake.query import LocalAthena
from khabar.local.aws import FakeContext, LocalStack, load_handler, sqs_event

pytestmark = pytest.mark.integration

BODY = "قال وزير المالية المصري إن صادرات مصر ارتفعت بنسبة 4 بالمائة لتبلغ 12.5 مليار دولار خلال العام."


def _batch(n: int, prefix: str = "a") -> bytes:
    return "".join(
        json.dumps(
            {"id": f"{prefix}{i}", "title": f"خبر {i}", "body": BODY, "source": "مصدر تجريبي"}, ensure_ascii=False
        )
        + "\n"
        for i in range(n)
    ).encode()


def _receive_all(stack: LocalStack, want: int) -> list[dict]:
    got: list[dict] = []
    for _ in range(20):
        got += stack.receive(10)
        real = [m for m in got if "s3:TestEvent" not in m["Body"]]
        if len(real) >= want:
            return got
    raise AssertionError(f"expected {want} notifications, got {len(got)}")


def test_upload_to_lake_and_query(moto_url: str) -> None:
    # GIVEN the stack on moto and an upload whose key needs URL-decoding, with one bad line
    stack = LocalStack(prefix="it-e2e")
    handler = load_handler("extract").lambda_handler
    data = _batch(3) + b'{"id": "broken", "body": "\xff\xfe"}\n'
    stack.upload("incoming/2026/batch one+1.jsonl", data)
    messages = _receive_all(stack, 1)
    assert any("s3:TestEvent" in m["Body"] for m in messages) or len(messages) == 1
    event = sqs_event(messages, stack.queue_arn)

    # WHEN the real handler receives the real notification
    resp = handler(event, FakeContext())

    # THEN no message failed, Parquet files are in the lake bucket and SQL sees the rows
    assert resp == {"batchItemFailures": []}
    keys = [o["Key"] for o in stack.s3.list_objects_v2(Bucket=stack.lake_bucket)["Contents"]]
    assert any(k.startswith("articles/dt=") and k.endswith(".parquet") for k in keys)
    assert not [k for k in keys if k.endswith("/")]  # no folder-marker objects (extra requests, clutter)
    engine = LocalAthena(stack.lake_uri)
    _, rows = engine.execute("SELECT source_key, count(*) FROM articles GROUP BY source_key")
    assert rows == [("incoming/2026/batch one+1.jsonl", 3)]
    _, rows = engine.execute("SELECT kind, value, unit FROM figures ORDER BY kind, value")
    assert ("money", 12.5e9, "USD") in rows and ("percent", 4.0, "%") in rows
    _, rows = engine.execute("SELECT record_locator, reason FROM rejects")
    assert rows == [("incoming/2026/batch one+1.jsonl:line 4", "undecodable")]
    _, rows = engine.execute("SELECT articles_in, articles_out, rejects, status FROM manifests")
    assert rows == [(4, 3, 1, "ok")]
    counts = {t: engine.execute(f"SELECT count(*) FROM {t}")[1][0][0] for t in ("articles", "entities", "figures")}

    # WHEN the same message is delivered again (at-least-once delivery)
    assert handler(event, FakeContext()) == {"batchItemFailures": []}
    engine.refresh()
    # THEN row counts are unchanged
    assert {t: engine.execute(f"SELECT count(*) FROM {t}")[1][0][0] for t in counts} == counts


def test_poison_message_fails_alone_and_reaches_the_dlq(moto_url: str) -> None:
    stack = LocalStack(prefix="it-poison", max_receives=2)
    handler = load_handler("extract").lambda_handler
    stack.upload("in/good.jsonl", _batch(2))
    stack.sqs.send_message(QueueUrl=stack.queue_url, MessageBody="this is not an S3 event")
    stats = stack.drain(handler)
    assert stats["failed"] == 2  # the poison message, once per receive, until redrive
    [dead] = stack.dlq_messages()
    assert dead["Body"] == "this is not an S3 event"
    _, rows = LocalAthena(stack.lake_uri).execute("SELECT count(*) FROM articles")
    assert rows == [(2,)]


def test_conservation_mismatch_fails_loudly(
    moto_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from khabar import pipeline

    # GIVEN a ledger that does not balance (simulated: the counting itself is what we test elsewhere)
    monkeypatch.setattr(pipeline.Ledger, "conserved", property(lambda self: False))
    stack = LocalStack(prefix="it-mismatch")
    mod = load_handler("extract")
    mod._clients.clear()
    stack.upload("in/a.jsonl", _batch(2))
    stack.sqs.send_message(QueueUrl=stack.queue_url, MessageBody=json.dumps({"Event": "s3:TestEvent"}))
    messages = _receive_all(stack, 1)
    upload = [m["MessageId"] for m in messages if "s3:TestEvent" not in m["Body"]]
    # WHEN the handler processes it in a batch with a harmless message
    resp = mod.lambda_handler(sqs_event(messages, stack.queue_arn), FakeContext())
    # THEN only the upload's message fails (retried, then DLQ), the ledger says so, the metric is emitted
    assert [f["itemIdentifier"] for f in resp["batchItemFailures"]] == upload
    _, rows = LocalAthena(stack.lake_uri).execute("SELECT status FROM manifests")
    assert rows == [("conservation_mismatch",)]
    emf = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith('{"_aws"')]
    assert [m["ConservationMismatch"] for m in emf if "ConservationMismatch" in m] == [[1.0]]
