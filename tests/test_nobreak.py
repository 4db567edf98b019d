"""No number, date, document number or person's name cut across two lines in any document we issue, measured
in the PDFs LibreOffice makes of them (letters, the decision, certificates)."""

from __future__ import annotations

import itertools
import re
import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from conftest import APPS, SAMPLES, copy_registry

from pipeline.batch import run_batch
from pipeline.demo_review import run_demo_review
from pipeline.issuing import assign_certificate_numbers, write_decision, write_letters
from pipeline.office import convert, soffice
from pipeline.registry import Registry
from pipeline.render import docx as render_docx
from pipeline.render.docx import nobreak, plain, protect
from pipeline.review import load_results

pytestmark = pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) is not installed")

# what must never be cut: registration numbers, dates, document numbers, certificate numbers, 第N, numbers
UNBREAKABLE = re.compile(
    r"\d{4}-\d{4}"
    r"|\d{4}年\d{1,2}月(?:\d{1,2}日)?"
    r"|[\u4e00-\u9fff]〔\d{4}〕\d+号"  # the code's last character onwards: the line above may end in Chinese
    r"|QT\d{4}-\d-\d{3}-[UP]\d{2}"
    r"|第\d+"
    r"|\d+(?:\.\d+)?"
)


def pdf_blocks(pdf: Path) -> Iterator[list[str]]:
    """The text lines of each block of a PDF, white space removed: each table cell, and each page's text outside
    its tables (so a cell's lines are not interleaved with its neighbours')."""
    import pdfplumber

    with pdfplumber.open(str(pdf)) as doc:
        for page in doc.pages:
            boxes = [cell for table in page.find_tables() for cell in table.cells]
            for cell in boxes:
                yield _lines(page.crop(cell).extract_text() or "")

            def outside(o: dict[str, Any], boxes: list[Any] = boxes) -> bool:
                return not any(b[0] - 1 <= o.get("x0", -9) and o.get("x1", 1e9) <= b[2] + 1
                               and b[1] - 1 <= o.get("top", -9) and o.get("bottom", 1e9) <= b[3] + 1 for b in boxes)

            yield _lines(page.filter(outside).extract_text() or "")


def _lines(text: str) -> list[str]:
    return [ln for ln in (re.sub(r"\s+", "", plain(x)) for x in text.splitlines()) if ln]


def broken(pdf: Path, names: Sequence[str]) -> list[str]:
    """Every number, date, document number or name of the PDF cut across two lines, as `end|start`."""
    found = []
    for lines in pdf_blocks(pdf):
        for a, b in itertools.pairwise(lines):
            joined, cut = a + b, len(a)
            for m in UNBREAKABLE.finditer(joined):
                if m.start() < cut < m.end():
                    found.append(f"{pdf.name}: {joined[m.start():cut]}|{joined[cut:m.end()]}")
            for name in names:
                for k in range(1, len(name)):
                    if a.endswith(name[:k]) and b.startswith(name[k:]):
                        found.append(f"{pdf.name}: {name[:k]}|{name[k:]}")
    return found


@pytest.fixture(scope="module")
def round_db(tmp_path_factory: pytest.TempPathFactory, call: Any) -> Path:
    """A small round: the demo round plus forms that fail (return letters with findings across applications),
    reviewed with simulated scores."""
    base = tmp_path_factory.mktemp("nobreak")
    folder = base / "in"
    shutil.copytree(SAMPLES / "round", folder)
    for name in ("several-problems-1.docx", "phone-format.docx", "project-name-too-long.docx", "blank-form.docx"):
        if (APPS / name).is_file():
            shutil.copy(APPS / name, folder / f"x-{name}")
    db = base / "award.sqlite"
    with Registry(db) as reg:
        run_batch(folder, base / "batch", call, reg, jobs=2, outputs=False)
        run_demo_review(reg, call, SAMPLES / "judges.csv", base / "review", pdf=False)
    return db


def _names(reg: Registry, call: Any) -> list[str]:
    names = {str(p.get("name") or "").strip() for a in reg.applications(call.id)
             for p in (a.fields.get("persons") or []) if isinstance(p, dict)}
    return sorted(n for n in names if len(n) > 1)


def _documents(db: Path, call: Any, out: Path) -> tuple[list[Path], list[str]]:
    """Letters (dated after the window: the longer return letters), the decision and certificates, as .docx."""
    import datetime as dt

    from pipeline.render.certificates import write_certificates

    with Registry(db) as reg:
        letters = write_letters(reg, call, out / "letters", dt.date(2021, 8, 6)).paths
        decision = out / "decision.docx"
        write_decision(reg, call, decision, dt.date(2021, 9, 28), "沪质协〔2021〕36号")
        certs = assign_certificate_numbers(reg, call)
        run = write_certificates(certs, out / "certs", call, dt.date(2021, 9, 28),
                                 seal=SAMPLES / "assets" / "seal-sample.png", pdf=False)
        names = _names(reg, call)
        assert load_results(reg, call.id)
    return [*letters, decision, *run.docx], names


def test_no_number_date_or_name_is_cut_across_lines(round_db: Path, tmp_path: Path, call: Any) -> None:
    docs, names = _documents(copy_registry(round_db, tmp_path), call, tmp_path)
    assert any("退回补正" in p.name for p in docs) and any("受理" in p.name for p in docs)
    pdfs = convert(docs, tmp_path / "pdf")
    assert len(pdfs) == len(docs)
    assert [b for pdf in pdfs for b in broken(pdf, names)] == []
    # the decision's winners tables: a level's heading never ends a page (it goes with its table)
    assert [page for page, last in last_lines(tmp_path / "pdf" / "decision.pdf")
            if re.search(r"等奖（\d+项）$", last)] == []


def last_lines(pdf: Path) -> list[tuple[int, str]]:
    """(page number, last text line above the page number) of each page."""
    import pdfplumber

    out = []
    with pdfplumber.open(str(pdf)) as doc:
        for n, page in enumerate(doc.pages, 1):
            lines = [x for x in _lines(page.extract_text() or "") if not re.fullmatch(r"—\d+—", x)]
            if lines:
                out.append((n, lines[-1]))
    return out


def test_the_scan_catches_cut_numbers_and_names(round_db: Path, tmp_path: Path, call: Any,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The same documents without the no-break runs: LibreOffice cuts numbers and names, and the scan sees it."""
    monkeypatch.setattr(render_docx, "nobreak", lambda text: text)
    monkeypatch.setattr(render_docx, "protect", lambda text, names=(): text)
    docs, names = _documents(copy_registry(round_db, tmp_path), call, tmp_path)
    pdfs = convert([p for p in docs if "certs" not in p.parts], tmp_path / "pdf")
    assert [b for pdf in pdfs for b in broken(pdf, names)] != []


def test_protect_joins_what_must_stay_whole() -> None:
    text = protect("与2021-0059同日（2021年7月31日）提交，依据沪质协〔2021〕14号，排名第1，金额3000.5万元", ("谢立妍",))
    for span in ("2021-0059", "2021年7月31日", "沪质协〔2021〕14号", "第1", "3000.5万元"):
        assert nobreak(span) in text, span
    assert plain(text) == "与2021-0059同日（2021年7月31日）提交，依据沪质协〔2021〕14号，排名第1，金额3000.5万元"
    assert nobreak("谢立妍") in protect("主要完成人谢立妍", ("谢立妍",))
