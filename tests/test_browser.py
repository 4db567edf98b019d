"""The platform's journeys in a real browser against a real server process (headless Chromium: Debian's chromium
and chromium-driver, installed by the Makefile):

- a visitor opens /selfcheck on `award serve`, uploads a form with an error, reads the verdict and downloads the
  annotated copy;
- online submission, on a server started with a copy of the call folder whose window is open today (next year's
  call is a copied folder too): staff sign in and import the member list, reading the one-time codes; unit 210801
  signs in with its code, sets its password, is refused with errors, downloads the annotated copy, submits the
  fixed form and reads its registration number; staff then find it on the console, the list and its page, download
  summary.xlsx and the audit log, and sign out.

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
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from conftest import APPS, ROOT, SAMPLES

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
    today = dt.date.today()
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


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with _chromium(tmp_path_factory.mktemp("downloads")) as driver:
        yield driver


@pytest.fixture(scope="module")
def staff_browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with _chromium(tmp_path_factory.mktemp("staff-downloads")) as driver:
        yield driver


@pytest.fixture(scope="module")
def unit_browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with _chromium(tmp_path_factory.mktemp("unit-downloads")) as driver:
        yield driver


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
