"""The registry: one SQLite file per round, numbered migrations, one transaction per write.

Registration numbers come from a per-call counter that only ever goes up, so a number is never reused, whatever
is re-run, renamed, deleted or interrupted. A file is identified by its SHA-256: the same bytes under a new name
keep their number.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.errors import PipelineError


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
]


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


_COLUMNS = ("reg_no, seq, sha256, path, status, applicant, credit_code, project, category, errors, warnings, "
            "report")


def _registered(r: Sequence[Any]) -> Registered:
    return Registered(reg_no=r[0], seq=r[1], sha256=r[2], path=r[3], status=r[4], applicant=r[5],
                      credit_code=r[6], project=r[7], category=r[8], errors=r[9], warnings=r[10],
                      report=json.loads(r[11]) if r[11] else None)


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


class Registry:
    """The SQLite registry at `path`; created and migrated on open."""

    def __init__(self, path: Path | str, timeout: float = 10.0) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.conn = sqlite3.connect(str(self.path), timeout=timeout, isolation_level=None)
            self.conn.execute("PRAGMA foreign_keys = ON")
            self.conn.execute("PRAGMA journal_mode = WAL")
            self.conn.execute("PRAGMA synchronous = NORMAL")
            self.migrate()
        except sqlite3.DatabaseError as e:
            raise self._error(e) from None
        except OSError as e:
            raise RegistryError(f"无法打开登记库 {self.path}：{e.strerror}",
                                f"cannot open the registry {self.path}: {e.strerror}") from None

    def _error(self, e: sqlite3.Error) -> RegistryError:
        text = str(e)
        if "locked" in text or "busy" in text:
            return RegistryError(f"登记库 {self.path} 正被其他程序使用，请稍后再试",
                                 f"the registry {self.path} is locked by another program; try again later")
        return RegistryError(f"登记库 {self.path} 已损坏或不是登记库文件（{text}）",
                             f"the registry {self.path} is damaged or not a registry ({text})")

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()

    def __enter__(self) -> Registry:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write: BEGIN IMMEDIATE … COMMIT, rolled back on any exception."""
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as e:
            raise self._error(e) from None
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        try:
            self.conn.execute("COMMIT")
        except sqlite3.Error as e:
            raise self._error(e) from None

    # -- migrations -------------------------------------------------------------------------------------------

    def applied_migrations(self) -> list[int]:
        """Numbers of the migrations already applied."""
        self.conn.execute("CREATE TABLE IF NOT EXISTS _migrations (number INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                          " applied_at TEXT NOT NULL)")
        return [r[0] for r in self.conn.execute("SELECT number FROM _migrations ORDER BY number")]

    def migrate(self, migrations: Sequence[Migration] = MIGRATIONS) -> list[int]:
        """Apply the migrations not yet applied, each in its own transaction; returns the numbers applied."""
        done = set(self.applied_migrations())
        known = {m.number for m in migrations}
        if done - known:
            raise RegistryError(f"登记库 {self.path} 由更新版本的程序创建（迁移 {max(done)}），请升级 award-pipeline",
                                f"the registry {self.path} was made by a newer version (migration {max(done)}); "
                                "upgrade award-pipeline")
        applied = []
        for m in sorted(migrations, key=lambda m: m.number):
            if m.number in done:
                continue
            with self.transaction() as c:
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
                last = c.execute("SELECT last FROM counters WHERE call = ?", (call_id,)).fetchone()
                seq = (last[0] if last else 0) + 1
                c.execute("INSERT INTO counters (call, last) VALUES (?, ?) "
                          "ON CONFLICT (call) DO UPDATE SET last = excluded.last", (call_id, seq))
                reg_no, new = f"{prefix}{seq:0{digits}d}", True
                c.execute("INSERT INTO applications (reg_no, call, seq, sha256, path, registered_at) "
                          "VALUES (?, ?, ?, ?, ?, ?)", (reg_no, call_id, seq, sha256, path, _now()))
            c.execute("INSERT INTO paths (call, path, sha256, reg_no) VALUES (?, ?, ?, ?) "
                      "ON CONFLICT (call, path) DO UPDATE SET sha256 = excluded.sha256, reg_no = excluded.reg_no",
                      (call_id, path, sha256, reg_no))
        return reg_no, new

    def registered_numbers(self, call_id: str) -> dict[str, str]:
        """SHA-256 -> registration number of every file registered for the call (one query)."""
        return dict(self.conn.execute("SELECT sha256, reg_no FROM applications WHERE call = ?", (call_id,)))

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
                          locations: dict[str, Any] | None = None) -> None:
        """Keep the single-file report of a checked file (the cache) and the locations of its fields."""
        f = report.get("fields") or {}
        cached = {"report": report, "locations": locations or {}}
        with self.transaction() as c:
            c.execute("UPDATE applications SET file_report = ?, call_version = ?, tool_version = ?, format = ?, "
                      "applicant = ?, credit_code = ?, project = ?, category = ?, checked_at = ? WHERE reg_no = ?",
                      (json.dumps(cached, ensure_ascii=False), call_version, tool_version,
                       report["file"]["format"], f.get("applicant.name"), f.get("applicant.credit_code"),
                       f.get("project.name"), f.get("project.category"), _now(), reg_no))

    def store_results(self, results: Sequence[dict[str, Any]], texts: Sequence[str] | None = None) -> None:
        """The final reports of a batch (file and batch findings): status and counts, in one transaction.
        texts: the reports' JSON when the caller has it already; a row whose report did not change is not written."""
        with self.transaction() as c:
            for i, r in enumerate(results):
                text = texts[i] if texts is not None else json.dumps(r, ensure_ascii=False)
                c.execute("UPDATE applications SET report = ?, status = ?, errors = ?, warnings = ? "
                          "WHERE reg_no = ? AND report IS NOT ?",
                          (text, r["status"], r["summary"]["errors"], r["summary"]["warnings"], r["registration"],
                           text))

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
