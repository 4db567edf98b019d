"""The rule registries: per-form rules match the call's vocabulary, batch rules are configured from `batch:`,
and rules yield problems that their runner stamps."""

from __future__ import annotations

import dataclasses
from dataclasses import replace
from typing import Any

from pipeline.calls import RULE_PARAMS, BatchSettings
from pipeline.check.batch import BATCH_RULES, Entry, batch_findings
from pipeline.check.codes import CODES
from pipeline.check.dispatch import Problem, Registry
from pipeline.check.rules import RULES, Form, run_rules
from pipeline.model import Application


def test_registered_rules_are_the_call_vocabulary() -> None:
    assert set(RULES.names()) == set(RULE_PARAMS)
    for r in RULES:
        assert r.params == RULE_PARAMS[r.name]


def test_batch_rules_take_keys_of_the_batch_block() -> None:
    keys = {f.name for f in dataclasses.fields(BatchSettings)}
    assert BATCH_RULES.names() == ["duplicate_file", "duplicate_project", "similar_summary", "unit_quota",
                                   "person_limit", "member_list"]
    for r in BATCH_RULES:
        assert set(r.params) <= keys, r.name
    assert {k for r in BATCH_RULES for k in r.params} == {"similar_summary", "max_per_applicant", "max_per_person"}


def test_a_name_is_registered_once() -> None:
    reg: Registry[Any] = Registry()
    reg.rule("x", {})(lambda form, p: ())
    try:
        reg.rule("x", {})(lambda form, p: ())
    except ValueError as e:
        assert "x" in str(e)
    else:
        raise AssertionError("registered twice")


def test_rules_yield_problems_and_see_no_findings(call: Any) -> None:
    values = {"project.start_date": "2021年3月", "project.end_date": "2020年1月"}
    form = Form(Application(values=values), call)
    params = next(r.params for r in call.rules if r.name == "date_order")
    found = list(RULES["date_order"].fn(form, params))
    assert [(p.code, p.field) for p in found] == [("field.date_order", "project.end_date")]
    assert all(isinstance(p, Problem) for p in found)
    assert not hasattr(form, "findings")


def test_the_runner_stamps_the_rule_severity(call: Any) -> None:
    values = {"project.start_date": "2021年3月", "project.end_date": "2021年4月"}

    def severity(severity: str | None) -> str:
        changed = replace(call, rules=tuple(replace(r, severity=severity) if r.name == "min_duration" else r
                                            for r in call.rules))
        return next(f.severity for f in run_rules(Application(values=values), changed) if f.code == "field.duration")

    assert severity("info") == "info"
    assert severity(None) == CODES["field.duration"].severity  # no override: the catalogue's


def _entry(i: int, fields: dict[str, Any]) -> Entry:
    return Entry(f"{i}.docx", f"2021-{i:04d}", f"sha{i}", fields)


def test_batch_rules_read_their_numbers_from_the_call(call: Any) -> None:
    entries = [_entry(i, {"applicant.credit_code": "91310000000000000X", "applicant.name": "某公司"})
               for i in range(1, 3)]
    assert batch_findings(entries, call) == {}
    strict = replace(call, batch=replace(call.batch, max_per_applicant=1))
    found = batch_findings(entries, strict)
    assert [(f.code, f.field, f.expected) for f in found["2021-0001"]] == [
        ("batch.unit_quota", "applicant.credit_code", 1)]


def test_batch_rules_read_fields_by_role(call: Any) -> None:
    entries = [_entry(i, {"title": "同一个项目", "project.name": f"项目{i}"}) for i in range(1, 3)]
    assert batch_findings(entries, call) == {}
    renamed = replace(call, roles=replace(call.roles, project_name="title"))
    found = batch_findings(entries, renamed)
    assert [(f.code, f.field) for f in found["2021-0002"]] == [("batch.duplicate_project", "title")]
