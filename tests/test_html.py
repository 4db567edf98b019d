"""The HTML report: self-contained, parseable, escaped, complete, and reachable through `award check --format html`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import lxml.html
import pytest
from click.testing import CliRunner
from conftest import APPS

from pipeline.check import check_bytes
from pipeline.check.codes import place
from pipeline.cli import main
from pipeline.model import Report
from pipeline.report.html import render_html

SAMPLES = ("several-problems-1.docx", "valid.docx", "blank-form.docx")


def report_of(call: Any, name: str, path: str | None = None) -> Report:
    """Check one committed sample, reported under `path` (default: its own path)."""
    return check_bytes((APPS / name).read_bytes(), path or str(APPS / name), call)


@pytest.fixture(scope="module")
def reports(call: Any) -> list[Report]:
    return [report_of(call, n) for n in SAMPLES]


@pytest.fixture(scope="module")
def page(reports: list[Report], call: Any) -> str:
    return render_html(reports, call)


def test_parses_and_is_chinese(page: str) -> None:
    doc = lxml.html.document_fromstring(page)
    assert doc.get("lang") == "zh-CN"
    assert doc.find(".//meta[@charset]").get("charset").lower() == "utf-8"
    assert "申报书自检报告" in page and "2021年上海市质量协会质量技术奖" in page
    # one summary row per file, one section per file
    assert len(doc.xpath("//table[contains(@class,'summary')]/tbody/tr")) == len(SAMPLES)
    assert len(doc.xpath("//section[contains(@class,'file')]")) == len(SAMPLES)


def test_self_contained(page: str) -> None:
    doc = lxml.html.document_fromstring(page)
    assert not doc.xpath("//script | //link | //img | //iframe | //object | //embed")
    low = page.lower()
    for bad in ("http://", "https://", "<link", "<script", "@import", "url(", "src="):
        assert bad not in low, bad
    assert "print-color-adjust: exact" in page and "@media print" in page and "size: A4" in page


def test_every_finding_is_shown(page: str, reports: list[Report], call: Any) -> None:
    text = lxml.html.document_fromstring(page).text_content()
    findings = [(f, r) for r in reports for f in r.findings]
    assert findings
    for f, r in findings:
        assert f.message in text
        assert f.message_en in text
        assert place(f, call, "zh", r.fields) in text and "表2第" not in text  # the form has no table numbers
        if f.field:
            assert f.field in text


def test_groups_by_section(page: str) -> None:
    doc = lxml.html.document_fromstring(page)
    first = doc.xpath("//section[contains(@class,'file')]")[0]
    titles = [t.text_content().strip() for t in first.xpath(".//tr[contains(@class,'group-title')]/td/span[1]")]
    assert titles == ["一、项目基本情况", "三、主要完成人", "十一、附件清单"]


def test_clean_file_says_so(page: str) -> None:
    doc = lxml.html.document_fromstring(page)
    valid = doc.xpath("//section[contains(@class,'file')]")[1]
    assert "未发现问题" in valid.text_content()
    assert not valid.xpath(".//tr[contains(@class,'finding')]")
    assert "通过" in valid.text_content()


def test_status_badges(page: str) -> None:
    doc = lxml.html.document_fromstring(page)
    cells = doc.xpath("//table[contains(@class,'summary')]//span[contains(@class,'badge')]")
    badges = [b.text_content() for b in cells]
    assert badges == ["未通过", "通过", "未通过"]


def test_hostile_file_name_is_escaped(call: Any) -> None:
    hostile = "<script>alert('x')</script>&<b>evil</b>\".docx"
    page = render_html([report_of(call, "several-problems-1.docx", hostile)], call)
    assert "<script>" not in page and "<b>evil" not in page
    assert "&lt;script&gt;" in page and "&amp;&lt;b&gt;" in page
    doc = lxml.html.document_fromstring(page)
    assert not doc.xpath("//script | //b")
    assert hostile in doc.text_content()


def test_english(reports: list[Report], call: Any) -> None:
    page = render_html(reports, call, "en")
    doc = lxml.html.document_fromstring(page)
    assert doc.get("lang") == "en"
    text = doc.text_content()
    assert "Self-Check Report" in text and "No problems found" in text
    for f in reports[0].findings:
        assert f.message_en in text
        assert f.message not in text


def invoke(*args: str) -> Any:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_cli_html_exit_codes(tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    bad = invoke("check", "--format", "html", "-o", str(out), str(APPS / "several-problems-1.docx"))
    assert bad.exit_code == 1
    assert "field.too_long" in out.read_text(encoding="utf-8")
    good = invoke("check", "--format", "html", str(APPS / "valid.docx"))
    assert good.exit_code == 0
    assert good.output.lstrip().startswith("<!DOCTYPE html>") and "未发现问题" in good.output


def test_cli_html_english() -> None:
    r = invoke("--lang", "en", "check", "--format", "html", str(APPS / "several-problems-1.docx"))
    assert r.exit_code == 1
    assert '<html lang="en">' in r.output
    assert "must be at most 30 characters (now 38)" in r.output
    assert "项目名称不得超过30字" not in r.output


def test_cli_does_not_import_jinja2_eagerly() -> None:
    import subprocess
    import sys

    code = "import sys, pipeline.cli; print('jinja2' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
