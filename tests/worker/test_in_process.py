"""`serve` runs the job runner inside the app: its lifespan starts and stops it."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from fastapi import FastAPI
from pydantic import BaseModel

from clocktower.db import Database, DbSession
from clocktower.main import create_app
from clocktower.worker import enqueue_job
from tests.conftest import test_settings as settings_for
from tests.worker.conftest import Jobs
from tests.worker.jobs_for_tests import RECORD

pytestmark = pytest.mark.committing


class Enqueued(BaseModel):
    job_id: int


def app_with_job_route(url: str, *, run_jobs_in_process: bool) -> FastAPI:
    """The real app, plus a route that enqueues a test job in the request's transaction."""
    settings = settings_for(url).model_copy(
        update={"run_jobs_in_process": run_jobs_in_process, "job_poll_interval_seconds": 0.05}
    )
    app = create_app(settings, Database(url))

    @app.post("/_tests/jobs")
    async def enqueue_test_job(session: DbSession) -> Enqueued:
        job = await enqueue_job(session, RECORD, source="request")
        return Enqueued(job_id=job.id)

    return app


async def wait_for_status(jobs: Jobs, job_id: int, status: str, within: float = 15) -> str:
    deadline = asyncio.get_running_loop().time() + within
    current = (await jobs.get(job_id)).status
    while current != status and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.05)
        current = (await jobs.get(job_id)).status
    return current


class TestInProcessRunner:
    async def test_job_enqueued_by_a_request_gets_done(self, committing_database: Database) -> None:
        app = app_with_job_route(committing_database.url, run_jobs_in_process=True)
        jobs = Jobs(committing_database)

        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                response = await client.post("/_tests/jobs")
                assert response.status_code == 200
                job_id = response.json()["job_id"]

                assert await wait_for_status(jobs, job_id, "done") == "done"

        assert await jobs.runs_of(job_id) == 1

    async def test_without_in_process_runner_the_job_waits_for_a_worker(
        self, committing_database: Database
    ) -> None:
        app = app_with_job_route(committing_database.url, run_jobs_in_process=False)
        jobs = Jobs(committing_database)

        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                job_id = (await client.post("/_tests/jobs")).json()["job_id"]
                await asyncio.sleep(0.3)

        assert not hasattr(app.state, "job_runner")
        assert (await jobs.get(job_id)).status == "queued"
