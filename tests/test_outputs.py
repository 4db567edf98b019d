"""Writing outputs: never over an input, through symlinks, into devices and FIFOs, `-o -`, no silent folders."""

from __future__ import annotations

import json
import os
import stat
import threading
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import APPS, ROOT

from pipeline.cli import main
from pipeline.errors import OutputError
from pipeline.fileio import atomic_write, inputs_protected, output_dir, write_bytes, write_text

VALID = APPS / "valid.docx"
NOTICE = ROOT / "samples" / "notices" / "call-2021.txt"


def invoke(*args: str) -> Any:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def form(tmp_path: Path) -> Path:
    """A copy of the valid application the commands may be tempted to overwrite."""
    path = tmp_path / "申报书.docx"
    path.write_bytes(VALID.read_bytes())
    return path


def test_check_o_refuses_its_input(form: Path) -> None:
    before = form.read_bytes()
    r = invoke("check", str(form), "-o", str(form))
    assert r.exit_code == 3 and f"不能写入 {form}" in r.stderr and "本命令读取的文件" in r.stderr
    assert form.read_bytes() == before and "Traceback" not in r.output
    r = invoke("--lang", "en", "check", str(form), "-o", str(form))
    assert r.exit_code == 3 and "refusing to write" in r.stderr and form.read_bytes() == before


def test_check_o_refuses_its_input_by_inode_and_through_a_symlink(form: Path, tmp_path: Path) -> None:
    before = form.read_bytes()
    hard = tmp_path / "hard.docx"
    os.link(form, hard)
    link = tmp_path / "link.docx"
    link.symlink_to(form.name)
    for target in (hard, link):
        r = invoke("check", str(form), "--format", "json", "-o", str(target))
        assert r.exit_code == 3 and str(target) in r.stderr
    assert form.read_bytes() == before and link.is_symlink()


def test_annotate_refuses_its_input_and_a_later_input_of_several(form: Path, tmp_path: Path) -> None:
    before = form.read_bytes()
    link = tmp_path / "copy.docx"
    link.symlink_to(form)
    assert invoke("check", str(form), "--annotate", str(link)).exit_code == 3
    assert form.read_bytes() == before
    # With several files the copies go into a folder; one named like a copy of another input is refused too.
    other = tmp_path / "a.docx"
    other.write_bytes((APPS / "phone-format.docx").read_bytes())
    victim = tmp_path / "a-批注.docx"
    victim.write_bytes(before)
    r = invoke("check", str(other), str(victim), "--annotate", str(tmp_path))
    assert r.exit_code == 3 and victim.read_bytes() == before


def test_another_command_refuses_its_input(tmp_path: Path) -> None:
    source = tmp_path / "notice.txt"
    source.write_bytes(NOTICE.read_bytes())
    r = invoke("notice", str(source), "-o", str(source))
    assert r.exit_code == 3 and source.read_bytes() == NOTICE.read_bytes()
    # The registry is an input of every command: a document written over it would destroy the round.
    db = tmp_path / "award.sqlite"
    db.write_bytes(b"registry")
    r = invoke("--db", str(db), "form", "-o", str(db))
    assert r.exit_code == 3 and db.read_bytes() == b"registry"


def test_a_symlink_is_written_at_its_target(form: Path, tmp_path: Path) -> None:
    real = tmp_path / "reports" / "r.json"
    real.parent.mkdir()
    real.write_text("old")
    link = tmp_path / "latest.json"
    link.symlink_to(real)
    assert invoke("check", str(form), "--format", "json", "-o", str(link)).exit_code == 0
    assert link.is_symlink() and json.loads(real.read_text(encoding="utf-8"))["status"] == "pass"
    dangling = tmp_path / "next.json"
    dangling.symlink_to(tmp_path / "reports" / "new.json")
    assert invoke("check", str(form), "--format", "json", "-o", str(dangling)).exit_code == 0
    assert dangling.is_symlink() and (tmp_path / "reports" / "new.json").is_file()


def test_dev_null_stays_a_device(form: Path) -> None:
    r = invoke("check", str(form), "-o", "/dev/null")
    assert r.exit_code == 0 and stat.S_ISCHR(os.stat("/dev/null").st_mode)
    r = invoke("form", "-o", "/dev/null")
    assert r.exit_code == 0 and stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_a_full_device_is_exit_3_in_words(form: Path) -> None:
    assert Path("/dev/full").exists()  # every Linux has it: writes to it fail with ENOSPC
    r = invoke("check", str(form), "-o", "/dev/full")
    assert r.exit_code == 3 and "磁盘空间不足" in r.stderr and "/dev/full" in r.stderr
    r = invoke("--lang", "en", "check", str(form), "-o", "/dev/full")
    assert r.exit_code == 3 and "no space left" in r.stderr


def test_a_fifo_is_written_directly(form: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    try:
        r = invoke("check", str(form), "--format", "json", "-o", str(fifo))
    finally:
        if reader.is_alive() and not got:  # unblock the reader if the command never opened the FIFO
            with open(fifo, "wb"):
                pass
        reader.join(10)
    assert r.exit_code == 0 and json.loads(got[0])["status"] == "pass"
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_dash_is_standard_output(form: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    r = invoke("check", str(form), "--format", "json", "-o", "-")
    assert r.exit_code == 0 and json.loads(r.stdout)["status"] == "pass"
    r = invoke("form", "-o", "-")
    assert r.exit_code == 0 and r.stdout_bytes.startswith(b"PK\x03\x04") and "已写出空白申报书" in r.stderr
    r = invoke("notice", str(NOTICE), "-o", "-")
    assert r.exit_code == 0 and r.stdout_bytes.startswith(b"PK\x03\x04")
    assert invoke("notice", str(NOTICE), "-o", "-", "--pdf").exit_code == 2
    assert not (tmp_path / "-").exists()


def test_a_missing_folder_is_an_error_not_created(form: Path, tmp_path: Path) -> None:
    for args in (("check", str(form), "--format", "html", "-o"), ("check", str(form), "--annotate"), ("form", "-o"),
                 ("notice", str(NOTICE), "-o")):
        target = tmp_path / "missing" / "x.out"
        r = invoke(*args, str(target))
        assert r.exit_code == 3, args
        assert f"无法写入 {target}" in r.stderr and "文件夹" in r.stderr and "不存在" in r.stderr
        assert not (tmp_path / "missing").exists()
    r = invoke("--lang", "en", "form", "-o", str(tmp_path / "missing" / "f.docx"))
    assert r.exit_code == 3 and "does not exist" in r.stderr and "无法" not in r.stderr


def test_a_folder_as_output_file_is_an_error(form: Path, tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="文件夹"):
        write_text(tmp_path, "x")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OutputError, match="已有同名文件"):
        output_dir(blocker)


def test_regular_files_are_replaced_atomically_keeping_their_mode(tmp_path: Path) -> None:
    target = tmp_path / "r.txt"
    target.write_text("old")
    target.chmod(0o600)

    def fails(fh: Any) -> None:
        fh.write(b"half")
        raise RuntimeError("renderer failed")

    with pytest.raises(RuntimeError):
        atomic_write(target, fails)
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["r.txt"]
    write_bytes(target, b"new")
    assert target.read_bytes() == b"new" and stat.S_IMODE(target.stat().st_mode) == 0o600


def test_inputs_protected_is_the_library_guard(tmp_path: Path) -> None:
    src = tmp_path / "in.docx"
    src.write_bytes(b"x")
    with inputs_protected([src]), pytest.raises(OutputError, match="本命令读取的文件"):
        write_bytes(tmp_path / "." / "in.docx", b"y")
    assert src.read_bytes() == b"x"
    write_bytes(src, b"y")  # outside the guard the library writes where it is told
    assert src.read_bytes() == b"y"
