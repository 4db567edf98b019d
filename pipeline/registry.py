"""The registry: one SQLite file per round, numbered migrations, one transaction per write.

Registration numbers come from a per-call counter that only ever goes up, so a number is never reused, whatever
is re-run, renamed, deleted or interrupted. A file is identified by its SHA-256: the same bytes under a new name
keep their number.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.errors import PipelineError
from pipeline.fileio import reason


class RegistryError(PipelineError):
    """The registry cannot be opened or written (locked, damaged, newer than this program)."""


@dataclass(frozen=True)
class Migration:
    """One numbered step of the schema; applied once, in order, inside one transaction."""

    number: int
    name: str
    sql: str


MIGRATIONS: list[Migration] = [
    Migration(1, "applications", """
        CREATE TABLE counters (
            call TEXT PRIMARY KEY,
            last INTEGER NOT NULL
        );
        CREATE TABLE applications (
            reg_no TEXT PRIMARY KEY,
            call TEXT NOT NULL,
            seq INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            path TEXT NOT NULL,
            format TEXT,
            applicant TEXT,
            credit_code TEXT,
            project TEXT,
            category TEXT,
            status TEXT NOT NULL DEFAULT 'registered',
            errors INTEGER,
            warnings INTEGER,
            file_report TEXT,
            report TEXT,
            call_version TEXT,
            tool_version TEXT,
            registered_at TEXT NOT NULL,
            checked_at TEXT,
            UNIQUE (call, sha256),
            UNIQUE (call, seq)
        );
        CREATE TABLE paths (
            call TEXT NOT NULL,
            path TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            reg_no TEXT NOT NULL REFERENCES applications (reg_no),
            PRIMARY KEY (call, path)
        );
    """),
    Migration(2, "review", """
        CREATE TABLE judges (
            call TEXT NOT NULL,
            judge_id TEXT NOT NULL,
            name TEXT NOT NULL,
            unit TEXT NOT NULL,
            credit_code TEXT,
            fields TEXT NOT NULL,
            PRIMARY KEY (call, judge_id)
        );
        CREATE TABLE assignments (
            call TEXT NOT NULL,
            reg_no TEXT NOT NULL REFERENCES applications (reg_no),
            judge_id TEXT NOT NULL,
            position INTEGER NOT NULL,
            category_match INTEGER NOT NULL,
            seed INTEGER,
            assigned_at TEXT NOT NULL,
            PRIMARY KEY (call, reg_no, judge_id),
            FOREIGN KEY (call, judge_id) REFERENCES judges (call, judge_id)
        );
        CREATE INDEX assignments_by_judge ON assignments (call, judge_id);
        CREATE TABLE scores (
            call TEXT NOT NULL,
            reg_no TEXT NOT NULL,
            judge_id TEXT NOT NULL,
            criteria TEXT NOT NULL,
            total REAL NOT NULL,
            veto INTEGER NOT NULL,
            comment TEXT NOT NULL DEFAULT '',
            source TEXT NOT NULL,
            source_sha256 TEXT NOT NULL,
            source_row INTEGER NOT NULL,
            imported_at TEXT NOT NULL,
            PRIMARY KEY (call, reg_no, judge_id),
            FOREIGN KEY (call, reg_no, judge_id) REFERENCES assignments (call, reg_no, judge_id)
        );
        CREATE TABLE results (
            call TEXT NOT NULL,
            reg_no TEXT NOT NULL REFERENCES applications (reg_no),
            rank INTEGER,
            serial INTEGER,
            level INTEGER,
            level_name TEXT,
            hold INTEGER NOT NULL,
            vetoed_by TEXT NOT NULL,
            forms INTEGER NOT NULL,
            final REAL,
            plain_mean REAL,
            z_mean REAL,
            z_rank INTEGER,
            rank_shift INTEGER,
            averages TEXT NOT NULL,
            counted TEXT NOT NULL,
            computed_at TEXT NOT NULL,
            PRIMARY KEY (call, reg_no)
        )
    """),
    Migration(3, "certificates", """
        CREATE TABLE certificates (
            number TEXT PRIMARY KEY,
            call TEXT NOT NULL,
            reg_no TEXT NOT NULL REFERENCES applications (reg_no),
            kind TEXT NOT NULL,
            rank INTEGER NOT NULL,
            name TEXT NOT NULL,
            issued_at TEXT NOT NULL,
            UNIQUE (call, reg_no, kind, rank)
        );
    """),
    Migration(4, "similarity", """
        CREATE TABLE similarity (
            a TEXT NOT NULL,
            b TEXT NOT NULL,
            bound REAL NOT NULL,
            ratio REAL,
            PRIMARY KEY (a, b)
        ) WITHOUT ROWID;
    """),
    Migration(5, "registry", """
        CREATE TABLE _registry (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
    """),
    # Letter numbers (发文字号): their own counter per call and prefix, never the registration serial; a letter
    # once numbered keeps its number (per application and kind: acceptance / return).
    Migration(6, "letters", """
        CREATE TABLE letter_counters (
            call TEXT NOT NULL,
            prefix TEXT NOT NULL,
            last INTEGER NOT NULL,
            PRIMARY KEY (call, prefix)
        );
        CREATE TABLE letters (
            call TEXT NOT NULL,
            reg_no TEXT NOT NULL REFERENCES applications (reg_no),
            kind TEXT NOT NULL,
            number TEXT NOT NULL,
            issued_at TEXT NOT NULL,
            PRIMARY KEY (call, reg_no, kind),
            UNIQUE (call, number)
        );
    """),
    # The platform's accounts (argon2 hashes only), their sessions (the token's SHA-256, never the token) and the
    # audit log: who did what, when, with which file.
    Migration(7, "accounts", """
        CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            role TEXT NOT NULL CHECK (role IN ('staff', 'unit', 'judge')),
            password_hash TEXT NOT NULL,
            failed INTEGER NOT NULL DEFAULT 0,
            locked_until TEXT,
            created_at TEXT NOT NULL
        );
        CREATE TABLE sessions (
            token_sha256 TEXT PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users (id),
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL
        );
        CREATE TABLE audit (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            who TEXT NOT NULL,
            what TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT '',
            sha256 TEXT
        );
    """),
    # Online submission: the member units (one account each, signing in first with a one-time code), the checked
    # uploads awaiting their unit's confirmation, the submissions (who sent which registered application; a
    # staff return with its reason) and every version of each (its file by SHA-256 in <data>/files). Audit rows
    # about one application name it.
    Migration(8, "submissions", """
        ALTER TABLE users ADD COLUMN must_change INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE audit ADD COLUMN subject TEXT;
        CREATE INDEX audit_by_subject ON audit (subject);
        CREATE TABLE members (
            call TEXT NOT NULL,
            number TEXT NOT NULL,
            name TEXT NOT NULL,
            credit_code TEXT NOT NULL DEFAULT '',
            user_id INTEGER REFERENCES users (id),
            imported_at TEXT NOT NULL,
            PRIMARY KEY (call, number)
        );
        CREATE TABLE uploads (
            token TEXT PRIMARY KEY,
            call TEXT NOT NULL,
            user_id INTEGER NOT NULL REFERENCES users (id),
            replaces TEXT,
            sha256 TEXT NOT NULL,
            name TEXT NOT NULL,
            suffix TEXT NOT NULL,
            bytes INTEGER NOT NULL,
            file_report TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE TABLE submissions (
            reg_no TEXT PRIMARY KEY REFERENCES applications (reg_no),
            call TEXT NOT NULL,
            member_no TEXT NOT NULL,
            user_id INTEGER NOT NULL REFERENCES users (id),
            returned TEXT,
            submitted_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX submissions_by_user ON submissions (user_id);
        CREATE TABLE versions (
            reg_no TEXT NOT NULL REFERENCES applications (reg_no),
            version INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            name TEXT NOT NULL,
            suffix TEXT NOT NULL,
            bytes INTEGER NOT NULL,
            at TEXT NOT NULL,
            who TEXT NOT NULL,
            PRIMARY KEY (reg_no, version)
        )
    """),
    # Online review and publication: a judge's draft of a scoring form until it is submitted (a submitted form
    # is a row of `scores`, as an imported workbook's; source 'online'); the reason of a veto; 回避 declarations
    # (the assignment removed, staff assign a replacement); the publication steps staff ran (公示, decision,
    # publication); a unit's consent to publication of its case; case pages staff withdrew.
    Migration(9, "online review", """
        ALTER TABLE scores ADD COLUMN veto_reason TEXT NOT NULL DEFAULT '';
        ALTER TABLE submissions ADD COLUMN consent INTEGER NOT NULL DEFAULT 0;
        CREATE TABLE drafts (
            call TEXT NOT NULL,
            reg_no TEXT NOT NULL,
            judge_id TEXT NOT NULL,
            criteria TEXT NOT NULL,
            veto INTEGER NOT NULL DEFAULT 0,
            veto_reason TEXT NOT NULL DEFAULT '',
            comment TEXT NOT NULL DEFAULT '',
            saved_at TEXT NOT NULL,
            PRIMARY KEY (call, reg_no, judge_id),
            FOREIGN KEY (call, reg_no, judge_id) REFERENCES assignments (call, reg_no, judge_id)
        );
        CREATE TABLE recusals (
            call TEXT NOT NULL,
            reg_no TEXT NOT NULL REFERENCES applications (reg_no),
            judge_id TEXT NOT NULL,
            reason TEXT NOT NULL,
            declared_at TEXT NOT NULL,
            replaced_by TEXT,
            PRIMARY KEY (call, reg_no, judge_id)
        );
        CREATE TABLE publication (
            call TEXT NOT NULL,
            step TEXT NOT NULL CHECK (step IN ('publicity', 'decision', 'published')),
            at TEXT NOT NULL,
            who TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT '{}',
            PRIMARY KEY (call, step)
        );
        CREATE TABLE withdrawn (
            call TEXT NOT NULL,
            reg_no TEXT NOT NULL REFERENCES applications (reg_no),
            reason TEXT NOT NULL,
            at TEXT NOT NULL,
            who TEXT NOT NULL,
            PRIMARY KEY (call, reg_no)
        )
    """),
]


# the users table's roles, as staff read them (the audit log's 新建账号 rows)
ROLE_NAMES = {"staff": "工作人员", "unit": "会员单位", "judge": "评审专家"}


@dataclass(frozen=True)
class Account:
    """A platform account as the registry holds it (the password only as its argon2 hash)."""

    id: int
    name: str
    role: str
    password_hash: str
    failed: int
    locked_until: str | None
    must_change: bool = False  # signed in with a one-time code: sets its own password before anything else


_ACCOUNT = "u.id, u.name, u.role, u.password_hash, u.failed, u.locked_until, u.must_change"


def _account(row: Sequence[Any]) -> Account:
    id_, name, role, password_hash, failed, locked_until, must_change = row
    return Account(id_, name, role, password_hash, failed, locked_until, bool(must_change))


@dataclass(frozen=True)
class MemberRow:
    """A member unit of the call's member list, and its platform account (None before one is made)."""

    number: str
    name: str
    credit_code: str
    account: str | None
    must_change: bool


@dataclass(frozen=True)
class Upload:
    """A checked upload without errors, waiting for its unit to confirm it (its file is in the store already)."""

    token: str
    user_id: int
    replaces: str | None
    sha256: str
    name: str
    suffix: str
    bytes: int
    file_report: dict[str, Any]
    created_at: str


@dataclass(frozen=True)
class Submission:
    """An application a member unit submitted online: who, when, and staff's return (退回补正) with its reason."""

    reg_no: str
    member_no: str
    user_id: int
    returned: str | None
    submitted_at: str
    updated_at: str
    consent: bool = False  # the unit agreed to the publication of its case (call.yaml publication.consent)


@dataclass(frozen=True)
class Version:
    """One file an application was submitted as (the first, then each replacement), kept by its SHA-256."""

    reg_no: str
    version: int
    sha256: str
    name: str
    suffix: str
    bytes: int
    at: str
    who: str


@dataclass(frozen=True)
class Registered:
    """A registry row as the rest of the program sees it."""

    reg_no: str
    seq: int
    sha256: str
    path: str
    status: str
    applicant: str | None
    credit_code: str | None
    project: str | None
    category: str | None
    errors: int | None
    warnings: int | None
    report: dict[str, Any] | None

    @property
    def fields(self) -> dict[str, Any]:
        """The extracted form fields of the application's report (empty before it is checked)."""
        return dict((self.report or {}).get("fields") or {})


@dataclass(frozen=True)
class Listing:
    """The field ids whose values the applications table lists beside a checked file's report (the call's roles:
    the registry knows no field id of its own)."""

    applicant: str
    credit_code: str
    project: str
    category: str


@dataclass(frozen=True)
class Draft:
    """A judge's scoring form saved online but not submitted: the values as typed (criterion id -> text)."""

    reg_no: str
    judge_id: str
    criteria: dict[str, str]
    veto: bool
    veto_reason: str
    comment: str
    saved_at: str


@dataclass(frozen=True)
class Recusal:
    """A judge's 回避 declaration: the assignment it removed, the reason, and who replaced the judge (None: nobody
    yet)."""

    reg_no: str
    judge_id: str
    reason: str
    declared_at: str
    replaced_by: str | None


@dataclass(frozen=True)
class FormSource:
    """Where a submitted scoring form came from ('online', or the workbook's file name) and when."""

    source: str
    at: str


@dataclass(frozen=True)
class PublicationStep:
    """A publication step staff ran: 'publicity' (公示), 'decision' (the decision issued), 'published' (在线分享)."""

    step: str
    at: str
    who: str
    detail: dict[str, Any]


@dataclass(frozen=True)
class StoredScore:
    """A judge's scoring form as the registry keeps it (criteria and total as floats)."""

    reg_no: str
    judge_id: str
    criteria: dict[str, float]
    total: float
    veto: bool
    comment: str
    veto_reason: str = ""


@dataclass(frozen=True)
class StoredResult:
    """An application's computed result as the registry keeps it (migration 2, table results)."""

    reg_no: str
    rank: int | None
    serial: int | None
    level: int | None
    level_name: str | None
    hold: bool
    vetoed_by: tuple[str, ...]
    forms: int
    final: float | None
    plain_mean: float | None
    z_mean: float | None
    z_rank: int | None
    rank_shift: int | None
    averages: dict[str, float | None]
    counted: tuple[str, ...]


# A judge as the registry keeps it: (id, name, unit, credit code or None, fields of expertise).
JudgeRow = tuple[str, str, str, str | None, tuple[str, ...]]
# A certificate to number: (proposed number, registration number, kind, rank, name).
CertificateRow = tuple[str, str, str, int, str]

_COLUMNS = ("reg_no, seq, sha256, path, status, applicant, credit_code, project, category, errors, warnings, "
            "report")


def _registered(r: Sequence[Any]) -> Registered:
    return Registered(reg_no=r[0], seq=r[1], sha256=r[2], path=r[3], status=r[4], applicant=r[5],
                      credit_code=r[6], project=r[7], category=r[8], errors=r[9], warnings=r[10],
                      report=json.loads(r[11]) if r[11] else None)


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def _stored_score(r: Sequence[Any]) -> StoredScore:
    return StoredScore(reg_no=r[0], judge_id=r[1], criteria=json.loads(r[2]), total=r[3], veto=bool(r[4]),
                       comment=r[5] or "", veto_reason=(r[6] if len(r) > 6 else "") or "")


SQLITE_MAGIC = b"SQLite format 3\x00"


class Registry:
    """The SQLite registry at `path`: inspected read-only first, then opened, migrated and claimed for a call.

    call_id: the call this registry belongs to (recorded at creation, refused when another); None skips the check.
    create: make a new registry when none is there (only `award batch` does); else a missing one is an error."""

    def __init__(self, path: Path | str, timeout: float = 10.0, *, call_id: str | None = None,
                 create: bool = True) -> None:
        self.path = Path(path)
        self.call_id = call_id
        self.timeout = timeout
        try:
            if not os.path.lexists(self.path):
                if not create:
                    raise RegistryError(f"登记库 {self.path} 不存在，请先运行 award batch",
                                        f"the registry {self.path} does not exist; run award batch first")
                self._create()
            self._inspect()
            self.conn = self._connect(str(self.path))
            try:
                self.migrate()
                self._claim()
            except BaseException:
                self.conn.close()
                raise
        except sqlite3.Error as e:
            raise self._error(e) from None
        except OSError as e:
            zh, en = reason(e)
            raise RegistryError(f"无法打开登记库 {self.path}：{zh}", f"cannot open the registry {self.path}: {en}"
                                ) from None

    def _connect(self, target: str, uri: bool = False) -> sqlite3.Connection:
        conn = sqlite3.connect(target, timeout=self.timeout, isolation_level=None, uri=uri)
        if not uri:
            conn.execute("PRAGMA foreign_keys = ON")
            if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
        return conn

    def _create(self) -> None:
        """A new registry, race-free: built and migrated under a temporary name, then hard-linked into place,
        which fails when another process got there first (then theirs is used). Never half a registry."""
        folder = self.path.parent
        if not folder.is_dir():
            raise RegistryError(f"无法创建登记库 {self.path}：文件夹 {folder} 不存在",
                                f"cannot create the registry {self.path}: the folder {folder} does not exist")
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".new", dir=folder)
        os.close(fd)
        try:
            mask = os.umask(0)
            os.umask(mask)
            os.chmod(tmp, 0o666 & ~mask)  # as SQLite would have made it, not mkstemp's 0600
            self.conn = self._connect(tmp)
            try:
                self.migrate()
                self._claim()
            finally:
                self.conn.close()  # the last connection: the WAL is checkpointed into the file and removed
            try:
                os.link(tmp, self.path)
            except FileExistsError:
                pass  # another process created it meanwhile: use theirs
            except OSError:
                if not os.path.lexists(self.path):  # a file system without hard links
                    os.rename(tmp, self.path)
        finally:
            for leftover in (tmp, tmp + "-wal", tmp + "-shm", tmp + "-journal"):
                with suppress(FileNotFoundError):
                    os.unlink(leftover)

    def _inspect(self) -> None:
        """Read-only checks before anything is written: a regular SQLite file, intact (quick_check), ours
        (its _migrations), not newer than this program, and of this call."""
        if not self.path.is_file():
            raise RegistryError(f"登记库 {self.path} 不是普通文件", f"the registry {self.path} is not a regular file")
        with open(self.path, "rb") as fh:
            head = fh.read(len(SQLITE_MAGIC))
        if not head:
            raise self._not_ours("空文件", "an empty file")
        if head != SQLITE_MAGIC:
            raise self._not_ours("不是 SQLite 数据库", "not an SQLite database")
        sidecars = [Path(f"{self.path}{s}") for s in ("-wal", "-shm")]
        ours = [p for p in sidecars if not os.path.lexists(p)]  # what a read of a WAL file may create
        ro = self._connect(self.path.resolve().as_uri() + "?mode=ro", uri=True)
        try:
            self._checks(ro)
        except BaseException:
            ro.close()
            self._remove_empty(ours)
            raise
        ro.close()

    @staticmethod
    def _remove_empty(created: list[Path]) -> None:
        """Remove the empty -wal/-shm files a refused read left next to a file that is not used."""
        wal = [p for p in created if p.name.endswith("-wal")]
        if all(not p.exists() or p.stat().st_size == 0 for p in wal):
            for p in created:
                with suppress(OSError):
                    p.unlink()

    def _checks(self, ro: sqlite3.Connection) -> None:
        """quick_check, then ours (_migrations), not newer, and of this call."""
        problems = [r[0] for r in ro.execute("PRAGMA quick_check(5)")]
        if problems != ["ok"]:
            raise self._damaged("；".join(problems[:3]))
        tables = {r[0] for r in ro.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "_migrations" not in tables:
            raise self._not_ours("其他程序的 SQLite 数据库（没有 _migrations 表）",
                                 "another program's SQLite database (no _migrations table)")
        done = {r[0] for r in ro.execute("SELECT number FROM _migrations")}
        self._refuse_newer(done)
        if self.call_id is not None:
            if "_registry" in tables:
                owners = {r[0] for r in ro.execute("SELECT value FROM _registry WHERE key = 'call'")}
            elif "applications" in tables:  # made before the call id was recorded: its rows say
                owners = {r[0] for r in ro.execute("SELECT DISTINCT call FROM applications")}
            else:
                owners = set()
            self._refuse_other_call(owners)

    def _refuse_other_call(self, owners: set[str]) -> None:
        other = sorted(owners - {self.call_id})
        if other:
            raise RegistryError(f"登记库 {self.path} 属于申报通知 {'、'.join(other)}，不能用于 {self.call_id}"
                                f"（请用 --db 指定 {self.call_id} 的登记库）",
                                f"the registry {self.path} belongs to the call {', '.join(other)}, not "
                                f"{self.call_id} (give {self.call_id}'s registry with --db)")

    def _refuse_newer(self, done: set[int], migrations: Sequence[Migration] = ()) -> None:
        known = {m.number for m in (migrations or MIGRATIONS)}
        if done - known:
            raise RegistryError(f"登记库 {self.path} 由更新版本的程序创建（迁移 {max(done)}），请升级 award-pipeline",
                                f"the registry {self.path} was made by a newer version (migration {max(done)}); "
                                "upgrade award-pipeline")

    def _claim(self) -> None:
        """Record the call id in a registry that has none yet (a new one, or one made before ids were kept)."""
        if self.call_id is None:
            return
        with self.transaction() as c:
            c.execute("INSERT OR IGNORE INTO _registry (key, value) VALUES ('call', ?)", (self.call_id,))
            owner = c.execute("SELECT value FROM _registry WHERE key = 'call'").fetchone()[0]
        self._refuse_other_call({owner})

    def _not_ours(self, zh: str, en: str) -> RegistryError:
        return RegistryError(f"{self.path} 不是登记库：{zh}；未做任何改动。请用 --db 指定登记库，或换一个文件名",
                             f"{self.path} is not a registry: {en}; left unchanged. Give the registry with --db, "
                             "or another file name")

    def _damaged(self, detail: str) -> RegistryError:
        return RegistryError(f"登记库 {self.path} 已损坏（{detail}）；请用备份替换它，未做任何改动",
                             f"the registry {self.path} is damaged ({detail}); replace it from a backup. "
                             "Nothing was changed")

    def _error(self, e: sqlite3.Error) -> RegistryError:
        name = getattr(e, "sqlite_errorname", "") or ""
        text = str(e)
        if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in text or "busy" in text:
            return RegistryError(f"登记库 {self.path} 正被其他程序使用，请稍后再试",
                                 f"the registry {self.path} is locked by another program; try again later")
        if name.startswith("SQLITE_READONLY") or "readonly" in text:
            return RegistryError(f"登记库 {self.path} 是只读的（文件或所在文件夹没有写入权限），无法写入",
                                 f"the registry {self.path} is read-only (no write permission on the file or its "
                                 "folder)")
        if name == "SQLITE_FULL" or "disk is full" in text:
            return RegistryError(f"磁盘已满，无法写入登记库 {self.path}；已写入的内容完好，腾出空间后重新运行即可",
                                 f"the disk is full: cannot write the registry {self.path}; what was written is "
                                 "intact, free some space and run again")
        if name.startswith("SQLITE_CANTOPEN") or "unable to open" in text:
            return RegistryError(f"无法打开登记库 {self.path}（没有权限，或文件夹不存在）",
                                 f"cannot open the registry {self.path} (no permission, or no such folder)")
        if name.startswith("SQLITE_IOERR") or "disk I/O" in text:
            return RegistryError(f"读写登记库 {self.path} 时发生磁盘错误（{text}）",
                                 f"a disk error while using the registry {self.path} ({text})")
        if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or "malformed" in text or "not a database" in text:
            return self._damaged(text)
        return RegistryError(f"登记库 {self.path} 出错（{text}）", f"the registry {self.path} failed ({text})")

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()

    def __enter__(self) -> Registry:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write: BEGIN IMMEDIATE … COMMIT, rolled back on any exception (SQLite's as a RegistryError)."""
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as e:
            raise self._error(e) from None
        try:
            yield self.conn
        except BaseException as e:
            with suppress(sqlite3.Error):  # SQLite may have rolled back already (a full disk)
                self.conn.execute("ROLLBACK")
            if isinstance(e, sqlite3.Error):
                raise self._error(e) from None
            raise
        try:
            self.conn.execute("COMMIT")
        except sqlite3.Error as e:
            with suppress(sqlite3.Error):
                self.conn.execute("ROLLBACK")
            raise self._error(e) from None

    # -- migrations -------------------------------------------------------------------------------------------

    def applied_migrations(self) -> list[int]:
        """Numbers of the migrations already applied."""
        if not self.conn.execute("SELECT 1 FROM sqlite_master WHERE name = '_migrations'").fetchone():
            with self.transaction() as c:
                c.execute("CREATE TABLE IF NOT EXISTS _migrations (number INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                          " applied_at TEXT NOT NULL)")
        return [r[0] for r in self.conn.execute("SELECT number FROM _migrations ORDER BY number")]

    def migrate(self, migrations: Sequence[Migration] = MIGRATIONS) -> list[int]:
        """Apply the migrations not yet applied, each in its own transaction; returns the numbers applied."""
        done = set(self.applied_migrations())
        self._refuse_newer(done, migrations)
        applied = []
        for m in sorted(migrations, key=lambda m: m.number):
            if m.number in done:
                continue
            with self.transaction() as c:
                if c.execute("SELECT 1 FROM _migrations WHERE number = ?", (m.number,)).fetchone():
                    continue  # another process applied it while we waited for the lock
                for statement in m.sql.split(";"):
                    if statement.strip():
                        c.execute(statement)
                c.execute("INSERT INTO _migrations (number, name, applied_at) VALUES (?, ?, ?)",
                          (m.number, m.name, _now()))
            applied.append(m.number)
        return applied

    # -- registration -----------------------------------------------------------------------------------------

    def register(self, call_id: str, sha256: str, path: str, prefix: str, digits: int) -> tuple[str, bool]:
        """The registration number of this file (by SHA-256), registering it when new; (number, was_new)."""
        with self.transaction() as c:
            row = c.execute("SELECT reg_no FROM applications WHERE call = ? AND sha256 = ?",
                            (call_id, sha256)).fetchone()
            if row:
                reg_no, new = row[0], False
                c.execute("UPDATE applications SET path = ? WHERE reg_no = ?", (path, reg_no))
            else:
                reg_no, new = self._new_application(c, call_id, sha256, path, prefix, digits), True
            c.execute("INSERT INTO paths (call, path, sha256, reg_no) VALUES (?, ?, ?, ?) "
                      "ON CONFLICT (call, path) DO UPDATE SET sha256 = excluded.sha256, reg_no = excluded.reg_no",
                      (call_id, path, sha256, reg_no))
        return reg_no, new

    @staticmethod
    def _new_application(c: sqlite3.Connection, call_id: str, sha256: str, path: str, prefix: str,
                         digits: int) -> str:
        """The next number of the call's counter, given to a new application row (inside the caller's
        transaction)."""
        last = c.execute("SELECT last FROM counters WHERE call = ?", (call_id,)).fetchone()
        seq = (last[0] if last else 0) + 1
        c.execute("INSERT INTO counters (call, last) VALUES (?, ?) "
                  "ON CONFLICT (call) DO UPDATE SET last = excluded.last", (call_id, seq))
        reg_no = f"{prefix}{seq:0{digits}d}"
        c.execute("INSERT INTO applications (reg_no, call, seq, sha256, path, registered_at) "
                  "VALUES (?, ?, ?, ?, ?, ?)", (reg_no, call_id, seq, sha256, path, _now()))
        return reg_no

    def letter_number(self, call_id: str, reg_no: str, kind: str, prefix: str, year: int) -> str:
        """The number of an application's letter of this kind (acceptance, return): the one given before, else
        the next of the call's counter for this prefix (沪质协审函〔2021〕7号)."""
        with self.transaction() as c:
            row = c.execute("SELECT number FROM letters WHERE call = ? AND reg_no = ? AND kind = ?",
                            (call_id, reg_no, kind)).fetchone()
            if row:
                return str(row[0])
            last = c.execute("SELECT last FROM letter_counters WHERE call = ? AND prefix = ?",
                             (call_id, prefix)).fetchone()
            seq = (last[0] if last else 0) + 1
            c.execute("INSERT INTO letter_counters (call, prefix, last) VALUES (?, ?, ?) "
                      "ON CONFLICT (call, prefix) DO UPDATE SET last = excluded.last", (call_id, prefix, seq))
            number = f"{prefix}〔{year}〕{seq}号"
            c.execute("INSERT INTO letters (call, reg_no, kind, number, issued_at) VALUES (?, ?, ?, ?, ?)",
                      (call_id, reg_no, kind, number, _now()))
        return number

    def registered_numbers(self, call_id: str) -> dict[str, str]:
        """SHA-256 -> registration number of every file registered for the call (one query)."""
        return dict(self.conn.execute("SELECT sha256, reg_no FROM applications WHERE call = ?", (call_id,)))

    def number_of(self, call_id: str, sha256: str) -> str | None:
        """The registration number of this file (by SHA-256), None when it is not registered."""
        row = self.conn.execute("SELECT reg_no FROM applications WHERE call = ? AND sha256 = ?",
                                (call_id, sha256)).fetchone()
        return str(row[0]) if row else None

    def registered_paths(self, call_id: str) -> dict[str, str]:
        """Path -> SHA-256 of every path a registered file was last seen under (one query)."""
        return dict(self.conn.execute("SELECT path, sha256 FROM paths WHERE call = ?", (call_id,)))

    def cached_file_report(self, reg_no: str, call_version: str, tool_version: str) -> dict[str, Any] | None:
        """The stored {"report", "locations"} of a file when made by this call and tool version, else None."""
        row = self.conn.execute("SELECT file_report FROM applications WHERE reg_no = ? AND call_version = ? "
                                "AND tool_version = ? AND file_report IS NOT NULL",
                                (reg_no, call_version, tool_version)).fetchone()
        return json.loads(row[0]) if row else None

    def checked_count(self, call_id: str, call_version: str, tool_version: str) -> int:
        """How many of the call's files have a stored check by this call and tool version."""
        return int(self.conn.execute("SELECT count(*) FROM applications WHERE call = ? AND call_version = ? AND "
                                     "tool_version = ? AND file_report IS NOT NULL",
                                     (call_id, call_version, tool_version)).fetchone()[0])

    def store_file_report(self, reg_no: str, report: dict[str, Any], call_version: str, tool_version: str,
                          locations: dict[str, Any] | None = None, *, listing: Listing) -> None:
        """Keep the single-file report of a checked file (the cache) and the locations of its fields; the
        applications table lists the values of the `listing` fields beside it."""
        with self.transaction() as c:
            self._file_report(c, reg_no, {"report": report, "locations": locations or {}}, call_version,
                              tool_version, listing)

    @staticmethod
    def _file_report(c: sqlite3.Connection, reg_no: str, cached: dict[str, Any], call_version: str,
                     tool_version: str, listing: Listing) -> None:
        report = cached["report"]
        f = report.get("fields") or {}
        c.execute("UPDATE applications SET file_report = ?, call_version = ?, tool_version = ?, format = ?, "
                  "applicant = ?, credit_code = ?, project = ?, category = ?, checked_at = ? WHERE reg_no = ?",
                  (json.dumps(cached, ensure_ascii=False), call_version, tool_version,
                   report["file"]["format"], f.get(listing.applicant), f.get(listing.credit_code),
                   f.get(listing.project), f.get(listing.category), _now(), reg_no))

    def store_results(self, results: Sequence[dict[str, Any]], texts: Sequence[str] | None = None) -> int:
        """The final reports of a batch (file and batch findings): status and counts, in one transaction.
        texts: the reports' JSON when the caller has it already; a row whose report did not change is not written.
        How many rows changed."""
        changed = 0
        with self.transaction() as c:
            for i, r in enumerate(results):
                text = texts[i] if texts is not None else json.dumps(r, ensure_ascii=False)
                changed += c.execute("UPDATE applications SET report = ?, status = ?, errors = ?, warnings = ? "
                                     "WHERE reg_no = ? AND report IS NOT ?",
                                     (text, r["status"], r["summary"]["errors"], r["summary"]["warnings"],
                                      r["registration"], text)).rowcount
        return changed

    def similarity_cache(self) -> dict[tuple[str, str], tuple[float, float | None]]:
        """Summary pairs already compared: (text key, text key) -> (upper bound, ratio or None)."""
        return {(a, b): (bound, ratio) for a, b, bound, ratio in self.conn.execute("SELECT a, b, bound, ratio "
                                                                                   "FROM similarity")}

    def store_similarity(self, pairs: dict[tuple[str, str], tuple[float, float | None]]) -> None:
        """Remember compared summary pairs (one transaction)."""
        with self.transaction() as c:
            c.executemany("INSERT OR REPLACE INTO similarity (a, b, bound, ratio) VALUES (?, ?, ?, ?)",
                          [(a, b, bound, ratio) for (a, b), (bound, ratio) in pairs.items()])

    def applications(self, call_id: str, status: str | None = None) -> list[Registered]:
        """Registered applications of a call in registration order (optionally only those of one status)."""
        sql = f"SELECT {_COLUMNS} FROM applications WHERE call = ?"
        args: list[Any] = [call_id]
        if status:
            sql += " AND status = ?"
            args.append(status)
        rows = self.conn.execute(sql + " ORDER BY seq", args).fetchall()
        return [_registered(r) for r in rows]

    # -- accounts, sessions, audit (the platform) -------------------------------------------------------------

    def add_user(self, name: str, role: str, password_hash: str, by: str) -> int:
        """A new account (its name unique) and its audit row; returns its id."""
        with self.transaction() as c:
            if c.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
                raise RegistryError(f"账号 {name} 已存在", f"the account {name} exists already")
            cur = c.execute("INSERT INTO users (name, role, password_hash, created_at) VALUES (?, ?, ?, ?)",
                            (name, role, password_hash, _now()))
            self._audit(c, by, "user.add", f"{name}（{ROLE_NAMES.get(role, role)}）")
            return int(cur.lastrowid or 0)

    def user(self, name: str) -> Account | None:
        """The account of this name."""
        row = self.conn.execute(f"SELECT {_ACCOUNT} FROM users u WHERE u.name = ?", (name,)).fetchone()
        return _account(row) if row else None

    def sign_in_failed(self, user_id: int, locked_until: str | None) -> None:
        """Count a wrong password (and lock the account until then, when given), with its audit row."""
        with self.transaction() as c:
            c.execute("UPDATE users SET failed = failed + 1, locked_until = COALESCE(?, locked_until) WHERE id = ?",
                      (locked_until, user_id))
            name = c.execute("SELECT name FROM users WHERE id = ?", (user_id,)).fetchone()[0]
            self._audit(c, name, "signin.failed", "locked until " + locked_until if locked_until else "")

    def start_session(self, user_id: int, token_sha256: str, expires_at: str) -> None:
        """A signed-in session (the failures counted so far are cleared), with its audit row."""
        with self.transaction() as c:
            c.execute("UPDATE users SET failed = 0, locked_until = NULL WHERE id = ?", (user_id,))
            c.execute("INSERT INTO sessions (token_sha256, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
                      (token_sha256, user_id, _now(), expires_at))
            name = c.execute("SELECT name FROM users WHERE id = ?", (user_id,)).fetchone()[0]
            self._audit(c, name, "signin", "")

    def session_account(self, token_sha256: str, now: str) -> Account | None:
        """The account a live session belongs to."""
        row = self.conn.execute(
            f"SELECT {_ACCOUNT} FROM sessions s JOIN users u ON u.id = s.user_id "
            "WHERE s.token_sha256 = ? AND s.expires_at > ?", (token_sha256, now)).fetchone()
        return _account(row) if row else None

    def end_session(self, token_sha256: str) -> None:
        """Sign out: the session is gone (and audited)."""
        with self.transaction() as c:
            row = c.execute("SELECT u.name FROM sessions s JOIN users u ON u.id = s.user_id "
                            "WHERE s.token_sha256 = ?", (token_sha256,)).fetchone()
            c.execute("DELETE FROM sessions WHERE token_sha256 = ?", (token_sha256,))
            if row:
                self._audit(c, row[0], "signout", "")

    def backup(self, target: Path) -> Path:
        """A consistent copy of the whole registry at `target` (SQLite's online backup), for download."""
        dest = sqlite3.connect(target)
        try:
            self.conn.backup(dest)
        finally:
            dest.close()
        return target

    def audit_rows(self, subject: str | None = None) -> list[tuple[str, str, str, str, str | None]]:
        """The audit log, oldest first: (at, who, what, detail, sha256); only the rows about one application
        when `subject` (its number) is given."""
        sql = "SELECT at, who, what, detail, sha256 FROM audit"
        rows = (self.conn.execute(sql + " WHERE subject = ? ORDER BY id", (subject,)) if subject
                else self.conn.execute(sql + " ORDER BY id"))
        return [tuple(r) for r in rows]

    def audit(self, who: str, what: str, detail: str = "", sha256: str | None = None,
              subject: str | None = None) -> None:
        """One audit row: who did what (with which file, by its SHA-256; about which application)."""
        with self.transaction() as c:
            self._audit(c, who, what, detail, sha256, subject)

    @staticmethod
    def _audit(c: sqlite3.Connection, who: str, what: str, detail: str, sha256: str | None = None,
               subject: str | None = None) -> None:
        c.execute("INSERT INTO audit (at, who, what, detail, sha256, subject) VALUES (?, ?, ?, ?, ?, ?)",
                  (_now(), who, what, detail, sha256, subject))

    def application(self, reg_no: str) -> Registered | None:
        """One registered application by number."""
        found = self.applications_by_numbers([reg_no])
        return found[0] if found else None

    def applications_by_numbers(self, numbers: Sequence[str]) -> list[Registered]:
        """The registered applications with these numbers, in registration order."""
        if not numbers:
            return []
        marks = ",".join("?" * len(numbers))
        rows = self.conn.execute(f"SELECT {_COLUMNS} FROM applications WHERE reg_no IN ({marks}) ORDER BY seq",
                                 list(numbers)).fetchall()
        return [_registered(r) for r in rows]

    # -- online submission (migration 8): members, uploads, submissions, versions -----------------------------

    def members(self, call_id: str) -> list[MemberRow]:
        """The call's member units in number order, each with its account's name (None before one is made)."""
        rows = self.conn.execute(
            "SELECT m.number, m.name, m.credit_code, u.name, COALESCE(u.must_change, 0) FROM members m "
            "LEFT JOIN users u ON u.id = m.user_id WHERE m.call = ? ORDER BY m.number", (call_id,)).fetchall()
        return [MemberRow(r[0], r[1], r[2], r[3], bool(r[4])) for r in rows]

    def member_of(self, call_id: str, user_id: int) -> MemberRow | None:
        """The member unit an account signs in for."""
        row = self.conn.execute(
            "SELECT m.number, m.name, m.credit_code, u.name, u.must_change FROM members m "
            "JOIN users u ON u.id = m.user_id WHERE m.call = ? AND m.user_id = ?", (call_id, user_id)).fetchone()
        return MemberRow(row[0], row[1], row[2], row[3], bool(row[4])) if row else None

    def import_members(self, call_id: str, rows: Sequence[tuple[str, str, str]], new_accounts: dict[str, str],
                       by: str) -> None:
        """The member list (number, name, credit code) merged into the call's: names and codes updated, a unit
        account (named by its number, signing in first with a one-time code: `new_accounts` number -> that
        code's hash) made for each new member. One transaction, one audit row."""
        with self.transaction() as c:
            for number, name, code in rows:
                c.execute("INSERT INTO members (call, number, name, credit_code, imported_at) VALUES (?, ?, ?, ?, ?) "
                          "ON CONFLICT (call, number) DO UPDATE SET name = excluded.name, "
                          "credit_code = excluded.credit_code", (call_id, number, name, code, _now()))
                if number in new_accounts:
                    if c.execute("SELECT 1 FROM users WHERE name = ?", (number,)).fetchone():
                        raise RegistryError(f"账号 {number} 已存在", f"the account {number} exists already")
                    cur = c.execute("INSERT INTO users (name, role, password_hash, must_change, created_at) "
                                    "VALUES (?, 'unit', ?, 1, ?)", (number, new_accounts[number], _now()))
                    c.execute("UPDATE members SET user_id = ? WHERE call = ? AND number = ?",
                              (cur.lastrowid, call_id, number))
            self._audit(c, by, "members.import", f"{len(rows)} 个会员单位，新建账号 {len(new_accounts)} 个")

    def reset_password(self, name: str, password_hash: str, must_change: bool, by: str) -> None:
        """A new password for an account (a one-time code when must_change), its lockout cleared; a one-time code
        also ends the account's sessions."""
        with self.transaction() as c:
            row = c.execute("SELECT id FROM users WHERE name = ?", (name,)).fetchone()
            if row is None:
                raise RegistryError(f"账号 {name} 不存在", f"no account {name}")
            c.execute("UPDATE users SET password_hash = ?, must_change = ?, failed = 0, locked_until = NULL "
                      "WHERE id = ?", (password_hash, int(must_change), row[0]))
            if must_change:
                c.execute("DELETE FROM sessions WHERE user_id = ?", (row[0],))
            self._audit(c, by, "user.code" if must_change else "user.password", name)

    def add_upload(self, upload: Upload, call_id: str) -> None:
        """Keep a checked upload until its unit confirms it (its file is stored before this row is written)."""
        with self.transaction() as c:
            c.execute("INSERT INTO uploads (token, call, user_id, replaces, sha256, name, suffix, bytes, "
                      "file_report, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                      (upload.token, call_id, upload.user_id, upload.replaces, upload.sha256, upload.name,
                       upload.suffix, upload.bytes, json.dumps(upload.file_report, ensure_ascii=False),
                       upload.created_at))

    def upload(self, token: str) -> Upload | None:
        """A waiting upload by its token."""
        row = self.conn.execute("SELECT token, user_id, replaces, sha256, name, suffix, bytes, file_report, "
                                "created_at FROM uploads WHERE token = ?", (token,)).fetchone()
        if row is None:
            return None
        token, user_id, replaces, sha256, name, suffix, size, report, created_at = row
        return Upload(token, user_id, replaces, sha256, name, suffix, size, json.loads(report), created_at)

    def drop_uploads(self, before: str) -> int:
        """Forget the uploads made before this time (never confirmed); how many."""
        with self.transaction() as c:
            return c.execute("DELETE FROM uploads WHERE created_at < ?", (before,)).rowcount

    def stored_files(self) -> set[str]:
        """The SHA-256 of every file the store must keep: each version's and each waiting upload's."""
        return {r[0] for r in self.conn.execute("SELECT sha256 FROM versions UNION SELECT sha256 FROM uploads")}

    def submit(self, call_id: str, upload: Upload, member_no: str, who: str, numbering: tuple[str, int],
               versions: tuple[str, str], listing: Listing, limit: int, between: Any = None) -> tuple[str, int]:
        """Register a confirmed upload in one transaction: a new application (the call's next number) or, when it
        replaces one, that application's next version under the same number; its check kept as the cached file
        report; the upload row gone; the audit row. (registration number, version). A new application past the
        unit's `limit` is refused here, inside the transaction (two confirmations at once cannot both pass it).
        `between` runs inside the transaction before it commits (the test of a server killed mid-registration)."""
        prefix, digits = numbering
        with self.transaction() as c:
            if not c.execute("SELECT 1 FROM uploads WHERE token = ?", (upload.token,)).fetchone():
                raise RegistryError("该上传已处理或已过期，请重新上传", "this upload was handled already or expired")
            taken = c.execute("SELECT reg_no FROM applications WHERE call = ? AND sha256 = ?",
                              (call_id, upload.sha256)).fetchone()
            if taken:
                raise RegistryError("与已登记的一份申报书完全相同，不能重复提交",
                                    "the same file as a registered application")
            now = _now()
            if upload.replaces:
                reg_no = upload.replaces
                c.execute("UPDATE applications SET sha256 = ?, path = ?, report = NULL, status = 'registered', "
                          "errors = NULL, warnings = NULL WHERE reg_no = ?", (upload.sha256, upload.name, reg_no))
                c.execute("UPDATE submissions SET returned = NULL, updated_at = ? WHERE reg_no = ?", (now, reg_no))
                what = "submission.replace"
            else:
                had = int(c.execute("SELECT COUNT(*) FROM submissions WHERE call = ? AND user_id = ?",
                                    (call_id, upload.user_id)).fetchone()[0])
                if had >= limit:
                    raise RegistryError(f"每个单位最多申报 {limit} 项，已达上限",
                                        f"at most {limit} applications per unit")
                reg_no = self._new_application(c, call_id, upload.sha256, upload.name, prefix, digits)
                c.execute("INSERT INTO submissions (reg_no, call, member_no, user_id, submitted_at, updated_at) "
                          "VALUES (?, ?, ?, ?, ?, ?)", (reg_no, call_id, member_no, upload.user_id, now, now))
                what = "submission"
            version = int(c.execute("SELECT COALESCE(MAX(version), 0) + 1 FROM versions WHERE reg_no = ?",
                                    (reg_no,)).fetchone()[0])
            c.execute("INSERT INTO versions (reg_no, version, sha256, name, suffix, bytes, at, who) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                      (reg_no, version, upload.sha256, upload.name, upload.suffix, upload.bytes, now, who))
            self._file_report(c, reg_no, upload.file_report, *versions, listing)
            c.execute("DELETE FROM uploads WHERE token = ?", (upload.token,))
            self._audit(c, who, what, f"{reg_no} 第{version}版：{upload.name}", upload.sha256, reg_no)
            if between is not None:
                between()
        return reg_no, version

    def submissions(self, call_id: str, user_id: int | None = None) -> list[Submission]:
        """The call's online submissions (one account's only, when given), in registration order."""
        sql = ("SELECT s.reg_no, s.member_no, s.user_id, s.returned, s.submitted_at, s.updated_at, s.consent "
               "FROM submissions s "
               "JOIN applications a ON a.reg_no = s.reg_no WHERE s.call = ?")
        args: list[Any] = [call_id]
        if user_id is not None:
            sql += " AND s.user_id = ?"
            args.append(user_id)
        rows = self.conn.execute(sql + " ORDER BY a.seq", args).fetchall()
        return [Submission(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6])) for r in rows]

    def versions(self, reg_no: str) -> list[Version]:
        """Every file an application was submitted as, oldest first."""
        return [Version(*r) for r in self.conn.execute(
            "SELECT reg_no, version, sha256, name, suffix, bytes, at, who FROM versions WHERE reg_no = ? "
            "ORDER BY version", (reg_no,))]

    def return_submission(self, reg_no: str, reason: str, who: str) -> None:
        """Staff send an online submission back for correction (退回补正) with the reason its unit reads."""
        with self.transaction() as c:
            if not c.execute("UPDATE submissions SET returned = ?, updated_at = ? WHERE reg_no = ?",
                             (reason, _now(), reg_no)).rowcount:
                raise RegistryError(f"{reg_no} 不是在线提交的申报书", f"{reg_no} was not submitted online")
            self._audit(c, who, "submission.return", f"{reg_no}：{reason}", None, reg_no)

    def file_reports(self, call_id: str) -> list[tuple[str, str, dict[str, Any]]]:
        """(number, path, cached {"report", "locations"}) of every checked application of the call, in
        registration order: what the rules across applications re-run over."""
        return [(r[0], r[1], json.loads(r[2])) for r in self.conn.execute(
            "SELECT reg_no, path, file_report FROM applications WHERE call = ? AND file_report IS NOT NULL "
            "ORDER BY seq", (call_id,))]

    def letters_of(self, call_id: str, reg_no: str) -> list[tuple[str, str, str]]:
        """The letters numbered for an application: (kind, number, issued at)."""
        return [tuple(r) for r in self.conn.execute(
            "SELECT kind, number, issued_at FROM letters WHERE call = ? AND reg_no = ? ORDER BY issued_at",
            (call_id, reg_no))]

    # -- review (migration 2): judges, assignments, scores, results ---------------------------------------------

    def replace_assignments(self, call_id: str, judges: Sequence[JudgeRow],
                            assignments: Sequence[tuple[str, str, int, bool]], seed: int) -> int:
        """The call's judges and assignments (registration number, judge id, position, category match) replaced
        in one transaction; refused, nothing written, once the call has scores: returns how many (0: replaced)."""
        with self.transaction() as c:
            scored = int(c.execute("SELECT COUNT(*) FROM scores WHERE call = ?", (call_id,)).fetchone()[0])
            if scored:
                return scored
            c.execute("DELETE FROM assignments WHERE call = ?", (call_id,))
            c.execute("DELETE FROM judges WHERE call = ?", (call_id,))
            c.executemany("INSERT INTO judges (call, judge_id, name, unit, credit_code, fields) "
                          "VALUES (?, ?, ?, ?, ?, ?)",
                          [(call_id, jid, name, unit, code, json.dumps(list(fields), ensure_ascii=False))
                           for jid, name, unit, code, fields in judges])
            now = _now()
            c.executemany("INSERT INTO assignments (call, reg_no, judge_id, position, category_match, seed, "
                          "assigned_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                          [(call_id, reg_no, jid, position, int(match), seed, now)
                           for reg_no, jid, position, match in assignments])
        return 0

    def judges(self, call_id: str) -> list[JudgeRow]:
        """The judges of the call's current assignment, by id."""
        rows = self.conn.execute("SELECT judge_id, name, unit, credit_code, fields FROM judges WHERE call = ? "
                                 "ORDER BY judge_id", (call_id,)).fetchall()
        return [(r[0], r[1], r[2], r[3], tuple(json.loads(r[4]))) for r in rows]

    def assignments(self, call_id: str) -> dict[str, list[str]]:
        """Registration numbers per judge id, in registration order."""
        out: dict[str, list[str]] = {}
        for jid, reg_no in self.conn.execute(
                "SELECT s.judge_id, s.reg_no FROM assignments s JOIN applications a ON a.reg_no = s.reg_no "
                "WHERE s.call = ? ORDER BY s.judge_id, a.seq", (call_id,)):
            out.setdefault(jid, []).append(reg_no)
        return out

    def scores(self, call_id: str) -> list[StoredScore]:
        """Every stored scoring form of the call, by registration number and judge id."""
        rows = self.conn.execute("SELECT reg_no, judge_id, criteria, total, veto, comment, veto_reason FROM scores "
                                 "WHERE call = ? ORDER BY reg_no, judge_id", (call_id,)).fetchall()
        return [_stored_score(r) for r in rows]

    def scores_of_judge(self, call_id: str, judge_id: str) -> dict[str, StoredScore]:
        """One judge's stored scoring forms, by registration number."""
        rows = self.conn.execute("SELECT reg_no, judge_id, criteria, total, veto, comment, veto_reason FROM scores "
                                 "WHERE call = ? AND judge_id = ?", (call_id, judge_id)).fetchall()
        return {r[0]: _stored_score(r) for r in rows}

    def upsert_scores(self, call_id: str, forms: Sequence[tuple[int, StoredScore]], source: str,
                      source_sha256: str) -> tuple[int, int]:
        """Store scoring forms read from rows of one workbook (source, its SHA-256), each replacing the judge's
        earlier form of that application, in one transaction; returns (new, replaced)."""
        new = replaced = 0
        with self.transaction() as c:
            now = _now()
            for row, s in forms:
                was = c.execute("SELECT 1 FROM scores WHERE call = ? AND reg_no = ? AND judge_id = ?",
                                (call_id, s.reg_no, s.judge_id)).fetchone()
                c.execute(
                    "INSERT INTO scores (call, reg_no, judge_id, criteria, total, veto, comment, source, "
                    "source_sha256, source_row, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (call, reg_no, judge_id) DO UPDATE SET criteria = excluded.criteria, "
                    "total = excluded.total, veto = excluded.veto, comment = excluded.comment, "
                    "source = excluded.source, source_sha256 = excluded.source_sha256, "
                    "source_row = excluded.source_row, imported_at = excluded.imported_at",
                    (call_id, s.reg_no, s.judge_id, json.dumps(s.criteria, sort_keys=True), s.total, int(s.veto),
                     s.comment, source, source_sha256, row, now))
                c.execute("DELETE FROM drafts WHERE call = ? AND reg_no = ? AND judge_id = ?",
                          (call_id, s.reg_no, s.judge_id))
                if was:
                    replaced += 1
                else:
                    new += 1
        return new, replaced

    def replace_results(self, call_id: str, results: Sequence[StoredResult]) -> None:
        """The call's computed results replaced by these (one transaction)."""
        with self.transaction() as c:
            c.execute("DELETE FROM results WHERE call = ?", (call_id,))
            now = _now()
            c.executemany(
                "INSERT INTO results (call, reg_no, rank, serial, level, level_name, hold, vetoed_by, forms, final, "
                "plain_mean, z_mean, z_rank, rank_shift, averages, counted, computed_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(call_id, r.reg_no, r.rank, r.serial, r.level, r.level_name, int(r.hold),
                  json.dumps(list(r.vetoed_by)), r.forms, r.final, r.plain_mean, r.z_mean, r.z_rank, r.rank_shift,
                  json.dumps(r.averages), json.dumps(list(r.counted)), now) for r in results])

    def results(self, call_id: str) -> list[StoredResult]:
        """The call's stored results in ranking order (unscored applications last, in registration order)."""
        rows = self.conn.execute(
            "SELECT r.reg_no, r.rank, r.serial, r.level, r.level_name, r.hold, r.vetoed_by, r.forms, r.final, "
            "r.plain_mean, r.z_mean, r.z_rank, r.rank_shift, r.averages, r.counted FROM results r "
            "JOIN applications a ON a.reg_no = r.reg_no WHERE r.call = ? "
            "ORDER BY r.rank IS NULL, r.rank, a.seq", (call_id,)).fetchall()
        return [StoredResult(reg_no=r[0], rank=r[1], serial=r[2], level=r[3], level_name=r[4], hold=bool(r[5]),
                             vetoed_by=tuple(json.loads(r[6])), forms=r[7], final=r[8], plain_mean=r[9],
                             z_mean=r[10], z_rank=r[11], rank_shift=r[12], averages=json.loads(r[13]),
                             counted=tuple(json.loads(r[14]))) for r in rows]

    # -- certificates (migration 3) -----------------------------------------------------------------------------

    def certificate_numbers(self, call_id: str, proposed: Sequence[CertificateRow]) -> list[str]:
        """The number of each certificate: the one given before for its registration number, kind and rank,
        else the proposed one, stored now so that it is kept for good (one transaction)."""
        with self.transaction() as c:
            kept = {(reg_no, kind, rank): number for reg_no, kind, rank, number in
                    c.execute("SELECT reg_no, kind, rank, number FROM certificates WHERE call = ?", (call_id,))}
            out = []
            for number, reg_no, kind, rank, name in proposed:
                key = (reg_no, kind, rank)
                if key in kept:
                    number = kept[key]
                else:
                    c.execute("INSERT INTO certificates (number, call, reg_no, kind, rank, name, issued_at) "
                              "VALUES (?, ?, ?, ?, ?, ?, ?)", (number, call_id, reg_no, kind, rank, name, _now()))
                out.append(number)
        return out

    # -- online review (migration 9): drafts, online submission, reopening, 回避, reassignment -------------------

    def judge_accounts(self, call_id: str, new_accounts: dict[str, str], by: str) -> None:
        """A judge account (named by the judge's id, signing in first with a one-time code: `new_accounts` judge
        id -> that code's hash) for each of these judges of the call. One transaction, one audit row."""
        with self.transaction() as c:
            known = {r[0] for r in c.execute("SELECT judge_id FROM judges WHERE call = ?", (call_id,))}
            for jid, code_hash in new_accounts.items():
                if jid not in known:
                    raise RegistryError(f"专家 {jid} 不在本次评审的专家名单中", f"{jid} is not a judge of this call")
                if c.execute("SELECT 1 FROM users WHERE name = ?", (jid,)).fetchone():
                    raise RegistryError(f"账号 {jid} 已存在", f"the account {jid} exists already")
                c.execute("INSERT INTO users (name, role, password_hash, must_change, created_at) "
                          "VALUES (?, 'judge', ?, 1, ?)", (jid, code_hash, _now()))
            self._audit(c, by, "judges.accounts", f"新建专家账号 {len(new_accounts)} 个")

    def add_judges(self, call_id: str, judges: Sequence[JudgeRow], by: str) -> int:
        """Judges added to the call's list without touching any assignment (those already listed keep their row):
        how many were new. One transaction, one audit row."""
        with self.transaction() as c:
            new = 0
            for jid, name, unit, code, fields in judges:
                new += c.execute("INSERT OR IGNORE INTO judges (call, judge_id, name, unit, credit_code, fields) "
                                 "VALUES (?, ?, ?, ?, ?, ?)",
                                 (call_id, jid, name, unit, code, json.dumps(list(fields), ensure_ascii=False))
                                 ).rowcount
            self._audit(c, by, "judges.add", f"新增专家 {new} 位")
        return new

    @staticmethod
    def _assigned(c: sqlite3.Connection, call_id: str, reg_no: str, judge_id: str) -> bool:
        return c.execute("SELECT 1 FROM assignments WHERE call = ? AND reg_no = ? AND judge_id = ?",
                         (call_id, reg_no, judge_id)).fetchone() is not None

    @staticmethod
    def _scored(c: sqlite3.Connection, call_id: str, reg_no: str, judge_id: str) -> bool:
        return c.execute("SELECT 1 FROM scores WHERE call = ? AND reg_no = ? AND judge_id = ?",
                         (call_id, reg_no, judge_id)).fetchone() is not None

    def drafts(self, call_id: str, judge_id: str) -> dict[str, Draft]:
        """One judge's saved drafts, by registration number."""
        return {r[0]: Draft(r[0], r[1], json.loads(r[2]), bool(r[3]), r[4], r[5], r[6]) for r in self.conn.execute(
            "SELECT reg_no, judge_id, criteria, veto, veto_reason, comment, saved_at FROM drafts "
            "WHERE call = ? AND judge_id = ?", (call_id, judge_id))}

    def draft_counts(self, call_id: str) -> dict[str, int]:
        """How many drafts each judge has saved and not submitted."""
        return dict(self.conn.execute("SELECT judge_id, COUNT(*) FROM drafts WHERE call = ? GROUP BY judge_id",
                                      (call_id,)).fetchall())

    def save_draft(self, call_id: str, d: Draft, who: str) -> None:
        """Save (or overwrite) a judge's draft of an assigned application not yet scored. One transaction."""
        with self.transaction() as c:
            if not self._assigned(c, call_id, d.reg_no, d.judge_id):
                raise RegistryError(f"{d.reg_no} 未分配给该专家", f"{d.reg_no} is not assigned to this judge")
            if self._scored(c, call_id, d.reg_no, d.judge_id):
                raise RegistryError(f"{d.reg_no} 的评分已提交，不能再修改", f"the score of {d.reg_no} was submitted")
            c.execute("INSERT INTO drafts (call, reg_no, judge_id, criteria, veto, veto_reason, comment, saved_at) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (call, reg_no, judge_id) DO UPDATE SET "
                      "criteria = excluded.criteria, veto = excluded.veto, veto_reason = excluded.veto_reason, "
                      "comment = excluded.comment, saved_at = excluded.saved_at",
                      (call_id, d.reg_no, d.judge_id, json.dumps(d.criteria, ensure_ascii=False, sort_keys=True),
                       int(d.veto), d.veto_reason, d.comment, _now()))
            self._audit(c, who, "score.draft", f"{d.reg_no}（{d.judge_id}）", None, d.reg_no)

    def submit_online(self, call_id: str, s: StoredScore, who: str) -> None:
        """A judge's checked form stored as a score (source 'online') in one transaction, the draft gone: refused
        when the application is not assigned to the judge or already scored (online or by a workbook)."""
        with self.transaction() as c:
            if not self._assigned(c, call_id, s.reg_no, s.judge_id):
                raise RegistryError(f"{s.reg_no} 未分配给该专家", f"{s.reg_no} is not assigned to this judge")
            if self._scored(c, call_id, s.reg_no, s.judge_id):
                raise RegistryError(f"{s.reg_no} 的评分已提交（在线或评分表导入），如需修改请联系工作人员退回",
                                    f"{s.reg_no} is scored already (online or by a workbook); ask staff to reopen it")
            body = json.dumps([s.criteria, s.veto, s.veto_reason, s.comment], ensure_ascii=False, sort_keys=True)
            c.execute("INSERT INTO scores (call, reg_no, judge_id, criteria, total, veto, comment, source, "
                      "source_sha256, source_row, imported_at, veto_reason) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?, 'online', ?, 0, ?, ?)",
                      (call_id, s.reg_no, s.judge_id, json.dumps(s.criteria, sort_keys=True), s.total, int(s.veto),
                       s.comment, hashlib.sha256(body.encode()).hexdigest(), _now(), s.veto_reason))
            c.execute("DELETE FROM drafts WHERE call = ? AND reg_no = ? AND judge_id = ?",
                      (call_id, s.reg_no, s.judge_id))
            self._audit(c, who, "score.submit", f"{s.reg_no}（{s.judge_id}）总分 {s.total:g}"
                        + ("，否决" if s.veto else ""), None, s.reg_no)

    def reopen_score(self, call_id: str, reg_no: str, judge_id: str, reason: str, who: str) -> None:
        """Staff reopen a submitted form (online or imported) with a reason: it becomes the judge's draft again and
        counts no more until submitted. One transaction."""
        with self.transaction() as c:
            row = c.execute("SELECT criteria, veto, veto_reason, comment FROM scores "
                            "WHERE call = ? AND reg_no = ? AND judge_id = ?", (call_id, reg_no, judge_id)).fetchone()
            if row is None:
                raise RegistryError(f"{reg_no} 没有专家 {judge_id} 已提交的评分", f"no submitted score of {judge_id}")
            typed = {k: format(v, "g") for k, v in json.loads(row[0]).items()}
            c.execute("DELETE FROM scores WHERE call = ? AND reg_no = ? AND judge_id = ?", (call_id, reg_no, judge_id))
            c.execute("INSERT OR REPLACE INTO drafts (call, reg_no, judge_id, criteria, veto, veto_reason, comment, "
                      "saved_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                      (call_id, reg_no, judge_id, json.dumps(typed, ensure_ascii=False, sort_keys=True), row[1],
                       row[2], row[3], _now()))
            self._audit(c, who, "score.reopen", f"{reg_no}（{judge_id}）：{reason}", None, reg_no)

    def recuse(self, call_id: str, reg_no: str, judge_id: str, reason: str, who: str) -> None:
        """A judge's 回避: the assignment (and any draft) removed and the declaration kept, refused once the judge
        has submitted a score for it. One transaction."""
        with self.transaction() as c:
            if not self._assigned(c, call_id, reg_no, judge_id):
                raise RegistryError(f"{reg_no} 未分配给该专家", f"{reg_no} is not assigned to this judge")
            if self._scored(c, call_id, reg_no, judge_id):
                raise RegistryError(f"{reg_no} 的评分已提交，不能再声明回避", f"{reg_no} is scored already")
            c.execute("DELETE FROM drafts WHERE call = ? AND reg_no = ? AND judge_id = ?", (call_id, reg_no, judge_id))
            c.execute("DELETE FROM assignments WHERE call = ? AND reg_no = ? AND judge_id = ?",
                      (call_id, reg_no, judge_id))
            c.execute("INSERT OR REPLACE INTO recusals (call, reg_no, judge_id, reason, declared_at) "
                      "VALUES (?, ?, ?, ?, ?)", (call_id, reg_no, judge_id, reason, _now()))
            self._audit(c, who, "review.recuse", f"{reg_no}（{judge_id}）：{reason}", None, reg_no)

    def recusals(self, call_id: str) -> list[Recusal]:
        """Every 回避 declaration of the call, oldest first."""
        return [Recusal(*r) for r in self.conn.execute(
            "SELECT reg_no, judge_id, reason, declared_at, replaced_by FROM recusals WHERE call = ? "
            "ORDER BY declared_at, reg_no", (call_id,))]

    def reassign(self, call_id: str, reg_no: str, remove: str | None, add: str | None, match: bool,
                 who: str) -> None:
        """Staff change one application's judges: `remove` (not once scored; a draft goes with it) and/or `add`
        (a judge of the call not yet on it and not recused from it); an open 回避 declaration of the application
        is marked replaced by `add`. The caller checks conflicts of interest. One transaction."""
        with self.transaction() as c:
            if remove is not None:
                if not self._assigned(c, call_id, reg_no, remove):
                    raise RegistryError(f"{remove} 未分配到 {reg_no}", f"{remove} is not assigned to {reg_no}")
                if self._scored(c, call_id, reg_no, remove):
                    raise RegistryError(f"{remove} 已对 {reg_no} 提交评分，不能撤下（可先退回评分）",
                                        f"{remove} has scored {reg_no}; reopen the score first")
                c.execute("DELETE FROM drafts WHERE call = ? AND reg_no = ? AND judge_id = ?",
                          (call_id, reg_no, remove))
                c.execute("DELETE FROM assignments WHERE call = ? AND reg_no = ? AND judge_id = ?",
                          (call_id, reg_no, remove))
            if add is not None:
                if not c.execute("SELECT 1 FROM judges WHERE call = ? AND judge_id = ?", (call_id, add)).fetchone():
                    raise RegistryError(f"专家 {add} 不在专家名单中", f"{add} is not a judge of this call")
                if self._assigned(c, call_id, reg_no, add):
                    raise RegistryError(f"{add} 已分配到 {reg_no}", f"{add} is assigned to {reg_no} already")
                if c.execute("SELECT 1 FROM recusals WHERE call = ? AND reg_no = ? AND judge_id = ?",
                             (call_id, reg_no, add)).fetchone():
                    raise RegistryError(f"{add} 已对 {reg_no} 声明回避", f"{add} recused from {reg_no}")
                position = int(c.execute("SELECT COALESCE(MAX(position), 0) + 1 FROM assignments "
                                         "WHERE call = ? AND reg_no = ?", (call_id, reg_no)).fetchone()[0])
                c.execute("INSERT INTO assignments (call, reg_no, judge_id, position, category_match, seed, "
                          "assigned_at) VALUES (?, ?, ?, ?, ?, NULL, ?)", (call_id, reg_no, add, position, int(match),
                                                                         _now()))
                c.execute("UPDATE recusals SET replaced_by = ? WHERE rowid = (SELECT rowid FROM recusals "
                          "WHERE call = ? AND reg_no = ? AND replaced_by IS NULL ORDER BY declared_at LIMIT 1)",
                          (add, call_id, reg_no))
            self._audit(c, who, "review.reassign", f"{reg_no}：撤下 {remove or '—'}，分配 {add or '—'}", None, reg_no)

    def form_sources(self, call_id: str) -> dict[tuple[str, str], FormSource]:
        """Where each submitted form of the call came from, by (registration number, judge id)."""
        return {(r[0], r[1]): FormSource(r[2], r[3]) for r in self.conn.execute(
            "SELECT reg_no, judge_id, source, imported_at FROM scores WHERE call = ?", (call_id,))}

    # -- publication (migration 9): 公示, the decision, 在线分享; consent; withdrawn case pages --------------------

    def publication_steps(self, call_id: str) -> dict[str, PublicationStep]:
        """The publication steps staff ran, by step."""
        return {r[0]: PublicationStep(r[0], r[1], r[2], json.loads(r[3])) for r in self.conn.execute(
            "SELECT step, at, who, detail FROM publication WHERE call = ?", (call_id,))}

    def run_step(self, call_id: str, step: str, detail: dict[str, Any], who: str, summary: str) -> None:
        """Record a publication step (run again: its detail replaced), with its audit row."""
        with self.transaction() as c:
            c.execute("INSERT INTO publication (call, step, at, who, detail) VALUES (?, ?, ?, ?, ?) "
                      "ON CONFLICT (call, step) DO UPDATE SET at = excluded.at, who = excluded.who, "
                      "detail = excluded.detail",
                      (call_id, step, _now(), who, json.dumps(detail, ensure_ascii=False, sort_keys=True)))
            self._audit(c, who, f"publication.{step}", summary)

    def set_consent(self, reg_no: str, consent: bool, who: str) -> None:
        """A unit's consent to the publication of its case, given or taken back."""
        with self.transaction() as c:
            if not c.execute("UPDATE submissions SET consent = ? WHERE reg_no = ?", (int(consent), reg_no)).rowcount:
                raise RegistryError(f"{reg_no} 不是在线提交的申报书", f"{reg_no} was not submitted online")
            self._audit(c, who, "publication.consent", f"{reg_no}：{'同意' if consent else '不同意'}公开发布",
                        None, reg_no)

    def consents(self, call_id: str) -> dict[str, bool]:
        """The consent of every online submission of the call, by registration number."""
        return {r[0]: bool(r[1]) for r in self.conn.execute(
            "SELECT reg_no, consent FROM submissions WHERE call = ?", (call_id,))}

    def withdraw_case(self, call_id: str, reg_no: str, reason: str | None, who: str) -> None:
        """Staff withdraw a published case page (reason given) or put it back (reason None)."""
        with self.transaction() as c:
            if reason is None:
                c.execute("DELETE FROM withdrawn WHERE call = ? AND reg_no = ?", (call_id, reg_no))
                self._audit(c, who, "publication.restore", reg_no, None, reg_no)
            else:
                c.execute("INSERT OR REPLACE INTO withdrawn (call, reg_no, reason, at, who) VALUES (?, ?, ?, ?, ?)",
                          (call_id, reg_no, reason, _now(), who))
                self._audit(c, who, "publication.withdraw", f"{reg_no}：{reason}", None, reg_no)

    def withdrawn(self, call_id: str) -> dict[str, str]:
        """The case pages staff withdrew, with the reason, by registration number."""
        return dict(self.conn.execute("SELECT reg_no, reason FROM withdrawn WHERE call = ?", (call_id,)).fetchall())


@dataclass(frozen=True)
class Peek:
    """What a registry holds for a call, read without changing anything (for a dry run)."""

    numbers: dict[str, str]  # SHA-256 -> registration number
    cached: frozenset[str]  # registration numbers with a check by this call and tool version
    last: int  # the call's counter: the next number is last + 1


def peek(path: Path, call_id: str, call_version: str, tool_version: str) -> Peek:
    """Read a registry without creating, migrating or writing it; an absent registry is empty."""
    if not path.exists():
        return Peek({}, frozenset(), 0)
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=10.0)
        try:
            numbers = dict(conn.execute("SELECT sha256, reg_no FROM applications WHERE call = ?", (call_id,)))
            cached = frozenset(r[0] for r in conn.execute(
                "SELECT reg_no FROM applications WHERE call = ? AND call_version = ? AND tool_version = ? "
                "AND file_report IS NOT NULL", (call_id, call_version, tool_version)))
            row = conn.execute("SELECT last FROM counters WHERE call = ?", (call_id,)).fetchone()
        finally:
            conn.close()
    except sqlite3.Error as e:
        raise RegistryError(f"无法读取登记库 {path}（{e}）", f"cannot read the registry {path} ({e})") from None
    return Peek(numbers, cached, int(row[0]) if row else 0)


PLATFORM_DB = "award.sqlite"


@contextmanager
def in_data(data: Path, call_id: str) -> Iterator[Registry]:
    """The online platform's registry: <data>/award.sqlite (the folder and the registry made on first use),
    claimed for this call."""
    from pipeline.fileio import output_dir

    output_dir(data)
    with Registry(data / PLATFORM_DB, call_id=call_id) as registry:
        yield registry
