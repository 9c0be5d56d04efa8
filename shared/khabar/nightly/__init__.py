"""The nightly job (`job.run_nightly`): the day's summaries, optional compaction and the report.

job      run_nightly / report_day, target_day, the Engine and Publisher protocols
athena   AthenaEngine (UNLOAD + verified swap) and AthenaRunner, in AWS
local    LocalEngine (sqlglot → DuckDB, replace the partition), `khabar aggregate` / `khabar report`
publish  S3Publisher (S3 + presigned link + SNS) and FolderPublisher (a folder)
report   the report of a day, rendered from the lake; trends from the SQL views (trends)
"""
