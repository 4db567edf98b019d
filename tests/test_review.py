"""Expert review: judges file, assignment, workbooks, import rejections, aggregation, ties, levels, CLI."""

from __future__ import annotations

import hashlib
import io
import re
import shutil
import sqlite3
import subprocess
import zipfile
from collections import Counter
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import ROOT, SAMPLES
from openpyxl import load_workbook

from pipeline import review as rv
from pipeline.cli import main
from pipeline.demo_review import run_demo_review
from pipeline.registry import Registry
from pipeline.render.docx import template_variables
from pipeline.render.review_docs import scoring_form_context, scoring_form_template

CONFLICT_A = ("上海澄明精密压铸有限公司", "91310115684307790H")
CONFLICT_B = ("上海景和模具科技有限公司", "91310112154471227N")


# --- fixtures -------------------------------------------------------------------------------------------------

def _fields(i: int, category: str) -> dict[str, Any]:
    own = f"上海测试{i}号（集团）有限公司"
    units = [{"name": own, "credit_code": ""}]
    if i % 3 == 0:  # every third application has the two units some sample judges come from
        units += [{"name": CONFLICT_A[0], "credit_code": CONFLICT_A[1]}, {"name": CONFLICT_B[0], "credit_code": ""}]
    return {"project.name": f"测试项目{i} <&> 质量提升", "project.category": category, "project.industry": "汽车",
            "project.start_date": "2019年3月", "project.end_date": "2020年12月", "applicant.name": own,
            "applicant.credit_code": "", "units": units,
            "persons": [{"name": f"张{i}"}, {"name": f"李{i}"}]}


def make_registry(path: Path, call: Any, n: int = 12, failed: int = 1) -> Registry:
    """A registry with n passed applications (categories in turn) and `failed` failed ones."""
    reg = Registry(path)
    cats = call.enum_values("categories")
    reports = []
    for i in range(n + failed):
        reg_no, _ = reg.register(call.id, hashlib.sha256(f"app{i}".encode()).hexdigest(), f"a{i}.docx", "2021-", 4)
        status = "pass" if i < n else "fail"
        reports.append({"registration": reg_no, "status": status, "fields": _fields(i, cats[i % len(cats)]),
                        "summary": {"errors": 0 if status == "pass" else 1, "warnings": 0, "info": 0}})
    reg.store_results(reports)
    return reg


@pytest.fixture()
def reg(tmp_path: Path, call: Any) -> Any:
    r = make_registry(tmp_path / "award.sqlite", call)
    yield r
    r.close()


JUDGES = SAMPLES / "judges.csv"


# --- the judges file ------------------------------------------------------------------------------------------

HEADER = "编号,姓名,工作单位,统一社会信用代码,专业方向\n"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gbk"])
def test_judges_csv_encodings(tmp_path: Path, call: Any, encoding: str) -> None:
    p = tmp_path / "j.csv"
    p.write_bytes((HEADER + "J1,王五,上海某某（集团）有限公司,91310115684307790H,六西格玛；精益管理、可靠性\n"
                   "J2,赵六,同济大学,,标准化\n").encode(encoding))
    judges = rv.read_judges(p, call)
    assert [j.id for j in judges] == ["J1", "J2"]
    assert judges[0].fields == ("六西格玛", "精益管理", "可靠性") and judges[0].credit_code == "91310115684307790H"
    assert judges[1].credit_code is None


@pytest.mark.parametrize("rows, needle", [
    ("J1,王五,同济大学,91310115684307791H,标准化\n", "row 2: credit code 91310115684307791H"),
    ("J1,王五,同济大学,,质量管理\n", "row 2: field '质量管理' is not a category"),
    ("J1,王五,同济大学,,标准化\nJ1,赵六,复旦大学,,标准化\n", "row 3: id J1 repeats row 2"),
    ("J1,,同济大学,,标准化\n", "row 2: '姓名' is empty"),
    ("J1,王五,同济大学,,\n", "row 2: '专业方向' is empty"),
])
def test_judges_csv_errors_name_the_row(tmp_path: Path, call: Any, rows: str, needle: str) -> None:
    p = tmp_path / "j.csv"
    p.write_text(HEADER + rows, encoding="utf-8")
    with pytest.raises(rv.ReviewError) as e:
        rv.read_judges(p, call)
    assert needle in e.value.message_en and "第" in e.value.message_zh


def test_judges_csv_missing_column(tmp_path: Path, call: Any) -> None:
    p = tmp_path / "j.csv"
    p.write_text("编号,姓名,专业方向\nJ1,王五,标准化\n", encoding="utf-8")
    with pytest.raises(rv.ReviewError, match="工作单位"):
        rv.read_judges(p, call)


def test_sample_judges_are_valid(call: Any) -> None:
    judges = rv.read_judges(JUDGES, call)
    assert 18 <= len(judges) <= 25
    assert set(call.enum_values("categories")) <= {f for j in judges for f in j.fields}
    assert {CONFLICT_A[1], CONFLICT_B[1]} <= {j.credit_code for j in judges}


# --- assignment -----------------------------------------------------------------------------------------------

def _apps(n: int, call: Any, conflict_every: int = 0) -> list[rv.AppInfo]:
    cats = call.enum_values("categories")
    out = []
    for i in range(n):
        units: list[tuple[str, str | None]] = [(f"申报单位{i}", None)]
        if conflict_every and i % conflict_every == 0:
            units.append(("上海 澄明精密压铸有限公司", None))  # matches judge U0 by normalised name
        out.append(rv.AppInfo(f"2021-{i + 1:04d}", i + 1, f"项目{i}", f"申报单位{i}", cats[i % len(cats)],
                              tuple(units), ()))
    return out


def _judges(n: int, call: Any) -> list[rv.Judge]:
    cats = call.enum_values("categories")
    out = [rv.Judge(f"J{i:02d}", f"专家{i}", f"大学{i}", None, (cats[i % len(cats)], cats[(i + 3) % len(cats)]))
           for i in range(1, n)]
    return [rv.Judge("U0", "专家0", "上海澄明精密压铸有限公司", None, (cats[0],)), *out]


@pytest.mark.parametrize("n_apps, n_judges, per_app, conflict_every, seed", [
    (12, 20, 5, 3, 2021), (7, 9, 5, 2, 1), (30, 11, 5, 4, 7), (5, 5, 3, 0, 3), (40, 20, 5, 1, 11), (3, 8, 5, 1, 0),
])
def test_assignment_conflict_free_balanced_reproducible(call: Any, n_apps: int, n_judges: int, per_app: int,
                                                        conflict_every: int, seed: int) -> None:
    apps, judges = _apps(n_apps, call, conflict_every), _judges(n_judges, call)
    plan = rv.assign(apps, judges, per_app, seed)
    by_id = {j.id: j for j in judges}
    for a in apps:
        assert len(set(plan[a.reg_no])) == per_app
        assert all(rv.conflicted(by_id[j], a) is None for j in plan[a.reg_no])
    load = Counter(j for js in plan.values() for j in js)
    # balanced over every judge who may score anything (U0 conflicts with every application when conflict_every=1)
    loads = [load.get(j.id, 0) for j in judges if any(rv.conflicted(j, a) is None for a in apps)]
    assert max(loads) - min(loads) <= 1
    assert rv.assign(list(reversed(apps)), list(reversed(judges)), per_app, seed) == plan


def test_assignment_prefers_matching_judges(call: Any) -> None:
    apps, judges = _apps(10, call), _judges(20, call)
    plan = rv.assign(apps, judges, 3, 5)
    by_id = {j.id: j for j in judges}
    matched = sum(a.category in by_id[j].fields for a in apps for j in plan[a.reg_no])
    assert matched == 30  # every category has at least 3 matching judges with room


def test_assignment_seed_changes_it(call: Any) -> None:
    apps, judges = _apps(12, call), _judges(20, call)
    assert rv.assign(apps, judges, 5, 1) != rv.assign(apps, judges, 5, 2)


def test_pool_too_small_names_the_application(call: Any) -> None:
    apps = _apps(4, call, conflict_every=3)
    judges = _judges(5, call)
    with pytest.raises(rv.ReviewError) as e:
        rv.assign(apps, judges, 5, 0)
    assert "2021-0001" in e.value.message_zh and "项目0" in e.value.message_zh and "4" in e.value.message_en


def test_conflict_by_code_else_by_name(call: Any) -> None:
    app = rv.AppInfo("2021-0001", 1, "p", "a", "标准化",
                     (("上海甲（集团）有限公司", "91310115684307790H"), ("上海乙有限公司", None)), ())
    by_code = rv.Judge("1", "x", "别的名字", "91310115684307790H", ("标准化",))
    other_code = rv.Judge("2", "x", "上海甲（集团）有限公司", "91310112154471227N", ("标准化",))
    by_name = rv.Judge("3", "x", "上海甲(集团) 有限公司", None, ("标准化",))
    by_name2 = rv.Judge("4", "x", "上海乙有限公司", "91310112154471227N", ("标准化",))
    assert rv.conflicted(by_code, app) and rv.conflicted(by_name, app) and rv.conflicted(by_name2, app)
    assert rv.conflicted(other_code, app) is None


def test_assign_stored_and_refused_once_scored(reg: Registry, call: Any, tmp_path: Path) -> None:
    s = rv.assign_judges(reg, call, JUDGES, seed=2021)
    assert s.applications == 12 and s.max_load - s.min_load <= 1
    rows = reg.conn.execute("SELECT COUNT(*) FROM assignments WHERE call = ?", (call.id,)).fetchone()[0]
    assert rows == 60
    assert rv.assign_judges(reg, call, JUDGES, seed=2021) == s  # re-running before scoring is allowed
    book = _filled(reg, call, tmp_path)
    assert rv.import_workbooks(reg, call, [book]).stored > 0
    with pytest.raises(rv.ReviewError, match="已有"):
        rv.assign_judges(reg, call, JUDGES, seed=1)


# --- workbooks and import -------------------------------------------------------------------------------------

def _filled(reg: Registry, call: Any, tmp: Path, judge: str | None = None, change: Any = None) -> Path:
    """A judge's workbook written by `forms`, filled with valid scores, then changed by `change(ws, meta)`."""
    forms = tmp / "forms"
    if not (forms / rv.WORKBOOK_DIR).is_dir():
        rv.write_forms(reg, call, forms, pdf=False)
    books = sorted((forms / rv.WORKBOOK_DIR).glob("*.xlsx"))
    book = next(b for b in books if judge is None or b.name.startswith(f"{judge}-"))
    wb = load_workbook(book)
    ws = wb[rv.SHEET]
    rb = rv.rubric(call)
    for row in range(rv.FIRST_ROW, ws.max_row + 1):
        for n, c in enumerate(rb.criteria):
            ws.cell(row, rv.FIRST_CRITERION_COL + n).value = float(c.max) * 0.8
        ws.cell(row, rv.workbook_columns(rb)["comment"]).value = "方法规范，效益明显。"
    if change:
        change(ws, wb[rv.META_SHEET])
    out = tmp / "filled" / f"{book.stem}-{abs(hash(str(change))) % 10**8}.xlsx"
    out.parent.mkdir(exist_ok=True)
    wb.save(out)
    return out


def _set(cell: str, value: Any) -> Any:
    def change(ws: Any, meta: Any) -> None:
        ws[cell] = value
    return change


def _meta(key: str, value: str) -> Any:
    def change(ws: Any, meta: Any) -> None:
        for row in meta.iter_rows():
            if row[0].value == key:
                row[1].value = value
    return change


def _drop_meta(ws: Any, meta: Any) -> None:
    meta.parent.remove(meta)


REJECTIONS = [
    ("out of range", _set("E3", 12), 3, ("review.out_of_range", "12")),
    ("negative", _set("F3", -1), 3, ("review.out_of_range", "-1")),
    ("step", _set("G3", 14.3), 3, ("review.step", "14.3")),
    ("missing criterion", _set("I3", None), 3, ("review.missing", None)),
    ("not a number", _set("H3", "很好"), 3, ("review.not_a_number", "很好")),
    ("formula tampered", _set("L3", 99), 3, ("review.tampered", "99")),
    ("formula edited", _set("L3", "=SUM(E3:J3)"), 3, ("review.tampered", "=SUM(E3:J3)")),
    ("recused", _set("N3", "是"), 3, ("review.recused", None)),
    ("veto value", _set("M3", "也许"), 3, ("review.yes_no", "也许")),
    ("comment too long", _set("O3", "评" * 301), 3, ("review.comment_too_long", 301)),
    ("other call", _meta("call", "saq-2020"), None, ("review.other_call", "saq-2020")),
    ("unknown judge", _meta("judge", "X99"), None, ("review.unknown_judge", "X99")),
    ("no marker", _drop_meta, None, ("review.not_a_scoring_workbook", None)),
]


@pytest.mark.parametrize("name, change, row, want", REJECTIONS)
def test_import_rejections(reg: Registry, call: Any, tmp_path: Path, name: str, change: Any, row: int | None,
                           want: tuple[str, Any]) -> None:
    rv.assign_judges(reg, call, JUDGES, seed=2021)
    book = _filled(reg, call, tmp_path, "J01", change)
    s = rv.import_workbooks(reg, call, [book])
    assert len(s.rejections) == 1, [r.message("en") for r in s.rejections]
    r = s.rejections[0]
    code, actual = want
    assert r.codes == (code,) and r.file == book.name and r.row == row
    assert actual is None or r.findings[0].actual == actual
    assert r.reason_zh and r.reason_en and "None" not in r.message("zh") + r.message("en")
    assert r.sheet == (rv.SHEET if row else None)
    if row:  # the other rows of the same file are stored
        assert s.stored == len(rv.stored_assignments(reg, call.id)["J01"]) - 1
    else:
        assert s.stored == 0


def test_import_rejects_unassigned_and_duplicate_rows(reg: Registry, call: Any, tmp_path: Path) -> None:
    rv.assign_judges(reg, call, JUDGES, seed=2021)
    plan = rv.stored_assignments(reg, call.id)
    other = next(r for j, rs in plan.items() for r in rs if r not in plan["J01"])
    book = _filled(reg, call, tmp_path, "J01", _set("A3", other))
    s = rv.import_workbooks(reg, call, [book])
    assert [(r.row, r.code, r.findings[0].actual) for r in s.rejections] == [(3, "review.not_assigned", other)]
    first = plan["J01"][0]
    book = _filled(reg, call, tmp_path, "J01", _set("A4", first))
    s = rv.import_workbooks(reg, call, [book])
    assert [(r.row, r.code, r.findings[0].expected) for r in s.rejections] == [(4, "review.duplicate", 3)]


def test_import_rejects_judge_from_completing_unit(reg: Registry, call: Any, tmp_path: Path) -> None:
    rv.assign_judges(reg, call, JUDGES, seed=2021)
    first = rv.stored_assignments(reg, call.id)["J01"][0]
    unit = rv.app_info(reg.application(first)).units[0][0]  # type: ignore[arg-type]
    with reg.transaction() as c:  # the judge changed employer after the assignment
        c.execute("UPDATE judges SET unit = ?, credit_code = NULL WHERE judge_id = 'J01'", (unit,))
    s = rv.import_workbooks(reg, call, [_filled(reg, call, tmp_path, "J01")])
    assert [(r.row, r.code) for r in s.rejections] == [(3, "review.conflict")]


def test_import_rejects_a_cached_total_that_differs(reg: Registry, call: Any, tmp_path: Path) -> None:
    """A workbook saved by Excel has cached values: a total that disagrees with the criteria is tampering."""
    rv.assign_judges(reg, call, JUDGES, seed=2021)
    book = _filled(reg, call, tmp_path, "J01")
    raw = io.BytesIO()
    with zipfile.ZipFile(book) as src, zipfile.ZipFile(raw, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'(<c r="L3"[^>]*>)<f>SUM\(E3:K3\)</f><v\s*/?>(</v>)?',
                              rb"\1<f>SUM(E3:K3)</f><v>99</v>", data)
                data = re.sub(rb'(<c r="L4"[^>]*>)<f>SUM\(E4:K4\)</f><v\s*/?>(</v>)?',
                              rb"\1<f>SUM(E4:K4)</f><v>80</v>", data)
            dst.writestr(info, data)
    book.write_bytes(raw.getvalue())
    s = rv.import_workbooks(reg, call, [book])
    assert [(r.row, r.code, r.findings[0].actual) for r in s.rejections] == [(3, "review.total_mismatch", "99")]
    assert s.stored == len(rv.stored_assignments(reg, call.id)["J01"]) - 1  # row 4's cached 80 is right


def test_import_not_a_workbook(reg: Registry, call: Any, tmp_path: Path) -> None:
    rv.assign_judges(reg, call, JUDGES, seed=2021)
    bad = tmp_path / "评分表.xlsx"
    bad.write_text("not a workbook", encoding="utf-8")
    s = rv.import_workbooks(reg, call, [bad])
    assert [r.code for r in s.rejections] == ["review.not_a_workbook"]


@pytest.mark.parametrize("name, data, code", [
    ("申报书.docx", (ROOT / "samples" / "applications" / "valid.docx").read_bytes(), "review.not_a_workbook"),
    ("评分表.xlsx", (ROOT / "samples" / "applications" / "valid.docx").read_bytes(), "review.not_a_workbook"),
    ("评分表.pdf", b"%PDF-1.4\n%%EOF\n", "review.not_a_workbook"),
    ("评分表.xls", None, "review.xls"),
])
def test_import_a_file_that_is_not_a_workbook(reg: Registry, call: Any, tmp_path: Path, name: str,
                                              data: bytes | None, code: str) -> None:
    """A Word form, a PDF, a legacy .xls: each one code, and never "None" or a library's exception name."""
    rv.assign_judges(reg, call, JUDGES, seed=2021)
    path = tmp_path / name
    if data is None:  # an Excel 97-2003 workbook, as LibreOffice saves one
        from openpyxl import Workbook

        book = tmp_path / "x.xlsx"
        Workbook().save(book)
        soffice = shutil.which("soffice")
        assert soffice is not None, "LibreOffice is missing (it makes the .xls): run make setup"
        subprocess.run([soffice, "--headless", "--convert-to", "xls", "--outdir", str(tmp_path), str(book)],
                       check=True, capture_output=True, timeout=120)
        (tmp_path / "x.xls").rename(path)
    else:
        path.write_bytes(data)
    s = rv.import_workbooks(reg, call, [path])
    assert [(r.code, r.row) for r in s.rejections] == [(code, None)]
    for lang in ("zh", "en"):
        text = s.rejections[0].message(lang)
        assert "None" not in text and "Error" not in text and "BadZipFile" not in text


def test_import_an_unreadable_file(reg: Registry, call: Any, tmp_path: Path) -> None:
    rv.assign_judges(reg, call, JUDGES, seed=2021)
    s = rv.import_workbooks(reg, call, [tmp_path / "gone.xlsx", tmp_path])
    assert [r.code for r in s.rejections] == ["review.unreadable", "review.unreadable"]
    zh = [r.message("zh") for r in s.rejections]
    assert "文件不存在" in zh[0] and "文件夹" in zh[1] and not any("None" in z or "No such" in z for z in zh)


def test_import_idempotent_second_score_and_replace(reg: Registry, call: Any, tmp_path: Path) -> None:
    rv.assign_judges(reg, call, JUDGES, seed=2021)
    book = _filled(reg, call, tmp_path, "J02")
    first = rv.import_workbooks(reg, call, [book])
    n = len(rv.stored_assignments(reg, call.id)["J02"])
    assert (first.stored, first.rejections) == (n, [])
    dump = list(reg.conn.execute("SELECT * FROM scores ORDER BY reg_no, judge_id"))
    again = rv.import_workbooks(reg, call, [book])
    assert (again.stored, again.replaced, again.unchanged, again.rejections) == (0, 0, n, [])
    assert list(reg.conn.execute("SELECT * FROM scores ORDER BY reg_no, judge_id")) == dump
    changed = _filled(reg, call, tmp_path, "J02", _set("E3", 5))
    s = rv.import_workbooks(reg, call, [changed])
    assert [r.row for r in s.rejections] == [3] and "already scored" in s.rejections[0].reason_en
    assert s.unchanged == n - 1
    s = rv.import_workbooks(reg, call, [changed], replace=True)
    assert (s.replaced, s.unchanged, s.rejections) == (1, n - 1, [])
    reg_no = rv.stored_assignments(reg, call.id)["J02"][0]
    total = reg.conn.execute("SELECT total FROM scores WHERE reg_no = ? AND judge_id = 'J02'", (reg_no,)).fetchone()
    assert total[0] == 5 + 0.8 * 90


def test_workbook_layout(reg: Registry, call: Any, tmp_path: Path) -> None:
    rv.assign_judges(reg, call, JUDGES, seed=2021)
    s = rv.write_forms(reg, call, tmp_path / "forms", pdf=False)
    assert len(s.workbooks) == 20 and len(s.docx) == 12 and s.pdf == []
    wb = load_workbook(next(p for p in s.workbooks if p.name.startswith("J01-")))
    ws = wb[rv.SHEET]
    assert ws["E2"].value == "选题与目标\n（满分10）" and ws["F2"].value == "方法应用\n（满分25）"
    assert ws["L3"].value == "=SUM(E3:K3)" and ws["M3"].value == "否" and ws["N3"].value == "否"
    assert ws.protection.sheet and ws["A3"].protection.locked and ws["L3"].protection.locked
    assert not ws["E3"].protection.locked and not ws["O3"].protection.locked
    assert ws.freeze_panes == "E3"
    formulas = {dv.formula1 for dv in ws.data_validations.dataValidation}
    assert "AND(ISNUMBER(E3),E3>=0,E3<=10,MOD(E3*2,1)=0)" in formulas
    assert "AND(ISNUMBER(F3),F3>=0,F3<=25,MOD(F3*2,1)=0)" in formulas and '"是,否"' in formulas
    assert wb[rv.META_SHEET].sheet_state == "veryHidden" and wb.security.lockStructure
    assert ws["B3"].value.startswith("测试项目") and "<&>" in ws["B3"].value


def test_template_variables_equal_context(reg: Registry, call: Any) -> None:
    app = rv.review_apps(reg, call)[0]
    context = scoring_form_context(call, rv.rubric(call), app)
    assert template_variables(scoring_form_template(call)) == set(context)


def test_template_is_reproducible(tmp_path: Path) -> None:
    import runpy

    script = runpy.run_path(str(ROOT / "templates" / "make_review_templates.py"))
    from pipeline.fileio import docx_bytes

    assert docx_bytes(script["build"]()) == (ROOT / "templates" / "default" / "scoring-form.docx").read_bytes()


# --- aggregation, ties and levels (hand-computed) -------------------------------------------------------------

def _form(reg_no: str, judge: str, total: float, veto: bool = False, **fixed: float) -> rv.Score:
    """A form with this total: the fixed criteria first, the rest filled in rubric order up to each maximum."""
    from pipeline.calls import load_call

    rb = rv.rubric(load_call("saq-2021"))
    left = Fraction(total) - sum(Fraction(v) for v in fixed.values())
    values: dict[str, Fraction] = {}
    for c in rb.criteria:
        if c.id in fixed:
            values[c.id] = Fraction(fixed[c.id])
        else:
            values[c.id] = min(c.max, left)
            left -= values[c.id]
    assert left == 0 and sum(values.values()) == Fraction(total)
    return rv.Score(reg_no, judge, values, veto)


def _results(call: Any, forms: list[rv.Score], apps: int) -> dict[str, rv.Outcome]:
    out = rv.compute_results(rv.rubric(call), [(f"A{i}", i) for i in range(1, apps + 1)], forms)
    return {o.reg_no: o for o in out}


@pytest.mark.parametrize("totals, final, plain", [
    ([90, 80, 70, 85, 60], Fraction(235, 3), Fraction(77)),       # 5 forms: drop 90 and 60
    ([90, 90, 60, 60, 75, 80], Fraction(305, 4), Fraction(455, 6)),  # 6 forms: drop one 90 and one 60 only
    ([80, 71], Fraction(151, 2), Fraction(151, 2)),                # fewer than 5: plain mean
    ([88, 70, 64, 91], Fraction(313, 4), Fraction(313, 4)),
    ([77.5], Fraction(155, 2), Fraction(155, 2)),
])
def test_final_score(call: Any, totals: list[float], final: Fraction, plain: Fraction) -> None:
    o = _results(call, [_form("A1", f"J{n}", t) for n, t in enumerate(totals)], 1)["A1"]
    assert (o.final, o.plain_mean, o.forms) == (final, plain, len(totals))
    kept = len(totals) - 2 if len(totals) >= 5 else len(totals)
    assert sum(o.weights.values()) == kept
    if totals.count(max(totals)) == totals.count(min(totals)) == 1 or len(totals) < 5:
        assert len(o.counted) == kept
    else:  # tied extremes: every tied form counts in part (call-2021.md §4)
        assert len(o.counted) == len(totals)


def test_criterion_averages_over_the_same_judges(call: Any) -> None:
    forms = [_form("A1", "J1", 90, innovation=20), _form("A1", "J2", 80, innovation=10),
             _form("A1", "J3", 70, innovation=12), _form("A1", "J4", 85, innovation=16),
             _form("A1", "J5", 60, innovation=4)]
    o = _results(call, forms, 1)["A1"]
    assert set(o.counted) == {"J2", "J3", "J4"} and o.averages["innovation"] == Fraction(38, 3)


def test_tied_extremes_the_specs_worked_example(call: Any) -> None:
    # call-2021.md §4: totals 81, 81, 78.5, 76, 73.5; the dropped highest form is the mean of the two 81s.
    forms = [_form("A1", "J1", 81, innovation=18), _form("A1", "J2", 81, innovation=14),
             _form("A1", "J3", 78.5, innovation=16), _form("A1", "J4", 76, innovation=15),
             _form("A1", "J5", 73.5, innovation=12)]
    o = _results(call, forms, 1)["A1"]
    # by hand: 创新性 (18 + 14 + 16 + 15 + 12 − (18 + 14) / 2 − 12) / 3 = (75 − 16 − 12) / 3 = 47/3
    assert o.averages["innovation"] == Fraction(47, 3)
    # total (81 + 81 + 78.5 + 76 + 73.5 − 81 − 73.5) / 3 = 235.5 / 3 = 78.5
    assert o.final == Fraction(157, 2) and o.plain_mean == 78
    assert o.weights == {"J1": Fraction(1, 2), "J2": Fraction(1, 2), "J3": 1, "J4": 1, "J5": 0}
    assert o.counted == ("J1", "J2", "J3", "J4")
    # every criterion average is the same weighted mean, so they still add up to the final score
    assert sum(o.averages.values()) == o.final
    # methods: J1..J5 fill 25 each (totals leave room), so the average is 25 whatever is dropped
    assert o.averages["methods"] == 25


@pytest.mark.parametrize("totals, weights", [
    ([80, 80, 80, 80, 80], [Fraction(3, 5)] * 5),                         # all tied: each loses 2/5
    ([90, 90, 90, 70, 60], [Fraction(2, 3)] * 3 + [1, 0]),                # three share the highest
    ([90, 60, 60, 60, 60, 75], [0, Fraction(3, 4), Fraction(3, 4), Fraction(3, 4), Fraction(3, 4), 1]),
    ([90, 60, 75, 70], [1, 1, 1, 1]),                                     # fewer than 5: nothing trimmed
])
def test_trim_weights(totals: list[int], weights: list[Fraction]) -> None:
    got = rv.trim_weights([Fraction(t) for t in totals], 5)
    assert got == weights and sum(got) == (len(totals) - 2 if len(totals) >= 5 else len(totals))


def _tied_round(call: Any, seed: int) -> list[rv.Score]:
    """30 applications, 5 of 15 judges each, scores from a coarse grid so that totals tie often; A1 and A2 are the
    issue's pair tied at 78.5 whose order (二等奖 or 三等奖) the judge id used to decide."""
    import random

    rnd = random.Random(seed)
    rb = rv.rubric(call)
    forms = [_form("A1", "J01", 81, innovation=18), _form("A1", "J02", 81, innovation=14),
             _form("A1", "J03", 78.5, innovation=16), _form("A1", "J04", 76, innovation=15),
             _form("A1", "J05", 73.5, innovation=12)]
    forms += [_form("A2", f"J{n:02d}", t, innovation=i) for n, t, i in
              [(6, 82, 17), (7, 78.5, 16), (8, 78.5, 15.5), (9, 78.5, 15.5), (10, 70, 14)]]
    for a in range(3, 31):
        for j in rnd.sample(range(1, 16), 5):
            values = {c.id: c.max * Fraction(rnd.choice((6, 7, 8, 9)), 10) for c in rb.criteria}
            values = {k: (v / rb.step).__floor__() * rb.step for k, v in values.items()}
            forms.append(rv.Score(f"A{a}", f"J{j:02d}", values, rnd.random() < 0.02))
    return forms


def _relabelled(forms: list[rv.Score], seed: int) -> list[rv.Score]:
    """The same forms under other judge ids (a random one-to-one renaming) and in another order."""
    import random

    rnd = random.Random(seed)
    ids = sorted({s.judge_id for s in forms})
    new = [f"E{n:03d}" for n in rnd.sample(range(1, 1000), len(ids))]
    rename = dict(zip(ids, new, strict=True))
    out = [rv.Score(s.reg_no, rename[s.judge_id], dict(s.criteria), s.veto, s.comment) for s in forms]
    rnd.shuffle(out)
    return out


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5, 2021])
def test_results_do_not_depend_on_judge_ids_or_order(call: Any, seed: int) -> None:
    forms = _tied_round(call, seed)
    apps = [(f"A{i}", i) for i in range(1, 31)]
    rb = rv.rubric(call)

    def results(scores: list[rv.Score]) -> dict[str, tuple[Any, ...]]:
        return {o.reg_no: (o.final, o.averages, o.plain_mean, o.rank, o.z_rank, o.hold, o.level_name, o.serial,
                           sorted(o.weights.values())) for o in rv.compute_results(rb, apps, scores)}

    first = results(forms)
    for k in range(4):
        assert results(_relabelled(forms, seed * 10 + k)) == first
    # the pair, by hand: A1 as in the spec's example, 78.5 and 创新性 47/3 whatever the ids; A2 drops its
    # 82 and 70 and keeps three 78.5s with 创新性 16, 15.5, 15.5: 78.5 and 47/3 too; 方法应用 25 and 经济效益 15
    # on both, so the registration number decides: A1 before A2
    assert first["A1"][0] == first["A2"][0] == Fraction(157, 2)
    assert first["A1"][1]["innovation"] == first["A2"][1]["innovation"] == Fraction(47, 3)
    assert first["A1"][3] < first["A2"][3]


@pytest.mark.parametrize("scored, expected", [
    (0, [0, 0, 0]), (1, [1, 0, 0]), (4, [1, 0, 1]), (7, [1, 1, 2]), (10, [1, 2, 3]), (25, [2, 5, 7]), (29, [2, 5, 8]),
])
def test_quotas_round_down_first_level_at_least_one(call: Any, scored: int, expected: list[int]) -> None:
    assert [q.max_count for q in rv.quotas(rv.rubric(call), scored)] == expected


def test_level_walk_falls_to_the_next_level(call: Any) -> None:
    # 7 scored: 一等奖 max(1, floor 0.7) = 1, 二等奖 floor 1.4 = 1, 三等奖 floor 2.1 = 2
    totals = [95, 90, 88, 80, 70, 66, 60]
    res = _results(call, [_form(f"A{i}", "J1", t) for i, t in enumerate(totals, start=1)], 7)
    got = [(res[f"A{i}"].rank, res[f"A{i}"].level_name, res[f"A{i}"].serial) for i in range(1, 8)]
    assert got == [(1, "一等奖", 1), (2, "二等奖", 2), (3, "三等奖", 3), (4, "三等奖", 4), (5, None, None),
                   (6, None, None), (7, None, None)]


def test_below_thresholds_no_level_even_with_room(call: Any) -> None:
    totals = [84.5, 74.5, 64.5, 50, 40, 30, 20, 10, 5, 1]  # 10 scored: quotas 1, 2, 3
    res = _results(call, [_form(f"A{i}", "J1", t) for i, t in enumerate(totals, start=1)], 10)
    assert [res[f"A{i}"].level_name for i in range(1, 11)] == ["二等奖", "三等奖"] + [None] * 8


def test_hold_gets_no_level_and_takes_no_quota(call: Any) -> None:
    totals = [95, 92, 91, 80, 79, 70, 69, 68, 50, 40]  # 10 scored, quotas 1, 2, 3
    forms = [_form(f"A{i}", "J1", t) for i, t in enumerate(totals, start=1)]
    forms.append(_form("A1", "J2", 95, veto=True))
    res = _results(call, forms, 10)
    assert res["A1"].hold and res["A1"].rank == 1 and res["A1"].level is None and res["A1"].vetoed_by == ("J2",)
    assert [res[f"A{i}"].level_name for i in range(2, 11)] == \
        ["一等奖", "二等奖", "二等奖", "三等奖", "三等奖", "三等奖", None, None, None]
    assert [res[f"A{i}"].serial for i in range(2, 8)] == [1, 2, 3, 4, 5, 6]


@pytest.mark.parametrize("a, b, first", [
    ({"innovation": 18}, {"innovation": 16}, "A2"),                          # higher 创新性 wins over an earlier number
    ({"innovation": 16, "methods": 22}, {"innovation": 16, "methods": 20}, "A2"),  # then 方法应用
    ({"innovation": 16, "methods": 20, "economic": 15}, {"innovation": 16, "methods": 20, "economic": 12}, "A2"),
    ({"innovation": 16, "methods": 20, "economic": 12}, {"innovation": 16, "methods": 20, "economic": 12}, "A1"),
])
def test_ties(call: Any, a: dict[str, float], b: dict[str, float], first: str) -> None:
    forms = [_form("A1", "J1", 80, **b), _form("A2", "J1", 80, **a)]
    res = _results(call, forms, 2)
    assert res[first].rank == 1 and res["A1"].final == res["A2"].final == 80


def test_unscored_application_is_last_and_not_counted(call: Any) -> None:
    res = _results(call, [_form("A2", "J1", 90)], 2)
    assert res["A2"].rank == 1 and res["A2"].level == 1
    assert res["A1"].rank is None and res["A1"].final is None and res["A1"].level is None


def test_z_scores_correct_a_lenient_judge(call: Any) -> None:
    # J1 is harsh and scores A1..A4; J2 is lenient and scores A5..A8; z-scores put both groups side by side.
    forms = [_form(f"A{i}", "J1", t) for i, t in enumerate([70, 66, 62, 58], start=1)]
    forms += [_form(f"A{i}", "J2", t) for i, t in enumerate([95, 93, 91, 89], start=5)]
    res = _results(call, forms, 8)
    z = rv.judge_z_scores(forms)
    assert z[("A1", "J1")] == pytest.approx(1.3416, abs=1e-4) and z[("A8", "J2")] == pytest.approx(-1.3416, abs=1e-4)
    assert res["A1"].rank == 5 and res["A1"].z_rank == 1 and res["A1"].shift == -4
    assert res["A8"].rank == 4 and res["A8"].z_rank == 8 and res["A8"].shift == 4


# --- results in the registry, the workbook, load_results ------------------------------------------------------

def test_results_stored_and_loaded(reg: Registry, call: Any, tmp_path: Path) -> None:
    rv.assign_judges(reg, call, JUDGES, seed=2021)
    with pytest.raises(rv.ReviewError, match="还没有评分"):
        rv.make_results(reg, call, tmp_path / "r.xlsx")
    books = [_filled(reg, call, tmp_path, f"J{n:02d}") for n in range(1, 21)]
    assert rv.import_workbooks(reg, call, books).rejections == []
    s = rv.make_results(reg, call, tmp_path / "r.xlsx")
    assert s.scored == 12 and [q.max_count for q in s.quotas] == [1, 2, 3]
    rows = rv.load_results(reg, call.id)
    assert [r.rank for r in rows] == list(range(1, 13))
    assert all(r.final == 80 for r in rows)  # every criterion at 80 %: ties down to the registration number
    assert [r.reg_no for r in rows] == [f"2021-{n:04d}" for n in range(1, 13)]
    # 80 is below 一等奖's 85: two 二等奖, three 三等奖, the rest nothing
    assert [(r.level, r.serial) for r in rows[:6]] == [(2, 1), (2, 2), (3, 3), (3, 4), (3, 5), (None, None)]
    assert rows[0].units[0] == "上海测试0号（集团）有限公司" and rows[0].persons == ("张0", "李0")
    wb = load_workbook(tmp_path / "r.xlsx")
    assert wb.sheetnames == ["排名", "专家评分", "说明"]
    assert wb["排名"].auto_filter.ref and wb["排名"].freeze_panes == "C2"
    notes = "\n".join(str(c.value) for row in wb["说明"].iter_rows() for c in row if c.value is not None)
    assert "已评分 12 项 × 10% = 1.2，向下取整，至少 1 项" in notes and "含待核查项目" in notes
    assert "与专家编号和顺序无关" in notes
    # all five forms of each application total 80: each counts 3/5 (two of five tied forms dropped as their mean)
    js = wb["专家评分"]
    col = [c.value for c in js[1]].index("计入最终得分")
    assert {row[col] for row in js.iter_rows(min_row=2, values_only=True)} == \
        {"部分（按 3/5 份计：与其他评分表并列最高或最低分）"}
    with pytest.raises(sqlite3.IntegrityError):  # a score needs an assignment
        reg.conn.execute("INSERT INTO scores (call, reg_no, judge_id, criteria, total, veto, source, "
                         "source_sha256, source_row, imported_at) VALUES ('saq-2021', '2021-0001', 'J99', '{}', 0, "
                         "0, 'x', 'x', 1, 'x')")


def test_demo_review_end_to_end(reg: Registry, call: Any, tmp_path: Path) -> None:
    out = run_demo_review(reg, call, JUDGES, tmp_path / "review", pdf=True)
    assert out["applications"] == 12 and out["workbooks"] == 20 and out["scoring_forms_docx"] == 12
    assert out["scoring_forms_pdf"] == 12 or out["pdf_skipped"]
    assert out["rows_rejected"] == 4 and out["held"] == 1 and out["scored"] == 12
    assert sorted(out["rejection_codes"]) == ["review.missing", "review.out_of_range", "review.step",
                                              "review.tampered"]
    assert len(out["rejections"]) == 4 and "None" not in "\n".join(out["rejections"])
    assert (tmp_path / "review" / "评审结果.xlsx").is_file()
    assert out["awarded"]["一等奖"] == 1


# --- the command line -----------------------------------------------------------------------------------------

def test_cli_end_to_end(tmp_path: Path, call: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    db = str(tmp_path / "award.sqlite")
    make_registry(Path(db), call).close()
    runner = CliRunner()

    def run(*args: str) -> Any:
        return runner.invoke(main, ["--db", db, *args], catch_exceptions=False)

    r = run("review", "results", "-o", str(tmp_path / "r.xlsx"))
    assert r.exit_code == 3 and "专家" in r.output + (r.stderr if r.stderr_bytes else "")
    r = run("review", "assign", "--judges", str(JUDGES), "--seed", "2021")
    assert r.exit_code == 0 and "已为 12 个项目各分配 5 位专家" in r.output
    r = run("--lang", "en", "review", "assign", "--judges", str(JUDGES), "--per-app", "19")
    assert r.exit_code == 3 and "not enough judges" in r.output
    r = run("review", "assign", "--judges", str(JUDGES), "--seed", "2021")
    import pipeline.office as pdf

    monkeypatch.setattr(pdf, "soffice", lambda: None)
    r = run("review", "forms", "-o", str(tmp_path / "forms"))
    assert r.exit_code == 0 and "已跳过 PDF" in r.output and len(list((tmp_path / "forms").rglob("*.docx"))) == 12
    assert run("review", "forms", "-o", str(tmp_path / "forms2"), "--pdf").exit_code == 3
    from fill_scores import fill_workbooks

    filled = fill_workbooks(tmp_path / "forms", tmp_path / "filled")
    r = run("review", "import", *map(str, filled))
    assert r.exit_code == 1 and r.output.count("不予导入：") == 4 and "其余有效行已导入" in r.output
    r = run("--lang", "en", "review", "import", *map(str, filled))
    assert r.exit_code == 1 and "rejected: " in r.output and "0 stored" in r.output
    good = [p for p in filled if "J01" not in p.name and not any(f"J0{n}" in p.name for n in (2, 3, 4, 5))]
    assert run("review", "import", *map(str, good)).exit_code == 0
    r = run("review", "results", "-o", str(tmp_path / "r.xlsx"))
    assert r.exit_code == 0 and "待核查 1 项" in r.output and (tmp_path / "r.xlsx").is_file()
    r = run("--lang", "en", "review", "results", "-o", str(tmp_path / "r.xlsx"))
    assert r.exit_code == 0 and "1 on hold" in r.output
