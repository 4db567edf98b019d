"""The GB/T 9704 checker: the seed notice's findings, none on our own notices, page setup and fonts of a .docx."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import docx
import jsonschema
import pytest
from click.testing import CliRunner
from conftest import ROOT
from docx.shared import Mm, Pt

from pipeline.check.codes import CODES
from pipeline.check.gongwen import check_notice
from pipeline.cli import main
from pipeline.notice import parse_notice
from pipeline.render.documents import render_notice

SEED = ROOT.parent / "shared" / "seed" / "notice-2021.txt"
SOURCE = ROOT / "samples" / "notices" / "call-2021.txt"


def codes(report: Any) -> list[str]:
    return [f.code for f in report.findings]


def test_seed_notice(call: Any) -> None:
    r = check_notice(SEED, call)
    numbers = [f for f in r.findings if f.code == "gongwen.doc_number"]
    assert numbers[0].actual == "沪质协[2021] 14 号" and numbers[0].expected == "沪质协〔2021〕14号"
    assert "gongwen.obsolete_element" in codes(r)
    assert any("主题词" in f.actual for f in r.findings if f.code == "gongwen.obsolete_element")
    assert "gongwen.heading" in codes(r) and "gongwen.attachment" in codes(r)
    assert r.status == "fail" and r.fields == {}


def test_every_gongwen_code_is_in_the_catalogue() -> None:
    for code in ("doc_number", "date", "heading", "attachment", "addressee", "obsolete_element", "page_setup",
                 "font", "closing"):
        assert f"gongwen.{code}" in CODES


def test_own_source_and_docx_are_clean(call: Any, tmp_path: Path) -> None:
    assert check_notice(SOURCE, call).findings == ()
    out = render_notice(parse_notice(SOURCE.read_text(encoding="utf-8")), tmp_path / "n.docx")
    r = check_notice(out, call)
    assert r.findings == () and r.file.format == "docx"


@pytest.mark.parametrize("line, code, expected", [
    ("沪质协〔2021〕014号", "gongwen.doc_number", "沪质协〔2021〕14号"),
    ("沪质协〔2021〕第14号", "gongwen.doc_number", "沪质协〔2021〕14号"),
    ("沪质协［2021］14号", "gongwen.doc_number", "沪质协〔2021〕14号"),
    ("二〇二一年五月二十六日", "gongwen.date", "2021年5月26日"),
    ("2021年05月26日", "gongwen.date", "2021年5月26日"),
    ("2021-05-26", "gongwen.date", "2021年5月26日"),
    ("主题词：通知", "gongwen.obsolete_element", None),
    ("抄送：上海市科学技术奖励中心", "gongwen.closing", None),
])
def test_single_rules(call: Any, tmp_path: Path, line: str, code: str, expected: str | None) -> None:
    f = tmp_path / "n.txt"
    f.write_text(f"上海市质量协会\n\n{line}\n", encoding="utf-8")
    r = check_notice(f, call)
    assert [x.code for x in r.findings] == [code]
    if expected:
        assert r.findings[0].expected == expected


def test_headings_addressee_attachment(call: Any, tmp_path: Path) -> None:
    text = ("上海市质量协会\n沪质协〔2021〕1号\n关于某事的通知\n各单位:\n一、甲\n（一）乙\n（三）丙\n(1)丁\n二.戊\n"
            "附件:1、名称一。\n2.名称二\n上海市质量协会\n2021年5月26日\n")
    f = tmp_path / "n.txt"
    f.write_text(text, encoding="utf-8")
    found = {(x.code, x.actual) for x in check_notice(f, call).findings}
    assert ("gongwen.addressee", "各单位:") in found
    assert ("gongwen.heading", "（三）") in found  # out of sequence
    assert ("gongwen.heading", "(1)") in found and ("gongwen.heading", "二.") in found
    assert ("gongwen.attachment", "1、名称一。") in found
    assert ("gongwen.attachment", "附件:1、名称一。") in found


def test_page_setup_and_fonts_of_a_plain_docx(call: Any, tmp_path: Path) -> None:
    d = docx.Document()
    d.sections[0].top_margin = Mm(25)
    for text in ("上海市质量协会", "沪质协〔2021〕14号", "关于某事的通知", "各单位：", "正文一段。"):
        p = d.add_paragraph(text)
        p.runs[0].font.size = Pt(12)
    out = tmp_path / "plain.docx"
    d.save(str(out))
    r = check_notice(out, call)
    assert "gongwen.page_setup" in codes(r)
    page = next(f for f in r.findings if f.code == "gongwen.page_setup")
    assert "上边距应为37mm" in page.message
    fonts = [f for f in r.findings if f.code == "gongwen.font"]
    assert {f.message[:2] for f in fonts} == {"标题", "正文"}


def test_cli_exit_codes_and_json(call: Any) -> None:
    runner = CliRunner()
    r = runner.invoke(main, ["gongwen", str(SEED)])
    assert r.exit_code == 1 and "gongwen.doc_number" in r.output
    r = runner.invoke(main, ["gongwen", "--format", "json", str(SEED)])
    data = json.loads(r.output)
    assert r.exit_code == 1 and data == check_notice(SEED, call).to_dict() and data["fields"] == {}
    schema = json.loads((ROOT / "schemas" / "report.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, schema)
    assert runner.invoke(main, ["gongwen", str(SOURCE)]).exit_code == 0
    assert runner.invoke(main, ["gongwen", "missing.txt"]).exit_code == 2
    assert "dropped by GB/T 9704-2012" in runner.invoke(main, ["--lang", "en", "gongwen", str(SEED)]).output
