"""Load a call folder into a typed Call, validated on load; derive the application's JSON Schema from it."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from pipeline.errors import CallError
from pipeline.resources import call_dir

FIELD_TYPES = ("text", "date", "month", "date_range", "number", "checkbox", "signature")
SECTION_KINDS = ("fields", "table", "text", "checklist")
CHECKSUMS = ("credit_code",)


class _Reader:
    """Reads one mapping of call.yaml, naming the key path in every error."""

    def __init__(self, data: Any, path: str) -> None:
        if not isinstance(data, dict):
            raise _bad(path, "应为映射（键: 值）", "must be a mapping (key: value)")
        self.data = data
        self.path = path
        self.used: set[str] = set()

    def get(self, key: str, kind: type | tuple[type, ...], default: Any = None, required: bool = False) -> Any:
        self.used.add(key)
        if key not in self.data or self.data[key] is None:
            if required:
                raise _bad(f"{self.path}.{key}", "缺少必填键", "is required")
            return default
        value = self.data[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or (isinstance(value, bool) and kind in (int, float)):
            names = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
            raise _bad(f"{self.path}.{key}", f"类型应为 {names}", f"must be of type {names}")
        return value

    def done(self) -> None:
        extra = sorted(set(self.data) - self.used)
        if extra:
            raise _bad(f"{self.path}.{extra[0]}", "未知的键", "is not a known key")


def _bad(path: str, zh: str, en: str) -> CallError:
    return CallError(f"call.yaml 中 {path} {zh}", f"call.yaml: {path} {en}")


def _date(value: Any, path: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise _bad(path, "不是有效日期（YYYY-MM-DD）", "is not a date (YYYY-MM-DD)") from None


@dataclass(frozen=True)
class FieldSpec:
    """One value of the form (a label|value field, a table column, a text section or a checklist item)."""

    id: str
    label: str
    type: str = "text"
    required: bool = False
    max_chars: int | None = None
    warn_min_chars: int | None = None
    one_line: bool = False
    enum: str | None = None
    format: str | None = None
    checksum: str | None = None
    widget: str | None = None
    hint: str | None = None
    note: str | None = None
    parts: tuple[str, ...] = ()
    box: bool = False
    lines: int = 1
    width: int | None = None
    auto: str | None = None
    keywords: str | None = None


@dataclass(frozen=True)
class Section:
    """One numbered section of the form."""

    id: str
    title: str
    kind: str
    fields: tuple[FieldSpec, ...] = ()
    columns: tuple[FieldSpec, ...] = ()
    items: tuple[FieldSpec, ...] = ()
    field: str | None = None
    rows_min: int = 0
    rows_max: int | None = None
    rows_blank: int = 3
    hint: str | None = None
    text: str | None = None
    seal: str | None = None
    years: tuple[int, ...] = ()
    year_column: str | None = None
    total_label: str | None = None
    total_field: str | None = None
    basis: FieldSpec | None = None
    spec: FieldSpec | None = None
    # the blank form starts this section on a new page (the page applicants sign, stamp and scan back in)
    new_page: bool = False
    # on a scanned page inside a text PDF the section counts as filled in (signed and dated), not as missing
    scanned_ok: bool = False

    @property
    def heading(self) -> str:
        """The title without its numeral (一、项目基本情况 -> 项目基本情况)."""
        return strip_numeral(self.title)


@dataclass(frozen=True)
class Rule:
    """A rule over several fields: a registered function's name, its parameters, and its severity."""

    name: str
    params: dict[str, Any]
    severity: str | None = None


@dataclass(frozen=True, eq=False)
class Call:
    """A call: its facts, form, rules and the data of later stages."""

    id: str
    form_version: str
    award: str
    year: int
    organiser: dict[str, str]
    notice: dict[str, Any]
    window_start: dt.date
    window_end: dt.date
    reference_date: dt.date
    form_title: str
    min_label_ratio: float
    file: dict[str, Any]
    lists: dict[str, tuple[str, ...]]
    formats: dict[str, str]
    sections: tuple[Section, ...]
    rules: tuple[Rule, ...]
    batch: dict[str, Any]
    review: dict[str, Any]
    certificates: dict[str, Any]
    documents: dict[str, Any]
    folder: Path
    raw: dict[str, Any] = field(repr=False, compare=False, default_factory=dict)
    # the cover page's labels (项目名称, 申报单位（盖章）, …): labels, never values, and never a section's fields
    cover: tuple[str, ...] = ()
    # formats checked on the characters as typed (ascii); every other format sees the value after NFKC
    raw_formats: frozenset[str] = frozenset()

    def section(self, section_id: str) -> Section:
        """The section with this id."""
        for s in self.sections:
            if s.id == section_id:
                return s
        raise KeyError(section_id)

    def field_specs(self) -> dict[str, FieldSpec]:
        """Every scalar field by id (label|value fields, text sections, checklist items, date parts, basis)."""
        return self._specs

    @cached_property
    def _specs(self) -> dict[str, FieldSpec]:
        out: dict[str, FieldSpec] = {}
        for s in self.sections:
            for f in (*s.fields, *s.items):
                out[f.id] = f
                for i, part in enumerate(f.parts):
                    suffix = ("（起）", "（止）")[min(i, 1)]
                    out[part] = FieldSpec(id=part, label=f.label + suffix, type="date", required=f.required)
            if s.spec is not None:
                out[s.spec.id] = s.spec
            if s.basis is not None:
                out[s.basis.id] = s.basis
        return out

    @cached_property
    def _field_positions(self) -> dict[str, tuple[int, int]]:
        out: dict[str, tuple[int, int]] = {}
        for n, s in enumerate(self.sections):
            ids = [i for f in (*s.fields, *s.items) for i in (f.id, *f.parts)]
            ids += [x for x in (s.field, s.total_field, s.basis.id if s.basis else None, s.spec.id if s.spec else None)
                    if x]
            for fid in ids:
                out.setdefault(fid, (n, len(out)))
        return out

    def field_position(self, path: str | None) -> tuple[int, int] | None:
        """(section index, form order) of a field path: persons[2].unit -> persons, benefits.total.sales ->
        benefits.total; None for no field or one the form does not have."""
        p = path or ""
        while p:
            if p in self._field_positions:
                return self._field_positions[p]
            cut = max(p.rfind("."), p.rfind("["))
            if cut <= 0:
                return None
            p = p[:cut]
        return None

    def table_sections(self) -> list[Section]:
        """Sections that are tables (units, persons, benefits, ip)."""
        return [s for s in self.sections if s.kind == "table"]

    def enum_values(self, name: str | None) -> tuple[str, ...]:
        """The allowed values of a named list."""
        return self.lists.get(name or "", ())


CALL_STAMP = "award-call="  # not ":", which LibreOffice's PDF export turns into a keyword separator


def stamp_properties(core: Any, call_id: str, form_version: str) -> None:
    """Name the call a form belongs to in its core properties: `identifier`, and a Keywords token that Word
    and LibreOffice also carry into the PDF's Info dictionary (a PDF has no `identifier`)."""
    core.identifier = call_id
    core.version = form_version
    core.keywords = f"{CALL_STAMP}{call_id}"


def stamped_call(properties: dict[str, str]) -> str | None:
    """The call a document names (its `identifier`, else the Keywords token), or None."""
    if properties.get("identifier"):
        return properties["identifier"]
    words = properties.get("keywords", "").replace(";", " ").replace(",", " ").split()
    marker = CALL_STAMP[:-1]
    for n, word in enumerate(words):
        if word.startswith(CALL_STAMP) and len(word) > len(CALL_STAMP):
            return word[len(CALL_STAMP):]
        if word.rstrip(":=") == marker and n + 1 < len(words):  # "award-call, saq-2021" after a split
            return words[n + 1]
    return None


_NUMERAL = re.compile(r"^\s*[一二三四五六七八九十]+\s*[、.．]\s*")


def strip_numeral(title: str) -> str:
    """Drop a leading Chinese numeral heading mark (十三、)."""
    return _NUMERAL.sub("", title)


def _field(data: Any, path: str, lists: dict[str, Any], formats: dict[str, str]) -> FieldSpec:
    r = _Reader(data, path)
    spec = FieldSpec(
        id=r.get("id", str, required=True),
        label=r.get("label", str, required=True),
        type=r.get("type", str, "text"),
        required=r.get("required", bool, False),
        max_chars=r.get("max_chars", int),
        warn_min_chars=r.get("warn_min_chars", int),
        one_line=r.get("one_line", bool, False),
        enum=r.get("enum", str),
        format=r.get("format", str),
        checksum=r.get("checksum", str),
        widget=r.get("widget", str),
        hint=r.get("hint", str),
        note=r.get("note", str),
        parts=tuple(r.get("parts", list, [])),
        box=r.get("box", bool, False),
        lines=r.get("lines", int, 1),
        width=r.get("width", int),
        auto=r.get("auto", str),
        keywords=r.get("keywords", str),
    )
    r.done()
    _check_field(spec, path, lists, formats)
    return spec


def _check_field(spec: FieldSpec, path: str, lists: dict[str, Any], formats: dict[str, str]) -> None:
    if spec.type not in FIELD_TYPES:
        raise _bad(f"{path}.type", f"应为 {'、'.join(FIELD_TYPES)} 之一", f"must be one of {', '.join(FIELD_TYPES)}")
    for key, name in (("enum", spec.enum), ("keywords", spec.keywords)):
        if name is not None and name not in lists:
            raise _bad(f"{path}.{key}", f"引用了不存在的列表 {name}", f"names an unknown list {name}")
    if spec.format is not None and spec.format not in formats:
        raise _bad(f"{path}.format", f"引用了不存在的格式 {spec.format}", f"names an unknown format {spec.format}")
    if spec.checksum is not None and spec.checksum not in CHECKSUMS:
        raise _bad(f"{path}.checksum", "未知的校验方法", "is not a known checksum")
    for key, n in (("max_chars", spec.max_chars), ("warn_min_chars", spec.warn_min_chars)):
        if n is not None and n <= 0:
            raise _bad(f"{path}.{key}", "应为正整数", "must be a positive integer")
    if spec.type == "date_range" and len(spec.parts) != 2:
        raise _bad(f"{path}.parts", "日期区间须有两个字段（起、止）", "a date range needs two parts (start, end)")


def _section(data: Any, path: str, lists: dict[str, Any], formats: dict[str, str]) -> Section:
    r = _Reader(data, path)
    sid = r.get("id", str, required=True)
    title = r.get("title", str, required=True)
    kind = r.get("kind", str, required=True)
    if kind not in SECTION_KINDS:
        raise _bad(f"{path}.kind", f"应为 {'、'.join(SECTION_KINDS)} 之一",
                   f"must be one of {', '.join(SECTION_KINDS)}")
    rows = _Reader(r.get("rows", dict, {}), f"{path}.rows")
    rows_min = rows.get("min", int, 0)
    rows_max = rows.get("max", int)
    rows_blank = rows.get("blank", int, 3)
    rows.done()
    fields = tuple(_field(f, f"{path}.fields[{i}]", lists, formats) for i, f in enumerate(r.get("fields", list, [])))
    columns = tuple(
        _field(f, f"{path}.columns[{i}]", lists, formats) for i, f in enumerate(r.get("columns", list, []))
    )
    items = tuple(_field({**f, "type": "checkbox"} if isinstance(f, dict) else f, f"{path}.items[{i}]", lists, formats)
                  for i, f in enumerate(r.get("items", list, [])))
    basis_data = r.get("basis", dict)
    basis = _field(basis_data, f"{path}.basis", lists, formats) if basis_data else None
    spec = None
    if kind == "text":
        spec = FieldSpec(
            id=r.get("field", str, required=True),
            label=strip_numeral(title),
            required=r.get("required", bool, False),
            max_chars=r.get("max_chars", int),
            warn_min_chars=r.get("warn_min_chars", int),
            keywords=r.get("keywords", str),
            hint=r.get("hint", str),
            lines=r.get("lines", int, 6),
        )
        _check_field(spec, path, lists, formats)
    section = Section(
        id=sid, title=title, kind=kind, fields=fields, columns=columns, items=items,
        field=r.get("field", str), rows_min=rows_min, rows_max=rows_max, rows_blank=rows_blank,
        hint=r.get("hint", str), text=r.get("text", str), seal=r.get("seal", str),
        years=tuple(r.get("years", list, [])), year_column=r.get("year_column", str),
        total_label=r.get("total_label", str), total_field=r.get("total_field", str), basis=basis, spec=spec,
        new_page=r.get("new_page", bool, False), scanned_ok=r.get("scanned_ok", bool, False),
    )
    r.done()
    if kind == "fields" and not fields:
        raise _bad(f"{path}.fields", "不能为空", "must not be empty")
    if kind == "table" and (not columns or not section.field):
        raise _bad(f"{path}.columns", "表格须有列和字段名（field）", "a table needs columns and a field")
    if kind == "checklist" and not items:
        raise _bad(f"{path}.items", "不能为空", "must not be empty")
    return section


def parse_call(data: Any, folder: Path) -> Call:
    """Validate the parsed call.yaml and build the Call; errors name the bad key."""
    r = _Reader(data, "call")
    lists_raw = r.get("lists", dict, {})
    lists: dict[str, tuple[str, ...]] = {}
    for name, values in lists_raw.items():
        if not isinstance(values, list) or not all(isinstance(v, (str, int)) for v in values):
            raise _bad(f"lists.{name}", "应为字符串列表", "must be a list of strings")
        lists[name] = tuple(str(v) for v in values)
    formats = r.get("formats", dict, {})
    for name, pattern in formats.items():
        try:
            re.compile(str(pattern))
        except re.error as e:
            raise _bad(f"formats.{name}", f"不是有效的正则表达式（{e}）",
                       f"is not a valid regular expression ({e})") from None
    raw_formats = r.get("raw_formats", list, [])
    for i, name in enumerate(raw_formats):
        if name not in formats:
            raise _bad(f"raw_formats[{i}]", f"引用了不存在的格式 {name}", f"names an unknown format {name}")
    sections_raw = r.get("sections", list, required=True)
    sections = tuple(_section(s, f"sections[{i}]", lists, formats) for i, s in enumerate(sections_raw))
    seen: set[str] = set()
    for s in sections:
        ids = [f.id for f in (*s.fields, *s.items)] + [p for f in s.fields for p in f.parts]
        ids += [x for x in (s.field, s.basis.id if s.basis else None) if x]
        for fid in ids:
            if fid in seen:
                raise _bad(f"sections[{s.id}]", f"字段 {fid} 重复定义", f"defines field {fid} twice")
            seen.add(fid)
    rules = []
    for i, rd in enumerate(r.get("rules", list, [])):
        if not isinstance(rd, dict) or not isinstance(rd.get("rule"), str):
            raise _bad(f"rules[{i}].rule", "缺少规则名", "is required")
        bad_keys = [k for k in rd if not isinstance(k, str)]
        if bad_keys:
            raise _bad(f"rules[{i}]",
                       f"的键 {bad_keys[0]!r} 不是文字（YAML 把 on/off/yes/no 读作真假值，请换一个键名）",
                       f"has a non-text key {bad_keys[0]!r} (YAML reads on/off/yes/no as booleans; rename it)")
        params = {k: v for k, v in rd.items() if k not in ("rule", "severity")}
        severity = rd.get("severity")
        if severity not in (None, "error", "warning", "info"):
            raise _bad(f"rules[{i}].severity", "应为 error、warning 或 info", "must be error, warning or info")
        rules.append(Rule(name=rd["rule"], params=params, severity=severity))
    window = _Reader(r.get("window", dict, required=True), "call.window")
    form = _Reader(r.get("form", dict, {}), "call.form")
    call = Call(
        id=r.get("id", str, required=True),
        form_version=str(r.get("form_version", (str, int, float), required=True)),
        award=r.get("award", str, required=True),
        year=r.get("year", int, required=True),
        organiser=r.get("organiser", dict, {}),
        notice=r.get("notice", dict, {}),
        window_start=_date(window.get("start", (str, dt.date), required=True), "window.start"),
        window_end=_date(window.get("end", (str, dt.date), required=True), "window.end"),
        reference_date=_date(r.get("reference_date", (str, dt.date), required=True), "reference_date"),
        form_title=form.get("title", str, required=True),
        min_label_ratio=form.get("min_label_ratio", float, 0.5),
        file=r.get("file", dict, {}),
        lists=lists,
        formats={k: str(v) for k, v in formats.items()},
        sections=sections,
        rules=tuple(rules),
        batch=r.get("batch", dict, {}),
        review=r.get("review", dict, {}),
        certificates=r.get("certificates", dict, {}),
        documents=r.get("documents", dict, {}),
        folder=folder,
        raw=data,
        cover=tuple(str(x) for x in form.get("cover", list, [])),
        raw_formats=frozenset(raw_formats),
    )
    form.done()
    r.get("award_short", str)
    r.get("schedule", dict)
    window.done()
    r.done()
    # Rule names are checked against the registry when the rules run (pipeline.check.rules.validate_rules).
    return call


def _yaml_load(text: str) -> Any:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(text, Loader=loader)


@lru_cache(maxsize=8)
def _load_cached(folder: str) -> Call:
    path = Path(folder) / "call.yaml"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CallError(f"找不到评审通知配置：{path}", f"No call configuration at {path}") from None
    except (OSError, UnicodeDecodeError) as e:
        raise CallError(f"无法读取 {path}：{e}", f"Cannot read {path}: {e}") from None
    import yaml

    try:
        data = _yaml_load(text)
    except yaml.YAMLError as e:
        raise CallError(f"call.yaml 不是有效的 YAML：{e}", f"call.yaml is not valid YAML: {e}") from None
    call = parse_call(data, Path(folder))
    from pipeline.check.rules import validate_rules

    validate_rules(call)
    return call


def document_setting(call: Call, key: str, kind: type) -> Any:
    """A setting of call.yaml `documents:` (numbers and dates of the documents the association issues), or None."""
    value = call.documents.get(key)
    if value is None:
        return None
    if kind is dt.date:
        return _date(value, f"documents.{key}")
    if not isinstance(value, kind):
        raise _bad(f"documents.{key}", f"类型应为 {kind.__name__}", f"should be {kind.__name__}")
    return value


def load_call(call: str | Path = "saq-2021") -> Call:
    """Load and validate a call folder (an id under schemas/ or a path)."""
    return _load_cached(str(call_dir(call).resolve()))


# --- the application's JSON Schema --------------------------------------------------------------------

def _value_schema(spec: FieldSpec, call: Call) -> dict[str, Any]:
    if spec.type == "checkbox":
        return {"type": "boolean", "title": spec.label}
    s: dict[str, Any] = {"type": "string", "title": spec.label}
    if spec.hint:
        s["description"] = spec.hint
    if spec.enum:
        s["enum"] = list(call.enum_values(spec.enum))
    if spec.format:
        s["pattern"] = call.formats[spec.format]
    return s


def _table_schema(section: Section, call: Call) -> dict[str, Any]:
    props = {c.id: _value_schema(c, call) for c in section.columns if c.auto is None}
    item: dict[str, Any] = {"type": "object", "properties": props, "additionalProperties": False}
    req = [c.id for c in section.columns if c.required and c.auto is None]
    if req:
        item["required"] = req
    arr: dict[str, Any] = {"type": "array", "title": strip_numeral(section.title), "items": item}
    if section.rows_min:
        arr["minItems"] = section.rows_min
    if section.rows_max is not None:
        arr["maxItems"] = section.rows_max
    return arr


def derive_schema(call: Call) -> dict[str, Any]:
    """The JSON Schema (2020-12) of an application's extracted values, derived from the call."""
    props: dict[str, Any] = {}
    required: list[str] = []
    specs = call.field_specs()
    for fid, spec in specs.items():
        if spec.type == "date_range":
            continue
        props[fid] = _value_schema(spec, call)
        if spec.required:
            required.append(fid)
    for s in call.table_sections():
        assert s.field is not None
        props[s.field] = _table_schema(s, call)
        if s.total_field:
            cols = {c.id: _value_schema(c, call) for c in s.columns if c.id != s.year_column}
            props[s.total_field] = {"type": "object", "title": s.total_label or "", "properties": cols,
                                    "additionalProperties": False}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://award-pipeline.example/schemas/{call.id}/application.schema.json",
        "title": call.form_title,
        "description": f"由 schemas/{call.id}/call.yaml 生成，请勿手工修改。 Derived from call.yaml; do not edit.",
        "type": "object",
        "properties": props,
        "required": sorted(required),
        "additionalProperties": False,
    }


def schema_text(call: Call) -> str:
    """The derived schema as the committed file's text."""
    return json.dumps(derive_schema(call), ensure_ascii=False, indent=2) + "\n"


def schema_path(call: Call) -> Path:
    """Where the derived schema is committed."""
    return call.folder / "application.schema.json"
