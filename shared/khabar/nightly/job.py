"""The nightly job in AWS (behind functions/aggregate): summaries on Athena, optional compaction,
the report to `reports/dt=D/` and a short SNS message with its link."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from khabar import sql
from khabar.lake.schema import SUMMARY_TABLES
from khabar.lake.store import Lake, safe_dt
from khabar.nightly.athena import AthenaRunner, split_s3_uri, write_partition

__all__ = ["NightlyConfig", "target_day", "run_nightly"]

_CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "json": "application/json; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
}
# S3 caps presigned links at 7 days; signed with the function role's temporary credentials a
# link stops working when those expire (hours), so the message also carries the s3:// location.
LINK_SECONDS = 7 * 24 * 3600


@dataclass(frozen=True, slots=True)
class NightlyConfig:
    lake_uri: str
    workgroup: str
    database: str
    reports_uri: str
    topic_arn: str | None = None
    compact: bool = False

    @classmethod
    def from_env(cls) -> NightlyConfig:
        return cls(
            lake_uri=os.environ["LAKE_URI"],
            workgroup=os.environ.get("ATHENA_WORKGROUP", "primary"),
            database=os.environ["ATHENA_DATABASE"],
            reports_uri=os.environ["REPORTS_URI"],
            topic_arn=os.environ.get("REPORT_TOPIC_ARN") or None,
            compact=os.environ.get("COMPACT", "") in ("1", "true", "yes"),
        )


def target_day(event: dict[str, Any] | None, now: datetime | None = None) -> str:
    """The event's "date" (a manual run), else the day before the schedule's time (EventBridge
    Scheduler's `scheduled_time` input, or a scheduled event's `time`), else yesterday in UTC."""
    event = event or {}
    day = event.get("date")
    if day:
        return safe_dt(str(day))
    stamp = event.get("scheduled_time") or event.get("time")
    if stamp:
        now = datetime.fromisoformat(str(stamp).replace("Z", "+00:00"))
    return ((now or datetime.now(UTC)).astimezone(UTC).date() - timedelta(days=1)).isoformat()


def run_nightly(
    day: str, cfg: NightlyConfig, *, athena: Any = None, s3: Any = None, sns: Any = None, sleep: Any = None
) -> dict[str, Any]:
    import boto3

    from khabar.nightly.report import write_report

    safe_dt(day)
    s3 = s3 or boto3.client("s3")
    runner = AthenaRunner(
        athena or boto3.client("athena"),
        workgroup=cfg.workgroup,
        database=cfg.database,
        **({"sleep": sleep} if sleep else {}),
    )
    written = [
        write_partition(runner, s3, cfg.lake_uri, t, day, sql.load("summaries", t)) for t in SUMMARY_TABLES
    ]
    lake = Lake.open(cfg.lake_uri)
    compacted = None
    if cfg.compact:
        from khabar.lake.compaction import compact_day

        compacted = {t: r.files_after for t, r in compact_day(lake, day).items()}

    bucket, prefix = split_s3_uri(cfg.reports_uri)
    key_base = f"{prefix}/dt={day}/" if prefix else f"dt={day}/"
    with tempfile.TemporaryDirectory() as tmp:
        paths = write_report(lake, day, Path(tmp))
        keys = {}
        for kind, path in paths.items():
            keys[kind] = key_base + path.name
            s3.put_object(
                Bucket=bucket, Key=keys[kind], Body=path.read_bytes(), ContentType=_CONTENT_TYPES[kind]
            )
    link = s3.generate_presigned_url(
        "get_object", Params={"Bucket": bucket, "Key": keys["html"]}, ExpiresIn=LINK_SECONDS
    )
    message_id = None
    if cfg.topic_arn:
        sns = sns or boto3.client("sns")
        where = f"s3://{bucket}/{keys['html']}"
        text = f"khabar nightly report {day}\n{link}\n({where}; the link is presigned and expires)"
        sent = sns.publish(TopicArn=cfg.topic_arn, Subject=f"khabar report {day}", Message=text)
        message_id = sent["MessageId"]
    return {
        "dt": day,
        "queries": [w["query_id"] for w in written],
        "report": f"s3://{bucket}/{keys['html']}",
        "link": link,
        "message_id": message_id,
        "compacted": compacted,
    }
