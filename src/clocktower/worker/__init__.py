"""Background jobs: enqueue in the caller's transaction, run by the runner, on schedules."""

from clocktower.worker.queue import enqueue_job
from clocktower.worker.registry import IOJobContext, JobContext, io_job, job, periodic

__all__ = ["IOJobContext", "JobContext", "enqueue_job", "io_job", "job", "periodic"]
