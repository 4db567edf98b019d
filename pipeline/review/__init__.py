"""Expert review (§4 of the call): judges, assignment, scoring workbooks, score import, final scores and levels.

judges.py reads the judges file; assignment.py assigns them (pure); importing.py reads filled workbooks
(read -> validate -> store); results.py computes final scores, ranks and levels (pure); stored.py is the review's
view of the registry; steps.py holds the steps staff run. The workbooks' layout is pipeline.render.review_layout,
shared with the writer (pipeline.render.review_docs). This module re-exports the public names.
"""

from __future__ import annotations

from pipeline.calls import Call, Rubric
from pipeline.render.review_layout import (
    FIRST_CRITERION_COL,
    FIRST_ROW,
    HEADER_ROW,
    HOLD_ZH,
    META_KIND,
    META_SHEET,
    NO,
    PAPER_DIR,
    SHEET,
    WORKBOOK_DIR,
    YES,
    safe_filename,
    total_formula,
    workbook_columns,
)
from pipeline.review.assignment import AppInfo, assign, category_match, conflicted
from pipeline.review.errors import ReviewError
from pipeline.review.importing import (
    Checked,
    FileImport,
    ImportSummary,
    Refused,
    Rejection,
    ScoringBook,
    import_workbooks,
    read_workbook,
    store_scores,
    validate_rows,
)
from pipeline.review.judges import JUDGE_COLUMNS, Judge, normalise_unit, read_judges
from pipeline.review.results import (
    Outcome,
    Quota,
    Score,
    compute_results,
    fmt_score,
    judge_z_scores,
    level_counts,
    quotas,
    rank_warnings,
    trim_weights,
)
from pipeline.review.steps import (
    AssignSummary,
    FormsSummary,
    ResultsSummary,
    assign_judges,
    make_results,
    write_forms,
)
from pipeline.review.stored import (
    ResultRow,
    app_info,
    load_results,
    review_apps,
    stored_assignments,
    stored_judges,
    stored_scores,
)


def rubric(call: Call) -> Rubric:
    """The call's rubric (call.yaml `review:`); the same as `call.review`."""
    return call.review


__all__ = [
    "FIRST_CRITERION_COL", "FIRST_ROW", "HEADER_ROW", "HOLD_ZH", "JUDGE_COLUMNS", "META_KIND", "META_SHEET", "NO",
    "PAPER_DIR", "SHEET", "WORKBOOK_DIR", "YES",
    "AppInfo", "AssignSummary", "Checked", "FileImport", "FormsSummary", "ImportSummary", "Judge", "Outcome", "Quota",
    "Refused", "Rejection", "ResultRow", "ResultsSummary", "ReviewError", "Rubric", "Score", "ScoringBook",
    "app_info", "assign", "assign_judges", "category_match", "compute_results", "conflicted", "fmt_score",
    "import_workbooks", "judge_z_scores", "level_counts", "load_results", "make_results", "normalise_unit",
    "quotas", "rank_warnings", "read_judges", "read_workbook", "review_apps", "rubric", "safe_filename",
    "store_scores", "stored_assignments", "stored_judges", "stored_scores", "total_formula", "trim_weights",
    "validate_rows", "workbook_columns", "write_forms",
]
