"""Benchmark `award check` on the 11-page sample application, .docx and PDF, in process and as whole processes.

.docx: against the raw floor, what any reader must pay at least (unzip every part, parse every XML part with
lxml), and against the naive read, python-docx's text of every paragraph and cell as a whole process.
PDF: against the floor, pypdfium2's text of every page in process, and against the naive baseline, pdfplumber's
text extraction of every page. All measured in this same run; prints medians, ratios and the aims:
in-process PDF check at most 6x the pypdfium2 floor, whole-process PDF check at most 0.6x the naive pdfplumber
read, whole-process .docx check at most 1.0x the naive python-docx read (issue 13), and `award --help` at most
2x a bare interpreter start (each command loads what it uses).

    python bench/check.py [--runs N] [FILE.docx]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
import zipfile
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT / "samples" / "applications" / "long.docx"
DEFAULT_PDF = ROOT / "samples" / "pdf" / "applications" / "long.pdf"
AIM = 0.35
AIM_PDF = 0.8
AIM_DOCX_NAIVE = 1.0
AIM_HELP = 2.0
AIM_PDF_FLOOR = 6.0
AIM_PDF_NAIVE = 0.6
NAIVE_DOCX = """
import sys
from docx import Document
doc = Document(sys.argv[1])
parts = [p.text for p in doc.paragraphs]
for table in doc.tables:
    for row in table.rows:
        parts += [cell.text for cell in row.cells]
"""


# A user's Python keeps compiled bytecode (__pycache__); a shell that sets PYTHONDONTWRITEBYTECODE would make every
# measured process compile the package from source again, which no user's run does.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def whole_process(path: Path) -> float:
    """Seconds for `python -m pipeline check FILE --format json` from process start to exit."""
    t = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "pipeline", "check", "--format", "json", str(path)],
                          cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False, env=ENV)
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
    subprocess.run([sys.executable, "-c", "pass"], check=True, env=ENV)
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
    naive_docx = statistics.median(_timed([sys.executable, "-c", NAIVE_DOCX, str(path)]) for _ in range(args.runs))
    print(f"file: {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path} "
          f"({path.stat().st_size / 1024:.0f} KiB), {args.runs} runs, medians")
    print(f"award check, whole process:     {check_s * 1000:7.1f} ms   (aim: under {AIM * 1000:.0f} ms: "
          f"{'met' if check_s < AIM else 'NOT met'})")
    print(f"  of which interpreter start:   {start_s * 1000:7.1f} ms")
    print(f"check_bytes in process:         {in_process * 1000:7.1f} ms   (read, extract, all rules, report)")
    print(f"raw floor (unzip + XML parse):  {floor_s * 1000:7.1f} ms")
    print(f"ratio whole process / floor:    {check_s / floor_s:7.1f} x")
    print(f"ratio in process / floor:       {in_process / floor_s:7.1f} x")
    print(f"naive: python-docx text of every paragraph and cell, whole process: {naive_docx * 1000:7.1f} ms")
    ratio = check_s / naive_docx
    print(f"ratio award check / naive, whole processes:  {ratio:7.2f} x   (aim: at most {AIM_DOCX_NAIVE} x: "
          f"{'met' if ratio <= AIM_DOCX_NAIVE else 'NOT met'})")
    helps = [_timed([sys.executable, "-m", "pipeline", "--help"]) for _ in range(args.runs)]
    help_s = statistics.median(helps)
    print(f"award --help, whole process:    {help_s * 1000:7.1f} ms   ({help_s / start_s:.2f} x the interpreter start; "
          f"aim: at most {AIM_HELP} x: {'met' if help_s / start_s <= AIM_HELP else 'NOT met'})")
    if DEFAULT_PDF.is_file():
        bench_pdf(DEFAULT_PDF, args.runs)


def _timed(cmd: list[str]) -> float:
    """Seconds for a whole process, from start to exit."""
    t = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, check=True, env=ENV)
    return time.perf_counter() - t


def pdfium_text(path: Path) -> float:
    """Seconds for the floor: pypdfium2's text of every page, in process (import not counted)."""
    import pypdfium2 as pdfium

    t = time.perf_counter()
    pdf = pdfium.PdfDocument(path.read_bytes())
    for i in range(len(pdf)):
        page = pdf[i]
        tp = page.get_textpage()
        tp.get_text_bounded()
        tp.close()
        page.close()
    pdf.close()
    return time.perf_counter() - t


def pdfplumber_text(path: Path) -> float:
    """Seconds for the naive baseline: pdfplumber text of every page, in process (import not counted)."""
    import pdfplumber

    t = time.perf_counter()
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            page.extract_text()
    return time.perf_counter() - t


def bench_pdf(path: Path, runs: int) -> None:
    """The PDF of the same application: award check as a whole process vs. pdfplumber text extraction."""
    whole_process(path)
    checks = [whole_process(path) for _ in range(runs)]
    naive = [pdfplumber_text(path) for _ in range(max(3, runs // 3))]
    floors = [pdfium_text(path) for _ in range(runs)]
    check_s, naive_s, floor_s = statistics.median(checks), statistics.median(naive), statistics.median(floors)
    in_process = _in_process(path, runs)
    print(f"\nfile: {path.relative_to(ROOT)} ({path.stat().st_size / 1024:.0f} KiB)")
    print(f"award check, whole process:     {check_s * 1000:7.1f} ms   (aim: under {AIM_PDF * 1000:.0f} ms: "
          f"{'met' if check_s < AIM_PDF else 'NOT met'})")
    print(f"check_bytes in process:         {in_process * 1000:7.1f} ms")
    print(f"naive: pdfplumber text, all pages (in process): {naive_s * 1000:7.1f} ms")
    print(f"floor: pypdfium2 text, all pages (in process):  {floor_s * 1000:7.1f} ms")
    ratio_floor, ratio_naive = in_process / floor_s, check_s / naive_s
    print(f"ratio check_bytes in process / floor:           {ratio_floor:7.2f} x   (aim: at most {AIM_PDF_FLOOR} x: "
          f"{'met' if ratio_floor <= AIM_PDF_FLOOR else 'NOT met'})")
    print(f"ratio award check whole process / naive:        {ratio_naive:7.2f} x   (aim: at most {AIM_PDF_NAIVE} x: "
          f"{'met' if ratio_naive <= AIM_PDF_NAIVE else 'NOT met'})")


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
