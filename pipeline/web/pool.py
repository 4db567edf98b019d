"""The web platform's check workers: long-lived processes started by a fork server (single-threaded, so each can
fork the per-file worker that holds a check to the call's time and memory limits), with a bounded queue in front."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from pipeline.batch import check_in_worker, init_check_worker, selfcheck_in_worker, submission_check_in_worker
from pipeline.calls import Call


class Busy(Exception):
    """Every worker is busy and the queue is full: ask the client to come back (503 with Retry-After)."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"busy; retry after {retry_after} s")
        self.retry_after = retry_after


def default_workers() -> int:
    """One check worker per CPU, at least one."""
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


class CheckPool:
    """At most `workers` checks at once and `queue` more waiting; beyond that, Busy at once."""

    def __init__(self, call: Call, workers: int | None = None, queue: int = 8) -> None:
        self.call = call
        self.workers = workers or default_workers()
        self.queue = queue
        self.pending = 0
        self._pool: ProcessPoolExecutor | None = None

    @property
    def capacity(self) -> int:
        """How many checks may be running or waiting."""
        return self.workers + self.queue

    def start(self) -> None:
        """Start the workers (each loads the call once and warms what a check needs)."""
        ctx = multiprocessing.get_context("forkserver")
        self._pool = ProcessPoolExecutor(self.workers, mp_context=ctx, initializer=init_check_worker,
                                         initargs=(str(self.call.folder),))

    def close(self) -> None:
        """Stop the workers; checks still waiting are cancelled."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def retry_after(self) -> int:
        """Seconds a refused client should wait: about one check's time limit per queued round."""
        return max(1, int(self.call.file.max_seconds * (self.pending // self.workers + 1) / 4))

    async def check(self, data: bytes, name: str) -> dict[str, Any]:
        """The file's report (as `award check --format json` gives it), checked in a worker; Busy when full."""
        report: dict[str, Any] = await self._run(check_in_worker, data, name)
        return report

    async def selfcheck(self, data: bytes, name: str, lang: str) -> tuple[dict[str, Any], bytes | None]:
        """The file's report and, for a .docx that can carry comments, its annotated copy; Busy when full."""
        done: tuple[dict[str, Any], bytes | None] = await self._run(selfcheck_in_worker, data, name, lang)
        return done

    async def submission(self, data: bytes, name: str, lang: str) -> tuple[dict[str, Any], bytes | None]:
        """A unit's upload checked for submission: {"report", "locations"} and the annotated copy; Busy when full."""
        done: tuple[dict[str, Any], bytes | None] = await self._run(submission_check_in_worker, data, name, lang)
        return done

    async def _run(self, fn: Callable[..., Any], *args: Any) -> Any:
        if self._pool is None:
            raise RuntimeError("the check pool is not started")
        if self.pending >= self.capacity:
            raise Busy(self.retry_after())
        self.pending += 1
        pool = self._pool
        try:
            return await asyncio.get_running_loop().run_in_executor(pool, fn, *args)
        except BrokenProcessPool:
            # a worker died (killed from outside, or a reader crashed in C): start fresh workers for the next
            # client and ask this one to send the file again
            if self._pool is pool:
                pool.shutdown(wait=False, cancel_futures=True)
                self.start()
            raise Busy(1) from None
        finally:
            self.pending -= 1
