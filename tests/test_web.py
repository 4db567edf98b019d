"""The platform's JSON API (`award serve`): /healthz, /api/v1/check answering exactly what `award check --format json`
prints, the upload limit (413 before the body is read whole), a full queue (503 with Retry-After), no CDN, the
security headers. The checks run in the real worker pool (forkserver processes)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import APPS, SAMPLES
from conftest import csrf_of as _csrf
from fastapi.testclient import TestClient

from pipeline.cli import main
from pipeline.web.app import SECURITY_HEADERS, Settings, create_app, upload_name
from pipeline.web.pool import Busy, CheckPool

pytestmark = pytest.mark.timeout(180)


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("award-data")


@pytest.fixture(scope="module")
def client(call: Any, data: Path) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(call, workers=1, queue=2, data=data))) as c:
        yield c


def _cli_json(path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """What `award check --format json NAME` prints, run beside the file (so the report names it the same)."""
    monkeypatch.chdir(path.parent)
    done = CliRunner().invoke(main, ["check", "--format", "json", path.name])
    assert done.exit_code in (0, 1), done.output
    return done.stdout


def test_healthz(client: TestClient) -> None:
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json() == {"status": "ok"}


@pytest.mark.parametrize("path", [
    APPS / "valid.docx",
    APPS / "address-too-long.docx",
    SAMPLES / "pdf" / "applications" / "applicant-too-long.pdf",
    SAMPLES / "hostile" / "billion-laughs.docx",
    SAMPLES / "hostile" / "empty.docx",
], ids=lambda p: p.name)
def test_api_check_is_what_award_check_prints(client: TestClient, path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    r = client.post("/api/v1/check", files={"file": (path.name, path.read_bytes())})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    assert r.text == _cli_json(path, monkeypatch)


def test_api_report_names_the_upload_never_its_path(client: TestClient) -> None:
    data = (APPS / "valid.docx").read_bytes()
    r = client.post("/api/v1/check", files={"file": ("../../etc/申报书.docx", data)})
    assert r.status_code == 200 and r.json()["file"]["path"] == "申报书.docx"
    assert upload_name("C:\\Users\\张三\\a.docx") == "a.docx" and upload_name("") == "upload"


def test_over_the_size_limit_is_413(client: TestClient, call: Any) -> None:
    big = b"PK\x03\x04" + b"\0" * call.file.max_bytes
    r = client.post("/api/v1/check", files={"file": ("big.docx", big)})
    assert r.status_code == 413 and r.json()["error"] == "too_large"
    assert "20 MB" in r.json()["message"]


def test_declared_length_over_the_limit_is_refused_before_reading(client: TestClient, call: Any) -> None:
    # the body is tiny, but its declared length is over the limit: refused on the header alone
    r = client.post("/api/v1/check", content=b"x", headers={"content-length": str(call.file.max_bytes * 2),
                                                            "content-type": "multipart/form-data; boundary=b"})
    assert r.status_code == 413


def test_a_bad_lang_is_refused(client: TestClient) -> None:
    r = client.post("/api/v1/check", files={"file": ("a.docx", b"x")}, data={"lang": "fr"})
    assert r.status_code == 422


def test_a_full_queue_is_503_with_retry_after(client: TestClient) -> None:
    pool: CheckPool = client.app.state.pool  # type: ignore[attr-defined]
    pool.pending = pool.capacity  # every worker busy, the queue full
    try:
        r = client.post("/api/v1/check", files={"file": ("valid.docx", (APPS / "valid.docx").read_bytes())})
    finally:
        pool.pending = 0
    assert r.status_code == 503 and int(r.headers["retry-after"]) >= 1 and r.json()["error"] == "busy"


def test_busy_is_raised_beyond_capacity(call: Any) -> None:
    import asyncio

    pool = CheckPool(call, workers=1, queue=0)
    pool.start()
    try:
        pool.pending = 1
        with pytest.raises(Busy):
            asyncio.run(pool.check(b"", "x.docx"))
    finally:
        pool.close()


def test_no_page_loads_from_a_cdn_and_the_api_is_described(client: TestClient) -> None:
    assert client.get("/docs").status_code == 404 and client.get("/redoc").status_code == 404
    spec = client.get("/api/openapi.json").json()
    assert "/api/v1/check" in spec["paths"] and "/healthz" in spec["paths"]
    assert "cdn" not in json.dumps(spec).lower()


def test_security_headers_on_every_answer(client: TestClient) -> None:
    for r in (client.get("/healthz"), client.get("/nowhere"), client.post("/api/v1/check")):
        for name, value in SECURITY_HEADERS.items():
            assert r.headers[name] == value
        assert "'unsafe-inline'" not in r.headers["content-security-policy"]


# --- the self-check page (自查): public, no account -------------------------------------------------------------


def _token(client: TestClient) -> str:
    page = client.get("/selfcheck")
    assert page.status_code == 200 and "检查完成后即删除" in page.text
    return _csrf(page.text)


def test_home_and_form_pages_read_in_chinese(client: TestClient) -> None:
    home = client.get("/")
    assert home.status_code == 200 and 'lang="zh-CN"' in home.text and "申报书自查" in home.text
    form = client.get("/selfcheck")
    assert 'enctype="multipart/form-data"' in form.text and "不超过 20 MB" in form.text
    assert "<script" not in home.text + form.text and "http" not in form.text.split("<main>")[1]


def test_selfcheck_shows_the_report_and_offers_the_annotated_copy(client: TestClient) -> None:
    import base64
    import io
    import re
    import zipfile

    data = (APPS / "address-too-long.docx").read_bytes()
    r = client.post("/selfcheck", files={"file": ("address-too-long.docx", data)}, data={"csrf": _token(client)})
    assert r.status_code == 200 and "发现 1 处错误" in r.text and "field.too_long" in r.text
    link = re.search(r'href="data:[^;]+;base64,([^"]+)" download="([^"]+)"', r.text)
    assert link is not None and link.group(2) == "address-too-long-批注.docx"
    copy = zipfile.ZipFile(io.BytesIO(base64.b64decode(link.group(1))))
    assert "word/comments.xml" in copy.namelist()  # the finding as a Word comment


def test_selfcheck_of_a_valid_form_says_it_can_be_sent(client: TestClient) -> None:
    data = (APPS / "valid.docx").read_bytes()
    r = client.post("/selfcheck", files={"file": ("valid.docx", data)}, data={"csrf": _token(client)})
    assert r.status_code == 200 and "未发现错误，可以提交" in r.text


def test_selfcheck_without_the_form_token_is_refused(client: TestClient) -> None:
    data = (APPS / "valid.docx").read_bytes()
    _token(client)
    r = client.post("/selfcheck", files={"file": ("valid.docx", data)}, data={"csrf": "x" * 43})
    assert r.status_code == 403 and "刷新本页" in r.text
    fresh = TestClient(client.app)  # another site's page: no cookie of ours at all
    r = fresh.post("/selfcheck", files={"file": ("valid.docx", data)}, data={"csrf": "x" * 43})
    assert r.status_code == 403


def test_selfcheck_over_the_size_limit_is_a_413_page(client: TestClient, call: Any) -> None:
    big = b"PK\x03\x04" + b"\0" * call.file.max_bytes
    r = client.post("/selfcheck", files={"file": ("big.docx", big)}, data={"csrf": _token(client)})
    assert r.status_code == 413 and "text/html" in r.headers["content-type"] and "20 MB" in r.text


def test_selfcheck_is_rate_limited_per_address(call: Any, tmp_path: Path) -> None:
    from pipeline.web.app import RateLimit

    limit = RateLimit(3)
    assert [limit.wait("a", now=t) for t in (0, 1, 2)] == [0, 0, 0]
    assert limit.wait("a", now=3) > 0 and limit.wait("b", now=3) == 0  # per address
    assert limit.wait("a", now=61) == 0  # a minute later
    with TestClient(create_app(Settings(call, workers=1, queue=2, selfchecks_per_minute=1, data=tmp_path))) as c:
        data = (APPS / "valid.docx").read_bytes()
        assert c.post("/selfcheck", files={"file": ("v.docx", data)}, data={"csrf": _token(c)}).status_code == 200
        r = c.post("/selfcheck", files={"file": ("v.docx", data)}, data={"csrf": _token(c)})
        assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1 and "上传过于频繁" in r.text


def test_the_csrf_cookie_is_httponly_and_samesite(call: Any, tmp_path: Path) -> None:
    with TestClient(create_app(Settings(call, workers=1, data=tmp_path))) as c:
        cookie = c.get("/selfcheck").headers["set-cookie"].lower()
        assert "award_csrf=" in cookie and "httponly" in cookie and "samesite=lax" in cookie


# --- staff accounts: sign-in, sessions, roles -------------------------------------------------------------------

PASSWORD = "correct horse battery"

# Every route of the application and who may use it; a route missing here fails the test below.
ROUTES = {
    ("GET", "/"): "public", ("GET", "/selfcheck"): "public", ("POST", "/selfcheck"): "public",
    ("GET", "/signin"): "public", ("POST", "/signin"): "public", ("POST", "/signout"): "public",
    ("GET", "/static/{name}"): "public", ("GET", "/healthz"): "public", ("POST", "/api/v1/check"): "public",
    ("GET", "/api/openapi.json"): "public",
    ("GET", "/staff"): "staff", ("GET", "/staff/applications"): "staff",
    ("GET", "/staff/applications/{reg_no}"): "staff", ("GET", "/staff/audit"): "staff",
    ("GET", "/staff/audit.xlsx"): "staff", ("GET", "/staff/backup.sqlite"): "staff",
    ("POST", "/staff/batch"): "staff", ("GET", "/staff/summary.xlsx"): "staff",
    ("GET", "/staff/applications/{reg_no}/files/{version}"): "staff",
    ("POST", "/staff/applications/{reg_no}/return"): "staff", ("POST", "/staff/recheck"): "staff",
    ("POST", "/staff/letters"): "staff", ("GET", "/staff/units"): "staff", ("POST", "/staff/units/import"): "staff",
    ("POST", "/staff/units/{number}/code"): "staff",
    ("GET", "/unit"): "unit", ("GET", "/unit/applications/{reg_no}"): "unit",
    ("GET", "/unit/applications/{reg_no}/files/{version}"): "unit", ("POST", "/unit/upload"): "unit",
    ("POST", "/unit/confirm"): "unit",
    ("GET", "/account/password"): "signed-in", ("POST", "/account/password"): "signed-in",
    ("GET", "/judge"): "judge", ("GET", "/judge/applications/{reg_no}"): "judge",
    ("GET", "/judge/applications/{reg_no}/file"): "judge", ("GET", "/judge/applications/{reg_no}/pdf"): "judge",
    ("POST", "/judge/applications/{reg_no}/draft"): "judge", ("POST", "/judge/applications/{reg_no}/submit"): "judge",
    ("POST", "/judge/applications/{reg_no}/recuse"): "judge",
    ("GET", "/staff/judges"): "staff", ("POST", "/staff/judges/import"): "staff",
    ("POST", "/staff/judges/{judge_id}/code"): "staff", ("GET", "/staff/review"): "staff",
    ("POST", "/staff/review/reassign"): "staff", ("POST", "/staff/review/reopen"): "staff",
    # the round's end (pipeline.web.staff_round)
    ("GET", "/staff/round"): "staff", ("POST", "/staff/round/results"): "staff",
    ("GET", "/staff/round/results.xlsx"): "staff", ("POST", "/staff/round/publicity"): "staff",
    ("GET", "/staff/round/publicity.docx"): "staff", ("POST", "/staff/round/decision"): "staff",
    ("GET", "/staff/round/issued.zip"): "staff", ("POST", "/staff/round/publish"): "staff",
    ("GET", "/publicity"): "public",
    # 在线分享 (pipeline/web/cases.py)
    ("GET", "/winners"): "public", ("GET", "/winners/{reg_no}"): "public",
    ("GET", "/staff/cases"): "staff", ("POST", "/staff/cases/{reg_no}/withdraw"): "staff",
    ("POST", "/staff/cases/{reg_no}/restore"): "staff", ("GET", "/staff/casebook.docx"): "staff",
    ("POST", "/unit/applications/{reg_no}/consent"): "unit",
}


def _sign_in(c: TestClient, name: str, password: str) -> Any:
    return c.post("/signin", data={"name": name, "password": password, "csrf": _csrf(c.get("/signin").text)},
                  follow_redirects=False)


@pytest.fixture(scope="module")
def accounts(client: TestClient, data: Path, call: Any) -> None:
    from pipeline.accounts import add_user
    from pipeline.registry import in_data

    with in_data(data, call.id) as registry:
        add_user(registry, "admin", "staff", PASSWORD)
        add_user(registry, "judge01", "judge", PASSWORD)


def test_every_route_has_a_role_and_anonymous_staff_routes_are_refused(client: TestClient) -> None:
    from fastapi.routing import APIRoute
    from starlette.routing import Route

    seen = set()
    for route in client.app.routes:  # type: ignore[attr-defined]
        if isinstance(route, (APIRoute, Route)):
            for method in route.methods or ():
                if method != "HEAD":
                    seen.add((method, route.path))
    assert seen == set(ROUTES), seen ^ set(ROUTES)
    fresh = TestClient(client.app)
    for (method, path), role in ROUTES.items():
        if role != "public":
            r = fresh.request(method, path, follow_redirects=False)
            assert r.status_code == 303 and r.headers["location"] == "/signin", (method, path)


def test_staff_sign_in_opens_the_console_and_sign_out_closes_it(client: TestClient, accounts: None) -> None:
    assert client.get("/staff", follow_redirects=False).headers["location"] == "/signin"
    r = _sign_in(client, "admin", PASSWORD)
    assert r.status_code == 303 and r.headers["location"] == "/staff"
    cookie = r.headers["set-cookie"].lower()
    assert "award_session=" in cookie and "httponly" in cookie and "samesite=lax" in cookie
    page = client.get("/staff")
    assert page.status_code == 200 and "工作台" in page.text and "admin" in page.text
    assert client.post("/signout", data={"csrf": _csrf(page.text)}, follow_redirects=False).status_code == 303
    assert client.get("/staff", follow_redirects=False).status_code == 303


def test_a_judge_account_sees_neither_the_console_nor_submission(call: Any, tmp_path: Path) -> None:
    from pipeline.accounts import add_user
    from pipeline.registry import in_data

    with in_data(tmp_path, call.id) as registry:
        add_user(registry, "judge02", "judge", PASSWORD)
    with TestClient(create_app(Settings(call, workers=1, data=tmp_path))) as c:
        assert _sign_in(c, "judge02", PASSWORD).status_code == 303
        for (method, path), role in ROUTES.items():
            if role in ("staff", "unit"):  # the console and online submission do not exist for a judge
                assert c.request(method, path, follow_redirects=False).status_code == 404, path


def test_a_browser_gets_errors_as_pages_in_chinese_and_the_api_keeps_json(call: Any, tmp_path: Path) -> None:
    from pipeline.accounts import add_user
    from pipeline.registry import in_data

    html = {"accept": "text/html,application/xhtml+xml,*/*;q=0.8"}  # what a browser asks for
    with in_data(tmp_path, call.id) as registry:
        add_user(registry, "judge03", "judge", PASSWORD)
    with TestClient(create_app(Settings(call, workers=1, data=tmp_path))) as c:
        r = c.get("/no/such/page", headers=html)
        assert r.status_code == 404 and "text/html" in r.headers["content-type"]
        assert "页面不存在" in r.text and "返回首页" in r.text and "Not Found" not in r.text
        assert c.get("/no/such/page").json() == {"detail": "Not Found"}  # not asking for HTML: JSON as before
        assert c.get("/api/no/such", headers=html).headers["content-type"].startswith("application/json")
        assert _sign_in(c, "judge03", PASSWORD).status_code == 303
        r = c.get("/staff", headers=html)  # the console does not exist for a judge: the same 404 page
        assert r.status_code == 404 and "页面不存在" in r.text
        r = c.get("/judge/applications/2021-0001", headers=html)  # not assigned to this judge
        assert r.status_code == 404 and "返回评审首页" in r.text
        r = c.post("/signout", data={"csrf": "x" * 43}, headers=html)  # a stale form: the reason, in Chinese
        assert r.status_code == 403 and "页面已过期或来源不明" in r.text and "stale form" not in r.text.split("<main>")[1]
        r = c.post("/judge/applications/2021-0001/submit", headers=html)  # no form fields at all
        assert r.status_code in (403, 404, 422) and "<html" in r.text


def test_wrong_passwords_lock_the_account(call: Any, tmp_path: Path) -> None:
    from pipeline.accounts import MAX_FAILED, add_user
    from pipeline.registry import in_data

    with in_data(tmp_path, call.id) as registry:
        add_user(registry, "clerk", "staff", PASSWORD)
    with TestClient(create_app(Settings(call, workers=1, data=tmp_path, signins_per_minute=50))) as c:
        r = _sign_in(c, "nobody", PASSWORD)
        assert r.status_code == 401 and "账号或密码不正确" in r.text
        for _ in range(MAX_FAILED - 1):
            assert _sign_in(c, "clerk", "wrong password!").status_code == 401
        r = _sign_in(c, "clerk", "wrong password!")
        assert r.status_code == 401 and "锁定" in r.text
        r = _sign_in(c, "clerk", PASSWORD)  # the right password too, while locked
        assert r.status_code == 401 and "锁定" in r.text
    with in_data(tmp_path, call.id) as registry:
        what = [row[2] for row in registry.audit_rows()]
    assert what[0] == "user.add" and what.count("signin.failed") == MAX_FAILED and "signin" not in what


def test_sign_in_needs_the_form_token(client: TestClient, accounts: None) -> None:
    r = TestClient(client.app).post("/signin", data={"name": "admin", "password": PASSWORD, "csrf": "x" * 43},
                                    follow_redirects=False)
    assert r.status_code == 403


def test_users_add_from_the_command_line(tmp_path: Path, call: Any) -> None:
    from pipeline.registry import in_data

    runner = CliRunner()
    done = runner.invoke(main, ["users", "add", "--role", "staff", "--data", str(tmp_path), "--password-stdin",
                                "王敏"], input=PASSWORD + "\n")
    assert done.exit_code == 0, done.output
    short = runner.invoke(main, ["users", "add", "--role", "staff", "--data", str(tmp_path), "--password-stdin",
                                 "李强"], input="short\n")
    assert short.exit_code == 2 and "密码至少10个字符" in short.output
    with in_data(tmp_path, call.id) as registry:
        account = registry.user("王敏")
    assert account is not None and account.role == "staff" and account.password_hash.startswith("$argon2")
    assert PASSWORD not in (tmp_path / "award.sqlite").read_bytes().decode("latin-1")


@pytest.fixture(scope="module")
def round_in_registry(data: Path, call: Any, tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """Four sample applications checked into the platform's registry as a batch would (e-mailed files)."""
    import shutil

    from pipeline.batch import run_batch
    from pipeline.registry import in_data

    inbox = tmp_path_factory.mktemp("inbox")
    for name in ("valid.docx", "address-too-long.docx", "applicant-too-long.docx", "summary-too-short.docx"):
        if (APPS / name).is_file():
            shutil.copy(APPS / name, inbox / name)
    with in_data(data, call.id) as registry:
        result = run_batch(inbox, tmp_path_factory.mktemp("out"), call, registry, jobs=1, letters=False)
    return sorted(r.reg_no for r in result.rows if r.reg_no)


def test_staff_see_the_applications_filter_search_and_open_one(client: TestClient, accounts: None,
                                                              round_in_registry: list[str]) -> None:
    import re

    assert _sign_in(client, "admin", PASSWORD).status_code == 303
    home = client.get("/staff")
    assert f"本轮已登记申报书 {len(round_in_registry)} 份" in home.text
    listing = client.get("/staff/applications")
    assert all(reg in listing.text for reg in round_in_registry)
    failing = client.get("/staff/applications", params={"status": "fail"})
    assert "<td>有错误</td>" in failing.text and "<td>通过检查</td>" not in failing.text
    found = client.get("/staff/applications", params={"q": round_in_registry[0]})
    assert len(re.findall(r'href="/staff/applications/[^"]+"', found.text)) == 1
    one = client.get(f"/staff/applications/{round_in_registry[0]}")
    assert one.status_code == 200 and "申报书自检报告" in one.text and "SHA-256" in one.text
    assert client.get("/staff/applications/2021-9999").status_code == 404


def test_staff_download_the_audit_log_and_the_registry_backup(client: TestClient, accounts: None) -> None:
    import io
    import sqlite3
    import tempfile
    from urllib.parse import quote

    from openpyxl import load_workbook

    assert _sign_in(client, "admin", PASSWORD).status_code == 303
    page = client.get("/staff/audit")
    assert page.status_code == 200 and "新建账号" in page.text and "登录" in page.text
    book = client.get("/staff/audit.xlsx")
    assert book.status_code == 200
    assert f"filename*=UTF-8''{quote('审计日志-saq-2021.xlsx')}" in book.headers["content-disposition"]
    ws = load_workbook(io.BytesIO(book.content)).active
    assert [c.value for c in ws[1]][:3] == ["时间（北京时间）", "操作人", "操作"] and ws.max_row >= 3
    backup = client.get("/staff/backup.sqlite")
    assert backup.status_code == 200 and backup.content.startswith(b"SQLite format 3\0")
    assert "filename*=UTF-8''" in backup.headers["content-disposition"]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "b.sqlite"
        path.write_bytes(backup.content)
        tables = {r[0] for r in sqlite3.connect(path).execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"applications", "users", "sessions", "audit"} <= tables


def test_audit_export_from_the_command_line(tmp_path: Path, call: Any) -> None:
    from openpyxl import load_workbook

    runner = CliRunner()
    assert runner.invoke(main, ["users", "add", "--role", "staff", "--data", str(tmp_path), "--password-stdin",
                                "admin"], input=PASSWORD + "\n").exit_code == 0
    out = tmp_path / "审计.xlsx"
    done = runner.invoke(main, ["audit", "export", "--data", str(tmp_path), "-o", str(out)])
    assert done.exit_code == 0, done.output
    assert [c.value for c in load_workbook(out).active[2]][1:3] == ["award users add", "新建账号"]
    onto = runner.invoke(main, ["audit", "export", "--data", str(tmp_path), "-o", str(tmp_path / "award.sqlite")])
    assert onto.exit_code == 3 and "覆盖" in onto.output  # never onto the registry it reads


def test_staff_import_a_zip_of_emailed_forms_into_the_round(call: Any, tmp_path: Path) -> None:
    import io
    import zipfile

    from openpyxl import load_workbook

    from pipeline.accounts import add_user
    from pipeline.registry import in_data

    with in_data(tmp_path, call.id) as registry:
        add_user(registry, "clerk2", "staff", PASSWORD)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name in ("valid.docx", "address-too-long.docx"):
            z.writestr(f"邮件/{name}", (APPS / name).read_bytes())
    with TestClient(create_app(Settings(call, workers=1, data=tmp_path))) as c:
        assert _sign_in(c, "clerk2", PASSWORD).status_code == 303
        r = c.post("/staff/batch", files={"file": ("../收件箱.zip", buf.getvalue())},
                   data={"csrf": _csrf(c.get("/staff").text)})
        assert r.status_code == 200 and "共 2 个文件" in r.text
        summary = c.get("/staff/summary.xlsx")
        assert summary.status_code == 200 and load_workbook(io.BytesIO(summary.content)).sheetnames
        listing = c.get("/staff/applications")
        assert listing.text.count('href="/staff/applications/2021-') == 2
    stored = [p.name for p in (tmp_path / "inbox").iterdir()]
    assert len(stored) == 1 and stored[0].endswith(".zip") and "收件箱" not in stored[0]  # our name, not the upload's
    with in_data(tmp_path, call.id) as registry:
        rows = [row for row in registry.audit_rows() if row[2] == "batch.upload"]
    assert len(rows) == 1 and rows[0][1] == "clerk2" and len(rows[0][4] or "") == 64


def test_head_is_answered_like_get_without_a_body(client: TestClient) -> None:
    for path in ("/", "/selfcheck", "/healthz", "/static/app.css"):
        get, head = client.get(path), client.head(path)
        assert head.status_code == get.status_code == 200 and head.content == b"", path
        assert head.headers["content-type"] == get.headers["content-type"]
        assert head.headers["content-length"] == str(len(get.content))
    assert TestClient(client.app).head("/staff", follow_redirects=False).status_code == 303
