"""The review's exception: a step cannot go on."""

from __future__ import annotations

from pipeline.errors import PipelineError


class ReviewError(PipelineError):
    """The review step cannot go on (bad judges file, pool too small, nothing to do)."""
