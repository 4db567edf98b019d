"""Varied, valid applications of invented companies: a whole submission round for batch, review and certificates.

`varied_values(i, rng)` gives the i-th application's values (unique project, applicant, persons and summary);
`write_round(folder, n, pdf_every)` writes n of them as .docx (every pdf_every-th also printed to PDF).

Run: python samples/make_round.py            -> samples/round/ (24 applications, committed; the demo round)
     python samples/make_round.py DIR N K    -> N applications in DIR, every K-th as PDF (the batch benchmark)
"""

from __future__ import annotations

import copy
import random
import shutil
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "samples"))

from make_samples import credit_code, fill_form, valid_values  # noqa: E402

from pipeline.calls import Call, load_call  # noqa: E402
from pipeline.fileio import docx_bytes, write_bytes  # noqa: E402

ROUND = ROOT / "samples" / "round"

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = ("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彬鹏辉斌宇浩凯健俊帆帅旭宁龙林欣"
         "晨瑶婷雪琳晶妍茜怡悦文博思远晓梅国庆立新建华志刚海峰春燕秋实嘉懿子涵雨桐一鸣")
CITY_PARTS = ["浦江", "临港", "松江", "嘉定", "金桥", "张江", "漕河泾", "宝山", "青浦", "奉贤", "闵行", "虹桥", "外高桥",
              "杨浦", "长宁", "普陀", "徐汇", "崇明", "静安", "黄浦"]
FIRM_WORDS = ["精工", "智造", "恒信", "华晟", "联创", "伟业", "中科", "新材", "宏达", "瑞丰", "博远", "天成", "启明",
              "东方", "汇通", "安泰", "嘉禾", "永信", "云帆", "光启"]
FIRM_KINDS = ["汽车零部件有限公司", "电子科技有限公司", "生物医药股份有限公司", "装备制造有限公司", "新材料科技有限公司",
              "集成电路有限公司", "物流服务有限公司", "医疗器械有限公司", "食品有限公司", "检测技术有限公司"]
PARTNERS = ["质量技术研究院", "检测技术服务有限公司", "工业自动化有限公司", "模具科技有限公司", "信息技术有限公司"]
PRODUCTS = ["电机壳体", "锂电池模组", "晶圆切割", "注塑外壳", "无菌灌装", "齿轮箱", "传感器芯片", "钢结构焊接", "冷链配送",
            "疫苗分装", "光伏组件", "轮毂轴承", "液压阀块", "医用导管", "PCB贴装", "铝型材挤压", "涂装车间", "呼叫中心",
            "航空紧固件", "隧道盾构"]
GOALS = ["良率提升", "缺陷率降低", "过程能力提升", "交付周期缩短", "能耗降低", "一次合格率提升", "质量损失降低",
         "可靠性提升", "客户投诉下降", "换型时间缩短"]
# A round of more than 200 needs a third part to keep every project name its own.
QUALIFIERS = ["", "过程", "工艺", "全流程", "关键工序", "数字化", "供应链", "检测", "装配", "现场"]
DEFECTS = ["气孔", "虚焊", "尺寸超差", "表面划伤", "漏液", "异响", "污染", "错装", "延误", "裂纹", "偏心", "色差"]

# Sentences of a summary: chosen and ordered per application, with its own numbers, so that no two summaries
# of a round are near-identical (the batch rule flags a ratio of 0.9).
OPENINGS = [
    "{product}是公司的核心产品，{year}年以前{defect}问题长期存在，一次合格率仅为{before}%，每年质量损失约{loss}万元。",
    "项目启动时，{product}生产线的{defect}不良占全部不良的{share}%，客户索赔和返工成本居高不下。",
    "面对客户对{product}质量提出的更高要求，公司发现{defect}是制约交付和成本的首要问题，合格率徘徊在{before}%左右。",
    "{product}工序复杂、参数众多，{defect}的发生带有随机性，传统的经验调整难以奏效，{year}年质量损失达{loss}万元。",
]
MIDDLES = [
    "项目组运用{method}方法，从人、机、料、法、环、测六个方面梳理了{factors}项潜在原因，并通过现场数据逐一验证。",
    "团队首先开展测量系统分析，确认检测数据可信，再以试验设计筛选出{key}个关键因子，确定了最佳工艺窗口。",
    "借助失效模式与影响分析，项目识别出{factors}个高风险环节，制定了防错和控制计划，并在试点线验证有效。",
    "项目引入统计过程控制，对{key}项关键特性建立控制图，实现了异常的早发现、早处置。",
    "通过价值流分析找出{factors}处浪费，重新布置工位并推行标准作业，使流程更加稳定。",
    "项目采用质量功能展开，把客户需求转化为{key}项设计和工艺要求，在源头减少了{defect}的发生。",
    "公司与{partner}联合攻关，建立了{product}的数字化质量追溯系统，做到每件产品的工艺数据可查可比。",
    "在改进阶段，项目组对{key}项工艺参数进行了优化，并通过小批量验证和客户审核。",
]
RESULTS = [
    "项目实施后，一次合格率由{before}%提升至{after}%，过程能力指数由{cpk0}提高到{cpk1}。",
    "改进后{defect}不良率下降了{drop}%，年节约质量成本{save}万元，客户投诉显著减少。",
    "成果已固化为{std}项企业标准和作业指导书，并推广到公司其他{lines}条生产线。",
    "项目累计新增销售额{sales}万元，形成专利{pat}项，培养了一批掌握统计方法的骨干。",
    "经过{months}个月的持续运行，各项指标保持稳定，项目成果得到了主要客户的书面认可。",
]


def person_name(rng: random.Random) -> str:
    """An invented two- or three-character name."""
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def summary_text(rng: random.Random, slots: dict[str, Any]) -> str:
    """A 300–700 character summary made of this application's own sentences and numbers."""
    parts = [rng.choice(OPENINGS), *rng.sample(MIDDLES, 4), *rng.sample(RESULTS, 3)]
    return "".join(p.format(**slots) for p in parts)


def varied_values(i: int, rng: random.Random, call: Call) -> dict[str, Any]:
    """The i-th application of a round: valid, with its own project, applicant, units, persons and summary."""
    v = copy.deepcopy(valid_values())
    categories = list(call.enum_values("categories"))
    industries = list(call.enum_values("industries"))
    product, goal = PRODUCTS[i % len(PRODUCTS)], GOALS[(i // len(PRODUCTS) + i) % len(GOALS)]
    firm = f"上海{CITY_PARTS[i % len(CITY_PARTS)]}{FIRM_WORDS[(i * 7 + i // len(CITY_PARTS)) % len(FIRM_WORDS)]}" \
           f"{FIRM_KINDS[i % len(FIRM_KINDS)]}"
    applicant = {"name": firm, "credit_code": credit_code(rng, rng.choice(("310115", "310112", "310104", "310117")))}
    units = [applicant]
    for k in range(rng.choice((0, 1, 1, 2))):
        units.append({"name": f"上海{rng.choice(CITY_PARTS)}{rng.choice(FIRM_WORDS)}{PARTNERS[(i + k) % len(PARTNERS)]}",
                      "credit_code": credit_code(rng, "310120")})
    names: set[str] = set()
    persons = []
    for k in range(rng.randint(3, 8)):
        name = person_name(rng)
        while name in names:
            name = person_name(rng)
        names.add(name)
        unit = units[0] if k < 2 or len(units) == 1 else rng.choice(units)
        persons.append({"name": name, "gender": rng.choice(("男", "女")),
                        "birth": f"{rng.randint(1962, 1996)}年{rng.randint(1, 12)}月", "unit": unit["name"],
                        "title": rng.choice(("质量经理/高级工程师", "工艺工程师", "总经理", "六西格玛黑带", "精益专员",
                                             "研发主管/工程师", "检测工程师", "生产部长")),
                        "contribution": f"负责项目{rng.choice(('总体策划', '数据分析', '试验设计', '工艺改进', '现场实施', '标准化固化'))}"
                                        f"和{rng.choice(('过程控制', '问题验证', '效果确认', '推广应用', '团队培训'))}工作。"})
    before = rng.randint(70, 92)
    slots = {"product": product, "defect": rng.choice(DEFECTS), "year": rng.choice((2018, 2019)),
             "before": before, "after": round(before + rng.uniform(3, 99 - before), 1), "loss": rng.randint(80, 900),
             "share": rng.randint(30, 70), "method": categories[i % len(categories)], "factors": rng.randint(12, 48),
             "key": rng.randint(3, 9), "partner": units[-1]["name"], "cpk0": round(rng.uniform(0.6, 1.0), 2),
             "cpk1": round(rng.uniform(1.33, 1.9), 2), "drop": rng.randint(40, 90), "save": rng.randint(50, 800),
             "std": rng.randint(1, 5), "lines": rng.randint(2, 9), "sales": rng.randint(500, 9000),
             "pat": rng.randint(1, 6), "months": rng.randint(6, 24)}
    years = []
    totals = {"sales": 0.0, "profit": 0.0, "savings": 0.0}
    for y in ("2018", "2019", "2020"):
        row = {"year": y}
        for key, top in (("sales", 3000), ("profit", 600), ("savings", 400)):
            amount = round(rng.uniform(0, top), 1)
            totals[key] += amount
            row[key] = f"{amount:.1f}"
        years.append(row)
    start_year = rng.choice((2018, 2019))
    v.update({
        "project.name": f"{product}{QUALIFIERS[(i // 200) % len(QUALIFIERS)]}{goal}",
        "project.name_en": f"Quality Improvement Project No. {i + 1}",
        "project.category": categories[i % len(categories)],
        "project.industry": industries[(i * 7) % len(industries)],
        "project.period": f"{start_year}年{rng.randint(1, 12)}月至2020年{rng.randint(6, 12)}月",
        "applicant.name": firm,
        "applicant.credit_code": applicant["credit_code"],
        "applicant.member_no": f"{210000 + i * 7 % 9973:06d}",
        "contact.name": persons[1]["name"],
        "contact.phone": f"1{rng.choice('3589')}{rng.randint(100000000, 999999999)}",
        "contact.email": f"quality{i + 1:03d}@member{i + 1:03d}.example.cn",
        "units": units,
        "persons": persons,
        "summary": summary_text(rng, slots),
        "benefits.years": years,
        "benefits.total": {k: f"{t:.1f}" for k, t in totals.items()},
        "declaration.signatory": persons[0]["name"],
        "declaration.date": f"2021年{rng.choice((6, 7))}月{rng.randint(1, 28)}日",
    })
    return v


# What applicants get wrong, for a realistic round (the benchmark's): one mistake each.
MISTAKES: list[tuple[str, Any]] = [
    ("contact.phone", "021-5812"),
    ("project.name", "基于统计过程控制与试验设计的关键工序质量一致性提升及推广应用项目"),
    ("declaration.date", ""),
    ("applicant.postcode", "20013"),
]


def _one(args: tuple[Path, int, int, int]) -> Path:
    folder, i, seed, broken_every = args
    call = load_call("saq-2021")
    path = folder / f"{i + 1:04d}-申报书.docx"
    v = varied_values(i, random.Random(seed * 100003 + i), call)
    if broken_every and i % broken_every == broken_every - 1:
        key, value = MISTAKES[(i // broken_every) % len(MISTAKES)]
        v[key] = value
    write_bytes(path, docx_bytes(fill_form(call, v)))
    return path


def write_round(folder: Path, n: int, pdf_every: int = 0, seed: int = 2021, jobs: int = 1,
                broken_every: int = 0) -> list[Path]:
    """n applications as .docx in folder (every pdf_every-th printed to PDF instead, every broken_every-th with
    one mistake); returns the files. Each application has its own random generator (seed, i), so they can be
    made in parallel, reproducibly."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    tasks = [(folder, i, seed, broken_every) for i in range(n)]
    if jobs > 1:
        import multiprocessing

        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            docs = pool.map(_one, tasks)
    else:
        docs = [_one(t) for t in tasks]
    if pdf_every:
        from pipeline.office import convert_parallel

        chosen = docs[pdf_every - 1::pdf_every]
        for start in range(0, len(chosen), 40):  # LibreOffice is steadier over a few dozen files per start
            part = chosen[start:start + 40]
            made = {p.stem for p in convert_parallel(part, folder, jobs=jobs, timeout=1800)}
            missing = [d.name for d in part if d.stem not in made]
            if missing:
                raise SystemExit(f"LibreOffice did not print {len(missing)} files to PDF: {missing[:5]}")
            for d in part:
                d.unlink()
        docs = sorted(folder.iterdir())
    return docs


if __name__ == "__main__":
    if len(sys.argv) > 1:
        files = write_round(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 0)
    else:
        files = write_round(ROUND, 24)
    print(f"{len(files)} applications written")
