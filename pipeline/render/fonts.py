"""Which font file renders an official font name here (fc-match with our fonts.conf), and which characters it lacks."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pipeline.errors import PipelineError
from pipeline.resources import fonts_conf


class FontProblem(PipelineError):
    """A font cannot be found or read."""


@dataclass(frozen=True)
class FontFace:
    """One face of a font file (`index` selects the face of a .ttc collection)."""

    path: Path
    index: int
    family: str
    style: str


# The face fc-match chose for each file, so that missing_glyphs(text, path) reads that face of a collection.
_CHOSEN_INDEX: dict[Path, int] = {}


@lru_cache(maxsize=64)
def font_face_for(family: str) -> FontFace:
    """The face LibreOffice will use for `family`, as fc-match answers with our fonts.conf."""
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        raise FontProblem("未安装 fontconfig（fc-match），无法确定证书字体",
                          "fontconfig (fc-match) is not installed; cannot tell which font renders the text")
    env = dict(os.environ)
    if fonts_conf().is_file():
        env["FONTCONFIG_FILE"] = str(fonts_conf())
    done = subprocess.run([fc_match, "-f", "%{file}\n%{index}\n%{family[0]}\n%{style[0]}\n", family],
                          capture_output=True, text=True, env=env, timeout=30, check=False)
    lines = done.stdout.split("\n")
    if done.returncode != 0 or len(lines) < 4 or not lines[0]:
        raise FontProblem(f"fc-match 找不到字体“{family}”", f"fc-match found no font for {family!r}")
    face = FontFace(Path(lines[0]), int(lines[1] or 0), lines[2], lines[3])
    _CHOSEN_INDEX[face.path] = face.index
    return face


def font_file_for(family: str) -> Path:
    """The font file that will render `family` (fc-match with our fonts.conf)."""
    return font_face_for(family).path


def missing_glyphs(text: str, font_path: Path, index: int | None = None) -> list[str]:
    """The distinct characters of `text` (in order of first use) that the font has no glyph for; whitespace
    needs none. In a .ttc the face is `index`, else the one fc-match chose for that file, else the first."""
    face = _CHOSEN_INDEX.get(Path(font_path), 0) if index is None else index
    covered = _coverage(str(font_path), face)
    out: list[str] = []
    for ch in text:
        if ch not in out and not ch.isspace() and ord(ch) not in covered:
            out.append(ch)
    return out


# --- reading the cmap of an OpenType/TrueType font or collection ----------------------------------------------
# Done by hand (a few dozen lines) rather than adding fontTools for one table.

@lru_cache(maxsize=16)
def _coverage(path: str, index: int) -> frozenset[int]:
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        from pipeline.fileio import read_reason

        zh, en = read_reason(e)
        raise FontProblem(f"无法读取字体文件 {path}：{zh}", f"cannot read font file {path}: {en}") from None
    try:
        return frozenset(_cmap_codepoints(data, index))
    except (struct.error, IndexError, ValueError) as e:
        raise FontProblem(f"字体文件 {path} 无法解析：{e}", f"font file {path} cannot be parsed: {e}") from None


def _cmap_codepoints(data: bytes, index: int) -> set[int]:
    offset = 0
    if data[:4] == b"ttcf":
        count = struct.unpack_from(">I", data, 8)[0]
        if not 0 <= index < count:
            raise ValueError(f"face {index} not in a collection of {count}")
        offset = struct.unpack_from(">I", data, 12 + 4 * index)[0]
    num_tables = struct.unpack_from(">H", data, offset + 4)[0]
    cmap = None
    for i in range(num_tables):
        tag, _, table_offset, _ = struct.unpack_from(">4sIII", data, offset + 12 + 16 * i)
        if tag == b"cmap":
            cmap = table_offset
    if cmap is None:
        raise ValueError("no cmap table")
    subtables: dict[tuple[int, int], int] = {}
    for i in range(struct.unpack_from(">H", data, cmap + 2)[0]):
        platform, encoding, sub = struct.unpack_from(">HHI", data, cmap + 4 + 8 * i)
        subtables[(platform, encoding)] = cmap + sub
    # Full Unicode (format 12) first: it is the only one that reaches CJK Extension B and beyond.
    for key in ((3, 10), (0, 6), (0, 4), (3, 1), (0, 3)):
        if key in subtables:
            at = subtables[key]
            fmt = struct.unpack_from(">H", data, at)[0]
            if fmt == 12:
                return _format12(data, at)
            if fmt == 4:
                return _format4(data, at)
    raise ValueError("no Unicode cmap subtable of format 4 or 12")


def _format12(data: bytes, at: int) -> set[int]:
    groups = struct.unpack_from(">I", data, at + 12)[0]
    out: set[int] = set()
    for i in range(groups):
        start, end, glyph = struct.unpack_from(">III", data, at + 16 + 12 * i)
        out.update(range(start if glyph else start + 1, end + 1))  # glyph 0 is .notdef: not a glyph
    return out


def _format4(data: bytes, at: int) -> set[int]:
    segs = struct.unpack_from(">H", data, at + 6)[0] // 2
    ends = struct.unpack_from(f">{segs}H", data, at + 14)
    starts = struct.unpack_from(f">{segs}H", data, at + 16 + 2 * segs)
    deltas = struct.unpack_from(f">{segs}h", data, at + 16 + 4 * segs)
    ranges_at = at + 16 + 6 * segs
    range_offsets = struct.unpack_from(f">{segs}H", data, ranges_at)
    out: set[int] = set()
    for i in range(segs):
        for code in range(starts[i], ends[i] + 1):
            if code == 0xFFFF:
                continue
            if range_offsets[i] == 0:
                glyph = (code + deltas[i]) & 0xFFFF
            else:
                where = ranges_at + 2 * i + range_offsets[i] + 2 * (code - starts[i])
                glyph = struct.unpack_from(">H", data, where)[0]
                glyph = (glyph + deltas[i]) & 0xFFFF if glyph else 0
            if glyph:
                out.add(code)
    return out
