"""Benchmark `award check` on the 11-page sample application, as a whole process, against the raw floor.

The floor is what any reader of the file must pay at least: unzip every part and parse every XML part with lxml,
measured in this same run. Prints medians, the ratio, and the aim (whole process under 0.35 s).

    python bench/check.py [--runs N] [FILE]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
import zipfile
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT / "samples" / "applications" / "long.docx"
AIM = 0.35


def whole_process(path: Path) -> float:
    """Seconds for `python -m pipeline check FILE --format json` from process start to exit."""
    t = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "pipeline", "check", "--format", "json", str(path)],
                          cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    elapsed = time.perf_counter() - t
    if done.returncode not in (0, 1):
        raise SystemExit(f"award check failed ({done.returncode}): {done.stderr.decode()[:500]}")
    return elapsed


def raw_floor(path: Path) -> float:
    """Seconds to unzip every part and parse every XML part, in process."""
    t = time.perf_counter()
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            data = z.read(name)
            if name.endswith((".xml", ".rels")):
                etree.fromstring(data, parser)
    return time.perf_counter() - t


def interpreter_start() -> float:
    """Seconds for the same interpreter to start and exit doing nothing (part of every whole-process figure)."""
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file", nargs="?", type=Path, default=DEFAULT)
    ap.add_argument("--runs", type=int, default=15)
    args = ap.parse_args()
    path: Path = args.file
    whole_process(path)  # warm the file cache and .pyc files
    checks = [whole_process(path) for _ in range(args.runs)]
    floors = [raw_floor(path) for _ in range(args.runs)]
    starts = [interpreter_start() for _ in range(args.runs)]
    check_s, floor_s, start_s = (statistics.median(x) for x in (checks, floors, starts))
    in_process = _in_process(path, args.runs)
    print(f"file: {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path} "
          f"({path.stat().st_size / 1024:.0f} KiB), {args.runs} runs, medians")
    print(f"award check, whole process:     {check_s * 1000:7.1f} ms   (aim: under {AIM * 1000:.0f} ms: "
          f"{'met' if check_s < AIM else 'NOT met'})")
    print(f"  of which interpreter start:   {start_s * 1000:7.1f} ms")
    print(f"check_bytes in process:         {in_process * 1000:7.1f} ms   (read, extract, all rules, report)")
    print(f"raw floor (unzip + XML parse):  {floor_s * 1000:7.1f} ms")
    print(f"ratio whole process / floor:    {check_s / floor_s:7.1f} x")
    print(f"ratio in process / floor:       {in_process / floor_s:7.1f} x")


def _in_process(path: Path, runs: int) -> float:
    sys.path.insert(0, str(ROOT))
    from pipeline.calls import load_call
    from pipeline.check import check_bytes

    call = load_call("saq-2021")
    data = path.read_bytes()
    check_bytes(data, path.name, call)
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        check_bytes(data, path.name, call)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


if __name__ == "__main__":
    main()
