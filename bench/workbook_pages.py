"""How many pages each sheet of a workbook prints on: every visible sheet copied alone into a workbook of its own,
converted to PDF by LibreOffice Calc (with the project's font mapping), its pages counted against its rows.

    python bench/workbook_pages.py out/demo/batch-samples/summary.xlsx out/demo/review/results.xlsx ...

Aim (issue 12): at most one page per 25 rows; 填写说明 on one page.
"""

from __future__ import annotations

import math
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def pages(pdf: Path) -> int:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    try:
        return len(doc)
    finally:
        doc.close()


def main(paths: list[str]) -> None:
    from openpyxl import load_workbook

    from pipeline.office import convert

    for name in paths:
        xlsx = Path(name)
        with tempfile.TemporaryDirectory(prefix="workbook-pages-") as tmp:
            copies: list[tuple[str, int, Path]] = []
            for n, ws in enumerate(load_workbook(xlsx).worksheets):
                if ws.sheet_state != "visible":
                    continue
                wb = load_workbook(xlsx)
                for other in list(wb.worksheets):
                    if other.title != ws.title:
                        wb.remove(other)
                copy = Path(tmp) / f"sheet{n}.xlsx"
                wb.save(copy)
                copies.append((ws.title, ws.max_row, copy))
            whole = Path(tmp) / "whole.xlsx"
            whole.write_bytes(xlsx.read_bytes())
            convert([whole, *(c for _, _, c in copies)], Path(tmp) / "pdf")
            print(f"{xlsx}: {pages(Path(tmp) / 'pdf' / 'whole.pdf')} pages")
            for title, rows, copy in copies:
                got = pages(Path(tmp) / "pdf" / f"{copy.stem}.pdf")
                print(f"  {title}: {rows} rows -> {got} pages (aim <= {math.ceil(rows / 25)})")


if __name__ == "__main__":
    main(sys.argv[1:])
