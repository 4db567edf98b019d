"""The demo's expert review: the review steps run on the demo round, the judges' scores simulated by
samples/fill_scores.py. Front-end harness beside pipeline/demo.py, so that the review package knows no samples."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipeline.calls import Call
from pipeline.registry import Registry
from pipeline.review import ReviewError, assign_judges, import_workbooks, make_results, write_forms

DEMO_SEED = 2021


def run_demo_review(reg: Registry, call: Call, judges_csv: Path, out_dir: Path, pdf: bool) -> dict[str, Any]:
    """Assign (seed 2021), write forms, fill them with samples/fill_scores.py, import, results; returns counts.

    pdf: make the printable forms' PDFs when LibreOffice is installed (skipped, not failed, when it is not).
    """
    import importlib.util

    from pipeline.resources import samples_dir

    a = assign_judges(reg, call, judges_csv, seed=DEMO_SEED)
    forms = write_forms(reg, call, out_dir / "评分表", pdf=None if pdf else False)
    script = samples_dir() / "fill_scores.py"
    spec = importlib.util.spec_from_file_location("award_fill_scores", script)
    if spec is None or spec.loader is None:
        raise ReviewError(f"找不到示例评分脚本 {script}", f"sample scoring script not found: {script}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    filled: list[Path] = module.fill_workbooks(out_dir / "评分表", out_dir / "专家已填评分表（模拟）", seed=DEMO_SEED)
    imported = import_workbooks(reg, call, filled)
    res = make_results(reg, call, out_dir / "评审结果.xlsx")
    return {
        "applications": a.applications, "judges": a.judges, "assignments": a.applications * a.per_app,
        "workbooks": len(forms.workbooks), "scoring_forms_docx": len(forms.docx), "scoring_forms_pdf": len(forms.pdf),
        "pdf_skipped": forms.pdf_skipped, "scores_stored": imported.stored + imported.replaced,
        "rows_rejected": len(imported.rejections), "rejections": [r.message("zh") for r in imported.rejections],
        "rejection_codes": [r.code for r in imported.rejections],
        "scored": res.scored, "held": res.held, "awarded": res.awarded, "rank_warnings": res.warnings,
        "results": str(res.path),
    }
