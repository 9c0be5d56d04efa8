"""Backfill through the queue (`khabar reprocess --queue-url`, `khabar.aws.backfill`): the same lake as
the sequential reprocess, end to end on moto's server with the real extract handler; dry run, resumption,
rate limit, partial batch failures and usage errors."""

from __future__ import annotations

import gzip
import json
import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from khabar.aws.backfill import (
    BACKFILL_MARK,
    BackfillError,
    Progress,
    RateLimit,
    RawObject,
    enqueue,
    list_raw,
    notification,
)
from khabar.aws.events import refs_from_message
from khabar.cli import main
from khabar.kit import kit_dir
from khabar.lake.store import Lake
from khabar.local.aws import LocalStack, load_handler
from khabar.models import Upload

ROOT = Path(__file__).resolve().parents[1]
BODY = "قال وزير المالية المصري إن صادرات مصر ارتفعت بنسبة 4 بالمائة لتبلغ 12.5 مليار دولار خلال العام."
# Columns that record when and how fast an upload was processed, not what it holds.
RUN_COLUMNS = {"manifests": {"processed_at", "duration_ms"}}
TABLES = ("articles", "entities", "figures", "rejects", "manifests")


def _today() -> str:
    return datetime.now(UTC).date().isoformat()


def _raw_uploads() -> dict[str, bytes]:
    """Uploads of three days' folders in several formats, one of them malformed, plus one outside the prefix."""
    news = kit_dir() / "data" / "news" / "ant_economy_dev.jsonl"
    lines = news.read_bytes().splitlines(keepends=True)[:4] if news.is_file() else []
    kit_txt = kit_dir() / "samples" / "cis_summit_tasnim_ar.txt"
    record = {"id": "h1", "title": "صادرات", "body": BODY, "source": "مصدر تجريبي"}
    uploads = {
        "in/2026-03-01/economy batch+1.jsonl": (ROOT / "samples" / "economy_batch.jsonl").read_bytes(),
        "in/2026-03-01/gulf.txt": (ROOT / "samples" / "gulf_trade_ar.txt").read_bytes(),
        "in/2026-03-02/array.json": json.dumps([record, {**record, "id": "h2"}], ensure_ascii=False).encode(),
        "in/2026-03-02/page.html": f"<html><body><h1>خبر</h1><p>{BODY}</p></body></html>".encode(),
        "in/2026-03-03/broken.json": b'{"id": "x", "body": "\xd9\x82\xd8\xa7\xd9\x84',  # cut mid-record
        "in/2026-03-03/mixed.jsonl": json.dumps(record, ensure_ascii=False).encode() + b"\n{not json\n\xff\xfe\n",
        "other/skip.jsonl": json.dumps(record, ensure_ascii=False).encode() + b"\n",
    }
    if lines:
        uploads["in/2026-03-03/news.jsonl.gz"] = gzip.compress(b"".join(lines))
    if kit_txt.is_file():
        uploads["in/2026-03-02/cis.txt"] = kit_txt.read_bytes()
    return uploads


def _rows(lake: Lake, table: str) -> list[str]:
    """The table's rows as a sorted multiset of canonical JSON strings, without run-time columns."""
    drop = RUN_COLUMNS.get(table, set())
    return sorted(
        json.dumps({k: v for k, v in r.items() if k not in drop}, sort_keys=True, default=str, ensure_ascii=False)
        for r in lake.read(table).to_pylist()
    )


def _parts(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*.parquet"))


def _drain_queue(stack: LocalStack, queue_url: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    while msgs := stack.sqs.receive_message(
        QueueUrl=queue_url, MaxNumberOfMessages=10, VisibilityTimeout=60, MessageAttributeNames=["All"]
    ).get("Messages", []):
        out += msgs
    return out


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.integration
def test_queue_backfill_builds_the_same_lake_as_the_sequential_reprocess(
    moto_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN raw uploads of several formats (one malformed) processed live through the notifications
    stack = LocalStack(prefix="bf-e2e")
    handler = load_handler("extract")
    handler._clients.clear()
    uploads = _raw_uploads()
    for key, data in uploads.items():
        stack.upload(key, data)
    assert stack.drain(handler.lambda_handler)["failed"] == 0
    capsys.readouterr()
    today = _today()
    rng = ["--bucket", stack.raw_bucket, "--prefix", "in/", "--from", today, "--to", today]

    # WHEN lake A is rebuilt here, one upload after another
    lake_a = tmp_path / "a"
    code, out, _ = _run(capsys, "reprocess", *rng, "--lake", str(lake_a))
    selected = sorted(k for k in uploads if k.startswith("in/"))
    assert code == 0 and json.loads(out)["uploads"] == len(selected)

    # AND lake B through the queue: enqueued by the CLI, processed by the real extract handler
    lake_b = tmp_path / "b"
    monkeypatch.setenv("LAKE_URI", str(lake_b))
    handler._clients.clear()
    code, out, err = _run(capsys, "reprocess", *rng, "--queue-url", stack.queue_url, "--progress")
    summary = json.loads(out)
    assert code == 0 and summary["sent"] == summary["objects"] == len(selected)
    assert summary["listed"] == len(selected)  # the prefix left out other/
    assert (summary["first_key"], summary["last_key"]) == (selected[0], selected[-1])
    assert summary["bytes"] == sum(len(uploads[k]) for k in selected)
    assert f"sent {len(selected)}" in err  # the progress line, on stderr only

    bodies: list[str] = []

    def recording(event: dict[str, Any], context: Any) -> dict[str, Any]:
        bodies.extend(r["body"] for r in event["Records"])
        return handler.lambda_handler(event, context)

    assert stack.drain(recording)["failed"] == 0
    capsys.readouterr()
    backfill = [json.loads(b)["Records"][0] for b in bodies if "s3:TestEvent" not in b]
    assert len(backfill) == len(selected)
    assert all(r["userIdentity"]["principalId"] == BACKFILL_MARK for r in backfill)

    # THEN both lakes hold the same files and rows, and so does the lake the live uploads built
    assert _parts(lake_a) == _parts(lake_b)
    a, b, live = Lake.open(str(lake_a)), Lake.open(str(lake_b)), Lake.open(stack.lake_uri)
    ids = sorted(a.read("articles").column("article_id").to_pylist())
    assert ids == sorted(b.read("articles").column("article_id").to_pylist()) and len(ids) == len(set(ids))
    for table in TABLES:
        assert _rows(a, table) == _rows(b, table), table
        # The live lake also holds the upload outside the prefix: keep the rows of the selected ones
        live_rows = [r for r in _rows(live, table) if "other/skip.jsonl" not in r]
        if table in ("entities", "figures"):
            live_rows = [r for r in live_rows if json.loads(r)["article_id"] in ids]
        assert live_rows == _rows(a, table), table
    assert {r["reason"] for r in b.read("rejects").to_pylist()} >= {"malformed_json"}
    assert len(b.read("manifests")) == len(selected)


@pytest.mark.integration
def test_dry_run_counts_and_sends_nothing(moto_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    stack = LocalStack(prefix="bf-dry")
    target = stack.sqs.create_queue(QueueName="bf-dry-target")["QueueUrl"]
    data = {f"in/{i:02d}.jsonl": b"x" * (i + 1) for i in range(12)}
    for key, body in data.items():
        stack.upload(key, body)
    today = _today()
    rng = ["--bucket", stack.raw_bucket, "--prefix", "in/", "--from", today, "--to", today]
    code, out, _ = _run(capsys, "reprocess", *rng, "--queue-url", target, "--dry-run")
    assert code == 0
    assert json.loads(out) == {
        "dry_run": True,
        "listed": 12,
        "objects": 12,
        "bytes": sum(len(b) for b in data.values()),
        "first_key": "in/00.jsonl",
        "last_key": "in/11.jsonl",
    }
    assert _drain_queue(stack, target) == []
    # The local mode's dry run counts the same (and needs no --lake), after --start-after
    code, out, _ = _run(capsys, "reprocess", *rng, "--dry-run", "--start-after", "in/09.jsonl")
    assert code == 0 and json.loads(out)["objects"] == 2 and json.loads(out)["first_key"] == "in/10.jsonl"
    # Another day's range lists the objects but keeps none
    code, out, _ = _run(
        capsys, "reprocess", "--bucket", stack.raw_bucket, "--from", "2020-01-01", "--to", "2020-01-02", "--dry-run"
    )
    assert (code, json.loads(out)) == (
        0,
        {"dry_run": True, "listed": 12, "objects": 0, "bytes": 0, "first_key": None, "last_key": None},
    )


@pytest.mark.integration
def test_interrupted_backfill_resumes_after_the_printed_key(
    moto_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from khabar.aws import backfill

    stack = LocalStack(prefix="bf-resume")
    target = stack.sqs.create_queue(QueueName="bf-resume-target")["QueueUrl"]
    keys = sorted(f"in/{i:03d} ü+.txt" for i in range(27))
    for key in keys:
        stack.upload(key, BODY.encode())
    today = _today()
    rng = ["--bucket", stack.raw_bucket, "--from", today, "--to", today, "--queue-url", target]

    # WHEN Ctrl-C arrives while the third batch is about to go out
    real_send, calls = backfill._send, []

    def interrupted(*args: Any) -> None:
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        real_send(*args)

    monkeypatch.setattr(backfill, "_send", interrupted)
    code, out, err = _run(capsys, "reprocess", *rng)
    assert code == 130 and out == ""
    resume = re.search(r"resume with --start-after '([^']*)'", err)
    assert resume and resume.group(1) == keys[19]

    # THEN a run from the printed key sends the rest: every key once, none missing
    monkeypatch.setattr(backfill, "_send", real_send)
    code, out, _ = _run(capsys, "reprocess", *rng, "--start-after", resume.group(1))
    assert code == 0 and json.loads(out)["sent"] == 7 and json.loads(out)["last_key"] == keys[-1]
    msgs = _drain_queue(stack, target)
    sent = [ref.key for m in msgs for ref in refs_from_message(m["Body"])]
    assert sorted(sent) == keys
    assert all(BACKFILL_MARK in m["MessageAttributes"] for m in msgs)


@pytest.mark.integration
def test_the_message_is_what_s3_itself_sends(moto_url: str) -> None:
    """moto's own notification for the same object, field by field (but the event time: S3's is the
    request time, ours the object's LastModified)."""
    stack = LocalStack(prefix="bf-shape")
    stack.upload("in/batch one+1 é.jsonl", BODY.encode())
    [own] = [m for m in _drain_queue(stack, stack.queue_url) if "s3:TestEvent" not in m["Body"]]
    [obj] = list_raw(stack.s3, stack.raw_bucket, date(2000, 1, 1), date(2100, 1, 1))
    theirs = json.loads(own["Body"])["Records"][0]
    ours = notification(obj, stack.raw_bucket, "us-east-1")["Records"][0]
    for field in ("eventVersion", "eventSource", "awsRegion", "eventName"):
        assert ours[field] == theirs[field], field
    assert ours["s3"]["object"] == theirs["s3"]["object"]
    assert ours["s3"]["bucket"] == theirs["s3"]["bucket"]
    assert refs_from_message(json.dumps({"Records": [ours]})) == refs_from_message(own["Body"])


def test_notification_round_trips_through_refs_from_message() -> None:
    obj = RawObject("in/2026/عدد خاص+1 (نهائي)?.jsonl", 1234, "abc123", datetime(2026, 3, 1, 8, 30, tzinfo=UTC))
    body = json.dumps(notification(obj, "raw-bucket", "eu-west-1"))
    encoded = json.loads(body)["Records"][0]["s3"]["object"]["key"]
    assert "%2B1" in encoded and "+%D8%AE" in encoded and "%2F" in encoded  # '+', a space, '/' as S3 writes them
    assert refs_from_message(body) == [Upload("raw-bucket", obj.key, "abc123", None, 1234)]
    assert json.loads(body)["Records"][0]["eventTime"] == "2026-03-01T08:30:00.000Z"


class FakeSQS:
    """send_message_batch that fails chosen entries (by key) a number of times."""

    def __init__(self, failures: dict[str, int] | None = None, sender_fault: bool = False) -> None:
        self.failures = dict(failures or {})
        self.sender_fault = sender_fault
        self.calls: list[list[str]] = []
        self.sent: list[str] = []

    def send_message_batch(self, QueueUrl: str, Entries: list[dict[str, Any]]) -> dict[str, Any]:  # noqa: N803
        keys = [refs_from_message(e["MessageBody"])[0].key for e in Entries]
        self.calls.append(keys)
        ok, failed = [], []
        for e, key in zip(Entries, keys, strict=True):
            if self.failures.get(key, 0) > 0:
                self.failures[key] -= 1
                failed.append(
                    {"Id": e["Id"], "SenderFault": self.sender_fault, "Code": "InternalError", "Message": "x"}
                )
            else:
                ok.append({"Id": e["Id"], "MessageId": key})
                self.sent.append(key)
        return {"Successful": ok, "Failed": failed}


def _objects(n: int) -> list[RawObject]:
    return [RawObject(f"k/{i:03d}", 10, "e", datetime(2026, 3, 1, tzinfo=UTC)) for i in range(n)]


def test_a_partial_batch_failure_is_retried() -> None:
    sqs, sleeps = FakeSQS({"k/013": 2}), list[float]()
    progress = enqueue(sqs, "q", "b", _objects(25), region="r", sleep=sleeps.append)
    assert sorted(sqs.sent) == [o.key for o in _objects(25)] and len(sqs.sent) == 25
    assert sqs.calls[2:4] == [["k/013"], ["k/013"]]  # only the failed entry goes again
    assert sleeps == [0.5, 1.0] and progress.last_key == "k/024" and progress.done == 25


def test_a_batch_that_keeps_failing_stops_with_the_resume_key() -> None:
    sqs, sleeps = FakeSQS({"k/013": 99}), list[float]()
    with pytest.raises(BackfillError) as err:
        enqueue(sqs, "q", "b", _objects(25), region="r", retries=3, sleep=sleeps.append)
    # k/010..k/012 went out, k/013 did not: resuming after k/012 skips nothing
    assert err.value.resume_after == "k/012"
    assert "--start-after 'k/012'" in str(err.value) and "'k/013'" in str(err.value)
    assert len(sleeps) == 3 and "k/020" not in sqs.sent  # stopped, the next batch never went out

    # A sender fault (the message itself is wrong) is not retried
    sqs, sleeps = FakeSQS({"k/000": 1}, sender_fault=True), list[float]()
    with pytest.raises(BackfillError, match="re-run the same command") as err:
        enqueue(sqs, "q", "b", _objects(5), region="r", sleep=sleeps.append)
    assert sleeps == [] and err.value.resume_after is None


def test_rate_limit_paces_with_the_injected_sleep() -> None:
    now = [0.0]
    sent_at: list[tuple[float, int]] = []

    def sleep(s: float) -> None:
        now[0] += s

    class Clocked(FakeSQS):
        def send_message_batch(self, QueueUrl: str, Entries: list[dict[str, Any]]) -> dict[str, Any]:  # noqa: N803
            sent_at.append((now[0], len(Entries)))
            return super().send_message_batch(QueueUrl, Entries)

    limit = RateLimit(5, clock=lambda: now[0], sleep=sleep)
    progress = enqueue(Clocked(), "q", "b", _objects(23), region="r", limit=limit, progress=Progress())
    assert progress.done == 23 and max(n for _, n in sent_at) == 5  # batches of a second's worth
    assert now[0] == pytest.approx((23 - 5) / 5)  # the first batch is free, the rest wait their turn
    total = 0
    for t, n in sent_at:
        total += n
        assert total <= 5 + 5 * t + 1e-9


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--lake", "out/x", "--queue-url", "https://sqs/q"], "--lake and --queue-url exclude each other"),
        ([], "give --lake (process here) or --queue-url"),
        (["--lake", "out/x", "--max-per-second", "5"], "--max-per-second applies to --queue-url only"),
        (["--queue-url", "https://sqs/q", "--max-per-second", "0"], "--max-per-second must be positive"),
    ],
)
def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], extra: list[str], message: str) -> None:
    code, out, err = _run(capsys, "reprocess", "--bucket", "b", "--from", "2026-03-01", "--to", "2026-03-02", *extra)
    assert code == 2 and out == ""
    assert err.startswith(f"khabar: error: {message}") and len(err.strip().splitlines()) == 1


def test_progress_line_rewrites_itself_on_a_terminal() -> None:
    import io

    from khabar.cli.ops import ProgressLine

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    now, term = [0.0], Terminal()
    line = ProgressLine(term, "sent", clock=lambda: now[0])
    p = Progress(listed=30, objects=20, bytes=2_500_000, started=0.0)
    for i in range(1, 11):
        p.done, p.done_bytes, now[0] = i, i * 1000, i * 0.05
        line(p)
    line.close(p)
    frames = term.getvalue().split("\r\x1b[K")[1:]
    assert len(frames) == 4  # at 0.05 s, then every 0.2 s, then the final state
    assert frames[-1] == "listed 30 · in range 20 (2.5 MB) · sent 10 (10.0 kB) · 20.0/s\n"
