"""Exceptions for when the program cannot go on; bad input data is a Finding, never an exception."""

from __future__ import annotations


class PipelineError(Exception):
    """The work could not be done (exit code 3)."""

    def __init__(self, message_zh: str, message_en: str | None = None) -> None:
        super().__init__(message_zh)
        self.message_zh = message_zh
        self.message_en = message_en or message_zh

    def message(self, lang: str = "zh") -> str:
        """The message in the user's language."""
        return self.message_en if lang == "en" else self.message_zh


class CallError(PipelineError):
    """A call folder or its call.yaml is missing or invalid."""


class OutputError(PipelineError):
    """An output could not be written."""


class Interrupted(PipelineError):
    """The user stopped the work (Ctrl-C); the message says what was saved (exit code 130)."""
