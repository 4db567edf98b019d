"""The registry: global options anywhere, read-only commands never create one, a call id of its own, faults."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import APPS, ROOT

from pipeline.cli import main
from pipeline.registry import MIGRATIONS, Registry, RegistryError

JUDGES = ROOT / "samples" / "judges.csv"


def invoke(*args: str) -> Any:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def other_call(tmp_path: Path) -> Path:
    """A copy of the 2021 call folder under another id, as next year's would be."""
    folder = tmp_path / "saq-2022"
    shutil.copytree(ROOT / "schemas" / "saq-2021", folder)
    yaml = folder / "call.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8").replace("id: saq-2021", "id: saq-2022", 1), encoding="utf-8")
    return folder


def files_of(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# --- point 3: options, missing registries, the call id ---------------------------------------------------

READERS: list[tuple[str, ...]] = [
    ("review", "assign", "--judges", str(JUDGES)),
    ("review", "forms", "-o", "{tmp}/forms"),
    ("review", "results", "-o", "{tmp}/results.xlsx"),
    ("letters", "-o", "{tmp}/letters"),
    ("decision", "-o", "{tmp}/decision.docx", "--number", "沪质协〔2021〕1号"),
    ("certificates", "-o", "{tmp}/certs", "--no-pdf", "--sample-seal"),
    ("casebook", "-o", "{tmp}/casebook.docx", "--no-pdf"),
]


@pytest.mark.parametrize("args", READERS, ids=lambda a: " ".join(a[:2]))
def test_commands_that_read_never_create_a_registry(tmp_path: Path, args: tuple[str, ...],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    argv = [a.format(tmp=tmp_path) for a in args]
    r = invoke(*argv)  # the default registry: award.sqlite in the working folder
    assert r.exit_code == 3 and "登记库 award.sqlite 不存在，请先运行 award batch" in r.stderr
    db = tmp_path / "sub" / "r.sqlite"
    r = invoke(*argv, "--db", str(db), "--lang", "en")  # the options after the subcommand
    assert r.exit_code == 3 and f"the registry {db} does not exist; run award batch first" in r.stderr
    assert files_of(tmp_path) == [], files_of(tmp_path)


def test_global_options_before_or_after_the_subcommand(tmp_path: Path) -> None:
    db = tmp_path / "r.sqlite"
    before = invoke("--lang", "en", "--db", str(db), "review", "results", "-o", str(tmp_path / "x.xlsx"))
    after = invoke("review", "results", "-o", str(tmp_path / "x.xlsx"), "--db", str(db), "--lang", "en")
    between = invoke("review", "--db", str(db), "--lang", "en", "results", "-o", str(tmp_path / "x.xlsx"))
    assert before.exit_code == after.exit_code == between.exit_code == 3
    assert before.stderr == after.stderr == between.stderr and str(db) in after.stderr
    r = invoke("check", str(APPS / "project-name-too-long.docx"), "--lang", "en")
    assert r.exit_code == 1 and "must be at most 30 characters" in r.output
    r = invoke("check", str(APPS / "valid.docx"), "--call", str(tmp_path / "no-such-call"))
    assert r.exit_code == 3 and "no-such-call" in r.stderr
    assert "--db" in invoke("review", "results", "--help").output


def test_a_registry_records_its_call_and_refuses_another(tmp_path: Path) -> None:
    db = tmp_path / "r.sqlite"
    Registry(db, call_id="saq-2021").close()
    con = sqlite3.connect(db)
    assert con.execute("SELECT value FROM _registry WHERE key = 'call'").fetchall() == [("saq-2021",)]
    con.close()
    with pytest.raises(RegistryError) as e:
        Registry(db, call_id="saq-2022")
    assert "saq-2021" in e.value.message_zh and "saq-2022" in e.value.message_zh and str(db) in e.value.message_zh
    r = invoke("--call", str(other_call(tmp_path)), "letters", "-o", str(tmp_path / "l"), "--db", str(db))
    assert r.exit_code == 3 and "saq-2021" in r.stderr and "saq-2022" in r.stderr and str(db) in r.stderr
    r = invoke("--lang", "en", "--call", str(other_call(tmp_path / "2")), "letters", "-o", str(tmp_path / "l"),
               "--db", str(db))
    assert r.exit_code == 3 and "belongs to the call saq-2021, not saq-2022" in r.stderr
    Registry(db, call_id="saq-2021").close()  # its own call still opens it


def test_a_registry_made_before_call_ids_is_judged_by_its_rows(tmp_path: Path) -> None:
    db = tmp_path / "old.sqlite"
    with Registry(db) as reg:  # no call given: nothing is recorded, as in a registry of an earlier version
        reg.register("saq-2021", "a" * 64, "a.docx", "2021-", 4)
        reg.conn.execute("DROP TABLE _registry")
        reg.conn.execute("DELETE FROM _migrations WHERE number = 5")
    with pytest.raises(RegistryError, match="saq-2021"):
        Registry(db, call_id="saq-2022")
    with Registry(db, call_id="saq-2021") as reg:  # migrated, and now it says whose it is
        assert reg.conn.execute("SELECT value FROM _registry").fetchall() == [("saq-2021",)]


def test_batch_creates_the_registry_with_its_call(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copyfile(APPS / "valid.docx", folder / "a.docx")
    db = tmp_path / "r.sqlite"
    r = invoke("batch", str(folder), "-o", str(tmp_path / "out"), "--db", str(db))
    assert r.exit_code == 0
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT value FROM _registry WHERE key = 'call'").fetchone() == ("saq-2021",)
    r = invoke("--call", str(other_call(tmp_path)), "batch", str(folder), "-o", str(tmp_path / "o2"), "--db", str(db))
    assert r.exit_code == 3 and "saq-2022" in r.stderr and not (tmp_path / "o2").exists()
    r = invoke("batch", str(folder), "-o", str(tmp_path / "o3"), "--db", str(tmp_path / "missing" / "r.sqlite"))
    assert r.exit_code == 3 and "不存在" in r.stderr and not (tmp_path / "missing").exists()


# --- point 9: the registry under faults ------------------------------------------------------------------

def snapshot(path: Path) -> tuple[bytes, list[str]]:
    return path.read_bytes(), files_of(path.parent)


@pytest.mark.parametrize("kind", ["empty", "text", "other-sqlite"])
def test_a_file_that_is_not_ours_is_refused_and_never_modified(tmp_path: Path, kind: str) -> None:
    db = tmp_path / "x.sqlite"
    if kind == "empty":
        db.write_bytes(b"")
    elif kind == "text":
        db.write_text("名称,金额\n甲,1\n", encoding="utf-8")
    else:
        con = sqlite3.connect(db)
        con.execute("CREATE TABLE people (name TEXT)")
        con.execute("INSERT INTO people VALUES ('x')")
        con.commit()
        con.close()
    before = snapshot(db)
    with pytest.raises(RegistryError, match="不是登记库") as e:
        Registry(db, call_id="saq-2021")
    assert "未做任何改动" in e.value.message_zh and str(db) in e.value.message_zh
    r = invoke("batch", str(APPS / "valid.docx").rsplit("/", 1)[0], "-o", str(tmp_path / "out"), "--db", str(db))
    assert r.exit_code == 3 and "不是登记库" in r.stderr and "Traceback" not in r.output
    assert snapshot(db) == before
    if kind == "other-sqlite":
        with sqlite3.connect(db) as con:
            assert con.execute("PRAGMA journal_mode").fetchone() == ("delete",)


def test_a_damaged_registry_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    db = tmp_path / "r.sqlite"
    with Registry(db, call_id="saq-2021") as reg:
        for i in range(300):
            reg.register("saq-2021", f"{i:064d}", f"f{i}.docx", "2021-", 4)
    data = bytearray(db.read_bytes())
    page = 4096
    assert len(data) > 6 * page
    data[3 * page:4 * page] = bytes(range(256)) * (page // 256)  # one page of a table or an index overwritten
    db.write_bytes(bytes(data))
    before = snapshot(db)
    with pytest.raises(RegistryError, match="已损坏") as e:
        Registry(db, call_id="saq-2021")
    assert str(db) in e.value.message_zh and "备份" in e.value.message_zh
    r = invoke("--lang", "en", "letters", "-o", str(tmp_path / "l"), "--db", str(db))
    assert r.exit_code == 3 and "is damaged" in r.stderr
    assert snapshot(db) == before


def test_a_full_disk_and_a_read_only_registry_have_their_own_messages(tmp_path: Path) -> None:
    db = tmp_path / "r.sqlite"
    with Registry(db, call_id="saq-2021") as reg:
        pages = reg.conn.execute("PRAGMA page_count").fetchone()[0]
        reg.conn.execute(f"PRAGMA max_page_count = {pages}")  # SQLite's own SQLITE_FULL, as on a full disk
        with pytest.raises(RegistryError, match="磁盘已满") as e:
            for i in range(500):
                reg.register("saq-2021", f"{i:064d}", "p" * 200 + str(i), "2021-", 4)
        assert str(db) in e.value.message_zh
    with sqlite3.connect(db) as con:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    # Root ignores file modes, so the read-only case is SQLite's own refusal on a read-only connection.
    ro = sqlite3.connect(db.resolve().as_uri() + "?mode=ro", uri=True)
    with pytest.raises(sqlite3.OperationalError) as raw:
        ro.execute("INSERT INTO counters VALUES ('x', 1)")
    ro.close()
    with Registry(db, call_id="saq-2021") as reg:
        err = reg._error(raw.value)
    assert "只读" in err.message_zh and "read-only" in err.message_en and str(db) in err.message_zh


def test_a_lock_has_its_own_message(tmp_path: Path) -> None:
    db = tmp_path / "r.sqlite"
    Registry(db, call_id="saq-2021").close()
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(RegistryError, match="正被其他程序使用") as e, \
                Registry(db, timeout=0.2, call_id="saq-2021") as reg:
            reg.register("saq-2021", "x" * 64, "a", "2021-", 4)
        assert str(db) in e.value.message_zh
    finally:
        holder.execute("ROLLBACK")
        holder.close()


CREATE = """
import sys, time
from pipeline.registry import Registry
db, start, n = sys.argv[1], float(sys.argv[2]), sys.argv[3]
time.sleep(max(0.0, start - time.time()))
with Registry(db, call_id="saq-2021") as reg:
    print(reg.register("saq-2021", n * 64, n + ".docx", "2021-", 4)[0])
"""


def test_creating_a_registry_is_race_free(tmp_path: Path) -> None:
    rounds, racers = 6, 4
    for k in range(rounds):
        db = tmp_path / f"r{k}.sqlite"
        start = time.time() + 1.5  # every process past its imports, then all open the missing file at once
        procs = [subprocess.Popen([sys.executable, "-c", CREATE, str(db), str(start), str(i)], cwd=ROOT,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for i in range(racers)]
        outs = [p.communicate(timeout=120) for p in procs]
        assert all(p.returncode == 0 for p in procs), [o[1] for o in outs]
        numbers = sorted(o[0].strip() for o in outs)
        assert numbers == [f"2021-{i:04d}" for i in range(1, racers + 1)]
        with sqlite3.connect(db) as con:
            assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            assert con.execute("SELECT count(*) FROM _migrations").fetchone()[0] == len(MIGRATIONS)
        assert not [n for n in os.listdir(tmp_path) if n.endswith(".new")]  # no temporary registry left behind
