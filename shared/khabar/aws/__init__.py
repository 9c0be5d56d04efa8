"""AWS adapters: S3 event payloads, reading an uploaded object, and operator commands (redrive,
reprocess)."""
