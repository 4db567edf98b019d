"""docs/messages.md, generated from the catalogue: every finding code, its severity and both message templates.

Regenerate after any change to pipeline/check/codes.py (run from the repository root):

    python -m pipeline.messages_doc            # writes docs/messages.md
    python -m pipeline.messages_doc --check    # exit 1 when the committed file is stale (make test runs this)
"""

from __future__ import annotations

import sys
from pathlib import Path

from pipeline.check.codes import APPLICANT_TEXTS, CODES, severity_word

DOC = Path(__file__).resolve().parent.parent / "docs" / "messages.md"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def messages_markdown() -> str:
    """The whole of docs/messages.md, in catalogue order."""
    lines = [
        "# Messages: every finding code, its severity and its templates",
        "",
        "Generated from the catalogue (`pipeline/check/codes.py`); do not edit by hand. Regenerate with",
        "",
        "    python -m pipeline.messages_doc",
        "",
        "`make test` fails while this file is stale. Placeholders in braces are filled when a finding is made:",
        "`{label}` is the field as the form names it (项目名称, 三、主要完成人第3行“工作单位”), `{actual}` what was",
        "typed, `{expected}` the rule's value; in Chinese, dates read 2021年5月26日 and numbers as typed (3000, not",
        "3000.0); a placeholder with nothing to fill reads as nothing, never \"None\".",
        "",
        f"{len(CODES)} codes.",
        "",
        "| code | severity | title | zh | en |",
        "|---|---|---|---|---|",
    ]
    for code, c in CODES.items():
        severity = f"{c.severity}（{severity_word(c.severity)}）"
        lines.append(f"| `{code}` | {severity} | {_cell(c.title_zh)} / {_cell(c.title_en)} | {_cell(c.zh)} | "
                     f"{_cell(c.en)} |")
    lines += [
        "",
        "## In letters: findings across applications, as the applicant reads them",
        "",
        "A return letter words these findings for the applicant (`APPLICANT_TEXTS`): no other application's",
        "number, name or similarity figure; \"修改位置\" only where there is something to edit in this form.",
        "",
        "| code | 修改位置 | zh | en |",
        "|---|---|---|---|",
    ]
    for code, t in APPLICANT_TEXTS.items():
        lines.append(f"| `{code}` | {'是' if t.where else '否'} | {_cell(t.zh)} | {_cell(t.en)} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    """Write docs/messages.md, or with --check say whether it is current."""
    text = messages_markdown()
    if "--check" in argv:
        current = DOC.read_text(encoding="utf-8") if DOC.is_file() else ""
        if current != text:
            print(f"{DOC} 已过期，请运行 python -m pipeline.messages_doc 重新生成 / is stale: run "
                  "python -m pipeline.messages_doc", file=sys.stderr)
            return 1
        return 0
    from pipeline.fileio import write_text

    DOC.parent.mkdir(exist_ok=True)
    write_text(DOC, text)
    print(DOC)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
