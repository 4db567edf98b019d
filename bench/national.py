"""Simulate the coordinator's side of a national round: registration, result storage and the rules across
applications for N synthetic file reports (no document work), with its time and memory; then how many check workers
a 50,000-application round needs to finish within an hour.

    python bench/national.py [--n 100000] [--baseline N] [--similar-max 50000] [--check-rate R] [--round 50000]
                             [--hours 1]

Each synthetic report is one real report (samples/round/0001-申报书.docx checked as `award batch` checks a file:
report and field locations) with its `fields` varied per application by the round generator (samples/make_round.py):
its own project name, applicant, credit code (valid check digit), persons and summary. A small share is made to
trip the rules across applications: 1% share a project name with the previous application, 0.8% come from an
applicant with 4 applications (the call allows 3), 0.75% carry a person who is in 3 applications (the call allows 2),
0.2% have a summary that is the previous one with a few characters changed, 0.1% are sent twice under two names.

The coordinator's steps run on a fresh temporary registry, in the order run_batch takes them and with its own
functions (pipeline.batch), each stage timed on its own:
  0. hashing: SHA-256 of each distinct file (plan; here the template's bytes in memory, disk reads excluded);
  1. registration in path order + store_file_report of each result as it streams back (unpickled, as from a pool);
  2. _record_paths (the paths of copies);
  3a. the rules across applications (_final_rows -> batch_findings), the similar-summary comparison left out;
  3b. that comparison: similar_pairs over every summary, as the rule calls it, with the registry's similarity cache
      read and stored. It grew as N^2 until the rare-trigram bound was capped (pipeline/check/batch.py _RARE_MAX:
      310 s and 11.9 GB at 20,000 before; 106 s and 4.6 GB at 50,000 after); it is run only up to --similar-max
      and its time at larger N is extrapolated from the curve (sizes N/40, N/20, N/10 and N when N <= --similar-max);
  4. the final reports as JSON and store_results.
Generating the reports is not timed. Each size runs in its own process, so its peak RSS (ru_maxrss) is its own.
The baseline (default N/10) runs in the same invocation and gives the ratio of per-application cost at N and at
the baseline: 1.0 is linear, more is superlinear.

The worker figure: the check throughput of one worker process (--check-rate files/s, default measured here: one
process checking, as a batch worker does, the 40 .docx and 20 PDFs of bench/batch.py's generated 60-application round),
and the coordinator's time for the round (its stages scaled from the two measured sizes by their own exponent) taken
as serial: the workers have the hour minus the coordinator's time.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import math
import os
import pickle
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "samples"))

from make_round import CITY_PARTS, FIRM_KINDS, FIRM_WORDS, varied_values  # noqa: E402
from make_samples import credit_code  # noqa: E402

import pipeline.check.batch as check_batch  # noqa: E402
from pipeline.batch import (  # noqa: E402
    Intake,
    Plan,
    _distinct,
    _final_rows,
    _numbering,
    _record_paths,
    check_source,
)
from pipeline.calls import Call, load_call  # noqa: E402
from pipeline.ingest.sources import Source  # noqa: E402
from pipeline.registry import Registry  # noqa: E402

TEMPLATE = ROOT / "samples" / "round" / "0001-申报书.docx"
CHUNK = 2000  # reports generated (untimed) per batch of results handed to the coordinator
STAGES = ("hash", "register+store", "record_paths", "rules", "similar", "store_results")
STAGE_ZH = {"hash": "0 哈希（计划）", "register+store": "1 登记+保存单份结果", "record_paths": "2 记录路径",
            "rules": "3a 跨申报书规则", "similar": "3b 摘要相似度", "store_results": "4 保存最终结果"}
LINEAR = ("hash", "register+store", "record_paths", "rules", "store_results")

# Province-level region codes (GB/T 2260) with the province's name: applicants from all over the country.
PROVINCES = [("110105", "北京"), ("120101", "天津"), ("130102", "河北"), ("140105", "山西"), ("150102", "内蒙古"),
             ("210102", "辽宁"), ("220102", "吉林"), ("230102", "黑龙江"), ("310115", "上海"), ("320102", "江苏"),
             ("330102", "浙江"), ("340102", "安徽"), ("350102", "福建"), ("360102", "江西"), ("370102", "山东"),
             ("410102", "河南"), ("420102", "湖北"), ("430102", "湖南"), ("440103", "广东"), ("450102", "广西"),
             ("460105", "海南"), ("500103", "重庆"), ("510104", "四川"), ("520102", "贵州"), ("530102", "云南"),
             ("540102", "西藏"), ("610102", "陕西"), ("620102", "甘肃"), ("630102", "青海"), ("640104", "宁夏"),
             ("650102", "新疆")]


def national_call() -> Call:
    """The demo call with six-digit registration numbers, as a national round's call.yaml would set them."""
    call = load_call("saq-2021")
    return replace(call, batch=replace(call.batch, registration_digits=6))


def template(call: Call) -> tuple[dict[str, Any], dict[str, Any], bytes]:
    """One real file report and its field locations, as a batch worker returns them; and the file's bytes."""
    data = TEMPLATE.read_bytes()
    report, locs = check_source(Source(TEMPLATE.name, file=TEMPLATE, size=len(data)), call)
    assert report["status"] == "pass" and report["fields"], "the template form should pass its check"
    return report, locs, data


class Round:
    """The synthetic round: application i's path, SHA-256, report and locations, made on demand in path order."""

    def __init__(self, n: int, call: Call, report: dict[str, Any], locs: dict[str, Any], seed: int = 16) -> None:
        self.n, self.call, self.seed = n, call, seed
        self.report_text = json.dumps(report, ensure_ascii=False)  # a fresh copy per application (json.loads)
        self.locs = locs
        self.prev: dict[str, Any] | None = None
        self.group: tuple[str, str] | None = None  # the applicant of a 4-application group
        self.shared: list[dict[str, Any]] = []  # a person in three applications (a pending group)

    @staticmethod
    def path(i: int) -> str:
        return f"{i + 1:06d}-申报书.docx"

    @staticmethod
    def copy_path(i: int) -> str:
        return f"{i + 1:06d}-申报书（副本）.docx"  # sorts right after its original

    @staticmethod
    def has_copy(i: int) -> bool:
        return i % 1000 == 999

    @staticmethod
    def sha(i: int) -> str:
        return hashlib.sha256(f"national-{i}".encode()).hexdigest()

    def applicant(self, i: int, rng: random.Random) -> tuple[str, str]:
        """A distinct company (name and credit code) per i (31 x 20 x 20 x 10 names)."""
        region, province = PROVINCES[i % len(PROVINCES)]
        k = i // len(PROVINCES)
        name = (f"{province}{CITY_PARTS[k % len(CITY_PARTS)]}{FIRM_WORDS[(k // len(CITY_PARTS)) % len(FIRM_WORDS)]}"
                f"{FIRM_KINDS[(k // (len(CITY_PARTS) * len(FIRM_WORDS))) % len(FIRM_KINDS)]}")
        if k >= len(CITY_PARTS) * len(FIRM_WORDS) * len(FIRM_KINDS):
            name += f"第{k // (len(CITY_PARTS) * len(FIRM_WORDS) * len(FIRM_KINDS)) + 1}分公司"
        return name, credit_code(rng, region)

    def fields(self, i: int) -> dict[str, Any]:
        rng = random.Random(self.seed * 100003 + i)
        v = varied_values(i, rng, self.call)
        f: dict[str, Any] = {}
        start, _, end = v["project.period"].partition("至")
        v["project.start_date"], v["project.end_date"] = start, end
        # make_round's project names repeat every 2,000 applications: a site and a phase keep each its own
        v["project.name"] = f"{PROVINCES[i % len(PROVINCES)][1]}{CITY_PARTS[(i // 31) % 20]}基地" \
                            f"{v['project.name']}（{i // 620 + 1}期）"
        name, code = self.applicant(i, rng)
        if i % 500 < 4:  # one applicant, four applications (the call allows three)
            if i % 500 == 0:
                self.group = (name, code)
            assert self.group is not None
            name, code = self.group
        old = v["units"][0]["name"]
        v["applicant.name"], v["applicant.credit_code"] = name, code
        v["units"][0] = {"name": name, "credit_code": code}
        for p in v["persons"]:
            if p["unit"] == old:
                p["unit"] = name
        if i % 400 == 0:  # this application's first person is also in the next two (the call allows two)
            self.shared = [dict(v["persons"][0])]
        elif i % 400 in (1, 2) and self.shared:
            v["persons"][-1] = dict(self.shared[0], unit=name)
        prev = self.prev
        if prev is not None and i % 100 == 50:  # the previous application's project name
            v["project.name"] = prev["project.name"]
        if prev is not None and i % 500 == 250:  # the previous summary, a few characters changed
            v["summary"] = prev["summary"].replace("项目", "本项目", 2)
        for key in ("project.name", "project.name_en", "project.category", "project.industry",
                    "project.start_date", "project.end_date", "applicant.name", "applicant.credit_code",
                    "applicant.member_no", "contact.name", "contact.phone", "contact.email", "units", "persons",
                    "summary", "benefits.years", "benefits.total"):
            f[key] = v[key]
        self.prev = f
        return f

    def result(self, i: int) -> bytes:
        """Application i's result as a worker sends it back: (sha, report, locations), pickled."""
        report = json.loads(self.report_text)
        report["fields"].update(self.fields(i))
        report["file"]["path"], report["file"]["sha256"] = self.path(i), self.sha(i)
        locs = {k: v for k, v in self.locs.items() if not k.startswith("persons[")}
        for k in range(len(report["fields"]["persons"])):
            locs[f"persons[{k}]"] = {"kind": "docx", "table": 3, "row": k + 1, "col": 0, "paragraph": None}
        return pickle.dumps((self.sha(i), report, locs), protocol=pickle.HIGHEST_PROTOCOL)

    def chunks(self) -> Iterator[list[bytes]]:
        for start in range(0, self.n, CHUNK):
            yield [self.result(i) for i in range(start, min(start + CHUNK, self.n))]


def rss_mb() -> float:
    """This process's peak RSS so far (ru_maxrss, KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def similar_stage(registry: Registry, call: Call, texts: list[str], t: dict[str, float]) -> int:
    """3b: the similar-summary rule's comparison (similar_pairs, as the rule calls it) with the registry's
    similarity cache read and the new pairs stored, timed into t["similar"]; how many pairs were compared exactly."""
    clock = time.perf_counter()
    known = registry.similarity_cache()
    seen = dict(known)
    check_batch.similar_pairs(texts, call.batch.similar_summary, seen)
    fresh = {k: v for k, v in seen.items() if known.get(k) != v}
    if fresh:
        registry.store_similarity(fresh)
    t["similar"] = time.perf_counter() - clock
    return len(seen)


def similar_only(n: int, db: Path) -> dict[str, Any]:
    """3b alone for a round of n (the summaries of the synthetic round): its time and this process's peak RSS."""
    call = national_call()
    report, locs, _ = template(call)
    rnd = Round(n, call, report, locs)
    texts = [str(pickle.loads(x)[1]["fields"]["summary"]) for chunk in rnd.chunks() for x in chunk]
    t = {"similar": 0.0}
    with Registry(db) as registry:
        compared = similar_stage(registry, call, texts, t)
    return {"n": n, "seconds": t["similar"], "peak_rss_mb": rss_mb(), "compared_pairs": compared}


def coordinator(n: int, db: Path, similar: bool = True) -> dict[str, Any]:
    """The coordinator's stages for a round of n, timed; figures as a dict."""
    call = national_call()
    report, locs, data = template(call)
    rnd = Round(n, call, report, locs)
    gc.collect()
    start_rss = rss_mb()
    t: dict[str, float] = dict.fromkeys(STAGES, 0.0)

    # 0. the plan's digests: every distinct file read once (here from memory)
    clock = time.perf_counter()
    shas: dict[str, str] = {}
    for i in range(n):
        digest = hashlib.sha256(data)
        digest.update(i.to_bytes(4, "little"))
        digest.hexdigest()
    t["hash"] = time.perf_counter() - clock
    for i in range(n):  # the synthetic digests (untimed): a copy under a second name has its original's
        shas[rnd.path(i)] = rnd.sha(i)
        if rnd.has_copy(i):
            shas[rnd.copy_path(i)] = rnd.sha(i)
    sources = [Source(path) for path in sorted(shas)]
    todo = tuple((rnd.sha(i), Source(rnd.path(i))) for i in range(n))
    p = Plan(tuple(sources), shas, {}, todo)

    prefix, digits = _numbering(call)
    file_reports: dict[str, dict[str, Any]] = {}
    locations: dict[str, dict[str, Any]] = {}
    with Registry(db) as registry:
        # 1. run_batch's own intake: each result, in path order, registered and its file report stored
        intake = Intake(registry, call, p, file_reports, locations)
        numbers, unnumbered = intake.numbers, intake.unnumbered
        for chunk in rnd.chunks():
            clock = time.perf_counter()
            for payload in chunk:
                intake.take(*pickle.loads(payload))
            t["register+store"] += time.perf_counter() - clock
            del chunk
        after_store_rss = rss_mb()

        # 2. the paths of copies
        clock = time.perf_counter()
        _record_paths(registry, call, p, numbers, prefix, digits)
        t["record_paths"] = time.perf_counter() - clock

        # 3a. the rules across applications, the similar-summary comparison left out (3b times it)
        summary = call.roles.summary
        texts = [str(r["fields"].get(summary) or "") for r in file_reports.values()] if similar else []
        clock = time.perf_counter()
        real = check_batch.similar_pairs
        check_batch.similar_pairs = lambda texts, threshold, cache=None: []
        try:
            rows = _final_rows(sources, numbers, file_reports, locations, call, None, {}, p.shas, unnumbered)
        finally:
            check_batch.similar_pairs = real
        file_reports.clear()
        locations.clear()
        t["rules"] = time.perf_counter() - clock
        compared = similar_stage(registry, call, [x for x in texts if x.strip()], t) if similar else None

        # 4. the final reports
        clock = time.perf_counter()
        distinct = [r.report.to_dict() for r in _distinct(rows)]
        texts = [json.dumps(d, ensure_ascii=False) + "\n" for d in distinct]
        changed = registry.store_results(distinct, texts)
        t["store_results"] = time.perf_counter() - clock

        found: dict[str, int] = {}
        for d in distinct:
            for f in d["findings"]:
                if f["code"].startswith("batch."):
                    found[f["code"]] = found.get(f["code"], 0) + 1
    size = sum(f.stat().st_size for f in db.parent.iterdir() if f.name.startswith(db.name))
    return {"n": n, "files": len(sources), "registered": intake.new, "stored": changed, "seconds": t,
            "start_rss_mb": start_rss, "after_store_rss_mb": after_store_rss, "peak_rss_mb": rss_mb(),
            "db_mb": size / 2**20, "compared_pairs": compared, "findings": found}


def run_one(n: int, *extra: str) -> dict[str, Any]:
    """coordinator(n) (or similar_only(n) with --similar-only) in its own process, so that the peak RSS is its
    own; the figures it prints as JSON."""
    with tempfile.TemporaryDirectory(prefix="award-national-") as tmp:
        out = subprocess.run([sys.executable, __file__, "--single", str(n), "--db", f"{tmp}/r.sqlite", *extra],
                             cwd=ROOT, check=True, stdout=subprocess.PIPE, text=True)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def check_rate(jobs: int) -> tuple[float, float, float, int, int]:
    """Files/s of one process checking as a batch worker does (warm, each file in its forked child): .docx, PDF,
    and the round's mix; and how many of each were checked. The files: bench/batch.py's 60-application round."""
    sys.path.insert(0, str(ROOT / "bench"))
    from batch import generate  # bench/batch.py

    from pipeline.batch import warm

    data = generate(60, 3, jobs)
    call = load_call("saq-2021")
    warm(call)
    times: dict[str, list[float]] = {"docx": [], "pdf": []}
    for kind in times:
        for f in sorted((data / kind).iterdir()):
            clock = time.perf_counter()
            check_source(Source(f.name, file=f, size=f.stat().st_size), call)
            times[kind].append(time.perf_counter() - clock)
    d, p = times["docx"], times["pdf"]
    return len(d) / sum(d), len(p) / sum(p), (len(d) + len(p)) / (sum(d) + sum(p)), len(d), len(p)


def per_app_us(r: dict[str, Any], stage: str | None = None) -> float:
    s = r["seconds"][stage] if stage else sum(r["seconds"].values())
    return float(s) / r["n"] * 1e6


def show(r: dict[str, Any]) -> None:
    total = sum(r["seconds"].values())
    print(f"N = {r['n']:,} applications ({r['files']:,} files, {r['registered']:,} registered, "
          f"{r['stored']:,} final reports stored)")
    for s in STAGES:
        if s == "similar" and r["compared_pairs"] is None:
            print(f"  {STAGE_ZH[s]:<14} {s:<15}   not run (N above --similar-max; see the curve below)")
            continue
        print(f"  {STAGE_ZH[s]:<14} {s:<15} {r['seconds'][s]:9.2f} s  {per_app_us(r, s):9.1f} us/application")
    print(f"  {'合计':<14} {'total':<15} {total:9.2f} s  {per_app_us(r):9.1f} us/application")
    print(f"  peak RSS {r['peak_rss_mb']:.0f} MB (after imports and the template {r['start_rss_mb']:.0f} MB; "
          f"after stage 1 {r['after_store_rss_mb']:.0f} MB); registry {r['db_mb']:.0f} MB")
    print("  findings across applications: " + ", ".join(f"{k} {v}" for k, v in sorted(r["findings"].items())))


def slope(n0: float, y0: float, n1: float, y1: float) -> float:
    """k in y ~ n^k through two points (1 linear)."""
    return math.log(y1 / y0) / math.log(n1 / n0) if y0 > 0 and y1 > 0 and n1 != n0 else 1.0


def workers_for(round_n: int, rate: float, coord: float, budget: float) -> str:
    if coord >= budget:
        return "none: the coordinator alone takes longer than the time allowed"
    w = math.ceil(round_n / (rate * (budget - coord)))
    return (f"{round_n:,} / ({rate:.2f} files/s x {budget - coord:.0f} s) -> {w} worker processes "
            f"(one per core: {math.ceil(w / 8)} machine(s) of 8 cores)")


def main() -> None:
    """Measure (each size in its own process), the check rate, then print the figures and the arithmetic."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--baseline", type=int, default=0, help="the smaller size for the ratio (default N/10)")
    ap.add_argument("--similar-max", type=int, default=50_000,
                    help="largest round whose summaries are compared (3b is quadratic; larger: from the curve)")
    ap.add_argument("--check-rate", type=float, default=0.0,
                    help="files/s one worker process checks (default: measured on bench/batch.py's 60-file round)")
    ap.add_argument("--round", type=int, default=50_000, help="the round to size the workers for")
    ap.add_argument("--hours", type=float, default=1.0, help="the time the round must finish in")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="processes to generate the check round")
    ap.add_argument("--single", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--no-similar", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--similar-only", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.single:
        got = similar_only(a.single, a.db) if a.similar_only else coordinator(a.single, a.db, not a.no_similar)
        print(json.dumps(got))
        return
    base = a.baseline or max(a.n // 10, 1)
    small = run_one(base, *(() if base <= a.similar_max else ("--no-similar",)))
    big = run_one(a.n, *(() if a.n <= a.similar_max else ("--no-similar",)))
    # the similar-summary comparison's curve: from the measured sizes, and two more below the baseline
    curve = {r["n"]: (r["seconds"]["similar"], r["peak_rss_mb"], r["compared_pairs"]) for r in (small, big)
             if r["compared_pairs"] is not None}
    for k in (base // 4, base // 2):
        if k >= 100:
            r = run_one(k, "--similar-only")
            curve[r["n"]] = (r["seconds"], r["peak_rss_mb"], r["compared_pairs"])

    print(f"coordinator of a national round, simulated (no document work), {os.cpu_count()} cores")
    show(small)
    show(big)
    print(f"per-application cost at {big['n']:,} / at {small['n']:,} (1.0 = linear) and the exponent k of time ~ N^k:")
    for s in (*LINEAR, None):
        y0 = sum(small["seconds"][x] for x in LINEAR) if s is None else small["seconds"][s]
        y1 = sum(big["seconds"][x] for x in LINEAR) if s is None else big["seconds"][s]
        ratio = (y1 / big["n"]) / max(y0 / small["n"], 1e-12)
        print(f"  {s or 'total (no 3b)':<15} {ratio:5.2f}x   k = {slope(small['n'], y0, big['n'], y1):.2f}"
              + ("  <- superlinear" if ratio > 1.3 else ""))
    print("3b, the similar-summary comparison (similar_pairs over every summary), by round size:")
    sizes = sorted(curve)
    for n in sizes:
        sec, rss, pairs = curve[n]
        print(f"  N = {n:>7,}: {sec:8.2f} s  {sec / n * 1e6:9.1f} us/application  peak RSS {rss:6.0f} MB  "
              f"{pairs:,} pairs compared exactly")
    k_sim = slope(sizes[-2], curve[sizes[-2]][0], sizes[-1], curve[sizes[-1]][0]) if len(sizes) > 1 else 1.0
    k_rss = slope(sizes[-2], curve[sizes[-2]][1], sizes[-1], curve[sizes[-1]][1]) if len(sizes) > 1 else 1.0
    print(f"  time ~ N^{k_sim:.2f}, peak RSS ~ N^{k_rss:.2f} between the two largest"
          + ("  <- superlinear" if k_sim > 1.3 else ""))

    if a.check_rate:
        rate, how = a.check_rate, "given (--check-rate)"
    else:
        r_docx, r_pdf, rate, nd, npdf = check_rate(a.jobs)
        how = (f"measured: one process, {nd} .docx at {r_docx:.1f}/s and {npdf} PDF at {r_pdf:.1f}/s, "
               "bench/batch.py's round")
    budget = a.hours * 3600
    # the coordinator's time for the round: each stage scaled from the larger size by its own exponent (>= 1)
    coord = sum(big["seconds"][s] * (a.round / big["n"]) ** max(slope(small["n"], small["seconds"][s], big["n"],
                                                                       big["seconds"][s]), 1.0) for s in LINEAR)
    n_sim = sizes[-1]
    sim = curve[n_sim][0] * (a.round / n_sim) ** max(k_sim, 1.0)
    sim_rss = curve[n_sim][1] * (a.round / n_sim) ** max(k_rss, 1.0)
    stage1 = big["seconds"]["register+store"] / big["n"]
    print(f"\nworkers for {a.round:,} applications in {a.hours:g} h (the coordinator's time taken as serial):")
    print(f"  check throughput of one worker process: {rate:.2f} files/s ({how})")
    print(f"  coordinator, stages 0-4 without 3b, scaled from N = {big['n']:,}: {coord:.0f} s")
    print(f"  3b for {a.round:,}, extrapolated from N = {n_sim:,} as N^{max(k_sim, 1.0):.2f}: {sim:.0f} s, "
          f"peak RSS about {sim_rss / 1024:.1f} GB")
    print(f"  with the rules as they are (3b included): {workers_for(a.round, rate, coord + sim, budget)}")
    print(f"  without 3b (were the similar-summary comparison linear and cheap): "
          f"{workers_for(a.round, rate, coord, budget)}")
    print(f"  stage 1 takes at most {1 / stage1:,.0f} results/s, i.e. {1 / stage1 / rate:,.0f} workers, before "
          "registration becomes the bottleneck")


if __name__ == "__main__":
    main()
