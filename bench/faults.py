"""Faults, measured (issue 11 point 10): `award batch` killed at random moments, two batches on one registry at
once, and a full disk under OUTDIR and under the registry. Prints what was tried and what held.

    python bench/faults.py [--kills 24] [--seed 11] [--no-disk]

The inbox is the demo round (samples/round, 24 valid applications) plus every sample application with errors
(samples/applications: return letters and annotated copies make the output phase long enough to be hit). An
uninterrupted run on a fresh registry is the reference: after every kill the registry must pass
`PRAGMA integrity_check` and hold numbers that are unique, dense and the reference's own for the same file; the
final run must finish with every report and summary written. The full-disk runs mount small tmpfs folders (root
only; skipped otherwise) and expect exit 3 with a message, an intact registry and no temporary file left behind.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"} | {"PYTHONPATH": str(ROOT)}


def make_inbox(target: Path) -> int:
    """The demo round and every sample application with errors, as a staff inbox."""
    target.mkdir(parents=True)
    n = 0
    for src in sorted((ROOT / "samples" / "round").glob("*.docx")):
        shutil.copy(src, target / src.name)
        n += 1
    for src in sorted((ROOT / "samples" / "applications").glob("*.docx"))[:BROKEN]:
        shutil.copy(src, target / f"退回-{src.name}")
        n += 1
    return n


BROKEN = 24  # sample applications with errors in the inbox (their letters and annotated copies: the output phase)


def batch(inbox: Path, out: Path, db: Path, jobs: int = 2) -> subprocess.Popen[bytes]:
    """Start `award batch` in a process group of its own (its workers die with it)."""
    return subprocess.Popen([sys.executable, "-m", "pipeline", "--db", str(db), "batch", str(inbox), "-o", str(out),
                             "--jobs", str(jobs)], env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)


def numbers(db: Path) -> dict[str, str]:
    """sha256 -> registration number of every registered file, after checking the registry's integrity."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        ok = con.execute("PRAGMA integrity_check").fetchone()[0]
        if ok != "ok":
            raise SystemExit(f"registry damaged: {ok}")
        rows = con.execute("SELECT sha256, reg_no FROM applications").fetchall()
    finally:
        con.close()
    regs = [r for _, r in rows]
    if len(set(regs)) != len(regs):
        raise SystemExit(f"duplicate registration numbers: {sorted(regs)}")
    seqs = sorted(int(r.rsplit("-", 1)[1]) for r in regs)
    if seqs != list(range(1, len(seqs) + 1)):
        raise SystemExit(f"numbers not dense: {seqs}")
    return dict(rows)


def missing_outputs(out: Path, regs: dict[str, str]) -> list[str]:
    """What is missing or left over: a registered file without its report, a summary, a temporary file."""
    reports = {p.stem for p in (out / "reports").glob("*.json")}
    gone = [f"reports/{r}.json" for r in sorted(set(regs.values()) - reports)]
    gone += [f"summary.{x}" for x in ("xlsx", "csv", "html") if not (out / f"summary.{x}").is_file()]
    left = [str(p.relative_to(out)) for p in out.rglob("*") if is_temporary(p)]
    return gone + [f"left behind: {x}" for x in left]


def is_temporary(p: Path) -> bool:
    """A temporary file of an atomic write (fileio's `.name.xxxx.tmp`, tempfile's `tmpxxxx`)."""
    return p.is_file() and (p.name.startswith((".tmp", "tmp")) or p.name.endswith(".tmp") or ".part" in p.name)


def kills(work: Path, inbox: Path, count: int, rng: random.Random) -> int:
    """Trials until `count` kills: a fresh registry, the batch killed at a random moment of its run (and its re-run
    killed again when it is still running), then a run to the end, compared with the reference run each time.
    Returns how many files the reference registered."""
    ref_db, ref_out = work / "ref.sqlite", work / "ref-out"
    t = time.perf_counter()
    proc = batch(inbox, ref_out, ref_db)
    proc.wait()
    duration = time.perf_counter() - t
    reference = numbers(ref_db)
    print(f"reference run: {len(reference)} registered in {duration:.1f} s (exit {proc.returncode})")
    killed = trials = 0
    while killed < count:
        trials += 1
        db, out = work / f"trial-{trials}.sqlite", work / f"trial-{trials}-out"
        for _ in range(2):
            proc = batch(inbox, out, db)
            time.sleep(rng.uniform(0.2, duration))
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                killed += 1
            proc.wait()
            if db.exists():
                got = numbers(db)
                wrong = {s: r for s, r in got.items() if reference.get(s) != r}
                if wrong:
                    raise SystemExit(f"trial {trials}: numbers differ from the reference: {wrong}")
        proc = batch(inbox, out, db)
        proc.wait()
        final = numbers(db)
        missing = missing_outputs(out, final)
        if final != reference or missing or proc.returncode not in (0, 1):
            raise SystemExit(f"FAILED: kills, trial {trials} (exit {proc.returncode}; {missing[:5]})")
        shutil.rmtree(out)
    print(f"kills: {killed} batches killed mid-run in {trials} trials, each then run to the end: numbers equal to "
          f"the reference's every time, outputs complete, registry intact")
    return len(reference)


def concurrent(work: Path, inbox: Path, registered: int) -> None:
    """Two batches on one registry at once (halves of the inbox), both must finish with dense unique numbers."""
    files = sorted(inbox.iterdir())
    halves = [work / "half-a", work / "half-b"]
    for i, half in enumerate(halves):
        half.mkdir()
        for f in files[i::2]:
            shutil.copy(f, half / f.name)
    db = work / "shared.sqlite"
    procs = [batch(h, work / f"{h.name}-out", db, jobs=1) for h in halves]
    codes = [p.wait() for p in procs]
    errors = [p.stderr.read().decode(errors="replace").strip() if p.stderr else "" for p in procs]
    got = numbers(db)
    print(f"concurrent: exits {codes}, {len(got)} numbers unique and dense"
          + (f"; stderr: {errors}" if any(errors) else ""))
    if any(c not in (0, 1) for c in codes) or len(got) != registered:
        raise SystemExit("FAILED: concurrent")


def _intact(db: Path) -> bool:
    """A registry file that is absent or passes `PRAGMA integrity_check`."""
    if not db.exists():
        return True
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return bool(con.execute("PRAGMA integrity_check").fetchone()[0] == "ok")
    finally:
        con.close()


def full_disk(work: Path, inbox: Path) -> None:
    """A tmpfs too small for the outputs, then one too small for the registry: exit 3, registry intact."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        print("full disk: skipped (mounting a tmpfs needs root)")
        return
    for what, size in (("OUTDIR", "600k"), ("registry", "48k")):
        mnt = work / f"tmpfs-{what}"
        mnt.mkdir()
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mnt)], check=True)
        try:
            db = (mnt if what == "registry" else work) / f"disk-{what}.sqlite"
            out = (work if what == "registry" else mnt) / "out"
            proc = batch(inbox, out, db)
            proc.wait()
            message = (proc.stderr.read().decode(errors="replace") if proc.stderr else "").strip().splitlines()
            intact = _intact(db)
            left = [p.name for p in mnt.rglob("*") if is_temporary(p)]
            print(f"full disk under {what} ({size}): exit {proc.returncode}, message: {message[-1] if message else ''}"
                  f"; registry intact: {intact}; temporary files left: {len(left)}")
            if proc.returncode != 3 or left or not intact or "Traceback" in "\n".join(message):
                raise SystemExit(f"FAILED: full disk under {what}")
        finally:
            subprocess.run(["umount", str(mnt)], check=False)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kills", type=int, default=24)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--no-disk", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="award-faults-") as tmp:
        work = Path(tmp)
        inbox = work / "收件"
        print(f"inbox: {make_inbox(inbox)} files")
        failed = []
        registered = 0
        try:
            registered = kills(work, inbox, args.kills, random.Random(args.seed))
        except SystemExit as e:
            print(e)
            failed.append("kills")
        try:
            concurrent(work, inbox, registered)
        except SystemExit as e:
            print(e)
            failed.append("concurrent")
        if not args.no_disk:
            try:
                full_disk(work, inbox)
            except SystemExit as e:
                print(e)
                failed.append("full disk")
    print(f"faults: {'FAILED: ' + ', '.join(failed) if failed else 'all held'}")
    if failed:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
