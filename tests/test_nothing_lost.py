"""Nothing lost: a real `award serve` process killed (SIGKILL, as a power cut) in the middle of a unit's upload and in
the middle of a submission's registration leaves either the complete registered submission or nothing — no number
without its file, no file without its row — and, restarted on the same --data, goes on: the registry and the files
are its only state. The registration's kill point is the AWARD_FAILPOINT=registration hook (inside the transaction,
before it commits)."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import ROOT, SAMPLES
from conftest import csrf_of as _csrf

from pipeline.text import beijing_today

pytestmark = pytest.mark.timeout(240)

FORMS = SAMPLES / "platform"
PASSWORD = "correct horse battery"


def open_call(tmp: Path) -> Path:
    """saq-2021 copied with its submission window moved around today (next year's call is such a copy)."""
    target = tmp / "call-open"
    shutil.copytree(ROOT / "schemas" / "saq-2021", target)
    yaml = target / "call.yaml"
    today = beijing_today()  # the server reads the call's dates on Beijing's date
    text = re.sub(r"window:\n  start: [0-9-]+\n  end: [0-9-]+",
                  f"window:\n  start: {today - dt.timedelta(days=10)}\n  end: {today + dt.timedelta(days=30)}",
                  yaml.read_text(encoding="utf-8"))
    yaml.write_text(text, encoding="utf-8")
    return target


@pytest.fixture()
def platform(tmp_path: Path) -> tuple[Path, Path]:
    """A call folder with an open window and a --data folder where unit 210801 has its own password."""
    from pipeline.calls import load_call
    from pipeline.check.batch import read_members
    from pipeline.registry import in_data
    from pipeline.submission import import_members, set_own_password

    folder = open_call(tmp_path)
    call = load_call(folder)
    data = tmp_path / "data"
    with in_data(data, call.id) as registry:
        import_members(registry, call, read_members(FORMS / "members.csv"), "test")
        set_own_password(registry, "210801", PASSWORD, PASSWORD)
    return folder, data


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """`award serve` in its own process (its own process group: the kill takes its check workers too)."""

    def __init__(self, folder: Path, data: Path, failpoint: str | None = None) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if k != "AWARD_FAILPOINT"}
        if failpoint:
            env["AWARD_FAILPOINT"] = failpoint
        self.proc = subprocess.Popen([sys.executable, "-m", "pipeline", "--call", str(folder), "serve", "--port",
                                      str(self.port), "--workers", "1", "--data", str(data)], cwd=ROOT, env=env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        for _ in range(300):
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        self.kill()
        raise RuntimeError("award serve did not start")

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)
        self._reap()

    def _reap(self) -> None:
        # the server's workers die with it: nothing of the killed server keeps running
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
        self._reap()


@pytest.fixture()
def servers() -> Iterator[list[Server]]:
    started: list[Server] = []
    yield started
    for s in started:
        s.stop()



def _signed_in(url: str) -> httpx.Client:
    c = httpx.Client(base_url=url, timeout=120)
    page = c.get("/signin")
    r = c.post("/signin", data={"name": "210801", "password": PASSWORD, "csrf": _csrf(page.text)})
    assert r.status_code == 303 and r.headers["location"] == "/unit"
    return c


def _checked_upload(c: httpx.Client) -> httpx.Response:
    """Unit A uploads its clean form: checked, kept, waiting for its confirmation."""
    page = c.get("/unit")
    r = c.post("/unit/upload", data={"csrf": _csrf(page.text)},
               files={"file": ("申报书.docx", (FORMS / "unit-a-修改后.docx").read_bytes())})
    assert r.status_code == 200 and "确认提交" in r.text
    return r


def _state(data: Path) -> dict[str, Any]:
    """What the registry and the file store hold (read with SQLite itself, integrity checked)."""
    con = sqlite3.connect(data / "award.sqlite")
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        state = {
            "applications": con.execute("SELECT reg_no, sha256 FROM applications ORDER BY seq").fetchall(),
            "counter": con.execute("SELECT COALESCE(MAX(last), 0) FROM counters").fetchone()[0],
            "versions": con.execute("SELECT reg_no, version, sha256 FROM versions").fetchall(),
            "submissions": con.execute("SELECT reg_no FROM submissions").fetchall(),
            "uploads": con.execute("SELECT token, sha256 FROM uploads").fetchall(),
        }
    finally:
        con.close()
    files = data / "files"
    state["files"] = sorted(p.name for p in files.rglob("*") if p.is_file()) if files.is_dir() else []
    return state


def _named_files(state: dict[str, Any]) -> list[str]:
    """The stored files the rows name (every stored file must be one, and every one must be stored)."""
    return sorted({f"{sha}.docx" for *_, sha in state["versions"]} | {f"{sha}.docx" for _, sha in state["uploads"]})


def test_killed_mid_registration_leaves_nothing_then_the_restart_registers(platform: tuple[Path, Path],
                                                                         servers: list[Server]) -> None:
    folder, data = platform
    dying = Server(folder, data, failpoint="registration")
    servers.append(dying)
    c = _signed_in(dying.url)
    r = _checked_upload(c)
    token = re.search(r'name="token" value="([^"]+)"', r.text)
    assert token
    with pytest.raises(httpx.TransportError):  # the server dies inside the registration's transaction
        c.post("/unit/confirm", data={"csrf": _csrf(r.text), "token": token.group(1)})
    assert dying.proc.wait(timeout=30) == -signal.SIGKILL
    dying.kill()

    after_kill = _state(data)
    assert after_kill["applications"] == [] and after_kill["counter"] == 0  # no number
    assert after_kill["versions"] == [] and after_kill["submissions"] == []
    assert len(after_kill["uploads"]) == 1 and after_kill["files"] == _named_files(after_kill)  # the checked upload

    again = Server(folder, data)
    servers.append(again)
    done = c.post(str(httpx.URL(again.url).join("/unit/confirm")),
                  data={"csrf": _csrf(r.text), "token": token.group(1)})
    assert done.status_code == 303 and done.headers["location"] == "/unit/applications/2021-0001?submitted=1"
    final = _state(data)
    assert [n for n, _ in final["applications"]] == ["2021-0001"] and final["counter"] == 1
    assert [(n, v) for n, v, _ in final["versions"]] == [("2021-0001", 1)] and final["uploads"] == []
    assert final["files"] == _named_files(final) and len(final["files"]) == 1


def test_killed_mid_upload_leaves_nothing_and_the_restart_takes_uploads(platform: tuple[Path, Path],
                                                                      servers: list[Server]) -> None:
    folder, data = platform
    first = Server(folder, data)
    servers.append(first)
    c = _signed_in(first.url)
    page = c.get("/unit")
    body, content_type = _multipart(_csrf(page.text), (FORMS / "unit-a-修改后.docx").read_bytes())
    head = (f"POST /unit/upload HTTP/1.1\r\nHost: 127.0.0.1:{first.port}\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\nCookie: {'; '.join(f'{k}={v}' for k, v in c.cookies.items())}\r\n\r\n")
    with socket.create_connection(("127.0.0.1", first.port)) as s:
        s.sendall(head.encode("latin-1") + body[: len(body) // 2])  # half the file is on its way
        time.sleep(0.5)
        first.kill()
    after_kill = _state(data)
    assert after_kill["uploads"] == [] and after_kill["applications"] == [] and after_kill["files"] == []

    again = Server(folder, data)
    servers.append(again)
    _checked_upload(_signed_in(again.url))


def _multipart(csrf: str, data: bytes) -> tuple[bytes, str]:
    boundary = "----award-test-boundary"
    parts = [f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n".encode(),
             (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.docx\"\r\n"
              "Content-Type: application/octet-stream\r\n\r\n").encode() + data + b"\r\n",
             f"--{boundary}--\r\n".encode()]
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def test_a_file_no_row_names_is_removed_at_start(platform: tuple[Path, Path], servers: list[Server]) -> None:
    """What a server killed between writing an upload's file and its row leaves: the next start removes it."""
    import hashlib

    from pipeline.submission import data_files

    folder, data = platform
    stray = (FORMS / "unit-a-项目2.docx").read_bytes()
    sha = data_files(data).put(stray, ".docx")
    assert (data / "files" / sha[:2] / f"{sha}.docx").is_file()
    half = data / "files" / sha[:2] / f".{sha}.docx.a1b2c3d4.tmp"  # an atomic write cut short
    half.write_bytes(b"x")
    servers.append(Server(folder, data))
    assert _state(data)["files"] == []
    assert hashlib.sha256(stray).hexdigest() == sha
