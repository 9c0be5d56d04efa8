"""Aggregate Lambda: EventBridge Scheduler (nightly) → summaries on Athena → report → SNS link.

The event is `{}` (the day is yesterday, UTC) or `{"date": "YYYY-MM-DD"}` to re-run a night.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from khabar.nightly.job import NightlyConfig, run_nightly, target_day

logger = Logger(service="khabar-aggregate")
metrics = Metrics(namespace="khabar", service="aggregate")
clients: dict[str, Any] = {}  # boto3 clients by service; tests put fakes here


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    day = target_day(event)
    logger.info("nightly aggregation", extra={"dt": day})
    result = run_nightly(
        day,
        NightlyConfig.from_env(),
        athena=clients.get("athena"),
        s3=clients.get("s3"),
        sns=clients.get("sns"),
    )
    metrics.add_metric(name="AthenaQueries", unit=MetricUnit.Count, value=len(result["queries"]))
    metrics.add_metric(name="Reports", unit=MetricUnit.Count, value=1)
    logger.info("report written", extra={"dt": day, "report": result["report"]})
    return result
