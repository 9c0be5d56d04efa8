"""`khabar demo`: the whole pipeline on the embedded default, no AWS account and no Docker.

moto's server plays S3 + SQS; the samples are uploaded to the raw bucket, S3 notifies the queue,
the real extract handler is invoked with the received messages exactly as Lambda would, the lake
lands in the lake bucket, and Athena SQL runs locally through sqlglot → DuckDB.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

from khabar.local.aws import REPO_ROOT, LocalStack, load_handler, moto_server

__all__ = ["run_demo", "DEMO_QUERIES"]

SAMPLES = REPO_ROOT / "samples"
DEMO_QUERIES = {
    "Articles per source": (
        "SELECT source, count(*) AS articles, sum(n_chars) AS chars\n"
        "FROM articles GROUP BY source ORDER BY articles DESC, source"
    ),
    "Economic figures found": (
        "SELECT a.source, f.kind, f.value, f.unit, f.metric, f.direction, f.figure_text\n"
        "FROM figures f JOIN articles a ON a.article_id = f.article_id\n"
        "ORDER BY a.source, f.start"
    ),
    "Countries mentioned": (
        "SELECT country_code, count(*) AS mentions, count(DISTINCT article_id) AS articles\n"
        "FROM entities WHERE country_code IS NOT NULL GROUP BY country_code ORDER BY mentions DESC, country_code"
    ),
    "Rejected records": "SELECT source_key, record_locator, reason, detail FROM rejects ORDER BY record_locator",
}


def _say(msg: str) -> None:
    print(msg, flush=True)


def run_demo(out_dir: str = "out/demo") -> int:
    from khabar.lake.query import LocalAthena, format_result

    t0 = time.perf_counter()
    samples = sorted(p for p in SAMPLES.iterdir() if p.is_file())
    with moto_server() as url:
        _say(f"▶ moto server (S3 + SQS) on {url}")
        stack = LocalStack(prefix="khabar-demo")
        _say(
            f"▶ created s3://{stack.raw_bucket} → SQS {stack.queue_arn.rsplit(':', 1)[-1]} "
            f"(DLQ after 3 receives), lake s3://{stack.lake_bucket}"
        )
        for p in samples:
            stack.upload(f"incoming/{p.name}", p.read_bytes())
        _say(f"▶ uploaded {len(samples)} sample batches: {', '.join(p.name for p in samples)}")
        handler = load_handler("extract").lambda_handler
        stats = stack.drain(handler)
        _say(
            f"▶ extract handler: {stats['invocations']} invocation(s), {stats['messages']} SQS message(s), "
            f"{stats['failed']} failed"
        )
        engine = LocalAthena(stack.lake_uri)
        for title, sql in DEMO_QUERIES.items():
            cols, rows = engine.execute(sql)
            _say(f"\n── {title} (Athena SQL → DuckDB)\n{format_result(cols, rows)}")
        _finish_demo(stack.lake_uri, out_dir)
    _say(f"\n✔ demo finished in {time.perf_counter() - t0:.1f} s")
    return 0


def _finish_demo(lake_uri: str, out_dir: str) -> None:
    """The nightly job on the demo's day (the partition the extract handler just wrote), with its
    report written into `out_dir`."""
    from khabar.lake.layout import dt_for
    from khabar.lake.store import Lake
    from khabar.nightly.job import run_nightly
    from khabar.nightly.local import LocalEngine
    from khabar.nightly.publish import FolderPublisher

    lake = Lake.open(lake_uri)
    day = dt_for(datetime.now(UTC))
    result = run_nightly(lake, day, LocalEngine(lake), FolderPublisher(Path(out_dir)))
    _say(f"\n▶ nightly aggregation for {day}: {result.as_dict()}")
    _say(f"▶ nightly report: {result.published.location if result.published else None}")
