"""A batch's per-file work on a Dask cluster (`award batch --executor dask [--scheduler ADDRESS]`).

The coordinator (this process) keeps everything that must be central and ordered: it reads each file (the files are
where the staff member runs the command), registers in path order, stores each result as it comes back, runs the
rules across applications over the small `fields` of each report and writes every output. The workers receive only
bytes and return only small results:

- a check is a task carrying the bytes of a few files (not their paths: the workers need no shared file system,
  and a retried task carries everything it needs; a few per task, so Dask's cost per task is paid once for them);
  it returns each report and the locations the rules across applications quote;
- an annotated copy is a task carrying the file's bytes and its final report, a return letter one carrying the
  report; each returns the document's bytes, which the coordinator writes atomically into the output folder.

The call folder is shipped once to every worker (a worker plugin, also to workers that join later) and loaded there
once: the workers need the package (and LibreOffice for .doc files), not a copy of the call.

At most a few tasks per worker thread are in flight: the scheduler never holds the round's bytes, and results are
consumed in path order as they come (those that finish early wait in that small window), so an interrupted run
resumes like a local one. A worker that dies has its tasks rerun elsewhere by the scheduler; a file whose tasks kill
three workers is reported unread rather than stopping the round.
"""

from __future__ import annotations

import collections
import contextlib
import logging
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.calls import Call, load_call
from pipeline.errors import PipelineError
from pipeline.ingest.sources import Source

try:
    from distributed import WorkerPlugin
except ImportError:  # the optional extra is not installed: DaskWorkers says so when asked for
    WorkerPlugin = object  # type: ignore[misc,assignment]

CALL_FOLDER_MAX_BYTES = 64 * 2**20  # a call folder is a YAML, a schema and a few templates
CHUNK_FILES = 8  # files per check task, at most


class ClusterError(PipelineError):
    """The cluster cannot be started, reached or used (the message says which and what to do)."""


def call_files(folder: Path) -> dict[str, bytes]:
    """The call folder's files by relative path (what a worker plugin carries)."""
    files: dict[str, bytes] = {}
    total = 0
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(folder).parts):
            files[path.relative_to(folder).as_posix()] = data = path.read_bytes()
            total += len(data)
    if total > CALL_FOLDER_MAX_BYTES:
        raise ClusterError(f"申报批次文件夹 {folder} 超过 {CALL_FOLDER_MAX_BYTES // 2**20} MB，无法分发给各计算节点",
                           f"the call folder {folder} is over {CALL_FOLDER_MAX_BYTES // 2**20} MB: too big to send "
                           "to the workers")
    return files


class CallOnWorker(WorkerPlugin):  # type: ignore[misc,valid-type,unused-ignore]
    """Writes the call folder into the worker's temporary space and loads it once (warm, as a pool worker)."""

    def __init__(self, name: str, files: dict[str, bytes], use_call: Callable[[Call], None]) -> None:
        self.name, self.files, self.use_call = name, files, use_call
        self.folder: Path | None = None

    def setup(self, worker: Any) -> None:
        root = Path(tempfile.mkdtemp(prefix="award-call-"))
        self.folder = root / self.name
        for rel, data in self.files.items():
            target = self.folder / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        self.use_call(load_call(self.folder))

    def teardown(self, worker: Any) -> None:
        if self.folder is not None:
            shutil.rmtree(self.folder.parent, ignore_errors=True)


@dataclass(frozen=True)
class Tasks:
    """What the batch gives its Dask executor (the batch owns the per-file step; this module only the cluster):
    `read(source, call)` the bytes here (or the unread report); `check(sha, source, data)`, `document(job, lang,
    data)` the tasks (module-level functions, run on a worker); `lost(source, call, error)` the report of a file
    whose tasks kept killing workers; `use_call(call)` a worker's set-up; `version` the call's cache version."""

    read: Callable[[Source, Call], Any]
    check: Callable[..., Any]
    document: Callable[..., Any]
    lost: Callable[[Source, Call, BaseException], dict[str, Any]]
    use_call: Callable[[Call], None]
    version: str


class DaskWorkers:
    """The batch's executor on Dask: a LocalCluster of `jobs` single-threaded worker processes (default: one per
    core) started on first use, or the cluster at `scheduler`."""

    def __init__(self, call: Call, tasks: Tasks, jobs: int | None = None, scheduler: str | None = None) -> None:
        self.call, self.tasks, self.jobs, self.scheduler = call, tasks, jobs, scheduler
        self._client: Any = None
        self._cluster: Any = None
        self.threads = 1

    def _start(self) -> Any:
        if self._client is not None:
            return self._client
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise ClusterError("未安装 Dask：请运行 pip install 'award-pipeline[dask]'",
                               "Dask is not installed: pip install 'award-pipeline[dask]'") from None
        try:
            if self.scheduler:
                self._client = Client(self.scheduler, timeout="20s")
                self._client.wait_for_workers(1, timeout=120)
            else:
                with _workers_ignore_ctrl_c():
                    self._cluster = LocalCluster(n_workers=self.jobs or os.cpu_count() or 1, threads_per_worker=1,
                                                 processes=True, dashboard_address=None, silence_logs=logging.ERROR)
                self._client = Client(self._cluster)
        except (OSError, TimeoutError) as e:
            self.close(False)
            where = self.scheduler or "LocalCluster"
            raise ClusterError(f"无法连接 Dask 调度器 {where}（{type(e).__name__}）："
                               "请确认地址正确、调度器已启动，且至少有一个计算节点已加入",
                               f"cannot reach the Dask scheduler {where} ({type(e).__name__}): check the address, "
                               "that the scheduler runs and that at least one worker has joined") from None
        name = self.call.folder.name
        self._client.register_plugin(CallOnWorker(name, call_files(self.call.folder), self.tasks.use_call),
                                     name=f"award-call-{name}-{self.tasks.version}")
        self.threads = max(1, sum(self._client.nthreads().values()))
        return self._client

    def _ordered(self, items: Iterable[Any], submit: Callable[[Any, Any], Any],
                 done: Callable[[Any, Any], Any]) -> Iterator[Any]:
        """done(item, submit(client, item)) for each item, in the items' order, with at most a few items per
        worker thread submitted ahead (the window): the scheduler never holds the round's bytes."""
        client = self._start()
        window = max(8, 4 * self.threads)
        pending: collections.deque[tuple[Any, Any]] = collections.deque()
        items = iter(items)
        while True:
            while len(pending) < window:
                item = next(items, _END)
                if item is _END:
                    break
                pending.append((item, submit(client, item)))
            if not pending:
                return
            yield done(*pending.popleft())

    def checks(self, todo: Sequence[tuple[str, Source]]) -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
        call, tasks = self.call, self.tasks
        # a task checks a few files: Dask's own cost per task (a few ms on the scheduler, the client and the worker)
        # is then paid per several files, while every worker still gets many tasks to balance the load
        size = max(1, min(CHUNK_FILES, len(todo) // (8 * max(self.threads, 1))))
        chunks = [todo[k:k + size] for k in range(0, len(todo), size)]

        def submit(client: Any, chunk: Sequence[tuple[str, Source]]) -> tuple[dict[int, Any], Any]:
            here: dict[int, Any] = {}
            sent: list[tuple[str, Source, bytes]] = []
            for k, (sha, source) in enumerate(chunk):
                data = tasks.read(source, call)
                if isinstance(data, dict):  # unreadable here: its report, no task
                    here[k] = (sha, data, {})
                else:
                    sent.append((sha, source, data))
            return here, (client.submit(tasks.check, sent, pure=False) if sent else None)

        def done(chunk: Sequence[tuple[str, Source]], handle: tuple[dict[int, Any], Any]) -> list[Any]:
            here, future = handle
            checked: list[Any] = []
            if future is not None:
                try:
                    checked = future.result()
                except _worker_lost() as e:
                    checked = [(sha, tasks.lost(source, call, e), {}) for k, (sha, source) in enumerate(chunk)
                               if k not in here]
                finally:
                    future.release()
            them = iter(checked)
            return [here[k] if k in here else next(them) for k in range(len(chunk))]

        for results in self._ordered(chunks, submit, done):
            yield from results

    def documents(self, docs: Sequence[Any], lang: str) -> Iterator[Any]:
        from pipeline.fileio import output_dir, write_bytes
        from pipeline.ingest.sources import read_source
        from pipeline.report.summary import make_document

        call = self.call

        def submit(client: Any, job: Any) -> Any:
            data = None
            if job.kind == "annotated":
                try:
                    data = read_source(job.row.source, call.file.max_bytes)
                except (OSError, ValueError):
                    return ("here", make_document(job, call, lang))  # the same note a local run writes
                if data is None or len(data) > call.file.max_bytes:
                    return ("here", None)  # too big for a copy: none, as locally
            return client.submit(self.tasks.document, job, lang, data, pure=False)

        def done(job: Any, future: Any) -> Any:
            if isinstance(future, tuple):
                return future[1]
            try:
                problem, made = future.result()
            except _worker_lost() as e:
                problem, made = (f"文书未能生成（{type(e).__name__}），请人工处理",
                                 f"the document could not be made ({type(e).__name__}); handle it by hand"), None
            finally:
                future.release()
            if made is not None:
                write_bytes(output_dir(job.target.parent) / job.target.name, made)
            else:
                job.target.unlink(missing_ok=True)
            return problem

        return self._ordered(docs, submit, done)

    def close(self, ok: bool) -> None:
        """Disconnect; stop the LocalCluster this run started (a cluster at an address keeps running)."""
        client, cluster = self._client, self._cluster
        self._client = self._cluster = None
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()


_END = object()


@contextlib.contextmanager
def _workers_ignore_ctrl_c() -> Iterator[None]:
    """Start the LocalCluster's processes with Ctrl-C ignored (they inherit it, their restarts too): the terminal
    sends it to the whole process group, and the interrupt is the coordinator's to handle (it stops the cluster);
    without this each worker prints a KeyboardInterrupt traceback."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    before = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, before)


def _worker_lost() -> tuple[type[BaseException], ...]:
    from distributed import KilledWorker

    return (KilledWorker,)

