"""Shared fixtures: the call, the valid sample's values, and paths to the committed samples."""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
APPS = SAMPLES / "applications"
ROBUST = SAMPLES / "robustness"
CORPUS = ROOT.parent / "shared" / "corpus" / "real-world"
sys.path.insert(0, str(SAMPLES))

def csrf_of(html: str) -> str:
    """The form token (CSRF) a platform page carries."""
    import re

    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no form token in the page"
    return found.group(1)


class Clock:
    """The day the platform judges its windows and dates on (Settings.today; a test moves it)."""

    def __init__(self, day: Any) -> None:
        self.day = day

    def __call__(self) -> Any:
        return self.day



@pytest.fixture(scope="session")
def call() -> Any:
    from pipeline.calls import load_call

    return load_call("saq-2021")


def valid_values() -> dict[str, Any]:
    """The valid sample's values as Application.values (date range split, ticks as booleans)."""
    from make_samples import valid_values as raw_values

    v = copy.deepcopy(raw_values())
    start, _, end = v.pop("project.period").partition("至")
    v["project.start_date"], v["project.end_date"] = start, end
    ticked = v.pop("attachments")
    for key, label in (("application_proof", "应用证明"), ("benefit_proof", "效益证明"), ("evaluation", "评价或鉴定证明"),
                       ("ip_proof", "知识产权证明"), ("other", "其他")):
        v[f"attachments.{key}"] = label in ticked
    for row in v["benefits.years"]:
        for k in [k for k, x in row.items() if not x]:
            del row[k]
    return {k: x for k, x in v.items() if x != ""}


def expected(sample: Path) -> dict[str, Any]:
    """A sample's .expected.json."""
    return json.loads(sample.with_suffix(".expected.json").read_text(encoding="utf-8"))


def copy_registry(db: Path, tmp_path: Path) -> Path:
    """A private copy of a module's registry (SQLite backup), so a test may change it freely."""
    import sqlite3

    target = tmp_path / "award.sqlite"
    with sqlite3.connect(str(db)) as src, sqlite3.connect(str(target)) as dst:
        src.backup(dst)
    return target
