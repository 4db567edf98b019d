"""Benchmark `award serve` under load, loopback only and bounded in time, in two phases run one after the other
(`--phase check` or `--phase judging` runs one of them alone):

1. the check load: CLIENTS concurrent clients upload the 11-page sample application to POST /api/v1/check for
   SECONDS; every answer is checked against the report of the same file; /healthz is polled throughout. The cold
   `award batch` throughput of the same file (as distinct copies, so nothing is cached) is measured in the same run,
   and the two are printed side by side.
2. the judging load (在线评审): a data folder of its own with samples/round imported as staff import an e-mailed
   round (the .zip kept in <data>/inbox), 30 fictional judges imported from a generated judges CSV (PER_APP
   judges an application, one-time codes), then a real `award --call <copy> serve` on it. The call folder is a copy
   of saq-2021 with only its review window moved around today (as tests/test_browser.py moves the submission
   window): the server is the command itself, with no test hook. Each judge signs in from a loopback address of its
   own (127.0.0.N: the per-address sign-in limit is a real client's, not the bench's) with the one-time code, sets
   its own password once, and then, for JUDGING_SECONDS, one client a judge: opens its list, opens an assigned
   application, saves a draft (partial or full values, random within range and step), sometimes saves again,
   submits when complete (now and then a deliberately incomplete submit: the expected 422 refusal, kept as a
   draft), sometimes leaves a draft to come back to; with nothing left it re-reads its pages until time is up.
   Latency per request kind (p50/p95/p99) and overall, requests/s and failures are printed; then the registry is
   opened read-only and counted: the online scores equal the submits the clients saw succeed, with the values sent;
   no (reg_no, judge_id) twice; the drafts left equal those saved and not submitted, with their last values; the
   audit rows match. The baseline: the same operations replayed in-process on a copy of the registry taken before
   the load (pipeline.judging's judge_desk / judge_application / save_draft / submit, each on its own connection as
   a request's is, one thread, no HTTP): the web platform's requests/s over the library's operations/s for the same
   mix of kinds says what the HTTP layer, sessions, CSRF and the pages cost. Exit status 1 on any failed request,
   lost, doubled or unexpected score or draft.

The judging phase runs by default after the check phase, so that one `python bench/serve.py` measures both loads
the platform serves; each starts its own server, so neither disturbs the other's figures.

    python bench/serve.py [--phase all|check|judging] [--seconds 60] [--clients 20] [--workers N] [--copies 200]
                          [--judging-seconds 60] [--judges 30] [--per-app 25] [--seed 1]

Aims: check (issue 14): no failed request, every report correct, throughput >= 0.8x the cold batch, /healthz p99
< 50 ms. Judging (issue 15): no failed request, no lost or doubled score; p95 reported.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.batch import run_batch  # noqa: E402
from pipeline.calls import Call, load_call  # noqa: E402
from pipeline.check import check_bytes  # noqa: E402
from pipeline.registry import Registry  # noqa: E402

SAMPLE = ROOT / "samples" / "applications" / "long.docx"
AIM_RATIO = 0.8
AIM_HEALTH_P99 = 0.050


def copy_of(data: bytes, n: int) -> bytes:
    """The .docx with a zip comment of its own: a different file (SHA-256) with the same content to check."""
    assert data[-22:-18] == b"PK\x05\x06" and data[-2:] == b"\0\0", "expected a zip without a comment"
    comment = f"copy {n}".encode()
    return data[:-2] + struct.pack("<H", len(comment)) + comment


def cold_batch(folder: Path, jobs: int) -> float:
    """Files a second for a cold `award batch` of the folder (new registry, no cache)."""
    call = load_call()
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        with Registry(Path(tmp) / "bench.sqlite") as reg:
            result = run_batch(folder, Path(tmp) / "out", call, reg, jobs=jobs, letters=False)
        elapsed = time.perf_counter() - t
    return len(result.rows) / elapsed


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(port: int, workers: int, queue: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "serve", "--port", str(port), "--workers",
                             str(workers), "--queue", str(queue)], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("award serve did not start")


def expected(name: str, data: bytes) -> tuple[str, list[tuple[str, str | None]]]:
    report = check_bytes(data, name, load_call())
    return report.status, [(f.code, f.field) for f in report.findings]


async def load(url: str, copies: list[tuple[str, bytes]], clients: int, seconds: float) -> dict[str, Any]:
    import httpx

    want = {name: expected(name, data) for name, data in copies[:1]}
    status, codes = next(iter(want.values()))
    latencies: list[float] = []
    health: list[float] = []
    failures: list[str] = []
    deadline = time.perf_counter() + seconds
    async with httpx.AsyncClient(base_url=url, timeout=120) as http:
        async def client(k: int) -> None:
            i = k
            while time.perf_counter() < deadline:
                name, data = copies[i % len(copies)]
                i += clients
                t = time.perf_counter()
                try:
                    r = await http.post("/api/v1/check", files={"file": (name, data)})
                except httpx.HTTPError as e:
                    failures.append(f"{type(e).__name__}")
                    continue
                latencies.append(time.perf_counter() - t)
                if r.status_code != 200:
                    failures.append(f"HTTP {r.status_code}")
                    continue
                got = json.loads(r.text)
                if (got["status"], [(f["code"], f.get("field")) for f in got["findings"]]) != (status, codes):
                    failures.append(f"wrong report for {name}")

        async def healthz() -> None:
            while time.perf_counter() < deadline:
                t = time.perf_counter()
                r = await http.get("/healthz")
                health.append(time.perf_counter() - t)
                if r.status_code != 200:
                    failures.append(f"healthz {r.status_code}")
                await asyncio.sleep(0.05)

        t0 = time.perf_counter()
        await asyncio.gather(healthz(), *(client(k) for k in range(clients)))
        elapsed = time.perf_counter() - t0
    return {"requests": len(latencies), "elapsed": elapsed, "latencies": latencies, "health": health,
            "failures": failures}


# -- the judging load (在线评审) --------------------------------------------------------------------------------------

ROUND = ROOT / "samples" / "round"
JUDGES = 30
PER_APP = 25  # judges an application: with samples/round's 24 passed forms, 20 forms each of 30 judges, so that
# drafts and submits go on for most of a minute on a 2-CPU machine (5, the call's own number, leaves 4 a judge)
# 30 fictional judges: invented names, invented units (none of them an applicant of samples/round)
SURNAMES = "钱孔严华金魏陶姜戚谢邹喻柏水窦章云苏潘葛奚范彭郎鲁韦昌马苗凤"
GIVEN = ("景明", "若兰", "志远", "晓岚", "建华", "慧敏", "承宇", "雅琴", "振东", "书涵", "立群", "静怡", "国栋",
         "婉清", "海涛", "思齐", "卫平", "秋实", "德润", "嘉禾", "文博", "晴川", "子墨", "春燕", "一鸣", "欣然",
         "广义", "梦瑶", "泽林", "启航")
UNITS = ("东岳质量工程研究院", "江澜理工大学管理科学学院", "申江精密仪表有限公司质量部", "华亭标准化技术中心",
         "云栖数字质量研究所", "北辰可靠性试验中心", "临港先进制造质量联盟", "青浦卓越绩效促进会",
         "松江工业统计咨询有限公司", "浦南精益生产研究中心")
COMMENTS = ("方法运用较系统，数据支撑充分。", "效益测算依据需进一步补充财务证明。", "创新点清楚，推广价值较高。",
            "问题界定清楚，但对策验证样本偏少。", "")
KINDS = ("desk", "page", "draft", "submit")


def judges_csv(n: int, call: Call) -> bytes:
    """A judges CSV of n fictional judges (J01...), as staff would upload it."""
    categories = call.enum_values("categories")
    rows = ["编号,姓名,工作单位,统一社会信用代码,专业方向"]
    for k in range(n):
        given = GIVEN[k % len(GIVEN)]
        fields = "；".join(categories[(k + j * 3) % len(categories)] for j in range(1 + k % 3))
        rows.append(f"J{k + 1:02d},{SURNAMES[k % len(SURNAMES)]}{given},{UNITS[k % len(UNITS)]},,{fields}")
    return ("\n".join(rows) + "\n").encode("utf-8")


def review_call(folder: Path) -> Call:
    """saq-2021 copied to `folder` with only its review window moved to today-10 .. today+30 days."""
    import datetime as dt
    import re
    import shutil

    shutil.copytree(ROOT / "schemas" / "saq-2021", folder)
    today = dt.date.today()
    text = (folder / "call.yaml").read_text(encoding="utf-8")
    start, end = today - dt.timedelta(days=10), today + dt.timedelta(days=30)
    moved, n = re.subn(r"^  window:\n    start: \S+\n    end: \S+$", f"  window:\n    start: {start}\n    end: {end}",
                       text, flags=re.M)
    assert n == 1, "call.yaml's review window is not where the bench expects it"
    (folder / "call.yaml").write_text(moved, encoding="utf-8")
    call = load_call(folder)
    assert call.review.window_start is not None and call.review.window_start < today
    return call


@dataclass
class Round:
    """The judging phase's data folder, its call, the judges' one-time codes and assignments, and the registry copy
    taken before the load (for the in-process baseline)."""

    call: Call
    data: Path
    baseline: Path
    codes: dict[str, str]
    plan: dict[str, list[str]]
    passed: int


def make_round(tmp: Path, judges: int, per_app: int, seed: int) -> Round:
    """samples/round imported as staff import an e-mailed round, then the judges CSV (assignment, codes)."""
    import sqlite3
    import zipfile

    from pipeline.judging import import_judges
    from pipeline.registry import in_data
    from pipeline.web.staff import batch_job

    call = review_call(tmp / "calls" / "saq-2021")
    data = tmp / "data"
    (data / "inbox").mkdir(parents=True)
    archive = data / "inbox" / "20210801-round.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for p in sorted(ROUND.glob("*.docx")):
            zf.write(p, p.name)
    _, passed, _, _ = batch_job(str(archive), str(data / "rounds" / "bench"), str(call.folder),
                                    str(data / "award.sqlite"))
    with in_data(data, call.id) as reg:
        done = import_judges(reg, call, judges_csv(judges, call), "bench", per_app=per_app, seed=seed)
        plan = reg.assignments(call.id)
    baseline = tmp / "baseline"
    baseline.mkdir()
    with sqlite3.connect(str(data / "award.sqlite")) as src, sqlite3.connect(str(baseline / "award.sqlite")) as dst:
        src.backup(dst)
    return Round(call, data, baseline, {c.number: c.code for c in done.issued}, plan, passed)


def start_review_server(port: int, folder: Path, data: Path) -> subprocess.Popen[bytes]:
    """`award --call <folder> serve --data <data>` (one check worker: no check is made in this phase)."""
    log = data.with_name("serve.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "--call", str(folder), "serve", "--port", str(port),
                             "--workers", "1", "--data", str(data)], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    for _ in range(300):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return proc
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("award serve did not start: " + data.with_name("serve.log").read_text(errors="replace")[-2000:])


@dataclass
class Sheet:
    """A judge's form of one application as the client last saw it stored: 'todo', 'draft' or 'submitted', with
    the values sent."""

    state: str = "todo"
    criteria: dict[str, str] = field(default_factory=dict)
    veto: bool = False
    veto_reason: str = ""
    comment: str = ""


@dataclass
class Load:
    """What the judging clients saw."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in KINDS})
    health: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    refused: int = 0  # the deliberately incomplete submits answered 422 (expected)
    drafts_saved: int = 0
    submits: int = 0
    sheets: dict[tuple[str, str], Sheet] = field(default_factory=dict)
    ops: list[tuple[str, str, str, Sheet | None]] = field(default_factory=list)  # in completion order
    elapsed: float = 0.0


def random_values(call: Call, rng: random.Random, full: bool) -> dict[str, str]:
    """Scores within range and step: every criterion, or some of them (a partial draft)."""
    criteria = list(call.review.criteria)
    chosen = criteria if full else rng.sample(criteria, rng.randint(1, len(criteria) - 1))
    step = Fraction(str(call.review.step))
    return {c.id: format(float(rng.randint(0, int(Fraction(str(c.max)) / step)) * step), "g") for c in chosen}


async def judge_client(http: Any, call: Call, jid: str, mine: list[str], seed: int, deadline: float,
                       got: Load) -> None:
    """One judge until the deadline: list, application, draft(s), submit; re-reads once nothing is left."""
    import httpx

    rng = random.Random(f"{seed}-{jid}")
    csrf = http.cookies.get("award_csrf")
    sheets = {r: got.sheets.setdefault((r, jid), Sheet()) for r in mine}

    async def send(kind: str, reg_no: str, method: str, path: str, sent: Sheet | None = None,
                   want: int = 200, marker: str = "") -> bool:
        data = None
        if sent is not None:
            data = {"csrf": csrf, "comment": sent.comment, **{f"score_{c.id}": sent.criteria.get(c.id, "")
                                                             for c in call.review.criteria}}
            if sent.veto:
                data.update(veto="1", veto_reason=sent.veto_reason)
        t = time.perf_counter()
        try:
            r = await http.request(method, path, data=data)
        except httpx.HTTPError as e:
            got.failures.append(f"{kind} {type(e).__name__}")
            return False
        got.latencies[kind].append(time.perf_counter() - t)
        got.ops.append((kind, jid, reg_no, sent))
        if r.status_code != want or (marker and marker not in (r.headers.get("location", "") + r.text)):
            got.failures.append(f"{kind} HTTP {r.status_code}")
            return False
        return True

    while time.perf_counter() < deadline:
        if not await send("desk", "", "GET", "/judge"):
            continue
        todo = [r for r in mine if sheets[r].state == "todo"] or [r for r in mine if sheets[r].state == "draft"]
        if not todo:  # all submitted: re-read until time is up
            reg_no = rng.choice(mine)
            await send("page", reg_no, "GET", f"/judge/applications/{reg_no}", marker=reg_no)
            continue
        reg_no = rng.choice(todo)
        page = f"/judge/applications/{reg_no}"
        if not await send("page", reg_no, "GET", page, marker=reg_no) or time.perf_counter() >= deadline:
            continue
        veto = rng.random() < 0.03
        sheet = Sheet("draft", random_values(call, rng, full=rng.random() < 0.4), veto,
                      "申报数据前后矛盾，疑似弄虚作假" if veto else "", rng.choice(COMMENTS))
        saves = 2 if rng.random() < 0.4 else 1  # sometimes saves again, with every score filled
        for n in range(saves):
            if n:
                sheet = Sheet("draft", {**random_values(call, rng, full=True), **sheet.criteria}, sheet.veto,
                              sheet.veto_reason, sheet.comment)
            if not await send("draft", reg_no, "POST", f"{page}/draft", sheet, marker="草稿已保存"):
                break
            got.drafts_saved += 1
            sheets[reg_no] = got.sheets[(reg_no, jid)] = sheet
        if sheets[reg_no] is not sheet or rng.random() < 0.25 or time.perf_counter() >= deadline:
            continue  # a failure, or the judge leaves the draft to come back to it
        full = {**random_values(call, rng, full=True), **sheet.criteria}
        if rng.random() < 0.05:  # submitted with a score missing: refused (422), kept as a draft
            short = Sheet("draft", dict(list(full.items())[1:]), sheet.veto, sheet.veto_reason, sheet.comment)
            if await send("submit", reg_no, "POST", f"{page}/submit", short, 422, "评分未提交"):
                got.refused += 1
                sheets[reg_no] = got.sheets[(reg_no, jid)] = short
            continue
        final = Sheet("submitted", full, sheet.veto, sheet.veto_reason, sheet.comment)
        if await send("submit", reg_no, "POST", f"{page}/submit", final, 303, f"{page}?submitted=1"):
            got.submits += 1
            sheets[reg_no] = got.sheets[(reg_no, jid)] = final
            await send("page", reg_no, "GET", f"{page}?submitted=1", marker="评分已提交")


async def sign_in(http: Any, jid: str, code: str) -> None:
    """The judge's first sign-in with the one-time code, then its own password (the browser's requests)."""
    await http.get("/signin")
    csrf = http.cookies.get("award_csrf")
    r = await http.post("/signin", data={"name": jid, "password": code, "csrf": csrf})
    if r.status_code != 303 or r.headers.get("location") != "/account/password":
        raise SystemExit(f"{jid}: sign-in answered {r.status_code} {r.headers.get('location')}")
    await http.get("/account/password")
    password = f"bench judge password {jid}"
    r = await http.post("/account/password", data={"password": password, "again": password, "csrf": csrf})
    if r.status_code != 303 or r.headers.get("location") != "/judge":
        raise SystemExit(f"{jid}: setting the password answered {r.status_code}")


async def judging_load(url: str, rnd: Round, seconds: float, seed: int) -> Load:
    import httpx

    got = Load()
    judges = sorted(rnd.plan)
    clients = [httpx.AsyncClient(base_url=url, timeout=120, transport=httpx.AsyncHTTPTransport(
        local_address=f"127.0.0.{10 + k}")) for k in range(len(judges))]
    try:
        await asyncio.gather(*(sign_in(c, jid, rnd.codes[jid]) for c, jid in zip(clients, judges, strict=True)))
        async with httpx.AsyncClient(base_url=url, timeout=120) as probe:
            deadline = time.perf_counter() + seconds

            async def healthz() -> None:
                while time.perf_counter() < deadline:
                    t = time.perf_counter()
                    r = await probe.get("/healthz")
                    got.health.append(time.perf_counter() - t)
                    if r.status_code != 200:
                        got.failures.append(f"healthz {r.status_code}")
                    await asyncio.sleep(0.05)

            t0 = time.perf_counter()
            await asyncio.gather(healthz(), *(judge_client(c, rnd.call, jid, rnd.plan[jid], seed, deadline, got)
                                              for c, jid in zip(clients, judges, strict=True)))
            got.elapsed = time.perf_counter() - t0
    finally:
        for c in clients:
            await c.aclose()
    return got


def replay(rnd: Round, ops: list[tuple[str, str, str, Sheet | None]], budget: float) -> dict[str, list[float]]:
    """The clients' operations in the order they completed, called in-process on the registry copy taken before the
    load (each on its own connection, as a request's is), for at most `budget` seconds: seconds per kind."""
    import datetime as dt

    from pipeline.errors import PipelineError
    from pipeline.judging import ScoreForm, judge_application, judge_desk, save_draft, submit
    from pipeline.registry import in_data

    call, today = rnd.call, dt.date.today()
    times: dict[str, list[float]] = {k: [] for k in KINDS}
    end = time.perf_counter() + budget
    for kind, jid, reg_no, sent in ops:
        t = time.perf_counter()
        with in_data(rnd.baseline, call.id) as reg:
            if kind == "desk":
                judge_desk(reg, call, jid, today)
            elif kind == "page":
                judge_application(reg, call, jid, reg_no, today)
            else:
                assert sent is not None
                form = ScoreForm(sent.criteria, sent.veto, sent.veto_reason, sent.comment)
                # refused as the platform refused it: a failed request of the load, counted there
                with contextlib.suppress(PipelineError):
                    (save_draft if kind == "draft" else submit)(reg, call, jid, reg_no, form, jid, today)
        times[kind].append(time.perf_counter() - t)
        if t > end:
            break
    return times


def count_registry(rnd: Round, got: Load) -> list[tuple[str, bool]]:
    """The registry read after the load against what the clients saw: (line, passed) pairs."""
    import sqlite3

    db = rnd.data / "award.sqlite"
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        cid = rnd.call.id
        rows = conn.execute("SELECT reg_no, judge_id, criteria, veto, veto_reason, comment, source FROM scores "
                            "WHERE call = ?", (cid,)).fetchall()
        pairs = conn.execute("SELECT COUNT(*) FROM (SELECT reg_no, judge_id FROM scores WHERE call = ? "
                             "GROUP BY reg_no, judge_id HAVING COUNT(*) > 1)", (cid,)).fetchone()[0]
        drafts = conn.execute("SELECT reg_no, judge_id, criteria, veto, veto_reason, comment FROM drafts "
                              "WHERE call = ?", (cid,)).fetchall()
        audit = dict(conn.execute("SELECT what, COUNT(*) FROM audit WHERE what IN ('score.draft', 'score.submit') "
                                  "GROUP BY what").fetchall())
    finally:
        conn.close()
    online = {(r[0], r[1]): r for r in rows if r[6] == "online"}
    sent = {k: s for k, s in got.sheets.items() if s.state == "submitted"}
    kept = {k: s for k, s in got.sheets.items() if s.state == "draft"}

    def same_score(row: tuple[Any, ...], s: Sheet) -> bool:
        return (json.loads(row[2]) == {k: float(v) for k, v in s.criteria.items()} and bool(row[3]) == s.veto
                and row[4] == s.veto_reason and row[5] == s.comment.strip())

    def same_draft(row: tuple[Any, ...], s: Sheet) -> bool:
        return (json.loads(row[2]) == s.criteria and bool(row[3]) == s.veto and row[4] == s.veto_reason
                and row[5] == s.comment.strip())

    lost = [k for k, s in sent.items() if k not in online or not same_score(online[k], s)]
    unexpected = [k for k in online if k not in sent]
    left = {(r[0], r[1]): r for r in drafts}
    draft_wrong = [k for k, s in kept.items() if k not in left or not same_draft(left[k], s)]
    draft_extra = [k for k in left if k not in kept]
    return [
        (f"scores (source online) in the registry: {len(online)}; submits the clients saw succeed (303): "
         f"{got.submits}", len(online) == got.submits),
        (f"submitted scores lost or with other values than sent: {len(lost)}", not lost),
        (f"scores in the registry no client saw succeed: {len(unexpected)}; other sources: "
         f"{len(rows) - len(online)}", not unexpected and len(rows) == len(online)),
        (f"(reg_no, judge_id) twice in scores: {pairs}", pairs == 0),
        (f"drafts left in the registry: {len(left)}; saved and not submitted by the clients: {len(kept)}",
         len(left) == len(kept)),
        (f"drafts missing or with other values than last saved: {len(draft_wrong)}; drafts no client left: "
         f"{len(draft_extra)}", not draft_wrong and not draft_extra),
        (f"audit rows score.submit: {audit.get('score.submit', 0)}; score.draft: {audit.get('score.draft', 0)} "
         f"(draft saves {got.drafts_saved} + refused submits kept as drafts {got.refused})",
         audit.get("score.submit", 0) == got.submits
         and audit.get("score.draft", 0) == got.drafts_saved + got.refused),
    ]


def run_judging(seconds: float, judges: int, per_app: int, seed: int) -> bool:
    """The judging phase: set up, load, count, print. True when nothing failed, was lost or doubled."""
    with tempfile.TemporaryDirectory(prefix="award-bench-") as tmp:
        t = time.perf_counter()
        rnd = make_round(Path(tmp), judges, per_app, seed)
        setup = time.perf_counter() - t
        port = free_port()
        server = start_review_server(port, rnd.call.folder, rnd.data)
        try:
            got = asyncio.run(judging_load(f"http://127.0.0.1:{port}", rnd, seconds, seed))
        finally:
            server.terminate()
            server.wait(timeout=60)
        checks = count_registry(rnd, got)
        lib = replay(rnd, got.ops, min(10.0, seconds / 3))
    forms = sum(len(v) for v in rnd.plan.values())
    print(f"\njudging: {len(rnd.plan)} judges, {rnd.passed} passed applications of samples/round, {forms} forms "
          f"assigned ({per_app} judges an application), {got.elapsed:.0f} s of load (set-up {setup:.0f} s)")
    every = [x for k in KINDS for x in got.latencies[k]]
    print(f"requests: {len(every)} ({len(every) / got.elapsed:.1f}/s), failed: {len(got.failures)}"
          + (f" ({', '.join(sorted(set(got.failures)))[:200]})" if got.failures else "")
          + f", expected refusals (incomplete submit, 422): {got.refused}")
    print(f"drafts saved: {got.drafts_saved}, submitted: {got.submits}, forms left as drafts: "
          f"{sum(1 for s in got.sheets.values() if s.state == 'draft')}, not opened: "
          f"{sum(1 for s in got.sheets.values() if s.state == 'todo')}")
    print("latency ms         n     p50     p95     p99")
    for kind, values in [*((k, got.latencies[k]) for k in KINDS), ("all", every), ("healthz", got.health)]:
        if values:
            print(f"  {kind:<10} {len(values):6d} {pct(values, 50) * 1000:7.1f} {pct(values, 95) * 1000:7.1f} "
                  f"{pct(values, 99) * 1000:7.1f}")
    mean = {k: statistics.fmean(v) for k, v in lib.items() if v}
    if len(mean) == len(KINDS) and every:
        lib_rate = len(every) / sum(len(got.latencies[k]) * mean[k] for k in KINDS)
        web_rate = len(every) / got.elapsed
        print(f"baseline: the same mix in-process (pipeline.judging on a registry copy, one thread, no HTTP): "
              f"{lib_rate:.1f} ops/s ({sum(len(v) for v in lib.values())} replayed; mean ms "
              + ", ".join(f"{k} {mean[k] * 1000:.1f}" for k in KINDS) + ")")
        print(f"ratio web / in-process:        {web_rate / lib_rate:7.2f} x   (the platform's requests/s with 30 "
              "judges over the library's operations/s for the same mix)")
    ok = not got.failures
    for line, passed in checks:
        print(f"{'PASS' if passed else 'FAIL'}  {line}")
        ok = ok and passed
    print(f"{'PASS' if not got.failures else 'FAIL'}  failed requests: {len(got.failures)}")
    return ok


def pct(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100)[int(p) - 1] if len(values) >= 2 else (values[0] if values else 0.0)


def run_check(args: argparse.Namespace) -> None:
    """The check phase (issue 14): its load, the cold batch, the figures."""
    data = SAMPLE.read_bytes()
    copies = [(f"long-{n:03d}.docx", copy_of(data, n)) for n in range(args.copies)]
    with tempfile.TemporaryDirectory() as tmp:
        for name, body in copies:
            (Path(tmp) / name).write_bytes(body)
        batch_rate = cold_batch(Path(tmp), args.workers)
    port = free_port()
    server = start_server(port, args.workers, queue=args.clients * 2)
    try:
        got = asyncio.run(load(f"http://127.0.0.1:{port}", copies, args.clients, args.seconds))
    finally:
        server.terminate()
        server.wait(timeout=60)
    rate = got["requests"] / got["elapsed"]
    lat, health = got["latencies"], got["health"]
    print(f"file: {SAMPLE.relative_to(ROOT)} ({len(data) / 1024:.0f} KiB), {args.clients} clients, "
          f"{args.workers} workers, {got['elapsed']:.0f} s")
    print(f"requests: {got['requests']}, failed or wrong: {len(got['failures'])}"
          + (f" ({', '.join(sorted(set(got['failures'])))[:200]})" if got["failures"] else ""))
    print(f"award serve throughput:        {rate:7.1f} files/s")
    print(f"award batch cold throughput:   {batch_rate:7.1f} files/s   (the same file as {args.copies} copies)")
    ratio = rate / batch_rate
    print(f"ratio serve / batch:           {ratio:7.2f} x   (aim: at least {AIM_RATIO} x: "
          f"{'met' if ratio >= AIM_RATIO else 'NOT met'})")
    if lat:
        print(f"latency p50 / p95:             {pct(lat, 50) * 1000:7.0f} / {pct(lat, 95) * 1000:.0f} ms")
    if health:
        p99 = pct(health, 99)
        print(f"/healthz p50 / p99:            {pct(health, 50) * 1000:7.1f} / {p99 * 1000:.1f} ms   "
              f"(aim: p99 under {AIM_HEALTH_P99 * 1000:.0f} ms: {'met' if p99 < AIM_HEALTH_P99 else 'NOT met'})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--phase", choices=("all", "check", "judging"), default="all")
    ap.add_argument("--seconds", type=float, default=60.0, help="the check load's length")
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)))
    ap.add_argument("--copies", type=int, default=200)
    ap.add_argument("--judging-seconds", type=float, default=60.0)
    ap.add_argument("--judges", type=int, default=JUDGES)
    ap.add_argument("--per-app", type=int, default=PER_APP, help="judges an application")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    if args.phase in ("all", "check"):
        run_check(args)
    if args.phase in ("all", "judging") and not run_judging(args.judging_seconds, args.judges, args.per_app,
                                                             args.seed):
        sys.exit(1)

if __name__ == "__main__":
    main()
