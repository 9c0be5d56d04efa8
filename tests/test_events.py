"""Event payloads: S3 notifications inside SQS, the S3 test event, EventBridge."""

from __future__ import annotations

import json

import pytest

from conftest import EVENTS
from khabar.aws.events import EventError, refs_from_message
from khabar.models import Upload


def test_s3_notification_in_sqs_decodes_the_key() -> None:
    event = json.loads((EVENTS / "sqs_s3_put.json").read_text())
    put, test_event = (r["body"] for r in event["Records"])
    assert refs_from_message(put) == [
        Upload(
            "khabar-raw",
            "incoming/2026/gulf trade=1.jsonl",
            "d41d8cd98f00b204e9800998ecf8427e",
            "096fKKXTRTtl3on89fVO.nfljtsv6qko",
            1024,
        )
    ]
    assert refs_from_message(test_event) == []


def test_eventbridge_object_created() -> None:
    doc = json.loads((EVENTS / "eventbridge_object_created.json").read_text())
    [ref] = refs_from_message(doc)
    assert ref.key == "incoming/batch 7.jsonl.gz" and ref.version == "IYV3p45BhZA2c6B5wX5CqtMY7cz1e1Nr"


def test_deletions_are_ignored() -> None:
    body = {
        "Records": [
            {
                "eventSource": "aws:s3",
                "eventName": "ObjectRemoved:Delete",
                "s3": {"bucket": {"name": "b"}, "object": {"key": "k"}},
            }
        ]
    }
    assert refs_from_message(json.dumps(body)) == []


@pytest.mark.parametrize("body", ["not json", "[1, 2]", '{"hello": "world"}'])
def test_poison_messages_raise(body: str) -> None:
    with pytest.raises(EventError):
        refs_from_message(body)
