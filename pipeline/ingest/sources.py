"""A batch's input files: where each one's bytes are (a file, or a member of an archive), and reading them."""

from __future__ import annotations

import hashlib
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.model import Finding


@dataclass(frozen=True)
class Source:
    """One input file: its path as shown to staff, and where its bytes are."""

    path: str
    file: Path | None = None
    archive: Path | None = None
    member: str | None = None
    index: int | None = None  # the member's position in the archive: names may repeat
    size: int = 0
    problem: Finding | None = None  # refused before reading (an unsafe name, too big in the archive)


# One open ZipFile per archive and process: opening one parses its whole central directory, so opening it per
# member made a round of N members cost N^2. Keyed by process id too: a forked worker must not share the parent's
# file offset.
_open_archives: dict[tuple[int, str], zipfile.ZipFile] = {}


def _archive(path: Path) -> zipfile.ZipFile:
    key = (os.getpid(), str(path))
    zf = _open_archives.get(key)
    if zf is None:
        for old in [k for k in _open_archives if k[0] != key[0]]:
            del _open_archives[old]  # inherited over fork: not ours to close or use
        zf = _open_archives[key] = zipfile.ZipFile(path)
    return zf


def close_archives() -> None:
    """Close the archives this process opened."""
    for key in [k for k in _open_archives if k[0] == os.getpid()]:
        _open_archives.pop(key).close()


def _open_member(source: Source) -> Any:
    assert source.archive is not None and source.member is not None
    zf = _archive(source.archive)
    info = zf.infolist()[source.index] if source.index is not None else zf.getinfo(source.member)
    return zf.open(info)


def read_source(source: Source, max_bytes: int) -> bytes | None:
    """A source's bytes, at most max_bytes + 1 of them (headers can lie); None when it is too big to read."""
    if source.file is not None:
        with open(source.file, "rb") as fh:
            return fh.read(max_bytes + 1)
    if source.archive is not None and source.member is not None:
        with _open_member(source) as fh:
            data: bytes = fh.read(max_bytes + 1)
            return data
    return None


def source_sha256(source: Source) -> str:
    """SHA-256 of a source's bytes, read in blocks."""
    h = hashlib.sha256()
    if source.file is not None:
        with open(source.file, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    elif source.archive is not None and source.member is not None:
        with _open_member(source) as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    return h.hexdigest()
