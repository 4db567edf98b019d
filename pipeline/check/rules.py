"""Checks: JSON Schema for what it can say, then field rules from each field's spec, then registered rules.

Each check yields Problems and never sees what the others found; run_rules stamps them into Findings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pipeline.calls import RULE_PARAMS, Call, FieldSpec, Rule, derive_schema
from pipeline.check.codes import field_label, format_hint
from pipeline.check.dispatch import Problem, Registry, problem, stamp
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
from pipeline.model import SEVERITIES, Application, Finding, Severity
from pipeline.text import nfkc_no_spaces, one_line


@dataclass(frozen=True)
class Form:
    """What a rule reads: the application's values and the call (never the findings so far)."""

    app: Application
    call: Call

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
RuleFn = Callable[[Form, dict[str, Any]], Iterable[Problem]]
RULES: Registry[RuleFn] = Registry()


def rule(name: str) -> Callable[[RuleFn], RuleFn]:
    """Register a rule function under the name call.yaml uses; its parameters are the call's (RULE_PARAMS)."""
    return RULES.rule(name, RULE_PARAMS[name])


def validate_rules(call: Call) -> None:
    """Every rule named in call.yaml exists (called when the call is loaded)."""
    for i, r in enumerate(call.rules):
        if r.name not in RULES:
            known = "、".join(sorted(RULES.names()))
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


def schema_problems(form: Form) -> Iterator[Problem]:
    """Map JSON Schema errors to problems: required, enum, pattern, minItems, maxItems (codes seen after NFKC)."""
    specs = form.call.field_specs()
    for err in _validator(form.call).iter_errors(compared_values(form.app.values, form.call)):
        where = _path(err.absolute_path)
        v = err.validator
        if v == "required":
            for name in err.validator_value:
                if isinstance(err.instance, dict) and name not in err.instance:
                    path = f"{where}.{name}" if where else name
                    if path not in form.app.unsplit:
                        yield problem("field.required", path)
        elif v == "enum":
            yield problem("field.enum", where, actual=err.instance, choices="、".join(err.validator_value))
        elif v == "pattern":
            spec = specs.get(where)
            fmt = spec.format if spec else _column_format(form.call, where)
            yield problem("field.pattern", where, actual=form.value(where), format_zh=format_hint(fmt, "zh"),
                          format_en=format_hint(fmt, "en"))
        elif v == "minItems":
            yield problem("field.too_few", where, expected=err.validator_value, actual=len(err.instance))
        elif v == "maxItems":
            yield problem("field.too_many", where, expected=err.validator_value, actual=len(err.instance))


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

def value_problems(form: Form, path: str, spec: FieldSpec, value: Any) -> Iterator[Problem]:
    """The rules a field's spec names: length, one line, check digit, date, number."""
    if not isinstance(value, str) or not value:
        return
    if spec.max_chars is not None and char_count(value) > spec.max_chars:
        yield problem("field.too_long", path, expected=spec.max_chars, actual=char_count(value))
    if spec.warn_min_chars is not None and char_count(value) < spec.warn_min_chars:
        yield problem("field.too_short", path, expected=spec.warn_min_chars, actual=char_count(value))
    if spec.one_line and "\n" in value.strip():
        yield problem("field.pattern", path, actual=value.replace("\n", " "),
                      format_zh=format_hint("one_line", "zh"), format_en=format_hint("one_line", "en"))
    if spec.checksum == "credit_code":
        code = compared(value)
        if len(code) == 18 and all(c in CREDIT_CHARS for c in code):
            want = credit_check_char(code[:17])
            if code[17] != want:
                # a code already reported as malformed (by the schema's pattern or above) has no check digit to speak of
                yield problem("field.checksum", path, unless=("field.pattern",), expected=want, actual=value.strip())
    if spec.type in ("date", "month") and parse_date(value) is None:
        month = spec.type == "month" or any(path in s.parts for s in form.call.field_specs().values())
        example = "2019年3月" if month else "2021年6月30日"
        yield problem("field.date_invalid", path, actual=value, example=example,
                      example_en=f"{example} or {'2019-03' if month else '2021-06-30'}")
    if spec.type == "number" and parse_amount(value) is None:
        yield problem("field.number", path, actual=value)


def field_problems(form: Form) -> Iterator[Problem]:
    """value_problems over every scalar field and every table cell."""
    values = form.app.values
    for fid, spec in form.call.field_specs().items():
        yield from value_problems(form, fid, spec, values.get(fid))
    for s in form.call.table_sections():
        assert s.field is not None
        for i, row in enumerate(values.get(s.field) or []):
            for col in s.columns:
                yield from value_problems(form, f"{s.field}[{i}].{col.id}", col, row.get(col.id))
        if s.total_field:
            total = values.get(s.total_field) or {}
            for col in s.columns:
                yield from value_problems(form, f"{s.total_field}.{col.id}", col, total.get(col.id))


# --- registered rules ---------------------------------------------------------------------------------

@rule("date_order")
def date_order(form: Form, p: dict[str, Any]) -> Iterator[Problem]:
    """The end is not before the start."""
    start, end = form.date(p["start"]), form.date(p["end"])
    if start and end and end.last < start.first:
        yield problem("field.date_order", p["end"], expected=str(start), actual=str(end),
                      other=_label(form, p["start"]), other_en=_label(form, p["start"], "en"))


def _label(form: Form, path: str, lang: str = "zh") -> str:
    return field_label(path, form.call, lang)


def _range_label(form: Form, start: str, lang: str = "zh") -> str:
    """The label of the date range a start date belongs to (项目起止时间), else the start's own label."""
    spec = next((s for s in form.call.field_specs().values() if start in s.parts), None)
    if spec is None:
        return _label(form, start, lang)
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
def date_window(form: Form, p: dict[str, Any]) -> Iterator[Problem]:
    """A date within [min, max] (either bound optional)."""
    lo, hi = p.get("min"), p.get("max")
    zh, en = _window_text(lo, hi)
    for path, raw in form.expand(p["field"]):
        d = parse_date(raw) if isinstance(raw, str) else None
        if d is None:
            continue
        if (hi and d.first > hi) or (lo and d.last < lo):
            yield problem("field.date_window", path, expected=[str(lo) if lo else None, str(hi) if hi else None],
                          actual=str(d), window_zh=zh, window_en=en)


@rule("min_duration")
def min_duration(form: Form, p: dict[str, Any]) -> Iterator[Problem]:
    """The span from start to end, both days included, is at least some months (2019年3月至8月 is six)."""
    start, end = form.date(p["start"]), form.date(p["end"])
    if start and end and end.last >= start.first and add_months(start.first, p["months"]) > end.last + ONE_DAY:
        yield problem("field.duration", p["end"], expected=p["months"], actual=f"{start}至{end}",
                      label=_range_label(form, p["start"]), label_en=_range_label(form, p["start"], "en"))


@rule("age")
def age(form: Form, p: dict[str, Any]) -> Iterator[Problem]:
    """Age on a day within [min, max] (a birth month counts from its first day)."""
    on = p["on_date"]
    for path, raw in form.expand(p["field"]):
        d = parse_date(raw) if isinstance(raw, str) else None
        if d is None:
            continue
        born = d.first
        years = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
        if not p["min"] <= years <= p["max"]:
            yield problem("field.date_window", path, expected=[p["min"], p["max"]], actual=str(d),
                          window_zh=f"：截至{date_zh(on)}年龄为{years}岁，应在{p['min']}至{p['max']}岁之间",
                          window_en=f"gives an age of {years} on {on.isoformat()}, outside {p['min']} to {p['max']}")


@rule("equals")
def equals(form: Form, p: dict[str, Any]) -> Iterator[Problem]:
    """Two fields name the same thing (第一完成单位 = 申报单位)."""
    a, b = form.value(p["field"]), form.value(p["other"])
    if isinstance(a, str) and isinstance(b, str) and a and b and not same_name(a, b):
        yield problem("field.consistency", p["field"], expected=b, actual=a, other=_label(form, p["other"]),
                      other_en=_label(form, p["other"], "en"))


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
def unique(form: Form, p: dict[str, Any]) -> Iterator[Problem]:
    """No two rows of a list share the key columns."""
    seen: dict[tuple[str, ...], int] = {}
    cols = [_column(form.call, f"{p['list']}[0].{k}") for k in p["key"]]
    for i, row in enumerate(form.app.values.get(p["list"]) or []):
        key = tuple(_same(col, str(row.get(k, ""))) for k, col in zip(p["key"], cols, strict=True))
        if not all(key):
            continue
        if key in seen:
            typed = "，".join(_typed(col, str(row.get(k, ""))) for k, col in zip(p["key"], cols, strict=True))
            path = f"{p['list']}[{i}].{p['key'][0]}"
            # several key columns: the row is the duplicate, not its first column
            label: dict[str, Any] = {} if len(p["key"]) == 1 else {
                "label": _label(form, f"{p['list']}[{i}]"), "label_en": _label(form, f"{p['list']}[{i}]", "en")}
            yield problem("field.duplicate", path, expected=seen[key] + 1, actual=typed, **label)
        else:
            seen[key] = i


@rule("cross_ref")
def cross_ref(form: Form, p: dict[str, Any]) -> Iterator[Problem]:
    """A value names a row of another list (a person's unit is a completing unit)."""
    names = [str(r.get(p["key"], "")) for r in form.app.values.get(p["list"]) or []]
    for path, value in form.expand(p["field"]):
        if isinstance(value, str) and value and not any(same_name(value, n) for n in names if n):
            yield problem("field.cross_ref", path, actual=value)


def _amount(form: Form, path: str) -> float | None:
    raw = form.value(path)
    return parse_amount(raw) if isinstance(raw, str) else 0.0


@rule("sum")
def sum_rule(form: Form, p: dict[str, Any]) -> Iterator[Problem]:
    """Each column of the total row equals the sum of the rows (blank cells are 0)."""
    rows = form.app.values.get(p["rows"]) or []
    for col in p["columns"]:
        parts = [parse_amount(str(r.get(col, ""))) for r in rows]
        total = _amount(form, f"{p['total']}.{col}")
        if total is None or any(x is None for x in parts):
            continue
        s = round(sum(x for x in parts if x is not None), 6)
        if abs(s - total) > p.get("tolerance", 0.01):
            typed = str(form.value(f"{p['total']}.{col}") or "").strip()
            yield problem("field.sum_mismatch", f"{p['total']}.{col}", expected=number_shown(s),
                          actual=typed or "0")


def _any_positive(form: Form, paths: list[str]) -> bool:
    for path in paths:
        v = _amount(form, path)
        if v:
            return True
        key, _, col = path.rpartition(".")
        for s in form.call.table_sections():
            rows = form.app.values.get(s.field or "") or []
            if s.total_field == key and any((parse_amount(str(r.get(col, ""))) or 0) > 0 for r in rows):
                return True
    return False


@rule("required_if_positive")
def required_if_positive(form: Form, p: dict[str, Any]) -> Iterator[Problem]:
    """A field is required when any of some amounts is above 0."""
    if not form.value(p["field"]) and _any_positive(form, p["any_of"]):
        yield problem("field.required", p["field"])


@rule("required_if_given")
def required_if_given(form: Form, p: dict[str, Any]) -> Iterator[Problem]:
    """A field is required when another is filled in."""
    if form.value(p["given"]) and not form.value(p["field"]):
        yield problem("field.required", p["field"])


@rule("keywords")
def keywords(form: Form, p: dict[str, Any]) -> Iterator[Problem]:
    """A text names at least one of the listed words (case-insensitive)."""
    text = form.value(p["field"])
    if not isinstance(text, str) or not text:
        return
    low = text.lower()
    if not any(w.lower() in low for w in form.call.enum_values(p["list"])):
        yield problem("content.keywords_missing", p["field"])


def _attachment(form: Form, field: str, zh: str, en: str) -> Iterator[Problem]:
    if form.value(field) is not True:
        yield problem("attachment.missing", field, reason_zh=zh, reason_en=en)


@rule("ticked")
def ticked(form: Form, p: dict[str, Any]) -> Iterator[Problem]:
    """A checklist item must be ticked."""
    yield from _attachment(form, p["field"], "该附件必须提供", "this attachment is required")


@rule("ticked_if_positive")
def ticked_if_positive(form: Form, p: dict[str, Any]) -> Iterator[Problem]:
    """A checklist item must be ticked when any of some amounts is above 0."""
    if _any_positive(form, p["any_of"]):
        yield from _attachment(form, p["field"], "填报了经济效益，须提供效益证明",
                               "benefits are reported, so proof is required")


@rule("ticked_if_rows")
def ticked_if_rows(form: Form, p: dict[str, Any]) -> Iterator[Problem]:
    """A checklist item must be ticked when a list has rows."""
    if form.app.values.get(p["list"]):
        yield from _attachment(form, p["field"], "填报了知识产权及标准，须提供证明",
                               "IP or standards are listed, so proof is required")


def _severity(name: str | None) -> Severity | None:
    """A rule's `severity:` from call.yaml (checked at load) as a Severity."""
    return next((s for s in SEVERITIES if s == name), None)


def run_rules(app: Application, call: Call) -> list[Finding]:
    """Every check of the call on an application: the schema, each field's spec, then the call's rules in their
    order, each rule's problems stamped with its severity and the field's location."""
    form = Form(app, call)
    runs: list[tuple[Iterable[Problem], Severity | None]] = [(schema_problems(form), None),
                                                              (field_problems(form), None)]
    runs += [(RULES[r.name].fn(form, r.params), _severity(r.severity)) for r in call.rules]
    findings: list[Finding] = []
    found: set[tuple[str, str | None]] = set()
    for problems, severity in runs:
        for p in problems:
            # one finding per code and field, whichever check saw it first
            if (p.code, p.field) in found or any((code, p.field) in found for code in p.unless):
                continue
            if p.code == "field.required" and p.field in app.scanned:
                continue  # signed and dated on a scanned page (call-2021.md §2.9)
            findings.append(stamp(p, call, app.location_of(p.field) if p.field else None, severity))
            found.add((p.code, p.field))
    return findings


__all__ = ["RULES", "Form", "Problem", "Rule", "rule", "run_rules", "validate_rules"]
