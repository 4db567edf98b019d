"""WordprocessingML style inheritance: a style and the styles it is based on (w:basedOn), nearest first.

Shared by the application reader's font sizes (pipeline.ingest.docx) and the notice checker's fonts, sizes and
paragraph properties (pipeline.check.gongwen). Plain Python, no XML parser: each caller gives the basedOn map it
read."""

from __future__ import annotations

from collections.abc import Iterator, Mapping


def based_on_chain(style_id: str | None, based_on: Mapping[str, str | None]) -> Iterator[str]:
    """A style id, then the id of the style it is based on, and so on up the chain; the walk ends at a style
    based on nothing and at a cycle (a style based on itself or on one of its children)."""
    seen: set[str] = set()
    while style_id and style_id not in seen:
        seen.add(style_id)
        yield style_id
        style_id = based_on.get(style_id)
