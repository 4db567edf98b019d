"""The shared homes of issue 13 item 5: text (pipeline.text), field paths (pipeline.fieldpath), the zip guards
(pipeline.ingest.zipguard) and the basedOn chain (pipeline.ingest.styles), with the edge cases the copies they
replace handled."""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from typing import Any

import pytest

from pipeline.fieldpath import FieldPath, expand, parents, split_path, value_at
from pipeline.gbt9704 import ems
from pipeline.ingest.styles import based_on_chain
from pipeline.ingest.zipguard import BOMB_FLOOR, Excess, directory_excess, is_bomb, unsafe_name
from pipeline.text import (
    LINE_SPACE,
    char_width,
    display_width,
    em_width,
    nfkc,
    nfkc_no_spaces,
    no_spaces,
    one_line,
)

ZWSP = "\u200b"  # zero-width space: not whitespace, and NFKC keeps it
IDEO = "\u3000"  # ideographic space: whitespace, NFKC makes it an ASCII space
COMBINING = "e\u0301"  # e + combining acute: NFKC composes é


@pytest.mark.parametrize(("text", "expected"), [
    ("１３９０１２３４５６７", "13901234567"),  # full-width digits
    ("ＡＢＣ＠ｅｘａｍｐｌｅ．ｃｏｍ", "ABC@example.com"),  # full-width letters and symbols
    ("上海（集团）", "上海(集团)"),  # full-width brackets
    (f"a{IDEO}b", "a b"),
    (f"a{ZWSP}b", f"a{ZWSP}b"),
    (COMBINING, "é"),
    ("①", "1"),
    ("", ""),
])
def test_nfkc(text: str, expected: str) -> None:
    assert nfkc(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    (" 项目 名称\n ABC ", "项目名称ABC"),
    (f"上{IDEO}海\t市\r\n", "上海市"),
    ("a\u00a0b\u2003c", "abc"),  # no-break space, em space
    (f"a{ZWSP}b", f"a{ZWSP}b"),  # zero width is not white space
    ("ＡＢ Ｃ", "ＡＢＣ"),  # no NFKC here
    ("", ""),
])
def test_no_spaces(text: str, expected: str) -> None:
    assert no_spaces(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    (" 上海（集团） 有限公司\n", "上海(集团)有限公司"),
    ("１２３４．５ 万元", "1234.5万元"),
    (f"无{IDEO}。", "无。"),
    (f"a{ZWSP} b", f"a{ZWSP}b"),
    (COMBINING + " x", "éx"),
    ("Ｘ", "X"),
    ("", ""),
])
def test_nfkc_no_spaces(text: str, expected: str) -> None:
    assert nfkc_no_spaces(text) == expected
    # the copies it replaced: extract.norm / check.batch._clean_text, and check.rules._same (NFKC, trimmed, \s out)
    assert nfkc_no_spaces(text) == re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    assert nfkc_no_spaces(text) == re.sub(r"\s+", "", unicodedata.normalize("NFKC", text).strip())


@pytest.mark.parametrize(("text", "expected"), [
    ("  a \n\t b  ", "a b"),
    (f"上海{IDEO}{IDEO}市", "上海 市"),
    (f"a{ZWSP}b", f"a{ZWSP}b"),
    ("\n", ""),
    ("", ""),
])
def test_one_line(text: str, expected: str) -> None:
    assert one_line(text) == expected
    assert one_line(text) == re.sub(r"\s+", " ", text).strip()  # render.certificates.clean_name's way


def test_whitespace_is_the_same_for_split_and_regex() -> None:
    """\\s (no_spaces, nfkc_no_spaces) and str.split (one_line) agree on every code point."""
    assert all(bool(re.match(r"\s", chr(i))) == chr(i).isspace() for i in range(0x110000))


@pytest.mark.parametrize(("text", "plain", "grid"), [
    ("", 0, 0),
    ("abc", 3, 3),
    ("123", 3, 3),
    ("中文", 4, 4),
    ("１２", 4, 4),  # full-width digits
    ("ＡＢ", 4, 4),  # full-width letters
    (IDEO, 2, 2),  # ideographic space
    ("ｶ", 1, 1),  # half-width katakana
    ("“引号”", 6, 8),  # ambiguous quotes: narrow in a sheet, full on the grid
    ("——", 2, 4),
    ("①", 1, 2),
    (ZWSP, 1, 1),  # zero-width space counts as a narrow character (as the copies did)
    (COMBINING, 2, 3),  # the combining acute is ambiguous
    ("沪质协〔2021〕14号", 18, 18),
])
def test_display_width(text: str, plain: int, grid: int) -> None:
    assert display_width(text) == plain
    assert display_width(text, ambiguous_wide=True) == grid
    assert sum(char_width(c) for c in text) == plain
    assert sum(char_width(c, ambiguous_wide=True) for c in text) == grid
    assert em_width(text) == plain / 2
    assert ems(text) == grid / 2  # the GB/T 9704 grid counts ambiguous characters full width


SAMPLE = [chr(i) for i in (*range(0x20, 0x250), *range(0x2000, 0x2070), *range(0x2460, 0x24a0), *range(0x3000, 0x3040),
                           *range(0x4e00, 0x4e40), *range(0xff00, 0xffef), 0x200b, 0x0301, 0x20ac)]


def test_widths_equal_the_copies_they_replace() -> None:
    """summary._width / sheets.display_width, form._text_ems and gbt9704.ems as they were written."""
    for ch in SAMPLE:
        assert display_width(ch) == (2 if unicodedata.east_asian_width(ch) in "WF" else 1)
        assert em_width(ch) == (1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.5)
        assert ems(ch) == (1.0 if unicodedata.east_asian_width(ch) in "WFA" and not ch.isascii() else 0.5)
    text = "".join(SAMPLE)
    assert em_width(text) == sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.5 for c in text)


def test_line_space() -> None:
    assert re.findall(LINE_SPACE, f"a b\tc{IDEO}d\ne\u00a0f") == [" ", "\t", IDEO]


# --- field paths --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("path", "expected"), [
    ("persons", FieldPath("persons", None, None)),
    ("persons[2]", FieldPath("persons", 2, None)),
    ("persons[2].name", FieldPath("persons", 2, "name")),
    ("project.name", FieldPath("project", None, "name")),
    ("benefits.total.sales", FieldPath("benefits.total", None, "sales")),
    ("units[10].credit_code", FieldPath("units", 10, "credit_code")),
    ("persons[].birth", FieldPath("persons[]", None, "birth")),  # a pattern is no row path
    ("", None),
])
def test_split_path(path: str, expected: FieldPath | None) -> None:
    assert split_path(path) == expected


@pytest.mark.parametrize(("path", "expected"), [
    ("persons[2].unit", ["persons[2].unit", "persons[2]", "persons"]),
    ("benefits.total.sales", ["benefits.total.sales", "benefits.total", "benefits"]),
    ("summary", ["summary"]),
    ("", []),
])
def test_parents(path: str, expected: list[str]) -> None:
    assert list(parents(path)) == expected


VALUES: dict[str, Any] = {
    "project.name": "热处理",
    "persons": [{"name": "张三", "birth": "1985.9"}, {"name": "李四"}],
    "benefits.total": {"sales": "12"},
    "odd": "x",
}


@pytest.mark.parametrize(("path", "expected"), [
    ("project.name", "热处理"),  # a field id with a dot is a key of its own
    ("persons[0].name", "张三"),
    ("persons[1].birth", None),
    ("persons[5].name", None),  # past the last row
    ("benefits.total.sales", "12"),
    ("benefits.total.cost", None),
    ("odd.sub", None),  # not a dict
    ("missing", None),
    ("missing[0].x", None),
])
def test_value_at(path: str, expected: Any) -> None:
    assert value_at(VALUES, path) == expected


def test_expand() -> None:
    assert list(expand(VALUES, "persons[].birth")) == [("persons[0].birth", "1985.9"), ("persons[1].birth", None)]
    assert list(expand(VALUES, "project.name")) == [("project.name", "热处理")]
    assert list(expand(VALUES, "units[].name")) == []


PATHS = ["persons", "persons[2]", "persons[2].name", "project.name", "benefits.total.sales", "benefits.total",
         "units[0].credit_code", "persons[].birth", "a.b.c.d", "a[1].b.c", "x[1][2].y", "p[1]", ".name", "[0].x", "a.",
         "persons[0]x", "persons[0].name.first"]


def _old_value(v: dict[str, Any], path: str) -> Any:
    """check.rules.Context.value as it was written."""
    if path in v:
        return v[path]
    m = re.match(r"^(.+?)\[(\d+)\]\.(\w+)$", path)
    if m:
        rows = v.get(m.group(1)) or []
        i = int(m.group(2))
        return rows[i].get(m.group(3)) if i < len(rows) else None
    key, _, sub = path.rpartition(".")
    obj = v.get(key)
    return obj.get(sub) if isinstance(obj, dict) else None


@pytest.mark.parametrize("path", PATHS)
def test_paths_read_as_the_copies_did(path: str) -> None:
    """value_at as check.rules.Context.value; split_path as check.rules._column and (for ids of a-z and _, as
    every call's ids are) check.codes._PATH."""
    values = {**VALUES, "a.b.c": {"d": 1}, "a": [{"b": 2}, {"b": 3}], "x[1]": [{}, {}, {"y": 4}]}
    assert value_at(values, path) == _old_value(values, path)
    column = re.match(r"^(.+?)(?:\[\d+\])?\.(\w+)$", path)
    parts = split_path(path)
    assert (column.groups() if column else None) == ((parts.key, parts.sub) if parts and parts.sub else None)
    label = re.match(r"^(?P<key>[a-z_.]+?)(?:\[(?P<index>\d+)\])?(?:\.(?P<sub>[a-z_]+))?$", path)
    if label:
        index = label.group("index")
        assert parts == FieldPath(label.group("key"), int(index) if index else None, label.group("sub"))


# --- zip guards ----------------------------------------------------------------------------------------------

def _infos(*entries: tuple[str, bytes]) -> list[zipfile.ZipInfo]:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries:
            z.writestr(name, data)
    return zipfile.ZipFile(buf).infolist()


def test_directory_excess() -> None:
    infos = _infos(("a", b"x" * 10), ("b", b"y" * 20))
    assert directory_excess(infos, 2, 30) is None
    assert directory_excess(infos, 1, 30) == Excess("entries", 2)  # the count is checked first
    assert directory_excess(infos, 1, 1) == Excess("entries", 2)
    assert directory_excess(infos, 2, 29) == Excess("bytes", 30)


def test_is_bomb() -> None:
    small, big = _infos(("small", b"\0" * 2**19), ("big", b"\0" * (BOMB_FLOOR + 1)))
    assert small.file_size > 200 * small.compress_size and not is_bomb(small, 200)  # under the floor
    assert is_bomb(big, 200)
    assert not is_bomb(big, 1e9)


@pytest.mark.parametrize(("name", "why"), [
    ("a/b.docx", None),
    ("申报书/张三.docx", None),
    ("a..b.docx", None),
    ("/etc/passwd", "absolute path"),
    ("\\share\\x.docx", "absolute path"),
    ("C:x.docx", "absolute path"),
    ("a/../../x.docx", "contains '..'"),
    ("a\\..\\x.docx", "contains '..'"),
    ("a\x00.docx", "contains a NUL character"),
])
def test_unsafe_name(name: str, why: str | None) -> None:
    got = unsafe_name(name)
    assert (got[1] if got else None) == why


# --- the basedOn chain --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("start", "based_on", "expected"), [
    ("H1", {"H1": "Body", "Body": "Normal"}, ["H1", "Body", "Normal"]),
    ("H1", {}, ["H1"]),
    ("A", {"A": "B", "B": "A"}, ["A", "B"]),  # a cycle ends the walk
    ("A", {"A": "A"}, ["A"]),
    ("A", {"A": None}, ["A"]),
    (None, {"A": "B"}, []),
    ("", {"": "B"}, []),
])
def test_based_on_chain(start: str | None, based_on: dict[str, str | None], expected: list[str]) -> None:
    assert list(based_on_chain(start, based_on)) == expected


def test_chinese_names_sort_by_pinyin_as_readers_expect() -> None:
    from pipeline.text import collation_key

    names = ["上海浦江伟业", "重庆长安", "长江精工", "阿克苏纺织", "北京燕山", "Ａｃｍｅ", "张江集成"]
    # 阿 ā, Ａｃｍｅ (acme), 北 běi, 长 cháng, 重 chóng, 上 shàng, 张 zhāng: never by code point (which puts 上 first)
    assert sorted(names, key=collation_key) == ["阿克苏纺织", "Ａｃｍｅ", "北京燕山", "长江精工", "重庆长安", "上海浦江伟业",
                                               "张江集成"]
