"""The message catalogue: docs/messages.md is current, and the defects people read are gone (numbers as typed,
Chinese dates, no "None", locations as the form names them, OS errors in Chinese). Codes and fields are compared,
and a message's wording only where the defect is its wording."""

from __future__ import annotations

import datetime as dt
import errno
import json
import re
import string
from pathlib import Path
from typing import Any

import pytest
from conftest import APPS, ROOT, valid_values

from pipeline.check import check_bytes
from pipeline.check.codes import CODES, field_label, make, place
from pipeline.check.rules import run_rules
from pipeline.check.values import date_zh
from pipeline.fileio import read_reason, reason
from pipeline.messages_doc import DOC, messages_markdown
from pipeline.model import Application, Location
from pipeline.report.text import render_text

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
TABLE_NUMBER = re.compile(r"表\d|table \d")


def test_docs_messages_is_current() -> None:
    """docs/messages.md is what `python -m pipeline.messages_doc` writes now (run it after changing codes.py)."""
    assert DOC.read_text(encoding="utf-8") == messages_markdown(), "run: python -m pipeline.messages_doc"
    for code in CODES:
        assert f"`{code}`" in messages_markdown()


def test_every_code_fits_the_report_schema() -> None:
    schema = json.loads((ROOT / "schemas" / "report.schema.json").read_text(encoding="utf-8"))
    pattern = re.compile(schema["$defs"]["finding"]["properties"]["code"]["pattern"])
    assert all(pattern.match(code) for code in CODES)


@pytest.mark.parametrize("code", list(CODES))
def test_every_template_renders_with_nothing_given(code: str, call: Any) -> None:
    """A placeholder nobody fills reads as nothing: never "None", never a KeyError."""
    f = make(code, call)
    assert "None" not in f.message and "None" not in f.message_en and f.message and f.message_en
    names = {n for _, n, _, _ in string.Formatter().parse(CODES[code].zh) if n}
    assert names <= {n for _, n, _, _ in string.Formatter().parse(CODES[code].en) if n} | {"reason_zh", "example",
                                                                                         "window_zh", "format_zh"}


def test_a_typed_total_is_shown_as_typed(call: Any) -> None:
    """A typed 3000 is "3000" in the message's arguments (not 3000.0); the sum is a number without ".0"."""
    v = valid_values()
    v["benefits.total"]["sales"] = "3000"
    v["benefits.years"] = [dict(r, sales="1000") for r in v["benefits.years"]]
    v["benefits.years"][0]["sales"] = "999.5"
    found = [f for f in run_rules(Application(values=v), call) if f.code == "field.sum_mismatch"]
    assert [(f.field, f.actual, f.expected) for f in found] == [("benefits.total.sales", "3000", 2999.5)]
    v["benefits.years"][0]["sales"] = "500"
    found = [f for f in run_rules(Application(values=v), call) if f.code == "field.sum_mismatch"]
    assert [(f.actual, f.expected) for f in found] == [("3000", 2500)] and isinstance(found[0].expected, int)
    assert "3000.0" not in found[0].message and "2500.0" not in found[0].message


def test_dates_in_chinese_messages_read_as_chinese_dates(call: Any) -> None:
    assert date_zh(dt.date(2021, 5, 26)) == "2021年5月26日"
    v = valid_values()
    v["persons"][0]["birth"] = "2010年1月"  # too young on the reference day
    v["declaration.date"] = "2021年8月5日"  # after the window
    both = [f for f in run_rules(Application(values=v), call) if f.code == "field.date_window"]
    assert {f.field for f in both} == {"persons[0].birth", "declaration.date"}
    for f in both:
        assert not ISO_DATE.search(f.message), f.message
        assert "使" not in f.message  # "应在使2021-05-26时年龄在…" is gone
    assert any("2021年5月26日" in f.message for f in both)


def test_date_order_names_the_start_and_end_as_a_person_would(call: Any) -> None:
    v = valid_values()
    v["project.start_date"], v["project.end_date"] = "2021年1月", "2020年6月"
    f = next(f for f in run_rules(Application(values=v), call) if f.code == "field.date_order")
    assert (f.field, f.actual, f.expected) == ("project.end_date", "2020年6月", "2021年1月")
    assert field_label("project.end_date", call) == "项目结束时间"
    assert field_label("project.start_date", call) == "项目开始时间"
    assert "（止）" not in f.message and "（起）" not in f.message


def test_unsupported_type_names_every_accepted_type(call: Any) -> None:
    """sniff.py reads .docx and .pdf and legacy.py converts .doc and .wps: the message lists all four."""
    report = check_bytes(b"just some text, not a document", "x.docx", call)
    assert [f.code for f in report.findings] == ["file.unsupported_type"]
    for ext in (".docx", ".pdf", ".doc", ".wps"):
        assert ext in report.findings[0].message and ext in report.findings[0].message_en


def test_os_errors_read_in_chinese_and_keep_strerror_in_english() -> None:
    cases = {errno.ENOENT: "文件不存在", errno.EACCES: "权限", errno.ENOSPC: "磁盘空间不足", errno.EROFS: "只读",
             errno.EISDIR: "文件夹"}
    for n, words in cases.items():
        e = OSError(n, "strerror text")
        zh, en = read_reason(e)
        assert words in zh and not re.search(r"[A-Za-z]", zh), zh
        assert "strerror text" in en
    assert reason(OSError(errno.ENOENT, "x"))[0] == "所在文件夹不存在"  # a write: the folder is what is missing
    assert "None" not in read_reason(OSError("no errno"))[0] + read_reason(OSError("no errno"))[1]


def test_place_names_the_section_and_row_not_a_table_number(call: Any) -> None:
    fields = {"persons": [{"name": "张三", "unit": "甲公司"}, {"name": "李四", "unit": "乙公司"}]}
    f = make("field.cross_ref", call, field="persons[1].unit", location=Location(kind="docx", table=3, row=2, col=5))
    zh, en = place(f, call, "zh", fields), place(f, call, "en", fields)
    assert "三、主要完成人" in zh and "第2行" in zh and "李四" in zh and "工作单位" in zh
    assert not TABLE_NUMBER.search(zh) and not TABLE_NUMBER.search(en) and "row 2" in en
    total = make("field.sum_mismatch", call, field="benefits.total.sales", location=Location(kind="docx", table=6))
    assert "累计" in place(total, call) and "七、经济效益" in place(total, call)
    pdf = make("field.required", call, field="project.name", location=Location(kind="pdf", page=2))
    assert place(pdf, call) == "“一、项目基本情况”“项目名称”（第2页）"
    assert place(make("form.unrecognized", call), call) == "整个文件"


SAMPLES = sorted(APPS.glob("*.docx"))[::3]  # a third of the samples: every kind of finding, in a few seconds


@pytest.mark.parametrize("path", SAMPLES, ids=[p.stem for p in SAMPLES])
def test_rendered_messages_of_the_samples(path: Path, call: Any) -> None:
    """Over the committed samples: no "None", no ISO date inside a Chinese message, no table numbers in the
    report's locations, and the --lang en report shows each section title once (not "一、… (…)")."""
    report = check_bytes(path.read_bytes(), path.name, call)
    for f in report.findings:
        assert "None" not in f.message and "None" not in f.message_en, f.key
        assert not ISO_DATE.search(f.message), f.message
        assert not re.search(r"\d\.0(?!\d)", f.message), f.message  # 3000.0 for a typed 3000
    for lang in ("zh", "en"):
        text = render_text(report, call, lang)
        assert not TABLE_NUMBER.search(text) and "None" not in text
        assert not re.search(r"、(\S+) \(\1\)", text), text
