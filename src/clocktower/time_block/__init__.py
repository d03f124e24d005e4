"""Time blocks (S3.4, seed 003): tracked time as a calendar sees it."""
