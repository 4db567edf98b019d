"""The one exception readers raise for a file that cannot be read; the checker turns it into a finding."""

from __future__ import annotations

from typing import Any


class FileProblem(Exception):
    """A file-level problem: the code of its finding and the details its message needs."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params
