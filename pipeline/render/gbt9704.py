"""GB/T 9704-2012 layout figures and style names, shared by the template builder, the renderer and the checker."""

from __future__ import annotations

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
