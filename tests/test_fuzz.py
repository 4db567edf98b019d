"""A seeded slice of bench/fuzz.py: damaged copies of every kind of sample give a schema-valid report, never a
traceback (issue 11, point 8)."""

from __future__ import annotations

import sys
from typing import Any

import pytest
from conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))

import fuzz


def test_mutations_are_seeded_and_change_the_bytes() -> None:
    files = fuzz.sources()
    assert {p.suffix for p in files} == {".docx", ".pdf"}
    assert any(p.parent.name == "hostile" for p in files)
    a, b = fuzz.mutants(40, 7, files), fuzz.mutants(40, 7, files)
    assert a == b
    assert {op for _, op, _ in a} == set(fuzz.OPS)
    originals = {p.name: p.read_bytes() for p in files}
    assert sum(data != originals[name] for name, _, data in a) >= 38


@pytest.mark.timeout(120)
def test_a_seeded_slice_of_mutants_gives_valid_reports(call: Any) -> None:
    out = fuzz.run(200, 2021, call=call)
    assert out.mutants == 200
    assert out.tracebacks == []
    assert out.invalid == []
    assert set(out.ops) == set(fuzz.OPS)
    # the slice damages enough files to reach the readers' failure paths, and leaves some readable
    assert out.codes["file.corrupt"] >= 30 and out.codes["(read)"] >= 30
