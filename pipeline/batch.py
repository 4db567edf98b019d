"""A whole submission round at once: collect the files, register them, check them in parallel, then the rules
that span applications, then the summaries.

The per-file step is `check_application(bytes, name, call)`, a pure function: the pool here maps it over the
files of one machine; a distributed executor (Dask, Ray) could map it the same way (see the README).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import multiprocessing
import os
import posixpath
import re
import signal
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

from pipeline import TOOL_NAME, __version__
from pipeline.calls import Call, load_call
from pipeline.check import TOOL, check_application
from pipeline.check.batch import Entry, batch_findings, read_members
from pipeline.check.codes import make
from pipeline.errors import PipelineError
from pipeline.model import FileInfo, Finding, Location, Report
from pipeline.registry import Registry

# Files a folder or an archive holds that nobody submitted: desktop clutter and Word's lock files.
_CLUTTER = re.compile(r"(^|/)(\.[^/]*|~\$[^/]*|__MACOSX(/.*)?|Thumbs\.db|desktop\.ini)$", re.IGNORECASE)


class BatchError(PipelineError):
    """The batch cannot be run (unreadable input, an archive beyond the limits, interrupted)."""


class Progress(Protocol):
    """What the batch tells whoever shows progress."""

    def start(self, total: int, cached: int) -> None:
        """`total` files to check, of which `cached` need no work."""

    def advance(self, n: int = 1) -> None:
        """`n` more files done."""


class _Silent:
    def start(self, total: int, cached: int) -> None:
        pass

    def advance(self, n: int = 1) -> None:
        pass


@dataclass(frozen=True)
class Source:
    """One input file: its path as shown to staff, and where its bytes are."""

    path: str
    file: Path | None = None
    archive: Path | None = None
    member: str | None = None
    size: int = 0
    problem: Finding | None = None  # refused before reading (an unsafe name, too big in the archive)


@dataclass(frozen=True)
class Row:
    """One input file's outcome: its registration number (None when it was refused unread) and report."""

    source: Source
    reg_no: str | None
    report: Report


@dataclass(frozen=True)
class BatchResult:
    """What a batch run did."""

    rows: tuple[Row, ...]
    checked: int
    cached: int
    new: int
    out_dir: Path
    outputs: tuple[Path, ...]

    @property
    def errors(self) -> int:
        """Rows with at least one error."""
        return sum(1 for r in self.rows if r.report.status == "fail")


# -- collecting the input ---------------------------------------------------------------------------------------

def _archive_name(info: zipfile.ZipInfo) -> str:
    """The member's name as its author wrote it: Windows zips store GBK names without the UTF-8 flag."""
    name = info.filename
    if not info.flag_bits & 0x800:
        with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
            name = name.encode("cp437").decode("gb18030")
    return name


def _unsafe(name: str) -> tuple[str, str] | None:
    """Why an archive member's name is unsafe to use as a path, or None."""
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        return "绝对路径", "absolute path"
    if ".." in re.split(r"[\\/]", name):
        return "包含“..”", "contains '..'"
    if "\x00" in name:
        return "包含空字符", "contains a NUL character"
    return None


def collect(input_path: Path, call: Call, out_dir: Path | None = None) -> list[Source]:
    """The files of a folder (recursively) or a .zip, sorted by path, with those refused unread marked."""
    if input_path.is_dir():
        return _collect_folder(input_path, call, out_dir)
    if input_path.is_file() and zipfile.is_zipfile(input_path):
        return _collect_zip(input_path, call)
    if input_path.is_file():
        raise BatchError(f"{input_path} 不是文件夹或 .zip 压缩包", f"{input_path} is neither a folder nor a .zip")
    raise BatchError(f"找不到 {input_path}", f"{input_path} does not exist")


def _collect_folder(root: Path, call: Call, out_dir: Path | None) -> list[Source]:
    skip = out_dir.resolve() if out_dir else None
    out: list[Source] = []
    for folder, dirs, files in os.walk(root, followlinks=False):
        here = Path(folder)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and (skip is None or (here / d).resolve() != skip))
        for name in files:
            p = here / name
            rel = p.relative_to(root).as_posix()
            if _CLUTTER.search(rel):
                continue
            if p.is_symlink():
                out.append(Source(rel, problem=make("file.unsafe_path", call, actual=rel, reason_zh="符号链接",
                                                    reason_en="a symbolic link")))
                continue
            out.append(Source(rel, file=p, size=p.stat().st_size))
    return sorted(out, key=lambda s: s.path)


def _collect_zip(archive: Path, call: Call) -> list[Source]:
    limits = call.batch
    max_entries = int(limits.get("max_archive_entries", 20000))
    max_total = int(limits.get("max_archive_bytes", 8 * 2**30))
    max_bytes = int(call.file.get("max_bytes", 20 * 2**20))
    max_ratio = float(call.file.get("max_zip_ratio", 200))
    try:
        with zipfile.ZipFile(archive) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError) as e:
        raise BatchError(f"压缩包 {archive.name} 无法打开：{e}",
                         f"cannot open the archive {archive.name}: {e}") from None
    if len(infos) > max_entries:
        raise BatchError(f"压缩包 {archive.name} 内文件过多（{len(infos)} 个，上限 {max_entries}）",
                         f"the archive {archive.name} holds too many files ({len(infos)}, limit {max_entries})")
    total = sum(i.file_size for i in infos)
    if total > max_total:
        raise BatchError(f"压缩包 {archive.name} 解压后过大（{total // 2**20} MB）",
                         f"the archive {archive.name} expands to {total // 2**20} MB")
    out: list[Source] = []
    seen: set[str] = set()
    for info in infos:
        name = _archive_name(info)
        if info.is_dir() or _CLUTTER.search(name.rstrip("/")):
            continue
        why = _unsafe(name)
        shown = name if why else posixpath.normpath(name.replace("\\", "/"))
        if why:
            out.append(Source(shown, problem=make("file.unsafe_path", call, actual=name, reason_zh=why[0],
                                                  reason_en=why[1])))
            continue
        if shown in seen:  # a zip may hold the same name twice: the later one would silently win on extraction
            shown = f"{shown}#{info.header_offset}"
        seen.add(shown)
        problem = None
        if info.file_size > max_bytes:
            problem = make("file.too_large", call, reason_zh=f"{info.file_size / 2**20:.1f} MB，超过 "
                           f"{max_bytes / 2**20:g} MB 的上限", reason_en=f"{info.file_size / 2**20:.1f} MB, "
                           f"over the {max_bytes / 2**20:g} MB limit")
        elif info.file_size > 2**20 and info.file_size > max_ratio * max(info.compress_size, 1):
            problem = make("file.too_large", call, reason_zh="压缩比异常，疑似压缩炸弹",
                           reason_en="abnormal compression ratio (a zip bomb)")
        out.append(Source(shown, archive=archive, member=info.filename, size=info.file_size, problem=problem))
    return sorted(out, key=lambda s: s.path)


def read_source(source: Source, max_bytes: int) -> bytes | None:
    """A source's bytes, at most max_bytes + 1 of them (headers can lie); None when it is too big to read."""
    if source.file is not None:
        with open(source.file, "rb") as fh:
            return fh.read(max_bytes + 1)
    if source.archive is not None and source.member is not None:
        with zipfile.ZipFile(source.archive) as zf, zf.open(source.member) as fh:
            return fh.read(max_bytes + 1)
    return None


def _sha256(source: Source) -> str:
    h = hashlib.sha256()
    if source.file is not None:
        with open(source.file, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    elif source.archive is not None and source.member is not None:
        with zipfile.ZipFile(source.archive) as zf, zf.open(source.member) as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    return h.hexdigest()


# -- the per-file step, in a worker -----------------------------------------------------------------------------

_BATCH_FIELDS = ("project.name", "summary", "applicant.credit_code", "applicant.member_no")
_worker_call: Call | None = None


def _init_worker(call_folder: str) -> None:
    global _worker_call
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides what an interrupt means
    _worker_call = load_call(call_folder)


def check_source(source: Source, call: Call) -> tuple[dict[str, Any], dict[str, Any]]:
    """Check one source; the report as a dict and the locations of the fields the batch rules name."""
    max_bytes = int(call.file.get("max_bytes", 20 * 2**20))
    try:
        data = read_source(source, max_bytes)
    except (OSError, zipfile.BadZipFile, ValueError, EOFError, RuntimeError) as e:
        return _unread(source, call, f"（{e}）", f" ({e})").to_dict(), {}
    assert data is not None
    report, app = check_application(data, source.path, call)
    locations: dict[str, Any] = {}
    if app is not None:
        paths = list(_BATCH_FIELDS) + [f"persons[{i}]" for i in range(len(app.values.get("persons") or []))]
        for p in paths:
            loc = app.location_of(p)
            if loc is not None:
                locations[p] = loc.to_dict()
    return report.to_dict(), locations


def _doc_work(task: tuple[Any, str]) -> None:
    from pipeline.report.summary import make_document

    job, lang = task
    assert _worker_call is not None
    make_document(job, _worker_call, lang)


def _work(task: tuple[str, Source]) -> tuple[str, dict[str, Any], dict[str, Any]]:
    reg_no, source = task
    assert _worker_call is not None
    report, locations = check_source(source, _worker_call)
    return reg_no, report, locations


# -- the run ----------------------------------------------------------------------------------------------------

def call_version(call: Call) -> str:
    """What the cache depends on besides the file: the form version and the exact call.yaml."""
    digest = hashlib.sha256((call.folder / "call.yaml").read_bytes()).hexdigest()[:16]
    return f"{call.form_version}+{digest}"


TOOL_VERSION = f"{TOOL_NAME} {__version__}"


def _unread(source: Source, call: Call, why_zh: str = "", why_en: str = "") -> Report:
    """The report of a file that was not read: refused up front (source.problem), or unreadable."""
    finding = source.problem or make("file.corrupt", call, part=source.path, reason_zh=f"无法读取{why_zh}",
                                     reason_en=f"unreadable{why_en}")
    return Report(TOOL, call.id, FileInfo(source.path, "", "unknown", source.size), {}, (finding,))


class Workers:
    """The batch's worker processes, started on first use and shared by the checks and the documents.

    Started early and once: forked while this process is still small (before it holds the round's reports), so
    the workers do not carry a copy of it, and the documents phase pays no second start-up. Workers are not
    recycled: a replacement would be forked from the by-then large parent.
    """

    def __init__(self, call: Call, jobs: int) -> None:
        self.call, self.jobs = call, max(jobs, 1)
        self._pool: Any = None

    def imap(self, fn: Callable[[Any], Any], tasks: Sequence[Any], here: Callable[[Any], Any]) -> Iterator[Any]:
        """fn over tasks in the workers, results as they come; `here` does the same in this process, used when a
        pool would cost more than it saves."""
        if self.jobs <= 1 or len(tasks) <= 2:
            for t in tasks:
                yield here(t)
            return
        if self._pool is None:
            # fork: the workers start with every module this process imported; each loads the call once
            ctx = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
            self._pool = ctx.Pool(self.jobs, initializer=_init_worker, initargs=(str(self.call.folder),))
        yield from self._pool.imap_unordered(fn, tasks, chunksize=1)

    def close(self, ok: bool) -> None:
        """Stop the workers: let them finish (ok) or terminate them (an interrupt, an error)."""
        if self._pool is not None:
            if ok:
                self._pool.close()
            else:
                self._pool.terminate()
            self._pool.join()
            self._pool = None


def _work_here(task: tuple[str, Source], call: Call) -> tuple[str, dict[str, Any], dict[str, Any]]:
    reg_no, source = task
    report, locations = check_source(source, call)
    return reg_no, report, locations


def _document_mapper(workers: Workers, lang: str) -> Callable[[Sequence[Any]], Iterator[None]]:
    """Runs the per-application document jobs (annotated copies, letters) over the worker processes."""
    from pipeline.report.summary import make_document

    def run(docs: Sequence[Any]) -> Iterator[None]:
        yield from workers.imap(_doc_work, [(d, lang) for d in docs],
                                lambda t: make_document(t[0], workers.call, t[1]))

    return run


def return_letters(rows: Sequence[Row], call: Call, registry: Registry) -> dict[str, tuple[str, str]]:
    """Registration number -> (letter number, ISO date) of each application to send back for correction: a form
    that was read, with errors. Acceptance letters come with `award letters` once the round is closed."""
    import datetime as dt

    from pipeline.calls import document_setting
    from pipeline.issuing import letter_number

    day = document_setting(call, "letters_date", dt.date) or dt.date.today()
    failing = sorted({r.reg_no for r in rows if r.reg_no and r.report.fields and r.report.status == "fail"})
    return {a.reg_no: (letter_number(call, a.seq), day.isoformat())
            for a in registry.applications_by_numbers(failing)}


def register_sources(sources: Sequence[Source], call: Call, registry: Registry) -> tuple[dict[str, str], int]:
    """Registration numbers by source path, in path order (one transaction each); and how many were new."""
    prefix = str(call.batch.get("registration_prefix", f"{call.year}-"))
    digits = int(call.batch.get("registration_digits", 4))
    numbers: dict[str, str] = {}
    new = 0
    for s in sources:
        if s.problem is not None:
            continue
        try:
            sha = _sha256(s)
        except (OSError, zipfile.BadZipFile, ValueError, EOFError, RuntimeError):
            continue  # unreadable: its check says so, with no number
        reg_no, was_new = registry.register(call.id, sha, s.path, prefix, digits)
        numbers[s.path] = reg_no
        new += was_new
    return numbers, new


def run_batch(input_path: Path, out_dir: Path, call: Call, registry: Registry, members: Path | None = None,
              jobs: int | None = None, use_cache: bool = True, progress: Progress | None = None,
              lang: str = "zh", outputs: bool = True, letters: bool = True) -> BatchResult:
    """Register and check every file of a folder or .zip, apply the batch rules, write the summaries."""
    progress = progress or _Silent()
    member_list = read_members(members) if members is not None else None
    sources = collect(input_path, call, out_dir)
    numbers, new = register_sources(sources, call, registry)
    version = call_version(call)
    file_reports: dict[str, dict[str, Any]] = {}
    locations: dict[str, dict[str, Any]] = {}
    todo: list[tuple[str, Source]] = []
    queued: set[str] = set()
    for s in sources:
        reg_no = numbers.get(s.path)
        if reg_no is None or reg_no in queued or reg_no in file_reports:
            continue
        cached = registry.cached_file_report(reg_no, version, TOOL_VERSION) if use_cache else None
        if cached is not None:
            file_reports[reg_no], locations[reg_no] = cached["report"], cached.get("locations", {})
        else:
            todo.append((reg_no, s))
            queued.add(reg_no)
    n_cached = len(file_reports)
    progress.start(n_cached + len(todo), n_cached)
    progress.advance(n_cached)
    workers = Workers(call, jobs or os.cpu_count() or 1)
    ok = False
    try:
        for reg_no, report, locs in workers.imap(_work, todo, lambda t: _work_here(t, call)):
            registry.store_file_report(reg_no, report, version, TOOL_VERSION, locs)
            file_reports[reg_no], locations[reg_no] = report, locs
            progress.advance()
        known = registry.similarity_cache()
        seen = dict(known)
        rows = _final_rows(sources, numbers, file_reports, locations, call, member_list, seen)
        file_reports.clear()  # the rows hold the reports now; a large round should not keep two copies
        locations.clear()
        fresh = {k: v for k, v in seen.items() if known.get(k) != v}
        if fresh:
            registry.store_similarity(fresh)
        distinct = [r.report.to_dict() for r in _distinct(rows)]
        texts = [json.dumps(d, ensure_ascii=False) + "\n" for d in distinct]  # compact: the C encoder, 5x faster
        registry.store_results(distinct, texts)
        by_number = {d["registration"]: t for d, t in zip(distinct, texts, strict=True)}
        del distinct, texts
        written: list[Path] = []
        if outputs:
            from pipeline.report.summary import write_outputs

            written = write_outputs(rows, out_dir, call, lang, texts=by_number,
                                    letters=return_letters(rows, call, registry) if letters else None,
                                    mapper=_document_mapper(workers, lang))
        ok = True
    except KeyboardInterrupt:
        done = registry.checked_count(call.id, version, TOOL_VERSION)
        raise BatchError(f"已中断：{done} 份的检查结果已保存，重新运行同一命令将继续其余 {len(numbers) - done} 份",
                         f"interrupted: {done} results are saved; run the same command again to finish the other "
                         f"{len(numbers) - done}") from None
    finally:
        workers.close(ok)
    return BatchResult(rows=tuple(rows), checked=len(todo), cached=n_cached, new=new, out_dir=out_dir,
                       outputs=tuple(written))


def _distinct(rows: Sequence[Row]) -> list[Row]:
    seen: set[str] = set()
    out = []
    for r in rows:
        if r.reg_no and r.reg_no not in seen:
            seen.add(r.reg_no)
            out.append(r)
    return out


def _final_rows(sources: Sequence[Source], numbers: dict[str, str], file_reports: dict[str, dict[str, Any]],
                locations: dict[str, dict[str, Any]], call: Call, members: Any,
                similarity: dict[tuple[str, str], tuple[float, float | None]] | None = None) -> list[Row]:
    """Each file's report joined with the batch findings of its application."""
    entries = []
    for s in sources:
        reg_no = numbers.get(s.path)
        if reg_no is None or reg_no not in file_reports:
            continue
        rep = file_reports[reg_no]
        locs = {k: Location.from_dict(v) for k, v in locations.get(reg_no, {}).items()}
        entries.append(Entry(s.path, reg_no, rep["file"]["sha256"], rep.get("fields") or {}, locs))
    extra = batch_findings(entries, call, members, similarity)
    rows = []
    for s in sources:
        reg_no = numbers.get(s.path)
        if reg_no is None or reg_no not in file_reports:
            rows.append(Row(s, None, _unread(s, call)))
            continue
        base = Report.from_dict(file_reports[reg_no])
        findings = base.findings + tuple(extra.get(reg_no, ()))
        rows.append(Row(s, reg_no, replace(base, findings=findings, registration=reg_no,
                                           file=replace(base.file, path=s.path))))
    return rows



