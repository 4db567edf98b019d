"""The platform's journeys in a real browser against a real server process (headless Chromium: Debian's chromium
and chromium-driver, installed by the Makefile):

- a visitor opens /selfcheck on `award serve`, uploads a form with an error, reads the verdict and downloads the
  annotated copy;
- online submission, on a server started with a copy of the call folder whose window is open today (next year's
  call is a copied folder too): staff sign in and import the member list, reading the one-time codes; unit 210801
  signs in with its code, sets its password, is refused with errors, downloads the annotated copy, submits the
  fixed form and reads its registration number; staff then find it on the console, the list and its page, download
  summary.xlsx and the audit log, and sign out;
- the round to its end, on a server started with another copy of the call folder whose dates only are moved so that
  the whole sequence fits in one real day (the review window ends today, the 公示 planned from a week ago has ended
  yesterday, the decision and the publication are dated today; the server has no "today" of its own to be set).
  Prepared before it starts, with the library: samples/round imported as staff's .zip import does but one form,
  which its member unit submits online with consent to publication given; the judges of samples/judges.csv
  assigned; every judge's workbook (samples/fill_scores.py) imported except J09's. Then in Chromium: staff give J09
  a one-time code on /staff/judges; J09 signs in with it, sets a password, saves a draft, is refused a score off the
  0.5 step with the workbook's message, submits, declares 回避 on another application with a reason and submits the
  rest; staff read the 回避 on /staff/review and assign the first judge offered; on /staff/round they compute the
  results and download them, start the 公示, issue the decision and the certificates with the sample seal, download
  them and publish; a visitor reads /publicity before and after the 公示, /winners and the consented case page with
  its chart (a case without consent is 404). The registry is checked afterwards (J09's online scores, the 回避 and
  its replacement, the publication steps, the audit rows).

Screenshots of every page at 1280 px and 390 px are kept in out/screenshots/ for a person to look at."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import APPS, ROOT, SAMPLES

from pipeline.text import beijing_today

pytestmark = pytest.mark.timeout(240)

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
SHOTS = ROOT / "out" / "screenshots"
FORMS = SAMPLES / "platform"
PASSWORD = "correct horse battery"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/healthz", timeout=1) as r:
            return bool(r.status == 200)
    except OSError:
        return False


@contextmanager
def _serve(data: Path, *options: str) -> Iterator[str]:
    """`award [options] serve --data DATA` on a free port, one worker; its address once /healthz answers. Its
    output goes to DATA.log (a pipe nobody reads could fill up and stop the server)."""
    port = _free_port()
    log = data.with_name(data.name + ".log")
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "pipeline", *options, "serve", "--port", str(port),
                                 "--workers", "1", "--data", str(data)], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while not _answers(url):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("award serve did not start: " + log.read_text(errors="replace")[-4000:])
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with _serve(tmp_path_factory.mktemp("award-data")) as url:
        yield url


@pytest.fixture(scope="module")
def open_call(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """saq-2021's folder copied, only its submission window moved to today-10 days .. today+30 days (the real one
    closed in 2021): how next year's call is made, and what the online submission needs to be open."""
    from pipeline.actions import check_schema
    from pipeline.calls import load_call

    folder = tmp_path_factory.mktemp("calls") / "saq-2021"
    shutil.copytree(ROOT / "schemas" / "saq-2021", folder)
    today = beijing_today()  # the server reads the call's dates on Beijing's date
    text = (folder / "call.yaml").read_text(encoding="utf-8")
    moved, n = re.subn(r"^window:\n  start: \S+\n  end: \S+$",
                       f"window:\n  start: {today - dt.timedelta(days=10)}\n  end: {today + dt.timedelta(days=30)}",
                       text, flags=re.M)
    assert n == 1, "call.yaml's window block is not where this test expects it"
    (folder / "call.yaml").write_text(moved, encoding="utf-8")
    call = load_call(folder)
    assert call.window_start < today < call.window_end
    assert check_schema(call).up_to_date  # the window is not part of the derived schema: the copy stays consistent
    return folder


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory, open_call: Path) -> Iterator[str]:
    """`award --call <the copy> serve` on a data folder of its own, with a staff account made beforehand."""
    data = tmp_path_factory.mktemp("platform-data")
    subprocess.run([sys.executable, "-m", "pipeline", "--call", str(open_call), "users", "add", "--role", "staff",
                    "--password-stdin", "--data", str(data), "fenglan"], cwd=ROOT, input=PASSWORD.encode(),
                   check=True, capture_output=True, timeout=60)
    with _serve(data, "--call", str(open_call)) as url:
        yield url


@contextmanager
def _chromium(downloads: Path) -> Iterator[Any]:
    """A headless Chromium of its own (its own profile: cookies, session), downloading into `downloads`."""
    # not a skip: the journeys in a real browser are part of `make test`, which installs Chromium and its driver
    assert CHROMIUM is not None and DRIVER is not None, "Chromium and chromedriver are missing: run make setup"
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--lang=zh-CN",
                "--window-size=1280,1000"):
        options.add_argument(arg)
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False})
    # the browser's own words (the file picker's 选择文件) in Chinese: Chromium on Linux takes its language from
    # LANGUAGE, not from --lang (with Debian's chromium-l10n installed; without it they stay English). LANG stays:
    # a locale the system lacks would make Chromium fail on the Chinese file names.
    env = {**os.environ, "LANGUAGE": "zh_CN:zh"}
    driver = webdriver.Chrome(service=Service(DRIVER, env=env), options=options)
    driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    driver.downloads = downloads
    try:
        yield driver
    finally:
        driver.quit()


def _browser(name: str) -> Any:
    """A module's own Chromium (its own cookies: one person signed in), as the fixture `name`."""

    @pytest.fixture(scope="module", name=name)
    def fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
        with _chromium(tmp_path_factory.mktemp(f"{name}-downloads")) as driver:
            yield driver

    return fixture


browser = _browser("browser")
staff_browser = _browser("staff_browser")
unit_browser = _browser("unit_browser")


def _shoot(driver: Any, name: str) -> None:
    """Full-page screenshots at 1280 px and 390 px wide (the window is made as tall as the page plus the window's
    own frame, which headless Chromium counts in the window's height but not in the page's)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1280, 390):
        driver.set_window_size(width, 1000)
        for _ in range(3):
            frame, height, shown = driver.execute_script(
                "return [window.outerHeight - window.innerHeight, document.documentElement.scrollHeight,"
                " window.innerHeight]")
            if shown >= height:
                break
            driver.set_window_size(width, min(int(height) + int(frame), 12000))
        driver.save_screenshot(str(SHOTS / f"{name}-{width}.png"))
        # nothing wider than the window but inside a scrolling box (.scroll): the page itself never scrolls sideways
        wide, shown = driver.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
        assert wide <= shown, f"{name} at {width} px is {wide} px wide"
    driver.set_window_size(1280, 1000)


def test_a_visitor_self_checks_a_broken_form_and_downloads_the_annotated_copy(server: str, browser: Any) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(server + "/")
    assert "申报书自查" in browser.find_element(By.TAG_NAME, "body").text
    _shoot(browser, "01-home")
    browser.find_element(By.LINK_TEXT, "申报书自查").click()
    WebDriverWait(browser, 20).until(ec.presence_of_element_located((By.NAME, "file")))
    assert "检查完成后即删除" in browser.find_element(By.TAG_NAME, "body").text
    _shoot(browser, "02-selfcheck")

    browser.find_element(By.NAME, "file").send_keys(str(APPS / "address-too-long.docx"))
    browser.find_element(By.CSS_SELECTOR, "form.upload button[type=submit]").click()
    verdict = WebDriverWait(browser, 60).until(ec.presence_of_element_located((By.CSS_SELECTOR, ".verdict")))
    assert "发现 1 处错误" in verdict.text
    body = browser.find_element(By.TAG_NAME, "body").text
    assert "通讯地址不得超过100字" in body and "applicant.address" in body
    _shoot(browser, "03-selfcheck-result")

    browser.find_element(By.CSS_SELECTOR, "a.download").click()
    target = Path(browser.downloads) / "address-too-long-批注.docx"
    for _ in range(100):
        if target.is_file() and not list(Path(browser.downloads).glob("*.crdownload")):
            break
        time.sleep(0.1)
    assert target.is_file(), os.listdir(browser.downloads)
    with zipfile.ZipFile(io.BytesIO(target.read_bytes())) as z:
        comments = z.read("word/comments.xml").decode("utf-8")
    assert "通讯地址" in comments


# -- online submission: staff import the member list, a unit submits, staff find it -----------------------------------

def _body(driver: Any) -> str:
    from selenium.webdriver.common.by import By

    return str(driver.find_element(By.TAG_NAME, "body").text)


def _wait(driver: Any, css: str, seconds: float = 30) -> Any:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, seconds).until(ec.presence_of_element_located((By.CSS_SELECTOR, css)))


def _wait_path(driver: Any, path: str, seconds: float = 30) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, seconds).until(lambda d: urllib.parse.urlsplit(d.current_url).path == path)


def _downloaded(driver: Any, pattern: str) -> Path:
    """The one file matching `pattern` in the browser's downloads, once complete."""
    folder = Path(driver.downloads)
    for _ in range(150):
        found = sorted(folder.glob(pattern))
        if found and not list(folder.glob("*.crdownload")):
            assert len(found) == 1, found
            return found[0]
        time.sleep(0.1)
    raise AssertionError(f"{pattern} was not downloaded: {os.listdir(folder)}")


def _sign_in(driver: Any, url: str, name: str, password: str) -> None:
    from selenium.webdriver.common.by import By

    driver.get(url + "/signin")
    _wait(driver, "form.signin")
    driver.find_element(By.NAME, "name").send_keys(name)
    driver.find_element(By.NAME, "password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "form.signin button[type=submit]").click()


def _upload(driver: Any, form: Path) -> None:
    from selenium.webdriver.common.by import By

    driver.find_element(By.CSS_SELECTOR, "form.upload input[name=file]").send_keys(str(form))
    driver.find_element(By.CSS_SELECTOR, "form.upload button[type=submit]").click()


def _staff_import_the_member_list(url: str, driver: Any) -> dict[str, str]:
    """Staff sign in, import members.csv on /staff/units and read the one-time codes off the page."""
    from selenium.webdriver.common.by import By

    driver.get(url + "/signin")
    _wait(driver, "form.signin")
    assert "会员编号" in _body(driver)
    _shoot(driver, "04-signin")
    _sign_in(driver, url, "fenglan", PASSWORD)
    _wait_path(driver, "/staff")
    body = _body(driver)
    assert "工作台" in body and "本轮已登记申报书 0 份" in body and "会员单位 0 个" in body
    _shoot(driver, "05-staff-home-empty")

    driver.find_element(By.LINK_TEXT, "会员单位与登录码").click()
    _wait_path(driver, "/staff/units")
    assert "尚未导入会员名录" in _body(driver)
    _shoot(driver, "06-staff-units")
    _upload(driver, FORMS / "members.csv")
    verdict = _wait(driver, "section.issued .verdict")
    assert "已为 3 个会员单位生成一次性登录码" in verdict.text
    rows = [[td.text for td in tr.find_elements(By.TAG_NAME, "td")]
            for tr in driver.find_elements(By.CSS_SELECTOR, "section.issued tbody tr")]
    codes = {number: code for number, _, code in rows}
    assert sorted(codes) == ["210801", "210802", "210803"], rows
    assert all(re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", c) for c in codes.values()), codes
    assert rows[0][1] == "上海申联精密仪器有限公司"
    assert _body(driver).count("待首次登录") == 3  # the member table below: accounts made, none used yet
    _shoot(driver, "07-staff-units-codes")
    return codes


def _unit_submits(url: str, driver: Any, code: str) -> str:
    """Unit 210801: sign in with its code, set its password, refused with errors, submit the fixed form."""
    import json

    from selenium.webdriver.common.by import By

    expected = json.loads((FORMS / "expected.json").read_text(encoding="utf-8"))
    _sign_in(driver, url, "210801", code)
    _wait_path(driver, "/account/password")
    assert "一次性登录码只能使用一次" in _body(driver) and "210801" in _body(driver)
    _shoot(driver, "08-unit-password")
    mine = PASSWORD + " 210801"
    driver.find_element(By.NAME, "password").send_keys(mine)
    driver.find_element(By.NAME, "again").send_keys(mine)
    driver.find_element(By.CSS_SELECTOR, "form.signin button[type=submit]").click()
    _wait_path(driver, "/unit")
    body = _body(driver)
    assert "上海申联精密仪器有限公司（会员编号 210801）" in body and "尚未提交申报书" in body
    assert "在线申报截止时间" in body and "已提交 0 项" in body
    _shoot(driver, "09-unit-home")

    _upload(driver, FORMS / "unit-a-有误.docx")
    verdict = _wait(driver, ".verdict", 60)
    findings = expected["unit-a-有误.docx"]
    assert f"发现 {len(findings)} 处错误" in verdict.text and "本次上传没有提交" in verdict.text
    body = _body(driver)
    for _, field in findings:
        assert field in body, field
    assert "确认提交" not in body
    assert "wrong format" not in body and "is required" not in body  # the report's English lines stay hidden
    _shoot(driver, "10-unit-refused")
    driver.find_element(By.CSS_SELECTOR, "a.download").click()
    with zipfile.ZipFile(io.BytesIO(_downloaded(driver, "unit-a-有误-批注.docx").read_bytes())) as z:
        comments = z.read("word/comments.xml").decode("utf-8")
    assert comments.count("<w:comment ") >= len(findings) and "联系电话" in comments

    _upload(driver, FORMS / "unit-a-修改后.docx")  # the page's 重新上传 form
    verdict = _wait(driver, ".verdict.ok", 60)
    assert "未发现错误" in verdict.text and "获得登记号" in verdict.text
    assert not driver.find_elements(By.CSS_SELECTOR, "a.download")  # nothing to annotate: no annotated copy
    _shoot(driver, "11-unit-confirm")
    button = driver.find_element(By.CSS_SELECTOR, "form.confirm button[type=submit]")
    assert button.text == "确认提交"
    button.click()
    _wait_path(driver, "/unit/applications/2021-0001")
    facts = driver.find_element(By.CSS_SELECTOR, "dl.facts").text
    assert "登记号\n2021-0001" in facts and "状态\n已提交" in facts, facts
    assert "已正式提交，登记号 2021-0001" in _body(driver) and "第1版（当前）" in _body(driver)
    _shoot(driver, "12-unit-application")

    driver.find_element(By.LINK_TEXT, "在线申报").click()
    _wait_path(driver, "/unit")
    row = driver.find_element(By.CSS_SELECTOR, "table.plain tbody tr").text
    assert "2021-0001" in row and "已提交" in row
    assert "已提交 1 项" in _body(driver)
    _shoot(driver, "13-unit-home-submitted")
    return "2021-0001"


def _staff_check_the_round(url: str, driver: Any, reg_no: str) -> None:
    """Staff: the console's counts, the list, the application's page, summary.xlsx, the audit log; sign out."""
    from openpyxl import load_workbook
    from selenium.webdriver.common.by import By

    driver.get(url + "/staff")
    body = _body(driver)
    assert "本轮已登记申报书 1 份，其中在线提交 1 份、邮件导入 0 份；会员单位 3 个" in body
    states = driver.find_element(By.CSS_SELECTOR, ".glance table").text
    assert "已提交 1" in states, states
    _shoot(driver, "14-staff-home")

    driver.find_element(By.LINK_TEXT, "申报书列表").click()
    _wait_path(driver, "/staff/applications")
    assert "共 1 份" in _body(driver)
    row = driver.find_element(By.CSS_SELECTOR, "table.plain tbody tr").text
    assert reg_no in row and "上海申联精密仪器有限公司" in row and "通过检查" in row
    _shoot(driver, "15-staff-applications")

    driver.find_element(By.LINK_TEXT, reg_no).click()
    _wait_path(driver, f"/staff/applications/{reg_no}")
    body = _body(driver)
    assert "在线提交（会员编号 210801）" in body and "第1版" in body and "unit-a-修改后.docx" in body
    history = driver.find_elements(By.CSS_SELECTOR, "table.plain")[-1].text
    assert "提交申报书" in history and "210801" in history, history
    _shoot(driver, "16-staff-application")

    driver.find_element(By.LINK_TEXT, "工作台").click()
    _wait_path(driver, "/staff")
    driver.find_element(By.LINK_TEXT, "下载申报汇总（.xlsx）").click()
    summary = load_workbook(_downloaded(driver, "申报汇总-*.xlsx"), read_only=True)
    cells = {str(c) for ws in summary.worksheets for r in ws.iter_rows(values_only=True) for c in r if c is not None}
    assert reg_no in cells and "上海申联精密仪器有限公司" in cells

    driver.find_element(By.LINK_TEXT, "审计日志").click()
    _wait_path(driver, "/staff/audit")
    assert "导入会员名录" in _body(driver)
    _shoot(driver, "17-staff-audit")
    driver.find_element(By.PARTIAL_LINK_TEXT, "下载全部").click()
    audit = load_workbook(_downloaded(driver, "审计日志-*.xlsx"), read_only=True)
    rows = [r for r in audit.worksheets[0].iter_rows(values_only=True)]
    assert rows[0][:3] == ("时间（北京时间）", "操作人", "操作")
    done = {(who, what) for _, who, what, *_ in rows[1:]}
    assert {("fenglan", "登录"), ("210801", "登录"), ("fenglan", "导入会员名录"), ("210801", "设置密码"),
            ("210801", "上传未通过检查"), ("210801", "提交申报书")} <= done, sorted(done)

    driver.get(url + "/staff")
    driver.find_element(By.CSS_SELECTOR, "form[action='/signout'] button").click()
    _wait_path(driver, "/")
    driver.get(url + "/staff")
    _wait_path(driver, "/signin")  # signed out: the console asks to sign in again


def test_staff_hand_out_codes_a_unit_submits_online_and_staff_find_it(platform: str, staff_browser: Any,
                                                                      unit_browser: Any) -> None:
    """The two journeys of online submission in order: staff's import gives the unit its code; the unit's
    submission is what staff then find."""
    codes = _staff_import_the_member_list(platform, staff_browser)
    reg_no = _unit_submits(platform, unit_browser, codes["210801"])
    _staff_check_the_round(platform, staff_browser, reg_no)


# -- the round to its end: a judge scores online, staff run the round, the public reads the winners -------------------

JUDGE = "J09"  # the judge the browser plays; every other judge's workbook is imported beforehand


def _moved_call(base: Path) -> Path:
    """saq-2021's folder copied with only its dates moved so that the whole round fits in one real day: the
    submission window open (today-30 .. today+30), the review window ending today (today-14 .. today), the 公示
    planned from today-7 for its 7 days (so it ended yesterday), the decision, the certificates and the publication
    dated today. Nothing else changes (the schema stays up to date)."""
    from pipeline.actions import check_schema
    from pipeline.calls import load_call

    folder = base / "saq-2021"
    shutil.copytree(ROOT / "schemas" / "saq-2021", folder)
    today = beijing_today()  # the server reads the call's dates on Beijing's date
    text = (folder / "call.yaml").read_text(encoding="utf-8")
    moves = [(r"^window:\n  start: \S+\n  end: \S+$",
              f"window:\n  start: {today - dt.timedelta(days=30)}\n  end: {today + dt.timedelta(days=30)}"),
             (r"^  window:\n    start: \S+\n    end: \S+$",
              f"  window:\n    start: {today - dt.timedelta(days=14)}\n    end: {today}"),
             (r"^  publicity_start: \S+", f"  publicity_start: {today - dt.timedelta(days=7)}"),
             (r"^  publish_date: \S+", f"  publish_date: {today}"),
             (r"^  decision_date: \S+", f"  decision_date: {today}"),
             (r"^  award_date: \S+", f"  award_date: {today}")]
    for pattern, new in moves:
        text, n = re.subn(pattern, new, text, flags=re.M)
        assert n == 1, f"call.yaml has no single {pattern!r}"
    (folder / "call.yaml").write_text(text, encoding="utf-8")
    call = load_call(folder)
    assert call.review.window_start < today == call.review.window_end
    assert call.publication.publicity_start == today - dt.timedelta(days=call.publication.publicity_days)
    assert check_schema(call).up_to_date
    return folder


@dataclass
class Round:
    """The prepared round on a running server: its address, data folder and call, the consented online
    application, and the applications assigned to the judge the browser plays."""

    url: str
    data: Path
    call: Any
    online: str
    mine: list[str]


@pytest.fixture(scope="module")
def scored_round(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Round]:
    """Before the server starts, with the library, as staff would have done it by then: samples/round's forms but
    one imported as the staff's .zip import does (kept in <data>/inbox); the member list (every applicant of the
    round); the remaining form submitted online by its member unit, consent to publication given; the judges of
    samples/judges.csv imported (accounts and the assignment); every judge's workbook filled by
    samples/fill_scores.py and imported, except JUDGE's, who scores online in the browser."""
    from fill_scores import fill_workbooks

    from pipeline import judging
    from pipeline.accounts import add_user
    from pipeline.batch import submission_check_in_worker, use_call
    from pipeline.calls import load_call
    from pipeline.check.batch import Member
    from pipeline.registry import PLATFORM_DB, in_data
    from pipeline.review import import_workbooks, write_forms
    from pipeline.submission import accept, confirm, data_files, import_members
    from pipeline.web.staff import batch_job

    work = tmp_path_factory.mktemp("round")
    folder = _moved_call(work)
    call = load_call(folder)
    data = work / "data"
    forms = sorted((SAMPLES / "round").glob("*.docx"))
    online = forms[0]  # 上海浦江精工汽车零部件有限公司's form: submitted online instead of e-mailed
    (data / "inbox").mkdir(parents=True)
    archive = data / "inbox" / "20210731-邮件申报.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for p in forms[1:]:
            zf.write(p, p.name)
    files, passed, _, _ = batch_job(str(archive), str(data / "rounds" / "mail"), str(folder), str(data / PLATFORM_DB))
    assert files == passed == len(forms) - 1

    use_call(call)  # as a pool worker has it (init_check_worker would also make this test process ignore Ctrl-C)
    raw = online.read_bytes()
    checked, _ = submission_check_in_worker(raw, online.name)
    fields = checked["report"]["fields"]
    with in_data(data, call.id) as reg:
        add_user(reg, "fenglan", "staff", PASSWORD)
        members = {}
        for f in [a.fields for a in reg.applications(call.id)] + [fields]:
            number = f["applicant.member_no"]
            members[number] = Member(number, f["applicant.name"], f["applicant.credit_code"])
        import_members(reg, call, members, "fenglan")
        unit = reg.user(fields["applicant.member_no"])
        assert unit is not None
        upload = accept(reg, data_files(data), call, unit.id, raw, online.name, checked)
        reg_no, _ = confirm(reg, call, unit.id, unit.name, upload.token, consent=True)
        assert reg.consents(call.id) == {reg_no: True}

        judging.import_judges(reg, call, SAMPLES / "judges.csv", "fenglan", seed=2021)
        write_forms(reg, call, work / "forms", pdf=False)
        books = fill_workbooks(work / "forms", work / "filled", seed=2021)
        done = import_workbooks(reg, call, [b for b in books if not b.name.startswith(f"{JUDGE}-")])
        assert done.stored > 0 and not reg.scores_of_judge(call.id, JUDGE)
        mine = reg.assignments(call.id)[JUDGE]
    assert reg_no in mine and len(mine) >= 3, mine
    with _serve(data, "--call", str(folder)) as url:
        yield Round(url, data, call, reg_no, mine)


judge_browser = _browser("judge_browser")
round_staff_browser = _browser("round_staff_browser")
visitor_browser = _browser("visitor_browser")


def _type(driver: Any, name: str, text: str) -> None:
    from selenium.webdriver.common.by import By

    box = driver.find_element(By.NAME, name)
    box.clear()
    box.send_keys(text)


def _scores(call: Any, fraction: float) -> dict[str, str]:
    """Each criterion's score at `fraction` of its maximum, to the call's step."""
    step = float(call.review.step)
    return {f"score_{c.id}": format(round(float(c.max) * fraction / step) * step, "g") for c in call.review.criteria}


def _staff_give_the_judge_a_code(r: Round, driver: Any) -> str:
    """Staff sign in and give JUDGE a new one-time code on /staff/judges (read off the page)."""
    from selenium.webdriver.common.by import By

    _sign_in(driver, r.url, "fenglan", PASSWORD)
    _wait_path(driver, "/staff")
    driver.find_element(By.LINK_TEXT, "评审专家与登录码").click()
    _wait_path(driver, "/staff/judges")
    row = next(tr for tr in driver.find_elements(By.CSS_SELECTOR, "table.plain tbody tr")
               if tr.find_element(By.TAG_NAME, "td").text == JUDGE)
    assert "葛明远" in row.text and "待首次登录" in row.text, row.text
    row.find_element(By.CSS_SELECTOR, "button.link").click()
    verdict = _wait(driver, "section.issued .verdict")
    assert "已为 1 位专家生成一次性登录码" in verdict.text
    [cells] = [[td.text for td in tr.find_elements(By.TAG_NAME, "td")]
               for tr in driver.find_elements(By.CSS_SELECTOR, "section.issued tbody tr")]
    assert cells[0] == JUDGE and re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", cells[2]), cells
    _shoot(driver, "18-staff-judges-code")
    return cells[2]


def _judge_scores_online(r: Round, driver: Any, code: str) -> tuple[str, dict[str, str]]:
    """JUDGE signs in with the code, sets a password, saves a draft, is refused a score off the step, submits,
    declares 回避 on another application and submits the rest. (the recused application, the online
    application's scores)."""
    from selenium.webdriver.common.by import By

    _sign_in(driver, r.url, JUDGE, code)
    _wait_path(driver, "/account/password")
    mine = PASSWORD + " " + JUDGE
    driver.find_element(By.NAME, "password").send_keys(mine)
    driver.find_element(By.NAME, "again").send_keys(mine)
    driver.find_element(By.CSS_SELECTOR, "form.signin button[type=submit]").click()
    _wait_path(driver, "/judge")
    body = _body(driver)
    assert f"（专家编号 {JUDGE}）" in body and "在线评审时间" in body
    assert f"共 {len(r.mine)} 项：未评 {len(r.mine)} 项，草稿 0 项，已提交 0 项" in body
    listed = [tr.find_element(By.TAG_NAME, "td").text
              for tr in driver.find_elements(By.CSS_SELECTOR, "table.plain tbody tr")]
    assert listed == r.mine
    _shoot(driver, "19-judge-home")

    # the consented online application: a draft, a score off the step refused, then submitted
    driver.find_element(By.LINK_TEXT, r.online).click()
    _wait_path(driver, f"/judge/applications/{r.online}")
    body = _body(driver)
    assert "评分状态\n未评" in body and "选题与目标（满分 10 分）" in body and "四、项目简介" in body
    assert "联系电话" not in body  # the applicant's contact details are the association's, not the judge's
    scores = _scores(r.call, 0.9)
    first = next(iter(scores))
    _type(driver, first, scores[first])
    _type(driver, "comment", "选题紧扣关键质量问题，数据翔实。")
    driver.find_element(By.CSS_SELECTOR, "form.score button.secondary").click()
    _said(driver, "草稿已保存")
    assert "草稿已保存" in _body(driver) and "评分状态\n草稿" in _body(driver)
    assert driver.find_element(By.NAME, first).get_attribute("value") == scores[first]
    _shoot(driver, "20-judge-draft")

    for name, value in scores.items():
        _type(driver, name, value)
    _type(driver, "score_methods", "20.3")
    driver.find_element(By.CSS_SELECTOR, "form.score button[formaction$='/submit']").click()
    alert = _wait(driver, ".alert ul.problems")
    assert "评分未提交" in _body(driver) and "0.5" in alert.text and "方法应用" in alert.text, alert.text
    _shoot(driver, "21-judge-refused")
    _type(driver, "score_methods", scores["score_methods"])
    driver.find_element(By.CSS_SELECTOR, "form.score button[formaction$='/submit']").click()
    total = sum(float(v) for v in scores.values())
    _said(driver, f"评分已提交，总分 {format(total, 'g')} 分")
    assert not driver.find_elements(By.CSS_SELECTOR, "form.score button")  # locked
    assert driver.find_element(By.NAME, "comment").get_attribute("disabled") is not None
    _shoot(driver, "22-judge-submitted")

    # 回避 on another application, with its reason
    recused = next(n for n in r.mine if n != r.online)
    driver.get(f"{r.url}/judge/applications/{recused}")
    _type(driver, "reason", "本人曾为该项目第一完成单位提供过六西格玛培训")
    driver.find_element(By.CSS_SELECTOR, "form.recuse button[type=submit]").click()
    _wait_path(driver, "/judge")
    assert f"已对 {recused} 声明回避" in _body(driver)
    rest = [n for n in r.mine if n not in (r.online, recused)]
    for n, reg_no in enumerate(rest):
        driver.find_element(By.LINK_TEXT, reg_no).click()
        _wait_path(driver, f"/judge/applications/{reg_no}")
        for name, value in _scores(r.call, 0.6 + 0.05 * n).items():
            _type(driver, name, value)
        _type(driver, "comment", "方法应用基本规范，效益依据尚需补充。")
        driver.find_element(By.CSS_SELECTOR, "form.score button[formaction$='/submit']").click()
        _said(driver, "评分已提交")
        driver.find_element(By.LINK_TEXT, "在线评审").click()
        _wait_path(driver, "/judge")
    body = _body(driver)
    n = len(r.mine) - 1
    assert f"共 {n} 项：未评 0 项，草稿 0 项，已提交 {n} 项" in body and recused not in body
    assert body.count("已提交（在线）") == n
    _shoot(driver, "23-judge-home-done")
    return recused, scores


def _staff_reassign(r: Round, driver: Any, recused: str) -> str:
    """Staff read the 回避 on /staff/review and assign the first judge offered as the replacement."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    driver.get(r.url + "/staff")
    driver.find_element(By.LINK_TEXT, "评审进度").click()
    _wait_path(driver, "/staff/review")
    body = _body(driver)
    assert "本人曾为该项目第一完成单位提供过六西格玛培训" in body and f"{JUDGE} 回避，待替补" in body
    row = driver.find_element(By.CSS_SELECTOR, "form.replace").find_element(By.XPATH, "ancestor::tr")
    assert row.find_element(By.TAG_NAME, "td").text == recused and f"{JUDGE} 葛明远" in row.text
    _shoot(driver, "24-staff-review-recusal")
    pick = Select(driver.find_element(By.CSS_SELECTOR, "form.replace select[name=add]"))
    offered = [o.get_attribute("value") for o in pick.options if o.get_attribute("value")]
    assert offered and JUDGE not in offered
    chosen = next(o.text for o in pick.options if o.get_attribute("value") == offered[0])
    assert re.fullmatch(rf"{offered[0]} \w+", chosen), chosen  # the judge's number and name
    pick.select_by_value(offered[0])
    driver.find_element(By.CSS_SELECTOR, "form.replace button[type=submit]").click()
    _said(driver, "专家分配已调整")
    body = _body(driver)
    assert "待替补" not in body and not driver.find_elements(By.CSS_SELECTOR, "form.replace")
    row = driver.find_element(By.XPATH, f"//table//td[text()='{recused}']/ancestor::tr").text
    assert "六西格玛培训" in row and row.endswith(chosen), row
    _shoot(driver, "25-staff-review-reassigned")
    return str(offered[0])


def _said(driver: Any, text: str, css: str = ".verdict.ok", seconds: float = 60) -> str:
    """Wait until the page's `css` element says `text` (the next page, not the one before the click); its text."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    def found(d: Any) -> str | bool:
        try:
            shown = " ".join(e.text for e in d.find_elements(By.CSS_SELECTOR, css))
        except StaleElementReferenceException:
            return False
        return shown if text in shown else False

    return str(WebDriverWait(driver, seconds).until(found))


def _step(driver: Any, n: int) -> Any:
    from selenium.webdriver.common.by import By

    return driver.find_elements(By.CSS_SELECTOR, "ol.steps > li")[n - 1]


def _staff_run_the_round(r: Round, driver: Any, visitor: Any) -> list[Any]:
    """Staff on /staff/round: results computed and downloaded, the 公示 started (its planned first day a week ago,
    so it has ended today), the decision and certificates issued with the sample seal and downloaded, the cases
    published; the visitor reads /publicity before and after. The stored results."""
    from openpyxl import load_workbook
    from selenium.webdriver.common.by import By

    from pipeline.publishing import zh_date
    from pipeline.registry import in_data
    from pipeline.review import load_results

    today = beijing_today()  # the server reads the call's dates on Beijing's date
    visitor.get(r.url + "/publicity")
    assert "尚未公示" in _body(visitor) and r.online not in _body(visitor)

    driver.get(r.url + "/staff")
    driver.find_element(By.LINK_TEXT, "评审结果与发布").click()
    _wait_path(driver, "/staff/round")
    assert f"今天是{zh_date(today)}" in _body(driver) and "尚未计算评审结果" in _body(driver)
    _step(driver, 1).find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    _said(driver, "评审结果已计算并保存")
    with in_data(r.data, r.call.id) as reg:
        results = load_results(reg, r.call)
    awarded = [x for x in results if x.level is not None and not x.hold]
    mine = next(x for x in results if x.reg_no == r.online)
    assert mine in awarded, mine  # the consented online application has a level: its case page is published
    table = [[td.text for td in tr.find_elements(By.TAG_NAME, "td")]
             for tr in driver.find_elements(By.CSS_SELECTOR, "table.plain tbody tr")]
    assert [(row[1], row[5]) for row in table] == [
        (x.reg_no, "暂缓" if x.hold else (x.level_name or "—")) for x in results]
    assert f"参评{len(results)}项" in _step(driver, 1).text
    _shoot(driver, "26-staff-round-results")
    driver.find_element(By.LINK_TEXT, "下载评审结果（.xlsx）").click()
    book = load_workbook(_downloaded(driver, "评审结果-*.xlsx"), read_only=True)
    cells = {str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row if c is not None}
    assert {x.reg_no for x in results} <= cells and {x.level_name for x in awarded} <= cells

    start = today - dt.timedelta(days=7)
    end = today - dt.timedelta(days=1)
    publicity = _step(driver, 2)
    assert publicity.find_element(By.NAME, "start").get_attribute("value") == start.isoformat()
    assert publicity.find_element(By.NAME, "number").get_attribute("value") == "沪质协〔2021〕35号"
    publicity.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    _said(driver, "公示已发布")
    said = _step(driver, 2).text
    assert f"沪质协〔2021〕35号：{zh_date(start)}至{zh_date(end)}，拟奖项目{len(awarded)}项" in said, said
    assert "公示已于" in said and "不能再修改" in said
    assert not _step(driver, 1).find_elements(By.CSS_SELECTOR, "button")  # results can no longer change
    _shoot(driver, "27-staff-round-publicity")

    visitor.get(r.url + "/publicity")
    body = _body(visitor)
    assert f"公示期已结束（{zh_date(start)}至{zh_date(end)}）" in body and "文号：沪质协〔2021〕35号" in body
    assert f"共评出拟奖项目{len(awarded)}项" in body
    for x in awarded:
        assert x.project in body, x.project
    for name in sorted({x.level_name for x in awarded}):
        assert f"{name}（{sum(1 for x in awarded if x.level_name == name)}项）" in body
    _shoot(visitor, "28-publicity-ended")

    decision = _step(driver, 3)
    decision.find_element(By.NAME, "sample_seal").click()
    decision.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    _said(driver, "表彰决定和证书已生成")
    said = _step(driver, 3).text
    assert f"沪质协〔2021〕36号（{zh_date(today)}），证书" in said and "示例印章“样章”" in said, said
    assert "仅供试印，不可对外颁发" in driver.find_element(By.CSS_SELECTOR, ".alert").text
    _shoot(driver, "29-staff-round-decision")
    driver.find_element(By.LINK_TEXT, "下载表彰决定和证书（.zip）").click()
    with zipfile.ZipFile(_downloaded(driver, "表彰决定和证书-*.zip")) as z:
        names = z.namelist()
        decision_xml = z.read("表彰决定.docx")
    certificates = [n for n in names if n.startswith("证书/") and n.endswith(".docx")]
    assert "表彰决定.docx" in names and len(certificates) >= len(awarded), names
    with zipfile.ZipFile(io.BytesIO(decision_xml)) as d:
        text = re.sub(r"<[^>]+>", "", d.read("word/document.xml").decode("utf-8"))
    assert "沪质协〔2021〕36号" in text and mine.project in text

    published = _step(driver, 4)
    assert published.find_element(By.NAME, "start").get_attribute("value") == today.isoformat()
    published.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    _said(driver, "获奖案例在线分享已登记")
    assert f"自{zh_date(today)}起在线分享获奖案例" in _step(driver, 4).text
    assert _body(driver).count("已完成") >= 4
    _shoot(driver, "30-staff-round-published")
    return results


def _visitor_reads_the_winners(r: Round, driver: Any, results: list[Any]) -> None:
    """A visitor (no session) opens /winners from the menu and the consented case's page, its chart drawn."""
    from selenium.webdriver.common.by import By

    mine = next(x for x in results if x.reg_no == r.online)
    driver.get(r.url + "/")
    driver.find_element(By.LINK_TEXT, "获奖成果").click()
    _wait_path(driver, "/winners")
    body = _body(driver)
    assert "获奖项目优秀案例" in body and f"{mine.level_name}（1项）" in body
    links = driver.find_elements(By.CSS_SELECTOR, "ol.cases a.project")
    assert [a.text for a in links] == [mine.project]  # only the unit that agreed to publication
    _shoot(driver, "31-winners")
    links[0].click()
    _wait_path(driver, f"/winners/{r.online}")
    body = _body(driver)
    assert f"质量技术奖 · {mine.level_name}" in body and mine.project in body
    for heading in ("完成单位", "主要完成人", "项目简介", "主要创新点", "经济效益", "累计"):
        assert heading in body, heading
    chart = driver.find_element(By.CSS_SELECTOR, "figure.chart svg")
    assert chart.size["width"] > 200 and "新增销售额" in chart.text, chart.text
    _shoot(driver, "32-winner-case")
    other = next(x for x in results if x.level is not None and x.reg_no != r.online)
    with pytest.raises(urllib.error.HTTPError) as refused:  # awarded, but no consent: as if it did not exist
        urllib.request.urlopen(f"{r.url}/winners/{other.reg_no}", timeout=10)
    assert refused.value.code == 404


def test_a_judge_scores_online_staff_run_the_round_to_its_end_and_the_public_reads_the_winners(
        scored_round: Round, round_staff_browser: Any, judge_browser: Any, visitor_browser: Any) -> None:
    r = scored_round
    code = _staff_give_the_judge_a_code(r, round_staff_browser)
    recused, scores = _judge_scores_online(r, judge_browser, code)
    replacement = _staff_reassign(r, round_staff_browser, recused)
    results = _staff_run_the_round(r, round_staff_browser, visitor_browser)
    _visitor_reads_the_winners(r, visitor_browser, results)

    from pipeline.registry import in_data

    with in_data(r.data, r.call.id) as reg:
        plan = reg.assignments(r.call.id)
        sources = reg.form_sources(r.call.id)
        online = reg.scores_of_judge(r.call.id, JUDGE)
        recusals = reg.recusals(r.call.id)
        steps = reg.publication_steps(r.call.id)
        done = {(who, what) for _, who, what, *_ in reg.audit_rows()}
    assert recused not in plan[JUDGE] and recused in plan[replacement]
    assert [(x.reg_no, x.judge_id, x.replaced_by) for x in recusals] == [(recused, JUDGE, replacement)]
    assert recusals[0].reason == "本人曾为该项目第一完成单位提供过六西格玛培训"
    assert sorted(online) == sorted(n for n in r.mine if n != recused)
    assert all(sources[(n, JUDGE)].source == "online" for n in online)
    assert {k: format(float(v), "g") for k, v in online[r.online].criteria.items()} == {
        k.removeprefix("score_"): v for k, v in scores.items()}
    assert (recused, replacement) not in sources  # the replacement has not scored yet: the results went without
    today = beijing_today()  # the server reads the call's dates on Beijing's date
    assert set(steps) == {"publicity", "decision", "published"}
    assert steps["publicity"].detail["start"] == (today - dt.timedelta(days=7)).isoformat()
    assert steps["decision"].detail["sample_seal"] is True and steps["decision"].detail["date"] == today.isoformat()
    assert steps["published"].detail == {"from": today.isoformat()}
    assert {(JUDGE, "score.draft"), (JUDGE, "score.submit"), (JUDGE, "review.recuse"),
            ("fenglan", "review.reassign"), ("fenglan", "review.results"), ("fenglan", "publication.publicity"),
            ("fenglan", "publication.decision"), ("fenglan", "publication.published")} <= done, sorted(done)
