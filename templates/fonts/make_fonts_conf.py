"""Write templates/fonts/fonts.conf: the official Chinese font names mapped to installed free faces.

    python templates/fonts/make_fonts_conf.py
"""

from __future__ import annotations

from pathlib import Path

# (official names, installed family, bold?, why) -- the .docx keeps the official names so that it prints right
# on an office PC; only LibreOffice on this side sees the mapping.
MAPPING: list[tuple[tuple[str, ...], str, bool, str]] = [
    (("宋体", "SimSun", "新宋体", "NSimSun", "华文中宋", "STZhongsong"), "Noto Serif CJK SC", False,
     "Song (宋体): Noto Serif CJK SC is a Song/Ming face."),
    (("方正小标宋简体", "方正小标宋_GBK", "方正小标宋", "小标宋"), "Noto Serif CJK SC", True,
     "小标宋 (titles) is a heavy Song face: Noto Serif CJK SC Bold, the heaviest installed weight (no SemiBold "
     "file is installed), so titles stay Song and never turn Hei."),
    (("黑体", "SimHei", "微软雅黑", "Microsoft YaHei", "方正黑体_GBK", "方正黑体简体"), "Noto Sans CJK SC", False,
     "Hei (黑体) and YaHei: Noto Sans CJK SC is a Hei/Gothic face."),
    (("楷体", "楷体_GB2312", "KaiTi", "KaiTi_GB2312", "华文楷体", "STKaiti"), "AR PL UKai CN", False,
     "Kai (楷体): AR PL UKai CN."),
    (("仿宋", "仿宋_GB2312", "FangSong", "FangSong_GB2312", "华文仿宋", "STFangsong"), "AR PL UKai CN", False,
     "FangSong (仿宋): there is NO free FangSong face; issue 6 chose AR PL UKai CN, the nearest brush style "
     "(a Hei face would be plainly wrong, a Song face would lose the difference from Song body text)."),
]

HEAD = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<!--
  award-pipeline: the official Chinese font names of GB/T 9704 notices and certificates mapped to installed free
  faces, so that LibreOffice renders a Song name in a Song face instead of falling back silently to DejaVu or a
  Hei face. LibreOffice reads this through FONTCONFIG_FILE (pipeline/office.py). Check it with
      FONTCONFIG_FILE=templates/fonts/fonts.conf fc-match 仿宋_GB2312
  qual="first" tests only the family the document asked for: the system rules append fallback lists that name
  "Microsoft YaHei" and others, and qual="any" would then drag a Song request over to Hei. prepend_first puts the
  mapped family ahead of anything the system rules added; binding="strong" ranks it above the language's own
  preferences. One <match> per name: fontconfig does not support several values in one <test>.
  Written by templates/fonts/make_fonts_conf.py; edit that script, not this file.
-->
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
"""


def render() -> str:
    """The text of fonts.conf."""
    out = [HEAD]
    for names, family, bold, why in MAPPING:
        out.append(f"\n  <!-- {why} -->\n")
        for name in names:
            weight = ('\n    <edit name="weight" mode="assign" binding="strong"><const>bold</const></edit>'
                      if bold else "")
            out.append(f'  <match target="pattern">\n'
                       f'    <test name="family" qual="first"><string>{name}</string></test>\n'
                       f'    <edit name="family" mode="prepend_first" binding="strong"><string>{family}</string></edit>'
                       f'{weight}\n  </match>\n')
    out.append("</fontconfig>\n")
    return "".join(out)


if __name__ == "__main__":
    target = Path(__file__).with_name("fonts.conf")
    target.write_text(render(), encoding="utf-8")
    print(f"wrote {target}")
