"""Fill the judges' scoring workbooks with plausible scores, as experts would, for the demo.

Deterministic for a seed: each application has a quality, each judge a leniency (so the z-score ranking has
something to correct), one judge vetoes one application (a hold), and four rows are wrong on purpose (a score
over the maximum, a 0.3 step, a tampered total, a blank criterion) so that the import shows its rejections.

Run: .venv/bin/python samples/fill_scores.py FORMS_DIR OUT_DIR [--seed 2021]
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from openpyxl import load_workbook  # noqa: E402

from pipeline.fileio import atomic_write, output_dir  # noqa: E402
from pipeline.review import FIRST_CRITERION_COL, FIRST_ROW, HEADER_ROW, SHEET, WORKBOOK_DIR  # noqa: E402

COMMENTS = (
    (0.85, "选题紧扣关键质量问题，方法运用系统规范，数据翔实，效益显著，具有较高推广价值。"),
    (0.75, "项目目标明确，质量方法应用较为完整，取得了较好的经济效益，创新性有待进一步提炼。"),
    (0.65, "项目有一定实效，但方法应用深度不足，部分效益数据依据不够充分。"),
    (0.0, "项目材料较为简略，方法应用和效益论证不够充分，建议进一步完善。"),
)
VETO_COMMENT = "申报材料中的效益数据与所附财务证明不一致，疑似夸大，建议组织核查。"


def _maxima(ws: Any) -> list[float]:
    """Each criterion's maximum, read from the header (选题与目标\n（满分10）)."""
    out = []
    col = FIRST_CRITERION_COL
    while True:
        head = str(ws.cell(HEADER_ROW, col).value or "")
        if "满分" not in head or head.startswith("总分"):
            return out
        out.append(float(head.split("满分")[1].rstrip("）)")))
        col += 1


def _half(x: float) -> float:
    return round(x * 2) / 2


def fill_workbooks(forms_dir: Path, out_dir: Path, seed: int = 2021) -> list[Path]:
    """Fill every workbook under forms_dir (its 专家评分表/ folder) and write the copies to out_dir."""
    folder = forms_dir / WORKBOOK_DIR if (forms_dir / WORKBOOK_DIR).is_dir() else forms_dir
    books = sorted(folder.glob("*.xlsx"))
    output_dir(out_dir)
    written = []
    for n, book in enumerate(books):
        wb = load_workbook(book)
        ws = wb[SHEET]
        judge = book.name.split("-")[0]
        leniency = random.Random(f"{seed}-judge-{judge}").uniform(-0.09, 0.09)
        noise = random.Random(f"{seed}-noise-{judge}")
        maxima = _maxima(ws)
        total_col = FIRST_CRITERION_COL + len(maxima)
        veto_col, comment_col = total_col + 1, total_col + 3
        for row in range(FIRST_ROW, ws.max_row + 1):
            reg_no = ws.cell(row, 1).value
            if not reg_no:
                continue
            quality = 0.55 + 0.42 * random.Random(f"{seed}-app-{reg_no}").random()
            fractions = []
            for i, top in enumerate(maxima):
                frac = min(1.0, max(0.3, quality + leniency + noise.uniform(-0.05, 0.05)))
                ws.cell(row, FIRST_CRITERION_COL + i, _half(top * frac))
                fractions.append(frac)
            mean = sum(fractions) / len(fractions)
            ws.cell(row, comment_col, next(text for floor, text in COMMENTS if mean >= floor))
            first = row == FIRST_ROW
            if first and n == 0:  # one veto: the application goes on hold
                ws.cell(row, veto_col, "是")
                ws.cell(row, comment_col, VETO_COMMENT)
            elif first and n == 1:  # a score over the criterion's maximum
                ws.cell(row, FIRST_CRITERION_COL, maxima[0] + 2)
            elif first and n == 2:  # not a multiple of 0.5
                ws.cell(row, FIRST_CRITERION_COL + 2, _half(maxima[2] * 0.7) + 0.3)
            elif first and n == 3:  # the total formula overwritten with a number
                ws.cell(row, total_col, 99)
            elif first and n == 4 and len(maxima) > 4:  # a criterion left blank
                ws.cell(row, FIRST_CRITERION_COL + 4).value = None
        written.append(atomic_write(out_dir / book.name, wb.save))
    return written


def main() -> None:
    """Command line: fill the workbooks of FORMS_DIR into OUT_DIR."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("forms_dir", type=Path)
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--seed", type=int, default=2021)
    args = ap.parse_args()
    for p in fill_workbooks(args.forms_dir, args.out_dir, args.seed):
        print(p)


if __name__ == "__main__":
    main()
