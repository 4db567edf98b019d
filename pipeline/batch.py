"""A whole submission round at once: collect the files, register them, check them in parallel, then the rules
that span applications, then the summaries.

The per-file step is `check_application(bytes, name, call)`, a pure function: the pool here maps it over the
files of one machine (`Workers`), pipeline.cluster over a Dask cluster's (`--executor dask`); registration, the rules
across applications and every output stay in this process either way.
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
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

from pipeline import TOOL_NAME, __version__
from pipeline.calls import Call, load_call
from pipeline.check import TOOL, check_application, check_bytes
from pipeline.check.batch import Entry, batch_findings, read_members
from pipeline.check.codes import make
from pipeline.check.limits import limits_of, run_limited, too_complex
from pipeline.errors import Interrupted, PipelineError
from pipeline.fileio import read_reason, sweep_temporaries
from pipeline.ingest.sniff import OLE_MAGIC
from pipeline.ingest.sources import Source, close_archives, read_source, source_sha256
from pipeline.ingest.zipguard import OPEN_ERRORS, directory_excess, is_bomb, unsafe_name
from pipeline.model import FileInfo, Location, Report
from pipeline.progress import Progress, silent
from pipeline.registry import Listing, Registry
from pipeline.report.rows import DryRunLine, Row

# Files a folder or an archive holds that nobody submitted: desktop clutter, macOS resource forks and Word's lock
# files. A dot-file named like a document (".docx") may be someone's form and gets its row.
_CLUTTER = re.compile(r"(^|/)(\._[^/]*|\.(?!([^/]*\.)?(docx|pdf|doc|wps)$)[^/]+|~\$[^/]*|__MACOSX(/.*)?|Thumbs\.db"
                      r"|desktop\.ini)$", re.IGNORECASE)


class BatchError(PipelineError):
    """The batch cannot be run (unreadable input, an archive beyond the limits, interrupted)."""


class BatchInterrupted(BatchError, Interrupted):
    """Ctrl-C during a batch: what was saved is kept, the same command finishes the rest (exit 130)."""


@dataclass(frozen=True)
class BatchResult:
    """What a batch run did."""

    rows: tuple[Row, ...]
    checked: int
    cached: int
    new: int
    out_dir: Path
    outputs: tuple[Path, ...]
    screened: int = 0  # files checked that are not this call's form (no number)

    @property
    def errors(self) -> int:
        """Rows with at least one error."""
        return sum(1 for r in self.rows if r.report.status == "fail")


# -- collecting the input ---------------------------------------------------------------------------------------

def decode_name(raw: bytes) -> str:
    """A file name's bytes as its author wrote them: UTF-8 (Linux zip, macOS, any folder), else GB18030 (a
    superset of the GBK Chinese Windows writes), else the raw bytes escaped, so a name is never mojibake."""
    for encoding in ("utf-8", "gb18030"):
        with contextlib.suppress(UnicodeDecodeError):
            return raw.decode(encoding)
    return raw.decode("utf-8", "backslashreplace")


def printable(name: str) -> str:
    """A name safe to show anywhere (summary cells, XML, a terminal): control characters and lone surrogates
    escaped as \\xNN, so the file is still recognisable."""
    out = []
    for ch in name:
        code = ord(ch)
        if 0xDC80 <= code <= 0xDCFF:  # a byte that os.fsdecode could not decode
            out.append(f"\\x{code - 0xDC00:02x}")
        elif code < 0x20 or 0x7F <= code < 0xA0 or 0xD800 <= code <= 0xDFFF or code in (0xFFFE, 0xFFFF):
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(ch)
    return "".join(out)


def _archive_name(info: zipfile.ZipInfo) -> str:
    """The member's full name (a NUL does not cut it short), decoded as decode_name says; the UTF-8 flag wins."""
    name = info.orig_filename
    if info.flag_bits & 0x800:
        return name
    try:
        raw = name.encode("cp437")  # zipfile decoded the bytes as cp437, which maps every byte: undo it
    except UnicodeEncodeError:
        return name
    return decode_name(raw)


def _distinct_name(name: str, seen: set[str]) -> str:
    """name, or name#2, name#3… when another file already showed under it (an archive may hold one name twice;
    two undecodable names may escape alike)."""
    shown, n = name, 1
    while shown in seen:
        n += 1
        shown = f"{name}#{n}"
    seen.add(shown)
    return shown


def _office_document(path: Path) -> bool:
    """Whether a zip file is itself a Word/Office document (it has the package's content types at its root)."""
    with contextlib.suppress(*OPEN_ERRORS):
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist()[:200])
        return "[Content_Types].xml" in names or "word/document.xml" in names
    return False


def _inside(a: Path, b: Path) -> bool:
    """Whether a is b or lies inside it (resolved)."""
    a, b = a.resolve(), b.resolve()
    return a == b or b in a.parents


def check_input(input_path: Path, out_dir: Path | None) -> None:
    """Refuse an INPUT that is one form rather than a round, and an OUTDIR that overlaps it."""
    if input_path.is_file():
        with open(input_path, "rb") as fh:
            head = fh.read(1024)
        single = b"%PDF-" in head or head.startswith(OLE_MAGIC) or (
            head.startswith(b"PK") and _office_document(input_path))
        if single:
            raise BatchError(f"{input_path} 是单个文件，不是文件夹或 .zip 压缩包；检查单份申报书请使用 award check "
                             f"{input_path}",
                             f"{input_path} is a single file, not a folder or a .zip; to check one application use "
                             f"award check {input_path}")
    if out_dir is not None and (_inside(out_dir, input_path) or _inside(input_path, out_dir)):
        raise BatchError(f"输出文件夹 {out_dir} 与输入 {input_path} 重叠（一个在另一个之内），否则输出会被当作申报材料"
                         "登记；请另选输出文件夹",
                         f"the output folder {out_dir} and the input {input_path} overlap (one is inside the other), "
                         "so the outputs would be registered as applications; choose another output folder")


def collect(input_path: Path, call: Call, out_dir: Path | None = None) -> list[Source]:
    """The files of a folder (recursively) or a .zip, sorted by path, with those refused unread marked."""
    check_input(input_path, out_dir)
    if input_path.is_dir():
        return _collect_folder(input_path, call, out_dir)
    if input_path.is_file() and zipfile.is_zipfile(input_path):
        return _collect_zip(input_path, call)
    if input_path.is_file():
        raise BatchError(f"{input_path} 不是文件夹或 .zip 压缩包", f"{input_path} is neither a folder nor a .zip")
    raise BatchError(f"找不到 {input_path}", f"{input_path} does not exist")


def _collect_folder(root: Path, call: Call, out_dir: Path | None) -> list[Source]:
    skip = out_dir.resolve() if out_dir else None
    found: list[tuple[str, Path]] = []
    for folder, dirs, files in os.walk(root, followlinks=False):
        here = Path(folder)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and (skip is None or (here / d).resolve() != skip))
        for name in files:
            p = here / name
            # a name that is not UTF-8 (copied from an old Windows disk) comes as surrogates: show what it says
            rel = printable(decode_name(os.fsencode(p.relative_to(root).as_posix())))
            if not _CLUTTER.search(rel):
                found.append((rel, p))
    out: list[Source] = []
    seen: set[str] = set()
    for rel, p in sorted(found):
        shown = _distinct_name(rel, seen)
        if p.is_symlink():
            out.append(Source(shown, problem=make("file.unsafe_path", call, actual=shown, reason_zh="符号链接",
                                                  reason_en="a symbolic link")))
            continue
        try:
            size = p.stat().st_size
        except OSError:
            size = 0  # gone or unreadable: its check says so
        out.append(Source(shown, file=p, size=size))
    return sorted(out, key=lambda s: s.path)


def _collect_zip(archive: Path, call: Call) -> list[Source]:
    max_entries = call.batch.max_archive_entries
    max_total = call.batch.max_archive_bytes
    max_bytes = call.file.max_bytes
    max_ratio = call.file.max_zip_ratio
    try:
        with zipfile.ZipFile(archive) as zf:
            infos = zf.infolist()
    except OPEN_ERRORS as e:
        zh, en = read_reason(e) if isinstance(e, OSError) else ("不是有效的 .zip 压缩包或已损坏", str(e))
        raise BatchError(f"压缩包 {archive.name} 无法打开：{zh}",
                         f"cannot open the archive {archive.name}: {en}") from None
    excess = directory_excess(infos, max_entries, max_total)
    if excess is not None and excess.what == "entries":
        raise BatchError(f"压缩包 {archive.name} 内文件过多（{len(infos)} 个，上限 {max_entries}）",
                         f"the archive {archive.name} holds too many files ({len(infos)}, limit {max_entries})")
    if excess is not None:
        raise BatchError(f"压缩包 {archive.name} 解压后达 {excess.amount // 2**20} MB，超过安全上限",
                         f"the archive {archive.name} expands to {excess.amount // 2**20} MB")
    out: list[Source] = []
    seen: set[str] = set()
    for index, info in enumerate(infos):
        name = _archive_name(info)
        if info.is_dir() or _CLUTTER.search(name.rstrip("/")):
            continue
        why = unsafe_name(name)
        shown = printable(name if why else posixpath.normpath(name.replace("\\", "/")))
        # the same name twice (mail exports do this): distinct files, each read by its own index
        shown = _distinct_name(shown, seen)
        if why:
            out.append(Source(shown, problem=make("file.unsafe_path", call, actual=shown, reason_zh=why[0],
                                                  reason_en=why[1])))
            continue
        problem = None
        if info.file_size > max_bytes:
            problem = make("file.too_large", call, reason_zh=f"{info.file_size / 2**20:.1f} MB，超过 "
                           f"{max_bytes / 2**20:g} MB 的上限", reason_en=f"{info.file_size / 2**20:.1f} MB, "
                           f"over the {max_bytes / 2**20:g} MB limit")
        elif is_bomb(info, max_ratio):
            problem = make("file.too_large", call, reason_zh="压缩比异常，疑似压缩炸弹",
                           reason_en="abnormal compression ratio (a zip bomb)")
        out.append(Source(shown, archive=archive, member=info.filename, index=index, size=info.file_size,
                          problem=problem))
    return sorted(out, key=lambda s: s.path)


# -- the per-file step, in a worker -----------------------------------------------------------------------------

_worker_call: Call | None = None
_warmed: set[tuple[int, int]] = set()


def warm(call: Call) -> None:
    """Load, once in a process that forks a worker per file, what every check needs: the PDF libraries (imported
    lazily), the call's JSON Schema validator and label tables, the form's styles. A forked worker inherits them;
    without this each worker pays for them again, and a batch checks 4 times slower."""
    key = (os.getpid(), id(call))
    if key in _warmed:
        return
    _warmed.add(key)
    from pdfplumber import table  # noqa: F401

    import pipeline.ingest.pdf  # noqa: F401
    from pipeline.fileio import docx_bytes
    from pipeline.render.form import build_form

    # the call's blank form, checked: the validator, the label tables and the form's styles (which every form filled
    # from it shares) are then in the cache
    check_bytes(docx_bytes(build_form(call)), "warm.docx", call)


def use_call(call: Call) -> None:
    """Make `call` this worker process's call (a pool's or a cluster's worker) and warm it: each file is checked in
    a child forked from here, which inherits a warm worker."""
    global _worker_call
    _worker_call = call
    warm(call)


def worker_call() -> Call:
    """The call this worker process was given (use_call)."""
    assert _worker_call is not None, "no call in this worker process: use_call was not run"
    return _worker_call


def _init_worker(call_folder: str) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides what an interrupt means
    use_call(load_call(call_folder))


def init_check_worker(call_folder: str) -> None:
    """Start a long-lived check worker (the web platform's pool, like the batch's): the call loaded once and every
    check's modules warm, so each file's own worker is forked from here ready to check."""
    _init_worker(call_folder)


def _worker_report(data: bytes, name: str) -> Report:
    from pipeline.check.limits import check_limited

    assert _worker_call is not None, "init_check_worker was not run in this process"
    return check_limited(data, name, _worker_call)


def check_in_worker(data: bytes, name: str) -> dict[str, Any]:
    """One uploaded file's report, checked in a worker started by init_check_worker, within the call's time and
    memory limits (file.too_complex when one is reached): the same report `award check` gives."""
    return _worker_report(data, name).to_dict()


def selfcheck_in_worker(data: bytes, name: str, lang: str = "zh") -> tuple[dict[str, Any], bytes | None]:
    """check_in_worker, and the annotated copy of a .docx that can carry comments (None otherwise, or when
    python-docx cannot open it): what the platform's self-check page shows and offers for download."""
    from pipeline.report.annotate import NotAnnotated, annotatable, annotated_bytes

    report = _worker_report(data, name)
    if not annotatable(report):
        return report.to_dict(), None
    try:
        return report.to_dict(), annotated_bytes(data, report, lang)
    except NotAnnotated:
        return report.to_dict(), None


def submission_check_in_worker(data: bytes, name: str, lang: str = "zh"
                               ) -> tuple[dict[str, Any], bytes | None]:
    """A unit's upload checked as `award batch` checks a file (within the call's limits): {"report", "locations"}
    (what the registry keeps for the rules across applications), and the annotated copy of a .docx that can carry
    comments (None otherwise)."""
    from pipeline.report.annotate import NotAnnotated, annotatable, annotated_bytes

    assert _worker_call is not None, "init_check_worker was not run in this process"
    call = _worker_call
    source = Source(name, size=len(data))
    seconds, mb = limits_of(call)
    got = run_limited(lambda: json.dumps(_checked(source, data, call), ensure_ascii=False).encode(), seconds, mb)
    if isinstance(got, str):
        report, locations = too_complex(data, name, call, got).to_dict(), {}
    else:
        report, locations = json.loads(got)
    found = Report.from_dict(report)
    copy = None
    if annotatable(found):
        with contextlib.suppress(NotAnnotated):
            copy = annotated_bytes(data, found, lang)
    return {"report": report, "locations": locations}, copy


# what reading one member of a damaged archive can raise (zlib.error from a damaged deflate stream): that file's row
_UNREADABLE: tuple[type[Exception], ...] = (*OPEN_ERRORS, zlib.error)


def read_for_check(source: Source, call: Call) -> bytes | dict[str, Any]:
    """A source's bytes for its check, or, when they cannot be read, the report saying why (read where the files
    are: this process, or the coordinator of a distributed run)."""
    try:
        data = read_source(source, call.file.max_bytes)
    except _UNREADABLE as e:
        zh, en = read_reason(e) if isinstance(e, OSError) else ("压缩包中的数据已损坏", str(e))
        return unread(source, call, f"（{zh}）", f" ({en})").to_dict()
    assert data is not None
    return data


def check_source(source: Source, call: Call) -> tuple[dict[str, Any], dict[str, Any]]:
    """Check one source; the report as a dict and the locations of the fields the batch rules name."""
    data = read_for_check(source, call)
    if isinstance(data, dict):
        return data, {}
    return check_data(source, data, call)


def check_data(source: Source, data: bytes, call: Call) -> tuple[dict[str, Any], dict[str, Any]]:
    """check_source on bytes already read (wherever this runs: a pool worker here, a cluster's worker)."""
    seconds, mb = limits_of(call)
    got = run_limited(lambda: json.dumps(_checked(source, data, call), ensure_ascii=False).encode(), seconds, mb)
    if isinstance(got, str):  # a limit reached: the file's one finding is file.too_complex
        return too_complex(data, source.path, call, got).to_dict(), {}
    report, locations = json.loads(got)
    return report, locations


def _checked(source: Source, data: bytes, call: Call) -> tuple[dict[str, Any], dict[str, Any]]:
    """The report of one file and the locations of the fields the batch rules name (run within the limits)."""
    try:
        report, app = check_application(data, source.path, call)
    except Exception as e:  # a reader's bug or a damaged file: one file must never stop the round
        return unread(source, call, f"（{type(e).__name__}）", f" ({type(e).__name__})").to_dict(), {}
    locations: dict[str, Any] = {}
    if app is not None:
        # where the fields the rules across applications quote stand in this file (their findings point there)
        roles = call.roles
        persons = app.values.get(roles.persons) or []
        paths = [roles.project_name, roles.summary, roles.applicant_code, roles.member_no]
        paths += [f"{roles.persons}[{i}]" for i in range(len(persons))]
        for p in paths:
            loc = app.location_of(p)
            if loc is not None:
                locations[p] = loc.to_dict()
    return report.to_dict(), locations


def _doc_work(task: tuple[Any, str]) -> Any:
    from pipeline.report.summary import make_document

    job, lang = task
    assert _worker_call is not None
    return make_document(job, _worker_call, lang)


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


def unread(source: Source, call: Call, why_zh: str = "", why_en: str = "") -> Report:
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

    def imap(self, fn: Callable[[Any], Any], tasks: Sequence[Any], here: Callable[[Any], Any],
             ordered: bool = False) -> Iterator[Any]:
        """fn over tasks in the workers, results as they come (in task order when `ordered`); `here` does the
        same in this process, used when a pool would cost more than it saves."""
        if self.jobs <= 1 or len(tasks) <= 2:
            if len(tasks) > 2:
                warm(self.call)  # many files checked from this process: each forked check starts warm
            for t in tasks:
                yield here(t)
            return
        if self._pool is None:
            # fork: the workers start with every module this process imported; each loads the call once
            ctx = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
            self._pool = ctx.Pool(self.jobs, initializer=_init_worker, initargs=(str(self.call.folder),))
        mapper = self._pool.imap if ordered else self._pool.imap_unordered
        yield from mapper(fn, tasks, chunksize=1)

    def checks(self, todo: Sequence[tuple[str, Source]]) -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
        """(sha, report, locations) of each (sha, source) to check, in the order given (path order)."""
        call = self.call
        return self.imap(_work, list(todo), lambda t: _work_here(t, call), ordered=True)

    def documents(self, docs: Sequence[Any], lang: str) -> Iterator[Any]:
        """Make each document job (annotated copy, return letter) into its target; what went wrong with each, in
        order (see make_document)."""
        from pipeline.report.summary import make_document

        call = self.call
        return self.imap(_doc_work, [(d, lang) for d in docs], lambda t: make_document(t[0], call, t[1]),
                         ordered=True)

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


class Executor(Protocol):
    """Where a batch's per-file work runs: `Workers` (this machine's processes) or `cluster.DaskWorkers`."""

    call: Call

    def checks(self, todo: Sequence[tuple[str, Source]]) -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
        ...

    def documents(self, docs: Sequence[Any], lang: str) -> Iterator[Any]:
        ...

    def close(self, ok: bool) -> None:
        ...


# -- the per-file tasks on a Dask cluster (pipeline.cluster runs them) --

def _dask_check(files: Sequence[tuple[str, Source, bytes]]) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(sha, report, locations) of each (sha, source, bytes), checked on a cluster's worker."""
    call = worker_call()
    return [(sha, *check_data(source, data, call)) for sha, source, data in files]


def _dask_document(job: Any, lang: str, data: bytes | None) -> tuple[Any, bytes | None]:
    """Make one document in the worker's temporary space; (what went wrong or None, the document's bytes)."""
    import tempfile

    from pipeline.report.summary import make_document

    with tempfile.TemporaryDirectory(prefix="award-doc-") as tmp:
        row = job.row
        if data is not None:  # the annotated copy's original, as the worker's own file
            original = Path(tmp) / "original"
            original.write_bytes(data)
            row = replace(row, source=Source(row.source.path, file=original, size=len(data)))
        target = Path(tmp) / f"document{job.target.suffix}"
        problem = make_document(replace(job, target=target, row=row), worker_call(), lang)
        return problem, (target.read_bytes() if target.is_file() else None)


def _dask_lost(source: Source, call: Call, e: BaseException) -> dict[str, Any]:
    """The report of a file whose check kept killing the workers that ran it: unread, with the reason."""
    return unread(source, call, f"（检查它的计算节点多次中止：{type(e).__name__}）",
                  f" (the workers checking it died: {type(e).__name__})").to_dict()


EXECUTORS = ("local", "dask")


def executor_for(call: Call, jobs: int | None, executor: str = "local", scheduler: str | None = None) -> Executor:
    """The batch's workers: `local`, a process pool of `jobs` (default: one per core); `dask`, a Dask cluster
    (a LocalCluster of `jobs` workers, or the one at `scheduler`)."""
    if executor == "dask":
        from pipeline.cluster import DaskWorkers, Tasks

        tasks = Tasks(read_for_check, _dask_check, _dask_document, _dask_lost, use_call, call_version(call))
        return DaskWorkers(call, tasks, jobs, scheduler)
    return Workers(call, jobs or os.cpu_count() or 1)


def _document_mapper(workers: Executor, lang: str, progress: Progress | None = None,
                     ) -> Callable[[Sequence[Any]], Iterator[Any]]:
    """Runs the per-application document jobs (annotated copies, letters) over the workers."""

    def run(docs: Sequence[Any]) -> Iterator[Any]:
        shown = silent(progress)
        shown.phase("写出结果", "writing the results", len(docs))
        for done in workers.documents(docs, lang):
            shown.advance()
            yield done
        shown.phase("写出汇总表", "writing the summaries")

    return run


def return_letters(rows: Sequence[Row], call: Call, registry: Registry) -> dict[str, tuple[str, str]]:
    """Registration number -> (letter number, ISO date) of each application to send back for correction: a form
    that was read, with errors. Acceptance letters come with `award letters` once the round is closed."""
    import datetime as dt

    from pipeline.issuing import letter_number, no_letter_reason

    day = call.documents.letters_date or dt.date.today()
    failing = sorted({r.reg_no for r in rows if r.reg_no and r.report.status == "fail"
                      and no_letter_reason(r.report.to_dict(), call) is None})
    return {a.reg_no: (letter_number(registry, call, a.reg_no, "return", day), day.isoformat())
            for a in registry.applications_by_numbers(failing)}


# Findings that mean the file is not a form at all (an attachment, a picture, a note) or that it was never read.
_NOT_A_FORM = frozenset({"form.unrecognized", "file.unsupported_type"})


def registrable(report: dict[str, Any]) -> bool:
    """Whether a checked file is this call's form and so gets a registration number.

    Only a file read as the form is numbered: numbers are permanent and must stay dense for the applications.
    A damaged, encrypted or unreadable file is not numbered either, even when its name says it is a form: its
    sender must send it again, and that copy (other bytes) is what gets the number; until then it is a row
    (无法读取, with the reason and its path) that staff return to its sender.
    """
    codes = {f["code"] for f in report.get("findings", ())}
    return not codes & _NOT_A_FORM and not any(c.startswith("file.") and c != "file.scanned_page" for c in codes)


def hash_sources(sources: Sequence[Source]) -> dict[str, str]:
    """SHA-256 by source path of every source that can be read (one pass, each archive opened once)."""
    out: dict[str, str] = {}
    for s in sources:
        if s.problem is not None:
            continue
        with contextlib.suppress(*_UNREADABLE):
            out[s.path] = source_sha256(s)  # unreadable: its check says so, with no number
    return out


def _numbering(call: Call) -> tuple[str, int]:
    return call.batch.registration_prefix, call.batch.registration_digits


@dataclass(frozen=True)
class Plan:
    """What a batch would do, before it does anything: each source's digest and number (None: not registered
    yet), and the distinct files to check, in path order."""

    sources: tuple[Source, ...]
    shas: dict[str, str]
    known: dict[str, str]
    todo: tuple[tuple[str, Source], ...]


def plan(sources: Sequence[Source], known: dict[str, str], cached: Callable[[str], bool]) -> Plan:
    """Which distinct files need a check: those not registered yet, and those registered without a usable cached
    check. known: SHA-256 -> registration number; cached(reg_no): whether its stored check can be used."""
    shas = hash_sources(sources)
    todo: list[tuple[str, Source]] = []
    queued: set[str] = set()
    for s in sources:
        sha = shas.get(s.path)
        if sha is None or sha in queued:
            continue
        queued.add(sha)
        reg_no = known.get(sha)
        if reg_no is None or not cached(reg_no):
            todo.append((sha, s))
    return Plan(tuple(sources), shas, {k: v for k, v in known.items() if k in queued}, tuple(todo))


class Intake:
    """The coordinator's side of each checked file, taken in path order (run_batch; bench/national.py times it):
    a form gets its number (the first path of its bytes decides the order) and its file report is stored at once;
    anything else is kept by SHA-256 as `unnumbered`. file_reports/locations: by number, the cached ones already in."""

    def __init__(self, registry: Registry, call: Call, p: Plan, file_reports: dict[str, dict[str, Any]],
                 locations: dict[str, dict[str, Any]]) -> None:
        self.registry, self.call, self.plan = registry, call, p
        self.file_reports, self.locations = file_reports, locations
        self.version = call_version(call)
        self.prefix, self.digits = _numbering(call)
        roles = call.roles  # the fields the registry lists beside each report
        self.listing = Listing(roles.applicant_name, roles.applicant_code, roles.project_name, roles.project_category)
        self.numbers = {path: p.known[sha] for path, sha in p.shas.items() if sha in p.known}
        self.paths_of: dict[str, list[str]] = {}
        for path, sha in p.shas.items():
            self.paths_of.setdefault(sha, []).append(path)
        self.unnumbered: dict[str, dict[str, Any]] = {}  # by SHA-256: checked, not this call's form
        self.new = self.checked = 0

    def take(self, sha: str, report: dict[str, Any], locs: dict[str, Any]) -> None:
        reg_no = self.plan.known.get(sha)
        if reg_no is None and registrable(report):
            # the task's source is the first path of these bytes: the number follows path order
            reg_no, was_new = self.registry.register(self.call.id, sha, report["file"]["path"], self.prefix,
                                                     self.digits)
            self.new += was_new
        if reg_no is None:
            self.unnumbered[sha] = report
            return
        self.registry.store_file_report(reg_no, report, self.version, TOOL_VERSION, locs, listing=self.listing)
        self.file_reports[reg_no], self.locations[reg_no] = report, locs
        self.checked += 1
        for path in self.paths_of[sha]:
            self.numbers[path] = reg_no


def dry_run(input_path: Path, out_dir: Path, call: Call, db: Path, jobs: int | None = None,
            use_cache: bool = True, executor: str = "local", scheduler: str | None = None) -> list[DryRunLine]:
    """What `run_batch` would register and check, changing nothing: no registry is created or written, no
    output is written. New numbers are predicted from the registry's counter."""
    from pipeline.registry import peek

    sources = collect(input_path, call, out_dir)
    seen = peek(db, call.id, call_version(call), TOOL_VERSION)
    p = plan(sources, seen.numbers, lambda n: use_cache and n in seen.cached)
    prefix, digits = _numbering(call)
    next_seq = seen.last + 1
    workers = executor_for(call, jobs, executor, scheduler)
    reports: dict[str, dict[str, Any]] = {}
    try:
        for digest, checked, _ in workers.checks(p.todo):
            reports[digest] = checked
    finally:
        workers.close(True)
        close_archives()
    lines: list[DryRunLine] = []
    numbered: dict[str, str] = dict(p.known)
    for s in sources:
        sha = p.shas.get(s.path)
        rep = reports.get(sha) if sha else None
        report = Report.from_dict(rep) if rep else None
        if sha is not None and sha in numbered:
            action = "registered" if sha in p.known else "register"
            lines.append(DryRunLine(s.path, action, numbered[sha], report, rep is not None))
        elif rep is not None and registrable(rep):
            assert sha is not None
            numbered[sha] = f"{prefix}{next_seq:0{digits}d}"
            next_seq += 1
            lines.append(DryRunLine(s.path, "register", numbered[sha], report, True))
        else:
            lines.append(DryRunLine(s.path, "skip", None, report or unread(s, call), rep is not None))
    return lines


def dry_run_text(input_path: Path, out_dir: Path, call: Call, db: Path, lang: str = "zh", jobs: int | None = None,
                 use_cache: bool = True, executor: str = "local", scheduler: str | None = None) -> str:
    """`award batch --dry-run`: one line per file saying what a run would do with it, then the totals."""
    from pipeline.report.summary import format_dry_run

    lines = dry_run(input_path, out_dir, call, db, jobs, use_cache, executor, scheduler)
    return format_dry_run(lines, out_dir, db, lang)


def run_batch(input_path: Path, out_dir: Path, call: Call, registry: Registry, members: Path | None = None,
              jobs: int | None = None, use_cache: bool = True, progress: Progress | None = None,
              lang: str = "zh", outputs: bool = True, letters: bool = True, executor: str = "local",
              scheduler: str | None = None) -> BatchResult:
    """Check every file of a folder or .zip, register those that are this call's form (in path order), apply
    the batch rules, write the summaries. Every file is a row, numbered or not. executor/scheduler: where the
    per-file work runs (see executor_for); registration, the rules across applications and the summaries are here."""
    progress = silent(progress)
    sweep_temporaries(out_dir)  # what a killed run left half-written
    member_list = read_members(members) if members is not None else None
    sources = collect(input_path, call, out_dir)
    version = call_version(call)
    prefix, digits = _numbering(call)
    file_reports: dict[str, dict[str, Any]] = {}
    locations: dict[str, dict[str, Any]] = {}

    def usable(reg_no: str) -> bool:
        if not use_cache:
            return False
        cached = registry.cached_file_report(reg_no, version, TOOL_VERSION)
        if cached is not None:
            file_reports[reg_no], locations[reg_no] = cached["report"], cached.get("locations", {})
        return cached is not None

    p = plan(sources, registry.registered_numbers(call.id), usable)
    intake = Intake(registry, call, p, file_reports, locations)
    numbers, unnumbered = intake.numbers, intake.unnumbered
    n_cached = len(file_reports)
    if n_cached:
        progress.note(f"{n_cached} 份未变化，使用缓存结果", f"{n_cached} unchanged, cached")
    progress.phase("检查", "checking", n_cached + len(p.todo), done=n_cached)
    workers = executor_for(call, jobs, executor, scheduler)
    ok = False
    processed = 0
    try:
        # In path order, so the numbers a run gives do not depend on which worker finished first, and a run
        # stopped midway then run again numbers exactly as one uninterrupted run.
        for sha, report, locs in workers.checks(p.todo):
            intake.take(sha, report, locs)
            processed += 1
            progress.advance()
        progress.phase("写出结果", "writing the results")  # the batch rules, summaries, reports, copies, letters
        _record_paths(registry, call, p, numbers, prefix, digits)
        known = registry.similarity_cache()
        seen = dict(known)
        rows = _final_rows(sources, numbers, file_reports, locations, call, member_list, seen, p.shas, unnumbered)
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
                                    mapper=_document_mapper(workers, lang, progress))
        ok = True
    except KeyboardInterrupt:
        done = registry.checked_count(call.id, version, TOOL_VERSION)
        left = len(p.todo) - processed
        if left > 0:
            raise BatchInterrupted(f"已中断：已保存 {done} 份的检查结果，重新运行同一命令将继续其余 {left} 个文件",
                                   f"interrupted: {done} results are saved; run the same command again to finish "
                                   f"the other {left} files") from None
        raise BatchInterrupted(f"已中断：已保存全部 {done} 份的检查结果，汇总和文书未写完；重新运行同一命令即可写出",
                               f"interrupted: all {done} results are saved, the summaries and documents are not "
                               "all written; run the same command again to write them") from None
    finally:
        workers.close(ok)
        close_archives()
    return BatchResult(rows=tuple(rows), checked=intake.checked, cached=n_cached, new=intake.new, out_dir=out_dir,
                       outputs=tuple(written), screened=len(unnumbered))


def rerun_batch_rules(registry: Registry, call: Call, members: Any = None) -> int:
    """The rules across applications re-run over every checked application in the registry (a round made of
    several batches and online submissions), from their stored checks: each final report stored. How many
    reports changed."""
    stored = registry.file_reports(call.id)
    file_reports = {reg_no: cached["report"] for reg_no, _, cached in stored}
    locations = {reg_no: cached.get("locations", {}) for reg_no, _, cached in stored}
    sources = [Source(path) for _, path, _ in stored]
    numbers = {path: reg_no for reg_no, path, _ in stored}
    known = registry.similarity_cache()
    seen = dict(known)
    rows = _final_rows(sources, numbers, file_reports, locations, call, members, seen)
    fresh = {k: v for k, v in seen.items() if known.get(k) != v}
    if fresh:
        registry.store_similarity(fresh)
    distinct = [r.report.to_dict() for r in _distinct(rows)]
    # the same text as a batch run stores, so an unchanged report is not written (nor counted) again
    return registry.store_results(distinct, [json.dumps(d, ensure_ascii=False) + "\n" for d in distinct])


def _record_paths(registry: Registry, call: Call, p: Plan, numbers: dict[str, str], prefix: str,
                  digits: int) -> None:
    """Keep the registry's record of where each numbered file was seen (its paths), for the ones whose path is
    new: a renamed or second copy of a registered file."""
    known_paths = registry.registered_paths(call.id)
    for path in numbers:
        sha = p.shas[path]
        if known_paths.get(path) != sha:
            registry.register(call.id, sha, path, prefix, digits)


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
                similarity: dict[tuple[str, str], tuple[float, float | None]] | None = None,
                shas: dict[str, str] | None = None, unnumbered: dict[str, dict[str, Any]] | None = None,
                ) -> list[Row]:
    """Each file's report joined with the batch findings of its application; a file without a number keeps its
    own check (not a form, unreadable) and takes no part in the batch rules."""
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
            own = (unnumbered or {}).get((shas or {}).get(s.path, ""))
            if own is not None:
                base = Report.from_dict(own)
                rows.append(Row(s, None, replace(base, registration=None, file=replace(base.file, path=s.path))))
            else:
                rows.append(Row(s, None, unread(s, call)))
            continue
        base = Report.from_dict(file_reports[reg_no])
        findings = base.findings + tuple(extra.get(reg_no, ()))
        rows.append(Row(s, reg_no, replace(base, findings=findings, registration=reg_no,
                                           file=replace(base.file, path=s.path))))
    return rows
