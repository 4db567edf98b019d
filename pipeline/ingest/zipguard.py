"""The guards a zip archive passes before anything in it is read: the number of entries, the total uncompressed
size, each entry's compression ratio, and member names that are safe to use as paths.

One place for both kinds of archive the pipeline opens: a document's package (SafeZip in pipeline.ingest.docx,
read by the application check and by `award gongwen`) and a batch's .zip of applications (pipeline.batch). Each
caller words its own refusal; the figures are the call's (`file:` and `batch:` in call.yaml)."""

from __future__ import annotations

import lzma
import re
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

# what opening a damaged or unsupported archive raises (RuntimeError: an unknown compression method, encryption)
OPEN_ERRORS: tuple[type[Exception], ...] = (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError)
# and what reading an entry raises besides: a damaged deflate or LZMA stream
READ_ERRORS: tuple[type[Exception], ...] = (*OPEN_ERRORS, zlib.error, lzma.LZMAError)
# an entry that expands to no more than this is never taken for a bomb, whatever its ratio (tiny XML parts
# compress 1000:1 honestly)
BOMB_FLOOR = 2**20


@dataclass(frozen=True)
class Excess:
    """The first limit an archive's directory breaks: too many `entries`, or too many `bytes` uncompressed."""

    what: Literal["entries", "bytes"]
    amount: int


def directory_excess(infos: Sequence[zipfile.ZipInfo], max_entries: int, max_total: int) -> Excess | None:
    """Whether an archive's directory holds more entries than max_entries (checked first) or expands to more than
    max_total bytes; None when it does neither. Read from the directory, before any entry is opened."""
    if len(infos) > max_entries:
        return Excess("entries", len(infos))
    total = sum(i.file_size for i in infos)
    if total > max_total:
        return Excess("bytes", total)
    return None


def is_bomb(info: zipfile.ZipInfo, max_ratio: float) -> bool:
    """Whether an entry expands like a zip bomb: over BOMB_FLOOR and more than max_ratio times its compressed size."""
    return info.file_size > BOMB_FLOOR and info.file_size > max_ratio * max(info.compress_size, 1)


def unsafe_name(name: str) -> tuple[str, str] | None:
    """Why a member's name is unsafe to use as a path (absolute, a drive, a '..' part, a NUL), in Chinese and
    English, or None."""
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        return "绝对路径", "absolute path"
    if ".." in re.split(r"[\\/]", name):
        return "包含“..”", "contains '..'"
    if "\x00" in name:
        return "包含空字符", "contains a NUL character"
    return None
