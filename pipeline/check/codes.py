"""The one catalogue of finding codes: severity, and the Chinese and English message templates."""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pipeline.calls import Call, Section
from pipeline.check.values import date_zh, number_shown
from pipeline.fieldpath import split_path
from pipeline.model import Finding, Location, Severity
from pipeline.text import one_line


@dataclass(frozen=True)
class Code:
    """A finding code's default severity, title and message templates."""

    severity: Severity
    title_zh: str
    title_en: str
    zh: str
    en: str


# Accepted application formats (pipeline/ingest/sniff.py reads .docx and .pdf; legacy.py converts .doc and .wps).
ACCEPTED_TYPES_ZH = ".docx、.pdf、.doc 或 .wps"
ACCEPTED_TYPES_EN = ".docx, .pdf, .doc or .wps"

CODES: dict[str, Code] = {
    "file.unsupported_type": Code("error", "文件类型不支持", "unsupported file type",
                                  "文件类型不支持（{reason_zh}），请提交 " + ACCEPTED_TYPES_ZH + " 格式的申报书",
                                  "Unsupported file type ({reason_en}); please submit the form as "
                                  + ACCEPTED_TYPES_EN),
    "file.corrupt": Code("error", "文件损坏", "damaged file",
                         "文件无法打开：{reason_zh}。请用 Word 或 WPS 重新保存后提交",
                         "The file cannot be opened ({part}: {reason_en}); save it again and resubmit"),
    "file.encrypted": Code("error", "文件加密", "password-protected",
                           "文件设置了密码保护，请取消密码后重新提交",
                           "The file is password-protected; remove the password and resubmit"),
    "file.too_large": Code("error", "文件过大", "file too large",
                           "文件过大：{reason_zh}。请压缩图片或删去多余内容后重新提交",
                           "The file is too large ({reason_en}); compress its pictures or remove what is not "
                           "needed and resubmit"),
    "file.too_complex": Code("error", "文件过于复杂", "file too complex",
                             "文件过于复杂，无法在限定条件内完成检查：{reason_zh}。请删去多余内容、重新保存后提交",
                             "Checking the file exceeds the limits: {reason_en}. Remove what is not needed, "
                             "save it again and resubmit"),
    "file.no_text_layer": Code("error", "无文字层", "no text layer",
                               "PDF 中没有可提取的文字（可能是扫描件），请用 Word 直接导出 PDF，或提交 .docx 文件",
                               "The PDF has no extractable text (a scan?); export the PDF from Word or send the .docx"),
    "file.scanned_page": Code("warning", "扫描页", "scanned page",
                              "第{page}页是扫描页（没有文字层）{reason_zh}",
                              "Page {page} is a scan (no text layer){reason_en}"),
    "file.legacy_format": Code("error", "旧版格式", "legacy format",
                               "旧版 {actual} 文件无法转换{reason_zh}，请在 Word 或 WPS 中另存为 .docx 后提交",
                               "The legacy {actual} file could not be converted{reason_en}; "
                               "save it as .docx and resubmit"),
    "file.unsafe_path": Code("error", "路径不安全", "unsafe path",
                             "压缩包中的“{actual}”路径不安全（{reason_zh}），未读取该文件，请解压检查后重新打包",
                             "Unsafe path in the archive ({actual}: {reason_en}); the file was not read"),
    "form.unrecognized": Code("error", "不是本次申报书", "not this call's form",
                              "未识别为本次申报书（本次申报书共{expected}个栏目，只找到{actual}个），"
                              "请使用本次申报通知所附的申报书模板填写",
                              "Not this call's application form: only {actual} of {expected} labels found; "
                              "use this call's form template"),
    "form.other_call": Code("warning", "其他通知的申报书", "form of another call",
                            "这份申报书使用的是其他申报通知的模板（{actual}），请改用本次申报通知（{expected}）所附的模板",
                            "This form was made for another call ({actual}); this call's form is {expected}"),
    "field.required": Code("error", "必填项为空", "required",
                           "{label}为必填项，请填写", "{label} is required"),
    "field.too_long": Code("error", "超出字数", "too long",
                           "{label}不得超过{expected}字（现为{actual}字）",
                           "{label} must be at most {expected} characters (now {actual})"),
    "field.too_short": Code("warning", "字数偏少", "too short",
                            "{label}不足{expected}字（现为{actual}字），建议充实内容",
                            "{label} has fewer than {expected} characters ({actual}); consider adding detail"),
    "field.too_many": Code("error", "行数过多", "too many rows",
                           "{label}最多填写{expected}行（现为{actual}行）",
                           "{label} allows at most {expected} rows (now {actual})"),
    "field.too_few": Code("error", "行数不足", "too few rows",
                          "{label}至少应填写{expected}行（现为{actual}行）",
                          "{label} needs at least {expected} row(s) (now {actual})"),
    "field.enum": Code("error", "不是可选值", "not an allowed value",
                       "{label}“{actual}”不是可选项，应为以下之一：{choices}",
                       "{label} \"{actual}\" is not allowed; choose one of: {choices}"),
    "field.pattern": Code("error", "格式不正确", "wrong format",
                          "{label}“{actual}”格式不正确，应为{format_zh}",
                          "{label} \"{actual}\" has the wrong format; expected {format_en}"),
    "field.checksum": Code("error", "校验位错误", "check digit wrong",
                           "{label}“{actual}”的校验位（第18位）有误，按前17位应为{expected}，请核对",
                           "{label} \"{actual}\" has a wrong check digit (the 18th should be {expected})"),
    "field.number": Code("error", "不是有效数字", "not a number",
                         "{label}“{actual}”不是有效的数字（应为不小于0的数，如 1234.5、1,234.5 或 1234.5万元）",
                         "{label} \"{actual}\" is not a non-negative number (write 1234.5, 1,234.5 or 1234.5万元)"),
    "field.date_invalid": Code("error", "日期无效", "invalid date",
                               "{label}“{actual}”不是有效的日期，请按“{example}”的形式填写",
                               "{label} \"{actual}\" is not a valid date (write it as {example_en})"),
    "field.date_order": Code("error", "日期顺序错误", "dates out of order",
                             "{label}（{actual}）早于{other}（{expected}），请核对",
                             "{label} ({actual}) is before {other} ({expected})"),
    "field.date_window": Code("error", "超出时间范围", "outside the allowed period",
                              "{label}（{actual}）{window_zh}", "{label} ({actual}) {window_en}"),
    "field.duration": Code("warning", "周期偏短", "span too short",
                           "{label}不足{expected}个月（{actual}），请确认",
                           "{label} is shorter than {expected} months ({actual})"),
    "field.sum_mismatch": Code("error", "合计不符", "total is not the sum",
                               "{label}应为各年度之和{expected}（现填{actual}）",
                               "{label} should be the sum of the years, {expected} (now {actual})"),
    "field.cross_ref": Code("error", "引用不存在", "unknown reference",
                            "{label}“{actual}”不在主要完成单位中，请与“二、主要完成单位”所填单位名称一致",
                            "{label} \"{actual}\" is not one of the completing units (section 二)"),
    "field.consistency": Code("error", "前后不一致", "inconsistent",
                              "{label}“{actual}”应与{other}“{expected}”一致",
                              "{label} \"{actual}\" must equal {other} \"{expected}\""),
    "field.duplicate": Code("error", "重复填写", "duplicate",
                            "{label}“{actual}”与第{expected}行重复",
                            "{label} \"{actual}\" repeats row {expected}"),
    "content.keywords_missing": Code("warning", "未写明质量方法", "no quality method named",
                                     "{label}中未提及公认的质量技术方法（如 DMAIC、SPC、FMEA、精益、可靠性等）",
                                     "{label} names none of the recognised quality methods (DMAIC, SPC, FMEA, …)"),
    "attachment.missing": Code("error", "附件未勾选", "attachment not ticked",
                               "附件清单中“{label}”未勾选：{reason_zh}",
                               "Attachment \"{label}\" is not ticked: {reason_en}"),
    "layout.page_size": Code("error", "页面尺寸", "page size",
                             "第{page}页不是A4纵向（现为{actual}）", "Page {page} is not A4 portrait ({actual})"),
    "layout.page_count": Code("error", "页数超限", "too many pages",
                              "申报书不得超过{expected}页（现为{actual}页）",
                              "At most {expected} pages (now {actual})"),
    "layout.font_size": Code("warning", "字号偏小", "font too small",
                             "{label}正文字号小于{expected}磅（五号），现为{actual}磅",
                             "{label} body text is smaller than {expected} pt ({actual} pt)"),
    "batch.duplicate_file": Code("warning", "重复文件", "same file twice",
                                 "与{other}是同一份文件（内容完全相同）", "The same file as {other}"),
    "batch.duplicate_project": Code("error", "重复申报", "same project twice",
                                    "项目“{actual}”与登记号为{other}的申报项目重复",
                                    "Project \"{actual}\" is also applied for in {other}"),
    "batch.similar_summary": Code("warning", "简介雷同", "near-identical summary",
                                  "项目简介与登记号为{other}的项目简介高度相似（相似度{actual:.0%}）",
                                  "The summary is nearly identical to that of {other} (similarity {actual:.0%})"),
    "batch.unit_quota": Code("error", "超出申报限额", "over the per-unit quota",
                             "申报单位（{actual}）本次申报{count}项，超过每个单位{expected}项的限额",
                             "The applicant ({actual}) sent {count} applications, over the quota of {expected}"),
    "batch.person_limit": Code("error", "完成人超限", "person in too many projects",
                               "{actual}列为{count}个项目的主要完成人，超过每人{expected}项的限额",
                               "{actual} is a main person of {count} applications, over the limit of {expected}"),
    "batch.member_unknown": Code("error", "会员编号不存在", "unknown member number",
                                 "会员编号“{actual}”不在会员名录中，请核对",
                                 "Member number \"{actual}\" is not in the member list"),
    "batch.member_mismatch": Code("error", "会员编号不符", "member number of another unit",
                                  "会员编号“{actual}”属于{expected}，与申报单位不符",
                                  "Member number \"{actual}\" belongs to {expected}, not to the applicant"),
    # rejections of a judge's scoring workbook (`award review import`): one code per reason, like every finding
    "review.unreadable": Code("error", "无法读取评分表", "workbook unreadable",
                              "无法读取文件：{reason_zh}", "cannot read the file: {reason_en}"),
    "review.not_a_workbook": Code("error", "不是 Excel 工作簿", "not a workbook",
                                  "不是有效的 Excel 工作簿（.xlsx）{reason_zh}，请导入由 award review forms 生成、"
                                  "专家填写后保存的评分表",
                                  "not a valid Excel workbook (.xlsx){reason_en}; import the scoring workbook made by "
                                  "`award review forms`"),
    "review.xls": Code("error", "旧版 Excel 文件", "legacy .xls workbook",
                       "这是旧版 Excel 文件（.xls），请在 Excel 或 WPS 中另存为 .xlsx 后重新导入",
                       "this is a legacy Excel file (.xls); save it as .xlsx and import it again"),
    "review.not_a_scoring_workbook": Code("error", "不是专家评分表", "not a scoring workbook",
                                          "不是本系统生成的专家评分表（缺少标记），"
                                          "请使用 award review forms 生成的工作簿",
                                          "not a scoring workbook made by `award review forms` (marker missing)"),
    "review.other_call": Code("error", "其他评审的评分表", "workbook of another call",
                              "该评分表属于另一次评审（{actual}），本次评审为{expected}",
                              "this workbook belongs to another call ({actual}); this call is {expected}"),
    "review.unknown_judge": Code("error", "专家不在名单中", "unknown judge",
                                 "评分表中的专家编号{actual}不在本次专家名单中",
                                 "judge {actual} of this workbook is not among this call's judges"),
    "review.sheet_missing": Code("error", "缺少工作表", "sheet missing",
                                 "评分表中找不到工作表“{expected}”", "sheet '{expected}' not found"),
    "review.rubric_mismatch": Code("error", "评分标准不一致", "another rubric",
                                   "表头第{column}列应为“{expected}”，与本次评分标准不一致",
                                   "header column {column} should be '{expected}'; the workbook does not match this "
                                   "call's rubric"),
    "review.duplicate": Code("error", "重复评分行", "row repeated",
                             "登记号{actual}在本表中重复（第{expected}行已有）",
                             "{actual} repeats row {expected} of this sheet"),
    "review.not_assigned": Code("error", "未分配的项目", "not assigned",
                                "专家{judge}未被分配评审{actual}", "judge {judge} is not assigned to {actual}"),
    "review.yes_no": Code("error", "应填是或否", "yes or no",
                          "“{label}”应填“是”或“否”（现为“{actual}”）", "'{label}' must be 是 or 否 (is '{actual}')"),
    "review.recused": Code("error", "专家声明回避", "judge recused",
                           "专家声明回避{actual}，该评分不予采用",
                           "the judge declared a conflict (回避) for {actual}"),
    "review.conflict": Code("error", "应当回避", "conflict of interest",
                            "专家所在单位（{other}）是{actual}的完成单位，须回避",
                            "the judge is from a completing unit of {actual} ({other}) and must not score it"),
    "review.missing": Code("error", "缺少评分项", "criterion missing",
                           "缺少评分项“{label}”（{cell}）", "criterion '{label}' is missing ({cell})"),
    "review.not_a_number": Code("error", "得分不是数字", "score not a number",
                                "“{label}”得分不是数字（{cell}：{actual}）",
                                "'{label}' is not a number ({cell}: {actual})"),
    "review.out_of_range": Code("error", "得分超出范围", "score out of range",
                                "“{label}”得分{actual}超出0～{expected}分（{cell}）",
                                "'{label}' score {actual} is outside 0..{expected} ({cell})"),
    "review.step": Code("error", "得分步长不符", "score step",
                        "“{label}”得分{actual}不是{expected}的整数倍（{cell}）",
                        "'{label}' score {actual} is not a multiple of {expected} ({cell})"),
    "review.tampered": Code("error", "总分公式被改动", "total formula changed",
                            "总分公式被改动（{cell}应为{expected}，现为{actual}）",
                            "the total formula was changed ({cell} should be {expected}, is {actual})"),
    "review.total_mismatch": Code("error", "总分与各项之和不符", "total differs from the sum",
                                  "总分{actual}与各项之和{expected}不符（{cell}）",
                                  "the total {actual} differs from the sum of the criteria {expected} ({cell})"),
    "review.comment_too_long": Code("error", "评语过长", "comment too long",
                                    "评语超过{expected}字（现为{actual}字）",
                                    "the comment is longer than {expected} characters ({actual})"),
    "review.already_scored": Code("error", "已有评分", "already scored",
                                  "专家{judge}对{actual}已有评分（内容不同）；如确需替换，请使用 --replace",
                                  "judge {judge} already scored {actual} (differently); use --replace to replace it"),
    "review.veto_reason": Code("error", "否决须写明理由", "veto without a reason",
                               "选择了否决项，须写明否决理由", "a veto needs its reason"),
    "gongwen.doc_number": Code("error", "发文字号格式", "document number format",
                               "发文字号“{actual}”不规范（{reason_zh}），应为“{expected}”",
                               "Document number \"{actual}\" is malformed ({reason_en}); write \"{expected}\""),
    "gongwen.date": Code("error", "日期格式", "date format",
                         "日期“{actual}”不规范（{reason_zh}），应为“{expected}”",
                         "Date \"{actual}\" is malformed ({reason_en}); write \"{expected}\""),
    "gongwen.heading": Code("error", "层次序数", "heading numbering",
                            "标题序数“{actual}”不规范（{reason_zh}），应为“{expected}”",
                            "Heading number \"{actual}\" is wrong ({reason_en}); write \"{expected}\""),
    "gongwen.attachment": Code("error", "附件说明", "attachment note",
                               "附件说明“{actual}”不规范：{reason_zh}",
                               "Attachment note \"{actual}\": {reason_en}"),
    "gongwen.addressee": Code("error", "主送机关", "addressee",
                              "主送机关“{actual}”不规范：{reason_zh}", "Addressee \"{actual}\": {reason_en}"),
    "gongwen.obsolete_element": Code("error", "已废止的要素", "obsolete element",
                                     "“{actual}”是GB/T 9704-2012已取消的要素：{reason_zh}",
                                     "\"{actual}\" was dropped by GB/T 9704-2012: {reason_en}"),
    "gongwen.closing": Code("error", "版记格式", "closing block",
                            "版记“{actual}”不规范：{reason_zh}", "Closing block \"{actual}\": {reason_en}"),
    "gongwen.page_setup": Code("error", "页面设置", "page setup",
                               "页面设置不符合GB/T 9704-2012：{reason_zh}",
                               "The page setup does not follow GB/T 9704-2012: {reason_en}"),
    "gongwen.font": Code("error", "字体字号", "font",
                         "{label}应为{expected}，现为{actual}（共{count}段）",
                         "{label} should be {expected}, is {actual} ({count} paragraphs)"),
    "gongwen.not_a_notice": Code("error", "不是公文", "not an official notice",
                                 "这不是一份公文：{reason_zh}。请确认选的是通知的 .docx 或文本文件",
                                 "This is not an official notice: {reason_en}. Check that you chose the notice's "
                                 ".docx or text file"),
    "gongwen.invalid_date": Code("error", "日期不存在", "no such date",
                                 "日期“{actual}”不存在，请核对", "The date \"{actual}\" does not exist; check it"),
    "gongwen.source": Code("error", "通知源文件有误", "notice source",
                           "通知源文件第{line}行：{reason_zh}", "Notice source, line {line}: {reason_en}"),
    "gongwen.issuer_mark": Code("error", "发文机关标志", "issuer mark",
                                "发文机关标志“{actual}”{reason_zh}", "Issuer mark \"{actual}\": {reason_en}"),
    "gongwen.separator": Code("error", "版头分隔线", "red rule",
                              "发文字号之下应有一条红色分隔线（{reason_zh}）",
                              "A red rule belongs under the document number ({reason_en})"),
    "gongwen.title": Code("error", "公文标题", "title",
                          "标题“{actual}”{reason_zh}", "Title \"{actual}\": {reason_en}"),
    "gongwen.page_number": Code("error", "页码", "page numbers",
                                "页码不规范：{reason_zh}", "Page numbers: {reason_en}"),
}

# What a letter tells the applicant of a finding across applications (batch.*): about their own application only,
# never another application's number, name or similarity figure. `where` False: nothing to edit in the form, so
# the letter gives no 修改位置. Placeholders: {actual}, {expected} of the finding.
@dataclass(frozen=True)
class ApplicantText:
    """A batch finding as the applicant's letter words it."""

    zh: str
    en: str
    where: bool


APPLICANT_TEXTS: dict[str, ApplicantText] = {
    "batch.duplicate_file": ApplicantText(
        "同一申报文件提交了多份，已按一份登记", "The same file was sent more than once; it is registered once",
        where=False),
    "batch.duplicate_project": ApplicantText(
        "项目名称与本轮其他申报项目名称相同，同一项目只能申报一次；如为不同项目，请修改项目名称以示区别",
        "The project name is the same as another application's in this round; a project may be entered once "
        "only, and a different project needs a distinguishing name", where=True),
    "batch.similar_summary": ApplicantText(
        "项目简介与本轮其他申报项目的简介高度相似，请确认为本单位独立完成的项目并如实撰写",
        "The summary is nearly identical to another application's in this round; confirm the project is your "
        "own work and describe it in your own words", where=True),
    "batch.unit_quota": ApplicantText(
        "本单位在本轮申报的项目超过{expected}项，超出限额；请与秘书处联系，确定保留申报的项目",
        "Your unit has entered more than {expected} projects in this round, over the quota; contact the "
        "secretariat to agree which projects remain", where=False),
    "batch.person_limit": ApplicantText(
        "主要完成人{actual}在本轮列入的项目超过{expected}项，超出限额；请调整主要完成人名单",
        "The main person {actual} is named in more than {expected} projects of this round, over the limit; "
        "revise the list of main persons", where=True),
    "batch.member_unknown": ApplicantText(
        "会员编号“{actual}”不在本会会员名录中，请核对",
        "Member number \"{actual}\" is not in the member list; check it", where=True),
    "batch.member_mismatch": ApplicantText(
        "会员编号“{actual}”与申报单位不符，请核对", "Member number \"{actual}\" does not belong to the applicant; "
        "check it", where=True),
}


def applicant_text(finding: Finding, lang: str = "zh") -> tuple[str, bool]:
    """A finding as its applicant's letter words it, and whether the letter names where to fix it: a batch
    finding in the applicant's terms, any other finding as its own message."""
    t = APPLICANT_TEXTS.get(finding.code)
    if t is None:
        return (finding.message if lang == "zh" else finding.message_en), True
    values = {"actual": finding.actual if finding.actual is not None else "",
              "expected": finding.expected if finding.expected is not None else ""}
    return (t.zh if lang == "zh" else t.en).format(**values), t.where


_SEVERITY_WORDS = {"zh": {"error": "错误", "warning": "警告", "info": "提示"},
                   "en": {"error": "error", "warning": "warning", "info": "info"}}


def severity_word(severity: str, lang: str = "zh", capital: bool = False) -> str:
    """A severity in the reader's words: 错误/警告/提示, or error/warning/info (Error… with capital)."""
    word = _SEVERITY_WORDS["en" if lang == "en" else "zh"][severity]
    return word.capitalize() if capital else word


_FORMAT_HINTS = {
    "ascii": ("英文字母、数字和常用符号", "printable ASCII"),
    "credit_code": ("18位统一社会信用代码（数字或大写字母，不含I、O、S、V、Z）",
                    "an 18-character unified social credit code (digits or capitals except I, O, S, V, Z)"),
    "member_no": ("6位数字", "6 digits"),
    "postcode": ("6位数字", "6 digits"),
    "phone": ("11位手机号或带区号的固定电话（如 021-12345678）", "an 11-digit mobile or a landline (021-12345678)"),
    "email": ("有效的电子邮箱地址", "an e-mail address"),
    "one_line": ("一行文字（不能换行）", "a single line"),
}

def _part_label(path: str, call: Call) -> str | None:
    """The start or end of a date range as the form names it: 项目起止时间 -> 项目开始时间 / 项目结束时间."""
    for spec in call.field_specs().values():
        if path in spec.parts:
            first = spec.parts.index(path) == 0
            if spec.label.endswith("起止时间"):
                return spec.label[: -len("起止时间")] + ("开始时间" if first else "结束时间")
            return spec.label + ("的开始日期" if first else "的结束日期")
    return None


def field_label(path: str | None, call: Call, lang: str = "zh") -> str:
    """A field path in words: persons[2].unit -> 主要完成人第3行“工作单位”, project.end_date -> 项目结束时间."""
    if not path:
        return ""
    specs = call.field_specs()
    if path in specs:
        label = _part_label(path, call) or specs[path].label
        pos = call.field_position(path)
        section = call.sections[pos[0]] if pos else None
        if section is not None and section.kind == "fields" and len(label) <= 2 and section.heading != label:
            label = f"{section.heading}“{label}”"  # 日期 alone says nothing: 申报单位承诺“日期”
        return label if lang == "zh" else f"{label} ({path})"
    parts = split_path(path)
    if parts is None:
        return path
    key, index, sub = parts.key, parts.index, parts.sub
    for s in call.table_sections():
        if key in (s.field, s.total_field):
            title = s.heading
            col = next((c.label for c in s.columns if c.id == sub), sub or "")
            if key == s.total_field:
                where_zh, where_en = f"{title}“{s.total_label}”行", f"{title}, row {s.total_label}"
            elif index is not None:
                where_zh, where_en = f"{title}第{index + 1}行", f"{title}, row {index + 1}"
            else:
                where_zh, where_en = title, title
            if lang == "zh":
                return f"{where_zh}“{col}”" if col else where_zh
            return f"{where_en}, {col} ({path})" if col else f"{where_en} ({path})"
    return path


def _row_name(section: Section, index: int, fields: Mapping[str, Any] | None, column: str | None) -> str:
    """What tells a table row apart for the applicant: its first typed column (姓名：张三, 单位名称：…)."""
    rows = (fields or {}).get(section.field or "")
    if not isinstance(rows, list) or index >= len(rows) or not isinstance(rows[index], dict):
        return ""
    for col in section.columns:
        if col.auto or col.type in ("number", "checkbox"):
            continue
        value = rows[index].get(col.id)
        if col.id == column or not isinstance(value, str) or not value.strip():
            return ""
        text = one_line(value)
        return f"{col.label}：{text[:20]}{'…' if len(text) > 20 else ''}"
    return ""


def place(finding: Finding, call: Call, lang: str = "zh", fields: Mapping[str, Any] | None = None) -> str:
    """Where a finding is, as the applicant sees the form: the section by its title, the table row (with the name
    typed in it), the field by its label; the page of a PDF. Never a table number (the form has none):
    “三、主要完成人”表第3行（姓名：张三）“工作单位”, “一、项目基本情况”“项目名称”（第1页）, 整个文件.

    The one function every report, workbook and letter turns a finding's place into text with."""
    zh = lang != "en"
    loc = finding.location
    text = ""
    pos = call.field_position(finding.field)
    if finding.field and pos is not None:
        text = _in_section(finding.field, call.sections[pos[0]], call, zh, fields)
    elif finding.field:
        text = field_label(finding.field, call, lang)
    if loc.kind == "pdf" and loc.page is not None:
        page = f"第{loc.page}页" if zh else f"page {loc.page}"
        return f"{text}（{page}）" if text and zh else (f"{text}, {page}" if text else page)
    if not text and loc.kind == "docx" and loc.paragraph is not None:
        return loc.describe(lang)  # a notice's paragraph (gongwen): 第5段
    return text or ("整个文件" if zh else "the whole file")


def _in_section(path: str, section: Section, call: Call, zh: bool, fields: Mapping[str, Any] | None) -> str:
    title = f"“{section.title}”" if zh else section.title
    specs = call.field_specs()
    m = split_path(path)
    if path not in specs and section.kind == "table" and m and m.key in (section.field, section.total_field):
        index, sub = m.index, m.sub
        col = next((c.label for c in section.columns if c.id == sub), sub or "")
        if m.key == section.total_field:
            row = f"“{section.total_label}”行" if zh else f"row {section.total_label}"
        elif index is not None:
            who = _row_name(section, index, fields, sub)
            if zh:
                row = f"第{index + 1}行" + (f"（{who}）" if who else "")
            else:
                row = f"row {index + 1}" + (f" ({who.replace('：', ': ')})" if who else "")
        else:
            row = ""
        if zh:
            return f"{title}表{row}" + (f"“{col}”" if col else "")
        return ", ".join(x for x in (title, row, col) if x)
    label = (_part_label(path, call) or specs[path].label) if path in specs else field_label(path, call, "zh")
    if label == section.heading or not label:
        return title
    return f"{title}“{label}”" if zh else f"{title}, {label}"


def format_hint(name: str | None, lang: str) -> str:
    """What a value of this format looks like."""
    zh, en = _FORMAT_HINTS.get(name or "", ("规定格式", "the required format"))
    return zh if lang == "zh" else en


class _Formatter(string.Formatter):
    """Templates filled leniently: a placeholder nobody filled reads as nothing (never "None" or a KeyError), and a
    value its format spec does not fit ({actual:.0%} given text) is shown as it is."""

    def get_value(self, key: int | str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> Any:
        return kwargs.get(str(key), "")

    def format_field(self, value: Any, format_spec: str) -> str:
        try:
            return super().format_field(value, format_spec)
        except (TypeError, ValueError):
            return str(value)


_FORMATTER = _Formatter()


def _fill(template: str, args: Mapping[str, Any], lang: str) -> str:
    return _FORMATTER.vformat(template, (), {k: shown(v, lang) for k, v in args.items()})


def shown(value: Any, lang: str = "zh") -> Any:
    """An argument as a message shows it: no "None", a computed 3000.0 as 3000, a day as 2021年5月26日 in Chinese
    (ISO in English)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        return number_shown(value)
    if isinstance(value, dt.date):
        return date_zh(value) if lang == "zh" else value.isoformat()
    return value


def render(code: str, lang: str, **args: Any) -> str:
    """A catalogue template with its arguments (for messages that are not findings of a report)."""
    c = CODES[code]
    return _fill(c.zh if lang == "zh" else c.en, args, lang)


def make(code: str, call: Call, field: str | None = None, location: Location | None = None,
         severity: Severity | None = None, expected: Any = None, actual: Any = None, **params: Any) -> Finding:
    """A Finding with both messages rendered from the catalogue."""
    c = CODES[code]
    values: dict[str, Any] = {"expected": expected, "actual": actual}
    values.update(params)
    zh_values = dict(values, label=params.get("label") or field_label(field, call, "zh"))
    en_values = dict(values, label=params.get("label_en") or field_label(field, call, "en"))
    if "other_en" in params:
        en_values["other"] = params["other_en"]
    return Finding(
        code=code,
        severity=severity or c.severity,
        field=field,
        message=_fill(c.zh, zh_values, "zh"),
        message_en=_fill(c.en, en_values, "en"),
        expected=expected,
        actual=actual,
        location=location or Location(kind="file"),
    )

