"""Checks: JSON Schema for what it can say, then field rules from each field's spec, then registered rules."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pipeline.calls import Call, FieldSpec, Rule, derive_schema
from pipeline.check.codes import field_label, format_hint, make
from pipeline.check.values import (
    CREDIT_CHARS,
    PartialDate,
    add_months,
    char_count,
    compared,
    credit_check_char,
    date_zh,
    number_shown,
    parse_amount,
    parse_date,
    same_name,
)
from pipeline.errors import CallError
from pipeline.fieldpath import expand, split_path, value_at
from pipeline.model import Application, Finding, Severity
from pipeline.text import nfkc_no_spaces, one_line


@dataclass
class Context:
    """What a rule sees: the application, the call, and the findings so far."""

    app: Application
    call: Call
    findings: list[Finding]
    severity: Severity | None = None

    def add(self, code: str, field: str | None, **kw: Any) -> None:
        """Record a finding at the field's location (a rule's configured severity wins)."""
        if any(f.code == code and f.field == field for f in self.findings):
            return
        if code == "field.required" and field in self.app.scanned:
            return  # signed and dated on a scanned page (call-2021.md §2.9)
        loc = self.app.location_of(field) if field else None
        if self.severity is not None:
            kw.setdefault("severity", self.severity)
        self.findings.append(make(code, self.call, field=field, location=loc, **kw))

    def has(self, field: str, *codes: str) -> bool:
        """Whether a finding of these codes (any, if none named) was already made on this field."""
        return any(f.field == field and (not codes or f.code in codes) for f in self.findings)

    def value(self, path: str) -> Any:
        """The value at a path: project.name, units[0].name, benefits.total.sales."""
        return value_at(self.app.values, path)

    def expand(self, pattern: str) -> Iterator[tuple[str, Any]]:
        """persons[].birth -> (persons[0].birth, value), (persons[1].birth, value), …"""
        yield from expand(self.app.values, pattern)

    def date(self, path: str) -> PartialDate | None:
        """A field's date, None when empty or already reported invalid."""
        raw = self.value(path)
        return parse_date(raw) if isinstance(raw, str) else None


ONE_DAY = dt.timedelta(days=1)
RuleFn = Callable[[Context, dict[str, Any]], None]
RULES: dict[str, RuleFn] = {}


def rule(name: str) -> Callable[[RuleFn], RuleFn]:
    """Register a rule function under the name call.yaml uses."""

    def deco(fn: RuleFn) -> RuleFn:
        RULES[name] = fn
        return fn

    return deco


def validate_rules(call: Call) -> None:
    """Every rule named in call.yaml exists (called when the call is loaded)."""
    for i, r in enumerate(call.rules):
        if r.name not in RULES:
            known = "、".join(sorted(RULES))
            raise CallError(f"call.yaml 中 rules[{i}].rule 引用了不存在的规则 {r.name}（可用：{known}）",
                            f"call.yaml: rules[{i}].rule names an unknown rule {r.name}")


# --- JSON Schema --------------------------------------------------------------------------------------

@lru_cache(maxsize=8)
def _validator(call: Call) -> Any:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(derive_schema(call))


def _path(parts: Any) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def _is_code(spec: FieldSpec, call: Call) -> bool:
    """Whether a field holds a code, number or date, compared after NFKC (call-2021.md §2): not the ascii rule."""
    if spec.format is not None:
        return spec.format not in call.raw_formats
    return spec.checksum is not None or spec.type in ("date", "month", "number")


def compared_values(values: dict[str, Any], call: Call) -> dict[str, Any]:
    """A copy of the values in which codes, numbers and dates are NFKC'd (１３９… reads 139…); the rest as typed."""
    out = dict(values)
    for fid, spec in call.field_specs().items():
        if isinstance(out.get(fid), str) and _is_code(spec, call):
            out[fid] = compared(out[fid])
    for s in call.table_sections():
        codes = [c.id for c in s.columns if _is_code(c, call)]
        if not codes:
            continue
        assert s.field is not None
        if isinstance(out.get(s.field), list):
            out[s.field] = [_compared_row(row, codes) for row in out[s.field]]
        if s.total_field and isinstance(out.get(s.total_field), dict):
            out[s.total_field] = _compared_row(out[s.total_field], codes)
    return out


def _compared_row(row: Any, codes: list[str]) -> Any:
    if not isinstance(row, dict):
        return row
    return {k: compared(v) if k in codes and isinstance(v, str) else v for k, v in row.items()}


def schema_findings(ctx: Context) -> None:
    """Map JSON Schema errors to findings: required, enum, pattern, minItems, maxItems (codes seen after NFKC)."""
    specs = ctx.call.field_specs()
    for err in _validator(ctx.call).iter_errors(compared_values(ctx.app.values, ctx.call)):
        where = _path(err.absolute_path)
        v = err.validator
        if v == "required":
            for name in err.validator_value:
                if isinstance(err.instance, dict) and name not in err.instance:
                    path = f"{where}.{name}" if where else name
                    if path not in ctx.app.unsplit:
                        ctx.add("field.required", path)
        elif v == "enum":
            ctx.add("field.enum", where, actual=err.instance, choices="、".join(err.validator_value))
        elif v == "pattern":
            spec = specs.get(where)
            fmt = spec.format if spec else _column_format(ctx.call, where)
            ctx.add("field.pattern", where, actual=ctx.value(where), format_zh=format_hint(fmt, "zh"),
                    format_en=format_hint(fmt, "en"))
        elif v == "minItems":
            ctx.add("field.too_few", where, expected=err.validator_value, actual=len(err.instance))
        elif v == "maxItems":
            ctx.add("field.too_many", where, expected=err.validator_value, actual=len(err.instance))


def _column(call: Call, path: str) -> FieldSpec | None:
    parts = split_path(path)
    if parts is None or parts.sub is None:
        return None
    for s in call.table_sections():
        if parts.key in (s.field, s.total_field):
            return next((c for c in s.columns if c.id == parts.sub), None)
    return None


def _column_format(call: Call, path: str) -> str | None:
    col = _column(call, path)
    return col.format if col else None


# --- field rules, from each field's spec ------------------------------------------------------------

def check_value(ctx: Context, path: str, spec: FieldSpec, value: Any) -> None:
    """The rules a field's spec names: length, one line, check digit, date, number."""
    if not isinstance(value, str) or not value:
        return
    if spec.max_chars is not None and char_count(value) > spec.max_chars:
        ctx.add("field.too_long", path, expected=spec.max_chars, actual=char_count(value))
    if spec.warn_min_chars is not None and char_count(value) < spec.warn_min_chars:
        ctx.add("field.too_short", path, expected=spec.warn_min_chars, actual=char_count(value))
    if spec.one_line and "\n" in value.strip():
        ctx.add("field.pattern", path, actual=value.replace("\n", " "), format_zh=format_hint("one_line", "zh"),
                format_en=format_hint("one_line", "en"))
    if spec.checksum == "credit_code" and not ctx.has(path, "field.pattern"):
        code = compared(value)
        if len(code) == 18 and all(c in CREDIT_CHARS for c in code):
            want = credit_check_char(code[:17])
            if code[17] != want:
                ctx.add("field.checksum", path, expected=want, actual=value.strip())
    if spec.type in ("date", "month") and parse_date(value) is None:
        month = spec.type == "month" or any(path in s.parts for s in ctx.call.field_specs().values())
        example = "2019年3月" if month else "2021年6月30日"
        ctx.add("field.date_invalid", path, actual=value, example=example,
                example_en=f"{example} or {'2019-03' if month else '2021-06-30'}")
    if spec.type == "number" and parse_amount(value) is None:
        ctx.add("field.number", path, actual=value)


def field_findings(ctx: Context) -> None:
    """Run check_value over every scalar field and every table cell."""
    for fid, spec in ctx.call.field_specs().items():
        check_value(ctx, fid, spec, ctx.app.values.get(fid))
    for s in ctx.call.table_sections():
        assert s.field is not None
        for i, row in enumerate(ctx.app.values.get(s.field) or []):
            for col in s.columns:
                check_value(ctx, f"{s.field}[{i}].{col.id}", col, row.get(col.id))
        if s.total_field:
            total = ctx.app.values.get(s.total_field) or {}
            for col in s.columns:
                check_value(ctx, f"{s.total_field}.{col.id}", col, total.get(col.id))


# --- registered rules ---------------------------------------------------------------------------------

@rule("date_order")
def date_order(ctx: Context, p: dict[str, Any]) -> None:
    """The end is not before the start."""
    start, end = ctx.date(p["start"]), ctx.date(p["end"])
    if start and end and end.last < start.first:
        ctx.add("field.date_order", p["end"], expected=str(start), actual=str(end),
                other=_label(ctx, p["start"]), other_en=_label(ctx, p["start"], "en"))


def _label(ctx: Context, path: str, lang: str = "zh") -> str:
    return field_label(path, ctx.call, lang)


def _range_label(ctx: Context, start: str, lang: str = "zh") -> str:
    """The label of the date range a start date belongs to (项目起止时间), else the start's own label."""
    spec = next((s for s in ctx.call.field_specs().values() if start in s.parts), None)
    if spec is None:
        return _label(ctx, start, lang)
    return spec.label if lang == "zh" else f"{spec.label} ({spec.id})"


def _window_text(lo: dt.date | None, hi: dt.date | None) -> tuple[str, str]:
    """The allowed period in words: 应在2021年5月26日至2021年7月31日之间 (never an ISO date in Chinese)."""
    if lo and hi:
        return f"应在{date_zh(lo)}至{date_zh(hi)}之间", f"must be between {lo.isoformat()} and {hi.isoformat()}"
    if hi:
        return f"不应晚于{date_zh(hi)}", f"must be on or before {hi.isoformat()}"
    assert lo is not None
    return f"不应早于{date_zh(lo)}", f"must be on or after {lo.isoformat()}"


@rule("date_window")
def date_window(ctx: Context, p: dict[str, Any]) -> None:
    """A date within [min, max] (either bound optional)."""
    lo, hi = p.get("min"), p.get("max")
    zh, en = _window_text(lo, hi)
    for path, raw in ctx.expand(p["field"]):
        d = parse_date(raw) if isinstance(raw, str) else None
        if d is None:
            continue
        if (hi and d.first > hi) or (lo and d.last < lo):
            ctx.add("field.date_window", path, expected=[str(lo) if lo else None, str(hi) if hi else None],
                    actual=str(d), window_zh=zh, window_en=en)


@rule("min_duration")
def min_duration(ctx: Context, p: dict[str, Any]) -> None:
    """The span from start to end, both days included, is at least some months (2019年3月至8月 is six)."""
    start, end = ctx.date(p["start"]), ctx.date(p["end"])
    if start and end and end.last >= start.first and add_months(start.first, p["months"]) > end.last + ONE_DAY:
        ctx.add("field.duration", p["end"], expected=p["months"], actual=f"{start}至{end}",
                label=_range_label(ctx, p["start"]), label_en=_range_label(ctx, p["start"], "en"))


@rule("age")
def age(ctx: Context, p: dict[str, Any]) -> None:
    """Age on a day within [min, max] (a birth month counts from its first day)."""
    on = p["on_date"]
    for path, raw in ctx.expand(p["field"]):
        d = parse_date(raw) if isinstance(raw, str) else None
        if d is None:
            continue
        born = d.first
        years = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
        if not p["min"] <= years <= p["max"]:
            ctx.add("field.date_window", path, expected=[p["min"], p["max"]], actual=str(d),
                    window_zh=f"：截至{date_zh(on)}年龄为{years}岁，应在{p['min']}至{p['max']}岁之间",
                    window_en=f"gives an age of {years} on {on.isoformat()}, outside {p['min']} to {p['max']}")


@rule("equals")
def equals(ctx: Context, p: dict[str, Any]) -> None:
    """Two fields name the same thing (第一完成单位 = 申报单位)."""
    a, b = ctx.value(p["field"]), ctx.value(p["other"])
    if isinstance(a, str) and isinstance(b, str) and a and b and not same_name(a, b):
        ctx.add("field.consistency", p["field"], expected=b, actual=a, other=_label(ctx, p["other"]),
                other_en=_label(ctx, p["other"], "en"))


def _same(col: FieldSpec | None, text: str) -> str:
    """A value as compared for sameness: a date by what it means (1985年9月 = 1985.9 = 一九八五年九月), else NFKC
    without whitespace."""
    if col is not None and col.type in ("date", "month"):
        d = parse_date(text)
        if d is not None:
            return d.iso()
    return nfkc_no_spaces(text)


def _typed(col: FieldSpec | None, text: str) -> str:
    """A value as the applicant typed it (a date as a Chinese date), for a message."""
    if col is not None and col.type in ("date", "month"):
        d = parse_date(text)
        if d is not None:
            return str(d)
    return one_line(text)


@rule("unique")
def unique(ctx: Context, p: dict[str, Any]) -> None:
    """No two rows of a list share the key columns."""
    seen: dict[tuple[str, ...], int] = {}
    cols = [_column(ctx.call, f"{p['list']}[0].{k}") for k in p["key"]]
    for i, row in enumerate(ctx.app.values.get(p["list"]) or []):
        key = tuple(_same(col, str(row.get(k, ""))) for k, col in zip(p["key"], cols, strict=True))
        if not all(key):
            continue
        if key in seen:
            typed = "，".join(_typed(col, str(row.get(k, ""))) for k, col in zip(p["key"], cols, strict=True))
            path = f"{p['list']}[{i}].{p['key'][0]}"
            # several key columns: the row is the duplicate, not its first column
            label = {} if len(p["key"]) == 1 else {"label": _label(ctx, f"{p['list']}[{i}]"),
                                                  "label_en": _label(ctx, f"{p['list']}[{i}]", "en")}
            ctx.add("field.duplicate", path, expected=seen[key] + 1, actual=typed, **label)
        else:
            seen[key] = i


@rule("cross_ref")
def cross_ref(ctx: Context, p: dict[str, Any]) -> None:
    """A value names a row of another list (a person's unit is a completing unit)."""
    names = [str(r.get(p["key"], "")) for r in ctx.app.values.get(p["list"]) or []]
    for path, value in ctx.expand(p["field"]):
        if isinstance(value, str) and value and not any(same_name(value, n) for n in names if n):
            ctx.add("field.cross_ref", path, actual=value)


def _amount(ctx: Context, path: str) -> float | None:
    raw = ctx.value(path)
    return parse_amount(raw) if isinstance(raw, str) else 0.0


@rule("sum")
def sum_rule(ctx: Context, p: dict[str, Any]) -> None:
    """Each column of the total row equals the sum of the rows (blank cells are 0)."""
    rows = ctx.app.values.get(p["rows"]) or []
    for col in p["columns"]:
        parts = [parse_amount(str(r.get(col, ""))) for r in rows]
        total = _amount(ctx, f"{p['total']}.{col}")
        if total is None or any(x is None for x in parts):
            continue
        s = round(sum(x for x in parts if x is not None), 6)
        if abs(s - total) > p.get("tolerance", 0.01):
            typed = str(ctx.value(f"{p['total']}.{col}") or "").strip()
            ctx.add("field.sum_mismatch", f"{p['total']}.{col}", expected=number_shown(s), actual=typed or "0")


def _any_positive(ctx: Context, paths: list[str]) -> bool:
    for path in paths:
        v = _amount(ctx, path)
        if v:
            return True
        key, _, col = path.rpartition(".")
        for s in ctx.call.table_sections():
            rows = ctx.app.values.get(s.field or "") or []
            if s.total_field == key and any((parse_amount(str(r.get(col, ""))) or 0) > 0 for r in rows):
                return True
    return False


@rule("required_if_positive")
def required_if_positive(ctx: Context, p: dict[str, Any]) -> None:
    """A field is required when any of some amounts is above 0."""
    if not ctx.value(p["field"]) and _any_positive(ctx, p["any_of"]):
        ctx.add("field.required", p["field"])


@rule("required_if_given")
def required_if_given(ctx: Context, p: dict[str, Any]) -> None:
    """A field is required when another is filled in."""
    if ctx.value(p["given"]) and not ctx.value(p["field"]):
        ctx.add("field.required", p["field"])


@rule("keywords")
def keywords(ctx: Context, p: dict[str, Any]) -> None:
    """A text names at least one of the listed words (case-insensitive)."""
    text = ctx.value(p["field"])
    if not isinstance(text, str) or not text:
        return
    low = text.lower()
    if not any(w.lower() in low for w in ctx.call.enum_values(p["list"])):
        ctx.add("content.keywords_missing", p["field"])


def _attachment(ctx: Context, field: str, zh: str, en: str) -> None:
    if ctx.value(field) is not True:
        ctx.add("attachment.missing", field, reason_zh=zh, reason_en=en)


@rule("ticked")
def ticked(ctx: Context, p: dict[str, Any]) -> None:
    """A checklist item must be ticked."""
    _attachment(ctx, p["field"], "该附件必须提供", "this attachment is required")


@rule("ticked_if_positive")
def ticked_if_positive(ctx: Context, p: dict[str, Any]) -> None:
    """A checklist item must be ticked when any of some amounts is above 0."""
    if _any_positive(ctx, p["any_of"]):
        _attachment(ctx, p["field"], "填报了经济效益，须提供效益证明", "benefits are reported, so proof is required")


@rule("ticked_if_rows")
def ticked_if_rows(ctx: Context, p: dict[str, Any]) -> None:
    """A checklist item must be ticked when a list has rows."""
    if ctx.app.values.get(p["list"]):
        _attachment(ctx, p["field"], "填报了知识产权及标准，须提供证明",
                    "IP or standards are listed, so proof is required")


def run_rules(app: Application, call: Call) -> list[Finding]:
    """Every check of the call on an application, in form order."""
    ctx = Context(app=app, call=call, findings=[])
    schema_findings(ctx)
    field_findings(ctx)
    for r in call.rules:
        ctx.severity = r.severity  # type: ignore[assignment]
        RULES[r.name](ctx, r.params)
    ctx.severity = None
    return ctx.findings


__all__ = ["RULES", "Context", "Rule", "rule", "run_rules", "validate_rules"]
