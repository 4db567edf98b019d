"""The JSON Schema (2020-12) of an application's extracted values, derived from the call."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pipeline.calls.model import Call, FieldSpec, Section, strip_numeral


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
