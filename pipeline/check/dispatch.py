"""Rules registered by name, and what they yield: a Problem, which a runner stamps into a Finding.

As in jsonschema, where a keyword function yields bare errors and the validator fills in where and under which
keyword they arose, a rule here only says what is wrong (a catalogue code, the field path, the message's
parameters); the runner that called it adds the severity (the catalogue's, or the call's override for that rule)
and the location (from the field path, through the application or entry the rule looked at). No rule sees the
findings of another.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pipeline.calls import Call
from pipeline.check.codes import make
from pipeline.model import Finding, Location, Severity


@dataclass(frozen=True)
class Problem:
    """What a rule found, before a runner stamps it: a catalogue code, the field path, the message's parameters."""

    code: str
    field: str | None = None
    params: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    # codes that, already found on the same field, make this problem moot (no check digit for a code whose
    # shape is already wrong): the runner, which holds the findings, decides
    unless: tuple[str, ...] = ()


def problem(code: str, field: str | None = None, *, unless: tuple[str, ...] = (), **params: Any) -> Problem:
    """A Problem with its message parameters (expected, actual, other, ...) as keywords."""
    return Problem(code, field, params, unless)


def stamp(found: Problem, call: Call, location: Location | None, severity: Severity | None = None) -> Finding:
    """The Finding of a Problem: the catalogue's severity unless the call overrides it, at the location given."""
    return make(found.code, call, field=found.field, location=location, severity=severity, **found.params)


RuleFn = TypeVar("RuleFn", bound=Callable[..., Iterable[Any]])


@dataclass(frozen=True)
class Registered(Generic[RuleFn]):
    """A registered rule: the name a call uses, the function, and its parameters with their kinds."""

    name: str
    fn: RuleFn
    params: Mapping[str, str]


class Registry(Generic[RuleFn]):
    """Rule functions by name, in the order they were registered (the order their findings come in)."""

    def __init__(self) -> None:
        self._rules: dict[str, Registered[RuleFn]] = {}

    def rule(self, name: str, params: Mapping[str, str]) -> Callable[[RuleFn], RuleFn]:
        """Register a rule function under a name, with its parameters (name -> kind; a name ending in ? is
        optional)."""

        def deco(fn: RuleFn) -> RuleFn:
            if name in self._rules:
                raise ValueError(f"rule {name} is registered twice")
            self._rules[name] = Registered(name, fn, dict(params))
            return fn

        return deco

    def __getitem__(self, name: str) -> Registered[RuleFn]:
        return self._rules[name]

    def __contains__(self, name: object) -> bool:
        return name in self._rules

    def __iter__(self) -> Iterator[Registered[RuleFn]]:
        return iter(self._rules.values())

    def names(self) -> list[str]:
        """The registered names, in registration order."""
        return list(self._rules)
