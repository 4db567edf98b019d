"""The command line contract: exit codes, --format json equal to the library's report, --lang, errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from conftest import APPS, ROOT

from pipeline.check import check_bytes
from pipeline.cli import main


def invoke(*args: str) -> Any:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_valid_exits_0() -> None:
    r = invoke("check", str(APPS / "valid.docx"))
    assert r.exit_code == 0 and "通过" in r.output


def test_errors_exit_1() -> None:
    r = invoke("check", str(APPS / "several-problems-1.docx"))
    assert r.exit_code == 1
    assert "field.too_long" in r.output and "三、主要完成人" in r.output


def test_warnings_exit_0_unless_strict() -> None:
    assert invoke("check", str(APPS / "summary-short.docx")).exit_code == 0
    assert invoke("check", "--strict", str(APPS / "summary-short.docx")).exit_code == 1


def test_json_equals_library_report(call: Any) -> None:
    path = APPS / "several-problems-2.docx"
    r = invoke("check", "--format", "json", str(path))
    assert r.exit_code == 1
    assert json.loads(r.output) == check_bytes(path.read_bytes(), str(path), call).to_dict()


def test_json_of_several_files_is_an_array() -> None:
    r = invoke("check", "--format", "json", str(APPS / "valid.docx"), str(APPS / "phone-format.docx"))
    data = json.loads(r.output)
    assert r.exit_code == 1 and [d["status"] for d in data] == ["pass", "fail"]


def test_english() -> None:
    r = invoke("--lang", "en", "check", str(APPS / "project-name-too-long.docx"))
    assert r.exit_code == 1 and "must be at most 30 characters" in r.output and "项目名称不得" not in r.output


def test_usage_error_exits_2(tmp_path: Path) -> None:
    assert invoke("check").exit_code == 2
    assert invoke("check", str(tmp_path / "missing.docx")).exit_code == 2
    assert invoke("check", "--format", "xml", str(APPS / "valid.docx")).exit_code == 2


def test_unwritable_output_exits_3(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    r = invoke("check", "-o", str(blocker / "sub" / "report.txt"), str(APPS / "valid.docx"))
    assert r.exit_code == 3 and "无法写入" in r.output


def test_bad_call_exits_3(tmp_path: Path) -> None:
    bad = tmp_path / "call"
    shutil.copytree(ROOT / "schemas" / "saq-2021", bad)
    text = (bad / "call.yaml").read_text(encoding="utf-8").replace("max_chars: 30,", "max_chars: thirty,", 1)
    (bad / "call.yaml").write_text(text, encoding="utf-8")
    r = invoke("--call", str(bad), "check", str(APPS / "valid.docx"))
    assert r.exit_code == 3 and "sections[0].fields[0].max_chars" in r.output


def test_annotate_one_and_several(tmp_path: Path) -> None:
    out = tmp_path / "copy.docx"
    r = invoke("check", "--annotate", str(out), str(APPS / "phone-format.docx"))
    assert r.exit_code == 1 and out.is_file()
    folder = tmp_path / "many"
    folder.mkdir()
    invoke("check", "--annotate", str(folder), str(APPS / "phone-format.docx"), str(APPS / "email-format.docx"))
    assert sorted(p.name for p in folder.iterdir()) == ["email-format-批注.docx", "phone-format-批注.docx"]


def test_annotate_refuses_to_overwrite_input(tmp_path: Path) -> None:
    src = tmp_path / "a.docx"
    data = (APPS / "phone-format.docx").read_bytes()
    src.write_bytes(data)
    r = invoke("check", "--annotate", str(src), str(src))
    assert r.exit_code == 3 and src.read_bytes() == data


def test_report_to_file(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    r = invoke("check", "--format", "json", "-o", str(out), str(APPS / "valid.docx"))
    assert r.exit_code == 0 and json.loads(out.read_text(encoding="utf-8"))["status"] == "pass"


def test_schema_check_passes_and_detects_staleness(tmp_path: Path) -> None:
    assert invoke("schema", "--check").exit_code == 0
    stale = tmp_path / "call"
    shutil.copytree(ROOT / "schemas" / "saq-2021", stale)
    text = (stale / "call.yaml").read_text(encoding="utf-8").replace("max: 5, blank: 5", "max: 6, blank: 6")
    (stale / "call.yaml").write_text(text, encoding="utf-8")
    assert invoke("--call", str(stale), "schema", "--check").exit_code == 1


def test_form_command(tmp_path: Path) -> None:
    out = tmp_path / "form.docx"
    assert invoke("form", "-o", str(out)).exit_code == 0
    r = invoke("check", str(out))
    assert r.exit_code == 1 and "项目名称为必填项" in r.output


# --- one vocabulary of options (issue 12, item 7) --------------------------------------------------------------

def _commands(group: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    import click

    out = []
    for name, cmd in sorted(group.commands.items()):
        if isinstance(cmd, click.Group):
            out += _commands(cmd, (*path, name))
        else:
            out.append(((*path, name), cmd))
    return out


def test_o_means_output_for_a_file_and_out_for_a_folder() -> None:
    import click

    seen = {}
    for path, cmd in _commands(main):
        for p in cmd.params:
            if isinstance(p, click.Option) and "-o" in p.opts:
                folder = isinstance(p.type, click.Path) and not p.type.file_okay
                shown = [o for o in p.opts if o not in getattr(p, "aliases", ())]
                seen[" ".join(path)] = shown
                assert shown == (["-o", "--out"] if folder else ["-o", "--output"]), path
                help_text = invoke(*path, "--help").output
                assert (" --output " in help_text) != folder and (" --out " in help_text) == folder, path
    # every command that writes takes -o, the demo too
    assert set(seen) == {"form", "check", "batch", "demo", "notice", "letters", "decision", "certificates",
                         "review forms", "review results", "audit export", "publicity", "casebook"}
    assert seen["demo"] == seen["batch"] == seen["review forms"] == ["-o", "--out"]


def test_old_spellings_still_work(tmp_path: Path) -> None:
    # review forms used -o/--output for its folder: still accepted (it then fails for want of a registry: 3, not 2)
    r = invoke("--db", str(tmp_path / "none.sqlite"), "review", "forms", "--output", str(tmp_path / "f"))
    assert r.exit_code == 3 and "award batch" in r.output
    out = tmp_path / "form.docx"
    assert invoke("form", "--out", str(out)).exit_code == 0 and out.is_file()
    r = invoke("--db", str(tmp_path / "none.sqlite"), "certificates", "--no-pdf", "--sample-seal", "--out", str(tmp_path / "c"))
    assert r.exit_code == 3 and "award batch" in r.output


def test_pdf_option_the_same_everywhere() -> None:
    import click

    pdf = {}
    for path, cmd in _commands(main):
        for p in cmd.params:
            if isinstance(p, click.Option) and "--pdf" in p.opts:
                pdf[" ".join(path)] = (tuple(p.opts), tuple(p.secondary_opts), p.default, p.help)
    assert set(pdf) == {"notice", "letters", "decision", "certificates", "review forms", "publicity", "casebook"}
    assert len(set(pdf.values())) == 1
    opts, secondary, default, _ = next(iter(pdf.values()))
    assert opts == ("--pdf",) and secondary == ("--no-pdf",) and default is None


NOTICE_SOURCE = ROOT / "samples" / "notices" / "call-2021.txt"


def test_pdf_default_required_and_skipped_without_libreoffice(tmp_path: Path, monkeypatch: Any) -> None:
    from pipeline import office as pdf

    monkeypatch.setattr(pdf, "soffice", lambda: None)
    r = invoke("notice", str(NOTICE_SOURCE), "-o", str(tmp_path / "a.docx"))
    assert r.exit_code == 0 and (tmp_path / "a.docx").is_file() and "已跳过 PDF" in r.output
    r = invoke("notice", str(NOTICE_SOURCE), "-o", str(tmp_path / "b.docx"), "--pdf")
    assert r.exit_code == 3 and "LibreOffice" in r.output and not (tmp_path / "b.docx").exists()
    r = invoke("notice", str(NOTICE_SOURCE), "-o", str(tmp_path / "c.docx"), "--no-pdf")
    assert r.exit_code == 0 and "PDF" not in r.output
    r = invoke("--lang", "en", "notice", str(NOTICE_SOURCE), "-o", "-", "--pdf")
    assert r.exit_code == 2 and "--pdf needs a file name" in r.output


def test_letters_write_pdfs_by_default(tmp_path: Path, call: Any) -> None:
    # not a skip: `make test` installs LibreOffice, and these PDFs are part of what is promised
    assert shutil.which("soffice") or shutil.which("libreoffice"), "LibreOffice is missing: run make setup"
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("0001-申报书.docx", "0002-申报书.docx"):
        shutil.copy(ROOT / "samples" / "round" / name, folder / name)
    db = str(tmp_path / "r.sqlite")
    assert invoke("--db", db, "batch", str(folder), "-o", str(tmp_path / "out"), "--jobs", "1").exit_code == 0
    r = invoke("--db", db, "letters", "-o", str(tmp_path / "l"), "--date", "2021-08-06")
    assert r.exit_code == 0
    names = sorted(p.name for p in (tmp_path / "l").iterdir())
    assert names == ["2021-0001-受理通知.docx", "2021-0001-受理通知.pdf", "2021-0002-受理通知.docx",
                     "2021-0002-受理通知.pdf"]
    r = invoke("--db", db, "letters", "-o", str(tmp_path / "l2"), "--date", "2021-08-06", "--no-pdf")
    assert r.exit_code == 0 and not list((tmp_path / "l2").glob("*.pdf"))


# --- click's own usage errors, in Chinese (English with --lang en) --------------------------------------------

def test_click_errors_in_chinese(tmp_path: Path) -> None:
    cases = [
        (("batch", str(tmp_path)), "缺少选项 -o / --out"),
        (("decision",), "缺少选项 -o / --output"),
        (("check",), "缺少参数 FILES"),
        (("check", str(tmp_path / "x.docx")), "文件“" + str(tmp_path / "x.docx") + "”不存在"),
        (("check", "--format", "xml", str(APPS / "valid.docx")), "“xml”不是可选的值"),
        (("batch", str(tmp_path), "-o", str(tmp_path / "o"), "--jobs", "many"), "“many”不是有效的整数"),
        (("frobnicate",), "没有命令“frobnicate”"),
        (("form", "extra"), "多余的参数：extra"),
        (("form", "--outt"), "没有选项 --outt"),
        (("form", "-o"), "选项 -o 后面需要一个值"),
    ]
    for args, needle in cases:
        r = invoke(*args)
        assert r.exit_code == 2, args
        assert needle in r.output and "错误：" in r.output, (args, r.output)
        assert "用法：award" in r.output or args == ("form", "-o"), args  # click gives no usage line for that one
        assert "Error" not in r.output and "Usage" not in r.output and "Missing" not in r.output, args


def test_click_errors_in_english_wherever_lang_is(tmp_path: Path) -> None:
    for args in (("--lang", "en", "batch", str(tmp_path)), ("batch", str(tmp_path), "--lang", "en"),
                 ("batch", "--lang=en", str(tmp_path))):
        r = invoke(*args)
        assert r.exit_code == 2 and "Error: Missing option '-o' / '--out'." in r.output and "缺少" not in r.output
    r = invoke("check", str(tmp_path / "x.docx"), "--lang", "en")
    assert r.exit_code == 2 and "does not exist" in r.output
    r = invoke("form", "--outt", "--lang", "en")  # the hidden spelling is never suggested
    assert r.exit_code == 2 and "No such option" in r.output and "'--out'" not in r.output


def test_help_hides_the_old_spellings() -> None:
    text = invoke("review", "forms", "--help").output
    assert "-o, --out DIRECTORY" in text and "--output" not in text
    text = invoke("decision", "--help").output
    assert "-o, --output FILE" in text and "--out " not in text and "--pdf / --no-pdf" in text


def test_shell_completion_script() -> None:
    import os
    import subprocess
    import sys

    env = dict(os.environ, _AWARD_COMPLETE="bash_source", PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", "import sys; from pipeline.cli import main; sys.argv[0] = 'award'; "
                           "main(prog_name='award')"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "_award_completion" in done.stdout and "complete -o" in done.stdout


# --- progress: a protocol in the library, drawn by the command line -----------------------------------------

class Recorder:
    def __init__(self) -> None:
        self.phases: list[tuple[str, int | None, int]] = []
        self.notes: list[str] = []

    def phase(self, zh: str, en: str, total: int | None = None, done: int = 0) -> None:
        self.phases.append((zh, total, done))

    def advance(self, n: int = 1) -> None:
        zh, total, done = self.phases[-1]
        self.phases[-1] = (zh, total, done + n)

    def note(self, zh: str, en: str) -> None:
        self.notes.append(zh)


def test_batch_reports_its_output_phase(tmp_path: Path, call: Any) -> None:
    from pipeline.batch import run_batch
    from pipeline.registry import Registry

    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(APPS / "valid.docx", folder / "a.docx")
    shutil.copy(APPS / "phone-format.docx", folder / "b.docx")  # the same project as a.docx: both have errors
    shown = Recorder()
    with Registry(tmp_path / "r.sqlite", call_id=call.id) as reg:
        run_batch(folder, tmp_path / "out", call, reg, jobs=1, progress=shown)
    # checking 2 of 2, then the outputs: the batch rules, 4 documents (an annotated copy and a return letter
    # each: the two forms are the same project, batch.duplicate_project), the summaries
    assert shown.phases == [("检查", 2, 2), ("写出结果", None, 0), ("写出结果", 4, 4), ("写出汇总表", None, 0)]
    again = Recorder()
    with Registry(tmp_path / "r.sqlite", call_id=call.id) as reg:
        run_batch(folder, tmp_path / "out", call, reg, jobs=1, progress=again)
    assert again.notes == ["2 份未变化，使用缓存结果"] and again.phases[0] == ("检查", 2, 2)


def test_no_progress_drawn_when_not_a_terminal(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(APPS / "valid.docx", folder / "a.docx")
    r = invoke("--db", str(tmp_path / "r.sqlite"), "batch", str(folder), "-o", str(tmp_path / "out"), "--jobs", "1")
    assert r.exit_code == 0 and "━" not in r.output and "检查" not in r.output.replace("检查 1", "")


# --- Ctrl-C: exit 130, saying what was saved; the registry intact ------------------------------------------------

def _award(*args: str, cwd: Path) -> Any:
    import os
    import subprocess
    import sys

    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, "-m", "pipeline", *args], cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def _checked(db: Path) -> int:
    import sqlite3

    if not db.is_file():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            return int(conn.execute("SELECT count(*) FROM applications WHERE file_report IS NOT NULL").fetchone()[0])
    except sqlite3.Error:
        return 0


def _interrupt(proc: Any, ready: Any, timeout: float = 120) -> tuple[int, str]:
    """Ctrl-C as a terminal sends it (SIGINT to the whole foreground process group) once `ready()`."""
    import os
    import signal
    import time

    deadline = time.monotonic() + timeout
    while not ready() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    assert proc.poll() is None, "finished before it could be interrupted"
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    return proc.returncode, err


def test_ctrl_c_during_batch_exits_130_and_keeps_what_was_saved(tmp_path: Path) -> None:
    import re
    import sqlite3

    db = tmp_path / "r.sqlite"
    inbox = ROOT / "samples" / "pdf" / "applications"  # 78 printed forms: long enough to be interrupted
    proc = _award("--db", str(db), "batch", str(inbox), "-o", str(tmp_path / "out"), "--jobs", "2", cwd=tmp_path)
    code, err = _interrupt(proc, lambda: _checked(db) >= 3)
    assert code == 130, err
    assert "Traceback" not in err and "错误" not in err
    saved = re.search(r"已中断：已保存 (\d+) 份的检查结果", err)
    assert saved is not None, err
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    assert _checked(db) == int(saved.group(1)) >= 3


def test_ctrl_c_during_demo_exits_130(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    proc = _award("demo", "-o", str(out), cwd=tmp_path)
    code, err = _interrupt(proc, lambda: len(list((out / "02-示例检查报告").glob("*.json"))) >= 3)
    assert code == 130 and "已中断：演示已停止" in err and "Traceback" not in err, err


def test_ctrl_c_during_a_pdf_conversion_exits_130(tmp_path: Path) -> None:
    # not a skip: `make test` installs LibreOffice, and these PDFs are part of what is promised
    assert shutil.which("soffice") or shutil.which("libreoffice"), "LibreOffice is missing: run make setup"
    out = tmp_path / "n.docx"
    proc = _award("--lang", "en", "notice", str(NOTICE_SOURCE), "-o", str(out), "--pdf", cwd=tmp_path)
    code, err = _interrupt(proc, out.is_file)  # the .docx is written, LibreOffice is converting it
    assert code == 130 and err.startswith("interrupted:") and "Traceback" not in err, err
    assert not list(tmp_path.glob("*.pdf")) or (tmp_path / "n.pdf").stat().st_size > 0


def test_ctrl_c_while_a_batch_writes_its_results_exits_130_and_a_rerun_finishes(tmp_path: Path) -> None:
    import sqlite3

    inbox = tmp_path / "in"
    inbox.mkdir()
    for pdf in sorted((ROOT / "samples" / "pdf" / "applications").glob("*.pdf"))[:30]:
        shutil.copy(pdf, inbox / pdf.name)  # most with errors: a return letter each, written after the checks
    db, out = tmp_path / "r.sqlite", tmp_path / "out"
    args = ("--db", str(db), "batch", str(inbox), "-o", str(out), "--jobs", "2")
    proc = _award(*args, cwd=tmp_path)
    code, err = _interrupt(proc, lambda: (out / "reports").is_dir() and any((out / "reports").iterdir()))
    assert code == 130 and "Traceback" not in err, err
    assert "已中断：已保存全部" in err and "汇总和文书未写完" in err, err
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    again = _award(*args, cwd=tmp_path)
    said, err = again.communicate(timeout=300)
    assert again.returncode == 1 and "缓存 30" in said, said + err
    assert (out / "summary.xlsx").is_file() and not list(out.rglob("*.tmp"))


def test_readme_names_every_demo_folder() -> None:
    from pipeline.demo import DIRS, ROUND_DB, SAMPLES_DB

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in [*DIRS.values(), ROUND_DB, SAMPLES_DB]:
        assert f"`{name}" in readme, name
    assert all(not name.isascii() for name in DIRS.values())  # named as staff name them, in Chinese
