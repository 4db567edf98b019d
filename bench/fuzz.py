"""Seeded mutation fuzzing of the checker: damaged copies of every sample .docx and .pdf, each checked in process.

Mutations: byte flips, truncations, a deleted zip part (.docx) or PDF object, and numbers replaced by inf, nan,
1e309, -1 or an absurd value (page sizes, page counts, font sizes). Every mutant goes through `check_bytes` (or,
with --limited, through the per-file limit worker); each must give a report that is valid JSON (no NaN or
Infinity) and valid against schemas/report.schema.json, and raise nothing. Prints the tracebacks counted, the
schema-invalid reports, the slowest mutant, the largest growth of the peak RSS, the mutants over the call's
wall-time limit, and the mean time per mutant against checking the unmutated samples in the same run.

    python bench/fuzz.py [--n 1500] [--seed 11] [--limited] [--show 5]
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import random
import re
import resource
import sys
import time
import traceback
import warnings
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.calls import Call, load_call  # noqa: E402
from pipeline.model import Report  # noqa: E402

SAMPLES = ROOT / "samples"
FOLDERS = (SAMPLES / "applications", SAMPLES / "pdf" / "applications", SAMPLES / "hostile")
SCHEMA = json.loads((ROOT / "schemas" / "report.schema.json").read_text(encoding="utf-8"))
BAD_NUMBERS = (b"inf", b"nan", b"1e309", b"-1", b"-1e309", b"99999999999999999999", b"0")
_NUMBER_ATTR = re.compile(rb'(\b(?:w|h|val|sz|gridSpan|Pages)="?>?)(-?\d+(?:\.\d+)?)')
_PAGES = re.compile(rb"(<Pages>)(\d+)(</Pages>)")
_MEDIABOX = re.compile(rb"/MediaBox\s*\[\s*([^\]]*)\]")
_OBJECT = re.compile(rb"\d+ \d+ obj\b.*?endobj", re.S)
OPS = ("flip", "truncate", "delete", "numbers")


def sources(folders: tuple[Path, ...] = FOLDERS) -> list[Path]:
    """Every sample .docx and .pdf of the given folders, in a stable order."""
    return sorted(p for d in folders for p in d.iterdir() if p.suffix in (".docx", ".pdf"))


def flip(data: bytes, rnd: random.Random) -> bytes:
    """One to eight random bytes replaced by random values."""
    out = bytearray(data)
    for _ in range(rnd.randint(1, 8)):
        if out:
            out[rnd.randrange(len(out))] = rnd.randrange(256)
    return bytes(out)


def truncate(data: bytes, rnd: random.Random) -> bytes:
    """The file cut short at a random place."""
    return data[:rnd.randrange(max(len(data), 1))]


def _members(data: bytes) -> list[tuple[zipfile.ZipInfo, bytes]] | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return [(i, z.read(i.filename)) for i in z.infolist()]
    except Exception:  # an unreadable zip (a hostile sample) is mutated bytewise instead
        return None


def _zip(members: list[tuple[zipfile.ZipInfo, bytes]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info, body in members:
            z.writestr(info, body)
    return out.getvalue()


def delete(data: bytes, rnd: random.Random) -> bytes:
    """A .docx without one of its parts, or a PDF without one of its objects."""
    if data.startswith(b"PK"):
        members = _members(data)
        if members:
            del members[rnd.randrange(len(members))]
            return _zip(members)
    objects = list(_OBJECT.finditer(data))
    if objects:
        m = rnd.choice(objects)
        return data[:m.start()] + data[m.end():]
    return flip(data, rnd)


def numbers(data: bytes, rnd: random.Random) -> bytes:
    """A number the reader takes from the file (page size, page count, font size, span) made inf, nan, huge or
    negative: in one XML part of a .docx, or in a PDF's MediaBox."""
    bad = rnd.choice(BAD_NUMBERS)
    if data.startswith(b"PK"):
        members = _members(data)
        if members:
            xml = [i for i, (info, _) in enumerate(members) if info.filename.endswith(".xml")]
            if xml:
                k = rnd.choice(xml)
                info, body = members[k]
                pattern = _PAGES if info.filename.endswith("app.xml") else _NUMBER_ATTR
                hits = list(pattern.finditer(body))
                if hits:
                    m = rnd.choice(hits)
                    body = body[:m.start(2)] + bad + body[m.end(2):]
                    members[k] = (info, body)
                    return _zip(members)
        return flip(data, rnd)
    boxes = list(_MEDIABOX.finditer(data))
    if boxes:
        m = rnd.choice(boxes)
        values = m.group(1).split()
        if values:
            values[rnd.randrange(len(values))] = bad
        return data[:m.start(1)] + b" ".join(values) + data[m.end(1):]
    return flip(data, rnd)


MUTATORS: dict[str, Callable[[bytes, random.Random], bytes]] = {
    "flip": flip, "truncate": truncate, "delete": delete, "numbers": numbers}


def mutants(n: int, seed: int, files: list[Path]) -> list[tuple[str, str, bytes]]:
    """n seeded mutants (source name, operation, bytes), the sources taken in turn and the operations at random
    (flips most often: they are what a damaged disk or a broken transfer does)."""
    rnd = random.Random(seed)
    blobs = {p: p.read_bytes() for p in files}
    out = []
    for i in range(n):
        path = files[i % len(files)]
        op = rnd.choices(OPS, weights=(4, 2, 2, 2))[0]
        out.append((path.name, op, MUTATORS[op](blobs[path], rnd)))
    return out


def schema_errors(report: Report) -> list[str]:
    """Why a report is not valid JSON against the report schema (empty when it is)."""
    import jsonschema

    try:
        doc = json.loads(json.dumps(report.to_dict(), ensure_ascii=False, allow_nan=False))
    except ValueError as e:
        return [f"not JSON: {e}"]
    return [e.message for e in jsonschema.Draft202012Validator(SCHEMA).iter_errors(doc)]


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclass
class Outcome:
    """What a fuzz run found."""

    mutants: int = 0
    tracebacks: list[str] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)
    codes: Counter[str] = field(default_factory=Counter)
    ops: Counter[str] = field(default_factory=Counter)
    max_seconds: float = 0.0
    slowest: str = ""
    over_limit: int = 0
    rss_growth_mb: float = 0.0
    mutant_seconds: float = 0.0
    base_seconds: float = 0.0
    base_files: int = 0


def run(n: int, seed: int, files: list[Path] | None = None, call: Call | None = None,
        check: Callable[[bytes, str, Call], Report] | None = None) -> Outcome:
    """Check the unmutated samples once (the baseline), then n seeded mutants of them; count what went wrong."""
    from pipeline.check import check_bytes

    logging.getLogger("pdfminer").setLevel(logging.ERROR)  # its warnings on damaged fonts are not findings
    call = call or load_call("saq-2021")
    files = files or sources()
    check = check or check_bytes
    limit = call.file.max_seconds
    out = Outcome()
    for p in files:
        t0 = time.perf_counter()
        check(p.read_bytes(), p.name, call)
        out.base_seconds += time.perf_counter() - t0
        out.base_files += 1
    rss0 = _peak_rss_mb()
    for name, op, data in mutants(n, seed, files):
        label = f"{name} [{op}]"
        out.mutants += 1
        out.ops[op] += 1
        t0 = time.perf_counter()
        try:
            report = check(data, name, call)
        except Exception:  # the finding of this bench: a traceback the user would have seen
            out.tracebacks.append(f"{label}\n{traceback.format_exc(limit=-3)}")
            continue
        finally:
            dt = time.perf_counter() - t0
            out.mutant_seconds += dt
            if dt > out.max_seconds:
                out.max_seconds, out.slowest = dt, label
            out.over_limit += dt > limit
        out.codes.update([f.code for f in report.findings if f.code.startswith("file.")] or ["(read)"])
        errors = schema_errors(report)
        if errors:
            out.invalid.append(f"{label}: {errors[0]}")
    out.rss_growth_mb = _peak_rss_mb() - rss0
    return out


def hostile_zips(rnd: random.Random) -> list[tuple[str, bytes]]:
    """Archives as staff receive them and as attackers make them: an export of sample forms, names with `..`, an
    absolute path, a NUL, control characters, GBK and UTF-8 without the flag, the same name twice, a member bomb,
    an archive inside, 3,000 tiny entries, a cut-off archive, and byte-damaged copies of the export."""
    pdfs = sorted((SAMPLES / "pdf" / "applications").glob("*.pdf"))[:2]
    forms = sorted((SAMPLES / "round").glob("*.docx"))[:4] + pdfs

    def make(entries: list[tuple[bytes | str, bytes]], flag: bool = True) -> bytes:
        buf = io.BytesIO()
        with warnings.catch_warnings(), zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            warnings.simplefilter("ignore")  # the same name twice is the point of one archive
            for name, data in entries:
                info = zipfile.ZipInfo(name if isinstance(name, str) else name.decode("latin-1"),
                                       date_time=(2021, 6, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                if not flag:
                    info.flag_bits &= ~0x800
                z.writestr(info, data)
        return buf.getvalue()

    export = make([(f"申报/{f.name}", f.read_bytes()) for f in forms])
    one = forms[0].read_bytes()
    bomb = b"\0" * (300 * 2**20)
    out = [
        ("export.zip", export),
        ("traversal.zip", make([("../../etc/evil.docx", one), ("/abs/a.docx", one), ("ok/a.docx", one)])),
        ("nul.zip", make([("a\0b.docx", one), ("c\x01\x1b.docx", one)])),
        ("gbk.zip", make([("申报书.docx".encode("gbk"), one)], flag=False)),
        ("utf8-noflag.zip", make([("申报书.docx".encode(), one)], flag=False)),
        ("same-name.zip", make([("申报书.docx", one), ("申报书.docx", forms[1].read_bytes())])),
        ("bomb.zip", make([("bomb.docx", bomb)])),
        ("nested.zip", make([("inner.zip", export)])),
        ("many.zip", make([(f"n/{i}.txt", b"x") for i in range(3000)])),
        ("cut.zip", export[: len(export) // 2]),
    ]
    for k in range(40):
        out.append((f"export-flip-{k}.zip", flip(export, rnd)))
        out.append((f"export-cut-{k}.zip", truncate(export, rnd)))
    return out


def run_zips(seed: int, call: Call) -> tuple[int, list[str], float]:
    """Each hostile archive through `run_batch` with a fresh registry: (archives, tracebacks, seconds).

    A clean refusal (BatchError, PipelineError: exit 3 with a message) is an answer, not a failure."""
    import tempfile

    from pipeline.batch import run_batch
    from pipeline.errors import PipelineError
    from pipeline.registry import Registry

    rnd = random.Random(seed)
    archives = hostile_zips(rnd)
    failures: list[str] = []
    t = time.perf_counter()
    for name, data in archives:
        with tempfile.TemporaryDirectory(prefix="award-fuzz-zip-") as tmp:
            path = Path(tmp) / name
            path.write_bytes(data)
            try:
                with Registry(Path(tmp) / "r.sqlite", call_id=call.id) as reg:
                    run_batch(path, Path(tmp) / "out", call, reg, jobs=1)
            except PipelineError:
                pass
            except Exception:  # counted and printed: what the bench is for
                failures.append(f"{name}:\n{traceback.format_exc()}")
    return len(archives), failures, time.perf_counter() - t


def main(argv: list[str] | None = None) -> int:
    """Run the fuzz bench and print its figures; exit 1 when any mutant raised or gave an invalid report."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1500, help="mutants (default 1500)")
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--limited", action="store_true", help="check each mutant in the per-file limit worker")
    ap.add_argument("--show", type=int, default=5, help="tracebacks and invalid reports to print")
    ap.add_argument("--no-zips", action="store_true", help="skip the hostile archives through award batch")
    args = ap.parse_args(argv)
    check = None
    if args.limited:
        from pipeline.check.limits import check_limited

        check = check_limited
    t0 = time.perf_counter()
    out = run(args.n, args.seed, check=check)
    wall = time.perf_counter() - t0
    base = out.base_seconds / max(out.base_files, 1)
    mean = out.mutant_seconds / max(out.mutants, 1)
    print(f"fuzz: {out.mutants} mutants of {out.base_files} samples, seed {args.seed}, {wall:.0f} s in all"
          f"{' (limit worker)' if args.limited else ''}")
    print("  operations:  " + ", ".join(f"{k} {v}" for k, v in sorted(out.ops.items())))
    print("  outcomes:    " + ", ".join(f"{k} {v}" for k, v in out.codes.most_common()))
    print(f"  tracebacks:  {len(out.tracebacks)}")
    print(f"  invalid:     {len(out.invalid)} (reports not valid against report.schema.json)")
    print(f"  over limit:  {out.over_limit} (wall time over file.max_seconds)")
    print(f"  max time:    {out.max_seconds:.2f} s ({out.slowest})")
    print(f"  RSS growth:  {out.rss_growth_mb:.0f} MB (peak, over the baseline run)")
    print(f"  mean time:   {mean * 1000:.0f} ms per mutant, {base * 1000:.0f} ms per unmutated sample: "
          f"ratio {mean / base if base else 0:.2f}")
    zip_failures: list[str] = []
    if not args.no_zips:
        count, zip_failures, seconds = run_zips(args.seed, load_call("saq-2021"))
        print(f"  archives:    {count} hostile or damaged .zip through award batch in {seconds:.0f} s: "
              f"{len(zip_failures)} tracebacks")
    for text in out.tracebacks[:args.show] + out.invalid[:args.show] + zip_failures[:args.show]:
        print("\n" + text)
    return 1 if out.tracebacks or out.invalid or zip_failures else 0


if __name__ == "__main__":
    sys.exit(main())
