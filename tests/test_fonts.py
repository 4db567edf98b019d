"""The shipped fontconfig mapping: every official Chinese font name resolves to its free face, in fc-match and
in the fonts LibreOffice embeds in a PDF; glyph coverage read from the font's cmap."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import docx
import pdfplumber
import pytest
from docx.oxml.ns import qn

from pipeline import office as converter
from pipeline.errors import PipelineError
from pipeline.render.fonts import font_face_for, font_file_for, missing_glyphs
from pipeline.resources import fonts_conf

SONG = ("宋体", "SimSun", "新宋体", "NSimSun", "华文中宋", "STZhongsong")
BIAOSONG = ("方正小标宋简体", "方正小标宋_GBK", "小标宋")
HEI = ("黑体", "SimHei", "微软雅黑", "Microsoft YaHei", "方正黑体_GBK")
KAI = ("楷体", "楷体_GB2312", "KaiTi", "KaiTi_GB2312", "华文楷体", "STKaiti")
FANGSONG = ("仿宋", "仿宋_GB2312", "FangSong", "FangSong_GB2312", "华文仿宋", "STFangsong")

# official name -> (fc-match family, style, the name LibreOffice gives the embedded subset, without its prefix)
EXPECTED: dict[str, tuple[str, str, str]] = {
    **{n: ("Noto Serif CJK SC", "Regular", "NotoSerifCJKjp-Regular") for n in SONG},
    **{n: ("Noto Serif CJK SC", "Bold", "NotoSerifCJKjp-Bold") for n in BIAOSONG},
    **{n: ("Noto Sans CJK SC", "Regular", "NotoSansCJKjp-Regular") for n in HEI},
    **{n: ("AR PL UKai CN", "Book", "UKaiCN") for n in (*KAI, *FANGSONG)},
}


@pytest.mark.parametrize("name", list(EXPECTED))
def test_fc_match_maps_each_official_name(name: str) -> None:
    family, style, _ = EXPECTED[name]
    face = font_face_for(name)
    assert (face.family, face.style) == (family, style)
    assert face.path.is_file() and font_file_for(name) == face.path


def test_fc_match_command_line_with_the_shipped_file() -> None:
    env = dict(os.environ, FONTCONFIG_FILE=str(fonts_conf()))
    out = subprocess.run(["fc-match", "仿宋_GB2312"], capture_output=True, text=True, env=env, check=True).stdout
    assert "AR PL UKai CN" in out
    # Without the mapping the same name falls back to a Latin/sans face: the mapping is what fixes it.
    plain = subprocess.run(["fc-match", "-f", "%{family[0]}", "宋体"], capture_output=True, text=True,
                           env={k: v for k, v in os.environ.items() if k != "FONTCONFIG_FILE"}, check=True).stdout
    assert "Serif CJK" not in plain


def _docx_with_each_name(path: Path, names: list[str]) -> None:
    d = docx.Document()
    for name in names:
        run = d.add_paragraph().add_run(f"上海市质量协会{name}")
        fonts = run._r.get_or_add_rPr().get_or_add_rFonts()
        for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            fonts.set(qn(attr), name)
    d.save(str(path))


def test_pdf_embeds_the_mapped_faces_never_a_fallback(tmp_path: Path) -> None:
    names = list(EXPECTED)
    src = tmp_path / "fonts.docx"
    _docx_with_each_name(src, names)
    [out] = converter.convert([src], tmp_path / "pdf")
    with pdfplumber.open(out) as pdf:
        lines = [line for page in pdf.pages for line in page.extract_text_lines(return_chars=True)]
    by_name = {}
    for line in lines:
        label = line["text"].removeprefix("上海市质量协会")
        by_name[label] = {c["fontname"].split("+", 1)[-1] for c in line["chars"] if not c["text"].isspace()}
    assert set(by_name) == set(names), set(by_name) ^ set(names)
    for name, fonts in by_name.items():
        wanted = EXPECTED[name][2]
        assert all(f.startswith(wanted) for f in fonts), (name, fonts)


def test_missing_glyphs_reads_the_face_of_a_collection() -> None:
    kai = font_file_for("楷体_GB2312")
    song = font_file_for("宋体")
    assert kai.suffix == ".ttc" and song.suffix == ".ttc"
    assert missing_glyphs("上海市质量协会 张三 ABC 123", kai) == []
    # U+2A6A5 (CJK Extension B) is in none of the installed faces; U+520F only in Noto CJK, not in UKai.
    assert missing_glyphs("李𪚥𪚥明", kai) == ["𪚥"]
    assert missing_glyphs("刏", song) == []
    assert missing_glyphs("刏", kai) == ["刏"]
    assert missing_glyphs("刘刏", song, index=0) == []


def test_unreadable_font_is_a_pipeline_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttf"
    bad.write_bytes(b"\0\1\0\0" + b"\0" * 8)
    with pytest.raises(PipelineError):
        missing_glyphs("字", bad)


def test_convert_timeout_is_a_clear_error(tmp_path: Path) -> None:
    src = tmp_path / "a.docx"
    _docx_with_each_name(src, ["宋体"])
    t = time.perf_counter()
    with pytest.raises(converter.ConversionTimeout) as e:
        converter.convert([src], tmp_path / "out", timeout=0.2)
    assert time.perf_counter() - t < 10
    assert "超时" in e.value.message("zh") and "timed out" in e.value.message("en")


def test_missing_libreoffice_is_converter_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(converter, "soffice", lambda: None)
    with pytest.raises(converter.ConverterMissing):
        converter.convert_parallel([tmp_path / "a.docx"], tmp_path)


def test_convert_parallel_splits_over_workers(tmp_path: Path) -> None:
    srcs = []
    for i in range(3):
        srcs.append(tmp_path / f"d{i}.docx")
        _docx_with_each_name(srcs[-1], ["宋体", "仿宋_GB2312"][: i % 2 + 1])
    assert [len(g) for g in converter.split_evenly(srcs, 2)] in ([2, 1], [1, 2])
    out = converter.convert_parallel(srcs, tmp_path / "pdf", jobs=2)
    assert [p.name for p in out] == ["d0.pdf", "d1.pdf", "d2.pdf"]
    assert all(p.stat().st_size > 0 for p in out)
