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


# --- every key of the real call.yaml, mutated once each (issue 11, point 5) -----------------------------------

FREE_NAMES = ("lists", "formats")  # keys under these are the staff's own names: any name is allowed


def _keys(node: Any, path: str = "") -> list[tuple[list[Any], str, Any]]:
    """(location in the data, key path as messages name it, value) of every mapping key, depth first."""
    out: list[tuple[list[Any], str, Any]] = []
    if isinstance(node, dict):
        for k, v in node.items():
            p = f"{path}.{k}" if path else str(k)
            out.append(([k], p, v))
            out += [([k, *loc], sub, val) for loc, sub, val in _keys(v, p)]
    elif isinstance(node, list):
        for i, v in enumerate(node):
            if isinstance(v, dict):
                out += [([i, *loc], sub, val) for loc, sub, val in _keys(v, f"{path}[{i}]")]
    return out


def _named(path: str) -> str:
    """How a message names a key path: top-level keys as call.KEY, deeper ones by their path."""
    return path if "." in path or "[" in path else f"call.{path}"


def _mutations() -> list[tuple[str, list[Any], Any, str]]:
    """(kind, location, new value or misspelt key, the key path the message must name) for every key."""
    import datetime as dt

    out: list[tuple[str, list[Any], Any, str]] = []
    for loc, path, value in _keys(raw()):
        # wrong type: a mapping where a text, number, date or list belongs; a list where a mapping belongs
        out.append(("type", loc, [1, 2] if isinstance(value, dict) else {"bad": 1}, _named(path)))
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            out.append(("range", loc, -1, _named(path)))  # every number of the call is a count, limit or score
        if isinstance(value, dt.date):
            out.append(("range", loc, "2021-13-31", _named(path)))
        if path.startswith("formats."):
            out.append(("range", loc, "(unclosed", _named(path)))
        parent = path.rpartition(".")[0] if loc and isinstance(loc[-1], str) else ""
        if parent not in FREE_NAMES:
            typo = f"{loc[-1]}x"
            out.append(("misspelt", loc, typo, _named(f"{parent}.{typo}" if parent else typo)))
    return out


MUTATIONS = _mutations()


def test_the_mutations_cover_every_block() -> None:
    paths = {m[3] for m in MUTATIONS}
    for key in ("call.id", "window.end", "file.max_bytes", "batch.registration_digits", "review.trim_from",
                "review.criteria[6].max", "review.levels[2].max_share", "documents.letters_date",
                "certificates.person_text", "sections[1].rows.min", "rules[4].on_date", "notice.date",
                "schedule.award", "review.trim_fromx", "rules[0].startx", "organiser.namex"):
        assert key in paths, key
    assert len(MUTATIONS) > 500


@pytest.mark.parametrize("kind, loc, new, key", MUTATIONS, ids=[f"{m[0]}:{m[3]}" for m in MUTATIONS])
def test_every_key_mutated_gives_a_clean_message(kind: str, loc: list[Any], new: Any, key: str) -> None:
    d = raw()
    node = d
    for k in loc[:-1]:
        node = node[k]
    if kind == "misspelt":
        node[new] = node[loc[-1]]
    else:
        node[loc[-1]] = new
    with pytest.raises(CallError) as e:
        parse_call(d, ROOT)
    assert key in e.value.message_zh and key in e.value.message_en
    assert "\n" not in e.value.message_zh and "\n" not in e.value.message_en


@pytest.mark.parametrize("text, key", [
    ("  end: 2021-07-31\n", "  end: 2021-13-31\n"),                       # a date YAML cannot make
    ("  registration_digits: 4\n", "  registration_digits: -1\n"),
    ("  trim_from: 5 ", "  trim_fromm: 5 "),                               # a misspelt key inside review:
    ("  similar_summary: 0.9\n", "  similar_summary: .inf\n"),
    ("  letters_date: 2021-08-06 ", "  letters_date: 2021-02-30 "),
    ("  credit_code: '^[0-9A-HJ-NPQRTUWXY]{18}$'\n", "  credit_code: '^[0-9A-HJ-NPQRTUWXY{18}$'\n"),
])
def test_load_call_names_the_key_for_yaml_text(tmp_path: Path, text: str, key: str) -> None:
    from pipeline.calls import load_call

    folder = _mutated_folder(tmp_path, text, key)
    with pytest.raises(CallError) as e:
        load_call(folder)
    path = {"end": "window.end", "registration_digits": "batch.registration_digits",
            "trim_fromm": "review.trim_fromm", "similar_summary": "batch.similar_summary",
            "letters_date": "documents.letters_date", "credit_code": "formats.credit_code"}
    name = key.split(":")[0].strip()
    assert path[name] in e.value.message_zh and path[name] in e.value.message_en


def _mutated_folder(tmp_path: Path, old: str, new: str) -> Path:
    import shutil

    folder = tmp_path / "saq-2021-bad"
    shutil.copytree(ROOT / "schemas" / "saq-2021", folder)
    text = (folder / "call.yaml").read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    (folder / "call.yaml").write_text(text.replace(old, new), encoding="utf-8")
    return folder


@pytest.mark.parametrize("lang, words", [("zh", "call.yaml 中 window.end 不是有效日期"),
                                         ("en", "call.yaml: window.end is not a date")])
def test_cli_bad_call_is_one_line_exit_3(tmp_path: Path, lang: str, words: str) -> None:
    import subprocess
    import sys

    folder = _mutated_folder(tmp_path, "  end: 2021-07-31\n", "  end: 2021-13-31\n")
    out = tmp_path / "x.docx"
    p = subprocess.run([sys.executable, "-m", "pipeline", "--call", str(folder), "--lang", lang, "form",
                        "-o", str(out)], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert p.returncode == 3 and p.stdout == ""
    assert words in p.stderr and len(p.stderr.strip().splitlines()) == 1 and "Traceback" not in p.stderr
    assert not out.exists()


@pytest.mark.parametrize("key, value", [("letter_prefix", "HZX-"), ("letter_prefix", ""), ("resubmit_days", 0),
                                        ("resubmit_days", 1000), ("contact", ["秘书处"])])
def test_the_letter_settings_are_validated(key: str, value: Any) -> None:
    d = raw()
    d["documents"][key] = value
    with pytest.raises(CallError) as e:
        parse_call(d, ROOT)
    assert f"documents.{key}" in e.value.message_zh and f"documents.{key}" in e.value.message_en


def test_the_letter_settings_are_read() -> None:
    call = parse_call(raw(), ROOT)
    assert call.documents.letter_prefix == "沪质协审函" and call.documents.resubmit_days == 10
