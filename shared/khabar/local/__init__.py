"""The embedded default: moto's server as S3/SQS, the demo and the benchmark. Development only:
not in the Lambda layer."""
