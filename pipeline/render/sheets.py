"""Print set-up of every worksheet staff or judges may print: A4, landscape where the table is wide, scaled to the
page's width (never split across pages sideways), its header rows repeated on every page, page numbers below.

openpyxl writes these as the sheet's pageSetup, pageSetUpPr fitToPage, printTitles defined name, pageMargins and
headerFooter; Excel, WPS and LibreOffice Calc all print from them.
"""

from __future__ import annotations

from typing import Any

from pipeline.text import char_width, display_width

# Margins in inches (Excel's unit): about 1 cm left and right, 1.8 cm top and bottom with the header and footer
# 0.8 cm from the edge. Narrower than Excel's default so a wide table keeps a readable scale.
MARGINS = {"left": 0.4, "right": 0.4, "top": 0.7, "bottom": 0.7, "header": 0.3, "footer": 0.3}
# &P is the page number, &N the page count (Excel's header/footer codes; LibreOffice reads them too).
FOOTER = {"zh": "第 &P 页，共 &N 页", "en": "Page &P of &N"}
FOOTER_SIZE = 9


def print_setup(ws: Any, *, landscape: bool = True, title_rows: tuple[int, int] | None = (1, 1),
                one_page: bool = False, lang: str = "zh", header: str | None = None) -> None:
    """Give a worksheet its print set-up.

    landscape: the orientation (landscape for tables wider than tall); title_rows: the first and last row repeated
    at the top of every printed page (None: none); one_page: scale to one page (width and height), else to the
    page's width with as many pages down as needed; header: the text centred above every page (None: the sheet's
    name; "" for none). Page numbers are centred below every page of a sheet that may take several.
    """
    from openpyxl.worksheet.page import PageMargins

    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1 if one_page else 0  # 0: as many pages down as the rows need
    ws.print_options.horizontalCentered = True
    ws.page_margins = PageMargins(**MARGINS)
    if title_rows is not None:
        first, last = title_rows
        ws.print_title_rows = f"{first}:{last}"
    text = "&A" if header is None else header.replace("&", "&&")
    footer = "" if one_page else FOOTER.get(lang, FOOTER["zh"])
    for part, value in ((ws.oddHeader.center, text), (ws.oddFooter.center, footer)):
        if value:
            part.text = value
            part.size = FOOTER_SIZE


# --- column widths and row heights -------------------------------------------------------------------------------

# One line of 11 pt text with its leading, in points; spreadsheet programs do not grow a row that openpyxl wrote
# (LibreOffice prints it one line high, cutting wrapped text), so wrapped rows get their height from here.
LINE_PT = 16.0
ROW_PAD_PT = 3.0


def text_lines(text: str, width: float) -> int:
    """Lines a text takes wrapped in a column `width` wide (Excel's unit, about one digit): each character placed
    while it fits (two units for a Chinese character), a new line where it does not or where the text has one."""
    room = max(2.0, width - 1.5)  # the cell's inner padding
    lines = 0
    for part in str(text).split("\n"):
        lines += 1
        used = 0
        for ch in part:
            w = char_width(ch)
            if used + w > room:
                lines += 1
                used = 0
            used += w
    return max(1, lines)


def fit_row_heights(ws: Any, first: int, last: int | None = None) -> None:
    """Rows `first`..`last` (default: to the end) tall enough for the text of their wrapped cells; a row of one
    line keeps the sheet's default height."""
    from openpyxl.utils import get_column_letter

    widths: dict[int, float] = {}
    for r in range(first, (last or ws.max_row) + 1):
        lines = 1
        for cell in ws[r]:
            if cell.value is None or not cell.alignment.wrap_text or str(cell.value).startswith("="):
                continue
            if cell.column not in widths:
                widths[cell.column] = ws.column_dimensions[get_column_letter(cell.column)].width or 8.43
            lines = max(lines, text_lines(str(cell.value), widths[cell.column]))
        if lines > 1:
            ws.row_dimensions[r].height = LINE_PT * lines + ROW_PAD_PT


def _width(value: Any) -> int:
    """Display width: a Chinese character takes two columns."""
    return display_width(str(value))


# Column widths in digits (a Chinese character takes two). A table up to the budget prints landscape at about 75 %
# (one line a row); a wider one is held to the budget by its caps, its long columns wrapping.
_WIDTH_BUDGET = 190
_MAX_WIDTH = 90


def table_sheet(ws: Any, head: list[str], rows: list[list[Any]], wrap: set[int], caps: dict[int, int],
                lang: str = "zh") -> None:
    """One table: bold header, columns as wide as their text up to their cap, the long ones wrapped (rows as tall as
    their text), and the print set-up (landscape A4 at the page's width, the header on every page)."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws.append(head)
    for row in rows:
        ws.append(row)
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDE6F2")
    for cell in ws[1]:
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(vertical="center")
    top, top_wrap = Alignment(vertical="top"), Alignment(wrap_text=True, vertical="top")
    natural = [min(max([_width(head[i])] + [_width(r[i]) for r in rows]) + 2, _MAX_WIDTH) for i in range(len(head))]
    # Every text on one line when the table fits the budget; else the long columns take their caps and wrap.
    widths = natural if sum(natural) <= _WIDTH_BUDGET else [min(w, caps.get(i, 40)) for i, w in enumerate(natural)]
    for i in range(len(head)):
        letter = get_column_letter(i + 1)
        ws.column_dimensions[letter].width = widths[i]
        for cell in ws[letter][1:]:  # long texts wrap inside their column; every row's cells start at its top
            cell.alignment = top_wrap if i in wrap else top
    fit_row_heights(ws, 2)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(head))}{len(rows) + 1}"
    print_setup(ws, title_rows=(1, 1), lang=lang)
