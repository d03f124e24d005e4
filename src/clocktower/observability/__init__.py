"""Prometheus metrics for requests and jobs."""
