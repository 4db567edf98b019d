"""Staff run the round to its end (pipeline.publishing, /staff/round, /publicity), in-process: on a registry with a
scored round (the bundled round registered and checked, judges assigned, the workbooks filled by
samples/fill_scores.py and imported), the steps go in order (results → 公示 → decision after the 公示 has ended →
publication), the results are `award review results`' own, the 公示 notice passes the GB/T 9704 checker and names
every proposed winner, the public page says nothing before the 公示 and keeps the list after it, other roles get
nothing, and every step leaves its audit row."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
import pytest
from click.testing import CliRunner
from conftest import SAMPLES, Clock
from conftest import csrf_of as _csrf
from fastapi.testclient import TestClient

from pipeline import publishing
from pipeline.check.gongwen import check_notice
from pipeline.cli import main
from pipeline.registry import PLATFORM_DB, Registry, in_data
from pipeline.render.docx import plain
from pipeline.review import load_results
from pipeline.web.app import Settings, create_app

pytestmark = pytest.mark.timeout(300)

PASSWORD = "correct horse battery"
BEFORE = dt.date(2021, 9, 1)  # after the review window, before the 公示 (saq-2021: 2021-09-13 .. 09-19)
DURING = dt.date(2021, 9, 15)
LAST = dt.date(2021, 9, 19)
AFTER = dt.date(2021, 9, 20)
STAFF_ROUTES = [("GET", "/staff/round"), ("POST", "/staff/round/results"), ("GET", "/staff/round/results.xlsx"),
                ("POST", "/staff/round/publicity"), ("GET", "/staff/round/publicity.docx"),
                ("POST", "/staff/round/decision"), ("GET", "/staff/round/issued.zip"),
                ("POST", "/staff/round/publish")]



def _text(path: Path) -> str:
    d = docx.Document(str(path))
    return plain("\n".join([p.text for p in d.paragraphs] + [c.text for t in d.tables for r in t.rows
                                                            for c in r.cells]))


@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory, call: Any) -> Path:
    """A platform data folder whose registry holds a scored round (no results computed yet) and three accounts."""
    from fill_scores import fill_workbooks

    from pipeline.accounts import add_user
    from pipeline.batch import run_batch
    from pipeline.review import assign_judges, import_workbooks, write_forms

    work = tmp_path_factory.mktemp("scored")
    data = work / "data"
    with in_data(data, call.id) as reg:
        run_batch(SAMPLES / "round", work / "batch", call, reg, jobs=2)
        assign_judges(reg, call, SAMPLES / "judges.csv", seed=2021)
        write_forms(reg, call, work / "forms", pdf=False)
        imported = import_workbooks(reg, call, fill_workbooks(work / "forms", work / "filled", seed=2021))
        assert imported.stored > 0 and not reg.results(call.id)
        add_user(reg, "admin", "staff", PASSWORD)
        add_user(reg, "210801", "unit", PASSWORD)
        add_user(reg, "judge01", "judge", PASSWORD)
    return data


def _copy(scored: Path, tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(scored, target)
    return target


# --- the library: order, results, the notice ------------------------------------------------------------------

def test_the_steps_go_in_order(scored: Path, tmp_path: Path, call: Any) -> None:
    data = _copy(scored, tmp_path)
    with in_data(data, call.id) as reg:
        s = publishing.state(reg, call, BEFORE)
        assert [x.key for x in s.steps] == ["results", "publicity", "decision", "published"]
        assert s.next is not None and s.next.key == "results" and s.step("results").allowed
        assert [x.why_not for x in s.steps[1:]] == ["尚未计算评审结果", "尚未发布公示：公示期满后才能印发表彰决定",
                                                    "尚未印发表彰决定"]
        with pytest.raises(publishing.NotAllowed, match="尚未计算评审结果"):
            publishing.start_publicity(reg, call, "admin", BEFORE)
        with pytest.raises(publishing.NotAllowed, match="尚未发布公示"):
            publishing.issue_decision(reg, call, data / "issued", "admin", AFTER, sample_seal=True)
        with pytest.raises(publishing.NotAllowed, match="尚未印发表彰决定"):
            publishing.publish(reg, call, "admin", AFTER)
        publishing.compute_results(reg, call, tmp_path / "r.xlsx", "admin", BEFORE)
        period = publishing.start_publicity(reg, call, "admin", BEFORE)
        assert (period.start, period.end, period.number) == (dt.date(2021, 9, 13), LAST, "沪质协〔2021〕35号")
        # until the 公示 begins, the results may be recomputed and the 公示 moved; from its first day, neither
        publishing.compute_results(reg, call, tmp_path / "r.xlsx", "admin", dt.date(2021, 9, 12))
        with pytest.raises(publishing.NotAllowed, match="公示已于2021年9月13日开始"):
            publishing.compute_results(reg, call, tmp_path / "r.xlsx", "admin", dt.date(2021, 9, 13))
        with pytest.raises(publishing.NotAllowed, match="不能再修改"):
            publishing.start_publicity(reg, call, "admin", DURING, dt.date(2021, 9, 20))
        for day in (DURING, LAST):  # the decision only once the 公示 has ended
            with pytest.raises(publishing.NotAllowed, match="2021年9月20日起方可印发"):
                publishing.issue_decision(reg, call, data / "issued", "admin", day, sample_seal=True)
        with pytest.raises(publishing.NotAllowed, match="二者选一"):
            publishing.issue_decision(reg, call, data / "issued", "admin", AFTER)
        with pytest.raises(publishing.NotAllowed, match="尚未印发表彰决定"):
            publishing.publish(reg, call, "admin", AFTER)
        issued = publishing.issue_decision(reg, call, data / "issued", "admin", AFTER, sample_seal=True)
        assert issued.number == "沪质协〔2021〕36号" and issued.sample_seal
        assert issued.certificates == len(issued.certificate_numbers) > len(period.winners)
        assert publishing.publish(reg, call, "admin", AFTER) == dt.date(2021, 10, 8)
        s = publishing.state(reg, call, AFTER)
        assert s.next is None and all(x.done for x in s.steps)
        assert not s.cases_open and publishing.state(reg, call, dt.date(2021, 10, 8)).cases_open
        with pytest.raises(publishing.NotAllowed, match="获奖案例已在线发布"):
            publishing.issue_decision(reg, call, data / "issued", "admin", AFTER, sample_seal=True)
        recorded = reg.publication_steps(call.id)["decision"].detail
        assert recorded["number"] == "沪质协〔2021〕36号"
        assert recorded["certificate_numbers"] == list(issued.certificate_numbers)


def test_a_publicity_recorded_but_not_begun_follows_recomputed_results(scored: Path, tmp_path: Path,
                                                                        call: Any) -> None:
    data = _copy(scored, tmp_path)
    with in_data(data, call.id) as reg:
        publishing.compute_results(reg, call, tmp_path / "r.xlsx", "admin", BEFORE)
        first = publishing.start_publicity(reg, call, "admin", BEFORE)
        top = first.winners[0].reg_no
        for s in reg.scores(call.id):  # every form of the first winner reopened: it is no longer scored
            if s.reg_no == top:
                reg.reopen_score(call.id, top, s.judge_id, "核对效益数据", "admin")
        publishing.compute_results(reg, call, tmp_path / "r.xlsx", "admin", BEFORE)
        again = publishing.state(reg, call, BEFORE).publicity
        assert again is not None and (again.start, again.number) == (first.start, first.number)
        assert again.winners == publishing.proposed_winners(load_results(reg, call))
        assert top not in {w.reg_no for w in again.winners}


def test_results_are_award_review_results_own(scored: Path, tmp_path: Path, call: Any) -> None:
    cli_data, web_data = _copy(scored, tmp_path / "cli"), _copy(scored, tmp_path / "web")
    r = CliRunner().invoke(main, ["--db", str(cli_data / PLATFORM_DB), "review", "results", "-o",
                                  str(tmp_path / "cli.xlsx")])
    assert r.exit_code == 0, r.output
    with in_data(web_data, call.id) as reg:
        done = publishing.compute_results(reg, call, tmp_path / "web.xlsx", "admin", BEFORE)
        ours = reg.results(call.id)
    with Registry(cli_data / PLATFORM_DB, call_id=call.id) as reg:
        theirs = reg.results(call.id)
    assert ours == theirs and len(ours) == 24
    assert [(x.reg_no, x.rank, x.final, x.level) for x in ours] == [(x.reg_no, x.rank, x.final, x.level)
                                                                    for x in theirs]
    assert done.awarded == {"一等奖": 2, "二等奖": 4, "三等奖": 7} and done.held == 1

    from openpyxl import load_workbook

    a, b = load_workbook(tmp_path / "cli.xlsx"), load_workbook(tmp_path / "web.xlsx")
    assert a.sheetnames == b.sheetnames
    for name in a.sheetnames:
        assert [[c.value for c in row] for row in a[name].iter_rows()] == \
               [[c.value for c in row] for row in b[name].iter_rows()], name


def test_the_publicity_notice_passes_gbt9704_and_names_every_winner(scored: Path, tmp_path: Path,
                                                                     call: Any) -> None:
    data = _copy(scored, tmp_path)
    db = data / PLATFORM_DB
    out = tmp_path / "公示.docx"
    r = CliRunner().invoke(main, ["--db", str(db), "publicity", "-o", str(out), "--no-pdf"])
    assert r.exit_code == 3 and "award review results" in r.output  # no results yet
    assert CliRunner().invoke(main, ["--db", str(db), "review", "results", "-o", str(tmp_path / "r.xlsx")]
                              ).exit_code == 0
    r = CliRunner().invoke(main, ["--db", str(db), "publicity", "-o", str(out), "--number", "沪质协[2021]35号"])
    assert r.exit_code == 2 and "〔2021〕" in r.output and not out.exists()
    r = CliRunner().invoke(main, ["--db", str(db), "publicity", "-o", str(out), "--no-pdf"])
    assert r.exit_code == 0 and "拟奖项目 13 项" in r.output, r.output
    assert check_notice(out, call).findings == ()
    text = _text(out)
    with Registry(db, call_id=call.id) as reg:
        winners = publishing.proposed_winners(load_results(reg, call))
    assert len(winners) == 13
    for w in winners:
        assert w.project in text and w.level_name in text
        assert all(p in text for p in w.persons) and all(u in text for u in w.units)
    for words in ("关于2021年度上海市质量协会质量技术奖拟奖项目的公示", "沪质协〔2021〕35号",
                  "公示期为2021年9月13日至2021年9月19日（共7天）", "书面形式", call.documents.contact,
                  "真实姓名", "附件：2021年上海市质量协会质量技术奖拟奖项目名单", "2021年9月13日"):
        assert words in text.replace("\n", ""), words  # the title is broken into lines
    d = docx.Document(str(out))
    head = [c.text.replace("\n", "") for c in d.tables[0].rows[0].cells]  # 拟奖/等级 on two lines
    assert head == ["序号", "项目名称", "完成单位", "主要完成人", "拟奖等级"]
    levels = [plain(row.cells[4].text) for row in d.tables[0].rows[1:]]
    assert levels == [w.level_name for w in winners] and levels == sorted(levels, key=["一等奖", "二等奖",
                                                                                      "三等奖"].index)
    # another date and number: the period follows
    r = CliRunner().invoke(main, ["--db", str(db), "publicity", "-o", str(out), "--no-pdf", "--date", "2021-09-20",
                                  "--number", "沪质协〔2021〕37号"])
    assert r.exit_code == 0 and check_notice(out, call).findings == ()
    assert "2021年9月20日至2021年9月26日" in _text(out) and "沪质协〔2021〕37号" in _text(out)


# --- the web: staff run it, the public sees the 公示 -------------------------------------------------------------


@pytest.fixture(scope="module")
def clock() -> Clock:
    return Clock(BEFORE)


@pytest.fixture(scope="module")
def web(scored: Path, tmp_path_factory: pytest.TempPathFactory, call: Any, clock: Clock) -> Iterator[Any]:
    data = _copy(scored, tmp_path_factory.mktemp("web"))
    application = create_app(Settings(call, workers=1, queue=2, data=data, today=clock, signins_per_minute=100))
    with TestClient(application):
        yield application


def _signed_in(app: Any, name: str) -> TestClient:
    c = TestClient(app)
    r = c.post("/signin", data={"name": name, "password": PASSWORD, "csrf": _csrf(c.get("/signin").text)},
               follow_redirects=False)
    assert r.status_code == 303
    return c


def test_other_roles_get_nothing_of_the_round(web: Any) -> None:
    anonymous = TestClient(web)
    for method, path in STAFF_ROUTES:
        r = anonymous.request(method, path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/signin", path
    for name in ("210801", "judge01"):
        c = _signed_in(web, name)
        for method, path in STAFF_ROUTES:
            assert c.request(method, path, follow_redirects=False).status_code == 404, (name, path)


def test_staff_run_the_round_and_the_public_sees_the_publicity(web: Any, clock: Clock, call: Any,
                                                               tmp_path: Path) -> None:
    staff = _signed_in(web, "admin")
    public = TestClient(web)
    clock.day = BEFORE
    assert "评审结果与发布" in staff.get("/staff").text and 'href="/staff/round"' in staff.get("/staff").text
    page = staff.get("/staff/round")
    assert page.status_code == 200 and "尚未计算评审结果" in page.text and "计算评审结果" in page.text
    token = _csrf(page.text)
    r = public.get("/publicity")
    assert r.status_code == 200 and "尚未公示" in r.text
    assert 'href="/publicity"' not in public.get("/").text
    assert staff.get("/staff/round/results.xlsx").status_code == 404
    # out of order: refused with the reason, nothing recorded
    r = staff.post("/staff/round/publicity", data={"csrf": token})
    assert r.status_code == 409 and "尚未计算评审结果" in r.text
    r = staff.post("/staff/round/publish", data={"csrf": token})
    assert r.status_code == 409 and "尚未印发表彰决定" in r.text
    assert staff.post("/staff/round/results", data={"csrf": "x" * 40}).status_code == 403
    # results
    r = staff.post("/staff/round/results", data={"csrf": token}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/staff/round?done=results"
    page = staff.get("/staff/round?done=results")
    assert "评审结果已计算并保存" in page.text and "一等奖2项、二等奖4项、三等奖7项，暂缓1项" in page.text
    assert "暂缓" in page.text and "下载评审结果" in page.text
    x = staff.get("/staff/round/results.xlsx")
    assert x.status_code == 200 and x.content[:2] == b"PK"
    # the 公示, recorded before its first day: the public sees nothing of it yet
    r = staff.post("/staff/round/publicity", data={"csrf": token, "start": "2021-09-13"}, follow_redirects=False)
    assert r.status_code == 303
    app_state = web.state.site
    with in_data(app_state.settings.data, call.id) as reg:
        winners = publishing.state(reg, call, DURING).publicity.winners  # type: ignore[union-attr]
    r = public.get("/publicity")
    assert "尚未公示" in r.text and winners[0].project not in r.text
    r = staff.post("/staff/round/decision", data={"csrf": token, "sample_seal": "1"})
    assert r.status_code == 409 and "2021年9月20日起方可印发表彰决定" in r.text
    notice = staff.get("/staff/round/publicity.docx")
    assert notice.status_code == 200 and "attachment" in notice.headers["content-disposition"]
    (tmp_path / "p.docx").write_bytes(notice.content)
    assert check_notice(tmp_path / "p.docx", call).findings == ()
    assert all(w.project in _text(tmp_path / "p.docx") for w in winners)
    # during the 公示: the list by level, the period, how to object, the number; the home page links to it
    clock.day = DURING
    r = public.get("/publicity")
    assert r.status_code == 200 and "尚未公示" not in r.text
    for words in ("关于2021年度上海市质量协会质量技术奖拟奖项目的公示", "2021年9月13日至2021年9月19日",
                  "沪质协〔2021〕35号", "书面形式", "一等奖（2项）", "二等奖（4项）", "三等奖（7项）"):
        assert words in r.text, words
    assert all(w.project in r.text for w in winners)
    assert 'href="/publicity"' in public.get("/").text
    r = staff.post("/staff/round/results", data={"csrf": token})
    assert r.status_code == 409 and "公示已于2021年9月13日开始" in r.text
    # after it: the list stays readable; the decision now, with the sample seal and then with the seal uploaded
    clock.day = AFTER
    r = public.get("/publicity")
    assert "公示期已结束" in r.text and all(w.project in r.text for w in winners) and "异议方式" not in r.text
    assert 'href="/publicity"' not in public.get("/").text
    assert staff.get("/staff/round/issued.zip").status_code == 404
    r = staff.post("/staff/round/decision", data={"csrf": token})
    assert r.status_code == 409 and "二者选一" in r.text
    r = staff.post("/staff/round/decision", data={"csrf": token, "sample_seal": "1"}, follow_redirects=False)
    assert r.status_code == 303
    page = staff.get("/staff/round")
    assert "示例印章“样章”，仅供试印，不可对外颁发" in page.text
    seal = io.BytesIO()
    from PIL import Image

    Image.new("RGBA", (120, 120), (200, 0, 0, 255)).save(seal, "PNG")
    r = staff.post("/staff/round/decision", data={"csrf": token}, files={"seal": ("印章.png", seal.getvalue())},
                   follow_redirects=False)
    assert r.status_code == 303
    page = staff.get("/staff/round")
    assert "仅供试印" not in page.text and "沪质协〔2021〕36号" in page.text
    z = staff.get("/staff/round/issued.zip")
    assert z.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(z.content)).namelist()
    assert "表彰决定.docx" in names and sum(n.startswith("证书/") and n.endswith(".docx") for n in names) > 13
    seals = list((app_state.settings.data / "seals").iterdir())
    assert len(seals) == 1 and seals[0].read_bytes() == seal.getvalue()  # kept as uploaded, under our own name
    # publication, then nothing of the decision may be issued again from the console
    r = staff.post("/staff/round/publish", data={"csrf": token, "start": "2021-10-08"}, follow_redirects=False)
    assert r.status_code == 303
    page = staff.get("/staff/round")
    assert "自2021年10月8日起在线分享获奖案例" in page.text and page.text.count("已完成") >= 4
    r = staff.post("/staff/round/decision", data={"csrf": token, "sample_seal": "1"})
    assert r.status_code == 409 and "获奖案例已在线发布" in r.text
    with in_data(app_state.settings.data, call.id) as reg:
        done = [(who, what) for _, who, what, _, _ in reg.audit_rows()]
    for what in ("review.results", "publication.publicity", "publication.decision", "publication.published"):
        assert ("admin", what) in done, what
    assert done.count(("admin", "publication.decision")) == 2
