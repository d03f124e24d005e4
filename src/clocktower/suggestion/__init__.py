"""Time entry suggestions (S3.8, seed 002 ai/suggest): deterministic, from recent work."""
