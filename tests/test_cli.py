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
