"""The forms of the online-submission tests of the web platform (`award serve`): three member units, the forms
unit A uploads (one with errors and its corrected copy, three more projects for the limit of 3 per unit, one with
a warning, one carrying unit B's applicant block) and unit B's own form; expectations written by hand.

Run: python samples/make_platform.py   -> samples/platform/ (forms, members.csv, expected.json; committed)

Files (every project, summary and person its own; credit codes with valid check digits; member numbers 210801-3):
  members.csv                 units A (210801), B (210802), C (210803, no form: a member that has not applied yet)
  unit-a-有误.docx            unit A's form with two mistakes a person fixes: the contact phone lacks a digit
                              (field.pattern contact.phone) and the signatory is left empty (field.required
                              declaration.signatory)
  unit-a-修改后.docx          the same form with both fixed: no errors, no warnings (the re-upload)
  unit-a-项目2/3/4.docx       three more clean projects of unit A: with 修改后 four, one over the per-unit limit of 3
  unit-a-有警告.docx          a project of unit A without errors and one warning: a span of 4 months, under the 6
                              the call asks for (field.duration project.end_date), as samples/applications/period-short
  unit-a-他人会员号.docx      a clean form whose applicant block (name, credit code, member number) is unit B's:
                              what happens when unit A uploads unit B's form
  unit-b-申报书.docx          unit B's own clean form
  expected.json               each form's single-file findings [code, field] (award check), by hand from the changes

A round of 修改后, 项目2, 项目3, 有警告 and unit-b-申报书 has no findings across applications but the per-unit
limit (batch.unit_quota on unit A's four).
"""

from __future__ import annotations

import copy
import difflib
import json
import random
import shutil
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "samples"))

from make_round import varied_values  # noqa: E402
from make_samples import credit_code, fill_form  # noqa: E402

from pipeline.calls import load_call  # noqa: E402
from pipeline.fileio import docx_bytes, write_bytes, write_text  # noqa: E402

PLATFORM = ROOT / "samples" / "platform"

_CODES = random.Random(801)
UNIT_A = {"name": "上海申联精密仪器有限公司", "credit_code": credit_code(_CODES, "310115"), "member_no": "210801"}
UNIT_B = {"name": "上海沪润食品科技有限公司", "credit_code": credit_code(_CODES, "310112"), "member_no": "210802"}
UNIT_C = {"name": "上海江桥新能源材料有限公司", "credit_code": credit_code(_CODES, "310114"), "member_no": "210803"}

# file name -> (unit, the i of varied_values: its own product and goal, so its own project name)
FORMS: dict[str, tuple[dict[str, str], int]] = {
    "unit-a-有误.docx": (UNIT_A, 400),
    "unit-a-项目2.docx": (UNIT_A, 401),
    "unit-a-项目3.docx": (UNIT_A, 402),
    "unit-a-项目4.docx": (UNIT_A, 403),
    "unit-a-有警告.docx": (UNIT_A, 404),
    "unit-a-他人会员号.docx": (UNIT_B, 405),
    "unit-b-申报书.docx": (UNIT_B, 406),
}


def of_unit(v: dict[str, Any], unit: dict[str, str]) -> None:
    """The form made the unit's: its applicant block and first completing unit; persons of units no longer on the
    form (the replaced first unit) move to it."""
    v.update({"applicant.name": unit["name"], "applicant.credit_code": unit["credit_code"],
              "applicant.member_no": unit["member_no"]})
    v["units"][0] = {"name": unit["name"], "credit_code": unit["credit_code"]}
    names = {u["name"] for u in v["units"]}
    for p in v["persons"]:
        if p["unit"] not in names:
            p["unit"] = unit["name"]


def main() -> None:
    """Write the forms, the member list and the expectations."""
    call = load_call("saq-2021")
    shutil.rmtree(PLATFORM, ignore_errors=True)
    PLATFORM.mkdir(parents=True)
    values: dict[str, dict[str, Any]] = {}
    for name, (unit, i) in FORMS.items():
        v = varied_values(i, random.Random(210800 + i), call)
        of_unit(v, unit)
        values[name] = v

    values["unit-a-有警告.docx"]["project.period"] = "2020年5月至2020年9月"  # 4 months, the call asks for 6
    fixed = values["unit-a-有误.docx"]
    wrong = copy.deepcopy(fixed)
    wrong["contact.phone"] = fixed["contact.phone"][:-1]  # a mobile number of 10 digits
    wrong["declaration.signatory"] = ""
    values["unit-a-有误.docx"] = wrong
    values["unit-a-修改后.docx"] = fixed

    # What the expectations rely on: no two projects share a name, a summary or a person.
    projects = [v for k, v in values.items() if k != "unit-a-有误.docx"]
    assert len({v["project.name"] for v in projects}) == len(projects)
    people = [(p["name"], p["birth"]) for v in projects for p in v["persons"]]
    assert len(set(people)) == len(people)
    for k, a in enumerate(projects):
        for b in projects[k + 1:]:
            assert difflib.SequenceMatcher(None, a["summary"], b["summary"], autojunk=False).ratio() < 0.7

    for name, v in values.items():
        write_bytes(PLATFORM / name, docx_bytes(fill_form(call, copy.deepcopy(v))))
    members = ["会员编号,单位名称,统一社会信用代码"]
    members += [f"{u['member_no']},{u['name']},{u['credit_code']}" for u in (UNIT_A, UNIT_B, UNIT_C)]
    write_bytes(PLATFORM / "members.csv", ("\r\n".join(members) + "\r\n").encode("utf-8-sig"))

    # Each form's own findings, by hand from the changes above.
    expected: dict[str, list[tuple[str, str]]] = {
        "unit-a-有误.docx": [("field.pattern", "contact.phone"), ("field.required", "declaration.signatory")],
        "unit-a-修改后.docx": [],
        "unit-a-项目2.docx": [],
        "unit-a-项目3.docx": [],
        "unit-a-项目4.docx": [],
        "unit-a-有警告.docx": [("field.duration", "project.end_date")],
        "unit-a-他人会员号.docx": [],
        "unit-b-申报书.docx": [],
    }
    assert set(expected) == set(values)
    write_text(PLATFORM / "expected.json", json.dumps({k: [list(x) for x in v] for k, v in sorted(expected.items())},
                                                      ensure_ascii=False, indent=1) + "\n")
    print(f"platform: {len(values)} forms in {PLATFORM}")


if __name__ == "__main__":
    main()
