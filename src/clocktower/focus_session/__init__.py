"""Focus sessions (S3.3, seed 001): work sessions are tracked time, breaks never."""
