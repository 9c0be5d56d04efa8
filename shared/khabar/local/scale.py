"""`khabar scale`: a measured scale run of the whole extract path, on moto's server.

N articles are generated from the team's real news (`../shared/data/news/`, else `samples/`), each
with its own id (the benchmark's repetition), and uploaded as M gzip JSON Lines objects (what a
crawler sends) to the raw bucket of a `LocalStack`; S3 notifies the extract queue. W worker
processes then each load the real `functions/extract/app.py` handler and drain the queue as
Lambda's SQS event source does (receive up to `batch_size` messages, invoke, delete the successes).
Afterwards `run_nightly(..., compact=True)` runs in its own process, for every day the uploads
landed in. Measured: wall and CPU time, peak RSS of every worker and of the nightly job, the
parent's CPU during the drain (the parent *is* moto's server: its CPU is what S3 + SQS cost here),
and files and bytes per partition before and after compaction.

Balances, checked after the drain and again after compaction: the ledger (sum of manifests'
`articles_in` = N = `articles_out` + `rejects`), article rows = `articles_out`, distinct article ids
= article rows, entity/figure/reject rows = the ledger's, no message left in the queue or the DLQ.
Any mismatch raises `ImbalanceError` (carrying the result) unless `check=False`.
"""

from __future__ import annotations

import gzip
import io
import json
import multiprocessing as mp
import os
import platform
import queue
import resource
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from multiprocessing.synchronize import Event
from pathlib import Path
from typing import Any

from khabar.kit import kit_dir
from khabar.local.aws import REPO_ROOT, FakeContext, LocalStack, load_handler, moto_server, sqs_event

__all__ = [
    "ImbalanceError",
    "NightlyStats",
    "PartitionStats",
    "ScaleResult",
    "WorkerStats",
    "load",
    "load_records",
    "markdown",
    "run_scale",
    "save",
]

_NEWS = kit_dir() / "data" / "news"
COMPACT_TABLES = ("articles", "entities", "figures")
# The SAM stack's event source mapping (template.yaml): BatchSize 5, queue VisibilityTimeout 3600 s.
# The LocalStack queue's 1 s timeout suits the fault tests, not uploads that take seconds each: a
# message would come back while a worker still processes it and be processed twice.
BATCH_SIZE = 5
VISIBILITY_TIMEOUT = 3600
Progress = Callable[[str], None]


class ImbalanceError(RuntimeError):
    """Something was lost or counted twice; `result` holds the whole run."""

    def __init__(self, result: ScaleResult) -> None:
        super().__init__(
            f"scale run N={result.articles} W={result.workers} does not balance: " + "; ".join(result.problems)
        )
        self.result = result


@dataclass(slots=True)
class WorkerStats:
    worker: int
    pid: int
    init_s: float  # start of the process → handler imported and models loaded (a cold start)
    wall_s: float  # the go signal → the queue had nothing left for it
    busy_s: float  # inside the handler
    cpu_s: float  # user + system during the drain
    invocations: int
    messages: int
    failed: int
    uploads: int
    articles: int
    redelivered: int  # messages received more than once (none expected: the timeout is long)
    peak_rss_mb: float
    # (uploads done, RSS MB) after each invocation: does a warm container's memory grow?
    rss_trace: list[tuple[int, float]] = field(default_factory=list)


@dataclass(slots=True)
class PartitionStats:
    table: str
    dt: str
    files: int
    bytes: int


@dataclass(slots=True)
class NightlyStats:
    days: list[str]
    seconds: float
    cpu_s: float
    peak_rss_mb: float
    compaction: dict[str, dict[str, int]]  # "<table>/dt=<day>" → files_before, files_after, rows
    summary_rows: dict[str, int]


@dataclass(slots=True)
class ScaleResult:
    date: str
    machine: str
    corpus: str
    articles: int
    uploads: int
    workers: int
    batch_size: int
    raw_bytes: int = 0
    upload_s: float = 0.0  # generate + gzip + PUT of every upload (moto queues the notifications)
    drain_s: float = 0.0  # the go signal → the last worker done
    moto_cpu_s: float = 0.0  # the parent's CPU during the drain: moto's S3 + SQS serving the workers
    moto_peak_rss_mb: float = 0.0  # the parent's: moto keeps every object in memory
    load_avg: list[float] = field(default_factory=list)  # 1-min load average before the drain and after
    worker_stats: list[WorkerStats] = field(default_factory=list)
    nightly: NightlyStats | None = None
    before: list[PartitionStats] = field(default_factory=list)
    after: list[PartitionStats] = field(default_factory=list)
    balance: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    total_s: float = 0.0

    @property
    def articles_per_s(self) -> float:
        return self.articles / self.drain_s if self.drain_s else 0.0

    @property
    def per_worker(self) -> float:
        return self.articles_per_s / self.workers

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["articles_per_s"] = round(self.articles_per_s, 1)
        d["articles_per_s_per_worker"] = round(self.per_worker, 1)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ScaleResult:
        """A result saved by `save` (`as_dict`), for tables over runs made by separate commands."""
        d = {k: v for k, v in d.items() if k not in ("articles_per_s", "articles_per_s_per_worker")}
        d["worker_stats"] = [
            WorkerStats(**{**w, "rss_trace": [tuple(x) for x in w.get("rss_trace", [])]}) for w in d["worker_stats"]
        ]
        d["nightly"] = NightlyStats(**d["nightly"]) if d["nightly"] else None
        d["before"] = [PartitionStats(**p) for p in d["before"]]
        d["after"] = [PartitionStats(**p) for p in d["after"]]
        return cls(**d)


# -- the corpus and the uploads -------------------------------------------------------------------


def load_records() -> tuple[list[dict[str, Any]], str]:
    """The distinct news records (every field kept), and where they came from."""
    records: list[dict[str, Any]] = []
    files = sorted(_NEWS.glob("*.jsonl")) if _NEWS.is_dir() else []
    for f in files:
        for line in f.read_text(encoding="utf-8").splitlines():
            if line.strip():
                records.append(json.loads(line))
    if records:
        return records, f"{len(records)} news articles from {_NEWS}"
    from khabar.formats import read_upload
    from khabar.models import Article

    for p in sorted((REPO_ROOT / "samples").iterdir()):
        with open(p, "rb") as fh:
            records += [{"title": a.title, "body": a.body} for a in read_upload(p.name, fh) if isinstance(a, Article)]
    if not records:
        raise RuntimeError("no corpus: neither ../shared/data/news nor samples/ hold articles")
    return records, f"{len(records)} project samples"


def upload_sizes(n_articles: int, uploads: int) -> list[int]:
    """N articles over M uploads, the first N mod M one article longer."""
    if uploads < 1 or n_articles < uploads:
        raise ValueError(f"need 1 <= uploads <= articles, got {uploads} uploads of {n_articles} articles")
    q, r = divmod(n_articles, uploads)
    return [q + (1 if u < r else 0) for u in range(uploads)]


def upload_body(records: list[dict[str, Any]], start: int, count: int) -> bytes:
    """Articles start..start+count-1 as gzip JSON Lines: record i is corpus record i mod len with the
    id `<its id>~<i>`, so every article id is new while the texts repeat (as in `khabar bench`)."""
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", compresslevel=6, mtime=0) as gz:
        for i in range(start, start + count):
            rec = records[i % len(records)]
            doc = {**rec, "id": f"{rec.get('id', 'a')}~{i}"}
            gz.write(json.dumps(doc, ensure_ascii=False).encode("utf-8") + b"\n")
    return buf.getvalue()


def _upload_all(
    stack: LocalStack, records: list[dict[str, Any]], sizes: list[int], progress: Progress
) -> tuple[dict[str, int], int]:
    """PUT every upload; returns articles per key and the bytes uploaded."""
    counts: dict[str, int] = {}
    raw = start = 0
    t0 = time.perf_counter()
    for u, size in enumerate(sizes):
        key = f"scale/upload-{u:06d}.jsonl.gz"
        data = upload_body(records, start, size)
        stack.upload(key, data)
        counts[key] = size
        raw += len(data)
        start += size
        if (u + 1) % 100 == 0:
            progress(f"  uploaded {u + 1}/{len(sizes)} ({start} articles, {time.perf_counter() - t0:.0f} s)")
    return counts, raw


# -- the worker processes ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _WorkerConfig:
    queue_url: str
    queue_arn: str
    batch_size: int
    counts: dict[str, int]  # articles per upload key, to count what each worker processed
    log_path: str | None  # where the handler's log lines and EMF metrics go (else /dev/null)


def _cpu_s(ru: resource.struct_rusage) -> float:
    return ru.ru_utime + ru.ru_stime


def _rss_mb(ru: resource.struct_rusage) -> float:
    return round(ru.ru_maxrss / 1024, 1)  # KiB on Linux


def _silence_stdout(log_path: str | None) -> None:
    # The handler's JSON log lines and EMF metrics are still formatted (Lambda pays for that too),
    # only not shown between the table's lines.
    fd = os.open(log_path or os.devnull, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(fd, 1)
    sys.stdout = open(1, "w", closefd=False)  # noqa: SIM115  # lives as long as the process


def _worker_main(n: int, cfg: _WorkerConfig, ready: Any, go: Event, out: Any) -> None:
    """One worker process: a cold start, then drain the queue like Lambda's SQS event source."""
    t0 = time.perf_counter()
    try:
        _silence_stdout(cfg.log_path)
        import boto3

        from khabar.extract import extract

        handler = load_handler("extract").lambda_handler
        extract("قال وزير المالية إن الصادرات بلغت 5 مليارات دولار")  # loads the models, as a cold start does
        sqs = boto3.client("sqs")
        ready.put((n, time.perf_counter() - t0))
        go.wait()
        stats = _drain(n, handler, sqs, cfg, time.perf_counter() - t0)
        out.put(stats)
    except BaseException as exc:  # the parent reports it; a dead worker must not leave it waiting
        out.put((n, f"{type(exc).__name__}: {exc}"))
        raise


def _rss_now_mb() -> float:
    with open("/proc/self/statm") as fh:  # Linux: resident pages are the second field
        return round(int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20, 1)


def _visible(sqs: Any, queue_url: str) -> int:
    attrs = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["ApproximateNumberOfMessages"])
    return int(attrs["Attributes"]["ApproximateNumberOfMessages"])


def _drain(n: int, handler: Callable[..., dict[str, Any]], sqs: Any, cfg: _WorkerConfig, init_s: float) -> WorkerStats:
    from khabar.aws.events import refs_from_message

    ws = WorkerStats(n, os.getpid(), round(init_s, 3), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    ru0, t0 = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    empty = 0
    busy = 0.0
    while empty < 2:
        msgs = sqs.receive_message(
            QueueUrl=cfg.queue_url, MaxNumberOfMessages=cfg.batch_size, AttributeNames=["All"]
        ).get("Messages", [])
        if not msgs:
            # Nothing visible: done. Batches other workers hold are theirs; a failed one is made
            # visible again at once by its worker, which then takes it back itself.
            empty = empty + 1 if _visible(sqs, cfg.queue_url) == 0 else 0
            time.sleep(0.1)
            continue
        empty = 0
        t = time.perf_counter()
        try:
            resp = handler(sqs_event(msgs, cfg.queue_arn), FakeContext())
            failed = {f["itemIdentifier"] for f in resp.get("batchItemFailures", [])}
        except Exception:  # an invocation error: Lambda returns every message of the batch
            failed = {m["MessageId"] for m in msgs}
        busy += time.perf_counter() - t
        done = [m for m in msgs if m["MessageId"] not in failed]
        again = [m for m in msgs if m["MessageId"] in failed]
        if done:
            sqs.delete_message_batch(
                QueueUrl=cfg.queue_url,
                Entries=[{"Id": str(j), "ReceiptHandle": m["ReceiptHandle"]} for j, m in enumerate(done)],
            )
        if again:  # retried now instead of after the hour-long timeout (the DLQ after 3 receives)
            sqs.change_message_visibility_batch(
                QueueUrl=cfg.queue_url,
                Entries=[
                    {"Id": str(j), "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": 0}
                    for j, m in enumerate(again)
                ],
            )
        ws.invocations += 1
        ws.messages += len(msgs)
        ws.failed += len(failed)
        ws.redelivered += sum(int(m.get("Attributes", {}).get("ApproximateReceiveCount", 1)) > 1 for m in msgs)
        for m in done:
            for ref in refs_from_message(m["Body"]):
                ws.uploads += 1
                ws.articles += cfg.counts.get(ref.key, 0)
        ws.rss_trace.append((ws.uploads, _rss_now_mb()))
    ru = resource.getrusage(resource.RUSAGE_SELF)
    ws.wall_s = round(time.perf_counter() - t0, 3)
    ws.busy_s = round(busy, 3)
    ws.cpu_s = round(_cpu_s(ru) - _cpu_s(ru0), 3)
    ws.peak_rss_mb = _rss_mb(ru)
    return ws


def _collect(procs: list[Any], out: Any, timeout_s: float, progress: Progress, poll: Callable[[], str]) -> list[Any]:
    """One result per process; fails when a process dies without one. `poll` says how far along."""
    results: list[Any] = []
    deadline = time.monotonic() + timeout_s
    last = time.monotonic()
    while len(results) < len(procs):
        try:
            results.append(out.get(timeout=1.0))
            continue
        except queue.Empty:
            pass
        if time.monotonic() - last >= 30:
            last = time.monotonic()
            progress(poll())
        dead = [p for p in procs if p.exitcode not in (None, 0)]
        if dead:
            raise RuntimeError(f"worker process {dead[0].pid} died (exit code {dead[0].exitcode})")
        if time.monotonic() > deadline:
            raise TimeoutError(f"no result after {timeout_s:.0f} s")
    return results


def _run_workers(
    stack: LocalStack, cfg: _WorkerConfig, workers: int, progress: Progress, result: ScaleResult
) -> list[WorkerStats]:
    ctx = mp.get_context("spawn")  # fork would copy moto's server threads and boto3's sockets
    ready, out, go = ctx.Queue(), ctx.Queue(), ctx.Event()
    procs = [ctx.Process(target=_worker_main, args=(n, cfg, ready, go, out), daemon=True) for n in range(workers)]
    for p in procs:
        p.start()
    try:
        inits = _collect(procs, ready, 600, progress, lambda: "  workers starting")
        progress(f"  {workers} worker(s) ready (cold start {max(t for _, t in inits):.2f} s)")
        total = sum(cfg.counts.values())
        result.load_avg.append(round(os.getloadavg()[0], 2))
        ru0, t0 = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
        go.set()

        def poll() -> str:
            left = stack.in_flight()
            done = total * max(len(cfg.counts) - left, 0) / len(cfg.counts)  # whole uploads only
            el = time.perf_counter() - t0
            return f"  drain {el:.0f} s: {left} upload(s) queued or in flight, ~{done / el:.0f} articles/s"

        got = _collect(procs, out, 7 * 24 * 3600, progress, poll)
        result.drain_s = round(time.perf_counter() - t0, 3)
        result.moto_cpu_s = round(_cpu_s(resource.getrusage(resource.RUSAGE_SELF)) - _cpu_s(ru0), 3)
        result.load_avg.append(round(os.getloadavg()[0], 2))
        errors = [r for r in got if not isinstance(r, WorkerStats)]
        if errors:
            raise RuntimeError(f"worker {errors[0][0]} failed: {errors[0][1]}")
        for p in procs:
            p.join(60)
        return sorted(got, key=lambda w: w.worker)
    finally:
        for p in procs:
            if p.is_alive():
                p.terminate()


# -- the nightly job --------------------------------------------------------------------------------


def _nightly_main(lake_uri: str, days: list[str], out: Any) -> None:
    try:
        from khabar.lake.store import Lake
        from khabar.nightly.job import run_nightly
        from khabar.nightly.local import LocalEngine

        lake = Lake.open(lake_uri)
        ru0, t0 = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
        compaction: dict[str, dict[str, int]] = {}
        rows: dict[str, int] = {}
        for day in days:
            res = run_nightly(lake, day, LocalEngine(lake), None, compact=True)
            for t, c in (res.compaction or {}).items():
                compaction[f"{t}/dt={day}"] = {
                    "files_before": c.files_before,
                    "files_after": c.files_after,
                    "rows": c.rows,
                }
            for t, r in res.rows.items():
                rows[t] = rows.get(t, 0) + r
        ru = resource.getrusage(resource.RUSAGE_SELF)
        out.put(
            NightlyStats(
                days,
                round(time.perf_counter() - t0, 3),
                round(_cpu_s(ru) - _cpu_s(ru0), 3),
                _rss_mb(ru),
                compaction,
                rows,
            )
        )
    except BaseException as exc:
        out.put(f"{type(exc).__name__}: {exc}")
        raise


def _run_nightly(lake_uri: str, days: list[str], progress: Progress) -> NightlyStats:
    """In its own process, so its peak RSS is its own and not the workers' or moto's."""
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    p = ctx.Process(target=_nightly_main, args=(lake_uri, days, out), daemon=True)
    p.start()
    t0 = time.perf_counter()
    try:
        (got,) = _collect([p], out, 7 * 24 * 3600, progress, lambda: f"  nightly {time.perf_counter() - t0:.0f} s")
    finally:
        p.join(60)
        if p.is_alive():
            p.terminate()
    if not isinstance(got, NightlyStats):
        raise RuntimeError(f"nightly job failed: {got}")
    return got


# -- what the lake holds ----------------------------------------------------------------------------


def _list_lake(s3: Any, bucket: str) -> Iterator[tuple[str, int]]:
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for o in page.get("Contents", []):
            yield o["Key"], int(o["Size"])


def partitions(s3: Any, bucket: str, tables: tuple[str, ...] = COMPACT_TABLES) -> list[PartitionStats]:
    """Part files and their bytes per `<table>/dt=<day>` of the lake bucket (sidecars not counted)."""
    from khabar.lake.layout import dt_of, is_part

    acc: dict[tuple[str, str], PartitionStats] = {}
    for key, size in _list_lake(s3, bucket):
        table, _, rest = key.partition("/")
        dt = dt_of(key)
        if table in tables and dt and is_part(rest.rsplit("/", 1)[-1]):
            ps = acc.setdefault((table, dt), PartitionStats(table, dt, 0, 0))
            ps.files += 1
            ps.bytes += size
    return [acc[k] for k in sorted(acc, key=lambda k: (k[1], tables.index(k[0])))]


def _days(s3: Any, bucket: str) -> list[str]:
    from khabar.lake.layout import dt_of

    return sorted({d for k, _ in _list_lake(s3, bucket) if k.startswith("manifests/") and (d := dt_of(k))})


def _rows(lake: Any, table: str) -> int:
    import pyarrow.parquet as pq

    return sum(pq.read_metadata(p, filesystem=lake.fs).num_rows for p in lake.parts(table))


def lake_counts(lake_uri: str) -> dict[str, int]:
    """The ledger's sums and the rows the lake holds, across every day."""
    import pyarrow.compute as pc

    from khabar.lake.store import Lake

    lake = Lake.open(lake_uri)
    m = lake.read("manifests")
    ids = lake.read("articles", columns=["article_id"]).column("article_id")

    def total(col: str) -> int:
        return int(pc.sum(m.column(col)).as_py() or 0)

    return {
        "manifests": m.num_rows,
        "ledger_in": total("articles_in"),
        "ledger_out": total("articles_out"),
        "ledger_rejects": total("rejects"),
        "ledger_entities": total("entities"),
        "ledger_figures": total("figures"),
        "article_rows": len(ids),
        "distinct_ids": int(pc.count_distinct(ids).as_py()),
        "entity_rows": _rows(lake, "entities"),
        "figure_rows": _rows(lake, "figures"),
        "reject_rows": _rows(lake, "rejects"),
    }


def _problems(when: str, n: int, uploads: int, c: dict[str, int]) -> list[str]:
    want = {
        "manifests": (c["manifests"], uploads),
        "ledger_in = N": (c["ledger_in"], n),
        "ledger_in = out + rejects": (c["ledger_in"], c["ledger_out"] + c["ledger_rejects"]),
        "article rows = ledger_out": (c["article_rows"], c["ledger_out"]),
        "distinct ids = article rows": (c["distinct_ids"], c["article_rows"]),
        "entity rows = ledger": (c["entity_rows"], c["ledger_entities"]),
        "figure rows = ledger": (c["figure_rows"], c["ledger_figures"]),
        "reject rows = ledger": (c["reject_rows"], c["ledger_rejects"]),
    }
    return [f"{when}: {name}: {got} != {exp}" for name, (got, exp) in want.items() if got != exp]


def _queue_problems(stack: LocalStack, workers: list[WorkerStats], uploads: int) -> list[str]:
    out = []
    dlq = stack.sqs.get_queue_attributes(
        QueueUrl=stack.dlq_url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    )["Attributes"]
    if (n := sum(int(v) for v in dlq.values())) != 0:
        out.append(f"{n} message(s) in the DLQ")
    if (left := stack.in_flight()) != 0:
        out.append(f"{left} message(s) left in the queue")
    if (failed := sum(w.failed for w in workers)) != 0:
        out.append(f"{failed} failed message(s)")
    if (done := sum(w.uploads for w in workers)) != uploads:
        out.append(f"workers processed {done} uploads, {uploads} were sent")
    return out


def _keep(s3: Any, bucket: str, dest: Path) -> None:
    """Copy the lake out of moto's memory, for inspection after the run."""
    for key, _ in _list_lake(s3, bucket):
        path = dest / key
        path.parent.mkdir(parents=True, exist_ok=True)
        s3.download_file(bucket, key, str(path))


# -- the run ----------------------------------------------------------------------------------------


def _machine() -> str:
    return f"{platform.machine()}, nproc {len(os.sched_getaffinity(0))}, Python {platform.python_version()}"


def run_scale(
    n_articles: int,
    uploads: int,
    workers: int,
    *,
    batch_size: int = BATCH_SIZE,
    keep: Path | None = None,
    check: bool = True,
    progress: Progress | None = None,
) -> ScaleResult:
    """Generate, upload, drain with `workers` processes, run the nightly job with compaction, count.
    Raises ImbalanceError when anything does not balance (unless `check=False`)."""
    say = progress or (lambda _msg: None)
    sizes = upload_sizes(n_articles, uploads)
    records, corpus = load_records()
    result = ScaleResult(
        datetime.now(UTC).isoformat(timespec="seconds"), _machine(), corpus, n_articles, uploads, workers, batch_size
    )
    t_run = time.perf_counter()
    with moto_server() as url:
        _reset_moto(url)  # moto's state outlives its server: a fresh stack, and the last run's memory back
        try:
            _one_run(result, records, sizes, batch_size, keep, say)
        finally:
            _reset_moto(url)
    result.total_s = round(time.perf_counter() - t_run, 3)
    if check and result.problems:
        raise ImbalanceError(result)
    return result


def _reset_moto(url: str) -> None:
    import urllib.request

    urllib.request.urlopen(urllib.request.Request(f"{url}/moto-api/reset", method="POST"), timeout=120).close()


def _one_run(
    result: ScaleResult,
    records: list[dict[str, Any]],
    sizes: list[int],
    batch_size: int,
    keep: Path | None,
    say: Progress,
) -> None:
    n_articles, uploads, workers = result.articles, result.uploads, result.workers
    stack = LocalStack(prefix="khabar-scale")
    stack.sqs.set_queue_attributes(QueueUrl=stack.queue_url, Attributes={"VisibilityTimeout": str(VISIBILITY_TIMEOUT)})
    say(f"N={n_articles} M={uploads} W={workers}: uploading")
    t0 = time.perf_counter()
    counts, result.raw_bytes = _upload_all(stack, records, sizes, say)
    result.upload_s = round(time.perf_counter() - t0, 3)
    log = str(keep / "extract-handler.log") if keep else None
    if keep:
        keep.mkdir(parents=True, exist_ok=True)
    cfg = _WorkerConfig(stack.queue_url, stack.queue_arn, batch_size, counts, log)
    say(f"  {uploads} uploads, {result.raw_bytes / 1e6:.1f} MB gzip, in {result.upload_s:.1f} s; draining")
    result.worker_stats = _run_workers(stack, cfg, workers, say, result)
    say(
        f"  drained in {result.drain_s:.1f} s ({result.articles_per_s:.0f} articles/s), "
        f"moto CPU {result.moto_cpu_s:.1f} s"
    )
    for w in result.worker_stats:
        say(
            f"  worker {w.worker}: {w.uploads} uploads, {w.articles} articles, busy {w.busy_s:.1f} s, "
            f"CPU {w.cpu_s:.1f} s, peak RSS {w.peak_rss_mb:.0f} MB"
        )
    result.problems += _queue_problems(stack, result.worker_stats, uploads)
    result.before = partitions(stack.s3, stack.lake_bucket)
    counted = lake_counts(stack.lake_uri)
    result.problems += _problems("after the drain", n_articles, uploads, counted)
    days = _days(stack.s3, stack.lake_bucket)
    say(f"  nightly job with compaction for {', '.join(days)}")
    try:
        result.nightly = _run_nightly(stack.lake_uri, days, say)
        say(f"  nightly job: {result.nightly.seconds:.1f} s, peak RSS {result.nightly.peak_rss_mb:.0f} MB")
    except RuntimeError as exc:  # keep the drain's numbers; the run still fails its check
        result.problems.append(str(exc))
        say(f"  {exc}")
    result.after = partitions(stack.s3, stack.lake_bucket)
    after = lake_counts(stack.lake_uri)
    result.problems += _problems("after compaction", n_articles, uploads, after)
    result.problems += [f"compaction changed {k}: {counted[k]} -> {v}" for k, v in after.items() if v != counted[k]]
    result.balance = {"generated": n_articles, **after}
    result.moto_peak_rss_mb = _rss_mb(resource.getrusage(resource.RUSAGE_SELF))
    if keep:
        _keep(stack.s3, stack.lake_bucket, keep / "lake")


# -- the report -------------------------------------------------------------------------------------


def _cpu_ms(r: ScaleResult) -> float:
    """Worker CPU per article: unlike wall time, it does not depend on what else the machine runs."""
    return sum(w.cpu_s for w in r.worker_stats) * 1000 / r.articles


def markdown(results: list[ScaleResult]) -> str:
    """The runs as markdown tables: throughput, then memory and the nightly job, then the partitions.
    Efficiency of W workers against the W=1 run of the same N (when there is one): by wall time,
    rate(W) / (W × rate(1)); by CPU, CPU per article at W=1 / CPU per article at W."""
    base = {r.articles: r for r in results if r.workers == 1}
    lines = [
        "| N | uploads | W | upload s | drain s | articles/s | per worker | efficiency | worker CPU ms/article | "
        "CPU efficiency | worker CPU/wall | moto CPU/wall | load avg |",
        "|" + "---|" * 13,
    ]
    for r in results:
        b = base.get(r.articles)
        eff = f"{r.articles_per_s / (r.workers * b.articles_per_s):.2f}" if b and b.drain_s else "–"
        ceff = f"{_cpu_ms(b) / _cpu_ms(r):.2f}" if b and _cpu_ms(r) else "–"
        wcpu = sum(w.cpu_s for w in r.worker_stats) / r.drain_s / r.workers if r.drain_s else 0.0
        lines.append(
            f"| {r.articles:,} | {r.uploads:,} | {r.workers} | {r.upload_s:.1f} | {r.drain_s:.1f} | "
            f"{r.articles_per_s:.0f} | {r.per_worker:.0f} | {eff} | {_cpu_ms(r):.2f} | {ceff} | {wcpu:.0%} | "
            f"{r.moto_cpu_s / r.drain_s if r.drain_s else 0:.0%} | {' → '.join(map(str, r.load_avg))} |"
        )
    lines += [
        "",
        "| N | W | worker peak RSS MB | moto peak RSS MB | nightly s | nightly CPU s | nightly peak RSS MB | "
        "files before → after (articles/entities/figures) | balanced |",
        "|" + "---|" * 9,
    ]
    for r in results:
        n = r.nightly

        def files(parts: list[PartitionStats]) -> str:
            return "/".join(str(sum(p.files for p in parts if p.table == t)) for t in COMPACT_TABLES)

        lines.append(
            f"| {r.articles:,} | {r.workers} | {max((w.peak_rss_mb for w in r.worker_stats), default=0):.0f} | "
            f"{r.moto_peak_rss_mb:.0f} | {n.seconds if n else 0:.1f} | {n.cpu_s if n else 0:.1f} | "
            f"{n.peak_rss_mb if n else 0:.0f} | {files(r.before)} → {files(r.after)} | "
            f"{'yes' if not r.problems else 'NO: ' + '; '.join(r.problems)} |"
        )
    lines += [
        "",
        "| N | W | partition | files before | MB before | files after | MB after |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        after = {(p.table, p.dt): p for p in r.after}
        for p in r.before:
            a = after.get((p.table, p.dt), PartitionStats(p.table, p.dt, 0, 0))
            lines.append(
                f"| {r.articles:,} | {r.workers} | {p.table}/dt={p.dt} | {p.files:,} | {p.bytes / 1e6:.2f} | "
                f"{a.files:,} | {a.bytes / 1e6:.2f} |"
            )
    return "\n".join(lines)


def load(paths: list[Path]) -> list[ScaleResult]:
    """The results `save` wrote, in the order of the files."""
    return [ScaleResult.from_dict(d) for p in paths for d in json.loads(p.read_text(encoding="utf-8"))]


def save(results: list[ScaleResult], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps([r.as_dict() for r in results], ensure_ascii=False, indent=1), encoding="utf-8")
    shutil.move(tmp, path)
