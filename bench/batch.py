"""Benchmark `award batch` on a generated round: cold .docx and PDF throughput, warm re-run, peak memory, and the
naive baseline (sequential pdfplumber text of every PDF page plus python-docx of every .docx), in one run.

    python bench/batch.py [--n 300] [--pdf-every 3] [--jobs N]
    python bench/batch.py --executor dask [--n 1000] [--jobs 2]

`--executor dask` measures instead the same cold round through the local pool and through a Dask LocalCluster of
`--jobs` single-threaded workers on the same cores, one after the other in this run: files/s of each, the overhead
ratio (dask time / local time; aim <= 1.2x) and whether the reports came out byte-identical.

The round (N varied applications, one in ten with a mistake; every k-th printed to PDF by LibreOffice) is
generated once into bench/.data/round-N-k-10/ and reused. Targets on 2 cores: >= 50 .docx/s, >= 15 PDF/s, warm >= 500/s,
peak RSS <= 500 MB for 1,000 applications.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "samples"))

from pipeline.batch import run_batch  # noqa: E402
from pipeline.calls import load_call  # noqa: E402
from pipeline.registry import Registry  # noqa: E402

BROKEN_EVERY = 10  # one application in ten has a mistake: annotated copies and return letters are part of a run


def generate(n: int, pdf_every: int, jobs: int) -> Path:
    """The round, made once: data/docx/*.docx and data/pdf/*.pdf."""
    data = ROOT / "bench" / ".data" / f"round-{n}-{pdf_every}-{BROKEN_EVERY}"
    if (data / ".done").is_file():
        return data
    from make_round import write_round

    t = time.perf_counter()
    tmp = data / "all"
    files = write_round(tmp, n, pdf_every, seed=7, jobs=jobs, broken_every=BROKEN_EVERY)
    for kind in ("docx", "pdf"):
        (data / kind).mkdir(parents=True, exist_ok=True)
    for f in files:
        shutil.move(str(f), data / f.suffix[1:] / f.name)
    tmp.rmdir()
    (data / ".done").write_text("ok\n")
    print(f"generated {n} applications in {time.perf_counter() - t:.0f} s -> {data.relative_to(ROOT)}")
    return data


class RssSampler:
    """The peak of this process's RSS plus its children's (the pool workers), sampled from /proc every 20 ms."""

    def __init__(self, pid: int | None = None) -> None:
        import threading

        self.pid = pid or os.getpid()
        self.peak = 0
        self.peak_pss = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def _tree(pid: int) -> list[int]:
        out = [pid]
        try:
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as fh:
                    for child in fh.read().split():
                        out += RssSampler._tree(int(child))
        except OSError:
            pass
        return out

    @staticmethod
    def _kb(path: str, field: str) -> int:
        try:
            with open(path) as fh:
                for line in fh:
                    if line.startswith(field):
                        return int(line.split()[1]) * 1024
        except OSError:
            pass
        return 0

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            tree = self._tree(self.pid)
            self.peak = max(self.peak, sum(self._kb(f"/proc/{p}/status", "VmRSS:") for p in tree))
            # PSS shares each page among the processes mapping it: forked workers share the interpreter and
            # the imported modules with this process, which a sum of RSS counts once per process
            self.peak_pss = max(self.peak_pss, sum(self._kb(f"/proc/{p}/smaps_rollup", "Pss:") for p in tree))

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def naive(docx: list[Path], pdf: list[Path]) -> tuple[float, float]:
    """Seconds per file: python-docx text of each .docx; pdfplumber text of every page of each PDF."""
    import docx as python_docx
    import pdfplumber

    t = time.perf_counter()
    for f in docx:
        d = python_docx.Document(str(f))
        _ = [p.text for p in d.paragraphs] + [c.text for t in d.tables for r in t.rows for c in r.cells]
    per_docx = (time.perf_counter() - t) / max(len(docx), 1)
    t = time.perf_counter()
    for f in pdf:
        with pdfplumber.open(str(f)) as p:
            _ = [page.extract_text() for page in p.pages]
    per_pdf = (time.perf_counter() - t) / max(len(pdf), 1)
    return per_docx, per_pdf


def memory_of_one_run(folder: Path, jobs: int) -> RssSampler:
    """Peak memory of one cold `award batch` process over the whole round, as staff would run it."""
    import subprocess

    with tempfile.TemporaryDirectory(prefix="award-bench-mem-") as tmp:
        proc = subprocess.Popen([sys.executable, "-m", "pipeline", "--db", f"{tmp}/r.sqlite", "batch", str(folder),
                                 "-o", f"{tmp}/out", "--jobs", str(jobs)], cwd=ROOT, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        with RssSampler(proc.pid) as rss:
            proc.wait()
    return rss


def timed_batch(folder: Path, db: Path, out: Path, jobs: int) -> tuple[float, int, int]:
    """Seconds for a whole run_batch (registration, checks, rules, every output); files, files checked."""
    call = load_call("saq-2021")
    t = time.perf_counter()
    with Registry(db) as reg:
        result = run_batch(folder, out, call, reg, jobs=jobs)
    return time.perf_counter() - t, len(result.rows), result.checked


def compare_executors(folder: Path, jobs: int, repeat: int = 2) -> None:
    """The same cold round through `local` and `dask` (a LocalCluster started by the run, in its time), `repeat`
    times each in the order local, dask, dask, local, ... (neither always runs first, on a warmer or busier machine);
    the best time of each."""
    call = load_call("saq-2021")
    seconds: dict[str, list[float]] = {"local": [], "dask": []}
    reports: dict[str, dict[str, bytes]] = {}
    rows = 0
    order = [e for k in range(repeat) for e in (("local", "dask") if k % 2 == 0 else ("dask", "local"))]
    with tempfile.TemporaryDirectory(prefix="award-bench-dask-") as tmp:
        for k, executor in enumerate(order):
            out = Path(tmp) / f"out-{k}-{executor}"
            t = time.perf_counter()
            with Registry(Path(tmp) / f"{k}-{executor}.sqlite") as reg:
                result = run_batch(folder, out, call, reg, jobs=jobs, executor=executor)
            seconds[executor].append(time.perf_counter() - t)
            rows = len(result.rows)
            reports[executor] = {p.name: p.read_bytes() for p in (out / "reports").iterdir()}
            shutil.rmtree(out)
    same = sum(reports["dask"].get(k) == v for k, v in reports["local"].items())
    best = {e: min(v) for e, v in seconds.items()}
    print(f"round: {rows} applications, {jobs} workers each, {os.cpu_count()} cores; runs in the order {order}")
    for executor, s in best.items():
        runs = ", ".join(f"{x:.2f}" for x in seconds[executor])
        print(f"{executor:6s} {rows / s:7.1f} files/s  (best {s:.2f} s of {runs}; registration, checks, rules and "
              "every output)")
    print(f"overhead ratio dask/local: {best['dask'] / best['local']:.2f}x (aim <= 1.2x)")
    print(f"reports byte-identical: {same} of {len(reports['local'])}"
          f"{'' if len(reports['dask']) == len(reports['local']) else ' (the dask run wrote a different number)'}")


def main() -> None:
    """Generate (once), then measure and print."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--pdf-every", type=int, default=3)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--no-naive", action="store_true", help="skip the naive baseline")
    ap.add_argument("--executor", choices=("local", "dask"), default="local",
                    help="dask: compare the local pool with a Dask LocalCluster on the same round")
    ap.add_argument("--repeat", type=int, default=2, help="with --executor dask: runs of each")
    a = ap.parse_args()
    data = generate(a.n, a.pdf_every, a.jobs)
    if a.executor == "dask":
        compare_executors(data, a.jobs, a.repeat)
        return
    docx, pdf = sorted((data / "docx").iterdir()), sorted((data / "pdf").iterdir())
    with tempfile.TemporaryDirectory(prefix="award-bench-") as tmp:
        work = Path(tmp)
        db = work / "r.sqlite"
        with RssSampler() as rss:
            cold_docx, n_docx, _ = timed_batch(data / "docx", db, work / "out-docx", a.jobs)
            cold_pdf, n_pdf, _ = timed_batch(data / "pdf", db, work / "out-pdf", a.jobs) if pdf else (0.0, 0, 0)
            first_out = work / "out"
            timed_batch(data, db, first_out, a.jobs)  # the whole round's outputs, from the cache
            warm, n_all, checked = timed_batch(data, db, first_out, a.jobs)
    one = memory_of_one_run(data, a.jobs)
    print(f"round: {n_docx} .docx + {n_pdf} PDF = {n_all} applications, {a.jobs} worker processes, "
          f"{os.cpu_count()} cores")
    print(f"cold .docx: {n_docx / cold_docx:7.1f} files/s  ({cold_docx:.2f} s; aim >= 50/s)")
    if n_pdf:
        print(f"cold PDF:   {n_pdf / cold_pdf:7.1f} files/s  ({cold_pdf:.2f} s; aim >= 15/s)")
    print(f"warm:       {n_all / warm:7.1f} files/s  ({warm:.2f} s, {checked} checked again; aim >= 500/s)")
    print(f"peak memory, one cold `award batch` of the {n_all}: RSS {one.peak / 2**20:.0f} MB summed over the process "
          f"and its workers (PSS {one.peak_pss / 2**20:.0f} MB), sampled every 20 ms; aim <= 500 MB for 1,000")
    print(f"            (this benchmark's own process across its four runs: RSS {rss.peak / 2**20:.0f} MB, "
          f"PSS {rss.peak_pss / 2**20:.0f} MB)")
    if not a.no_naive:
        per_docx, per_pdf = naive(docx, pdf)
        print(f"naive baseline (one process, text only): {1 / per_docx:.1f} .docx/s"
              + (f", {1 / per_pdf:.1f} PDF/s" if pdf else ""))
        print(f"ratio batch/naive: .docx {n_docx / cold_docx * per_docx:.1f}x"
              + (f", PDF {n_pdf / cold_pdf * per_pdf:.1f}x" if pdf else ""))


if __name__ == "__main__":
    main()
