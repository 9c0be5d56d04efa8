"""Extract Lambda: SQS messages carrying S3 upload notifications → Parquet lake partitions."""

from __future__ import annotations

import os
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from khabar.aws.backfill import BACKFILL_MARK
from khabar.aws.events import refs_from_message
from khabar.aws.ingest import process_object, s3_client
from khabar.config import Limits
from khabar.lake.store import Lake
from khabar.pipeline import ConservationError

processor = BatchProcessor(event_type=EventType.SQS)
logger = Logger(service="khabar-extract")
metrics = Metrics(namespace="khabar", service="extract")
_clients: dict[str, Any] = {}


def _deps() -> tuple[Any, Lake]:
    # Created on first use, not at import: tests point AWS_ENDPOINT_URL at moto before the first call.
    if not _clients:
        _clients["s3"] = s3_client()
        _clients["lake"] = Lake.open(os.environ["LAKE_URI"])
    return _clients["s3"], _clients["lake"]


def record_handler(record: SQSRecord) -> None:
    s3, lake = _deps()
    for ref in refs_from_message(record.body):
        try:
            ledger = process_object(ref, s3, lake, Limits.from_env())
        except ConservationError:
            metrics.add_metric(name="ConservationMismatch", unit=MetricUnit.Count, value=1)
            logger.exception("ledger does not balance", extra={"key": ref.key})
            raise
        if ledger is None:
            logger.warning("object gone before processing", extra={"bucket": ref.bucket, "key": ref.key})
            continue
        logger.info(
            "processed upload",
            extra={
                "key": ref.key,
                "dt": ledger.dt,
                "backfill": BACKFILL_MARK in (record.message_attributes or {}),
                "articles": ledger.articles_out,
                "rejects": ledger.rejects,
                "ms": ledger.duration_ms,
            },
        )
        metrics.add_metric(name="Uploads", unit=MetricUnit.Count, value=1)
        metrics.add_metric(name="Articles", unit=MetricUnit.Count, value=ledger.articles_out)
        metrics.add_metric(name="Rejects", unit=MetricUnit.Count, value=ledger.rejects)
        metrics.add_metric(name="Entities", unit=MetricUnit.Count, value=ledger.entities)
        metrics.add_metric(name="Figures", unit=MetricUnit.Count, value=ledger.figures)


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
