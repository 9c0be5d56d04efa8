"""The nightly job: the day's summaries (on Athena in AWS, on DuckDB locally), compaction and
the report."""
