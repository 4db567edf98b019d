"""GB/T 9704-2012 in one place: the layout figures, fonts, colours and style names the template builder and the
renderer use, and the number and date patterns with the rules every command applies to them (the notice source,
`award decision --number`, and the checker). Neutral: imported by render/ and check/ alike, importing neither."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from pipeline.text import LINE_SPACE, em_width

# --- page (GB/T 9704-2012 §5.2) -------------------------------------------------------------------------
PAGE_W_MM, PAGE_H_MM = 210.0, 297.0
TOP_MM, BOTTOM_MM, LEFT_MM, RIGHT_MM = 37.0, 35.0, 28.0, 26.0  # text block 156 x 225 mm
LINES, CHARS = 22, 28
LINE_PITCH_TWIPS = 579  # 28.95 pt: 22 lines fill the 225 mm block
# docGrid charSpace: extra width per character in 1/4096 pt over the 16 pt default, so that 28 characters fill
# 156 mm: (156 mm / 28 = 15.793 pt - 16 pt) * 4096 = -849
CHAR_SPACE = -849
CONDENSE_TWIPS = -5  # character spacing -0.25 pt: 28 characters of 16 pt fit the 156 mm line (see the templates)
CHAR_PT = 156 / 25.4 * 72 / CHARS  # one character of the grid, in points (15.79)
FOOTER_MM = 21.0  # the page number's line ends 21 mm above the page edge: its top is ~7 mm under the block

# --- type (§5.3 and §7) ---------------------------------------------------------------------------------
SONG = "宋体"
FANGSONG = "仿宋_GB2312"
HEI = "黑体"
KAI = "楷体_GB2312"
XIAOBIAOSONG = "方正小标宋简体"
LATIN = "Times New Roman"
# the faces as the checker finds them in a run's East Asian font name (仿宋 is 仿宋_GB2312 or 仿宋): §7.2.3-§7.5
TITLE_FACE, BODY_FACE, H1_FACE, H2_FACE, H34_FACE, PAGE_NO_FACE = "小标宋", "仿宋", "黑体", "楷体", "仿宋", "宋"

BODY_PT = 16.0  # 3号
TITLE_PT = 22.0  # 2号
MARK_PT = 42.0  # 初号 (the issuer mark: "醒目、美观、庄重")
CLOSING_PT = 14.0  # 4号: 版记
PAGE_NO_PT = 14.0  # 4号: 页码
TABLE_PT = 12.0  # 小四: the cells of attachment tables

TITLE_CHARS = 20.0  # characters of 2号 in one line of the block (442 pt / 22 pt)

RED = "FF0000"

# --- paragraph and character styles of the templates (Word shows them in the style gallery) ---------------
S_MARK = "发文机关标志"
S_NUMBER = "发文字号"
S_NUMBER_LETTER = "信函发文字号"
S_TITLE = "公文标题"
S_ADDRESSEE = "主送机关"
S_BODY = "公文正文"
S_H1, S_H2, S_H3, S_H4 = "一级标题", "二级标题", "三级标题", "四级标题"
S_ATTACH_NOTE = "附件说明"
S_ATTACH_NOTE_MORE = "附件说明续行"
S_SIGNATURE = "发文机关署名"
S_DATE = "成文日期"
S_CLOSING = "版记"
S_PAGE_NO = "页码"
S_TABLE = "表格文字"
S_TABLE_HEAD = "表格标题行"
S_ATTACH_MARK = "附件标识"
S_ATTACH_TITLE = "附件标题"
S_BODY_CHARS = "正文字符"  # character style: the body text after a run-in heading
HEADING_STYLES = {1: S_H1, 2: S_H2, 3: S_H3, 4: S_H4}

# --- page numbers (§7.5): "— 1 —", 4号 宋体, outer corners ---------------------------------------------------
PAGE_NUMBER = re.compile(r"^—\s?\S*\s?—$")

# --- page setup as the checker reads it: (attribute, figure in mm, tolerance in mm, zh, en) ------------------
PAGE_RULES = (("page_width", PAGE_W_MM, 1.0, "页宽", "page width"),
              ("page_height", PAGE_H_MM, 1.0, "页高", "page height"),
              ("top_margin", TOP_MM, 1.0, "上边距", "top margin"),
              ("bottom_margin", BOTTOM_MM, 1.5, "下边距", "bottom margin"),
              ("left_margin", LEFT_MM, 1.0, "左边距", "left margin"),
              ("right_margin", RIGHT_MM, 1.5, "右边距", "right margin"))


# --- numbers, dates, headings, addressee: the rules every command applies (§7.2.4, §7.3) -----------------------

@dataclass(frozen=True)
class RuleProblem:
    """A value that breaks a GB/T 9704 rule: the finding code and the parameters of its message."""

    code: str
    params: dict[str, str]


_SP = LINE_SPACE + "*"
# a document number as people write it, right or wrong: the rule below says what is wrong with it
DOC_NUMBER = re.compile(r"(?P<code>[\u4e00-\u9fffA-Za-z]{1,12})" + _SP + r"(?P<open>[〔\[［【(（])" + _SP
                        + r"(?P<year>\d{4})" + _SP + r"(?P<close>[〕\]］】)）])" + _SP + r"(?P<di>第)?" + _SP
                        + r"(?P<serial>\d+)" + _SP + "号")
DOC_NUMBER_EXAMPLE = "沪质协〔2021〕14号"


def doc_number_problem(m: re.Match[str]) -> RuleProblem | None:
    """What is wrong with one document number found by DOC_NUMBER: 〔〕 around the year, no spaces, no 第, no
    padding (沪质协〔2021〕14号); None when it is right."""
    zh: list[str] = []
    en: list[str] = []
    if m.group("open") != "〔" or m.group("close") != "〕":
        zh.append("年份应用六角括号〔〕括入")
        en.append("the year goes in 〔〕")
    if re.search(LINE_SPACE, m.group(0)):
        zh.append("不应有空格")
        en.append("no spaces")
    if m.group("di"):
        zh.append("序号前不加“第”字")
        en.append("no 第 before the serial")
    if m.group("serial").startswith("0"):
        zh.append("序号不编虚位")
        en.append("no leading zeros")
    if not zh:
        return None
    expected = f"{m.group('code')}〔{m.group('year')}〕{int(m.group('serial'))}号"
    return RuleProblem("gongwen.doc_number", {"actual": m.group(0), "expected": expected,
                                              "reason_zh": "，".join(zh), "reason_en": ", ".join(en)})


def check_doc_number(text: str) -> RuleProblem | None:
    """The document-number rule for a value given on its own (a notice source's number, `decision --number`):
    the whole value must be one well-formed number."""
    value = text.strip()
    m = DOC_NUMBER.fullmatch(value)
    if m is None:
        return RuleProblem("gongwen.doc_number", {
            "actual": value, "expected": DOC_NUMBER_EXAMPLE,
            "reason_zh": "应由发文机关代字、六角括号括入的年份和序号组成",
            "reason_en": "issuer code, the year in 〔〕 and the serial"})
    return doc_number_problem(m)


def doc_number_message(text: str) -> tuple[str, str] | None:
    """What is wrong with a document number given on its own, as (Chinese, English) sentences naming the number
    and how to write it; None when it is well-formed."""
    bad = check_doc_number(text)
    if bad is None:
        return None
    v = bad.params
    return (f"文号“{v['actual']}”不符合 GB/T 9704（{v['reason_zh']}），应写作“{v['expected']}”（{bad.code}）",
            f"document number \"{v['actual']}\" breaks GB/T 9704 ({v['reason_en']}); write \"{v['expected']}\" "
            f"({bad.code})")


FULL_DATE = re.compile(r"(?P<y>\d{4}|[〇零一二三四五六七八九]{4})" + _SP + "年" + _SP
                       + r"(?P<m>\d{1,2}|[一二三四五六七八九十]{1,2})" + _SP + "月" + _SP
                       + r"(?P<d>\d{1,2}|[一二三四五六七八九十]{1,3})" + _SP + "日")
ISO_DATE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")


def chinese_date(date: dt.date) -> str:
    """A date as GB/T 9704 writes it: Arabic numerals, no padding (2021年5月26日)."""
    return f"{date.year}年{date.month}月{date.day}日"


def invalid_date(text: str) -> RuleProblem:
    """The finding for a date that does not exist (2021-05-99, 2021年2月30日)."""
    return RuleProblem("gongwen.invalid_date", {"actual": text})


def read_date(text: str) -> dt.date:
    """A date written 2021-05-26 or 2021年5月26日 (a notice source, the checker's date lines); a date that does
    not exist raises ValueError carrying invalid_date's problem in its args[0]."""
    value = text.strip()
    m = ISO_DATE.match(value) or re.fullmatch(r"(\d{4})年(\d{1,2})月(\d{1,2})日", value)
    try:
        if m is None:
            raise ValueError
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise ValueError(invalid_date(value)) from None


def addressee_problem(text: str) -> RuleProblem | None:
    """The addressee line ends with a full-width colon (§7.3.2)."""
    value = text.strip()
    if value.endswith("："):
        return None
    return RuleProblem("gongwen.addressee", {
        "actual": value, "reason_zh": "应以全角冒号“：”结尾", "reason_en": "must end with a full-width colon"})


# the kinds of document a title ends with (党政机关公文处理工作条例 §8, and 纪要/简报 as organisations use them)
KINDS = ("决议", "决定", "命令", "令", "公报", "公告", "通告", "意见", "通知", "通报", "报告", "请示", "批复", "议案",
         "函", "纪要", "办法", "规定", "方案", "细则", "简报")

TEXT_W_PT = (PAGE_W_MM - LEFT_MM - RIGHT_MM) / 25.4 * 72  # the text block's width (442.2 pt)


def ems(text: str) -> float:
    """Width in characters of the grid: full-width characters 1, others (digits, Latin) 1/2; on the grid the
    ambiguous ones (“ ” — …) are full width too, as Chinese typesetting sets them."""
    return em_width(text, ambiguous_wide=True)


def mark_size(issuer: str, width_pt: float = TEXT_W_PT) -> float:
    """The issuer mark's size (§7.2.3: 醒目、美观、庄重, on one line): 初号, or less for a name too long for one
    line at 初号 (in half points, as Word sets sizes)."""
    n = ems(issuer)
    if n <= 0:
        return MARK_PT
    fits = ((width_pt - 1) / n - CONDENSE_TWIPS / 20) * 2 // 1 / 2
    return min(MARK_PT, fits)
