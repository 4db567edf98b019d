"""The self-check journey in a real browser against a real server process: headless Chromium (Debian's chromium
and chromium-driver, installed by the Makefile) opens /selfcheck on `award serve`, uploads a form with an error,
reads the verdict and downloads the annotated copy. Screenshots of every page at 1280 px and 390 px are kept in
out/screenshots/ for a person to look at."""

from __future__ import annotations

import io
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import APPS, ROOT

pytestmark = pytest.mark.timeout(240)

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
SHOTS = ROOT / "out" / "screenshots"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = _free_port()
    data = tmp_path_factory.mktemp("award-data")
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "serve", "--port", str(port), "--workers", "1",
                             "--data", str(data)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                with urllib.request.urlopen(url + "/healthz", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError("award serve did not start: " + (proc.stdout.read(4000).decode() if proc.stdout else ""))
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    # not a skip: the journeys in a real browser are part of `make test`, which installs Chromium and its driver
    assert CHROMIUM is not None and DRIVER is not None, "Chromium and chromedriver are missing: run make setup"
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    downloads = tmp_path_factory.mktemp("downloads")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--lang=zh-CN",
                "--window-size=1280,1000"):
        options.add_argument(arg)
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    driver.downloads = downloads
    try:
        yield driver
    finally:
        driver.quit()


def _shoot(driver: Any, name: str) -> None:
    """Full-page screenshots at 1280 px and 390 px wide."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1280, 390):
        driver.set_window_size(width, 1000)
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(width, min(int(height) + 40, 6000))
        driver.save_screenshot(str(SHOTS / f"{name}-{width}.png"))
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
