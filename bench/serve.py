"""Benchmark `award serve` under load, loopback only and bounded in time: CLIENTS concurrent clients upload the
11-page sample application to POST /api/v1/check for SECONDS; every answer is checked against the report of the
same file; /healthz is polled throughout. The cold `award batch` throughput of the same file (as distinct copies,
so nothing is cached) is measured in the same run, and the two are printed side by side.

    python bench/serve.py [--seconds 60] [--clients 20] [--workers N] [--copies 200]

Aims (issue 14): no failed request, every report correct, throughput >= 0.8x the cold batch, /healthz p99 < 50 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.batch import run_batch  # noqa: E402
from pipeline.calls import load_call  # noqa: E402
from pipeline.check import check_bytes  # noqa: E402
from pipeline.registry import Registry  # noqa: E402

SAMPLE = ROOT / "samples" / "applications" / "long.docx"
AIM_RATIO = 0.8
AIM_HEALTH_P99 = 0.050


def copy_of(data: bytes, n: int) -> bytes:
    """The .docx with a zip comment of its own: a different file (SHA-256) with the same content to check."""
    assert data[-22:-18] == b"PK\x05\x06" and data[-2:] == b"\0\0", "expected a zip without a comment"
    comment = f"copy {n}".encode()
    return data[:-2] + struct.pack("<H", len(comment)) + comment


def cold_batch(folder: Path, jobs: int) -> float:
    """Files a second for a cold `award batch` of the folder (new registry, no cache)."""
    call = load_call()
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        with Registry(Path(tmp) / "bench.sqlite") as reg:
            result = run_batch(folder, Path(tmp) / "out", call, reg, jobs=jobs, letters=False)
        elapsed = time.perf_counter() - t
    return len(result.rows) / elapsed


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(port: int, workers: int, queue: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "serve", "--port", str(port), "--workers",
                             str(workers), "--queue", str(queue)], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("award serve did not start")


def expected(name: str, data: bytes) -> tuple[str, list[tuple[str, str | None]]]:
    report = check_bytes(data, name, load_call())
    return report.status, [(f.code, f.field) for f in report.findings]


async def load(url: str, copies: list[tuple[str, bytes]], clients: int, seconds: float) -> dict[str, Any]:
    import httpx

    want = {name: expected(name, data) for name, data in copies[:1]}
    status, codes = next(iter(want.values()))
    latencies: list[float] = []
    health: list[float] = []
    failures: list[str] = []
    deadline = time.perf_counter() + seconds
    async with httpx.AsyncClient(base_url=url, timeout=120) as http:
        async def client(k: int) -> None:
            i = k
            while time.perf_counter() < deadline:
                name, data = copies[i % len(copies)]
                i += clients
                t = time.perf_counter()
                try:
                    r = await http.post("/api/v1/check", files={"file": (name, data)})
                except httpx.HTTPError as e:
                    failures.append(f"{type(e).__name__}")
                    continue
                latencies.append(time.perf_counter() - t)
                if r.status_code != 200:
                    failures.append(f"HTTP {r.status_code}")
                    continue
                got = json.loads(r.text)
                if (got["status"], [(f["code"], f.get("field")) for f in got["findings"]]) != (status, codes):
                    failures.append(f"wrong report for {name}")

        async def healthz() -> None:
            while time.perf_counter() < deadline:
                t = time.perf_counter()
                r = await http.get("/healthz")
                health.append(time.perf_counter() - t)
                if r.status_code != 200:
                    failures.append(f"healthz {r.status_code}")
                await asyncio.sleep(0.05)

        t0 = time.perf_counter()
        await asyncio.gather(healthz(), *(client(k) for k in range(clients)))
        elapsed = time.perf_counter() - t0
    return {"requests": len(latencies), "elapsed": elapsed, "latencies": latencies, "health": health,
            "failures": failures}


def pct(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100)[int(p) - 1] if len(values) >= 2 else (values[0] if values else 0.0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)))
    ap.add_argument("--copies", type=int, default=200)
    args = ap.parse_args()
    data = SAMPLE.read_bytes()
    copies = [(f"long-{n:03d}.docx", copy_of(data, n)) for n in range(args.copies)]
    with tempfile.TemporaryDirectory() as tmp:
        for name, body in copies:
            (Path(tmp) / name).write_bytes(body)
        batch_rate = cold_batch(Path(tmp), args.workers)
    port = free_port()
    server = start_server(port, args.workers, queue=args.clients * 2)
    try:
        got = asyncio.run(load(f"http://127.0.0.1:{port}", copies, args.clients, args.seconds))
    finally:
        server.terminate()
        server.wait(timeout=60)
    rate = got["requests"] / got["elapsed"]
    lat, health = got["latencies"], got["health"]
    print(f"file: {SAMPLE.relative_to(ROOT)} ({len(data) / 1024:.0f} KiB), {args.clients} clients, "
          f"{args.workers} workers, {got['elapsed']:.0f} s")
    print(f"requests: {got['requests']}, failed or wrong: {len(got['failures'])}"
          + (f" ({', '.join(sorted(set(got['failures'])))[:200]})" if got["failures"] else ""))
    print(f"award serve throughput:        {rate:7.1f} files/s")
    print(f"award batch cold throughput:   {batch_rate:7.1f} files/s   (the same file as {args.copies} copies)")
    ratio = rate / batch_rate
    print(f"ratio serve / batch:           {ratio:7.2f} x   (aim: at least {AIM_RATIO} x: "
          f"{'met' if ratio >= AIM_RATIO else 'NOT met'})")
    if lat:
        print(f"latency p50 / p95:             {pct(lat, 50) * 1000:7.0f} / {pct(lat, 95) * 1000:.0f} ms")
    if health:
        p99 = pct(health, 99)
        print(f"/healthz p50 / p99:            {pct(health, 50) * 1000:7.1f} / {p99 * 1000:.1f} ms   "
              f"(aim: p99 under {AIM_HEALTH_P99 * 1000:.0f} ms: {'met' if p99 < AIM_HEALTH_P99 else 'NOT met'})")


if __name__ == "__main__":
    main()
