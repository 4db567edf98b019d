"""A call folder as typed data: the call model (model.py), its loader (load.py) and the derived JSON Schema
(schema.py). Importers use the names re-exported here."""

from __future__ import annotations

from pipeline.calls.load import load_call, parse_call
from pipeline.calls.model import (
    CALL_STAMP,
    RULE_PARAMS,
    BatchSettings,
    Call,
    Certificates,
    Criterion,
    Documents,
    FieldSpec,
    FileLimits,
    Level,
    NoticeInfo,
    Organiser,
    Publication,
    Roles,
    Rubric,
    Rule,
    Schedule,
    Section,
    stamp_properties,
    stamped_call,
    strip_numeral,
)
from pipeline.calls.schema import derive_schema, schema_path, schema_text

__all__ = [
    "CALL_STAMP", "RULE_PARAMS", "BatchSettings", "Call", "Certificates", "Criterion", "Documents", "FieldSpec",
    "FileLimits", "Level", "NoticeInfo", "Organiser", "Publication", "Roles", "Rubric", "Rule", "Schedule", "Section",
    "derive_schema", "load_call", "parse_call", "schema_path", "schema_text",
    "stamp_properties", "stamped_call", "strip_numeral",
]
