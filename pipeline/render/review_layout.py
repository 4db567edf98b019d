"""The layout of the review's workbooks, shared by the writer (render/review_docs.py) and the importer
(review/importing.py): sheet names, the rows and columns the import reads by position, the total formula, the
file and folder names. No openpyxl at import time: the importer and the sample scorer read these too."""

from __future__ import annotations

import re

from pipeline.calls import Rubric

SHEET = "评分表"
META_SHEET = "award_meta"
META_KIND = "award-review-workbook"
HEADER_ROW = 2
FIRST_ROW = 3
FIRST_CRITERION_COL = 5  # A 登记号, B 项目名称, C 申报单位, D 项目类别, then the criteria
YES, NO = "是", "否"
HOLD_ZH = "待核查"  # the status of an application a judge vetoed, in the results workbook

WORKBOOK_DIR = "专家评分表"
PAPER_DIR = "纸质评分表"


def workbook_columns(rb: Rubric) -> dict[str, int]:
    """Column numbers (1-based) of the total, 否决项, 回避 and 评语 after the criteria."""
    after = FIRST_CRITERION_COL + len(rb.criteria)
    return {"total": after, "veto": after + 1, "recused": after + 2, "comment": after + 3}


def total_formula(rb: Rubric, row: int) -> str:
    """The total formula of a data row, e.g. =SUM(E3:K3)."""
    from openpyxl.utils import get_column_letter

    first = get_column_letter(FIRST_CRITERION_COL)
    last = get_column_letter(FIRST_CRITERION_COL + len(rb.criteria) - 1)
    return f"=SUM({first}{row}:{last}{row})"


def safe_filename(text: str) -> str:
    """A file name part without path separators or characters Windows refuses."""
    return re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "_", text).strip(" .") or "_"


def workbook_filename(judge_id: str, judge_name: str) -> str:
    """The file name of a judge's scoring workbook (in WORKBOOK_DIR)."""
    return f"{safe_filename(judge_id)}-{safe_filename(judge_name)}-评分表.xlsx"


def scoring_form_filename(reg_no: str) -> str:
    """The file name of an application's printable scoring form (in PAPER_DIR)."""
    return f"{safe_filename(reg_no)}-专家评分表.docx"
