"""The platform's audit log as a workbook (`award audit export`, and the staff console's download): who did what,
when, with which file, oldest first."""

from __future__ import annotations

import io
from pathlib import Path

from pipeline.registry import Registry

HEAD = ["时间（UTC）", "操作人", "操作", "内容", "文件 SHA-256"]
WIDTHS = [22, 16, 16, 48, 66]
# What each action code means, in the staff's words (codes not listed are shown as they are).
ACTIONS = {"user.add": "新建账号", "signin": "登录", "signin.failed": "登录失败", "signout": "退出登录"}


def audit_xlsx(registry: Registry) -> bytes:
    """The audit log as .xlsx bytes: one row per entry, the header frozen and repeated on every printed page."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    from pipeline.render.sheets import fit_row_heights, print_setup

    wb = Workbook()
    ws = wb.active
    ws.title = "审计日志"
    ws.append(HEAD)
    for at, who, what, detail, sha256 in registry.audit_rows():
        ws.append([at.replace("T", " ").replace("+00:00", ""), who, ACTIONS.get(what, what), detail, sha256 or ""])
    for cell in ws[1]:
        cell.font, cell.fill = Font(bold=True), PatternFill("solid", fgColor="DDE6F2")
    wrap = Alignment(wrap_text=True, vertical="top")
    for i, width in enumerate(WIDTHS, start=1):
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = width
        for cell in ws[letter][1:]:
            cell.alignment = wrap
    fit_row_heights(ws, 2)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(HEAD))}{ws.max_row}"
    print_setup(ws, title_rows=(1, 1))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def export_audit(registry: Registry, output: Path) -> Path:
    """Write the audit log workbook to `output` (atomically; never onto the registry itself)."""
    from pipeline.fileio import write_bytes

    return write_bytes(output, audit_xlsx(registry))
