"""click's own messages (usage errors: missing options, bad values, missing files, no such command, extra
arguments) in Chinese, or in English with `--lang en`; the headings of `--help` in both languages.

click looks its messages up through `gettext` in each of its modules; those lookups are pointed here, where the
English message id gives the Chinese template. The language is that of the command line being run (`--lang`
may come before or after the subcommand, or be missing), set by `set_language` before click parses anything.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from typing import Any

import click

_LANG = "zh"

# click's message id -> the Chinese template (the same placeholders, without !r: quotes are Chinese here)
ZH: dict[str, str] = {
    "Error: {message}": "错误：{message}",
    "Try '{command} {option}' for help.": "运行“{command} {option}”查看帮助。",
    "Usage:": "用法：",
    "Aborted!": "已中断",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing {param_type}": "缺少{param_type}",
    "Missing parameter: {param_name}": "缺少参数：{param_name}",
    "Missing command.": "缺少命令。",
    "Invalid value for {param_hint}: {message}": "{param_hint}：{message}",
    "Invalid value: {message}": "值无效：{message}",
    "No such option {name!r}.": "没有选项 {name}",
    "Did you mean {possibility}?": "（是否要用 {possibility}？）",
    "(Did you mean one of: {possibilities}?)": "（是否要用其中之一：{possibilities}？）",
    "No such command {name!r}.": "没有命令“{name}”。",
    "Got unexpected extra argument ({args})": "多余的参数：{args}",
    "Got unexpected extra arguments ({args})": "多余的参数：{args}",
    "Option {name!r} requires an argument.": "选项 {name} 后面需要一个值。",
    "Option {name!r} requires {nargs} arguments.": "选项 {name} 后面需要 {nargs} 个值。",
    "Option {name!r} does not take a value.": "选项 {name} 不带值。",
    "Argument {name!r} takes {nargs} values.": "参数 {name} 需要 {nargs} 个值。",
    "Takes {nargs} values but 1 was given.": "需要 {nargs} 个值，只给了 1 个。",
    "Takes {nargs} values but {len} were given.": "需要 {nargs} 个值，给了 {len} 个。",
    "Value must be an iterable.": "应为一组值。",
    "Invalid start character for option ({option})": "选项的开头字符无效（{option}）",
    "{value!r} is not {choice}.": "“{value}”不是可选的值（应为 {choice}）。",
    "{value!r} is not one of {choices}.": "“{value}”不是可选的值（可选：{choices}）。",
    "Choose from:\n\t{choices}": "可选：{choices}",
    "{value!r} does not match the format {format}.": "“{value}”不符合格式 {format}。",
    "{value!r} does not match the formats {formats}.": "“{value}”不符合格式 {formats}。",
    "{value} is not in the range {range}.": "{value} 不在允许的范围内（{range}）。",
    "{value!r} is not a valid {number_type}.": "“{value}”不是有效的{number_type}。",
    "{value!r} is not a valid boolean. Recognized values: {states}": "“{value}”不是有效的是/否值（可用：{states}）。",
    "{value!r} is not a valid UUID.": "“{value}”不是有效的 UUID。",
    "{name} {filename!r} does not exist.": "{name}“{filename}”不存在。",
    "{name} {filename!r} is a file.": "“{filename}”是文件，这里应为{name}。",
    "{name} {filename!r} is a directory.": "“{filename}”是文件夹，这里应为{name}。",
    "{name} {filename!r} is not readable.": "{name}“{filename}”不可读。",
    "{name} {filename!r} is not writable.": "{name}“{filename}”不可写。",
    "{name} {filename!r} is not executable.": "{name}“{filename}”不可执行。",
    "Could not open file {filename!r}: {message}": "无法打开文件“{filename}”：{message}",
    "{len_type} values are required, but {len_value} was given.": "需要 {len_type} 个值，给了 {len_value} 个。",
    "{len_type} values are required, but {len_value} were given.": "需要 {len_type} 个值，给了 {len_value} 个。",
}

# the help's headings and click's own help lines: both languages, whatever --lang says (as every help text here)
BOTH: dict[str, str] = {
    "Options": "选项 / Options",
    "Commands": "命令 / Commands",
    "Positional arguments": "参数 / Positional arguments",
    "Show this message and exit.": "显示本帮助并退出 / Show this message and exit.",
    "Show the version and exit.": "显示版本并退出 / Show the version and exit.",
    "default: {default}": "默认 / default: {default}",
    "required": "必填 / required",
}

# words click puts into its messages, already in English when the message is made
_WORDS = {"File": "文件", "Directory": "文件夹", "Path": "路径", "file": "文件", "directory": "文件夹",
          "path": "路径", "integer": "整数", "float": "数字", "integer range": "整数", "float range": "数字",
          "boolean": "是/否", "option": "选项", "argument": "参数", "parameter": "参数"}


def _plain(value: Any) -> Any:
    """A value for a Chinese sentence: an English word of click's in Chinese, Python's quotes dropped."""
    if not isinstance(value, str):
        return value
    if value in _WORDS:
        return _WORDS[value]
    if re.fullmatch(r"'[^']*'(?:(?:, | / )'[^']*')*", value):
        return "、".join(re.findall(r"'([^']*)'", value)) if ", " in value else re.sub(r"'([^']*)'", r"\1", value)
    return value


class _Template(str):
    """A Chinese template whose placeholders are filled with the values made Chinese too."""

    def format(self, *args: Any, **kwargs: Any) -> str:
        return str.format(self, *args, **{k: _plain(v) for k, v in kwargs.items()})


def gettext(message: str) -> str:
    """click's message in the language of the command line."""
    if message in BOTH:
        return BOTH[message]
    if _LANG == "zh" and message in ZH:
        return _Template(ZH[message])
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    """click's message for a count, in the language of the command line."""
    return gettext(singular if n == 1 else plural)


def install() -> None:
    """Point click's message lookups here (every click module that has one)."""
    import importlib

    for name in ("core", "exceptions", "parser", "types", "formatting", "decorators", "shell_completion",
                 "termui", "utils"):
        module = importlib.import_module(f"click.{name}")
        if hasattr(module, "_"):
            module._ = gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext  # type: ignore[attr-defined]


def language_of(args: Sequence[str]) -> str:
    """The language a command line asks for: the last `--lang X` or `--lang=X` before `--`; zh by default."""
    lang = "zh"
    for i, arg in enumerate(args):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(args):
            lang = args[i + 1]
        elif arg.startswith("--lang="):
            lang = arg.partition("=")[2]
    return "en" if lang == "en" else "zh"


def set_language(lang: str) -> None:
    """The language click's messages are given in from now on."""
    global _LANG
    _LANG = lang


def language() -> str:
    """The language of click's messages."""
    return _LANG


def missing_message(e: click.MissingParameter) -> str | None:
    """A missing option or argument named as the help shows it (an option's shown names, an argument's
    metavar); None when click's own message is good (English)."""
    if _LANG != "zh" or e.param is None:
        return None
    ctx = e.ctx
    if isinstance(e.param, click.Option):
        text = f"缺少选项 {e.param.get_error_hint(ctx).replace(chr(39), '')}"
    elif isinstance(e.param, click.Argument):
        text = f"缺少参数 {e.param.make_metavar(ctx) if ctx is not None else e.param.human_readable_name}"
    else:
        return None
    extra = e.param.type.get_missing_message(param=e.param, ctx=ctx)
    return f"{text}（{extra}）" if extra else text


class Formatter(click.HelpFormatter):
    """The usage line headed 用法： (no space after the full-width colon) or Usage:."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        if prefix is None:
            prefix = gettext("Usage:") + ("" if _LANG == "zh" else " ")
        super().write_usage(prog, args, prefix)


class Context(click.Context):
    """A context whose help and usage lines come from Formatter."""

    formatter_class = Formatter


class Command(click.Command):
    """A command whose help and usage lines come from Formatter."""

    context_class = Context


def _hidden(ctx: click.Context | None) -> set[str]:
    """The spellings an option accepts without showing them (see cli.Aliased)."""
    if ctx is None:
        return set()
    return {a for p in ctx.command.params for a in getattr(p, "aliases", ())}


def show(e: click.ClickException) -> None:
    """A usage error as click shows it (usage line, help hint, the message), in the command line's language."""
    if isinstance(e, click.MissingParameter):
        missing = missing_message(e)
        if missing is not None:
            e.format_message = lambda: missing  # type: ignore[method-assign]
    if isinstance(e, click.NoSuchOption) and e.possibilities:
        hidden = _hidden(e.ctx)
        e.possibilities = [p for p in e.possibilities if p not in hidden]  # type: ignore[misc]
    e.show(file=sys.stderr)
