"""在线分享 and the case collection (issue 15, part 3): who may see a case (the decision and the publication recorded,
the unit's consent, not withdrawn), the winners' pages before and after publication, the staff's withdraw / restore
and downloads, the consent checkbox on the confirmation page and on the application page, the feedback to
applicants (after the decision, never a judge's name or id), the benefits chart (SVG and PNG from one layout), and
the 成果汇编 (.docx structure, the public collection against --all, its PDF's faces, its pages as PNG).

One round on one platform registry, built in stages as the module's tests run: unit A submits two forms online (the
first with the consent ticked), unit B one without it, one form comes by e-mail; judges are assigned and their
forms stored; results are stored with a level for A's first form, B's and the e-mailed one (A's second: none);
staff record the publication steps with Registry.run_step, as the console's publication steps do."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
import pytest
from click.testing import CliRunner
from conftest import ROOT, SAMPLES
from conftest import csrf_of as _csrf
from fastapi.testclient import TestClient

from pipeline import cases as cs
from pipeline.registry import PLATFORM_DB, Registry, StoredResult, StoredScore, in_data
from pipeline.web.app import Settings, create_app

pytestmark = pytest.mark.timeout(300)

FORMS = SAMPLES / "platform"
PASSWORD = "correct horse battery"
OPEN = dt.date(2021, 7, 1)
CODE = re.compile(r"<td>(\d{6})</td><td>[^<]*</td><td><code class=\"code\">([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})</code>")
SHOTS = ROOT / "out" / "screenshots"



def _sign_in(c: TestClient, name: str, password: str) -> Any:
    return c.post("/signin", data={"name": name, "password": password, "csrf": _csrf(c.get("/signin").text)},
                  follow_redirects=False)


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory, call: Any) -> Path:
    from pipeline.accounts import add_user

    path = tmp_path_factory.mktemp("cases")
    with in_data(path, call.id) as registry:
        add_user(registry, "admin", "staff", PASSWORD)
    return path


@pytest.fixture(scope="module")
def app(call: Any, data: Path) -> Iterator[Any]:
    application = create_app(Settings(call, workers=1, queue=4, data=data, today=lambda: OPEN,
                                      signins_per_minute=100, selfchecks_per_minute=100))
    with TestClient(application):
        yield application


@pytest.fixture(scope="module")
def staff(app: Any) -> TestClient:
    c = TestClient(app)
    assert _sign_in(c, "admin", PASSWORD).headers["location"] == "/staff"
    return c


def _unit(app: Any, number: str, code: str) -> TestClient:
    c = TestClient(app)
    assert _sign_in(c, number, code).headers["location"] == "/account/password"
    form = c.get("/account/password")
    r = c.post("/account/password", data={"password": PASSWORD + number, "again": PASSWORD + number,
                                          "csrf": _csrf(form.text)}, follow_redirects=False)
    assert r.headers["location"] == "/unit"
    return c


@pytest.fixture(scope="module")
def units(app: Any, staff: TestClient) -> dict[str, TestClient]:
    page = staff.get("/staff/units")
    r = staff.post("/staff/units/import", data={"csrf": _csrf(page.text)},
                   files={"file": ("members.csv", (FORMS / "members.csv").read_bytes())})
    codes = dict(CODE.findall(r.text))
    return {"A": _unit(app, "210801", codes["210801"]), "B": _unit(app, "210802", codes["210802"])}


def _upload(c: TestClient, name: str) -> Any:
    page = c.get("/unit")
    r = c.post("/unit/upload", data={"csrf": _csrf(page.text)}, files={"file": (name, (FORMS / name).read_bytes())})
    assert r.status_code == 200, r.text[-2000:]
    return r


def _confirm(c: TestClient, page: Any, consent: bool) -> str:
    token = re.search(r'name="token" value="([^"]+)"', page.text)
    assert token
    form = {"csrf": _csrf(page.text), "token": token.group(1)}
    if consent:
        form["consent"] = "1"
    done = c.post("/unit/confirm", data=form, follow_redirects=False)
    assert done.status_code == 303, done.text[-2000:]
    found = re.match(r"/unit/applications/([^?]+)\?submitted=1", done.headers["location"])
    assert found
    return found.group(1)


@pytest.fixture(scope="module")
def round_(units: dict[str, TestClient], data: Path, call: Any, tmp_path_factory: pytest.TempPathFactory
           ) -> dict[str, str]:
    """The round: A1 (online, consent), A2 (online, consent, not awarded), B (online, no consent), E (e-mailed).
    Every application scored by its judges (each comment names no judge), results stored."""
    from pipeline import review as rv
    from pipeline.batch import run_batch

    page = _upload(units["A"], "unit-a-修改后.docx")
    assert call.publication.consent and call.publication.consent in page.text  # the consent line, on confirmation
    assert 'name="consent"' in page.text
    apps = {"A1": _confirm(units["A"], page, consent=True)}
    apps["A2"] = _confirm(units["A"], _upload(units["A"], "unit-a-项目2.docx"), consent=True)
    apps["B"] = _confirm(units["B"], _upload(units["B"], "unit-b-申报书.docx"), consent=False)
    inbox = tmp_path_factory.mktemp("inbox")
    shutil.copy(SAMPLES / "round" / "0001-申报书.docx", inbox / "0001-申报书.docx")
    with in_data(data, call.id) as reg:
        before = set(reg.registered_numbers(call.id).values())
        run_batch(inbox, tmp_path_factory.mktemp("batch-out"), call, reg, jobs=1, letters=False)
        [apps["E"]] = sorted(set(reg.registered_numbers(call.id).values()) - before)
        rv.assign_judges(reg, call, SAMPLES / "judges.csv", seed=2021)
        forms = []
        for n, (judge, numbers) in enumerate(sorted(reg.assignments(call.id).items())):
            for reg_no in numbers:
                criteria = {c.id: float(c.max) * 0.8 for c in call.review.criteria}
                comment = f"第{n + 1}条意见：方法应用规范，效益数据翔实。" if n % 2 else f"第{n + 1}条意见：建议进一步提炼创新点。"
                forms.append((n, StoredScore(reg_no, judge, criteria, sum(criteria.values()), False, comment)))
        reg.upsert_scores(call.id, forms, "test-forms.xlsx", "0" * 64)
        levels = {apps["A1"]: (1, "一等奖", 1), apps["B"]: (2, "二等奖", 2), apps["E"]: (3, "三等奖", 3)}
        results = []
        for rank, reg_no in enumerate([apps["A1"], apps["B"], apps["E"], apps["A2"]], 1):
            level, name, serial = levels.get(reg_no, (None, None, None))
            results.append(StoredResult(reg_no, rank, serial, level, name, False, (), 5, 90.0 - rank, 90.0 - rank,
                                        0.0, rank, 0, {}, ()))
        reg.replace_results(call.id, results)
    return apps


def _reg(data: Path, call: Any) -> Registry:
    return Registry(data / PLATFORM_DB, call_id=call.id)


def _step(data: Path, call: Any, step: str) -> None:
    with _reg(data, call) as reg:
        reg.run_step(call.id, step, {}, "admin", f"测试：{step}")


# --- the chart ------------------------------------------------------------------------------------------------

def test_the_chart_is_laid_out_once_and_drawn_as_svg_and_png() -> None:
    from PIL import Image

    from pipeline.render.charts import BarChart, layout, nice_step, png, svg

    chart = BarChart("经济效益", ("2018年", "2019年", "2020年"),
                     (("新增销售额", (523.6, 2890.3, None)), ("节约成本", (-12.5, 264.4, 19.0))), "万元")
    drawing = layout(chart)
    texts = [s.text for s in drawing.shapes if hasattr(s, "text")]
    assert "经济效益" in texts and "新增销售额" in texts and "2890.3" in texts and "-12.5" in texts
    assert "单位：万元" in texts and "2020年" in texts
    picture = svg(chart)
    assert picture.startswith("<svg") and "style=" not in picture and "http://www.w3.org/2000/svg" in picture
    assert picture.count("<rect") == 1 + 2 + 5  # the background, the legend's swatches, the five given values
    assert svg(chart) == picture  # depends only on the data
    image = Image.open(io.BytesIO(png(chart)))
    assert image.size == (1920, 1080) and image.getpixel((5, 5)) == (255, 255, 255)
    assert [nice_step(x) for x in (10, 3000, 7, 0.9)] == [2, 1000, 2, 0.2]


def test_a_chinese_label_has_every_glyph_in_the_png_face() -> None:
    from pipeline.render.charts import HEI, BarChart, chart_texts
    from pipeline.render.fonts import font_face_for, missing_glyphs

    chart = BarChart("经济效益", ("2019年",), (("新增销售额（含出口）", (1.0,)), ("节约成本", (2.0,))), "万元")
    face = font_face_for(HEI)
    assert missing_glyphs("".join(chart_texts(chart)), face.path, face.index) == []


# --- cases: who may see which --------------------------------------------------------------------------------------

def test_cases_read_through_the_roles(round_: dict[str, str], data: Path, call: Any) -> None:
    with _reg(data, call) as reg:
        cases = cs.all_cases(reg, call)
        assert [c.reg_no for c in cases] == [round_["A1"], round_["B"], round_["E"]]
        assert [c.level_name for c in cases] == ["一等奖", "二等奖", "三等奖"]
        assert [c.consent for c in cases] == [True, False, None]  # e-mailed: no consent asked
        a1 = cases[0]
        app = reg.application(round_["A1"])
        assert app is not None
        f = app.fields
        assert a1.project == f["project.name"] and a1.summary == f["summary"].strip()
        assert a1.innovation == f["innovation"].strip() and a1.methods == f["methods"].strip()
        assert a1.units[0] == f["applicant.name"] and [p.name for p in a1.persons] == [p["name"] for p in f["persons"]]
        assert a1.headings == {"summary": "项目简介", "innovation": "主要创新点", "methods": "质量技术方法应用情况"}
        b = a1.benefits
        assert b is not None and b.columns == ("新增销售额", "新增利润", "节约成本") and b.unit == "万元"
        assert [y for y, _ in b.rows] == [f"{r['year']}年" for r in f["benefits.years"]]
        total = {k: float(v) for k, v in f["benefits.total"].items()}
        assert b.totals == pytest.approx((total["sales"], total["profit"], total["savings"]))
        assert cs.public_cases(reg, call) == []  # nothing is public before the decision and the publication


def test_a_call_without_the_optional_roles_still_loads(tmp_path: Path) -> None:
    from pipeline.calls import load_call
    from pipeline.errors import PipelineError

    folder = tmp_path / "saq-2021"
    shutil.copytree(ROOT / "schemas" / "saq-2021", folder)
    text = (folder / "call.yaml").read_text(encoding="utf-8")
    for line in ("  person_title: title\n", "  innovation: innovation\n", "  methods: methods\n",
                 "  benefits: benefits.years    # its number columns are the series of the benefits chart\n",
                 "  benefit_year: year\n"):
        assert line in text
        text = text.replace(line, "")
    (folder / "call.yaml").write_text(text, encoding="utf-8")
    roles = load_call(folder).roles
    assert roles.innovation is None and roles.benefits is None
    bad = tmp_path / "bad" / "saq-2021"  # another folder: calls are cached by folder
    shutil.copytree(folder, bad)
    (bad / "call.yaml").write_text(text.replace("  person_unit: unit\n", "  person_unit: unit\n  methods: nope\n"),
                                   encoding="utf-8")
    with pytest.raises(PipelineError, match=r"roles\.methods"):
        load_call(bad)


# --- the winners' pages before publication, consent on the unit's page --------------------------------------------

def test_before_publication_the_winners_page_says_when(app: Any, round_: dict[str, str]) -> None:
    c = TestClient(app)
    r = c.get("/winners")
    assert r.status_code == 200 and "获奖案例将于2021年10月8日起在本页公布" in r.text
    for reg_no in round_.values():
        assert c.get(f"/winners/{reg_no}").status_code == 404


def test_the_consent_is_stored_and_changed_by_the_unit_until_publication(units: dict[str, TestClient],
                                                                          round_: dict[str, str], data: Path,
                                                                          call: Any) -> None:
    with _reg(data, call) as reg:
        consents = reg.consents(call.id)
    assert consents == {round_["A1"]: True, round_["A2"]: True, round_["B"]: False}
    page = units["B"].get(f"/unit/applications/{round_['B']}")
    assert "公开发布意见" in page.text and call.publication.consent in page.text and "不同意公开发布" in page.text
    # unit A cannot change unit B's answer: B's application does not exist for it
    own = units["A"].get(f"/unit/applications/{round_['A1']}")
    r = units["A"].post(f"/unit/applications/{round_['B']}/consent", data={"csrf": _csrf(own.text), "consent": "1"},
                        follow_redirects=False)
    assert r.status_code == 404
    # B agrees, then takes it back, then agrees again: each change audited
    for value in ("1", "", "1"):
        form = {"csrf": _csrf(page.text), **({"consent": value} if value else {})}
        r = units["B"].post(f"/unit/applications/{round_['B']}/consent", data=form, follow_redirects=False)
        assert r.status_code == 303
    page = units["B"].get(f"/unit/applications/{round_['B']}?consent=1")
    assert "已保存" in page.text and "checked" in page.text
    with _reg(data, call) as reg:
        assert reg.consents(call.id)[round_["B"]] is True
        assert [row[2] for row in reg.audit_rows(round_["B"])].count("publication.consent") == 3
        reg.set_consent(round_["B"], False, "210802")  # back as it was for the tests below


def test_feedback_only_after_the_decision_and_never_a_judge(units: dict[str, TestClient], round_: dict[str, str],
                                                          data: Path, call: Any) -> None:
    page = units["A"].get(f"/unit/applications/{round_['A1']}")
    assert "评审结果" not in page.text and "专家评语" not in page.text
    with _reg(data, call) as reg:
        assert cs.feedback(reg, call, round_["A1"]) is None
        judges = reg.judges(call.id)
        comments = sorted(s.comment for s in reg.scores(call.id) if s.reg_no == round_["A1"])
    _step(data, call, "decision")
    a1 = units["A"].get(f"/unit/applications/{round_['A1']}").text
    assert "评审结果" in a1 and "质量技术奖一等奖" in a1
    shown = re.findall(r"<li>([^<]+)</li>", a1.split('class="comments"')[1].split("</ul>")[0])
    assert shown == comments and len(shown) == 5  # every comment, sorted by text: nothing says whose
    a2 = units["A"].get(f"/unit/applications/{round_['A2']}").text
    assert "本项目<strong>未获奖</strong>" in a2 and "专家评语" in a2
    for page_text in (a1, a2):
        for judge_id, name, _unit, _, _ in judges:
            assert judge_id not in page_text and name not in page_text, (judge_id, name)
    # another unit's feedback does not exist for unit B
    assert units["B"].get(f"/unit/applications/{round_['A1']}").status_code == 404


# --- after publication ---------------------------------------------------------------------------------------------

def test_the_decision_alone_publishes_nothing(app: Any, round_: dict[str, str], data: Path, call: Any) -> None:
    c = TestClient(app)
    assert "将于2021年10月8日起" in c.get("/winners").text
    assert c.get(f"/winners/{round_['A1']}").status_code == 404


def test_after_publication_only_consented_cases_are_public(app: Any, round_: dict[str, str], data: Path,
                                                           call: Any) -> None:
    _step(data, call, "published")
    c = TestClient(app)
    page = c.get("/winners")
    assert page.status_code == 200 and "一等奖" in page.text
    assert f'href="/winners/{round_["A1"]}"' in page.text
    for key in ("A2", "B", "E"):  # not awarded; no consent; e-mailed (no consent asked)
        assert round_[key] not in page.text
        assert c.get(f"/winners/{round_[key]}").status_code == 404
    case = c.get(f"/winners/{round_['A1']}")
    assert case.status_code == 200
    with _reg(data, call) as reg:
        app_row = reg.application(round_["A1"])
    assert app_row is not None
    f = app_row.fields
    for text in (f["project.name"], f["applicant.name"], f["persons"][0]["name"], "项目简介", "主要创新点",
                 "质量技术方法应用情况", "经济效益", "新增销售额", "单位：万元"):
        assert text in case.text, text
    assert "<svg" in case.text and 'role="img"' in case.text and "<script" not in case.text
    assert not re.search(r'(src|href)="(https?:)?//', case.text)  # nothing from a CDN
    assert "contact.phone" not in case.text and f["contact.phone"] not in case.text  # no contact data
    assert c.get("/winners/2021-9999").status_code == 404


def test_the_unit_cannot_change_its_consent_after_publication(units: dict[str, TestClient],
                                                              round_: dict[str, str]) -> None:
    page = units["B"].get(f"/unit/applications/{round_['B']}")
    assert "获奖案例已发布，不能再修改" in page.text
    r = units["B"].post(f"/unit/applications/{round_['B']}/consent", data={"csrf": _csrf(page.text), "consent": "1"},
                        follow_redirects=False)
    assert r.status_code == 409


def test_staff_withdraw_and_restore_a_case_page(app: Any, staff: TestClient, units: dict[str, TestClient],
                                                round_: dict[str, str], data: Path, call: Any) -> None:
    page = staff.get("/staff/cases")
    assert page.status_code == 200 and "获奖案例与发布" in page.text and "公开中" in page.text
    assert "无（邮件提交）" in page.text and "不同意" in page.text
    a1 = round_["A1"]
    # units see no console; a withdrawal needs the form token and a reason
    assert units["A"].get("/staff/cases", follow_redirects=False).status_code == 404
    assert units["A"].post(f"/staff/cases/{a1}/withdraw", data={"csrf": _csrf(page.text), "reason": "x"},
                           follow_redirects=False).status_code == 404
    assert staff.post(f"/staff/cases/{a1}/withdraw", data={"csrf": "stale", "reason": "x"}).status_code == 403
    r = staff.post(f"/staff/cases/{a1}/withdraw", data={"csrf": _csrf(page.text), "reason": "  "})
    assert r.status_code == 409 and "请填写撤下原因" in r.text
    r = staff.post(f"/staff/cases/{round_['A2']}/withdraw", data={"csrf": _csrf(page.text), "reason": "核查"})
    assert r.status_code == 409 and "不是获奖项目" in r.text
    r = staff.post(f"/staff/cases/{a1}/withdraw", data={"csrf": _csrf(page.text), "reason": "单位申请撤回，待核查"},
                   follow_redirects=False)
    assert r.status_code == 303
    assert "已撤下" in staff.get(r.headers["location"]).text
    visitor = TestClient(app)
    assert visitor.get(f"/winners/{a1}").status_code == 404 and a1 not in visitor.get("/winners").text
    r = staff.post(f"/staff/cases/{a1}/restore", data={"csrf": _csrf(page.text)}, follow_redirects=False)
    assert r.status_code == 303
    assert visitor.get(f"/winners/{a1}").status_code == 200
    with _reg(data, call) as reg:
        done = [row[2] for row in reg.audit_rows(a1)]
    assert "publication.withdraw" in done and "publication.restore" in done


def test_staff_download_the_casebook_proof_and_the_public_one(staff: TestClient, units: dict[str, TestClient],
                                                              round_: dict[str, str], data: Path, call: Any) -> None:
    assert units["A"].get("/staff/casebook.docx", follow_redirects=False).status_code == 404
    proof = staff.get("/staff/casebook.docx")
    assert proof.status_code == 200 and proof.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    assert "filename*=UTF-8''" in proof.headers["content-disposition"]
    titles = _case_titles(docx.Document(io.BytesIO(proof.content)))
    assert len(titles) == 3
    public = staff.get("/staff/casebook.docx?public=1")
    assert public.status_code == 200
    with _reg(data, call) as reg:
        a1 = reg.application(round_["A1"])
        assert a1 is not None
        assert _case_titles(docx.Document(io.BytesIO(public.content))) == [a1.fields["project.name"]]
        assert [r[2] for r in reg.audit_rows()].count("casebook.download") == 2


# --- the printed collection ----------------------------------------------------------------------------------------

def _case_titles(document: Any) -> list[str]:
    return [p.text for p in document.paragraphs if p.style.name == "Heading 2"]


def test_casebook_docx_structure(round_: dict[str, str], data: Path, call: Any, tmp_path: Path) -> None:
    from pipeline.casebook import PROOF_MARK, write_casebook

    with _reg(data, call) as reg:
        proof = write_casebook(reg, call, tmp_path / "校对稿.docx", dt.date(2021, 10, 8), proof=True)
        public = write_casebook(reg, call, tmp_path / "成果汇编.docx", dt.date(2021, 10, 8))
        cases = cs.all_cases(reg, call)
    assert [c.reg_no for c in proof.cases] == [c.reg_no for c in cases]
    assert [c.reg_no for c in public.cases] == [round_["A1"]]
    d = docx.Document(str(proof.path))
    text = [p.text for p in d.paragraphs]
    # the cover: award, 优秀成果案例汇编, the organiser and the date; the proof mark
    assert text[:12].count("优秀成果案例汇编") == 1 and call.award in text[:12] and call.organiser.name in text[:16]
    assert "2021年10月8日" in text[:16] and f"【{PROOF_MARK}】" in text[:12]
    assert all(PROOF_MARK in s.header.paragraphs[0].text for s in d.sections)
    # the contents: every level, every case with its page reference
    contents = text[text.index("目　　录"):]
    assert [t for t in contents if re.match(r"^[一二三]等奖（\d项）$", t)] == ["一等奖（1项）", "二等奖（1项）", "三等奖（1项）"]
    body = d.element.body.xml
    assert body.count("PAGEREF case") == 3 and body.count('w:name="case') == 3
    # one section per case, each starting on a new page with its level, every case's parts
    assert _case_titles(d) == [c.project for c in cases]
    levels = [p.text for p in d.paragraphs if re.fullmatch(r"[一二三]等奖", p.text)]
    assert levels == ["一等奖", "二等奖", "三等奖"]
    for part in ("一、项目简介", "二、主要创新点", "三、质量技术方法应用情况", "四、主要完成人", "五、经济效益"):
        assert text.count(part) == 3, part
    # the benefits table and its chart per case
    assert len(d.inline_shapes) == sum(1 for c in cases if c.benefits is not None) == 3
    assert sum(1 for t in d.tables if t.rows[0].cells[0].text == "年度") == 3
    # the public one: no proof mark anywhere, the page numbers in the footer
    p = docx.Document(str(public.path))
    assert not any(PROOF_MARK in x.text for x in p.paragraphs)
    assert not any(PROOF_MARK in s.header.paragraphs[0].text for s in p.sections)
    assert "PAGE" in p.sections[1].footer._element.xml


def test_casebook_command_pdf_embeds_the_cjk_faces(round_: dict[str, str], data: Path, call: Any,
                                                   tmp_path: Path) -> None:
    from pipeline.cli import main

    out = tmp_path / "成果汇编.docx"
    runner = CliRunner()
    r = runner.invoke(main, ["--db", str(data / PLATFORM_DB), "casebook", "-o", str(out), "--all", "--pdf"])
    assert r.exit_code == 0, r.output
    assert "内部校对稿，3 个案例" in r.output
    pdf = out.with_suffix(".pdf")
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in fonts.splitlines()[2:] if line.strip()]
    names = {row[0].split("+", 1)[-1] for row in rows}
    assert all(row[-5] == "yes" for row in rows), fonts  # every face embedded
    wanted = ("NotoSerifCJKjp-Bold", "NotoSansCJKjp-Regular", "UKaiCN", "LiberationSerif")
    assert all(name.startswith(wanted) for name in names), names  # no fallback face (DejaVu, Droid…)
    assert any(n.startswith("NotoSerifCJKjp-Bold") for n in names)  # 方正小标宋 -> the heavy Song face
    assert any(n.startswith("UKaiCN") for n in names)  # 仿宋/楷体 as the project maps them
    assert any(n.startswith("NotoSansCJKjp-Regular") for n in names)  # 黑体
    # the pages as PNG, kept for a person to look at
    SHOTS.mkdir(parents=True, exist_ok=True)
    for old in SHOTS.glob("casebook-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "8", str(pdf), str(SHOTS / "casebook")],
                   check=True, timeout=120)
    assert len(list(SHOTS.glob("casebook-*.png"))) == 8
    # the public collection never goes over an input, and --pdf without a file name is refused
    r = runner.invoke(main, ["--db", str(data / PLATFORM_DB), "casebook", "-o", str(data / PLATFORM_DB)])
    assert r.exit_code == 3
    r = runner.invoke(main, ["--db", str(data / PLATFORM_DB), "casebook", "-o", "-", "--pdf"])
    assert r.exit_code == 2


def test_the_public_casebook_needs_a_public_case(tmp_path: Path, call: Any) -> None:
    from pipeline.cli import main

    db = tmp_path / "award.sqlite"
    Registry(db, call_id=call.id).close()
    r = CliRunner().invoke(main, ["--db", str(db), "casebook", "-o", str(tmp_path / "x.docx"), "--no-pdf"])
    assert r.exit_code == 3 and "还没有可公开的获奖案例" in r.output
    assert not (tmp_path / "x.docx").exists()


# --- screenshots ---------------------------------------------------------------------------------------------------

def test_screenshots_of_the_winners_pages(round_: dict[str, str], data: Path, call: Any,
                                          tmp_path_factory: pytest.TempPathFactory) -> None:
    from test_browser import _chromium, _serve, _shoot, _sign_in, _wait_path

    with _reg(data, call) as reg:
        assert cs.published(reg, call)
    with _serve(data) as url, _chromium(tmp_path_factory.mktemp("downloads")) as driver:
        driver.get(url + "/winners")
        assert "获奖成果" in driver.title
        _shoot(driver, "cases-winners")
        driver.get(f"{url}/winners/{round_['A1']}")
        assert driver.find_element("css selector", "figure.chart svg").is_displayed()
        _shoot(driver, "cases-case")
    with _serve(data) as url, _chromium(tmp_path_factory.mktemp("downloads")) as driver:
        _sign_in(driver, url, "admin", PASSWORD)
        _wait_path(driver, "/staff")
        driver.get(url + "/staff/cases")
        _shoot(driver, "cases-staff")
    with _serve(data) as url, _chromium(tmp_path_factory.mktemp("downloads")) as driver:
        _sign_in(driver, url, "210801", PASSWORD + "210801")
        _wait_path(driver, "/unit")
        driver.get(f"{url}/unit/applications/{round_['A1']}")
        assert "评审结果" in driver.page_source
        _shoot(driver, "cases-unit-feedback")
