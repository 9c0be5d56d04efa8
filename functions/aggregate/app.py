"""Aggregate Lambda: EventBridge Scheduler (nightly) → the nightly job (`khabar.nightly.job`) with
Athena as its engine → the report in S3 → SNS link. With COMPACT=1 the day's extract tables are
compacted too, by Athena UNLOAD and a footer-checked swap (`khabar.lake.compaction`): the function
never holds a partition's rows.

The event is `{}` (the day is yesterday, UTC) or `{"date": "YYYY-MM-DD"}` to re-run a night.
"""

from __future__ import annotations

import os
from typing import Any

import boto3
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from khabar.lake.store import Lake
from khabar.nightly.athena import AthenaEngine, AthenaRunner
from khabar.nightly.job import run_nightly, target_day
from khabar.nightly.publish import S3Publisher

logger = Logger(service="khabar-aggregate")
metrics = Metrics(namespace="khabar", service="aggregate")
clients: dict[str, Any] = {}  # boto3 clients by service; tests put fakes here


def _client(name: str) -> Any:
    return clients.get(name) or boto3.client(name)


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    day = target_day(event)
    logger.info("nightly aggregation", extra={"dt": day})
    env = os.environ
    lake, s3 = Lake.open(env["LAKE_URI"]), _client("s3")
    runner = AthenaRunner(
        _client("athena"), workgroup=env.get("ATHENA_WORKGROUP", "primary"), database=env["ATHENA_DATABASE"]
    )
    topic = env.get("REPORT_TOPIC_ARN") or None
    publisher = S3Publisher(env["REPORTS_URI"], s3, _client("sns") if topic else None, topic)
    compact = env.get("COMPACT", "") in ("1", "true", "yes")
    result = run_nightly(lake, day, AthenaEngine(runner, lake, s3), publisher, compact=compact)
    published = result.published
    if published is None:  # run_nightly publishes whenever it is given a publisher
        raise RuntimeError("the nightly job returned no report")
    # one UNLOAD per summary table, one for the report's trends, and a count + an UNLOAD per compacted table
    compacted = [*(result.compaction or {}).values(), *(r for d in result.recompacted.values() for r in d.values())]
    queries = len(result.written) + 1 + sum(len(r.queries) for r in compacted)
    metrics.add_metric(name="AthenaQueries", unit=MetricUnit.Count, value=queries)
    metrics.add_metric(name="Reports", unit=MetricUnit.Count, value=1)
    logger.info("report written", extra={"dt": day, "report": published.location})
    return {
        "dt": day,
        "queries": [w.query_id for w in result.written],
        "report": published.location,
        "link": published.link,
        "message_id": published.message_id,
        "compacted": (
            {t: r.files_after for t, r in result.compaction.items()} if result.compaction is not None else None
        ),
        # earlier days compacted again: the extract path re-processed uploads a compaction had absorbed
        "recompacted": {d: {t: r.files_after for t, r in c.items()} for d, c in result.recompacted.items()},
    }
