"""The S3 side of processing an upload: fetch the object (with retries), then run the pipeline."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from botocore.config import Config
from botocore.exceptions import ClientError

from khabar.config import Limits
from khabar.lake.store import Lake
from khabar.models import Ledger, Upload
from khabar.pipeline import process_upload

__all__ = ["process_object", "s3_client", "RETRY_CONFIG"]

# Transient S3 errors (throttling, 5xx, connection resets) are retried with exponential backoff.
RETRY_CONFIG = Config(retries={"mode": "standard", "max_attempts": 6}, connect_timeout=5, read_timeout=30)


def s3_client() -> Any:
    import boto3

    return boto3.client("s3", config=RETRY_CONFIG)


def process_object(ref: Upload, s3: Any, lake: Lake, limits: Limits | None = None) -> Ledger | None:
    """Process the object's current content (the ledger records its etag, version and size, not the
    notification's). Returns None when the object no longer exists."""
    try:
        obj = s3.get_object(Bucket=ref.bucket, Key=ref.key)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
            return None  # deleted since the notification: nothing to process
        raise
    upload = replace(
        ref,
        etag=obj.get("ETag", "").strip('"'),
        version=obj.get("VersionId"),
        size=int(obj.get("ContentLength", 0)),
        modified=obj.get("LastModified"),
    )
    with obj["Body"] as body:
        return process_upload(upload, body, lake, limits)
