"""Online review (在线评审) through the platform, in-process, on a round of the bundled samples (samples/round, imported
as an e-mailed .zip): staff import the judges CSV (assignment, one-time codes); a judge sets a password, sees only
what is assigned to them (every other number, the conflicted and the recused ones: 404 on every route), reads the
application (fields, original, PDF rendered once), saves drafts, submits (locked), is held to the window and to the
workbook's rules and messages; staff see progress and 回避, reassign (never a conflicted judge) and reopen. Both
channels, online and workbooks, give the same results as a workbook-only round."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import SAMPLES, Clock, copy_registry
from conftest import csrf_of as _csrf
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from pipeline import judging
from pipeline import review as rv
from pipeline.registry import Registry, in_data
from pipeline.web.app import Settings, create_app

pytestmark = pytest.mark.timeout(300)

PASSWORD = "correct horse battery"
INSIDE = dt.date(2021, 8, 16)  # inside saq-2021's review window (2021-08-09 .. 2021-08-27)
ROUND = sorted((SAMPLES / "round").glob("*.docx"))[:12]
CODE = re.compile(r"<td>(J\d\d)</td><td>[^<]*</td><td><code class=\"code\">([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})</code>")
ROUTES_GET = ("", "/file", "/pdf")
ROUTES_POST = ("/draft", "/submit", "/recuse")




def _round(data: Path, call: Any) -> None:
    """samples/round's first 12 forms, e-mailed and imported by staff as a .zip (kept in <data>/inbox)."""
    from pipeline.web.staff import batch_job

    inbox = data / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    archive = inbox / "20210801-round.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for p in ROUND:
            zf.write(p, p.name)
    done = batch_job(str(archive), str(data / "rounds" / "x"), str(call.folder), str(data / "award.sqlite"))
    assert done[0] == 12 and done[1] == 12


def _judges_csv(data: Path, call: Any) -> bytes:
    """samples/judges.csv and J21, who works at the applicant of 2021-0001 (a conflict of interest)."""
    with in_data(data, call.id) as reg:
        first = reg.application("2021-0001")
    assert first is not None
    unit, code = first.fields["applicant.name"], first.fields["applicant.credit_code"]
    text = (SAMPLES / "judges.csv").read_text(encoding="utf-8-sig").rstrip("\n")
    return (text + f"\nJ21,林思远,{unit},{code},卓越绩效；六西格玛；精益管理；可靠性\n").encode("utf-8")


@pytest.fixture(scope="module")
def clock() -> Clock:
    return Clock(INSIDE)


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory, call: Any) -> Path:
    from pipeline.accounts import add_user

    path = tmp_path_factory.mktemp("judging")
    _round(path, call)
    with in_data(path, call.id) as registry:
        add_user(registry, "admin", "staff", PASSWORD)
        add_user(registry, "210001", "unit", PASSWORD)
    return path


@pytest.fixture(scope="module")
def app(call: Any, data: Path, clock: Clock) -> Iterator[Any]:
    application = create_app(Settings(call, workers=1, queue=4, data=data, today=clock, signins_per_minute=1000))
    with TestClient(application):
        yield application


def _sign_in(c: TestClient, name: str, password: str) -> Any:
    return c.post("/signin", data={"name": name, "password": password, "csrf": _csrf(c.get("/signin").text)},
                  follow_redirects=False)


@pytest.fixture(scope="module")
def staff(app: Any) -> TestClient:
    c = TestClient(app)
    assert _sign_in(c, "admin", PASSWORD).headers["location"] == "/staff"
    return c


@pytest.fixture(scope="module")
def codes(staff: TestClient, data: Path, call: Any) -> dict[str, str]:
    page = staff.get("/staff/judges")
    assert page.status_code == 200 and "尚未导入专家名单" in page.text
    r = staff.post("/staff/judges/import", data={"csrf": _csrf(page.text)},
                   files={"file": ("专家名单.csv", _judges_csv(data, call))})
    assert r.status_code == 200 and "已为 12 个项目各分配 5 位专家" in r.text, r.text[-3000:]
    assert "下载一次性登录码（.xlsx）" in r.text
    return dict(CODE.findall(r.text))


def _plan(data: Path, call: Any) -> dict[str, list[str]]:
    with in_data(data, call.id) as reg:
        return reg.assignments(call.id)


judges_signed: dict[str, TestClient] = {}


def _judge(app: Any, codes: dict[str, str], jid: str) -> TestClient:
    """A judge's first sign-in with the one-time code: the password before anything else."""
    if jid in judges_signed:
        return judges_signed[jid]
    c = TestClient(app)
    r = _sign_in(c, jid, codes[jid])
    assert r.status_code == 303 and r.headers["location"] == "/account/password"
    assert c.get("/judge", follow_redirects=False).headers["location"] == "/account/password"
    form = c.get("/account/password")
    r = c.post("/account/password", data={"password": PASSWORD + jid, "again": PASSWORD + jid,
                                          "csrf": _csrf(form.text)}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/judge"
    judges_signed[jid] = c
    return c


def _scores(call: Any, fraction: float = 0.8) -> dict[str, str]:
    return {f"score_{c.id}": format(float(c.max) * fraction, "g") for c in call.review.criteria}


def _post(c: TestClient, reg_no: str, action: str, fields: dict[str, str]) -> Any:
    page = c.get("/judge")
    return c.post(f"/judge/applications/{reg_no}/{action}", data={"csrf": _csrf(page.text), **fields},
                  follow_redirects=False)


# --- accounts and the judge's list ------------------------------------------------------------------------------

def test_import_assigns_and_gives_every_judge_a_code(staff: TestClient, codes: dict[str, str], data: Path,
                                                     call: Any) -> None:
    assert sorted(codes) == [f"J{n:02d}" for n in range(1, 22)]
    plan = _plan(data, call)
    assert sum(len(v) for v in plan.values()) == 60
    assert "2021-0001" not in plan.get("J21", [])  # never the conflicted one
    with in_data(data, call.id) as reg:
        account = reg.user("J01")
        assert account is not None and account.role == "judge" and account.must_change
        assert codes["J01"] not in account.password_hash  # only the hash is kept
        what = [row[2] for row in reg.audit_rows()]
    assert "judges.import" in what and "judges.accounts" in what
    # a second import changes no assignment and gives no new code
    page = staff.get("/staff/judges")
    r = staff.post("/staff/judges/import", data={"csrf": _csrf(page.text)},
                   files={"file": ("专家名单.csv", _judges_csv(data, call))})
    assert r.status_code == 200 and "没有新的登录码" in r.text and "未重新分配" in r.text
    assert _plan(data, call) == plan
    bad = staff.post("/staff/judges/import", data={"csrf": _csrf(page.text)},
                     files={"file": ("专家名单.csv", "编号,姓名\nJ30,某\n".encode())})
    assert bad.status_code == 400 and "缺少列“工作单位”" in bad.text


def test_reissued_code_signs_in_once(app: Any, staff: TestClient, codes: dict[str, str]) -> None:
    page = staff.get("/staff/judges")
    r = staff.post("/staff/judges/J20/code", data={"csrf": _csrf(page.text)})
    found = dict(CODE.findall(r.text))
    assert r.status_code == 200 and list(found) == ["J20"] and found["J20"] != codes["J20"]
    assert staff.post("/staff/judges/J99/code", data={"csrf": _csrf(page.text)}).status_code == 404
    c = TestClient(app)
    assert _sign_in(c, "J20", codes["J20"]).status_code == 401  # the old code no longer works
    assert _sign_in(c, "J20", found["J20"]).headers["location"] == "/account/password"


def test_a_judge_sees_only_their_list(app: Any, codes: dict[str, str], data: Path, call: Any) -> None:
    c = _judge(app, codes, "J01")
    page = c.get("/judge")
    mine = _plan(data, call)["J01"]
    assert page.status_code == 200 and "在线评审时间：2021年8月9日至2021年8月27日" in page.text
    assert re.findall(r'href="/judge/applications/([^"]+)"', page.text) == mine
    assert f"共 {len(mine)} 项：未评 {len(mine)} 项" in page.text


def test_other_roles_get_404_on_the_judges_pages(app: Any, staff: TestClient, codes: dict[str, str],
                                                  data: Path, call: Any) -> None:
    unit = TestClient(app)
    assert _sign_in(unit, "210001", PASSWORD).status_code == 303
    first = _plan(data, call)["J01"][0]
    for c in (staff, unit):
        assert c.get("/judge").status_code == 404
        assert c.get(f"/judge/applications/{first}").status_code == 404
        assert c.post(f"/judge/applications/{first}/submit", data={}).status_code == 404
    judge = _judge(app, codes, "J01")
    for path in ("/staff/judges", "/staff/review"):
        assert judge.get(path).status_code == 404
    assert judge.post("/staff/review/reopen", data={}).status_code == 404


def _walk(c: TestClient, numbers: list[str]) -> None:
    token = _csrf(c.get("/judge").text)
    for n in numbers:
        for tail in ROUTES_GET:
            assert c.get(f"/judge/applications/{n}{tail}").status_code == 404, (n, tail)
        for tail in ROUTES_POST:
            r = c.post(f"/judge/applications/{n}{tail}", data={"csrf": token, "reason": "x", **_scores_any()})
            assert r.status_code == 404, (n, tail)


def _scores_any() -> dict[str, str]:
    return {"score_topic": "8", "comment": "好"}


def test_every_unassigned_conflicted_or_recused_number_is_404(app: Any, codes: dict[str, str], data: Path,
                                                               call: Any) -> None:
    c = _judge(app, codes, "J21")
    plan = _plan(data, call)
    mine = plan["J21"]
    with in_data(data, call.id) as reg:
        every = [a.reg_no for a in reg.applications(call.id)]
    assert "2021-0001" in every and "2021-0001" not in mine
    # recuse from one of the judge's own: from then on it is as unassigned
    gone = mine[-1]
    r = _post(c, gone, "recuse", {"reason": "本人曾为该项目提供咨询服务"})
    assert r.status_code == 303 and r.headers["location"] == f"/judge?recused={gone}"
    assert gone not in _plan(data, call)["J21"]
    others = [n for n in every if n not in _plan(data, call)["J21"]]
    assert "2021-0001" in others and gone in others
    _walk(c, [*others, "2021-9999", "x", "2021-0001%2F..", "..%2F2021-0001"])
    for n in _plan(data, call)["J21"]:  # and their own open
        assert c.get(f"/judge/applications/{n}").status_code == 200


# --- the application: fields, original, PDF --------------------------------------------------------------------------

def test_the_application_view_and_original(app: Any, codes: dict[str, str], data: Path, call: Any) -> None:
    c = _judge(app, codes, "J01")
    reg_no = _plan(data, call)["J01"][0]
    page = c.get(f"/judge/applications/{reg_no}")
    with in_data(data, call.id) as reg:
        row = reg.application(reg_no)
    assert row is not None
    assert page.status_code == 200 and row.fields["project.name"] in page.text
    for text in ("二、主要完成单位", "三、主要完成人", "四、项目简介", row.fields["persons"][0]["name"],
                 row.fields["units"][-1]["name"], "选题与目标", "（满分 25 分）", "给20～25分", "否决理由", "声明回避"):
        assert text in page.text, text
    original = c.get(f"/judge/applications/{reg_no}/file")
    number = int(reg_no.split("-")[1])
    assert original.status_code == 200 and original.content == ROUND[number - 1].read_bytes()
    assert "attachment" in original.headers["content-disposition"]


def test_the_pdf_is_rendered_once(app: Any, codes: dict[str, str], data: Path, call: Any,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import pipeline.office as office

    c = _judge(app, codes, "J01")
    reg_no = _plan(data, call)["J01"][0]
    r = c.get(f"/judge/applications/{reg_no}/pdf")
    assert r.status_code == 200 and r.content.startswith(b"%PDF") and r.headers["content-type"] == "application/pdf"
    cached = list(judging.pdf_cache(data).glob("*.pdf"))
    assert len(cached) == 1 and cached[0].read_bytes() == r.content

    def never(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("converted twice")

    monkeypatch.setattr(office, "convert", never)
    assert c.get(f"/judge/applications/{reg_no}/pdf").content == r.content
    # a file LibreOffice cannot convert: said on the page, with the original still offered
    monkeypatch.setattr(office, "convert", lambda *a, **k: [])
    other = _plan(data, call)["J01"][1]
    failed = c.get(f"/judge/applications/{other}/pdf")
    assert failed.status_code == 503 and "无法转换为 PDF，请下载原件查看" in failed.text
    assert f"/judge/applications/{other}/file" in failed.text
    # the cache survives the store's sweep (it is no stored file)
    from pipeline.submission import data_files

    data_files(data).sweep(set())
    assert cached[0].is_file()


# --- the form: the workbook's rules and messages ----------------------------------------------------------------------

def _workbook_findings(reg: Registry, call: Any, tmp: Path, judge: str, reg_no: str, col: int, value: Any,
                       comment: str = "方法规范，效益明显。") -> list[Any]:
    """What `award review import` says of this value in this judge's workbook (the row of reg_no)."""
    forms = tmp / "forms"
    if not (forms / rv.WORKBOOK_DIR).is_dir():
        rv.write_forms(reg, call, forms, pdf=False)
    book = next(b for b in (forms / rv.WORKBOOK_DIR).glob("*.xlsx") if b.name.startswith(f"{judge}-"))
    wb = load_workbook(book)
    ws = wb[rv.SHEET]
    rb = call.review
    for row in range(rv.FIRST_ROW, ws.max_row + 1):
        for n, c in enumerate(rb.criteria):
            ws.cell(row, rv.FIRST_CRITERION_COL + n).value = float(c.max) * 0.8
        ws.cell(row, rv.workbook_columns(rb)["comment"]).value = comment
        if ws.cell(row, 1).value == reg_no:
            target = row
    ws.cell(target, col).value = value
    out = tmp / f"filled-{abs(hash((col, str(value), comment)))}.xlsx"
    wb.save(out)
    book_read = rv.read_workbook(out, call, rv.stored_judges(reg, call.id))
    checked = rv.validate_rows(book_read, call, rv.stored_assignments(reg, call.id)[judge],
                               {a.reg_no: a for a in rv.review_apps(reg, call)}, {})
    return [f for r in checked.rejections if r.row == target for f in r.findings]


BAD = [("out of range", "methods", "30", 30.0, "review.out_of_range"),
       ("negative", "topic", "-1", -1, "review.out_of_range"),
       ("off the step", "innovation", "14.3", 14.3, "review.step"),
       ("missing", "social", "", None, "review.missing"),
       ("not a number", "economic", "很好", "很好", "review.not_a_number")]


@pytest.mark.parametrize("name, crit, typed, cell, code", BAD, ids=[b[0] for b in BAD])
def test_refused_with_the_workbooks_messages(app: Any, codes: dict[str, str], data: Path, call: Any, tmp_path: Path,
                                             name: str, crit: str, typed: str, cell: Any, code: str) -> None:
    from openpyxl.utils import get_column_letter

    judge = "J02"
    reg_no = _plan(data, call)[judge][0]
    col = rv.FIRST_CRITERION_COL + [c.id for c in call.review.criteria].index(crit)
    db = copy_registry(data / "award.sqlite", tmp_path)
    with Registry(db) as reg:
        wanted = _workbook_findings(reg, call, tmp_path, judge, reg_no, col, cell)
    assert [f.code for f in wanted] == [code]
    letter = get_column_letter(col)
    where = next(str(m.group(0)) for m in re.finditer(rf"{letter}\d+", wanted[0].message))
    message = wanted[0].message.replace(where, judging.ONLINE_CELL)
    # the library
    form = judging.ScoreForm({**{k[6:]: v for k, v in _scores(call).items()}, crit: typed}, comment="方法规范。")
    score, problems = judging.check_form(call, form)
    assert score is None and [(f.code, f.message) for f in problems] == [(code, message)]
    # the route: refused, nothing submitted, the message on the page
    c = _judge(app, codes, judge)
    r = _post(c, reg_no, "submit", {**_scores(call), f"score_{crit}": typed, "comment": "方法规范。"})
    assert r.status_code == 422 and message in r.text and "评分未提交" in r.text
    with in_data(data, call.id) as reg:
        assert reg_no not in reg.scores_of_judge(call.id, judge)


def test_comment_too_long_and_veto_without_reason(app: Any, codes: dict[str, str], data: Path, call: Any,
                                                  tmp_path: Path) -> None:
    judge = "J02"
    reg_no = _plan(data, call)[judge][0]
    db = copy_registry(data / "award.sqlite", tmp_path)
    with Registry(db) as reg:
        wanted = _workbook_findings(reg, call, tmp_path, judge, reg_no, rv.FIRST_CRITERION_COL, 8, "评" * 301)
    assert [f.code for f in wanted] == ["review.comment_too_long"]
    c = _judge(app, codes, judge)
    r = _post(c, reg_no, "submit", {**_scores(call), "comment": "评" * 301})
    assert r.status_code == 422 and wanted[0].message in r.text
    r = _post(c, reg_no, "submit", {**_scores(call), "comment": "数据存疑。", "veto": "1", "veto_reason": " "})
    assert r.status_code == 422 and "选择了否决项，须写明否决理由" in r.text


# --- the window -------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("day, says", [(dt.date(2021, 8, 8), "在线评审尚未开始（2021年8月9日开始）"),
                                       (dt.date(2021, 8, 28), "在线评审已于2021年8月27日截止")])
def test_outside_the_window_read_only(app: Any, codes: dict[str, str], data: Path, call: Any, clock: Clock,
                                      day: dt.date, says: str) -> None:
    c = _judge(app, codes, "J03")
    reg_no = _plan(data, call)["J03"][0]
    with in_data(data, call.id) as reg:
        before = reg.drafts(call.id, "J03")
    clock.day = day
    try:
        page = c.get(f"/judge/applications/{reg_no}")
        assert page.status_code == 200 and "提交评分</button>" not in page.text and " disabled" in page.text
        assert "声明回避</button>" not in page.text
        for action, fields in (("draft", _scores(call)), ("submit", _scores(call)), ("recuse", {"reason": "同事"})):
            r = _post(c, reg_no, action, fields)
            assert r.status_code == 409 and says in r.text, action
        with in_data(data, call.id) as reg:
            assert reg.drafts(call.id, "J03") == before and reg_no in reg.assignments(call.id)["J03"]
    finally:
        clock.day = INSIDE
    assert _post(c, reg_no, "draft", _scores(call)).status_code == 200


def test_no_window_no_online_scoring(call: Any) -> None:
    import dataclasses

    bare = dataclasses.replace(call, review=dataclasses.replace(call.review, window_start=None, window_end=None))
    assert judging.review_window_state(bare, INSIDE) == "none"
    assert "不开放在线评分" in judging.review_window_text(bare, INSIDE)


# --- draft, submit, lock, reopen ----------------------------------------------------------------------------------------

def test_draft_submit_lock_reopen(app: Any, staff: TestClient, codes: dict[str, str], data: Path,
                                  call: Any) -> None:
    c = _judge(app, codes, "J04")
    reg_no = _plan(data, call)["J04"][0]
    r = _post(c, reg_no, "draft", {"score_topic": "8.5", "score_methods": "26", "comment": "初稿"})
    assert r.status_code == 200 and "草稿已保存" in r.text and "“方法应用”得分26超出0～25分" in r.text
    assert 'value="8.5"' in r.text and "初稿" in r.text  # kept as typed
    assert "草稿" in c.get("/judge").text
    r = _post(c, reg_no, "submit", {**_scores(call), "comment": "方法规范，效益明显。"})
    assert r.status_code == 303 and r.headers["location"] == f"/judge/applications/{reg_no}?submitted=1"
    page = c.get(r.headers["location"])
    assert "评分已提交，总分 80 分" in page.text and "提交评分</button>" not in page.text and " disabled" in page.text
    again = _post(c, reg_no, "submit", _scores(call))
    assert again.status_code == 409 and "评分已提交" in again.text
    assert _post(c, reg_no, "draft", _scores(call)).status_code == 409
    with in_data(data, call.id) as reg:
        assert reg.scores_of_judge(call.id, "J04")[reg_no].total == 80
        assert reg.form_sources(call.id)[(reg_no, "J04")].source == "online"
    # staff reopen with a reason: a draft again, the reason audited
    page = staff.get("/staff/review")
    assert staff.post("/staff/review/reopen", data={"csrf": _csrf(page.text), "reg_no": reg_no, "judge_id": "J04",
                                                   "reason": ""}).status_code == 409
    r = staff.post("/staff/review/reopen", data={"csrf": _csrf(page.text), "reg_no": reg_no, "judge_id": "J04",
                                                "reason": "专家申请修改评语"}, follow_redirects=False)
    assert r.status_code == 303
    with in_data(data, call.id) as reg:
        assert reg_no not in reg.scores_of_judge(call.id, "J04") and reg_no in reg.drafts(call.id, "J04")
        rows = reg.audit_rows(reg_no)
    assert any(what == "score.reopen" and "专家申请修改评语" in detail for _, _, what, detail, _ in rows)
    assert any(what == "score.submit" for _, _, what, _, _ in rows)
    page = c.get(f"/judge/applications/{reg_no}")
    assert "提交评分</button>" in page.text and "方法规范，效益明显。" in page.text
    assert _post(c, reg_no, "submit", {**_scores(call), "comment": "修改后的评语。"}).status_code == 303


# --- 回避 and reassignment ----------------------------------------------------------------------------------------------

def test_recusal_shows_to_staff_and_reassignment(app: Any, staff: TestClient, codes: dict[str, str], data: Path,
                                                 call: Any) -> None:
    c = _judge(app, codes, "J05")
    reg_no = _plan(data, call)["J05"][0]
    assert _post(c, reg_no, "recuse", {"reason": " "}).status_code == 409
    r = _post(c, reg_no, "recuse", {"reason": "本人与第二完成单位有合作关系"})
    assert r.status_code == 303 and "已对" in c.get(r.headers["location"]).text
    page = staff.get("/staff/review")
    assert page.status_code == 200 and "本人与第二完成单位有合作关系" in page.text and "J05 回避，待替补" in page.text
    token = _csrf(page.text)
    # a judge from a completing unit is refused; so is the judge who recused
    r = staff.post("/staff/review/reassign", data={"csrf": token, "reg_no": "2021-0001", "add": "J21"})
    assert r.status_code == 409 and "是 2021-0001 的完成单位，须回避" in r.text
    r = staff.post("/staff/review/reassign", data={"csrf": token, "reg_no": reg_no, "add": "J05"})
    assert r.status_code == 409 and "已对" in r.text and "声明回避" in r.text
    plan = _plan(data, call)
    with in_data(data, call.id) as reg:
        prog = judging.progress(reg, call, INSIDE)
    candidates = prog.candidates[reg_no]
    assert "J05" not in candidates and not any(reg_no in plan.get(j, []) for j in candidates)
    new = next(j for j in candidates if j in codes and j not in ("J20",))
    r = staff.post("/staff/review/reassign", data={"csrf": token, "reg_no": reg_no, "add": new},
                   follow_redirects=False)
    assert r.status_code == 303
    assert reg_no in _plan(data, call)[new]
    assert c.get(f"/judge/applications/{reg_no}").status_code == 404
    assert _judge(app, codes, new).get(f"/judge/applications/{reg_no}").status_code == 200
    page = staff.get("/staff/review?done=reassigned")
    assert "专家分配已调整" in page.text and "J05 回避，待替补" not in page.text
    with in_data(data, call.id) as reg:
        what = [row[2] for row in reg.audit_rows(reg_no)]
    assert "review.recuse" in what and "review.reassign" in what


# --- both channels ------------------------------------------------------------------------------------------------------

def test_a_workbook_scored_application_is_locked_online(app: Any, codes: dict[str, str], data: Path, call: Any,
                                                        tmp_path: Path) -> None:
    from fill_scores import fill_workbooks

    with in_data(data, call.id) as reg:
        rv.write_forms(reg, call, tmp_path / "forms", pdf=False)
        filled = [p for p in fill_workbooks(tmp_path / "forms", tmp_path / "filled") if p.name.startswith("J06-")]
        done = rv.import_workbooks(reg, call, filled)
        stored = reg.scores_of_judge(call.id, "J06")
    assert done.stored == len(stored) > 0
    c = _judge(app, codes, "J06")
    reg_no = sorted(stored)[0]
    page = c.get(f"/judge/applications/{reg_no}")
    assert "已提交（评分表）" in page.text and "通过评分表导入" in page.text and "提交评分</button>" not in page.text
    r = _post(c, reg_no, "submit", _scores(call))
    assert r.status_code == 409 and "评分已提交（在线或评分表导入）" in r.text
    assert "已提交（评分表）" in c.get("/judge").text


def _outcomes(reg: Registry, call: Any, out: Path) -> list[tuple[Any, ...]]:
    s = rv.make_results(reg, call, out)
    return sorted((o.reg_no, o.rank, o.final, o.level, o.level_name, o.hold, o.forms) for o in s.outcomes)


def test_both_channels_give_the_same_results(call: Any, tmp_path: Path) -> None:
    """The same scores all by workbooks on one registry, and partly online, partly by workbooks on another."""
    from fill_scores import fill_workbooks

    base = tmp_path / "base"
    _round(base, call)
    with in_data(base, call.id) as reg:
        judging.import_judges(reg, call, SAMPLES / "judges.csv", "admin")
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    copy_registry(base / "award.sqlite", a)
    copy_registry(base / "award.sqlite", b)
    with in_data(a, call.id) as ra, in_data(b, call.id) as rb:
        rv.write_forms(ra, call, tmp_path / "forms", pdf=False)
        books = fill_workbooks(tmp_path / "forms", tmp_path / "filled")
        done = rv.import_workbooks(ra, call, books)
        assert len(done.rejections) == 4  # the four rows samples/fill_scores.py spoils on purpose
        online = {"J01", "J02", "J03", "J04", "J05", "J06", "J07"}
        by_workbook = [p for p in books if p.name.split("-")[0] not in online]
        rv.import_workbooks(rb, call, by_workbook)
        n = 0
        for s in ra.scores(call.id):
            if s.judge_id not in online:
                continue
            form = judging.ScoreForm({k: format(v, "g") for k, v in s.criteria.items()}, s.veto,
                                     "效益数据与财务证明不一致" if s.veto else "", s.comment)
            assert judging.submit(rb, call, s.judge_id, s.reg_no, form, s.judge_id, INSIDE) == []
            n += 1
        assert n > 0 and any(s.veto for s in ra.scores(call.id) if s.judge_id in online)
        sources = rb.form_sources(call.id)
        assert {x.source == "online" for x in sources.values()} == {True, False}
        assert _outcomes(ra, call, tmp_path / "a.xlsx") == _outcomes(rb, call, tmp_path / "b.xlsx")
        # an online form cannot be overwritten by a different workbook row without --replace
        j01 = next(p for p in books if p.name.startswith("J01-"))
        same = rv.import_workbooks(rb, call, [j01])
        assert same.stored == 0 and same.unchanged == len(rv.stored_assignments(rb, call.id)["J01"]) - sum(
            1 for r in done.rejections if r.file == j01.name)
        wb = load_workbook(j01)
        ws = wb[rv.SHEET]
        first = ws.cell(rv.FIRST_ROW, 1).value
        if first in rb.scores_of_judge(call.id, "J01"):
            ws.cell(rv.FIRST_ROW, rv.workbook_columns(call.review)["comment"]).value = "改过的评语。"
            changed = tmp_path / j01.name
            wb.save(changed)
            refused = rv.import_workbooks(rb, call, [changed])
            assert [r.code for r in refused.rejections if r.row == rv.FIRST_ROW] == ["review.already_scored"]
            assert rv.import_workbooks(rb, call, [changed], replace=True).replaced == 1
            assert rb.form_sources(call.id)[(first, "J01")].source == changed.name
