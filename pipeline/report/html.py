"""Reports as one self-contained, printable HTML page: a summary table, then findings per file by form section."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from pipeline.calls import Call
from pipeline.check.codes import CODES
from pipeline.model import Report
from pipeline.report.text import section_of
from pipeline.resources import templates_dir

TEMPLATE = "report.html.j2"

_SEVERITY = {"zh": {"error": "错误", "warning": "警告", "info": "提示"},
             "en": {"error": "Error", "warning": "Warning", "info": "Info"}}

# Every fixed word of the page, by language.
_WORDS: dict[str, dict[str, str]] = {
    "zh": {
        "title": "申报书自检报告", "files": "共 {n} 份申报书", "summary": "检查结果汇总", "no": "序号",
        "file": "文件", "status": "结论", "pass": "通过", "fail": "未通过", "errors": "错误", "warnings": "警告",
        "infos": "提示", "format": "格式", "pages": "页数", "severity": "级别", "message": "问题说明",
        "field": "字段", "location": "位置", "clean": "未发现问题", "clean_note": "本申报书通过全部自动检查。",
        "file_level": "文件与格式", "registration": "登记号", "sha256": "SHA-256", "size": "大小",
        "unknown": "—", "call": "申报通知", "tool": "检查工具",
        "counts": "错误 {e} 项 · 警告 {w} 项 · 提示 {i} 项", "colon": "：", "total": "文件数",
        "footer": "本报告由自检工具自动生成，仅供申报单位自查参考，最终以评审结果为准。",
    },
    "en": {
        "title": "Application Self-Check Report", "files": "Applications checked: {n}", "summary": "Summary", "no": "#",
        "file": "File", "status": "Result", "pass": "Pass", "fail": "Fail", "errors": "Errors",
        "warnings": "Warnings", "infos": "Info", "format": "Format", "pages": "Pages", "severity": "Severity",
        "message": "Problem", "field": "Field", "location": "Location", "clean": "No problems found",
        "clean_note": "This application passed every automatic check.", "file_level": "File and form",
        "registration": "Registration", "sha256": "SHA-256", "size": "Size", "unknown": "—", "call": "Call",
        "tool": "Checked with", "counts": "Errors {e} · Warnings {w} · Info {i}", "colon": ": ",
        "total": "Files",
        "footer": "Generated automatically for the applicant's own check; the review's decision is final.",
    },
}


def _size(n: int) -> str:
    """A byte count in words (KB/MB)."""
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n / 1024 / 1024:.1f} MB"


def _file_view(index: int, report: Report, call: Call, lang: str) -> dict[str, Any]:
    """The template's plain data for one report: counts, and findings grouped by form section."""
    words = _WORDS[lang]
    groups: dict[str, list[dict[str, Any]]] = {}
    for f in report.findings:
        title = section_of(f, call)
        code = CODES.get(f.code)
        groups.setdefault(title, []).append({
            "severity": f.severity,
            "severity_label": _SEVERITY[lang][f.severity],
            "code": f.code,
            "code_title": (code.title_en if lang == "en" else code.title_zh) if code else "",
            "message": f.message_en if lang == "en" else f.message,
            "message_en": f.message_en if lang == "zh" and f.message_en != f.message else "",
            "field": f.field or "",
            "location": f.location.describe(lang),
        })
    sections = [{"title": title or words["file_level"], "findings": items,
                 "errors": sum(1 for x in items if x["severity"] == "error"),
                 "warnings": sum(1 for x in items if x["severity"] == "warning")}
                for title, items in groups.items()]
    e, w, i = report.count("error"), report.count("warning"), report.count("info")
    return {
        "anchor": f"file-{index}",
        "number": index,
        "path": report.file.path,
        "name": report.file.path.replace("\\", "/").rsplit("/", 1)[-1],
        "status": report.status,
        "status_label": words[report.status],
        "errors": e,
        "warnings": w,
        "infos": i,
        "counts": words["counts"].format(e=e, w=w, i=i),
        "format": report.file.format.upper() if report.file.format else words["unknown"],
        "pages": report.file.pages if report.file.pages is not None else words["unknown"],
        "size": _size(report.file.bytes),
        "sha256": report.file.sha256,
        "registration": report.registration or "",
        "sections": sections,
    }


@lru_cache(maxsize=1)
def environment() -> SandboxedEnvironment:
    """The sandboxed, autoescaping Jinja2 environment over templates/."""
    return SandboxedEnvironment(loader=FileSystemLoader(str(templates_dir())), autoescape=True,
                                undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def render_html(reports: list[Report], call: Call, lang: str = "zh") -> str:
    """One self-contained HTML page (inline CSS, no network) reporting on every file."""
    if lang not in _WORDS:
        lang = "zh"
    words = _WORDS[lang]
    files = [_file_view(n, r, call, lang) for n, r in enumerate(reports, start=1)]
    tool = reports[0].tool if reports else {}
    context = {
        "lang": lang,
        "html_lang": "en" if lang == "en" else "zh-CN",
        "w": words,
        "award": call.award,
        "call_id": call.id,
        "tool": f"{tool.get('name', 'award-pipeline')} {tool.get('version', '')}".strip(),
        "files_line": words["files"].format(n=len(reports)),
        "passed": sum(1 for f in files if f["status"] == "pass"),
        "failed": sum(1 for f in files if f["status"] == "fail"),
        "files": files,
    }
    return environment().get_template(TEMPLATE).render(**context)
