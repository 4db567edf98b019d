"""A generated batch for the rules across applications (§3): every case, with its expectation written by hand.

Run: python samples/make_batch.py   -> samples/batch/ (applications, members.csv, expected.json; committed)

Expected findings are the batch findings only (each file's own findings are covered by the single-file samples);
keys are the files' paths inside the batch folder.
"""

from __future__ import annotations

import copy
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

BATCH = ROOT / "samples" / "batch"
APPS = BATCH / "applications"


def main() -> None:
    """Write the batch, the member list and the expectations."""
    call = load_call("saq-2021")
    rng = random.Random(3)
    shutil.rmtree(BATCH, ignore_errors=True)
    APPS.mkdir(parents=True)
    values: dict[str, dict[str, Any]] = {}

    def app(name: str, i: int, **changes: Any) -> dict[str, Any]:
        v = varied_values(100 + i, rng, call)
        v.update(changes)
        values[name] = v
        return v

    app("0001-基准.docx", 0)
    quota_unit = {"name": "上海限额测试精密机械有限公司", "credit_code": credit_code(rng, "310113")}
    for k in range(4):
        v = app(f"quota-{k + 1}.docx", 1 + k, **{"applicant.name": quota_unit["name"],
                                                 "applicant.credit_code": quota_unit["credit_code"],
                                                 "applicant.member_no": "318801"})
        v["units"][0] = dict(quota_unit)
        for p in v["persons"]:
            if p["unit"] not in {u["name"] for u in v["units"]}:
                p["unit"] = quota_unit["name"]
        v["persons"][0]["unit"] = v["persons"][1]["unit"] = quota_unit["name"]
    for k in range(3):
        v = app(f"person-{k + 1}.docx", 5 + k)
        v["persons"][2] = {"name": "欧阳振华", "gender": "男", "birth": "1980年5月", "unit": v["units"][0]["name"],
                           "title": "质量总监/高级工程师", "contribution": "负责项目的方法指导和成果评审。"}
    a = app("project-a.docx", 8, **{"project.name": "热处理炉温均匀性提升"})
    app("project-b.docx", 9, **{"project.name": "热处理炉温 均匀性提升！"})
    del a
    s = app("summary-a.docx", 10)
    changed = list(s["summary"])
    for pos in (20, 80, 140, 200, 260):
        changed[pos] = "某"
    app("summary-b.docx", 11, summary="".join(changed))
    app("member-unknown.docx", 12, **{"applicant.member_no": "299999"})
    app("member-mismatch.docx", 13, **{"applicant.member_no": values["0001-基准.docx"]["applicant.member_no"]})

    for name, v in values.items():
        write_bytes(APPS / name, docx_bytes(fill_form(call, copy.deepcopy(v))))
    (APPS / "收件箱").mkdir()
    shutil.copy(APPS / "0001-基准.docx", APPS / "收件箱" / "0001-基准-重发.docx")
    shutil.copy(ROOT / "samples" / "applications" / "not-a-form.docx", APPS / "not-a-form.docx")
    write_bytes(APPS / "broken.pdf", b"%PDF-1.7\n" + bytes(random.Random(7).randrange(256) for _ in range(3000)))

    members = ["会员编号,单位名称,统一社会信用代码"]
    for name, v in sorted(values.items()):
        if name in ("member-unknown.docx", "member-mismatch.docx"):
            continue
        row = f"{v['applicant.member_no']},{v['applicant.name']},{v['applicant.credit_code']}"
        if row not in members:
            members.append(row)
    write_bytes(BATCH / "members.csv", ("\r\n".join(members) + "\r\n").encode("utf-8-sig"))

    # The batch findings each file must get, by hand from the cases above.
    quota = [("batch.unit_quota", "applicant.credit_code")]
    expected: dict[str, list[tuple[str, str | None]]] = {
        "0001-基准.docx": [("batch.duplicate_file", None)],
        "收件箱/0001-基准-重发.docx": [("batch.duplicate_file", None)],
        **{f"quota-{k}.docx": quota for k in range(1, 5)},
        **{f"person-{k}.docx": [("batch.person_limit", "persons[2]")] for k in range(1, 4)},
        "project-a.docx": [("batch.duplicate_project", "project.name")],
        "project-b.docx": [("batch.duplicate_project", "project.name")],
        "summary-a.docx": [("batch.similar_summary", "summary")],
        "summary-b.docx": [("batch.similar_summary", "summary")],
        "member-unknown.docx": [("batch.member_unknown", "applicant.member_no")],
        "member-mismatch.docx": [("batch.member_mismatch", "applicant.member_no")],
        "not-a-form.docx": [],
        "broken.pdf": [],
    }
    write_text(BATCH / "expected.json", json.dumps({k: [list(x) for x in v] for k, v in sorted(expected.items())},
                                                   ensure_ascii=False, indent=1) + "\n")
    print(f"batch: {len(list(APPS.rglob('*.*')))} files in {APPS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
