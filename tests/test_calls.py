"""Loading a call: validated on load, errors name the key; the derived schema is committed and current."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import ROOT

from pipeline.calls import derive_schema, parse_call, schema_text
from pipeline.check.rules import validate_rules
from pipeline.errors import CallError


def raw() -> Any:
    return yaml.safe_load((ROOT / "schemas" / "saq-2021" / "call.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("change, key", [
    (lambda d: d.pop("id"), "call.id"),
    (lambda d: d["sections"][0]["fields"][0].update(max_chars="30"), "sections[0].fields[0].max_chars"),
    (lambda d: d["sections"][0]["fields"][2].update(enum="colours"), "sections[0].fields[2].enum"),
    (lambda d: d["sections"][0]["fields"][6].update(format="nope"), "sections[0].fields[6].format"),
    (lambda d: d["sections"][1].update(kind="grid"), "sections[1].kind"),
    (lambda d: d["sections"][1]["columns"][1].update(colour="red"), "sections[1].columns[1].colour"),
    (lambda d: d["window"].update(end="2021-02-30"), "window.end"),
    (lambda d: d["formats"].update(bad="(unclosed"), "formats.bad"),
    (lambda d: d["rules"][0].pop("rule"), "rules[0].rule"),
    (lambda d: d.update(colour="red"), "call.colour"),
])
def test_bad_call_names_the_key(change: Any, key: str) -> None:
    d = raw()
    change(d)
    with pytest.raises(CallError) as e:
        parse_call(d, ROOT)
    assert key in str(e.value) and key in e.value.message_en


def test_unknown_rule_is_named() -> None:
    d = raw()
    d["rules"].append({"rule": "moon_phase", "field": "project.name"})
    with pytest.raises(CallError, match="moon_phase"):
        validate_rules(parse_call(d, ROOT))


def test_yaml_boolean_key_is_explained() -> None:
    d = raw()
    d["rules"].append({"rule": "age", True: "2021-05-26"})
    with pytest.raises(CallError, match="on/off/yes/no"):
        parse_call(d, ROOT)


def test_committed_schema_is_current(call: Any) -> None:
    assert (ROOT / "schemas" / "saq-2021" / "application.schema.json").read_text(encoding="utf-8") == schema_text(call)


def test_schema_is_valid_2020_12(call: Any) -> None:
    from jsonschema import Draft202012Validator

    Draft202012Validator.check_schema(derive_schema(call))
    assert derive_schema(call)["properties"]["units"]["maxItems"] == 5


def test_next_years_call_is_a_copy_of_the_folder(tmp_path: Path) -> None:
    import shutil

    from pipeline.calls import load_call

    folder = tmp_path / "saq-2022"
    shutil.copytree(ROOT / "schemas" / "saq-2021", folder)
    text = (folder / "call.yaml").read_text(encoding="utf-8").replace("id: saq-2021", "id: saq-2022")
    text = text.replace("max_chars: 30, one_line", "max_chars: 40, one_line")
    (folder / "call.yaml").write_text(text, encoding="utf-8")
    call = load_call(folder)
    assert call.id == "saq-2022" and call.field_specs()["project.name"].max_chars == 40
    assert json.loads(schema_text(call))["$id"].endswith("saq-2022/application.schema.json")
