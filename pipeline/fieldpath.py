"""Field paths: how a value of an application is named, and walking the values by that name.

A path is a field id (project.name, summary), a list and its row (persons[2]), a cell of a row
(persons[2].name), or a column of a table's total row (benefits.total.sales); a pattern may stand for every row
with [] (persons[].birth). Values are plain: a dict of field id -> a string, a list of row dicts, or a dict.
A base module: it imports nothing from the package, so the model, the call and the checks share it."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

WILDCARD = "[]"
_PARTS = re.compile(r"^(?P<key>.+?)(?:\[(?P<index>\d+)\])?(?:\.(?P<sub>\w+))?$")


@dataclass(frozen=True)
class FieldPath:
    """A path in its parts: persons[2].name -> persons, 2, name; benefits.total.sales -> benefits.total, None,
    sales; persons[2] -> persons, 2, None; persons -> persons, None, None."""

    key: str
    index: int | None
    sub: str | None


def split_path(path: str) -> FieldPath | None:
    """A path's parts (the shortest key the rest of the path fits), or None for what is not a path."""
    m = _PARTS.match(path)
    if m is None:
        return None
    index = m.group("index")
    return FieldPath(m.group("key"), int(index) if index is not None else None, m.group("sub"))


def parents(path: str) -> Iterator[str]:
    """A path and the paths that hold it, nearest first: persons[2].unit, persons[2], persons."""
    p = path
    while p:
        yield p
        cut = max(p.rfind("."), p.rfind("["))
        if cut <= 0:
            return
        p = p[:cut]


def value_at(values: Mapping[str, Any], path: str) -> Any:
    """The value at a path: a field by its id, a cell of a row (units[0].name), a column of a total row
    (benefits.total.sales); None where there is none (a row past the end, a column of something not a dict)."""
    if path in values:
        return values[path]
    parts = split_path(path)
    if parts is not None and parts.index is not None and parts.sub is not None:
        rows = values.get(parts.key) or []
        return rows[parts.index].get(parts.sub) if parts.index < len(rows) else None
    key, _, sub = path.rpartition(".")
    obj = values.get(key)
    if isinstance(obj, dict):
        return obj.get(sub)
    return None


def expand(values: Mapping[str, Any], pattern: str) -> Iterator[tuple[str, Any]]:
    """A pattern's paths with their values: persons[].birth -> (persons[0].birth, value), (persons[1].birth, …);
    a path without [] is itself."""
    if WILDCARD not in pattern:
        yield pattern, value_at(values, pattern)
        return
    key, _, sub = pattern.partition(WILDCARD + ".")
    for i, row in enumerate(values.get(key) or []):
        yield f"{key}[{i}].{sub}", row.get(sub)
