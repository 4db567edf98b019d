"""What a batch says about each input file: its row of the summary, and what a dry run would do with it."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.ingest.sources import Source
from pipeline.model import Report


@dataclass(frozen=True)
class Row:
    """One input file's outcome: its registration number (None when it was refused unread) and report."""

    source: Source
    reg_no: str | None
    report: Report


@dataclass(frozen=True)
class DryRunLine:
    """One file in a dry run: what would happen to it."""

    path: str
    action: str  # "registered" (has a number), "register" (would get one), "skip" (no number), "check"
    reg_no: str | None
    report: Report | None
    checked: bool = False  # whether the run would check it (not registered yet, or no usable cached check)
