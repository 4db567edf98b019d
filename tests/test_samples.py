"""End to end on the committed samples: parse -> check -> report, against each sample's expected findings."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from conftest import APPS, ROBUST, ROOT, expected

from pipeline.check import check_bytes
from pipeline.model import Report

SAMPLE_FILES = sorted(APPS.glob("*.docx"))
ROBUST_FILES = sorted(ROBUST.glob("*.docx"))
REPORT_SCHEMA = json.loads((ROOT / "schemas" / "report.schema.json").read_text(encoding="utf-8"))


def check(path: Path, call: Any) -> Report:
    return check_bytes(path.read_bytes(), path.name, call)


def test_there_are_samples() -> None:
    assert len(SAMPLE_FILES) >= 60 and len(ROBUST_FILES) >= 8


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=[p.stem for p in SAMPLE_FILES])
def test_sample_findings(path: Path, call: Any) -> None:
    report = check(path, call)
    want = {(c, f) for c, f in expected(path)["findings"]}
    assert {f.key for f in report.findings} == want
    jsonschema.validate(report.to_dict(), REPORT_SCHEMA)
    for f in report.findings:
        assert f.message and f.message_en and f.message != f.message_en
        assert "None" not in f.message + f.message_en and not re.search(r"\d{4}-\d{2}-\d{2}", f.message), f.message
        if f.field and not f.code.startswith("form."):
            assert f.location.kind == "docx", f"{f.key} has no location in the document"


@pytest.mark.parametrize("path", ROBUST_FILES, ids=[p.stem for p in ROBUST_FILES])
def test_robustness_variant_reads_like_the_valid_one(path: Path, call: Any) -> None:
    valid = check(APPS / "valid.docx", call)
    report = check(path, call)
    exp = expected(path)
    assert [f.key for f in report.findings] == []
    skip = set(exp.get("except_fields", []))
    assert {k: v for k, v in report.fields.items() if k not in skip} == {
        k: v for k, v in valid.fields.items() if k not in skip}


def test_signature_picture_counts_as_signed(call: Any) -> None:
    report = check(ROBUST / "signature-picture.docx", call)
    assert report.fields["declaration.signatory"] == "〔签名图片〕"


def test_valid_fields_are_what_was_typed(call: Any) -> None:
    f = check(APPS / "valid.docx", call).fields
    assert f["project.name"] == "新能源汽车电机壳体压铸良率提升"
    assert f["project.category"] == "六西格玛" and f["project.industry"] == "汽车"
    assert (f["project.start_date"], f["project.end_date"]) == ("2019年3月", "2020年12月")
    assert len(f["units"]) == 3 and len(f["persons"]) == 6 and len(f["ip"]) == 4
    assert f["benefits.years"][2] == {"year": "2020", "sales": "2460.5万元", "profit": "438.2", "savings": "286.7"}
    assert f["benefits.total"] == {"sales": "3740.5", "profit": "653.8", "savings": "464.5"}
    assert f["attachments.application_proof"] is True and f["attachments.other"] is False
    assert "DMAIC" in f["methods"] and "\n" in f["methods"]


def test_locations_point_at_the_value_cells(call: Any) -> None:
    from pipeline.ingest.docx import read_docx
    from pipeline.model import Table

    data = (APPS / "several-problems-1.docx").read_bytes()
    tables = [b for b in read_docx(data, call.file).blocks if isinstance(b, Table)]
    by_field = {f.field: f.location for f in check_bytes(data, "x", call).findings}
    name = by_field["project.name"]
    row = tables[name.table].rows[name.row]
    assert row[name.col - 1].text.startswith("项目名称")
    unit = by_field["persons[3].unit"]
    rows = tables[unit.table].rows
    header = [c.text for c in rows[0]]
    assert header[unit.col] == "工作单位" and rows[unit.row][1].text == "李晓梅"


def test_input_file_is_not_modified(call: Any, tmp_path: Path) -> None:
    src = tmp_path / "a.docx"
    data = (APPS / "several-problems-1.docx").read_bytes()
    src.write_bytes(data)
    check(src, call)
    assert src.read_bytes() == data
