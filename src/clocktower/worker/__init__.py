"""Background jobs: enqueue in the caller's transaction, run by the runner, on schedules."""

from clocktower.worker.queue import enqueue_job
from clocktower.worker.registry import JobContext, job, periodic

__all__ = ["JobContext", "enqueue_job", "job", "periodic"]
