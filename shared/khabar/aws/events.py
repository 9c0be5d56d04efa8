"""Event payloads to the uploads they announce: S3 notifications (inside SQS, maybe via SNS) and
EventBridge events. The etag/version/size an event carries describe the object as notified; the
ingest step replaces them with those of the content it actually reads."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote_plus

from aws_lambda_powertools.utilities.data_classes import S3Event

from khabar.models import Upload

__all__ = ["refs_from_message", "EventError"]


class EventError(ValueError):
    """A message that is not an event we understand (poison: it goes to the DLQ)."""


def refs_from_message(body: str | dict[str, Any]) -> list[Upload]:
    """Objects created according to one SQS message body. `s3:TestEvent` and deletions yield []."""
    try:
        doc = json.loads(body) if isinstance(body, str) else body
    except json.JSONDecodeError as exc:
        raise EventError(f"message body is not JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise EventError("message body is not a JSON object")
    if doc.get("Event") == "s3:TestEvent":
        return []
    if "Message" in doc and doc.get("Type") == "Notification":  # delivered through SNS
        return refs_from_message(doc["Message"])
    if doc.get("source") == "aws.s3" and "detail" in doc:  # EventBridge "Object Created"
        if doc.get("detail-type") != "Object Created":
            return []
        d = doc["detail"]
        obj = d.get("object", {})
        return [
            Upload(d["bucket"]["name"], obj["key"], obj.get("etag", ""), obj.get("version-id"), int(obj.get("size", 0)))
        ]
    if "Records" not in doc:
        raise EventError("neither an S3 notification nor an EventBridge S3 event")
    refs = []
    for rec in S3Event(doc).records:
        if not rec.event_name.startswith("ObjectCreated"):
            continue
        obj = rec.s3.get_object
        # S3 notifications URL-encode keys ('+' for space, %2F for '/').
        refs.append(
            Upload(rec.s3.bucket.name, unquote_plus(obj.key), obj.etag or "", obj.version_id, int(obj.size or 0))
        )
    return refs
