"""A report as text for a terminal: a summary line, then findings grouped by form section."""

from __future__ import annotations

from pipeline.calls import Call
from pipeline.check.codes import place, severity_word
from pipeline.model import Finding, Report


def section_of(finding: Finding, call: Call) -> str:
    """The title of the form section a finding belongs to (文件 for file-level findings)."""
    pos = call.field_position(finding.field)
    return call.sections[pos[0]].title if pos else ""


def render_text(report: Report, call: Call, lang: str = "zh") -> str:
    """The human-readable report of one file."""
    e, w = report.count("error"), report.count("warning")
    lines = []
    if lang == "zh":
        verdict = "通过" if report.status == "pass" else "未通过"
        lines.append(f"{report.file.path}：{verdict}（错误 {e} 项，警告 {w} 项）")
    else:
        lines.append(f"{report.file.path}: {report.status} ({e} errors, {w} warnings)")
    if report.registration:
        lines.append(("登记号：" if lang == "zh" else "Registration: ") + report.registration)
    current: str | None = None
    for f in report.findings:
        title = section_of(f, call)
        if title != current:
            current = title
            # the form's section titles are Chinese in every language: shown once, as the form prints them
            head = title or ("文件与格式" if lang == "zh" else "File and form")
            lines.append("")
            lines.append(f"  {head}")
        where = place(f, call, lang, report.fields)
        msg = f.message if lang == "zh" else f.message_en
        loc = f"［{where}］" if lang == "zh" else f"[{where}]"
        lines.append(f"    {severity_word(f.severity, lang)} {f.code}  {msg}  {loc}")
    return "\n".join(lines) + "\n"
