"""Final scores, ranking and levels: pure functions of the rubric and the scores (no registry, no files).

Arithmetic on scores is exact (Fraction): scores are multiples of the rubric's step, so averages, ties and
thresholds never depend on float rounding.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal
from fractions import Fraction
from typing import Any

from pipeline.calls import Rubric


@dataclass(frozen=True)
class Score:
    """One valid scoring form."""

    reg_no: str
    judge_id: str
    criteria: dict[str, Fraction]
    veto: bool
    comment: str = ""

    @property
    def total(self) -> Fraction:
        """The sum of the criteria."""
        return sum(self.criteria.values(), Fraction(0))


@dataclass
class Outcome:
    """The computed result of one application."""

    reg_no: str
    seq: int
    forms: int = 0
    final: Fraction | None = None
    averages: dict[str, Fraction] = field(default_factory=dict)
    plain_mean: Fraction | None = None
    z_mean: float | None = None
    counted: tuple[str, ...] = ()  # judges whose forms make the final score, in full or in part
    weights: dict[str, Fraction] = field(default_factory=dict)  # judge id -> weight of the form in the final score
    rank: int | None = None
    z_rank: int | None = None
    hold: bool = False
    vetoed_by: tuple[str, ...] = ()
    level: int | None = None
    level_name: str | None = None
    serial: int | None = None

    @property
    def shift(self) -> int | None:
        """How far the z-score rank lies from the rank (positive: lower under z-scores)."""
        return None if self.rank is None or self.z_rank is None else self.z_rank - self.rank


@dataclass(frozen=True)
class Quota:
    """A level's threshold and the largest number of applications it may take."""

    level: int
    name: str
    min_score: Fraction
    share: Decimal
    at_least: int
    max_count: int


def quotas(rb: Rubric, scored: int) -> list[Quota]:
    """Per level: floor(share × scored), but at least `at_least` (一等奖 1) when anything was scored."""
    out = []
    for lv in rb.levels:
        n = int((lv.max_share * scored).to_integral_value(rounding=ROUND_FLOOR))
        if scored:
            n = max(n, lv.at_least)
        out.append(Quota(lv.level, lv.name, lv.min_score, lv.max_share, lv.at_least, n))
    return out


def judge_z_scores(scores: Sequence[Score]) -> dict[tuple[str, str], float]:
    """Each form's total as a z-score among the judge's own totals (0 when the judge's totals do not vary)."""
    by_judge: dict[str, list[Score]] = defaultdict(list)
    for s in scores:
        by_judge[s.judge_id].append(s)
    out: dict[tuple[str, str], float] = {}
    for jid, forms in by_judge.items():
        totals = [float(s.total) for s in forms]
        mean = statistics.fmean(totals)
        sd = statistics.pstdev(totals) if len(totals) > 1 else 0.0
        for s in forms:
            out[(s.reg_no, jid)] = (float(s.total) - mean) / sd if sd > 0 else 0.0
    return out


def trim_weights(totals: Sequence[Fraction], trim_from: int) -> list[Fraction]:
    """Each form's weight in the trimmed mean: with `trim_from` or more forms one highest and one lowest form go,
    and when k forms share that total each loses 1/k (call-2021.md §4), so no judge id or order decides."""
    w = [Fraction(1)] * len(totals)
    if len(totals) < max(trim_from, 3):  # trimming two of two forms would leave nothing to average
        return w
    for extreme in (max(totals), min(totals)):
        tied = [i for i, t in enumerate(totals) if t == extreme]
        for i in tied:
            w[i] -= Fraction(1, len(tied))
    return w


def compute_results(rb: Rubric, apps: Sequence[tuple[str, int]], scores: Sequence[Score]) -> list[Outcome]:
    """Final scores, ranking, z-score ranking, holds and levels, in ranking order (unscored last).

    apps: (registration number, sequence) of every application under review.
    """
    by_app: dict[str, list[Score]] = defaultdict(list)
    for s in scores:
        by_app[s.reg_no].append(s)
    z = judge_z_scores(scores)
    outcomes = []
    for reg_no, seq in apps:
        o = Outcome(reg_no, seq)
        forms = by_app.get(reg_no, [])
        o.forms = len(forms)
        if forms:
            weighted = list(zip(forms, trim_weights([s.total for s in forms], rb.trim_from), strict=True))
            o.weights = {s.judge_id: w for s, w in weighted}
            o.counted = tuple(sorted(s.judge_id for s, w in weighted if w))
            kept = sum((w for _, w in weighted), Fraction(0))
            o.final = sum((w * s.total for s, w in weighted), Fraction(0)) / kept
            o.averages = {c.id: sum((w * s.criteria[c.id] for s, w in weighted), Fraction(0)) / kept
                          for c in rb.criteria}
            o.plain_mean = sum((s.total for s in forms), Fraction(0)) / len(forms)
            o.z_mean = statistics.fmean(z[(reg_no, s.judge_id)] for s in forms)
            o.vetoed_by = tuple(sorted(s.judge_id for s in forms if s.veto))
            o.hold = bool(o.vetoed_by)
        outcomes.append(o)
    scored = [o for o in outcomes if o.final is not None]

    def key(o: Outcome) -> tuple[Any, ...]:
        assert o.final is not None
        return (-o.final, *(-o.averages[t] for t in rb.tie_break), o.seq)

    scored.sort(key=key)
    for n, o in enumerate(scored, start=1):
        o.rank = n
    for n, o in enumerate(sorted(scored, key=lambda o: (-(o.z_mean or 0.0), o.seq)), start=1):
        o.z_rank = n
    taken: Counter[int] = Counter()
    serial = 0
    limits = quotas(rb, len(scored))
    for o in scored:
        if o.hold:
            continue
        assert o.final is not None
        for q in limits:
            if o.final >= q.min_score and taken[q.level] < q.max_count:
                taken[q.level] += 1
                serial += 1
                o.level, o.level_name, o.serial = q.level, q.name, serial
                break
    unscored = sorted((o for o in outcomes if o.final is None), key=lambda o: o.seq)
    return scored + unscored


def rank_warnings(rb: Rubric, outcomes: Iterable[Outcome]) -> int:
    """How many applications rank further apart under z-scores than the rubric's rank_shift_warning."""
    return sum(1 for o in outcomes if o.shift is not None and abs(o.shift) > rb.rank_shift_warning)


def level_counts(outcomes: Iterable[Outcome]) -> dict[int, int]:
    """How many applications got each level."""
    return dict(Counter(o.level for o in outcomes if o.level is not None))


def fmt_score(x: Fraction | None, places: int = 2) -> float | None:
    """An exact score as a float rounded for display (staff see two decimals)."""
    if x is None:
        return None
    return round(float(x), places) if math.isfinite(float(x)) else None
