"""Review documents: each judge's scoring workbook, the printable scoring form, the results workbook.

What they show of judges, applications, scores and results is named by the protocols below (pipeline.review's
Judge, AppInfo, Score, Outcome and Quota satisfy them): the review imports this module, never the other way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any, Protocol

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from pipeline.calls import Call, Rubric
from pipeline.fileio import atomic_write, save_docx_reproducible
from pipeline.render.docx import render_template
from pipeline.render.review_layout import (
    FIRST_CRITERION_COL,
    FIRST_ROW,
    HEADER_ROW,
    HOLD_ZH,
    META_KIND,
    META_SHEET,
    NO,
    SHEET,
    YES,
    total_formula,
    workbook_columns,
)
from pipeline.render.sheets import print_setup, text_lines
from pipeline.resources import call_template
from pipeline.text import display_width


class JudgeLike(Protocol):
    """A judge as the documents show one."""

    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def unit(self) -> str: ...


class AppLike(Protocol):
    """An application as the review documents show one."""

    @property
    def reg_no(self) -> str: ...
    @property
    def project(self) -> str: ...
    @property
    def applicant(self) -> str: ...
    @property
    def category(self) -> str: ...
    @property
    def units(self) -> tuple[tuple[str, str | None], ...]: ...
    @property
    def persons(self) -> tuple[str, ...]: ...
    @property
    def fields(self) -> dict[str, Any]: ...


class ScoreLike(Protocol):
    """A judge's valid scoring form."""

    @property
    def reg_no(self) -> str: ...
    @property
    def judge_id(self) -> str: ...
    @property
    def criteria(self) -> dict[str, Fraction]: ...
    @property
    def veto(self) -> bool: ...
    @property
    def comment(self) -> str: ...
    @property
    def total(self) -> Fraction: ...


class OutcomeLike(Protocol):
    """An application's computed result."""

    @property
    def reg_no(self) -> str: ...
    @property
    def forms(self) -> int: ...
    @property
    def final(self) -> Fraction | None: ...
    @property
    def averages(self) -> dict[str, Fraction]: ...
    @property
    def plain_mean(self) -> Fraction | None: ...
    @property
    def weights(self) -> dict[str, Fraction]: ...
    @property
    def rank(self) -> int | None: ...
    @property
    def z_rank(self) -> int | None: ...
    @property
    def shift(self) -> int | None: ...
    @property
    def hold(self) -> bool: ...
    @property
    def vetoed_by(self) -> tuple[str, ...]: ...
    @property
    def level(self) -> int | None: ...
    @property
    def level_name(self) -> str | None: ...
    @property
    def serial(self) -> int | None: ...


class QuotaLike(Protocol):
    """A level's threshold and quota."""

    @property
    def level(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def min_score(self) -> Fraction: ...
    @property
    def share(self) -> Decimal: ...
    @property
    def at_least(self) -> int: ...
    @property
    def max_count(self) -> int: ...


FONT = "宋体"
HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
INPUT_FILL = PatternFill("solid", fgColor="FFF9E5")
HOLD_FILL = PatternFill("solid", fgColor="FCE4D6")
WARN_FILL = PatternFill("solid", fgColor="FFF2CC")
THIN = Side(style="thin", color="999999")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="center")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
# Sheet protection keeps judges from changing structure by accident; it is not a secret (staff can unprotect).
PROTECT_PASSWORD = "saq-review"


def _fit(ws: Worksheet, widths: dict[int, tuple[int, int]]) -> None:
    """Set column widths from (min, max) and the longest cell text, so Chinese headers and values fit."""
    longest: dict[int, int] = {}
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is not None and not str(cell.value).startswith("="):
                longest[cell.column] = max(longest.get(cell.column, 0),
                                           max(display_width(x) for x in str(cell.value).splitlines() or [""]))
    for col, (lo, hi) in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = max(lo, min(hi, longest.get(col, 0) + 2))


def _row_heights(ws: Worksheet, first: int) -> None:
    """Rows tall enough for their wrapped text (spreadsheet programs do not grow rows openpyxl wrote)."""
    for r in range(first, ws.max_row + 1):
        lines = 1
        for cell in ws[r]:
            if cell.value is None or str(cell.value).startswith("="):
                continue
            width = ws.column_dimensions[get_column_letter(cell.column)].width or 10
            room = max(1, int(width) - 1)
            need = sum(max(1, -(-display_width(part) // room)) for part in str(cell.value).split("\n"))
            lines = max(lines, need)
        ws.row_dimensions[r].height = 15 * lines + 3


def _header(ws: Worksheet, row: int, labels: Sequence[str]) -> None:
    for n, label in enumerate(labels, start=1):
        c = ws.cell(row, n, label)
        c.font = Font(name=FONT, bold=True)
        c.fill = HEAD_FILL
        c.alignment = CENTER
        c.border = BOX


def _score_value(x: Fraction | None) -> float | None:
    return None if x is None else round(float(x), 2)


# --- each judge's workbook ------------------------------------------------------------------------------------

def write_judge_workbook(path: Path, call: Call, rb: Rubric, judge: JudgeLike, apps: Sequence[AppLike]) -> Path:
    """One judge's scoring workbook: a row per assigned application, inputs unlocked, everything else locked."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    cols = workbook_columns(rb)
    n_cols = cols["comment"]
    ws.cell(1, 1, f"{call.award} 专家评分表　　专家：{judge.name}（编号 {judge.id}）　　"
                  f"共 {len(apps)} 项，分数以 {float(rb.step):g} 分为单位")
    ws.cell(1, 1).font = Font(name=FONT, bold=True, size=13)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=n_cols)
    ws.row_dimensions[1].height = 24
    labels = ["登记号", "项目名称", "申报单位", "项目类别"]
    labels += [f"{c.label}\n（满分{float(c.max):g}）" for c in rb.criteria]
    labels += [f"总分\n（满分{float(rb.total_max):g}）", "否决项\n（弄虚作假）", "回避",
               f"评语\n（不超过{rb.comment_max_chars}字）"]
    _header(ws, HEADER_ROW, labels)
    ws.row_dimensions[HEADER_ROW].height = 36
    last = FIRST_ROW + max(len(apps), 1) - 1
    for i, a in enumerate(apps):
        r = FIRST_ROW + i
        for col, value in enumerate((a.reg_no, a.project, a.applicant, a.category), start=1):
            c = ws.cell(r, col, value)
            c.alignment = WRAP
        for n in range(len(rb.criteria)):
            c = ws.cell(r, FIRST_CRITERION_COL + n)
            c.number_format = "0.0"
        ws.cell(r, cols["total"], total_formula(rb, r)).number_format = "0.0"
        ws.cell(r, cols["total"]).font = Font(name=FONT, bold=True)
        ws.cell(r, cols["veto"], NO)
        ws.cell(r, cols["recused"], NO)
        ws.row_dimensions[r].height = 36
        for col in range(1, n_cols + 1):
            c = ws.cell(r, col)
            c.border = BOX
            if c.font is None or not c.font.b:
                c.font = Font(name=FONT)
            if col >= FIRST_CRITERION_COL and col != cols["total"]:
                c.protection = Protection(locked=False)
                c.fill = INPUT_FILL
                c.alignment = CENTER if col != cols["comment"] else WRAP
            elif col == cols["total"]:
                c.alignment = CENTER
    # Data validation: each criterion 0..max in steps of the rubric's step; 是/否 drop-downs; comment length.
    per_unit = int(1 / rb.step) if (1 / rb.step).denominator == 1 else None
    for n, crit in enumerate(rb.criteria):
        letter = get_column_letter(FIRST_CRITERION_COL + n)
        top = f"{letter}{FIRST_ROW}"
        step_test = f"MOD({top}*{per_unit},1)=0" if per_unit else f"MOD({top},{float(rb.step)})=0"
        dv = DataValidation(type="custom", allow_blank=True,
                            formula1=f"AND(ISNUMBER({top}),{top}>=0,{top}<={float(crit.max):g},{step_test})")
        dv.error = f"“{crit.label}”应为 0～{float(crit.max):g} 之间、以 {float(rb.step):g} 为单位的分数"
        dv.errorTitle = "分数无效"
        dv.prompt = f"0～{float(crit.max):g} 分，以 {float(rb.step):g} 分为单位"
        dv.promptTitle = crit.label
        dv.showErrorMessage = dv.showInputMessage = True
        dv.add(f"{letter}{FIRST_ROW}:{letter}{last}")
        ws.add_data_validation(dv)
    for key, title in (("veto", "否决项"), ("recused", "回避")):
        letter = get_column_letter(cols[key])
        dv = DataValidation(type="list", formula1=f'"{YES},{NO}"', allow_blank=False)
        dv.error, dv.errorTitle = "请选择“是”或“否”", title
        dv.showErrorMessage = True
        dv.add(f"{letter}{FIRST_ROW}:{letter}{last}")
        ws.add_data_validation(dv)
    letter = get_column_letter(cols["comment"])
    dv = DataValidation(type="textLength", operator="lessThanOrEqual", formula1=str(rb.comment_max_chars),
                        allow_blank=True)
    dv.error, dv.errorTitle = f"评语不超过 {rb.comment_max_chars} 字", "评语过长"
    dv.showErrorMessage = True
    dv.add(f"{letter}{FIRST_ROW}:{letter}{last}")
    ws.add_data_validation(dv)

    ws.freeze_panes = ws.cell(FIRST_ROW, FIRST_CRITERION_COL)
    widths = {1: (11, 12), 2: (16, 30), 3: (14, 26), 4: (10, 16), cols["total"]: (11, 11), cols["veto"]: (11, 11),
              cols["recused"]: (7, 7), cols["comment"]: (40, 40)}
    widths.update({FIRST_CRITERION_COL + n: (11, 13) for n in range(len(rb.criteria))})
    _fit(ws, widths)
    print_setup(ws, title_rows=(1, HEADER_ROW))  # the title (judge's name) and the column headers on every page
    ws.protection.sheet = True
    ws.protection.password = PROTECT_PASSWORD
    ws.protection.formatColumns = False  # judges may widen columns to read long names
    ws.protection.formatRows = False

    _instructions(wb.create_sheet("填写说明"), call, rb)
    meta = wb.create_sheet(META_SHEET)
    for row in (("kind", META_KIND), ("call", call.id), ("judge", judge.id), ("judge_name", judge.name),
                ("form_version", call.form_version)):
        meta.append(row)
    meta.sheet_state = "veryHidden"
    meta.protection.sheet = True
    meta.protection.password = PROTECT_PASSWORD
    wb.security.lockStructure = True  # no unhiding, renaming or deleting sheets
    wb.security.workbookPassword = PROTECT_PASSWORD
    wb.active = 0
    wb.properties.title = f"专家评分表 {judge.id}"
    wb.properties.identifier = call.id
    wb.properties.creator = call.organiser.name
    return atomic_write(path, wb.save)


INSTRUCTION_WIDTHS = (14, 8, 72)  # 评分项, 满分, 评分要点: one portrait A4 page wide


def _instructions(ws: Worksheet, call: Call, rb: Rubric) -> None:
    """The 填写说明 sheet: the instructions across the table's width, then the criteria; prints on one A4 page."""
    ws.append([f"{call.award} 专家评分说明"])
    ws.cell(1, 1).font = Font(name=FONT, bold=True, size=13)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=3)
    ws.row_dimensions[1].height = 24
    for line in (
        f"1. 请在“{SHEET}”工作表的浅黄色单元格中填写各项得分、否决项、回避和评语；其他单元格已锁定。",
        f"2. 每项得分在 0 至该项满分之间，以 {float(rb.step):g} 分为最小单位；总分由公式自动计算，请勿改动。",
        "3. 否决项：申报材料存在弄虚作假的选“是”，该项目将暂停评奖，由组织单位核查。",
        "4. 回避：与项目或其完成单位存在利害关系的选“是”，且不填分数。",
        f"5. 评语不超过 {rb.comment_max_chars} 字。请勿增删行列或修改文件结构，填好后原文件交回。",
    ):
        ws.append([line])
        r = ws.max_row
        ws.cell(r, 1).font = Font(name=FONT)
        ws.cell(r, 1).alignment = Alignment(wrap_text=True, vertical="top")
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=3)
        ws.row_dimensions[r].height = 16 * text_lines(line, INSTRUCTION_WIDTHS[0] + INSTRUCTION_WIDTHS[1]
                                                     + INSTRUCTION_WIDTHS[2]) + 4
    ws.append([])
    _header(ws, ws.max_row + 1, ["评分项", "满分", "评分要点"])
    for c in rb.criteria:
        ws.append([c.label, float(c.max), c.guidance])
        for cell in ws[ws.max_row]:
            cell.alignment = WRAP
            cell.border = BOX
            cell.font = Font(name=FONT)
        ws.row_dimensions[ws.max_row].height = 16 * text_lines(c.guidance, INSTRUCTION_WIDTHS[2]) + 4
    for letter, width in zip("ABC", INSTRUCTION_WIDTHS, strict=True):
        ws.column_dimensions[letter].width = width
    print_setup(ws, landscape=False, title_rows=None, one_page=True)
    ws.protection.sheet = True
    ws.protection.password = PROTECT_PASSWORD


# --- the printable scoring form -------------------------------------------------------------------------------

SCORING_TEMPLATE = "scoring-form.docx"


def scoring_form_template(call: Call) -> Path:
    """The Word template of the printable scoring form."""
    return call_template(call.folder, SCORING_TEMPLATE)


def scoring_form_context(call: Call, rb: Rubric, app: AppLike) -> dict[str, Any]:
    """Everything the scoring-form template may use."""
    f, roles = app.fields, call.roles
    start, end = str(f.get(roles.project_start) or ""), str(f.get(roles.project_end) or "")
    return {
        "award": call.award,
        "title": "专家评分表",
        "organiser": call.organiser.name,
        "reg_no": app.reg_no,
        "project": app.project,
        "applicant": app.applicant,
        "category": app.category,
        "industry": str(f.get(roles.project_industry) or ""),
        "period": f"{start}至{end}" if start and end else str(f.get(roles.project_period) or start or end),
        "units": "；".join(n for n, _ in app.units),
        "persons": "、".join(app.persons),
        "criteria": [{"label": c.label, "max": f"{float(c.max):g}", "guidance": c.guidance} for c in rb.criteria],
        "total_max": f"{float(rb.total_max):g}",
        "step": f"{float(rb.step):g}",
        "comment_max": rb.comment_max_chars,
    }


def write_scoring_form(path: Path, call: Call, rb: Rubric, app: AppLike) -> Path:
    """The printable scoring form of one application (.docx, from the call's Word template)."""
    doc = render_template(scoring_form_template(call), scoring_form_context(call, rb, app))
    return save_docx_reproducible(doc, path)


# --- the results workbook -------------------------------------------------------------------------------------

def write_results_workbook(path: Path, call: Call, rb: Rubric, apps: Mapping[str, AppLike],
                           outcomes: Sequence[OutcomeLike], scores: Sequence[ScoreLike],
                           judges: Mapping[str, JudgeLike], limits: Sequence[QuotaLike],
                           z: Mapping[tuple[str, str], float]) -> Path:
    """Ranking, every judge's scores and the rules applied, for staff; z: each form's z-score among its judge's
    totals, by (registration number, judge id)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "排名"
    head = ["排名", "登记号", "项目名称", "申报单位", "项目类别", "有效评分表数", "最终得分"]
    head += [f"{c.label}（均分）" for c in rb.criteria]
    head += ["算术平均分", "标准分排名", "名次变动", "提示", "奖励等级", "获奖序号", "状态"]
    _header(ws, 1, head)
    for o in outcomes:
        a = apps[o.reg_no]
        shift = o.shift
        warn = shift is not None and abs(shift) > rb.rank_shift_warning
        note = ""
        if warn:
            note = f"标准分排名相差 {abs(shift or 0)} 位，请复核评分尺度"
        status = (f"{HOLD_ZH}（专家 {'、'.join(o.vetoed_by)} 选择否决项）" if o.hold
                  else "未评分" if o.final is None else "")
        row = [o.rank, o.reg_no, a.project, a.applicant, a.category, o.forms, _score_value(o.final)]
        row += [_score_value(o.averages.get(c.id)) for c in rb.criteria]
        row += [_score_value(o.plain_mean), o.z_rank, shift, note, o.level_name or ("—" if o.final is not None else ""),
                o.serial, status]
        ws.append(row)
        r = ws.max_row
        for cell in ws[r]:
            cell.font = Font(name=FONT)
            cell.border = BOX
            cell.alignment = WRAP
        for col in (7, *range(8, 8 + len(rb.criteria)), 8 + len(rb.criteria)):
            ws.cell(r, col).number_format = "0.00"
        if o.hold:
            for cell in ws[r]:
                cell.fill = HOLD_FILL
        elif warn:
            ws.cell(r, head.index("提示") + 1).fill = WARN_FILL
    _table_finish(ws, head, {3: (16, 34), 4: (14, 28), head.index("提示") + 1: (10, 40),
                             head.index("状态") + 1: (6, 34)})

    js = wb.create_sheet("专家评分")
    head2 = ["专家编号", "专家姓名", "工作单位", "登记号", "项目名称"] + [c.label for c in rb.criteria]
    head2 += ["总分", "否决项", "计入最终得分", "标准分（z）", "评语"]
    _header(js, 1, head2)
    weight = {(o.reg_no, jid): w for o in outcomes for jid, w in o.weights.items()}
    order = {o.reg_no: n for n, o in enumerate(outcomes)}
    for s in sorted(scores, key=lambda s: (s.judge_id, order.get(s.reg_no, 0))):
        j = judges.get(s.judge_id)
        js.append([s.judge_id, j.name if j else "", j.unit if j else "", s.reg_no, apps[s.reg_no].project
                   if s.reg_no in apps else ""]
                  + [float(s.criteria[c.id]) for c in rb.criteria]
                  + [float(s.total), YES if s.veto else NO,
                     _counted_text(weight.get((s.reg_no, s.judge_id))),
                     round(z[(s.reg_no, s.judge_id)], 3), s.comment])
        for cell in js[js.max_row]:
            cell.font = Font(name=FONT)
            cell.border = BOX
            cell.alignment = WRAP
    _table_finish(js, head2, {3: (14, 26), 5: (16, 30), len(head2) - 2: (12, 20), len(head2): (20, 60)})

    _notes(wb.create_sheet("说明"), call, rb, outcomes, limits)
    wb.properties.title = f"{call.award} 评审结果"
    wb.properties.identifier = call.id
    return atomic_write(path, wb.save)


def _counted_text(w: Fraction | None) -> str:
    """How a form enters the final score: in full, not at all, or in part when it shares the highest or lowest total."""
    if w is None or w == 1:
        return "是"
    if w == 0:
        return "否（最高或最低分）"
    return f"部分（按 {w} 份计：与其他评分表并列最高或最低分）"


def _table_finish(ws: Worksheet, head: Sequence[str], wide: dict[int, tuple[int, int]]) -> None:
    ws.freeze_panes = "C2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(head))}{max(ws.max_row, 2)}"
    widths = {n: (max(6, min(display_width(h), 14) + 2), 16) for n, h in enumerate(head, start=1)}
    widths.update(wide)
    _fit(ws, widths)
    _row_heights(ws, first=2)
    ws.row_dimensions[1].height = 32
    print_setup(ws, title_rows=(1, 1))


def _notes(ws: Worksheet, call: Call, rb: Rubric, outcomes: Sequence[OutcomeLike], limits: Sequence[QuotaLike]
           ) -> None:
    scored = sum(1 for o in outcomes if o.final is not None)
    held = [o.reg_no for o in outcomes if o.hold]
    unscored = [o.reg_no for o in outcomes if o.final is None]
    lines: list[Sequence[Any]] = [
        [f"{call.award} 评审结果说明"],
        [],
        ["评审项目数", len(outcomes), "通过形式审查并分配专家的项目"],
        ["已评分项目数", scored, "至少有一份有效评分表的项目；含待核查项目，不含未评分项目"],
        ["待核查项目", len(held), "、".join(held) or "无"],
        ["未评分项目", len(unscored), "、".join(unscored) or "无"],
        [],
        ["奖励等级", "最低分", "名额比例", "名额上限", "实际获奖", "名额计算"],
    ]
    got = {q.level: sum(1 for o in outcomes if o.level == q.level) for q in limits}
    for q in limits:
        how = f"已评分 {scored} 项 × {float(q.share) * 100:g}% = {float(q.share) * scored:g}，向下取整"
        if q.at_least:
            how += f"，至少 {q.at_least} 项"
        lines.append([q.name, float(q.min_score), f"{float(q.share) * 100:g}%", q.max_count, got[q.level], how + "；"
                      f"即 {q.max_count} 项"])
    lines += [
        [],
        ["规则"],
        ["最终得分", f"有效评分表不少于 {rb.trim_from} 份时，去掉一个最高总分和一个最低总分后取平均；"
                    f"少于 {rb.trim_from} 份时取全部平均。各项均分取自同一批专家。"
                    "有几份表并列最高（或最低）总分时，去掉的是这几份表的平均（每份按 1/k 计），"
                    "各项均分同样处理，与专家编号和顺序无关。"],
        ["排名", "按最终得分从高到低；同分时依次比较"
                 + "、".join(f"“{rb.criterion(t).label}”均分" for t in rb.tie_break)
                 + "（高者在前），仍相同时登记号在前者在前。"],
        ["标准分排名", "把每位专家给出的总分换算为该专家全部评分中的标准分"
                      "（z = (总分 − 该专家平均分) ÷ 该专家标准差），取项目各评分表标准分的平均值排名，"
                      f"用于发现评分尺度不一的专家。与排名相差超过 {rb.rank_shift_warning} 位时给出提示，"
                      "仅供复核，不影响等级。"],
        ["否决项", f"任一专家选择否决项的项目列为“{HOLD_ZH}”，保留排名但不评定等级，也不占用名额；"
                  "核查澄清后，请专家重新提交评分表（award review import --replace）并重新生成结果。"],
        ["名额", "名额按“已评分项目数”计算（含待核查项目，使核查结论不改变其他项目的名额），"
                "比例乘积向下取整；一等奖至少 1 项。"],
        ["等级评定", "按排名依次评定：得分达到某等级最低分且该等级仍有名额的，评为该等级；"
                    "该等级名额已满的，依次降为下一个达到最低分且有名额的等级；低于最低等级分数线的不授奖。"
                    "获奖序号为获奖项目在排名中的先后顺序。"],
        ["数值", "分数以精确分数计算，表中显示保留两位小数。"],
    ]
    for line in lines:
        ws.append(list(line))
    for row in ws.iter_rows():
        for cell in row:
            cell.font = Font(name=FONT, bold=cell.column == 1 and cell.value is not None)
            cell.alignment = Alignment(wrap_text=True, vertical="top", horizontal="left")
    ws.cell(1, 1).font = Font(name=FONT, bold=True, size=13)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=6)
    for col, w in (("A", 16), ("B", 12), ("C", 14), ("D", 10), ("E", 10), ("F", 60)):
        ws.column_dimensions[col].width = w
    print_setup(ws, title_rows=None)
    for r in range(1, ws.max_row + 1):  # long texts span to column F
        for first, room in ((2, 104), (3, 92)):
            value = ws.cell(r, first).value
            if isinstance(value, str) and len(value) > 10 and all(ws.cell(r, c).value is None
                                                                  for c in range(first + 1, 7)):
                ws.merge_cells(start_row=r, start_column=first, end_row=r, end_column=6)
                ws.row_dimensions[r].height = 15 * (display_width(value) // room + 1) + 3
