"""Customer focus (S3.7): the client each internal member is working for right now."""
