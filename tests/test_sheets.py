"""The workbooks staff and judges print: converted to PDF by LibreOffice Calc, they take at most one page per 25
rows, repeat their header on every page, and the judges' 填写说明 sheet prints on one page."""

from __future__ import annotations

import dataclasses
import math
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import SAMPLES

from pipeline.batch import run_batch
from pipeline.registry import Registry
from pipeline.report.rows import Row


def _calc_installed() -> bool:
    """LibreOffice with Calc (libreoffice-calc-nogui): Writer alone cannot open a workbook."""
    binary = shutil.which("soffice") or shutil.which("libreoffice")
    if binary is None:
        return False
    program = Path(binary).resolve().parent
    return (program.parent / "share" / "registry" / "calc.xcd").is_file()


pytestmark = pytest.mark.skipif(not _calc_installed(), reason="LibreOffice Calc (libreoffice-calc-nogui) missing")


def _pages(pdf: Path) -> list[str]:
    """The text of each page (pdftotext, form feeds between pages)."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1]


def _print_sheets(xlsx: Path, out: Path) -> dict[str, tuple[int, list[str]]]:
    """Each visible sheet printed alone (a copy holding only that sheet): sheet -> (rows, page texts)."""
    from openpyxl import load_workbook

    from pipeline.office import convert

    names = [ws.title for ws in load_workbook(xlsx).worksheets if ws.sheet_state == "visible"]
    copies, rows = [], {}
    for n, name in enumerate(names):
        wb = load_workbook(xlsx)
        for ws in list(wb.worksheets):
            if ws.title != name:
                wb.remove(ws)
        rows[name] = wb.worksheets[0].max_row
        copies.append(out / f"{xlsx.stem}-{n}.xlsx")
        wb.save(copies[-1])
    pdfs = convert(copies, out / "pdf")
    assert len(pdfs) == len(copies)
    return {name: (rows[name], _pages(pdf)) for name, pdf in zip(names, pdfs, strict=True)}


def _assert_printed(sheets: dict[str, tuple[int, list[str]]], heads: dict[str, list[str]]) -> None:
    for name, (rows, pages) in sheets.items():
        # a landscape A4 page holds at most ~35 one-line rows (and wrapped rows take more room), at least 25 of ours
        assert math.ceil(rows / 40) <= len(pages) <= math.ceil(rows / 25), (name, rows, len(pages))
        for n, page in enumerate(pages, start=1):
            for head in heads.get(name, []):  # the header row repeated on every page
                assert head in page, (name, n, head)
            if len(pages) > 1:
                assert f"第 {n} 页，共 {len(pages)} 页" in page, (name, n)


@pytest.fixture(scope="module")
def batch_rows(tmp_path_factory: pytest.TempPathFactory, call: Any) -> tuple[Row, ...]:
    base = tmp_path_factory.mktemp("sheets-batch")
    with Registry(base / "r.sqlite") as reg:
        return run_batch(SAMPLES / "batch" / "applications", base / "out", call, reg,
                         members=SAMPLES / "batch" / "members.csv", jobs=2).rows


def test_the_demo_rounds_summary_prints_on_one_page_a_sheet(tmp_path: Path, call: Any) -> None:
    with Registry(tmp_path / "r.sqlite") as reg:
        run_batch(SAMPLES / "round", tmp_path / "round", call, reg)
    sheets = _print_sheets(tmp_path / "round" / "summary.xlsx", tmp_path)
    assert sheets["申报汇总"][0] == 25  # 24 applications and the header
    _assert_printed(sheets, {"申报汇总": ["登记号", "申报单位", "项目名称", "结论"]})


def test_a_large_summary_prints_at_the_pages_width_with_its_header_on_every_page(
        batch_rows: tuple[Row, ...], call: Any, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from pipeline.report.summary import xlsx_bytes

    # The batch's rows (cross-application findings, long messages, unreadable files) twelve times over: a round
    # of some two hundred files, with its page setup as summary.xlsx carries it.
    rows = [dataclasses.replace(r, reg_no=f"{r.reg_no}-{k}" if r.reg_no else None) for k in range(12)
            for r in batch_rows]
    xlsx = tmp_path / "summary.xlsx"
    xlsx.write_bytes(xlsx_bytes(rows, call))
    ws = load_workbook(xlsx)["申报汇总"]
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # A4
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$1:$1"
    sheets = _print_sheets(xlsx, tmp_path)
    assert sheets["申报汇总"][0] == len(rows) + 1
    _assert_printed(sheets, {"申报汇总": ["登记号", "文件", "申报单位", "主要问题"],
                             "问题明细": ["登记号", "代码", "问题说明", "位置"]})
    assert len(sheets["申报汇总"][1]) >= 2  # so the header was seen repeated on a second page


def test_judge_workbook_and_its_instructions_print(tmp_path: Path, call: Any) -> None:
    from pipeline.render.review_docs import write_judge_workbook
    from pipeline.review import AppInfo, Judge, rubric

    cats = call.enum_values("categories")
    apps = [AppInfo(f"2021-{i:04d}", i, f"基于六西格玛的新能源汽车电机壳体压铸良率提升项目{i}",
                    f"上海外高桥联创生物医药股份有限公司第{i}分公司", cats[i % len(cats)], ((f"单位{i}", None),), ())
            for i in range(1, 61)]
    judge = Judge("J01", "周立新", "同济大学", None, (cats[0],))
    xlsx = write_judge_workbook(tmp_path / "J01-周立新-评分表.xlsx", call, rubric(call), judge, apps)
    sheets = _print_sheets(xlsx, tmp_path)
    assert set(sheets) == {"评分表", "填写说明"}  # the hidden metadata sheet is not printed
    instructions = sheets["填写说明"][1]
    assert len(instructions) == 1
    assert "评分要点" in instructions[0] and "材料规范性" in instructions[0] and "5. 评语不超过" in instructions[0]
    _assert_printed({"评分表": sheets["评分表"]}, {"评分表": ["周立新", "登记号", "项目名称", "评语"]})
    assert len(sheets["评分表"][1]) >= 2
