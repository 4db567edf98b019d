"""The forms of the web platform's online-submission tests (samples/platform): each gets exactly the findings its
expected.json names, the member list names their units, and the generator makes the same bytes again."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import SAMPLES

from pipeline.check import check_bytes
from pipeline.check.batch import read_members

PLATFORM = SAMPLES / "platform"
FORMS = sorted(PLATFORM.glob("*.docx"))
EXPECTED: dict[str, list[list[str]]] = json.loads((PLATFORM / "expected.json").read_text(encoding="utf-8"))


def test_every_form_has_its_expectation() -> None:
    assert [p.name for p in FORMS] == sorted(EXPECTED) and len(FORMS) == 8


@pytest.mark.parametrize("path", FORMS, ids=[p.stem for p in FORMS])
def test_platform_form_findings(path: Path, call: Any) -> None:
    report = check_bytes(path.read_bytes(), path.name, call)
    assert sorted(f.key for f in report.findings) == sorted((c, f) for c, f in EXPECTED[path.name])


def test_forms_are_of_their_member_units(call: Any) -> None:
    members = read_members(PLATFORM / "members.csv")
    assert sorted(members) == ["210801", "210802", "210803"]
    for path in FORMS:
        fields = check_bytes(path.read_bytes(), path.name, call).fields
        unit = members["210802" if path.name in ("unit-a-他人会员号.docx", "unit-b-申报书.docx") else "210801"]
        assert (fields["applicant.member_no"], fields["applicant.name"], fields["applicant.credit_code"]) == (
            unit.number, unit.name, unit.credit_code), path.name


def test_samples_are_reproducible(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import make_platform

    monkeypatch.setattr(make_platform, "PLATFORM", tmp_path / "platform")
    make_platform.main()
    made = sorted(p.name for p in (tmp_path / "platform").iterdir())
    assert made == sorted(p.name for p in PLATFORM.iterdir())
    for name in made:
        assert (tmp_path / "platform" / name).read_bytes() == (PLATFORM / name).read_bytes(), name
