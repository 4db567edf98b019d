"""`award batch --executor dask`: the same round through the local pool and through a real Dask LocalCluster (two
worker processes) gives byte-identical reports, documents and registration numbers — also when a worker is killed
in the middle of the run (its tasks are rerun on the other; nothing is lost or doubled)."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import threading
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import SAMPLES

from pipeline.batch import run_batch
from pipeline.cli import main
from pipeline.registry import Registry

BATCH = SAMPLES / "batch"
EXPECTED: dict[str, list[list[Any]]] = json.loads((BATCH / "expected.json").read_text(encoding="utf-8"))
PRINTED = SAMPLES / "pdf" / "applications"  # 78 printed forms: long enough to kill a worker in the middle


def _files(folder: Path) -> dict[str, bytes]:
    """Every output a person reads, by relative path, minus timings: the summary workbook aside (openpyxl stamps
    the time), an annotated copy as its parts with the comments' dates taken out (Word comments carry the time
    they were made, as the copy's zip entries do)."""
    out = {}
    for p in sorted(folder.rglob("*")):
        if not p.is_file() or p.suffix == ".xlsx" or p.name.startswith("."):
            continue
        key = p.relative_to(folder).as_posix()
        if key.startswith("annotated/"):
            with zipfile.ZipFile(p) as zf:
                parts = [(n, re.sub(rb'w:date="[^"]*"', b"", zf.read(n))) for n in sorted(zf.namelist())]
            out[key] = b"\0".join(n.encode() + b"\0" + data for n, data in parts)
        else:
            out[key] = p.read_bytes()
    return out


def _numbers(db: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(db) as conn:
        return sorted(conn.execute("SELECT reg_no, sha256 FROM applications").fetchall())


def _round(tmp: Path, source: Path, name: str, call: Any, **how: Any) -> tuple[Any, Path, Path]:
    out, db = tmp / f"out-{name}", tmp / f"{name}.sqlite"
    with Registry(db) as reg:
        result = run_batch(source, out, call, reg, members=BATCH / "members.csv", jobs=2, **how)
    return result, out, db


def test_local_and_dask_give_identical_reports_documents_and_numbers(tmp_path: Path, call: Any) -> None:
    archive = tmp_path / "round.zip"  # read from an archive by the coordinator: the workers see bytes only
    with zipfile.ZipFile(archive, "w") as zf:
        for p in sorted((BATCH / "applications").rglob("*")):
            if p.is_file():
                zf.write(p, p.relative_to(BATCH / "applications").as_posix())
    local, local_out, local_db = _round(tmp_path, archive, "local", call)
    dask, dask_out, dask_db = _round(tmp_path, archive, "dask", call, executor="dask")
    got = {r.source.path: sorted({(f.code, f.field) for f in r.report.findings if f.code.startswith("batch.")})
           for r in dask.rows}
    assert got == {k: sorted({(c, f) for c, f in v}) for k, v in EXPECTED.items()}  # the rules ran, as written
    assert [(r.source.path, r.reg_no) for r in dask.rows] == [(r.source.path, r.reg_no) for r in local.rows]
    assert _numbers(dask_db) == _numbers(local_db)
    theirs, ours = _files(local_out), _files(dask_out)
    assert sorted(ours) == sorted(theirs)
    assert any(k.startswith("letters/") for k in ours) and any(k.startswith("annotated/") for k in ours)
    assert [k for k in ours if ours[k] != theirs[k]] == []  # reports, annotated copies, letters: the same bytes
    assert (dask.new, dask.checked, dask.screened) == (local.new, local.checked, local.screened)


def test_a_worker_killed_mid_run_loses_and_doubles_nothing(tmp_path: Path, call: Any) -> None:
    from distributed import Client, LocalCluster

    local, local_out, local_db = _round(tmp_path, PRINTED, "local", call)
    db = tmp_path / "dask.sqlite"
    killed: list[int] = []
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        pids = client.run(os.getpid)

        def checked() -> int:
            if not db.is_file():
                return 0
            try:
                with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
                    return int(conn.execute(
                        "SELECT count(*) FROM applications WHERE file_report IS NOT NULL").fetchone()[0])
            except sqlite3.Error:
                return 0

        def kill_one() -> None:
            deadline = time.monotonic() + 120
            while checked() < 5 and time.monotonic() < deadline:
                time.sleep(0.05)
            if checked() < 60:  # in the middle of the run: both workers busy with their share of the window
                pid = sorted(pids.values())[0]
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)

        killer = threading.Thread(target=kill_one)
        killer.start()
        dask, dask_out, _ = _round(tmp_path, PRINTED, "dask", call, executor="dask",
                                   scheduler=cluster.scheduler_address)
        killer.join()
        client.wait_for_workers(2, timeout=60)  # the nanny started a new worker in place of the killed one
        after = client.run(os.getpid)
    assert killed and killed[0] not in after.values()
    assert _numbers(db) == _numbers(local_db) and len(_numbers(db)) == 77  # none lost, none doubled
    numbers = [n for n, _ in _numbers(db)]
    assert numbers == [f"2021-{i:04d}" for i in range(1, 78)]  # dense, in path order
    assert [(r.source.path, r.reg_no) for r in dask.rows] == [(r.source.path, r.reg_no) for r in local.rows]
    theirs, ours = _files(local_out), _files(dask_out)
    assert sorted(ours) == sorted(theirs) and [k for k in ours if ours[k] != theirs[k]] == []


def test_the_command_line_names_the_executor(tmp_path: Path) -> None:
    runner = CliRunner()
    r = runner.invoke(main, ["--db", str(tmp_path / "r.sqlite"), "batch", str(BATCH / "applications"), "-o",
                             str(tmp_path / "out"), "--executor", "local", "--scheduler", "tcp://127.0.0.1:8786"])
    assert r.exit_code == 2 and "--scheduler 只用于 --executor dask" in r.output
    assert not (tmp_path / "r.sqlite").exists()
    r = runner.invoke(main, ["--db", str(tmp_path / "r.sqlite"), "batch", str(BATCH / "applications"), "-o",
                             str(tmp_path / "out"), "--executor", "dask", "--jobs", "2", "--dry-run"])
    assert r.exit_code == 0 and "2021-0001" in r.output, r.output
    assert not (tmp_path / "r.sqlite").exists()  # a dry run on the cluster changes nothing either


@pytest.fixture(autouse=True)
def _no_stray_cluster() -> Any:
    """Every LocalCluster a test starts is gone when it ends (a batch starts nothing it leaves running)."""
    before = {t.name for t in threading.enumerate()}
    yield
    time.sleep(0.2)
    left = [t.name for t in threading.enumerate() if t.name not in before and not t.daemon]
    assert left == [], left


def test_ctrl_c_stops_a_dask_run_cleanly_and_the_same_command_finishes_it(tmp_path: Path) -> None:
    from test_cli import _award, _checked, _interrupt

    db = tmp_path / "r.sqlite"
    args = ("--db", str(db), "batch", str(PRINTED), "-o", str(tmp_path / "out"), "--executor", "dask", "--jobs", "2")
    code, err = _interrupt(_award(*args, cwd=tmp_path), lambda: _checked(db) >= 3)
    assert code == 130 and "已中断：已保存" in err, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err  # the workers ignore it: no noise
    again = _award(*args, cwd=tmp_path)
    _, err = again.communicate(timeout=300)
    assert again.returncode == 1, err  # every printed sample has findings of error severity
    assert [n for n, _ in _numbers(db)] == [f"2021-{i:04d}" for i in range(1, 78)]
