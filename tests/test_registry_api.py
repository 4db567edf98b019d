"""The registry is the only module that speaks SQL: every statement sits behind a named method of Registry, each
write one transaction; the review and issuing call those methods (issue 13, item 3)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT

from pipeline.registry import Listing, Registry, StoredResult, StoredScore

PACKAGE = ROOT / "pipeline"
# What reaches SQLite directly: the connection, its cursor methods, a transaction's connection, the module.
SQL_ACCESS = re.compile(r"\.conn\b|\.execute(many|script)?\(|\.transaction\(")


def test_no_sql_outside_the_registry() -> None:
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == PACKAGE / "registry.py":
            continue
        text = path.read_text(encoding="utf-8")
        for n, line in enumerate(text.splitlines(), start=1):
            if SQL_ACCESS.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
        tree = ast.parse(text)
        imported = {a.name for node in ast.walk(tree) if isinstance(node, ast.Import) for a in node.names}
        imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        if "sqlite3" in imported:
            offenders.append(f"{path.relative_to(ROOT)}: imports sqlite3")
    assert not offenders, "SQL outside pipeline/registry.py:\n" + "\n".join(offenders)


def test_registry_knows_no_call_nor_field_id() -> None:
    """The base layer: the callers give it the field ids (Listing) and the values it stores."""
    text = (PACKAGE / "registry.py").read_text(encoding="utf-8")
    assert "pipeline.calls" not in text
    assert not re.search(r'"(project|applicant)\.\w+"', text)


@pytest.fixture()
def reg(tmp_path: Path) -> Iterator[Registry]:
    r = Registry(tmp_path / "award.sqlite", call_id="c")
    for i in (1, 2):
        r.register("c", f"sha{i}", f"a{i}.docx", "2021-", 4)
    yield r
    r.close()


JUDGES = [("J1", "甲", "大学", None, ("标准化",)), ("J2", "乙", "研究院", "91310115684307790H", ("标准化", "六西格玛"))]


def test_store_file_report_lists_the_fields_it_is_given(reg: Registry) -> None:
    report = {"file": {"format": "docx"}, "fields": {"p.n": "项目", "a.n": "单位", "a.c": "码", "p.c": "类别"}}
    reg.store_file_report("2021-0001", report, "v", "t", listing=Listing("a.n", "a.c", "p.n", "p.c"))
    a = reg.application("2021-0001")
    assert a is not None and (a.project, a.applicant, a.credit_code, a.category) == ("项目", "单位", "码", "类别")


def test_judges_and_assignments_round_trip(reg: Registry) -> None:
    assert reg.replace_assignments("c", JUDGES, [("2021-0002", "J1", 1, True), ("2021-0001", "J1", 2, False),
                                                 ("2021-0001", "J2", 1, True)], seed=7) == 0
    assert reg.judges("c") == JUDGES
    assert reg.assignments("c") == {"J1": ["2021-0001", "2021-0002"], "J2": ["2021-0001"]}  # registration order
    assert reg.replace_assignments("c", JUDGES[:1], [("2021-0001", "J1", 1, True)], seed=8) == 0
    assert reg.assignments("c") == {"J1": ["2021-0001"]} and reg.judges("c") == JUDGES[:1]


def test_scores_upsert_and_refuse_a_new_assignment(reg: Registry) -> None:
    reg.replace_assignments("c", JUDGES, [("2021-0001", "J1", 1, True), ("2021-0002", "J1", 2, True)], seed=0)
    one = StoredScore("2021-0001", "J1", {"b": 8.5, "a": 30.0}, 38.5, False, "好")
    two = StoredScore("2021-0002", "J1", {"a": 20.0, "b": 10.0}, 30.0, True, "")
    assert reg.upsert_scores("c", [(3, one), (4, two)], "J1.xlsx", "sha") == (2, 0)
    assert reg.scores("c") == [one, two]
    changed = StoredScore("2021-0001", "J1", {"a": 31.0, "b": 8.5}, 39.5, False, "")
    assert reg.upsert_scores("c", [(3, changed)], "J1-2.xlsx", "sha2") == (0, 1)
    assert reg.scores_of_judge("c", "J1") == {"2021-0001": changed, "2021-0002": two}
    assert reg.scores_of_judge("c", "J2") == {}
    assert reg.replace_assignments("c", JUDGES, [], seed=0) == 2  # refused: nothing changed
    assert reg.assignments("c") == {"J1": ["2021-0001", "2021-0002"]}


def test_results_replace_and_read_in_ranking_order(reg: Registry) -> None:
    first = StoredResult("2021-0002", 1, 1, 1, "一等奖", False, (), 5, 90.5, 90.0, 0.5, 1, 0, {"a": 60.5, "b": 30.0},
                         ("J1", "J2"))
    unscored = StoredResult("2021-0001", None, None, None, None, True, ("J2",), 0, None, None, None, None, None, {},
                            ())
    reg.replace_results("c", [unscored, first])
    assert reg.results("c") == [first, unscored]
    reg.replace_results("c", [first])
    assert reg.results("c") == [first]


def test_certificate_numbers_are_kept(reg: Registry) -> None:
    unit, person = ("2021-0001", "unit", 1, "甲厂"), ("2021-0001", "person", 1, "张三")
    assert reg.certificate_numbers("c", [("N1", *unit), ("N2", *person)]) == ["N1", "N2"]
    # renumbered proposals: the numbers given before stay, a new certificate gets its proposed number
    assert reg.certificate_numbers("c", [("M1", *unit), ("M2", *person), ("M3", "2021-0002", "unit", 1, "乙厂")]) \
        == ["N1", "N2", "M3"]
