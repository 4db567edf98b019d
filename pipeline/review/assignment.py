"""Assigning judges to applications, a pure function: no judge from a completing unit, balanced load, category
match preferred, deterministic for a seed."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pipeline.review.errors import ReviewError
from pipeline.review.judges import Judge, normalise_unit


@dataclass(frozen=True)
class AppInfo:
    """What review needs of a registered application."""

    reg_no: str
    seq: int
    project: str
    applicant: str
    category: str
    units: tuple[tuple[str, str | None], ...]  # (name, credit code) of every completing unit
    persons: tuple[str, ...]
    fields: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


def conflicted(judge: Judge, app: AppInfo) -> str | None:
    """The completing unit a judge belongs to (by credit code when both have one, else by normalised name)."""
    for name, code in app.units:
        if judge.credit_code and code:
            if judge.credit_code == code:
                return name
        elif normalise_unit(judge.unit) == normalise_unit(name):
            return name
    return None


def category_match(judge: Judge, app: AppInfo) -> bool:
    """Whether the application's category is among the judge's fields of expertise."""
    return app.category in judge.fields


def assign(apps: Sequence[AppInfo], judges: Sequence[Judge], per_app: int = 5,
           seed: int = 0) -> dict[str, tuple[str, ...]]:
    """Judge ids per application: no conflicted judge, balanced load, category match preferred, deterministic."""
    if per_app < 1:
        raise ReviewError("每个项目的评审专家数须至少为 1", "--per-app must be at least 1")
    pool = sorted(judges, key=lambda j: j.id)
    rng = random.Random(seed)
    tiebreak_order = list(pool)
    rng.shuffle(tiebreak_order)
    tiebreak = {j.id: i for i, j in enumerate(tiebreak_order)}
    eligible: dict[str, list[Judge]] = {}
    for a in apps:
        eligible[a.reg_no] = [j for j in pool if conflicted(j, a) is None]
        if len(eligible[a.reg_no]) < per_app:
            raise ReviewError(
                f"专家不足：{a.reg_no}（{a.project}）需要 {per_app} 位专家，回避本项目完成单位后只有 "
                f"{len(eligible[a.reg_no])} 位可用，请补充专家或减少 --per-app",
                f"not enough judges: {a.reg_no} ({a.project}) needs {per_app}, but only "
                f"{len(eligible[a.reg_no])} are not from its completing units; add judges or lower --per-app")

    # Balanced means every judge ends with `base` or `base + 1` forms, and only `extra` judges with base + 1.
    base, extra = divmod(len(apps) * per_app, len(pool))
    load: Counter[str] = Counter()
    chosen: dict[str, list[str]] = {}
    for a in sorted(apps, key=lambda a: (len(eligible[a.reg_no]), a.seq)):  # the most constrained first
        picked: list[str] = []
        for _ in range(per_app):
            at_cap = sum(1 for v in load.values() if v > base)
            cands = [j for j in eligible[a.reg_no] if j.id not in picked]
            room = [j for j in cands if load[j.id] < base or (load[j.id] == base and at_cap < extra)]
            best = min(room or cands, key=lambda j: (not category_match(j, a), load[j.id], tiebreak[j.id]))
            picked.append(best.id)
            load[best.id] += 1
        chosen[a.reg_no] = picked
    _rebalance(apps, eligible, chosen, load, pool, category_match, tiebreak)
    return {a.reg_no: tuple(sorted(chosen[a.reg_no], key=lambda jid: tiebreak[jid])) for a in apps}


def _rebalance(apps: Sequence[AppInfo], eligible: dict[str, list[Judge]], chosen: dict[str, list[str]],
               load: Counter[str], pool: Sequence[Judge], matches: Callable[[Judge, AppInfo], bool],
               tiebreak: dict[str, int]) -> None:
    """Move forms from the busiest to the idlest judges while a move is allowed (conflicts permitting)."""
    by_id = {j.id: j for j in pool}
    info = {a.reg_no: a for a in apps}
    while True:
        moved = False
        for hi in sorted(pool, key=lambda j: (-load[j.id], tiebreak[j.id])):
            for lo in sorted(pool, key=lambda j: (load[j.id], tiebreak[j.id])):
                if load[hi.id] - load[lo.id] < 2:
                    break
                options = [r for r in sorted(chosen) if hi.id in chosen[r] and lo.id not in chosen[r]
                           and lo in eligible[r]]
                if options:
                    # keep category matches where we can: move a form where lo matches, or hi did not
                    r = min(options, key=lambda r: (matches(by_id[hi.id], info[r]) and not matches(lo, info[r]), r))
                    chosen[r][chosen[r].index(hi.id)] = lo.id
                    load[hi.id] -= 1
                    load[lo.id] += 1
                    moved = True
                    break
            if moved:
                break
        if not moved:
            return
