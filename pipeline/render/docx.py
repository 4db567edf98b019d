"""Word templates staff can edit: docxtpl rendered in a sandboxed, autoescaping, strict Jinja2 environment."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from jinja2 import StrictUndefined, TemplateError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment

from pipeline.errors import PipelineError


class TemplateProblem(PipelineError):
    """A template that cannot be rendered: a missing variable, a syntax error, a missing file."""


def environment() -> SandboxedEnvironment:
    """The one Jinja2 environment for docx XML: sandboxed, autoescaping, failing on undefined variables."""
    return SandboxedEnvironment(autoescape=True, undefined=StrictUndefined)


def _open(path: Path) -> Any:
    from docxtpl import DocxTemplate

    if not path.is_file():
        raise TemplateProblem(f"找不到模板：{path}", f"template not found: {path}")
    return DocxTemplate(str(path))


def render_template(path: Path, context: dict[str, Any]) -> Any:
    """Render a .docx template with context; returns the rendered docxtpl document (save it with fileio)."""
    doc = _open(path)
    try:
        doc.render(context, jinja_env=environment(), autoescape=True)
    except UndefinedError as e:
        m = re.search(r"'([^']+)' is undefined", str(e))
        name = m.group(1) if m else str(e)
        raise TemplateProblem(f"模板 {path.name} 使用了未提供的变量：{name}",
                              f"template {path.name} uses a variable that is not provided: {name}") from None
    except TemplateError as e:
        raise TemplateProblem(f"模板 {path.name} 有语法错误：{e}",
                              f"template {path.name} has a syntax error: {e}") from None
    return doc


def template_variables(path: Path) -> set[str]:
    """The top-level variables a template uses (to compare with what the code passes)."""
    return set(_open(path).get_undeclared_template_variables(jinja_env=environment()))
