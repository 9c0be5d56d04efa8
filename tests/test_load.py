"""Load with faults through moto's server and the real handler: conservation and no duplicates.

CI runs the small size; `make load` runs the big one (≥ 10,000 articles in ≥ 200 uploads).
Faults: a share of S3 GetObject calls answer 503 (botocore retries them with backoff), some
notifications are delivered twice and out of order, and one poison upload can never be read.
"""

from __future__ import annotations

import json
import random
import time

import pytest
from botocore.awsrequest import AWSResponse

from khabar.aws.events import refs_from_message
from khabar.lake.query import LocalAthena
from khabar.local.aws import LocalStack, load_handler

BODIES = [
    "ارتفعت صادرات تونس من زيت الزيتون بنسبة {p} بالمائة لتبلغ {v} مليون دينار حسب المعهد الوطني للإحصاء.",
    "قال وزير الطاقة السعودي إن إنتاج المملكة بلغ {v} مليون برميل يوميا وإن الأسعار تراجعت {p}%.",
    "أعلن البنك المركزي المصري أن الاحتياطيات ارتفعت إلى {v} مليار دولار بنمو {p} في المائة.",
]


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: object) -> list[bytes]:
        return [self._body]

    def read(self, *_: object) -> bytes:
        return self._body


def _inject_s3_faults(s3: object, rate: float, poison_prefix: str, rng: random.Random) -> dict[str, int]:
    """Answer a share of GetObject calls with HTTP 503 before they reach moto; poison keys always."""
    seen = {"transient": 0, "poison": 0}

    def hook(request: object, **_: object) -> AWSResponse | None:
        url = request.url  # type: ignore[attr-defined]
        if f"/{poison_prefix}" in url:
            seen["poison"] += 1
            return AWSResponse(url, 500, {}, _Raw(b"<Error><Code>InternalError</Code></Error>"))
        if rng.random() < rate:
            seen["transient"] += 1
            return AWSResponse(url, 503, {}, _Raw(b"<Error><Code>SlowDown</Code></Error>"))
        return None

    s3.meta.events.register("before-send.s3.GetObject", hook)  # type: ignore[attr-defined]
    return seen


def _upload_body(u: int, n: int, rng: random.Random) -> tuple[bytes, int]:
    """n records, a few of them bad; returns (bytes, records)."""
    lines = []
    for i in range(n):
        if i % 37 == 5:
            lines.append('{"id": "broken", "body": ')
            continue
        body = rng.choice(BODIES).format(p=rng.randint(1, 40), v=round(rng.uniform(1, 900), 1))
        lines.append(
            json.dumps(
                {"id": f"u{u}-{i}", "title": f"خبر {i}", "body": body, "source": f"src{u % 7}"}, ensure_ascii=False
            )
        )
    return ("\n".join(lines) + "\n").encode(), n


def run_load(uploads: int, per_upload: int, seed: int = 7) -> dict[str, object]:
    rng = random.Random(seed)
    stack = LocalStack(prefix=f"load-{uploads}", max_receives=3)
    mod = load_handler("extract")
    mod._clients.clear()
    s3, _ = mod._deps()
    faults = _inject_s3_faults(s3, rate=0.05, poison_prefix="poison/", rng=rng)
    t0 = time.perf_counter()
    expected_records = 0
    for u in range(uploads):
        data, n = _upload_body(u, per_upload, rng)
        stack.upload(f"in/batch-{u:04d}.jsonl", data)
        expected_records += n
    stack.upload("poison/unreadable.jsonl", b'{"id": "p", "body": "\xd9\x86\xd8\xb5"}\n')
    # Duplicate deliveries, out of order: re-send a tenth of the notifications later, shuffled.
    received = []
    while len(received) < uploads + 1:
        got = stack.receive(10)
        if not got:
            break
        received += got
    bodies = [m["Body"] for m in received]
    dupes = rng.sample([b for b in bodies if "poison/" not in b and "TestEvent" not in b], k=max(1, uploads // 10))
    rng.shuffle(bodies)
    for b in bodies + dupes:
        stack.sqs.send_message(QueueUrl=stack.queue_url, MessageBody=b)
    for m in received:  # the originals were only peeked at: drop them, their copies are re-queued
        stack.sqs.delete_message(QueueUrl=stack.queue_url, ReceiptHandle=m["ReceiptHandle"])
    stats = stack.drain(mod.lambda_handler, batch_size=10)
    elapsed = time.perf_counter() - t0

    engine = LocalAthena(stack.lake_uri)
    ((art, distinct, rej, man_in, man_out, man_rej, manifests),) = engine.execute(
        "SELECT (SELECT count(*) FROM articles), (SELECT count(DISTINCT article_id) FROM articles),"
        " (SELECT count(*) FROM rejects), (SELECT sum(articles_in) FROM manifests),"
        " (SELECT sum(articles_out) FROM manifests), (SELECT sum(rejects) FROM manifests),"
        " (SELECT count(*) FROM manifests)"
    )[1]
    dlq = stack.dlq_messages()
    return {
        "uploads": uploads,
        "records": expected_records,
        "articles": art,
        "distinct_ids": distinct,
        "rejects": rej,
        "ledger_in": man_in,
        "ledger_out": man_out,
        "ledger_rejects": man_rej,
        "manifests": manifests,
        "dlq": [r.key for m in dlq for r in refs_from_message(m["Body"])],
        "duplicates_sent": len(dupes),
        "faults": faults,
        "invocations": stats["invocations"],
        "seconds": round(elapsed, 1),
    }


def _check(r: dict[str, object]) -> None:
    assert r["records"] == r["articles"] + r["rejects"]  # nothing lost
    assert r["articles"] == r["distinct_ids"]  # nothing duplicated
    assert (r["ledger_in"], r["ledger_out"], r["ledger_rejects"]) == (r["records"], r["articles"], r["rejects"])
    assert r["manifests"] == r["uploads"]
    assert r["dlq"] == ["poison/unreadable.jsonl"]
    assert r["faults"]["transient"] > 0  # type: ignore[index]


@pytest.mark.integration
def test_load_small(moto_url: str) -> None:
    _check(run_load(uploads=20, per_upload=25))


@pytest.mark.load
def test_load_big(moto_url: str) -> None:
    r = run_load(uploads=200, per_upload=50)
    print("\nLOAD RESULT", json.dumps(r))
    _check(r)
