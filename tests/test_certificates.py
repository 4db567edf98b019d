"""Certificates (§5): numbers, wording, the glyph check, escaping, the merged PDF's order and fonts, the manifest."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import zipfile
from pathlib import Path
from typing import Any

import pdfplumber
import pypdfium2 as pdfium
import pytest

from pipeline.render import certificates as C
from pipeline.render.docx import template_variables
from pipeline.render.fonts import font_face_for, missing_glyphs

ROOT = Path(__file__).resolve().parent.parent
SEAL = ROOT / "samples" / "assets" / "seal-sample.png"
AWARD = dt.date(2021, 12, 20)
HOSTILE_PROJECT = "A&B <焊接> 缺陷\"率\" {{ x }} 研究"
RARE = "\U0002A6A5"  # 𪚥, CJK Extension B


def _certs(call: Any) -> list[C.Certificate]:
    out = C.certificates_for(call, "降低焊接缺陷率的质量改进", 2, 15, ["上海某某机械厂"], ["张伟", "李娜", "王芳"])
    out += C.certificates_for(call, HOSTILE_PROJECT, 1, 3, ["R&D <中心>"], ["赵&<磊>"])
    return out


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> C.CertificateRun:
    from pipeline.calls import load_call

    call = load_call("saq-2021")
    return C.write_certificates(_certs(call), tmp_path_factory.mktemp("certs"), call, AWARD, seal=SEAL, jobs=2)


def test_numbers_follow_the_call(call: Any) -> None:
    assert C.certificate_number(call, 2, 15, "person", 3) == "QT2021-2-015-P03"
    assert C.certificate_number(call, 1, 7, "unit", 1) == "QT2021-1-007-U01"
    assert C.certificate_number(call, 3, 120, "P", 12) == "QT2021-3-120-P12"
    with pytest.raises(C.CertificateProblem):
        C.certificate_number(call, 1, 1, "team", 1)
    certs = C.certificates_for(call, "项目", 2, 15, ["甲厂", "乙厂"], ["张三", "李四", "王五"])
    assert [c.number for c in certs] == ["QT2021-2-015-U01", "QT2021-2-015-U02", "QT2021-2-015-P01",
                                         "QT2021-2-015-P02", "QT2021-2-015-P03"]
    # The same input gives the same numbers on every run.
    assert certs == C.certificates_for(call, "项目", 2, 15, ["甲厂", "乙厂"], ["张三", "李四", "王五"])
    assert {c.level_name for c in certs} == {"二等奖"}


def test_wording_is_the_calls(call: Any) -> None:
    person = C.Certificate("QT2021-2-015-P03", "person", "王芳", "降低焊接缺陷率", 2, "二等奖", 3)
    assert C.certificate_text(call, person) == ("王芳同志：在“降低焊接缺陷率”项目中做出突出贡献（排名第3），"
                                                "该项目荣获2021年度上海市质量协会质量技术奖二等奖。特发此证。")
    unit = C.Certificate("QT2021-2-015-U01", "unit", "上海某某机械厂", "降低焊接缺陷率", 2, "二等奖", 1)
    assert C.certificate_text(call, unit) == ("上海某某机械厂：你单位完成的“降低焊接缺陷率”项目荣获2021年度"
                                              "上海市质量协会质量技术奖二等奖。特发此证。")
    assert C.wording_parts(call, unit) == ("上海某某机械厂：", C.certificate_text(call, unit)[len("上海某某机械厂："):])
    assert C.chinese_month(AWARD) == "二〇二一年十二月"


def test_template_variables_are_what_the_code_passes(call: Any) -> None:
    renderer_vars = set(C._Renderer.VARS) | {"rank", "level", "seal"}
    used = template_variables(C.template_path(call))
    assert used <= renderer_vars
    assert {"number", "salutation", "body", "signer", "date", "seal"} <= used


def test_name_with_a_missing_glyph_is_an_error_before_anything_is_written(call: Any, tmp_path: Path) -> None:
    face = font_face_for(C.template_font(C.template_path(call)))
    assert face.family == "AR PL UKai CN"
    assert missing_glyphs(RARE, face.path, face.index) == [RARE]  # really missing from the certificate font
    certs = C.certificates_for(call, "项目", 1, 1, ["甲厂"], ["张三", f"李{RARE}明"])
    problems = C.check_glyphs(certs, face.path, face.index, "AR PL UKai CN")
    assert [(p.number, p.field, p.text, p.char) for p in problems] == [("QT2021-1-001-P02", "name", f"李{RARE}明", RARE)]
    assert f"李{RARE}明" in problems[0].message("zh") and "U+2A6A5" in problems[0].message("en")
    with pytest.raises(C.GlyphsMissing) as e:
        C.write_certificates(certs, tmp_path / "out", call, AWARD, pdf=False)
    assert "姓名" in e.value.message("zh") and RARE in e.value.message("zh")
    assert not (tmp_path / "out").exists()


def test_a_project_character_is_reported_once(call: Any) -> None:
    face = font_face_for("楷体_GB2312")
    certs = C.certificates_for(call, f"{RARE}项目", 1, 1, ["甲厂"], ["张三", "李四"])
    problems = C.check_glyphs(certs, face.path, face.index)
    assert [(p.field, p.char) for p in problems] == [("project", RARE)]


def test_outputs_in_number_order(run: C.CertificateRun) -> None:
    numbers = [c.number for c in run.certificates]
    assert numbers == sorted(numbers) and len(numbers) == 6
    assert [p.stem for p in run.docx] == numbers and [p.stem for p in run.pdf] == numbers
    assert run.fast


def test_merged_pdf_page_count_and_order(run: C.CertificateRun) -> None:
    assert run.merged_pdf is not None
    doc = pdfium.PdfDocument(run.merged_pdf)
    try:
        assert len(doc) == len(run.certificates)
        for i, cert in enumerate(run.certificates):
            page = doc[i]
            text = re.sub(r"\s+", "", page.get_textpage().get_text_range())
            assert cert.number in text and cert.name.replace(" ", "") in text
            w, h = page.get_size()
            assert w > h  # landscape
            assert round(w / 72 * 25.4) == 297 and round(h / 72 * 25.4) == 210
    finally:
        doc.close()
    for path, cert in zip(run.pdf, run.certificates, strict=True):
        with pdfplumber.open(path) as single:
            assert len(single.pages) == 1
            assert cert.number in (single.pages[0].extract_text() or "")


def test_hostile_names_render_as_text(run: C.CertificateRun) -> None:
    hostile = [c for c in run.certificates if c.project == HOSTILE_PROJECT]
    assert {c.name for c in hostile} == {"R&D <中心>", "赵&<磊>"}
    for cert in hostile:
        path = run.docx[run.certificates.index(cert)]
        xml = zipfile.ZipFile(path).read("word/document.xml").decode("utf-8")
        assert "A&amp;B &lt;焊接&gt; 缺陷\"率\" {{ x }} 研究" in xml
        import docx

        text = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
        assert cert.name in text and HOSTILE_PROJECT in text
    pdf_text = "".join(pdfium.PdfDocument(run.pdf[run.certificates.index(hostile[0])])[0].get_textpage()
                       .get_text_range().split())
    assert "A&B<焊接>" in pdf_text


def test_embedded_fonts_are_the_mapped_faces(run: C.CertificateRun) -> None:
    assert run.merged_pdf is not None
    fonts: set[str] = set()
    with pdfplumber.open(run.merged_pdf) as pdf:
        for page in pdf.pages:
            fonts |= {c["fontname"].split("+", 1)[-1] for c in page.chars}
    # 宋体 (number) -> Noto Serif CJK, 方正小标宋简体 (title) -> Noto Serif CJK Bold, 楷体_GB2312 (text) -> AR PL UKai.
    assert {f.split("-VKana")[0] for f in fonts} == {"NotoSerifCJKjp-Regular", "NotoSerifCJKjp-Bold", "UKaiCN"}


def test_manifest_rows_and_hashes(run: C.CertificateRun) -> None:
    raw = run.manifest.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel opens the Chinese right
    reader = csv.DictReader(io.StringIO(raw.decode("utf-8-sig")))
    assert reader.fieldnames == ["证书编号", "类别", "姓名或单位名称", "项目名称", "奖励等级", "排名", "登记号",
                                 "Word文件", "Word文件SHA-256", "PDF文件", "PDF文件SHA-256"]
    rows = list(reader)
    assert [r["证书编号"] for r in rows] == [c.number for c in run.certificates]
    for row, cert in zip(rows, run.certificates, strict=True):
        assert (row["类别"], row["姓名或单位名称"], row["项目名称"], row["奖励等级"], row["排名"]) == (
            {"unit": "单位", "person": "个人"}[cert.kind], cert.name, cert.project, cert.level_name, str(cert.rank))
        for kind, what in (("docx", "Word文件"), ("pdf", "PDF文件")):
            path = run.out_dir / row[what]
            assert path.suffix == f".{kind}"
            assert hashlib.sha256(path.read_bytes()).hexdigest() == row[f"{what}SHA-256"]
    by_number = {r["证书编号"]: r for r in rows}
    assert by_number["QT2021-2-015-P03"]["类别"] == "个人" and by_number["QT2021-2-015-P03"]["奖励等级"] == "二等奖"
    assert by_number["QT2021-2-015-U01"]["姓名或单位名称"] == "上海某某机械厂"


def test_manifest_in_english(call: Any, tmp_path: Path) -> None:
    out = C.write_certificates(_certs(call), tmp_path, call, AWARD, seal=SEAL, pdf=False, lang="en")
    reader = csv.DictReader(io.StringIO(out.manifest.read_bytes().decode("utf-8-sig")))
    assert reader.fieldnames == list(C.MANIFEST_COLUMNS)
    rows = {r["number"]: r for r in reader}
    assert (rows["QT2021-2-015-P03"]["kind"], rows["QT2021-2-015-P03"]["level"]) == ("person", "2")
    assert rows["QT2021-1-003-U01"]["kind"] == "unit" and rows["QT2021-1-003-U01"]["pdf"] == ""


def test_docx_bytes_are_reproducible_and_equal_docxtpl(call: Any, run: C.CertificateRun, tmp_path: Path) -> None:
    again = C.write_certificates(_certs(call), tmp_path, call, AWARD, seal=SEAL, pdf=False)
    assert [p.read_bytes() for p in again.docx] == [p.read_bytes() for p in run.docx]
    assert again.pdf == [] and again.merged_pdf is None
    # The one-rendering path gives exactly docxtpl's parts for every certificate, not just the checked first.
    renderer = C._Renderer(C.template_path(call), call, AWARD, SEAL.read_bytes(), (600, 600))
    for cert in again.certificates:
        assert renderer.parts(cert) == renderer._seal_parts(renderer._docxtpl_parts(renderer.context(cert)))


def test_docx_carries_the_seal_and_official_fonts(run: C.CertificateRun) -> None:
    z = zipfile.ZipFile(run.docx[0])
    assert SEAL.read_bytes() in [z.read(n) for n in z.namelist() if n.startswith("word/media/")]
    xml = z.read("word/document.xml").decode("utf-8")
    assert "<wp:anchor" in xml and "二〇二一年十二月" in xml and "上海市质量协会" in xml
    assert {"方正小标宋简体", "楷体_GB2312", "宋体"} <= set(re.findall(r'w:eastAsia="([^"]+)"', xml))
    assert 'w:orient="landscape"' in xml


def test_no_seal_leaves_no_picture(call: Any, tmp_path: Path) -> None:
    out = C.write_certificates(C.certificates_for(call, "项目", 1, 1, ["甲厂"], []), tmp_path, call, AWARD,
                               pdf=False)
    xml = zipfile.ZipFile(out.docx[0]).read("word/document.xml").decode("utf-8")
    assert "<wp:anchor" not in xml and "上海市质量协会" in xml


def test_duplicate_numbers_are_refused(call: Any, tmp_path: Path) -> None:
    certs = C.certificates_for(call, "项目", 1, 1, ["甲厂"], [])
    with pytest.raises(C.CertificateProblem):
        C.write_certificates(certs + certs, tmp_path, call, AWARD, pdf=False)


def test_sample_seal_reads_yangzhang() -> None:
    assert C.sample_seal().read_bytes() == SEAL.read_bytes()
    import sys

    sys.path.insert(0, str(ROOT / "samples"))
    import make_seal

    assert make_seal.CENTRE_TEXT == "样章" and make_seal.ARC_TEXT == "上海市质量协会"
    assert make_seal.png_bytes() == SEAL.read_bytes()  # the committed picture is the script's output
