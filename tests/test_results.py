"""review.results on plain values: no registry, no call folder, no files (the aggregation is a pure function)."""

from __future__ import annotations

import ast
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from pipeline.calls import Criterion, Level, Rubric
from pipeline.review.results import (
    Outcome,
    Score,
    compute_results,
    fmt_score,
    judge_z_scores,
    level_counts,
    quotas,
    rank_warnings,
    trim_weights,
)

F = Fraction


def rubric(trim_from: int = 5, levels: tuple[Level, ...] | None = None, tie_break: tuple[str, ...] = ("b",),
           rank_shift_warning: int = 3) -> Rubric:
    """Two criteria (a: 60, b: 40) and three levels: 一等奖 ≥ 85 (10 %, at least 1), 二等奖 ≥ 75 (20 %),
    三等奖 ≥ 60 (30 %)."""
    return Rubric(criteria=(Criterion("a", "甲", F(60)), Criterion("b", "乙", F(40))), step=F(1, 2),
                  comment_max_chars=200, judges_per_app=5, trim_from=trim_from,
                  rank_shift_warning=rank_shift_warning, tie_break=tie_break,
                  levels=levels or (Level(1, "一等奖", F(85), Decimal("0.1"), at_least=1),
                                    Level(2, "二等奖", F(75), Decimal("0.2")),
                                    Level(3, "三等奖", F(60), Decimal("0.3"))))


def form(reg_no: str, judge: str, a: float, b: float, veto: bool = False) -> Score:
    return Score(reg_no, judge, {"a": F(a), "b": F(b)}, veto)


def test_results_module_imports_neither_sqlite_nor_the_registry() -> None:
    """The aggregation is pure: the module imports no database, no registry, no file reading."""
    import pipeline.review.results as results

    tree = ast.parse(Path(results.__file__).read_text(encoding="utf-8"))
    names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    names |= {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert not {"sqlite3", "pipeline.registry", "openpyxl", "pipeline.review.stored"} & names


def test_score_total_is_exact() -> None:
    assert form("A", "J", 50.5, 33.5).total == 84


@pytest.mark.parametrize(("totals", "trim_from", "weights"), [
    ([80, 70, 60], 5, [1, 1, 1]),  # fewer forms than trim_from: all count
    ([80, 70], 2, [1, 1]),  # never trim two of two
    ([80, 70, 60], 3, [0, 1, 0]),
    ([90, 80, 70, 60, 50], 5, [0, 1, 1, 1, 0]),
    ([90, 90, 70, 60, 50], 5, [F(1, 2), F(1, 2), 1, 1, 0]),  # two share the highest: each loses half
    ([80, 80, 80, 80, 80], 5, [F(3, 5)] * 5),  # all tied: highest and lowest both take 1/5 from each
])
def test_trim_weights(totals: list[int], trim_from: int, weights: list[Fraction]) -> None:
    got = trim_weights([F(t) for t in totals], trim_from)
    assert got == weights and sum(got) == (len(totals) - 2 if len(totals) >= max(trim_from, 3) else len(totals))


@pytest.mark.parametrize(("scored", "expected"), [(0, [0, 0, 0]), (3, [1, 0, 0]), (10, [1, 2, 3]), (19, [1, 3, 5]),
                                                  (20, [2, 4, 6])])
def test_quotas_floor_and_at_least(scored: int, expected: list[int]) -> None:
    assert [q.max_count for q in quotas(rubric(), scored)] == expected


def test_at_least_applies_to_any_level() -> None:
    levels = (Level(1, "一等奖", F(85), Decimal("0.1"), at_least=1), Level(2, "二等奖", F(75), Decimal("0.2"), at_least=2))
    assert [q.max_count for q in quotas(rubric(levels=levels), 4)] == [1, 2]
    assert [q.max_count for q in quotas(rubric(levels=levels), 0)] == [0, 0]


def test_judge_z_scores() -> None:
    forms = [form("A", "J1", 50, 30), form("B", "J1", 40, 20), form("A", "J2", 30, 30)]
    z = judge_z_scores(forms)
    assert z[("A", "J1")] == pytest.approx(1.0) and z[("B", "J1")] == pytest.approx(-1.0)
    assert z[("A", "J2")] == 0.0  # one form: no spread, no z-score


def test_ties_break_on_the_tie_break_criterion_then_the_sequence() -> None:
    forms = [form("A", "J1", 50, 30), form("B", "J1", 45, 35), form("C", "J1", 45, 35)]
    out = compute_results(rubric(), [("A", 1), ("B", 2), ("C", 3)], forms)
    assert all(o.final == 80 for o in out)
    assert [(o.reg_no, o.rank) for o in out] == [("B", 1), ("C", 2), ("A", 3)]  # b (乙) higher first, then seq
    out = compute_results(rubric(tie_break=("a",)), [("A", 1), ("B", 2), ("C", 3)], forms)
    assert [o.reg_no for o in out] == ["A", "B", "C"]


def test_trimmed_final_and_averages() -> None:
    forms = [form("A", f"J{n}", a, 30) for n, a in enumerate((60, 50, 50, 40, 20), start=1)]
    (o,) = compute_results(rubric(), [("A", 1)], forms)
    assert o.final == F(50 + 50 + 40, 3) + 30 and o.averages == {"a": F(140, 3), "b": F(30)}
    assert o.counted == ("J2", "J3", "J4") and o.weights["J1"] == 0 and o.weights["J5"] == 0
    assert o.plain_mean == F(60 + 50 + 50 + 40 + 20, 5) + 30


def test_levels_quotas_holds_and_unscored() -> None:
    finals = [95, 92, 91, 80, 79, 70, 69, 68, 50, 40]  # 10 scored: quotas 1, 2, 3
    apps = [(f"A{i}", i) for i in range(1, 12)]  # A11 has no forms
    forms = [form(f"A{i}", "J1", t - 20, 20, veto=(i == 4)) for i, t in enumerate(finals, start=1)]
    out = compute_results(rubric(), apps, forms)
    by = {o.reg_no: o for o in out}
    assert [o.reg_no for o in out][-1] == "A11" and by["A11"].final is None and by["A11"].rank is None
    assert by["A4"].hold and by["A4"].vetoed_by == ("J1",) and by["A4"].level is None and by["A4"].rank == 4
    # 一等奖 takes one (A1); A2 and A3 go down to 二等奖 (85 reached, no room left); A5 79 has no 二等奖 room
    levels = [(o.reg_no, o.level, o.serial) for o in out if o.level]
    assert levels == [("A1", 1, 1), ("A2", 2, 2), ("A3", 2, 3), ("A5", 3, 4), ("A6", 3, 5), ("A7", 3, 6)]
    assert level_counts(out) == {1: 1, 2: 2, 3: 3}


def test_rank_warnings_count_shifts_over_the_limit() -> None:
    outs = [Outcome("A", 1, rank=1, z_rank=5), Outcome("B", 2, rank=2, z_rank=4), Outcome("C", 3)]
    assert [o.shift for o in outs] == [4, 2, None]
    assert rank_warnings(rubric(rank_shift_warning=3), outs) == 1
    assert rank_warnings(rubric(rank_shift_warning=1), outs) == 2


def test_fmt_score() -> None:
    assert fmt_score(F(253, 3)) == 84.33 and fmt_score(None) is None and fmt_score(F(17, 2), 0) == 8.0
