"""Writing outputs (one function for every command: atomic for regular files, refusing the command's own inputs),
and reading the CSV files staff bring."""

from __future__ import annotations

import errno
import os
import re
import stat
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import IO

from pipeline.errors import OutputError

STDOUT = "-"  # `-o -`: the document goes to standard output

# The files the running command reads; an output that is one of them is refused (set by the command line).
_INPUTS: ContextVar[tuple[Path, ...]] = ContextVar("award_inputs", default=())

# What went wrong with a file, in words a user reads: Chinese only (the OS's English text is for --lang en).
_REASONS: dict[int, tuple[str, str, str]] = {  # errno: (zh when reading, zh when writing, en)
    errno.ENOENT: ("文件不存在", "所在文件夹不存在", "the file or its folder does not exist"),
    errno.ENOTDIR: ("路径中有一部分不是文件夹", "路径中有一部分不是文件夹", "a part of the path is not a folder"),
    errno.EISDIR: ("这是一个文件夹，不是文件", "这是一个文件夹，不是文件", "it is a folder, not a file"),
    errno.EACCES: ("没有读取权限", "没有写入权限", "permission denied"),
    errno.EPERM: ("没有权限", "没有权限", "operation not permitted"),
    errno.EROFS: ("只读文件系统", "只读文件系统，不能写入", "the file system is read-only"),
    errno.ENOSPC: ("磁盘空间不足", "磁盘空间不足", "no space left on the disk"),
    errno.EDQUOT: ("超出磁盘配额", "超出磁盘配额", "disk quota exceeded"),
    errno.ENAMETOOLONG: ("文件名过长", "文件名过长", "the file name is too long"),
    errno.ELOOP: ("符号链接形成循环", "符号链接形成循环", "the symbolic links form a loop"),
    errno.ENXIO: ("无法打开这种特殊文件", "无法写入这种特殊文件", "this special file cannot be opened"),
    errno.EIO: ("磁盘读写错误", "磁盘读写错误", "an input/output error on the disk"),
    errno.EEXIST: ("已有同名文件", "已有同名文件", "a file of that name exists"),
    errno.EBUSY: ("文件正被占用", "文件正被占用", "the file is busy"),
    errno.ETXTBSY: ("文件正被占用", "文件正被占用", "the file is busy"),
    errno.EMFILE: ("同时打开的文件过多", "同时打开的文件过多", "too many open files"),
    errno.ENFILE: ("同时打开的文件过多", "同时打开的文件过多", "too many open files"),
    errno.EFBIG: ("文件过大", "文件过大", "the file is too large"),
    errno.ENOTEMPTY: ("文件夹不是空的", "文件夹不是空的", "the folder is not empty"),
    errno.ENODEV: ("设备不存在", "设备不存在", "no such device"),
}


def reason(e: OSError, writing: bool = True) -> tuple[str, str]:
    """(zh, en) words for an OSError: the one function every message about a failed read or write uses.

    The Chinese is a reason a staff member understands (文件不存在, 没有读取权限, 磁盘空间不足, 只读文件系统, 这是一个
    文件夹 …) with no English in it; the English adds the system's own text (strerror) in brackets."""
    detail = e.strerror or type(e).__name__
    words = _REASONS.get(e.errno or 0)
    if words is None:
        name = errno.errorcode.get(e.errno or 0)
        return (f"系统错误（{name}）" if name else "系统错误"), detail
    return (words[1] if writing else words[0]), f"{words[2]} ({detail})"


def read_reason(e: OSError) -> tuple[str, str]:
    """reason() for a file that was to be read (文件不存在, not 所在文件夹不存在)."""
    return reason(e, writing=False)


def _cannot(path: Path | str, zh: str, en: str) -> OutputError:
    return OutputError(f"无法写入 {path}：{zh}", f"cannot write {path}: {en}")


@contextmanager
def inputs_protected(paths: Iterable[Path]) -> Iterator[None]:
    """While inside, every output is refused when it is one of `paths` (by resolved path or by inode)."""
    token = _INPUTS.set((*_INPUTS.get(), *(Path(p) for p in paths)))
    try:
        yield
    finally:
        _INPUTS.reset(token)


def _same(a: Path, b: Path) -> bool:
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return os.path.samestat(os.stat(a), os.stat(b))  # hard links, bind mounts
    except OSError:
        return False


def refuse_input(path: Path) -> None:
    """Raise OutputError when `path` is one of the running command's inputs."""
    for source in _INPUTS.get():
        if _same(path, source):
            raise OutputError(f"不能写入 {path}：它是本命令读取的文件 {source}，写入会覆盖它",
                              f"refusing to write {path}: it is a file this command reads ({source}) and would "
                              "be overwritten")


def output_dir(path: Path) -> Path:
    """Create an output folder (and its parents) when missing; a clear OutputError when that is impossible."""
    path = Path(path)
    if str(path) == STDOUT:
        raise OutputError("“-”（标准输出）只能用于单个文件，这里需要一个文件夹",
                          "“-” (standard output) is for a single file; a folder is needed here")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise _cannot(path, "已有同名文件，需要的是文件夹", "a file of that name exists; a folder is needed") from None
    except OSError as e:
        raise _cannot(path, *reason(e)) from None
    return path


def _rendered(write: Callable[[IO[bytes]], object]) -> bytes:
    """The whole document in memory first: a stream gets all of it or nothing, and no writer needs to seek."""
    import io

    buf = io.BytesIO()
    write(buf)
    return buf.getvalue()


def _write_stdout(write: Callable[[IO[bytes]], object]) -> None:
    data = _rendered(write)
    out = getattr(sys.stdout, "buffer", None)
    try:
        if out is None:  # a text-only stream (an embedding program)
            sys.stdout.write(data.decode("utf-8", "surrogateescape"))
        else:
            sys.stdout.flush()
            out.write(data)
            out.flush()
    except OSError as e:
        raise _cannot("标准输出", *reason(e)) from None


def atomic_write(path: Path, write: Callable[[IO[bytes]], object]) -> Path:
    """Write one output file: the one function every command writes through.

    Refuses the command's inputs; `-` is standard output; a symlink is written at its target; a device or FIFO
    is written directly; a regular file goes to a temporary name beside it and is renamed into place (never
    half-written). Missing parent folders are an error, never created here (see output_dir)."""
    path = Path(path)
    if str(path) == STDOUT:
        _write_stdout(write)
        return path
    refuse_input(path)
    target = Path(os.path.realpath(path))  # through symlinks, even a dangling one, to the file they name
    try:
        st: os.stat_result | None = os.stat(target)
    except FileNotFoundError:
        st = None
    except OSError as e:
        raise _cannot(path, *reason(e)) from None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise _cannot(path, "这是一个文件夹，不是文件", "it is a folder, not a file")
    if st is not None and not stat.S_ISREG(st.st_mode):
        _write_special(path, target, write)
        return path
    if not target.parent.is_dir():
        raise _cannot(path, f"文件夹 {target.parent} 不存在", f"the folder {target.parent} does not exist")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as e:
        raise _cannot(path, *reason(e)) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, stat.S_IMODE(st.st_mode) if st is not None else 0o644)
        os.replace(tmp, target)
    except OSError as e:
        Path(tmp).unlink(missing_ok=True)
        raise _cannot(path, *reason(e)) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _write_special(path: Path, target: Path, write: Callable[[IO[bytes]], object]) -> None:
    """A device or a FIFO: opened and written as it is (a rename would put a regular file in its place)."""
    data = _rendered(write)
    try:
        with open(target, "wb") as fh:
            fh.write(data)
    except OSError as e:
        raise _cannot(path, *reason(e)) from None


def sweep_temporaries(folder: Path) -> int:
    """Remove what atomic writes of an earlier run left when it was killed (`.<name>.<random>.tmp` files) from an
    output folder; returns how many. Only our own names are touched."""
    gone = 0
    if folder.is_dir():
        for p in folder.rglob(".*.tmp"):
            if p.is_file() and not p.is_symlink() and _TEMPORARY.match(p.name):
                p.unlink(missing_ok=True)
                gone += 1
    return gone


_TEMPORARY = re.compile(r"^\..+\.[A-Za-z0-9_]{8}\.tmp$")


def write_bytes(path: Path, data: bytes) -> Path:
    """Write bytes atomically."""
    return atomic_write(path, lambda fh: fh.write(data))


def write_text(path: Path, text: str) -> Path:
    """Write UTF-8 text atomically."""
    return write_bytes(path, text.encode("utf-8"))


def save_docx(document: object, path: Path) -> Path:
    """Save a python-docx Document atomically."""
    return atomic_write(path, lambda fh: document.save(fh))  # type: ignore[attr-defined]


# python-docx's template says 1 page, 0 words: statistics no one computed; Word recomputes them on save.
_STALE_STATS = re.compile(rb"<(Pages|Words|Characters|CharactersWithSpaces|Lines|Paragraphs)>\d*</\1>")


def docx_bytes(document: object) -> bytes:
    """A python-docx Document as bytes that depend only on its content (fixed zip timestamps and order)."""
    import io
    import zipfile

    raw = io.BytesIO()
    document.save(raw)  # type: ignore[attr-defined]
    with zipfile.ZipFile(raw) as src:
        parts = [(info.filename, src.read(info.filename)) for info in src.infolist()]
    return zip_bytes([(name, _STALE_STATS.sub(b"", data) if name == "docProps/app.xml" else data)
                      for name, data in parts])


def zip_bytes(parts: Iterable[tuple[str, bytes]], stored: tuple[str, ...] = ()) -> bytes:
    """A zip (docx) of (name, bytes) parts in the given order that depends only on them: fixed timestamps and
    modes; parts whose names end with one of `stored` (already-compressed pictures) are stored, the rest deflated."""
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in parts:
            fixed = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_STORED if stored and name.endswith(stored) else zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, data)
    return out.getvalue()


def save_docx_reproducible(document: object, path: Path) -> Path:
    """Save a python-docx Document atomically, byte-reproducibly."""
    return write_bytes(path, docx_bytes(document))


def decode_csv(data: bytes) -> str | None:
    """The text of a CSV as staff save it: UTF-8 with or without BOM, or GBK/GB18030 as Chinese Excel writes
    "CSV"; None when it is neither."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None
