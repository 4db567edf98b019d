"""Online submission (在线申报) through the platform, in-process: staff import the member list and hand out one-time
codes; a unit sets its password, is refused with errors, fixes, confirms, replaces before the deadline (same number,
every version kept), is held to the per-unit limit and to its own 会员编号; another unit sees none of it (every URL of
unit A as unit B: 404); the window closes (read-only). The forms are samples/platform (make_platform.py), whose
expected findings are written by hand."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import SAMPLES, Clock
from conftest import csrf_of as _csrf
from fastapi.testclient import TestClient

from pipeline.web.app import Settings, create_app

pytestmark = pytest.mark.timeout(300)

FORMS = SAMPLES / "platform"
EXPECTED = json.loads((FORMS / "expected.json").read_text(encoding="utf-8"))
PASSWORD = "correct horse battery"
OPEN = dt.date(2021, 7, 1)  # inside saq-2021's window (2021-05-26 .. 2021-07-31)
CODE = re.compile(r"<td>(\d{6})</td><td>[^<]*</td><td><code class=\"code\">([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})</code>")




@pytest.fixture(scope="module")
def clock() -> Clock:
    return Clock(OPEN)


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory, call: Any) -> Path:
    from pipeline.accounts import add_user
    from pipeline.registry import in_data

    path = tmp_path_factory.mktemp("platform")
    with in_data(path, call.id) as registry:
        add_user(registry, "admin", "staff", PASSWORD)
    return path


@pytest.fixture(scope="module")
def app(call: Any, data: Path, clock: Clock) -> Iterator[Any]:
    application = create_app(Settings(call, workers=1, queue=4, data=data, today=clock, signins_per_minute=100,
                                      selfchecks_per_minute=100))
    with TestClient(application):  # runs the lifespan (the check pool) for every client of this module
        yield application


def _client(app: Any) -> TestClient:
    return TestClient(app)


def _sign_in(c: TestClient, name: str, password: str) -> Any:
    return c.post("/signin", data={"name": name, "password": password, "csrf": _csrf(c.get("/signin").text)},
                  follow_redirects=False)


@pytest.fixture(scope="module")
def staff(app: Any) -> TestClient:
    c = _client(app)
    assert _sign_in(c, "admin", PASSWORD).headers["location"] == "/staff"
    return c


@pytest.fixture(scope="module")
def codes(staff: TestClient) -> dict[str, str]:
    page = staff.get("/staff/units")
    r = staff.post("/staff/units/import", data={"csrf": _csrf(page.text)},
                   files={"file": ("members.csv", (FORMS / "members.csv").read_bytes())})
    assert r.status_code == 200 and "一次性登录码" in r.text
    return dict(CODE.findall(r.text))


def _unit(app: Any, number: str, code: str) -> TestClient:
    """A unit's first sign-in with its one-time code: it must set its password before anything else."""
    c = _client(app)
    r = _sign_in(c, number, code)
    assert r.status_code == 303 and r.headers["location"] == "/account/password"
    assert c.get("/unit", follow_redirects=False).headers["location"] == "/account/password"
    form = c.get("/account/password")
    assert "设置密码" in form.text
    short = c.post("/account/password", data={"password": "short", "again": "short", "csrf": _csrf(form.text)})
    assert short.status_code == 400 and "密码至少10个字符" in short.text
    r = c.post("/account/password", data={"password": PASSWORD + number, "again": PASSWORD + number,
                                          "csrf": _csrf(form.text)}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/unit"
    return c


@pytest.fixture(scope="module")
def unit_a(app: Any, codes: dict[str, str]) -> TestClient:
    return _unit(app, "210801", codes["210801"])


@pytest.fixture(scope="module")
def unit_b(app: Any, codes: dict[str, str]) -> TestClient:
    return _unit(app, "210802", codes["210802"])


def _upload(c: TestClient, name: str, replaces: str = "") -> Any:
    page = c.get("/unit")
    return c.post("/unit/upload", data={"csrf": _csrf(page.text), "replaces": replaces},
                  files={"file": (name, (FORMS / name).read_bytes())})


def _token(html: str) -> str | None:
    found = re.search(r'name="token" value="([^"]+)"', html)
    return found.group(1) if found else None


def _submit(c: TestClient, name: str, replaces: str = "") -> str:
    r = _upload(c, name, replaces)
    token = _token(r.text)
    assert r.status_code == 200 and token, r.text[-2000:]
    done = c.post("/unit/confirm", data={"csrf": _csrf(r.text), "token": token}, follow_redirects=False)
    assert done.status_code == 303, done.text[-2000:]
    found = re.match(r"/unit/applications/([^?]+)\?submitted=1", done.headers["location"])
    assert found
    return found.group(1)


def test_one_time_codes_are_issued_once_and_kept_only_as_hashes(codes: dict[str, str], data: Path, call: Any,
                                                                 staff: TestClient) -> None:
    from pipeline.registry import in_data

    assert sorted(codes) == ["210801", "210802", "210803"]
    raw = (data / "award.sqlite").read_bytes().decode("latin-1")
    assert not any(code in raw for code in codes.values())
    again = staff.post("/staff/units/import", data={"csrf": _csrf(staff.get("/staff/units").text)},
                       files={"file": ("members.csv", (FORMS / "members.csv").read_bytes())})
    assert "没有新的登录码" in again.text and not CODE.findall(again.text)  # a re-import keeps the accounts
    with in_data(data, call.id) as registry:
        members = registry.members(call.id)
    assert [(m.number, m.account) for m in members] == [("210801", "210801"), ("210802", "210802"),
                                                         ("210803", "210803")]


def test_a_bad_member_list_is_a_clear_message(staff: TestClient) -> None:
    r = staff.post("/staff/units/import", data={"csrf": _csrf(staff.get("/staff/units").text)},
                   files={"file": ("members.csv", "编号,名称\n".encode())})
    assert r.status_code == 200 and "缺少列" in r.text and "/tmp" not in r.text


def test_a_form_with_errors_is_not_submitted_and_the_unit_gets_the_report(unit_a: TestClient, data: Path,
                                                                          call: Any) -> None:
    from pipeline.registry import in_data

    r = _upload(unit_a, "unit-a-有误.docx")
    assert r.status_code == 200 and _token(r.text) is None
    assert f"发现 {len(EXPECTED['unit-a-有误.docx'])} 处错误" in r.text and "本次上传没有提交" in r.text
    assert 'download="unit-a-有误-批注.docx"' in r.text and "data:application/vnd.openxmlformats" in r.text
    for code, field in EXPECTED["unit-a-有误.docx"]:
        assert code in r.text and field in r.text
    with in_data(data, call.id) as registry:
        assert registry.applications(call.id) == [] and registry.stored_files() == set()
        assert [row[2] for row in registry.audit_rows()][-1] == "upload.refused"


def test_the_fixed_form_is_confirmed_registered_and_listed(unit_a: TestClient, data: Path, call: Any) -> None:
    from pipeline.registry import in_data

    r = _upload(unit_a, "unit-a-修改后.docx")
    assert "未发现错误" in r.text and "确认提交" in r.text
    with in_data(data, call.id) as registry:
        assert registry.applications(call.id) == []  # checked and kept, not registered before the unit confirms
    reg_no = _submit(unit_a, "unit-a-修改后.docx")
    assert reg_no == "2021-0001"  # the batch's numbering: same prefix, same counter
    page = unit_a.get(f"/unit/applications/{reg_no}")
    assert page.status_code == 200 and "已提交" in page.text and "第1版（当前）" in page.text
    home = unit_a.get("/unit")
    assert reg_no in home.text and "已提交 1 项" in home.text
    sha = hashlib.sha256((FORMS / "unit-a-修改后.docx").read_bytes()).hexdigest()
    with in_data(data, call.id) as registry:
        [app] = registry.applications(call.id)
        assert (app.reg_no, app.sha256, app.status) == (reg_no, sha, "pass")
        assert [(v.version, v.sha256) for v in registry.versions(reg_no)] == [(1, sha)]
        assert registry.stored_files() == {sha}
    assert (data / "files" / sha[:2] / f"{sha}.docx").read_bytes() == (FORMS / "unit-a-修改后.docx").read_bytes()
    copy = unit_a.get(f"/unit/applications/{reg_no}/files/1")
    assert copy.status_code == 200 and copy.content == (FORMS / "unit-a-修改后.docx").read_bytes()


def test_a_confirmation_is_used_once(unit_a: TestClient) -> None:
    r = _upload(unit_a, "unit-a-项目2.docx")
    token = _token(r.text)
    assert token
    first = unit_a.post("/unit/confirm", data={"csrf": _csrf(r.text), "token": token}, follow_redirects=False)
    second = unit_a.post("/unit/confirm", data={"csrf": _csrf(r.text), "token": token}, follow_redirects=False)
    assert first.status_code == 303 and second.status_code == 409 and "已处理或已过期" in second.text


def test_someone_elses_form_and_the_same_file_twice_are_refused(unit_a: TestClient) -> None:
    other = _upload(unit_a, "unit-a-他人会员号.docx")
    assert other.status_code == 409 and "会员编号（210802）与登录的会员单位（210801）不一致" in other.text
    twice = _upload(unit_a, "unit-a-修改后.docx")
    assert twice.status_code == 409 and "完全相同" in twice.text


def test_the_per_unit_limit(unit_a: TestClient) -> None:
    # two checked uploads waiting while the unit has two submissions: only one of them can be the third
    third, fourth = _upload(unit_a, "unit-a-项目3.docx"), _upload(unit_a, "unit-a-项目4.docx")
    assert _token(third.text) and _token(fourth.text)
    ok = unit_a.post("/unit/confirm", data={"csrf": _csrf(third.text), "token": _token(third.text)},
                     follow_redirects=False)
    over = unit_a.post("/unit/confirm", data={"csrf": _csrf(fourth.text), "token": _token(fourth.text)},
                       follow_redirects=False)
    assert ok.status_code == 303 and over.status_code == 409 and "最多申报 3 项" in over.text
    home = unit_a.get("/unit")
    assert "已提交 3 项" in home.text and "已达申报上限" in home.text and 'action="/unit/upload"' not in home.text
    fourth = _upload(unit_a, "unit-a-项目4.docx")
    assert fourth.status_code == 409 and "最多申报 3 项" in fourth.text


def test_a_replacement_keeps_the_number_and_every_version(unit_a: TestClient, data: Path, call: Any) -> None:
    from pipeline.registry import in_data

    r = _upload(unit_a, "unit-a-有警告.docx", replaces="2021-0001")
    assert "1 条提醒" in r.text and "替换 2021-0001" in r.text and EXPECTED["unit-a-有警告.docx"][0][0] in r.text
    done = unit_a.post("/unit/confirm", data={"csrf": _csrf(r.text), "token": _token(r.text)},
                       follow_redirects=False)
    assert done.headers["location"] == "/unit/applications/2021-0001?submitted=1"
    page = unit_a.get("/unit/applications/2021-0001")
    assert "第2版（当前）" in page.text and "第1版" in page.text
    old, new = (hashlib.sha256((FORMS / n).read_bytes()).hexdigest() for n in ("unit-a-修改后.docx",
                                                                              "unit-a-有警告.docx"))
    with in_data(data, call.id) as registry:
        assert [(v.version, v.sha256) for v in registry.versions("2021-0001")] == [(1, old), (2, new)]
        assert registry.application("2021-0001").sha256 == new  # type: ignore[union-attr]
        assert len(registry.applications(call.id)) == 3
        rows = [row for row in registry.audit_rows("2021-0001") if row[2] == "submission.replace"]
        assert len(rows) == 1 and rows[0][4] == new
    assert unit_a.get("/unit/applications/2021-0001/files/1").content == (FORMS / "unit-a-修改后.docx").read_bytes()


def test_another_unit_sees_nothing_of_unit_a(unit_a: TestClient, unit_b: TestClient, app: Any) -> None:
    from fastapi.routing import APIRoute

    mine = re.findall(r'href="(/unit/applications/[^"]+)"', unit_a.get("/unit").text)
    urls = set(mine)
    for page in mine:
        urls |= set(re.findall(r'href="(/unit/applications/[^"]+)"', unit_a.get(page).text))
    assert len(urls) >= 3 + 4  # three applications and their versions' files
    for url in sorted(urls):
        assert unit_a.get(url).status_code == 200, url
        assert unit_b.get(url).status_code == 404, url
    # every unit route with a number in it, for every number of the round, as unit B
    routes = [(method, r.path) for r in app.routes if isinstance(r, APIRoute) and "{reg_no}" in r.path and
              r.path.startswith("/unit") for method in r.methods or ()]
    for method, path in routes:
        for reg_no in ("2021-0001", "2021-0002", "2021-0003"):
            url = path.replace("{reg_no}", reg_no).replace("{version}", "1")
            assert unit_b.request(method, url).status_code == 404, (method, url)
    home_b = unit_b.get("/unit").text
    assert "2021-0001" not in home_b and "尚未提交" in home_b
    steal = unit_b.post("/unit/upload", data={"csrf": _csrf(home_b), "replaces": "2021-0001"},
                        files={"file": ("x.docx", (FORMS / "unit-b-申报书.docx").read_bytes())})
    assert steal.status_code == 404


def test_units_see_no_console_and_staff_see_the_submissions(unit_b: TestClient, staff: TestClient) -> None:
    assert unit_b.get("/staff", follow_redirects=False).status_code == 404
    assert unit_b.get("/staff/applications/2021-0001", follow_redirects=False).status_code == 404
    assert staff.get("/unit", follow_redirects=False).status_code == 404
    home = staff.get("/staff")
    assert "在线提交 3 份" in home.text and "已提交" in home.text
    one = staff.get("/staff/applications/2021-0001")
    assert "在线提交（会员编号 210801）" in one.text and "第2版" in one.text and "替换申报书" in one.text
    assert staff.get("/staff/applications/2021-0001/files/2").content == (FORMS / "unit-a-有警告.docx").read_bytes()


def test_staff_return_a_submission_and_the_unit_reads_why(staff: TestClient, unit_a: TestClient) -> None:
    page = staff.get("/staff/applications/2021-0002")
    r = staff.post("/staff/applications/2021-0002/return", data={"csrf": _csrf(page.text),
                                                                 "reason": "请补充第三年的经济效益证明。"},
                   follow_redirects=False)
    assert r.status_code == 303
    seen = unit_a.get("/unit/applications/2021-0002").text
    assert "退回补正" in seen and "请补充第三年的经济效益证明。" in seen


def test_the_rules_across_applications_run_over_the_round(unit_b: TestClient, staff: TestClient, data: Path,
                                                          call: Any) -> None:
    from pipeline.registry import in_data

    reg_b = _submit(unit_b, "unit-b-申报书.docx")
    with in_data(data, call.id) as registry:
        reports = {a.reg_no: a.report for a in registry.applications(call.id)}
    assert reg_b == "2021-0004" and set(reports) == {"2021-0001", "2021-0002", "2021-0003", "2021-0004"}
    batch_codes = {n: {f["code"] for f in r["findings"] if f["code"].startswith("batch.")}  # type: ignore[index]
                   for n, r in reports.items()}
    assert batch_codes == {n: set() for n in reports}  # three of unit A is the limit, not over it
    r = staff.post("/staff/recheck", data={"csrf": _csrf(staff.get("/staff").text)}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/staff?rechecked=0"  # nothing changed since the last
    assert "重新运行跨申报书规则，0 份的报告有变化" in staff.get(r.headers["location"]).text


def test_after_the_window_everything_is_read_only(unit_a: TestClient, clock: Clock, call: Any) -> None:
    clock.day = call.window_end + dt.timedelta(days=1)
    try:
        home = unit_a.get("/unit")
        assert "已于2021年7月31日截止" in home.text and 'action="/unit/upload"' not in home.text
        page = unit_a.get("/unit/applications/2021-0001")
        assert page.status_code == 200 and "替换申报书" not in page.text
        late = _upload(unit_a, "unit-a-项目4.docx", replaces="2021-0003")
        assert late.status_code == 409 and "截止" in late.text
    finally:
        clock.day = OPEN


def test_before_the_window_nothing_can_be_sent(unit_b: TestClient, clock: Clock, call: Any) -> None:
    clock.day = call.window_start - dt.timedelta(days=1)
    try:
        assert "将于2021年5月26日开始" in unit_b.get("/unit").text
        early = _upload(unit_b, "unit-b-申报书.docx")
        assert early.status_code == 409 and "尚未开始" in early.text
    finally:
        clock.day = OPEN


def test_upload_forms_need_their_token(unit_a: TestClient) -> None:
    r = unit_a.post("/unit/upload", data={"csrf": "x" * 43},
                    files={"file": ("a.docx", (FORMS / "unit-a-项目4.docx").read_bytes())})
    assert r.status_code == 403
    assert unit_a.post("/unit/confirm", data={"csrf": "x" * 43, "token": "t"}).status_code == 403


def test_an_upload_over_the_limit_is_413(unit_a: TestClient, call: Any) -> None:
    big = b"PK\x03\x04" + b"\0" * (call.file.max_bytes + 10)
    r = unit_a.post("/unit/upload", data={"csrf": _csrf(unit_a.get("/unit").text)}, files={"file": ("big.docx", big)})
    assert r.status_code == 413


def test_staff_download_the_round_summary_and_the_letters(staff: TestClient, unit_b: TestClient) -> None:
    import io
    import zipfile

    from openpyxl import load_workbook

    book = staff.get("/staff/summary.xlsx")
    assert book.status_code == 200
    ws = load_workbook(io.BytesIO(book.content)).worksheets[0]
    numbers = {str(c.value) for c in ws["A"] if c.value}
    assert {"2021-0001", "2021-0002", "2021-0003"} <= numbers  # online submissions are in the round's summary
    token = _csrf(staff.get("/staff").text)
    first = staff.post("/staff/letters", data={"csrf": token})
    assert first.status_code == 200 and first.headers["content-type"] == "application/zip"
    assert "filename*=UTF-8''" in first.headers["content-disposition"]
    with zipfile.ZipFile(io.BytesIO(first.content)) as z:
        names = sorted(z.namelist())
    assert names and all(n.endswith(".docx") for n in names) and any(n.startswith("2021-0001-") for n in names)
    again = staff.post("/staff/letters", data={"csrf": token})
    with zipfile.ZipFile(io.BytesIO(again.content)) as z:
        assert sorted(z.namelist()) == names  # the same letters, their numbers fixed once given
    assert staff.post("/staff/letters", data={"csrf": "x" * 43}).status_code == 403


def test_status_a_unit_reads() -> None:
    from pipeline.registry import Registered, Submission
    from pipeline.submission import STATUS_ZH, status_of

    def app(status: str) -> Registered:
        return Registered("2021-0001", 1, "0" * 64, "a.docx", status, None, None, None, None, 0, 0, None)

    sub = Submission("2021-0001", "210801", 1, None, "t", "t")
    back = Submission("2021-0001", "210801", 1, "请补充证明", "t", "t")
    assert status_of(app("pass"), sub, False, None) == "submitted"
    assert status_of(app("fail"), sub, False, None) == "returned"  # the round's rules found an error
    assert status_of(app("pass"), back, False, None) == "returned"  # staff sent it back
    assert status_of(app("pass"), sub, True, None) == "review"
    assert status_of(app("pass"), sub, True, "一等奖") == "awarded"
    assert set(STATUS_ZH.values()) == {"已提交", "退回补正", "评审中", "获奖"}


def test_the_window_includes_its_last_day(call: Any) -> None:
    from pipeline.submission import window_state

    assert window_state(call, call.window_start - dt.timedelta(days=1)) == "before"
    assert window_state(call, call.window_start) == window_state(call, call.window_end) == "open"
    assert window_state(call, call.window_end + dt.timedelta(days=1)) == "closed"


def test_the_hourly_sweep_leaves_a_file_being_kept(tmp_path: Path) -> None:
    import os

    from pipeline.submission import FileStore

    store = FileStore(tmp_path)
    young = store.put(b"an upload whose row is being written", ".docx")
    old = store.put(b"a forgotten upload", ".docx")
    kept = store.put(b"a submitted version", ".docx")
    hour_ago = os.stat(store.path(old, ".docx")).st_mtime - 7200
    os.utime(store.path(old, ".docx"), (hour_ago, hour_ago))
    os.utime(store.path(kept, ".docx"), (hour_ago, hour_ago))
    assert store.sweep({kept}, older_than=3600) == 1  # the old stray only
    assert store.path(young, ".docx").is_file() and store.path(kept, ".docx").is_file()
    assert store.sweep({kept}) == 1 and not store.path(young, ".docx").exists()  # at start-up: every stray


def test_an_emailed_form_joins_the_round_and_its_rules(staff: TestClient, unit_a: TestClient, data: Path,
                                                       call: Any) -> None:
    """Unit A's fourth form arrives by e-mail: imported into the same round, the per-unit limit (by credit code)
    now flags all four of unit A's applications, the online ones too, and the unit reads 退回补正."""
    import io
    import zipfile

    from pipeline.registry import in_data

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("邮件/第四项.docx", (FORMS / "unit-a-项目4.docx").read_bytes())
    r = staff.post("/staff/batch", data={"csrf": _csrf(staff.get("/staff").text)},
                   files={"file": ("收件.zip", buf.getvalue())})
    assert r.status_code == 200
    with in_data(data, call.id) as registry:
        apps = {a.reg_no: a for a in registry.applications(call.id)}
        flagged = {n for n, a in apps.items() if a.report and any(f["code"] == "batch.unit_quota"
                                                                  for f in a.report["findings"])}
        online_a = {s.reg_no for s in registry.submissions(call.id) if s.member_no == "210801"}
    assert len(apps) == 5 and len(online_a) == 3
    assert flagged == online_a | {"2021-0005"}
    home = unit_a.get("/unit").text
    assert home.count(">退回补正<") == 3
