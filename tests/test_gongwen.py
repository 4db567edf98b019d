"""The GB/T 9704 checker: the seed notice's findings, none on our own notices (ten varied sources), what is not a
notice, damaged files, the parts found by role, the .docx layout rules, and the rules shared with `award notice`
and `award decision`."""

from __future__ import annotations

import ast
import datetime as dt
import json
import zipfile
from pathlib import Path
from typing import Any

import docx
import jsonschema
import pytest
from click.testing import CliRunner
from conftest import APPS, ROOT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from pipeline import gbt9704 as gb
from pipeline.check.codes import CODES
from pipeline.check.gongwen import check_notice
from pipeline.cli import main
from pipeline.notice import NoticeSourceError, parse_notice
from pipeline.render.documents import render_notice

SEED = ROOT.parent / "shared" / "seed" / "notice-2021.txt"
SOURCE = ROOT / "samples" / "notices" / "call-2021.txt"
HOSTILE = ROOT / "samples" / "hostile"


def codes(report: Any) -> list[str]:
    return [f.code for f in report.findings]


def test_seed_notice(call: Any) -> None:
    r = check_notice(SEED, call)
    numbers = [f for f in r.findings if f.code == "gongwen.doc_number"]
    assert numbers[0].actual == "沪质协[2021] 14 号" and numbers[0].expected == "沪质协〔2021〕14号"
    assert "gongwen.obsolete_element" in codes(r)
    assert any("主题词" in f.actual for f in r.findings if f.code == "gongwen.obsolete_element")
    assert "gongwen.heading" in codes(r) and "gongwen.attachment" in codes(r)
    assert "gongwen.not_a_notice" not in codes(r)
    assert r.status == "fail" and r.fields == {}


def test_every_gongwen_code_is_in_the_catalogue() -> None:
    for code in ("doc_number", "date", "invalid_date", "heading", "attachment", "addressee", "obsolete_element",
                 "page_setup", "font", "closing", "not_a_notice", "source", "issuer_mark", "separator", "title",
                 "page_number"):
        c = CODES[f"gongwen.{code}"]
        assert c.severity == "error" and c.zh and c.en


def test_own_source_and_docx_are_clean(call: Any, tmp_path: Path) -> None:
    assert check_notice(SOURCE, call).findings == ()
    out = render_notice(parse_notice(SOURCE.read_text(encoding="utf-8")), tmp_path / "n.docx")
    r = check_notice(out, call)
    assert r.findings == () and r.file.format == "docx"


# --- the text rules, one at a time, inside an otherwise correct notice ---------------------------------------------

def _notice_text(body: str = "现将有关事项通知如下。", addressee: str = "各会员单位：", tail: str = "",
                 number: str = "沪质协〔2021〕1号") -> str:
    return (f"上海市质量协会\n{number}\n关于某事的通知\n{addressee}\n{body}\n上海市质量协会\n2021年5月26日\n"
            f"{tail}\n")


def test_skeleton_is_clean(call: Any, tmp_path: Path) -> None:
    f = tmp_path / "n.txt"
    f.write_text(_notice_text(tail="抄送：上海市科学技术奖励中心。"), encoding="utf-8")
    assert check_notice(f, call).findings == ()


@pytest.mark.parametrize("where, line, code, expected", [
    ("body", "根据《管理办法》（沪质协〔2021〕014号）执行。", "gongwen.doc_number", "沪质协〔2021〕14号"),
    ("number", "沪质协〔2021〕第14号", "gongwen.doc_number", "沪质协〔2021〕14号"),
    ("number", "沪质协［2021］14号", "gongwen.doc_number", "沪质协〔2021〕14号"),
    ("body", "于二〇二一年五月二十六日举行。", "gongwen.date", "2021年5月26日"),
    ("body", "于2021年05月26日举行。", "gongwen.date", "2021年5月26日"),
    ("body", "于2021年2月30日举行。", "gongwen.invalid_date", None),
    ("tail", "主题词：通知", "gongwen.obsolete_element", None),
    ("tail", "抄报：上海市科学技术奖励中心。", "gongwen.obsolete_element", None),
    ("tail", "抄送：上海市科学技术奖励中心", "gongwen.closing", None),
    ("addressee", "各会员单位", "gongwen.addressee", None),
    ("addressee", "各会员单位:", "gongwen.addressee", None),
])
def test_single_rules(call: Any, tmp_path: Path, where: str, line: str, code: str, expected: str | None) -> None:
    f = tmp_path / "n.txt"
    f.write_text(_notice_text(**{where: line}), encoding="utf-8")
    r = check_notice(f, call)
    assert [x.code for x in r.findings] == [code]
    if expected:
        assert r.findings[0].expected == expected


def test_iso_date_line(call: Any, tmp_path: Path) -> None:
    f = tmp_path / "n.txt"
    f.write_text(_notice_text().replace("2021年5月26日", "2021-05-26"), encoding="utf-8")
    r = check_notice(f, call)
    assert [(x.code, x.expected) for x in r.findings] == [("gongwen.date", "2021年5月26日")]


def test_headings_addressee_attachment(call: Any, tmp_path: Path) -> None:
    text = ("上海市质量协会\n沪质协〔2021〕1号\n关于某事的通知\n各单位:\n一、甲\n（一）乙\n（三）丙\n(1)丁\n二.戊\n"
            "附件:1、名称一。\n2.名称二\n上海市质量协会\n2021年5月26日\n")
    f = tmp_path / "n.txt"
    f.write_text(text, encoding="utf-8")
    found = {(x.code, x.actual) for x in check_notice(f, call).findings}
    assert ("gongwen.addressee", "各单位:") in found
    assert ("gongwen.heading", "（三）") in found  # out of sequence
    assert ("gongwen.heading", "(1)") in found and ("gongwen.heading", "二.") in found
    assert ("gongwen.attachment", "1、名称一。") in found
    assert ("gongwen.attachment", "附件:1、名称一。") in found


def test_title_over_two_lines_and_no_number(call: Any, tmp_path: Path) -> None:
    """A title written over two lines is one title (the second line is not the addressee); a notice without
    its 版头 is still a notice, checked by the same rules."""
    f = tmp_path / "n.txt"
    f.write_text("关于开展2021年质量沙龙活动\n暨第十二期交流会的通知\n各会员单位\n现将有关事项通知如下。\n"
                 "上海市质量协会\n2021年5月26日\n", encoding="utf-8")
    r = check_notice(f, call)
    assert [(x.code, x.actual) for x in r.findings] == [("gongwen.addressee", "各会员单位")]


# --- not a notice; damaged files -------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, content", [
    ("hello.txt", b"hello world\n"),
    ("empty.txt", b""),
    ("blank.docx", b"\n\n  \n"),
    ("pk.docx", b"PK is not a zip archive\n"),
    ("binary.bin", bytes(range(256)) * 4),
    ("form.docx", (APPS / "valid.docx").read_bytes()),
    ("scan.pdf", (HOSTILE / "image-only.pdf").read_bytes()),
])
def test_not_a_notice(call: Any, tmp_path: Path, name: str, content: bytes) -> None:
    f = tmp_path / name
    f.write_bytes(content)
    assert codes(check_notice(f, call)) == ["gongwen.not_a_notice"]
    r = CliRunner().invoke(main, ["gongwen", str(f)])
    assert r.exit_code == 1 and "gongwen.not_a_notice" in r.output


@pytest.mark.parametrize("sample, code", [
    ("truncated.docx", "file.corrupt"),
    ("encrypted.docx", "file.encrypted"),
    ("zip-bomb.docx", "file.too_large"),
    ("billion-laughs.docx", "file.corrupt"),
    ("external-entity.docx", "file.corrupt"),
])
def test_damaged_docx_is_a_report(call: Any, sample: str, code: str) -> None:
    r = CliRunner().invoke(main, ["gongwen", "--format", "json", str(HOSTILE / sample)])
    assert r.exit_code == 1, r.output
    assert [f["code"] for f in json.loads(r.output)["findings"]] == [code]


def test_docx_by_content_not_by_name(call: Any, tmp_path: Path) -> None:
    out = render_notice(parse_notice(SOURCE.read_text(encoding="utf-8")), tmp_path / "n.docx")
    renamed = tmp_path / "notice.txt"
    renamed.write_bytes(out.read_bytes())
    r = check_notice(renamed, call)
    assert r.file.format == "docx" and r.findings == ()


def test_docx_part_with_a_dtd_is_refused(call: Any, tmp_path: Path) -> None:
    """Every XML part goes through the guard, not only the main document (python-docx reads the others)."""
    out = render_notice(parse_notice(SOURCE.read_text(encoding="utf-8")), tmp_path / "n.docx")
    bad = tmp_path / "bad.docx"
    with zipfile.ZipFile(out) as zin, zipfile.ZipFile(bad, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "word/styles.xml":
                data = data.replace(b"?>", b'?><!DOCTYPE w [<!ENTITY a "x">]>', 1)
            zout.writestr(item, data)
    r = check_notice(bad, call)
    assert [(f.code, f.actual) for f in r.findings] == [("file.corrupt", None)]
    assert "word/styles.xml" in r.findings[0].message_en  # the part is named in English only


# --- our own renderer passes its own checker, whatever the source ---------------------------------------------------

def _source(issuer: str = "上海市质量协会", number: str = "沪质协〔2021〕14号", title: str = "关于举办质量沙龙的通知",
            addressee: str = "各会员单位：", attachments: tuple[str, ...] = (), cc: str = "", body: str = "") -> str:
    head = [f"issuer: {issuer}", f"number: {number}", f"title: {title}", f"addressee: {addressee}",
            "date: 2021-06-10"]
    if attachments:
        head.append("attachments:")
        head += [f"  - {a}" for a in attachments]
    if cc:
        head.append(f"cc: {cc}")
    return "---\n" + "\n".join(head) + "\n---\n" + (body or "为促进交流，定于2021年6月25日举办活动。") + "\n"


_LONG_PARA = ("为深入贯彻质量强国战略，推动先进质量技术方法在本市各行业的推广应用，进一步激发企业开展质量攻关与改进的"
              "积极性，现就有关工作安排通知如下，请各单位结合实际认真组织实施，并及时报送工作进展情况。")
_ALL_LEVELS = ("一、总体要求\n（一）工作目标。围绕质量提升开展活动。\n1.聚焦重点产业。\n（1）开展诊断。\n（2）组织交流。\n"
               "2.加强宣传。\n（二）工作安排\n二、联系方式\n联系人：王炎，电话：52588821。")
VARIED = {
    "salon": _source(issuer="上海市质量协会质量沙龙秘书处", number="沪质协沙龙〔2021〕3号",
                     addressee="各沙龙成员单位，各区质量协会，各行业质量协会，各集团公司质量管理部门，各会员单位质量"
                               "管理部门，各质量管理小组活动推进单位，各质量信得过班组建设推进单位，有关专家及特邀嘉宾：", body="现将第十二期质量沙龙活动有关事项通知如下：\n一、活动时间\n"
                     "2021年6月25日下午。\n二、活动地点\n上海市质量协会会议室。"),
    "long_title": _source(title="关于开展2021年上海市质量协会质量技术奖申报暨先进质量技术方法推广应用与优秀成果"
                                "交流发布活动有关工作安排的通知"),
    "many_attachments": _source(attachments=tuple(f"第{n}号附表：申报材料清单{n}" for n in range(1, 13))),
    "one_attachment": _source(attachments=("2021年质量沙龙活动安排",), cc="上海市科学技术奖励中心"),
    "no_cc_no_attachment": _source(body=_LONG_PARA),
    "all_levels": _source(body=_ALL_LEVELS, cc="上海市市场监督管理局，上海市科学技术奖励中心。"),
    "multi_page": _source(body="\n".join([_ALL_LEVELS] + [_LONG_PARA] * 30),
                          attachments=("活动安排", "报名表"), cc="上海市科学技术奖励中心"),
    "long_addressee": _source(addressee="各区市场监督管理局，各有关行业协会，各集团公司，各会员单位及相关组织，"
                                        "各质量管理小组活动推进单位："),
    "table": _source(body="活动安排如下：\n序号\t活动阶段\t时间安排\n1\t宣贯交流阶段\t5—6月\n2\t成果申报\t5—7月\n"
                          "请按时参加。", attachments=("名单",)),
    "decision_kind": _source(issuer="上海市质量协会", number="沪质协〔2021〕136号",
                             title="关于表彰2021年度上海市质量协会质量技术奖获奖项目的决定",
                             body=_LONG_PARA + "\n特此决定。", cc="上海市市场监督管理局"),
}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("varied")
    return {name: render_notice(parse_notice(text), out / f"{name}.docx") for name, text in VARIED.items()}


@pytest.mark.parametrize("name", sorted(VARIED))
def test_our_renderer_passes_its_checker(call: Any, rendered: dict[str, Path], tmp_path: Path, name: str) -> None:
    r = check_notice(rendered[name], call)
    assert [(f.code, f.message) for f in r.findings] == []
    src = tmp_path / f"{name}.txt"
    src.write_text(VARIED[name], encoding="utf-8")
    assert codes(check_notice(src, call)) == []


def test_parts_found_by_role(rendered: dict[str, Path]) -> None:
    """In the salon notice the issuer mark is the mark, not body text (whatever its words), and the roles sit
    where the template puts them."""
    from pipeline.check.gongwen import _docx_lines, _Reader, _Styles

    doc = docx.Document(str(rendered["salon"]))
    lines = _docx_lines(doc)
    roles = _Reader(lines, _Styles(doc)).roles()
    style = {i: lines[i].paragraph.style.name for i in range(len(lines))}
    assert [style[i] for i in roles.mark] == [gb.S_MARK]
    assert roles.number is not None and style[roles.number] == gb.S_NUMBER
    assert [style[i] for i in roles.title] == [gb.S_TITLE]
    assert roles.addressee is not None and style[roles.addressee] == gb.S_ADDRESSEE
    assert roles.signature is not None and style[roles.signature] == gb.S_SIGNATURE
    assert roles.date is not None and style[roles.date] == gb.S_DATE
    assert gb.S_MARK not in {style[i] for i in roles.body}


# --- the .docx layout rules ---------------------------------------------------------------------------------------

def _edit(src: Path, out: Path, change: Any) -> Path:
    d = docx.Document(str(src))
    change(d)
    d.save(str(out))
    return out


def _by_style(d: Any, name: str) -> Any:
    return next(p for p in d.paragraphs if p.style.name == name)


def _black_mark(d: Any) -> None:
    for r in _by_style(d, gb.S_MARK).runs:
        r.font.color.rgb = RGBColor(0, 0, 0)


def _left_title(d: Any) -> None:
    _by_style(d, gb.S_TITLE).alignment = WD_ALIGN_PARAGRAPH.LEFT


def _no_rule(d: Any) -> None:
    ppr = d.styles[gb.S_NUMBER].element.get_or_add_pPr()
    ppr.remove(ppr.find(qn("w:pBdr")))


def _blue_rule(d: Any) -> None:
    d.styles[gb.S_NUMBER].element.pPr.find(qn("w:pBdr")).find(qn("w:bottom")).set(qn("w:color"), "0000FF")


def _no_colon(d: Any) -> None:
    p = _by_style(d, gb.S_ADDRESSEE)
    p.runs[0].text = p.runs[0].text.rstrip("：")


def _centred_page_numbers(d: Any) -> None:
    d.settings.odd_and_even_pages_header_footer = False
    d.sections[0].footer.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER


def _plain_page_number(d: Any) -> None:
    for r in d.sections[0].footer.paragraphs[0].runs:
        if r.text.strip() == "—":
            r.text = ""


def _grid_20_lines(d: Any) -> None:
    d.sections[0]._sectPr.find(qn("w:docGrid")).set(qn("w:linePitch"), "640")


def _h1_in_song(d: Any) -> None:
    d.styles[gb.S_H1].element.rPr.find(qn("w:rFonts")).set(qn("w:eastAsia"), "宋体")


def _h3_in_hei(d: Any) -> None:
    d.styles[gb.S_H3].element.rPr.find(qn("w:rFonts")).set(qn("w:eastAsia"), "黑体")


@pytest.mark.parametrize("change, code, words", [
    (_black_mark, "gongwen.issuer_mark", "红色"),
    (_left_title, "gongwen.title", "居中"),
    (_no_rule, "gongwen.separator", "未找到"),
    (_blue_rule, "gongwen.separator", "不是红色"),
    (_no_colon, "gongwen.addressee", "全角冒号"),
    (_centred_page_numbers, "gongwen.page_number", "单页码居右"),
    (_plain_page_number, "gongwen.page_number", "— 1 —"),
    (_grid_20_lines, "gongwen.page_setup", "22行"),
    (_h1_in_song, "gongwen.font", "一级标题"),
    (_h3_in_hei, "gongwen.font", "三、四级标题"),
])
def test_docx_layout_rules(call: Any, rendered: dict[str, Path], tmp_path: Path, change: Any, code: str,
                           words: str) -> None:
    out = _edit(rendered["all_levels"], tmp_path / "x.docx", change)
    r = check_notice(out, call)
    assert codes(r) == [code], [f.message for f in r.findings]
    assert words in r.findings[0].message


def test_page_setup_and_fonts_of_a_plain_docx(call: Any, tmp_path: Path) -> None:
    d = docx.Document()
    d.sections[0].top_margin = Mm(25)
    for text in ("上海市质量协会", "沪质协〔2021〕14号", "关于某事的通知", "各单位：", "正文一段。"):
        p = d.add_paragraph(text)
        p.runs[0].font.size = Pt(12)
    out = tmp_path / "plain.docx"
    d.save(str(out))
    r = check_notice(out, call)
    assert sorted(set(codes(r))) == ["gongwen.font", "gongwen.issuer_mark", "gongwen.page_number",
                                     "gongwen.page_setup", "gongwen.separator", "gongwen.title"]
    page = next(f for f in r.findings if f.code == "gongwen.page_setup")
    assert "上边距应为37mm" in page.message and "每页排22行" in page.message
    fonts = [f for f in r.findings if f.code == "gongwen.font"]
    assert {f.message[:2] for f in fonts} == {"标题", "正文"}


# --- one rule for every command: the notice source, `award decision --number`, the checker ---------------------------

@pytest.mark.parametrize("value, ok", [
    ("沪质协〔2021〕14号", True), ("沪质协函〔2021〕3号", True),
    ("沪质协[2021]36号", False), ("沪质协〔2021〕036号", False), ("沪质协〔2021〕第36号", False),
    ("沪质协〔2021〕 36号", False), ("沪质协（2021）36号", False), ("2021-36", False),
])
def test_doc_number_rule(value: str, ok: bool) -> None:
    problem = gb.check_doc_number(value)
    assert (problem is None) == ok
    if not ok:
        assert problem is not None and problem.code == "gongwen.doc_number"


@pytest.mark.parametrize("key, value, code", [
    ("date", "2021-05-99", "gongwen.invalid_date"),
    ("number", "沪质协[2021]14号", "gongwen.doc_number"),
    ("number", "沪质协〔2021〕014号", "gongwen.doc_number"),
    ("addressee", "各会员单位", "gongwen.addressee"),
])
def test_notice_and_gongwen_reject_a_source_alike(call: Any, tmp_path: Path, key: str, value: str,
                                                   code: str) -> None:
    text = SOURCE.read_text(encoding="utf-8")
    old = next(line for line in text.splitlines() if line.startswith(f"{key}:"))
    src = tmp_path / "bad.txt"
    src.write_text(text.replace(old, f"{key}: {value}", 1), encoding="utf-8")
    with pytest.raises(NoticeSourceError) as e:
        parse_notice(src.read_text(encoding="utf-8"))
    assert e.value.code == code
    assert code in codes(check_notice(src, call))
    r = CliRunner().invoke(main, ["notice", str(src), "-o", str(tmp_path / "n.docx")])
    assert r.exit_code == 3 and code in r.output and not (tmp_path / "n.docx").exists()


def test_decision_number_refused_before_rendering(tmp_path: Path) -> None:
    out = tmp_path / "d.docx"
    r = CliRunner().invoke(main, ["--db", str(tmp_path / "r.sqlite"), "decision", "-o", str(out),
                                  "--number", "沪质协[2021]36号"])
    assert r.exit_code == 2 and "gongwen.doc_number" in r.output and "沪质协〔2021〕36号" in r.output
    assert not out.exists() and not (tmp_path / "r.sqlite").exists()


def test_one_module_holds_the_figures() -> None:
    """The checker does not import the renderer; both read pipeline.gbt9704 (imports run one way)."""
    for path in (ROOT / "pipeline" / "check" / "gongwen.py", ROOT / "pipeline" / "notice.py",
                 ROOT / "pipeline" / "gbt9704.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        names += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        assert not [n for n in names if n.startswith("pipeline.render")], path.name
    assert not (ROOT / "pipeline" / "render" / "gbt9704.py").exists()
    gongwen = (ROOT / "pipeline" / "check" / "gongwen.py").read_text(encoding="utf-8")
    assert "gbt9704" in gongwen and "37.0" not in gongwen and "FF0000" not in gongwen
    assert gb.PAGE_RULES[2][:2] == ("top_margin", gb.TOP_MM)


def test_cli_exit_codes_and_json(call: Any) -> None:
    runner = CliRunner()
    r = runner.invoke(main, ["gongwen", str(SEED)])
    assert r.exit_code == 1 and "gongwen.doc_number" in r.output
    r = runner.invoke(main, ["gongwen", "--format", "json", str(SEED)])
    data = json.loads(r.output)
    assert r.exit_code == 1 and data == check_notice(SEED, call).to_dict() and data["fields"] == {}
    schema = json.loads((ROOT / "schemas" / "report.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, schema)
    assert runner.invoke(main, ["gongwen", str(SOURCE)]).exit_code == 0
    assert runner.invoke(main, ["gongwen", "missing.txt"]).exit_code == 2
    assert "dropped by GB/T 9704-2012" in runner.invoke(main, ["--lang", "en", "gongwen", str(SEED)]).output


def test_dates_are_read_one_way() -> None:
    assert gb.read_date("2021-05-26") == gb.read_date("2021年5月26日") == dt.date(2021, 5, 26)
    for bad in ("2021-05-99", "2021年2月30日", "26/5/2021"):
        with pytest.raises(ValueError) as e:
            gb.read_date(bad)
        assert e.value.args[0].code == "gongwen.invalid_date"


def test_long_issuer_mark_fits_one_line(call: Any, rendered: dict[str, Path], tmp_path: Path) -> None:
    """A long issuer (上海市质量协会质量沙龙秘书处) gets a smaller size than 初号 so the mark does not wrap; the
    checker reports a mark that would."""
    mark = _by_style(docx.Document(str(rendered["salon"])), gb.S_MARK)
    assert {r.font.size.pt for r in mark.runs} == {gb.mark_size("上海市质量协会质量沙龙秘书处")}
    assert gb.mark_size("上海市质量协会质量沙龙秘书处") < gb.MARK_PT == gb.mark_size("上海市质量协会")

    def big(d: Any) -> None:
        for r in _by_style(d, gb.S_MARK).runs:
            r.font.size = Pt(gb.MARK_PT)

    r = check_notice(_edit(rendered["salon"], tmp_path / "big.docx", big), call)
    assert codes(r) == ["gongwen.issuer_mark"] and "一行" in r.findings[0].message


def test_salon_pdf_keeps_name_with_body_and_closing_on_one_line(tmp_path: Path) -> None:
    """Printed: the issuer's name does not open a page alone, and 2021年6月10日印发 is not broken."""
    import pypdfium2

    src = tmp_path / "salon.txt"
    src.write_text(VARIED["salon"], encoding="utf-8")
    r = CliRunner().invoke(main, ["notice", str(src), "-o", str(tmp_path / "salon.docx"), "--pdf"])
    assert r.exit_code == 0, r.output
    pdf = pypdfium2.PdfDocument(str(tmp_path / "salon.pdf"))
    pages = [pdf[i].get_textpage().get_text_range().replace(" ", "") for i in range(len(pdf))]
    pdf.close()
    signed = next(p for p in pages if "2021年6月10日\r\n" in p or p.rstrip().endswith("2021年6月10日"))
    assert "上海市质量协会会议室" in signed
    assert any("2021年6月10日印发" in p for p in pages)
    assert "上海市质量协会质量沙龙秘书处" in pages[0].replace("\r\n", "")


@pytest.mark.parametrize("block, key", [("documents", "decision_number"), ("notice", "number")])
def test_call_yaml_numbers_meet_the_same_rule(block: str, key: str) -> None:
    import yaml

    from pipeline.calls import parse_call
    from pipeline.errors import CallError

    folder = ROOT / "schemas" / "saq-2021"
    d = yaml.safe_load((folder / "call.yaml").read_text(encoding="utf-8"))
    d[block][key] = "沪质协[2021]36号"
    with pytest.raises(CallError) as e:
        parse_call(d, folder)
    assert f"{block}.{key}" in e.value.message_zh and "沪质协〔2021〕36号" in e.value.message_zh


def test_unreadable_source_is_one_finding(call: Any, tmp_path: Path) -> None:
    src = tmp_path / "bad.txt"
    src.write_text("---\nissuer: 上海市质量协会\nsubject: 通知\n---\n正文。\n", encoding="utf-8")
    r = check_notice(src, call)
    assert [(f.code, f.location.paragraph) for f in r.findings] == [("gongwen.source", 2)]
    with pytest.raises(NoticeSourceError) as e:
        parse_notice(src.read_text(encoding="utf-8"))
    assert e.value.code == "gongwen.source" and e.value.line == 3


def test_a_label_line_after_the_title_is_not_the_addressee(call: Any, tmp_path: Path) -> None:
    f = tmp_path / "n.txt"
    f.write_text("质量月活动筹备会议纪要\n时间：2021年8月3日\n地点：协会会议室\n会议议定如下事项。\n", encoding="utf-8")
    assert codes(check_notice(f, call)) == []


def test_findings_on_a_source_point_at_its_lines(call: Any, tmp_path: Path) -> None:
    """A finding on a notice source names the source line to edit (1-based line n is paragraph n-1)."""
    text = SOURCE.read_text(encoding="utf-8")
    lines = text.splitlines()
    n_number = next(i for i, t in enumerate(lines) if t.startswith("number:"))
    n_body = next(i for i, t in enumerate(lines) if t.startswith("2.对标"))
    lines[n_number] = "number: 沪质协〔2021〕014号"
    lines[n_body] = "2、" + lines[n_body][2:]
    src = tmp_path / "n.txt"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    r = check_notice(src, call)
    assert sorted((f.code, f.location.paragraph) for f in r.findings) == [
        ("gongwen.doc_number", n_number), ("gongwen.heading", n_body)]


def test_notice_refuses_a_body_its_checker_would_fail(tmp_path: Path) -> None:
    """What `award notice` accepts, `award gongwen` passes: a body heading 2、 is refused before rendering,
    with its line and code."""
    lines = SOURCE.read_text(encoding="utf-8").splitlines()
    n = next(i for i, t in enumerate(lines) if t.startswith("2.对标"))
    lines[n] = "2、" + lines[n][2:]
    src = tmp_path / "n.txt"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "n.docx"
    r = CliRunner().invoke(main, ["notice", str(src), "-o", str(out)])
    assert r.exit_code == 3 and f"第{n + 1}行" in r.output and "gongwen.heading" in r.output
    assert not out.exists()
