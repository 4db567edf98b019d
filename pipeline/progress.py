"""How a long library step tells whoever shows progress what it is doing (the command line draws it with rich;
the library never imports a terminal library). Every function that may take more than a couple of seconds takes an
optional `progress` and calls it; None means nobody is watching."""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    """What a long step reports: phases, each of a known number of items or of unknown length, and notes."""

    def phase(self, zh: str, en: str, total: int | None = None, done: int = 0) -> None:
        """A new phase (named in both languages) of `total` items, `done` of them already done; None: unknown."""

    def advance(self, n: int = 1) -> None:
        """`n` more items of the current phase done."""

    def note(self, zh: str, en: str) -> None:
        """A line for the person watching (e.g. how many files were cached)."""


class Silent:
    """Progress nobody watches."""

    def phase(self, zh: str, en: str, total: int | None = None, done: int = 0) -> None:
        pass

    def advance(self, n: int = 1) -> None:
        pass

    def note(self, zh: str, en: str) -> None:
        pass


def silent(progress: Progress | None) -> Progress:
    """The progress given, or one nobody watches."""
    return progress if progress is not None else Silent()
