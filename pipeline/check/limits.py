"""Checking one file within the call's limits: a forked worker with RLIMIT_AS and a wall-time deadline.

The limit reached is the file's one finding, file.too_complex; the batch and `award check` call check_limited."""

from __future__ import annotations

import faulthandler
import hashlib
import json
import os
import resource
import select
import signal
import time
from collections.abc import Callable

from pipeline.calls import Call
from pipeline.check import TOOL, check_bytes
from pipeline.check.codes import make
from pipeline.ingest.sniff import sniff
from pipeline.model import FileInfo, Report

_MEMORY = b'{"limit": "memory"}'


def limits_of(call: Call) -> tuple[float, int]:
    """The call's wall-time limit in seconds and memory limit in MB for checking one file."""
    return call.file.max_seconds, call.file.max_memory_mb


def too_complex(data: bytes, name: str, call: Call, what: str) -> Report:
    """The report of a file whose check reached a limit: `what` is "time" or "memory"."""
    seconds, mb = limits_of(call)
    if what == "time":
        zh, en = f"检查用时超过 {seconds:g} 秒", f"the check takes longer than {seconds:g} s"
    else:
        zh, en = f"检查所需内存超过 {mb} MB", f"the check needs more than {mb} MB of memory"
    info = FileInfo(path=name, sha256=hashlib.sha256(data).hexdigest(), format=sniff(data), bytes=len(data))
    return Report(tool=TOOL, call=call.id, file=info, fields={},
                  findings=(make("file.too_complex", call, reason_zh=zh, reason_en=en),))


def _address_space() -> int:
    """This process's mapped address space in bytes (what RLIMIT_AS counts)."""
    with open("/proc/self/statm", encoding="ascii") as fh:
        return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def _child(work: Callable[[], bytes], mb: int, w: int, mask: set[int | signal.Signals]) -> None:
    """In the forked worker: limit the address space to what it has plus the call's memory, work, send the bytes."""
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: no half report from here
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        # a reader that runs out of memory in C aborts: its dump is no message for the user (the parent reports it)
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 2)
        faulthandler.disable()
        limit = _address_space() + mb * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        try:
            payload = work()
        except MemoryError:
            payload = _MEMORY
        view = memoryview(payload)
        while view:
            view = view[os.write(w, view):]
    finally:
        os._exit(0)  # never run the parent's cleanup (atexit, open files) in the child


def run_limited(work: Callable[[], bytes], seconds: float, mb: int) -> bytes | str:
    """What `work` returns, computed in a forked worker under a wall-time and an address-space limit; "time" or
    "memory" when a limit was reached (a worker killed by the memory limit in C returns nothing: memory too)."""
    r, w = os.pipe()
    # Ctrl-C is held back while forking: raised inside fork's hooks (logging's lock release) it would be printed as
    # "Exception ignored" and lost, and the batch would run on. It is delivered as soon as the mask is lifted below.
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        pid = os.fork()
    except BaseException:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        os.close(r)
        os.close(w)
        raise
    if pid == 0:
        os.close(r)
        _child(work, mb, w, mask)
    os.close(w)
    chunks: list[bytes] = []
    deadline = time.monotonic() + seconds
    timed_out = stop = False
    try:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)  # a Ctrl-C that came during the fork is raised here
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                timed_out = True
                break
            ready, _, _ = select.select([r], [], [], left)
            if ready:
                chunk = os.read(r, 1 << 20)
                if not chunk:
                    break
                chunks.append(chunk)
    except BaseException:  # Ctrl-C: the worker ignores it (the parent decides), so it is stopped here
        stop = True
        raise
    finally:
        os.close(r)
        if timed_out or stop:
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    if timed_out:
        return "time"
    payload = b"".join(chunks)
    return "memory" if not payload or payload == _MEMORY else payload


def check_limited(data: bytes, name: str, call: Call) -> Report:
    """check_bytes in a forked worker under the call's wall-time and memory limits (file.max_seconds,
    file.max_memory_mb); a limit reached gives the one finding file.too_complex."""
    seconds, mb = limits_of(call)

    def work() -> bytes:
        return json.dumps(check_bytes(data, name, call).to_dict(), ensure_ascii=False).encode()

    got = run_limited(work, seconds, mb)
    if isinstance(got, str):
        return too_complex(data, name, call, got)
    return Report.from_dict(json.loads(got))
