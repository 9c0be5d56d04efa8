"""Where the nightly report goes: `S3Publisher` (AWS: `reports/dt=D/`, a presigned link, an SNS
notice) or `FolderPublisher` (locally: the files in a folder)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from khabar.lake.layout import safe_dt
from khabar.nightly.job import Published
from khabar.nightly.report import ReportFile, write_files

__all__ = ["S3Publisher", "FolderPublisher", "split_s3_uri", "LINK_SECONDS"]

# S3 caps presigned links at 7 days; signed with the function role's temporary credentials a
# link stops working when those expire (hours), so the message also carries the s3:// location.
LINK_SECONDS = 7 * 24 * 3600


def split_s3_uri(uri: str) -> tuple[str, str]:
    """'s3://bucket/a/b/' → ('bucket', 'a/b') (prefix without slashes at either end)."""
    if not uri.startswith("s3://"):
        raise ValueError(f"not an s3:// URI: {uri!r}")
    bucket, _, prefix = uri[5:].partition("/")
    return bucket, prefix.strip("/")


class FolderPublisher:
    """The report files in one folder (created if missing)."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def publish(self, day: str, files: Mapping[str, ReportFile]) -> Published:
        paths = write_files(files, self.folder)
        return Published({kind: str(p.resolve()) for kind, p in paths.items()})


class S3Publisher:
    """The report files under `<reports_uri>/dt=<day>/`, a presigned link to index.html and, with a
    topic, a short SNS message carrying both."""

    def __init__(self, reports_uri: str, s3: Any = None, sns: Any = None, topic_arn: str | None = None) -> None:
        self.bucket, self.prefix = split_s3_uri(reports_uri)
        self.s3, self.sns, self.topic_arn = s3, sns, topic_arn

    def _client(self, name: str) -> Any:
        if getattr(self, name) is None:
            import boto3

            setattr(self, name, boto3.client(name))
        return getattr(self, name)

    def publish(self, day: str, files: Mapping[str, ReportFile]) -> Published:
        s3 = self._client("s3")
        # Reports are not lake tables; their folders only share the dt=D naming.
        base = f"{self.prefix}/dt={safe_dt(day)}/" if self.prefix else f"dt={safe_dt(day)}/"
        keys = {kind: base + f.name for kind, f in files.items()}
        for kind, f in files.items():
            s3.put_object(Bucket=self.bucket, Key=keys[kind], Body=f.body, ContentType=f.content_type)
        link = s3.generate_presigned_url(
            "get_object", Params={"Bucket": self.bucket, "Key": keys["html"]}, ExpiresIn=LINK_SECONDS
        )
        where = f"s3://{self.bucket}/{keys['html']}"
        message_id = None
        if self.topic_arn:
            text = f"khabar nightly report {day}\n{link}\n({where}; the link is presigned and expires)"
            sent = self._client("sns").publish(TopicArn=self.topic_arn, Subject=f"khabar report {day}", Message=text)
            message_id = sent["MessageId"]
        return Published({kind: f"s3://{self.bucket}/{k}" for kind, k in keys.items()}, link, message_id)
