"""functions/aggregate against moto's server: S3 lake and reports, Athena call sequence, SNS link."""

from __future__ import annotations

import json
import re
import urllib.request
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from botocore.stub import Stubber

import aggregate_lake as gen
from khabar import sql
from khabar.lake import compaction
from khabar.lake.query import LocalAthena
from khabar.lake.schema import SUMMARY_TABLES, schema
from khabar.lake.store import Lake, upload_stem
from khabar.local.aws import FakeContext, load_handler, moto_server
from khabar.nightly import trends
from khabar.nightly.athena import AthenaEngine, AthenaQueryError, AthenaRunner, StagedOutputError
from khabar.nightly.job import target_day
from khabar.nightly.local import LocalEngine
from khabar.nightly.report import render_report

DAY = gen.DAYS[1]
LAKE, REPORTS = "khabar-test-lake", "khabar-test-reports"
_TO = re.compile(r"^UNLOAD \((?P<select>.*)\)\nTO 's3://(?P<bucket>[^/]+)/(?P<prefix>[^']+)'", re.S)


class UnloadingAthena:
    """moto's Athena client, plus what real Athena does for UNLOAD: it writes the SELECT's rows as
    Parquet under the TO location (here computed by the local engine, with Athena-style names)."""

    def __init__(self, client: Any, lake_uri: str) -> None:
        self.client, self.lake_uri = client, lake_uri
        self.calls: list[dict[str, Any]] = []

    def start_query_execution(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(kwargs)
        m = _TO.match(kwargs["QueryString"])
        if m:
            params = [_value(p) for p in kwargs.get("ExecutionParameters", [])]
            lake = Lake.open(self.lake_uri)
            if '"$path"' in m["select"]:  # the compaction SQL: Athena's hidden column and the control table
                engine = LocalAthena(lake, paths=True)
                engine.register_folder(
                    compaction.CONTROL_TABLE,
                    compaction.control_location(lake),
                    compaction.CONTROL_SCHEMA,
                    ("dt",),
                )
            else:
                engine = LocalAthena(lake)
            if "partitioned_by = ARRAY['bucket']" in kwargs["QueryString"]:
                # Athena's own column types (here DuckDB's), one folder per bucket
                engine.unload(m["select"], params, f"{m['bucket']}/{m['prefix'].rstrip('/')}", partitioned_by="bucket")
                return self.client.start_query_execution(**kwargs)
            data = engine.arrow(m["select"], params)
            if data.num_rows:
                s3 = boto3.client("s3")
                sink = pa.BufferOutputStream()
                pq.write_table(data, sink)
                s3.put_object(
                    Bucket=m["bucket"],
                    Key=f"{m['prefix']}20261128_000000_00001_abcde_0000",
                    Body=sink.getvalue().to_pybytes(),
                )
        return self.client.start_query_execution(**kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)


def _value(literal: str) -> Any:
    """An ExecutionParameter back as the value it quotes (what Athena substitutes)."""
    return literal[1:-1].replace("''", "'") if literal.startswith("'") else int(literal)


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    with moto_server() as url:
        urllib.request.urlopen(urllib.request.Request(f"{url}/moto-api/reset", method="POST"))  # fresh state
        s3 = boto3.client("s3")
        for b in (LAKE, REPORTS):
            s3.create_bucket(Bucket=b)
        boto3.client("athena").create_work_group(
            Name="khabar",
            Configuration={"ResultConfiguration": {"OutputLocation": f"s3://{REPORTS}/athena-results/"}},
        )
        sns, sqs = boto3.client("sns"), boto3.client("sqs")
        topic = sns.create_topic(Name="khabar-reports")["TopicArn"]
        q = sqs.create_queue(QueueName="report-inbox")["QueueUrl"]
        q_arn = sqs.get_queue_attributes(QueueUrl=q, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=q_arn, Attributes={"RawMessageDelivery": "true"})
        for k, v in {
            "LAKE_URI": f"s3://{LAKE}",
            "ATHENA_WORKGROUP": "khabar",
            "ATHENA_DATABASE": "khabar_db",
            "REPORTS_URI": f"s3://{REPORTS}/reports",
            "REPORT_TOPIC_ARN": topic,
        }.items():
            monkeypatch.setenv(k, v)
        g = gen.build(f"s3://{LAKE}", days=gen.DAYS[:2])
        yield {"s3": s3, "sqs": sqs, "queue": q, "gen": g}


def test_handler_runs_the_night_on_athena_and_publishes_the_report(aws: dict[str, Any]) -> None:
    s3, lake = aws["s3"], aws["gen"].lake
    stale = f"entity_daily/dt={DAY}/part-summary-00003.parquet"  # left over from an older run
    s3.put_object(Bucket=LAKE, Key=stale, Body=b"old")
    other_day = sorted(lake.parts("articles", gen.DAYS[0]))
    athena = UnloadingAthena(boto3.client("athena"), f"s3://{LAKE}")
    app = load_handler("aggregate")
    app.clients.update({"athena": athena, "s3": s3})

    result = app.lambda_handler({"date": DAY}, FakeContext(function_name="khabar-aggregate"))

    # Athena: one UNLOAD per summary table, the SQL file's text with ? and the date as a parameter
    from moto.athena.models import athena_backends

    executions = athena_backends["123456789012"]["us-east-1"].executions
    assert result["queries"] == [e for e in executions if e in result["queries"]] and len(result["queries"]) == 4
    for table, qid in zip(SUMMARY_TABLES, result["queries"], strict=True):
        ex, stmt = executions[qid], sql.load("summaries", table)
        assert ex.query.startswith(f"UNLOAD ({stmt.sql})\nTO 's3://{LAKE}/_staging/{table}/dt={DAY}/")
        assert ex.execution_parameters == [f"'{DAY}'"] * len(stmt.params)
        assert ex.context == {"Database": "khabar_db"} and ex.workgroup.name == "khabar"
        assert DAY not in stmt.sql  # the value travels only as a parameter
    # ... then the report's: the trends (the SQL views' queries inlined), the rejects by reason and
    # the figures it lists, each with the date as a parameter
    assert [c["WorkGroup"] for c in athena.calls] == ["khabar"] * 7
    report_sql = [trends.statement(), sql.load("report", "rejects_by_reason"), sql.load("report", "figures_shown")]
    for call, stmt in zip(athena.calls[4:], report_sql, strict=True):
        assert call["QueryString"].startswith(f"UNLOAD ({stmt.sql})\nTO 's3://{LAKE}/_staging/{stmt.name}/dt={DAY}/")
        assert call["ExecutionParameters"] == [f"'{DAY}'"] * len(stmt.params)

    # S3: the day's summary partitions hold exactly what the SQL computes; staging and stale files gone
    engine = LocalAthena(lake)
    for table in SUMMARY_TABLES:
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket=LAKE, Prefix=f"{table}/dt={DAY}/").get("Contents", [])]
        assert keys == [f"{table}/dt={DAY}/part-summary-00000.parquet"]
        stmt = sql.load("summaries", table)
        assert (
            lake.read(table, DAY).to_pylist()
            == engine.arrow(stmt.sql, [DAY] * len(stmt.params)).cast(schema(table)).to_pylist()
        )
    assert "Contents" not in s3.list_objects_v2(Bucket=LAKE, Prefix="_staging/")
    assert sorted(lake.parts("articles", gen.DAYS[0])) == other_day
    assert lake.parts("entity_daily", gen.DAYS[0]) == []  # another day was not aggregated

    # the report in reports/dt=D/ and the SNS message with its link
    for name, ctype in [
        ("index.html", "text/html"),
        ("summary.json", "application/json"),
        ("figures.csv", "text/csv"),
    ]:
        head = s3.head_object(Bucket=REPORTS, Key=f"reports/dt={DAY}/{name}")
        assert head["ContentType"].startswith(ctype)
    summary = json.loads(s3.get_object(Bucket=REPORTS, Key=f"reports/dt={DAY}/summary.json")["Body"].read())
    assert summary["totals"]["articles"] == len(aws["gen"].day(DAY, "articles"))
    # the same report as the local engine makes of the same lake (trends included)
    assert summary == json.loads(render_report(lake, DAY, LocalEngine(lake))["json"].body)
    msgs = aws["sqs"].receive_message(QueueUrl=aws["queue"], WaitTimeSeconds=1).get("Messages", [])
    assert len(msgs) == 1 and f"reports/dt={DAY}/index.html" in msgs[0]["Body"] and result["link"] in msgs[0]["Body"]


def test_handler_defaults_to_yesterday_and_rejects_bad_dates() -> None:
    assert target_day({}, now=datetime(2026, 11, 29, 0, 30, tzinfo=UTC)) == "2026-11-28"
    assert target_day({"date": "2026-11-20"}) == "2026-11-20"
    with pytest.raises(ValueError):
        target_day({"date": "2026-11-20'; DROP TABLE x; --"})


def test_scheduler_input_fixes_the_day_even_when_retried_later() -> None:
    # GIVEN the template's Scheduler input (the scheduled time), delivered or retried at any time
    event = json.loads((Path(__file__).parent / "events" / "scheduler_nightly.json").read_text())
    # THEN the night summarised is the day before the schedule, not before the delivery
    assert target_day(event, now=datetime(2026, 11, 30, 0, 10, tzinfo=UTC)) == "2026-11-28"
    assert target_day({"time": "2026-11-29T02:00:00Z"}) == "2026-11-28"


# ---- the error path: FAILED / CANCELLED / timeout, with the query id and reason -----------------


def _stubbed(states: list[tuple[str, str | None]]) -> tuple[Any, Stubber]:
    client = boto3.client("athena", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    stub = Stubber(client)
    stub.add_response(
        "start_query_execution",
        {"QueryExecutionId": "q-123"},
        {
            "QueryString": "SELECT 1 WHERE ? = ?",
            "QueryExecutionContext": {"Database": "db"},
            "WorkGroup": "wg",
            "ExecutionParameters": ["'a'", "'b'"],
        },
    )
    for state, reason in states:
        status: dict[str, Any] = {"State": state}
        if reason:
            status["StateChangeReason"] = reason
        stub.add_response(
            "get_query_execution",
            {"QueryExecution": {"QueryExecutionId": "q-123", "Status": status}},
            {"QueryExecutionId": "q-123"},
        )
    stub.activate()
    return client, stub


@pytest.mark.parametrize("final", ["FAILED", "CANCELLED"])
def test_runner_fails_loudly_with_query_id_and_reason(final: str) -> None:
    client, stub = _stubbed(
        [
            ("QUEUED", None),
            ("RUNNING", None),
            ("RUNNING", None),
            (final, "SYNTAX_ERROR: line 1:8: Column 'x' cannot be resolved"),
        ]
    )
    sleeps: list[float] = []
    runner = AthenaRunner(client, workgroup="wg", database="db", sleep=sleeps.append)
    with pytest.raises(AthenaQueryError) as err:
        runner.run("SELECT 1 WHERE ? = ?", ["'a'", "'b'"])
    assert err.value.query_id == "q-123" and err.value.state == final
    assert "q-123" in str(err.value) and "cannot be resolved" in str(err.value)
    assert sleeps == [0.5, 1.0, 2.0]  # exponential backoff
    stub.assert_no_pending_responses()


def test_runner_times_out() -> None:
    client, _ = _stubbed([("RUNNING", None)] * 6)
    runner = AthenaRunner(
        client, workgroup="wg", database="db", sleep=lambda s: None, first_wait=1.0, max_wait=2.0, timeout=7.0
    )
    with pytest.raises(AthenaQueryError, match="q-123 TIMEOUT"):
        runner.run("SELECT 1 WHERE ? = ?", ["'a'", "'b'"])


def test_failed_query_leaves_the_partition_intact(aws: dict[str, Any]) -> None:
    s3 = aws["s3"]
    key = f"source_daily/dt={DAY}/part-summary-00000.parquet"
    s3.put_object(Bucket=LAKE, Key=key, Body=b"previous night")

    class Failing(UnloadingAthena):
        def get_query_execution(self, QueryExecutionId: str) -> dict[str, Any]:  # noqa: N803
            return {
                "QueryExecution": {
                    "QueryExecutionId": QueryExecutionId,
                    "Status": {"State": "FAILED", "StateChangeReason": "HIVE_CURSOR_ERROR"},
                }
            }

    app = load_handler("aggregate")
    app.clients.update({"athena": Failing(boto3.client("athena"), f"s3://{LAKE}"), "s3": s3})
    with pytest.raises(AthenaQueryError, match="HIVE_CURSOR_ERROR"):
        app.lambda_handler({"date": DAY}, FakeContext(function_name="khabar-aggregate"))
    assert s3.get_object(Bucket=LAKE, Key=key)["Body"].read() == b"previous night"


def test_unexpected_unload_output_leaves_the_partition_intact(aws: dict[str, Any]) -> None:
    # GIVEN a previous night's partition, and an UNLOAD whose files lack the table's columns
    s3 = aws["s3"]
    key = f"entity_daily/dt={DAY}/part-summary-00000.parquet"
    s3.put_object(Bucket=LAKE, Key=key, Body=b"previous night")

    class WrongColumns(UnloadingAthena):
        def start_query_execution(self, **kwargs: Any) -> dict[str, Any]:
            m = _TO.match(kwargs["QueryString"])
            assert m
            sink = pa.BufferOutputStream()
            pq.write_table(pa.table({"x": [1]}), sink)
            s3.put_object(Bucket=m["bucket"], Key=f"{m['prefix']}000", Body=sink.getvalue().to_pybytes())
            return self.client.start_query_execution(**kwargs)

    app = load_handler("aggregate")
    app.clients.update({"athena": WrongColumns(boto3.client("athena"), f"s3://{LAKE}"), "s3": s3})
    # THEN the night fails before the swap, the partition is as it was and staging is empty
    with pytest.raises(StagedOutputError, match="schema says"):
        app.lambda_handler({"date": DAY}, FakeContext(function_name="khabar-aggregate"))
    assert s3.get_object(Bucket=LAKE, Key=key)["Body"].read() == b"previous night"
    assert "Contents" not in s3.list_objects_v2(Bucket=LAKE, Prefix="_staging/")


# ---- compaction on Athena: UNLOAD by bucket, footers only in the Lambda ---------------------------


def _engine(athena: Any, lake: Lake, s3: Any) -> AthenaEngine:
    runner = AthenaRunner(athena, workgroup="khabar", database="khabar_db", sleep=lambda s: None)
    return AthenaEngine(runner, lake, s3)


def _objects(s3: Any, prefix: str) -> dict[str, bytes]:
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=LAKE, Prefix=prefix).get("Contents", [])]
    return {k: s3.get_object(Bucket=LAKE, Key=k)["Body"].read() for k in keys}


def _day_state(s3: Any, day: str) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    for t in compaction.COMPACT_TABLES:
        out.update(_objects(s3, f"{t}/dt={day}/"))
    return out


def _multiset(lake: Lake, table: str, day: str) -> Counter:
    return Counter(
        tuple(tuple(v) if isinstance(v, list) else v for v in r.values()) for r in lake.read(table, day).to_pylist()
    )


def test_compaction_on_athena_unloads_by_bucket_and_swaps_by_footers(aws: dict[str, Any]) -> None:
    s3, g = aws["s3"], aws["gen"]
    lake = g.lake
    before = {t: _multiset(lake, t, DAY) for t in compaction.COMPACT_TABLES}
    files_before = {t: len(lake.parts(t, DAY)) for t in compaction.COMPACT_TABLES}
    other_day = _day_state(s3, gen.DAYS[0])
    athena = UnloadingAthena(boto3.client("athena"), f"s3://{LAKE}")
    engine = _engine(athena, lake, s3)

    result = _compact_without_rows(lake, engine)

    for t in compaction.COMPACT_TABLES:
        assert _multiset(lake, t, DAY) == before[t]
        r = result[t]
        assert (r.files_before, r.files_after, r.rows) == (files_before[t], 1, sum(before[t].values()))
        assert len(r.queries) == 2
        objects = _objects(s3, f"{t}/dt={DAY}/")
        side = json.loads(objects[f"{t}/dt={DAY}/_compaction.json"])
        assert sorted(objects) == sorted(
            [f"{t}/dt={DAY}/{n}" for n in side["files"]] + [f"{t}/dt={DAY}/_compaction.json"]
        )
    # per table: a count, then the UNLOAD by bucket into the run's staging; values only as parameters
    unloads = [c for c in athena.calls if "partitioned_by" in c["QueryString"]]
    assert len(athena.calls) == 6 and len(unloads) == 3
    for table, call in zip(compaction.COMPACT_TABLES, unloads, strict=True):
        stmt = sql.load("compaction", table)
        assert call["QueryString"].startswith(f"UNLOAD ({stmt.sql})\nTO 's3://{LAKE}/_staging/{table}/dt={DAY}/")
        assert call["QueryString"].endswith("partitioned_by = ARRAY['bucket'])")
        params = dict(zip(stmt.params, call["ExecutionParameters"], strict=True))
        assert params["dt"] == f"'{DAY}'" and params["files"] == "1" and re.fullmatch(r"'[0-9a-f]{16}'", params["run"])
    assert not _objects(s3, "_staging/") and not _objects(s3, "_control/")
    assert _day_state(s3, gen.DAYS[0]) == other_day

    # a late re-processing of an upload (one article fewer) is absorbed without duplicates, on S3 paths
    m = g.day(DAY, "manifests")[0]
    stem = upload_stem(m["source_bucket"], m["source_key"])
    keep = [a["article_id"] for a in g.day(DAY, "articles") if a["source_key"] == m["source_key"]][1:]
    for table in compaction.COMPACT_TABLES:
        w = lake.writer(table, DAY, stem, 0)
        w.write_rows([r for r in g.day(DAY, table) if r["article_id"] in keep])
        w.close()
    dropped = next(a["article_id"] for a in g.day(DAY, "articles") if a["source_key"] == m["source_key"])
    again = _compact_without_rows(lake, engine)
    assert again["articles"].replaced == [stem]
    for t in compaction.COMPACT_TABLES:
        want = Counter(
            tuple(tuple(v) if isinstance(v, list) else v for v in r.values())
            for r in g.day(DAY, t)
            if r["article_id"] != dropped
        )
        assert _multiset(lake, t, DAY) == want


def _compact_without_rows(lake: Lake, engine: AthenaEngine) -> dict[str, compaction.TableCompaction]:
    """compact_day with every way of reading a compacted table's rows in this process forbidden."""
    real_read_table, real_lake_read = pq.read_table, Lake.read

    def no_rows(source: Any, *args: Any, **kwargs: Any) -> Any:
        # The UNLOADed count comes as a buffer; the day's manifests (one row per upload) are planned with.
        if not isinstance(source, pa.BufferReader) and any(f"/{t}/" in str(source) for t in compaction.COMPACT_TABLES):
            raise AssertionError(f"row data read in the Lambda: {source}")
        return real_read_table(source, *args, **kwargs)

    def no_lake_read(self: Lake, table: str, *args: Any, **kwargs: Any) -> Any:
        if table in compaction.COMPACT_TABLES:
            raise AssertionError(f"Lake.read({table!r}) in the Lambda")
        return real_lake_read(self, table, *args, **kwargs)

    def no_file_rows(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("ParquetFile rows read in the Lambda")

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(pq, "read_table", no_rows)
        mp.setattr(Lake, "read", no_lake_read)
        for method in ("read", "read_row_group", "read_row_groups", "iter_batches"):
            mp.setattr(pq.ParquetFile, method, no_file_rows)
        return compaction.compact_day(lake, DAY, engine)


def test_failed_compaction_query_on_athena_changes_nothing(aws: dict[str, Any]) -> None:
    # GIVEN a compacted day with a re-processed upload (live parts again)
    s3, g = aws["s3"], aws["gen"]
    lake = g.lake
    compaction.compact_day(lake, DAY, _engine(UnloadingAthena(boto3.client("athena"), f"s3://{LAKE}"), lake, s3))
    m = g.day(DAY, "manifests")[0]
    w = lake.writer("articles", DAY, upload_stem(m["source_bucket"], m["source_key"]), 0)
    w.write_rows([a for a in g.day(DAY, "articles") if a["source_key"] == m["source_key"]])
    w.close()
    before = _day_state(s3, DAY)

    class FailsAfterWriting(UnloadingAthena):
        """The UNLOAD writes part of its output, then the query FAILS (Athena keeps such files)."""

        def get_query_execution(self, QueryExecutionId: str) -> dict[str, Any]:  # noqa: N803
            ex = self.client.get_query_execution(QueryExecutionId=QueryExecutionId)
            if "partitioned_by" in ex["QueryExecution"]["Query"]:
                ex["QueryExecution"]["Status"] = {"State": "FAILED", "StateChangeReason": "HIVE_CURSOR_ERROR"}
            return ex

    engine = _engine(FailsAfterWriting(boto3.client("athena"), f"s3://{LAKE}"), lake, s3)
    with pytest.raises(AthenaQueryError, match="HIVE_CURSOR_ERROR"):
        compaction.compact_day(lake, DAY, engine)
    # THEN every file, name and sidecar is as it was; staging and control rows are gone
    assert _day_state(s3, DAY) == before
    assert not _objects(s3, "_staging/") and not _objects(s3, "_control/")


def test_handler_compacts_when_asked(aws: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    s3, lake = aws["s3"], aws["gen"].lake
    monkeypatch.setenv("COMPACT", "1")
    app = load_handler("aggregate")
    app.clients.update({"athena": UnloadingAthena(boto3.client("athena"), f"s3://{LAKE}"), "s3": s3})
    result = app.lambda_handler({"date": DAY}, FakeContext(function_name="khabar-aggregate"))
    assert result["compacted"] == dict.fromkeys(compaction.COMPACT_TABLES, 1)
    for t in compaction.COMPACT_TABLES:
        (name,) = [p.rsplit("/", 1)[1] for p in lake.parts(t, DAY)]
        assert name.startswith("part-compacted-")
    assert not _objects(s3, "_staging/") and not _objects(s3, "_control/")
