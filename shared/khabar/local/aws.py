"""The embedded default: moto's server on loopback as S3 + SQS, wired like the SAM stack
(upload bucket → notification → extract queue), and Lambda-style invocation of the real handlers.

Used by `khabar demo`, by the integration tests and by the local load test.
"""

from __future__ import annotations

import importlib.util
import json
import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

__all__ = ["moto_server", "LocalStack", "FakeContext", "load_handler", "sqs_event", "REPO_ROOT"]

REPO_ROOT = Path(__file__).resolve().parents[3]
_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "POWERTOOLS_METRICS_NAMESPACE": "khabar",
    "POWERTOOLS_TRACE_DISABLED": "1",
}


@contextmanager
def moto_server() -> Iterator[str]:
    """Start moto's server on 127.0.0.1 (a free port) and point boto3/pyarrow at it."""
    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per HTTP request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    saved = {k: os.environ.get(k) for k in [*_ENV, "AWS_ENDPOINT_URL"]}
    os.environ.update(_ENV)
    os.environ["AWS_ENDPOINT_URL"] = url
    try:
        yield url
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        server.stop()


@dataclass
class FakeContext:
    """The parts of the Lambda context object that powertools reads."""

    function_name: str = "khabar-extract"
    memory_limit_in_mb: int = 1024
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:khabar-extract"
    aws_request_id: str = ""

    def __post_init__(self) -> None:
        self.aws_request_id = self.aws_request_id or str(uuid.uuid4())

    def get_remaining_time_in_millis(self) -> int:
        return 300_000


def load_handler(name: str) -> ModuleType:
    """Import functions/<name>/app.py as Lambda would (the file is not part of the package)."""
    path = REPO_ROOT / "functions" / name / "app.py"
    spec = importlib.util.spec_from_file_location(f"khabar_fn_{name}", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def sqs_event(messages: list[dict[str, Any]], queue_arn: str) -> dict[str, Any]:
    """An SQS → Lambda event from received SQS messages, as the event source mapping builds it."""
    return {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": {k: str(v) for k, v in m.get("Attributes", {}).items()},
                "messageAttributes": {},
                "md5OfBody": m.get("MD5OfBody", ""),
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": os.environ.get("AWS_REGION", "us-east-1"),
            }
            for m in messages
        ]
    }


class LocalStack:
    """Buckets and queues like the SAM stack's, created on the running moto server."""

    def __init__(self, prefix: str = "khabar-local", max_receives: int = 3) -> None:
        import boto3

        self.s3 = boto3.client("s3")
        self.sqs = boto3.client("sqs")
        self.raw_bucket = f"{prefix}-raw"
        self.lake_bucket = f"{prefix}-lake"
        for b in (self.raw_bucket, self.lake_bucket):
            self.s3.create_bucket(Bucket=b)
        self.s3.put_bucket_versioning(Bucket=self.raw_bucket, VersioningConfiguration={"Status": "Enabled"})
        self.dlq_url = self.sqs.create_queue(QueueName=f"{prefix}-extract-dlq")["QueueUrl"]
        self.dlq_arn = self._arn(self.dlq_url)
        self.queue_url = self.sqs.create_queue(
            QueueName=f"{prefix}-extract",
            Attributes={
                "VisibilityTimeout": "1",
                "RedrivePolicy": json.dumps({"deadLetterTargetArn": self.dlq_arn, "maxReceiveCount": max_receives}),
            },
        )["QueueUrl"]
        self.queue_arn = self._arn(self.queue_url)
        self.s3.put_bucket_notification_configuration(
            Bucket=self.raw_bucket,
            NotificationConfiguration={
                "QueueConfigurations": [{"QueueArn": self.queue_arn, "Events": ["s3:ObjectCreated:*"]}]
            },
        )
        self.lake_uri = f"s3://{self.lake_bucket}"
        os.environ["LAKE_URI"] = self.lake_uri

    def _arn(self, url: str) -> str:
        return self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]

    def upload(self, key: str, data: bytes) -> None:
        self.s3.put_object(Bucket=self.raw_bucket, Key=key, Body=data)

    def receive(self, max_messages: int = 10, wait: int = 0) -> list[dict[str, Any]]:
        return self.sqs.receive_message(
            QueueUrl=self.queue_url, MaxNumberOfMessages=max_messages, WaitTimeSeconds=wait, AttributeNames=["All"]
        ).get("Messages", [])

    def drain(
        self, handler: Callable[[dict[str, Any], Any], dict[str, Any]], batch_size: int = 10, max_rounds: int = 1000
    ) -> dict[str, int]:
        """Poll the queue and invoke `handler` like Lambda's SQS event source: delete the messages
        that succeeded, leave failed ones to become visible again (and reach the DLQ)."""
        stats = {"invocations": 0, "messages": 0, "failed": 0}
        empty_rounds = 0
        for _ in range(max_rounds):
            msgs = self.receive(batch_size)
            if not msgs:
                empty_rounds += 1
                if empty_rounds >= 3 and self.in_flight() == 0:
                    break
                import time

                time.sleep(0.5)
                continue
            empty_rounds = 0
            try:
                resp = handler(sqs_event(msgs, self.queue_arn), FakeContext())
                failed = {f["itemIdentifier"] for f in resp.get("batchItemFailures", [])}
            except Exception:  # an invocation error: Lambda returns every message of the batch
                failed = {m["MessageId"] for m in msgs}
            stats["invocations"] += 1
            stats["messages"] += len(msgs)
            stats["failed"] += len(failed)
            done = [m for m in msgs if m["MessageId"] not in failed]
            for i in range(0, len(done), 10):
                self.sqs.delete_message_batch(
                    QueueUrl=self.queue_url,
                    Entries=[
                        {"Id": str(j), "ReceiptHandle": m["ReceiptHandle"]} for j, m in enumerate(done[i : i + 10])
                    ],
                )
        return stats

    def in_flight(self) -> int:
        attrs = self.sqs.get_queue_attributes(
            QueueUrl=self.queue_url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return int(attrs["ApproximateNumberOfMessages"]) + int(attrs["ApproximateNumberOfMessagesNotVisible"])

    def dlq_messages(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        while True:
            got = self.sqs.receive_message(QueueUrl=self.dlq_url, MaxNumberOfMessages=10, VisibilityTimeout=30).get(
                "Messages", []
            )
            if not got:
                return out
            out.extend(got)
