"""Benchmark certificates: .docx + PDF per certificate, amortised over a whole run, against the baseline of one
`soffice --convert-to pdf` start per certificate, measured in this same run on a sample of the certificates.

    python bench/certificates.py [--count 300] [--sample 5] [--jobs N] [--out DIR]

Aim: at most 50 ms per certificate on 2 cores, and at least 25 times faster than the baseline.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.calls import load_call  # noqa: E402
from pipeline.office import convert, default_jobs  # noqa: E402
from pipeline.render.certificates import Certificate, certificates_for, write_certificates  # noqa: E402

AIM_MS = 50.0
AIM_RATIO = 25.0
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
            "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
GIVEN = ("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彬斌宇浩凯健"
         "俊帆帅旭宁龙林欣晨悦嘉琪佳怡梓涵子轩浩然")
WORK = ["降低", "提高", "缩短", "减少", "提升"]
THING = ["焊接缺陷率", "一次交验合格率", "设备故障停机时间", "产品返修率", "检测周期", "能耗", "客户投诉率",
         "装配不良率", "来料检验效率", "数据追溯能力"]
HOW = ["基于六西格玛的", "运用QC七大手法", "基于大数据的", "精益生产视角下", "应用FMEA方法"]
UNITS = ["上海{}精密机械有限公司", "上海{}电子科技股份有限公司", "{}汽车零部件（上海）有限公司", "上海市{}质量检测中心",
         "上海{}轨道交通设备有限公司"]
PLACES = ["浦东", "闵行", "嘉定", "松江", "宝山", "青浦", "奉贤", "金山", "徐汇", "静安", "杨浦", "虹口", "长宁",
          "普陀", "临港", "张江"]


def fictional(count: int, seed: int = 2021) -> list[Certificate]:
    """At least `count` certificates of invented projects (1-3 units, 3-6 persons each), serials by ranking."""
    rnd = random.Random(seed)
    call = load_call("saq-2021")
    out: list[Certificate] = []
    serial = 0
    while len(out) < count:
        serial += 1
        level = 1 if serial <= 5 else 2 if serial <= 20 else 3
        project = f"{rnd.choice(HOW)}{rnd.choice(WORK)}{rnd.choice(THING)}的研究与应用"
        units = [rnd.choice(UNITS).format(rnd.choice(PLACES)) for _ in range(rnd.randint(1, 3))]
        persons = [rnd.choice(SURNAMES) + "".join(rnd.choice(GIVEN) for _ in range(rnd.randint(1, 2)))
                   for _ in range(rnd.randint(3, 6))]
        out += certificates_for(call, project, level, serial, units, persons, registration=f"SAQ2021-{serial:04d}")
    return out


def baseline(docx: list[Path], work: Path) -> list[float]:
    """Seconds for one `soffice --convert-to pdf` start per certificate (fresh profile each, as convert() does)."""
    times = []
    for i, path in enumerate(docx):
        t = time.perf_counter()
        made = convert([path], work / f"baseline-{i}")
        times.append(time.perf_counter() - t)
        if not made:
            raise SystemExit(f"baseline conversion of {path} failed")
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=300)
    ap.add_argument("--sample", type=int, default=5)
    ap.add_argument("--jobs", type=int, default=None)
    ap.add_argument("--out", type=Path, default=None, help="keep the outputs here (default: a temporary folder)")
    args = ap.parse_args()
    certs = fictional(args.count)
    call = load_call("saq-2021")
    seal = ROOT / "samples" / "assets" / "seal-sample.png"
    with tempfile.TemporaryDirectory(prefix="bench-certificates-") as tmp:
        out = args.out or Path(tmp) / "run"
        t = time.perf_counter()
        run = write_certificates(certs, out, call, dt.date(2021, 12, 20), seal=seal, jobs=args.jobs)
        total = time.perf_counter() - t
        n = len(run.certificates)
        per = total / n
        step = max(1, n // args.sample)
        sample = run.docx[::step][: args.sample]
        base = baseline(sample, Path(tmp))
        base_med = statistics.median(base)
    print(f"certificates: {n} ({sum(c.kind == 'unit' for c in certs)} unit, {sum(c.kind == 'person' for c in certs)} "
          f"person), LibreOffice workers: up to {args.jobs or default_jobs()}, cores: {os.cpu_count()}, "
          f"path: {'one rendering per run' if run.fast else 'docxtpl per certificate'}")
    print(f"whole run (.docx + PDF + merged + manifest): {total:7.2f} s")
    for key in ("check", "docx", "convert", "split"):
        print(f"  {key:<8} {run.timings.get(key, 0.0):7.2f} s")
    print(f"per certificate, amortised:                  {per * 1000:7.1f} ms   (aim: at most {AIM_MS:.0f} ms: "
          f"{'met' if per * 1000 <= AIM_MS else 'NOT met'})")
    print(f"baseline, one soffice start per certificate: {base_med * 1000:7.1f} ms   (median of {len(base)}: "
          + ", ".join(f"{b:.2f}" for b in base) + " s)")
    ratio = base_med / per
    print(f"ratio baseline / ours:                       {ratio:7.1f} x   (aim: at least {AIM_RATIO:.0f} x: "
          f"{'met' if ratio >= AIM_RATIO else 'NOT met'})")


if __name__ == "__main__":
    main()
