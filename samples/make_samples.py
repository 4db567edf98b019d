"""Make the sample applications reproducibly: a valid one, one per broken rule, several with many problems,
and Word-robustness variants of the valid one. Each sample gets `<name>.expected.json` beside it: the
(code, field) pairs the spec says it must produce, written here by hand, never by running the checker.

Run: python samples/make_samples.py   (the outputs are committed)
"""

from __future__ import annotations

import copy
import io
import json
import random
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "samples"))

import docxfill as fill  # noqa: E402
from docx import Document  # noqa: E402
from docx.oxml import OxmlElement  # noqa: E402
from docx.oxml.ns import qn  # noqa: E402
from docx.shared import Pt  # noqa: E402

from pipeline.calls import Call, load_call, stamp_properties  # noqa: E402
from pipeline.check.values import CREDIT_CHARS, credit_check_char  # noqa: E402
from pipeline.fileio import docx_bytes, write_bytes, write_text  # noqa: E402
from pipeline.render.form import build_form  # noqa: E402

OUT = ROOT / "samples"
APPS = OUT / "applications"
ROBUST = OUT / "robustness"
LEGACY = OUT / "legacy"

# --- fictional data with valid check digits ---------------------------------------------------------

_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def org_code(rng: random.Random) -> str:
    """A GB 11714 organisation code: 8 characters and its check character."""
    body = "".join(rng.choice("0123456789") for _ in range(8))
    s = sum(int(c) * w for c, w in zip(body, _ORG_WEIGHTS, strict=True))
    c9 = 11 - s % 11
    return body + ("X" if c9 == 10 else "0" if c9 == 11 else str(c9))


def credit_code(rng: random.Random, region: str = "310115") -> str:
    """A GB 32100 unified social credit code for a Shanghai enterprise, check digit included."""
    first17 = "91" + region + org_code(rng)
    assert all(c in CREDIT_CHARS for c in first17)
    return first17 + credit_check_char(first17)


RNG = random.Random(2021)
CODES = [credit_code(RNG, region) for region in ("310115", "310112", "310104", "310120", "310117", "310113", "310118")]

SUMMARY = (
    "电机壳体是新能源汽车驱动电机的关键承载件，采用铝合金高压压铸成形，内部气孔和冷隔缺陷直接影响壳体的气密性和疲劳寿命。"
    "2019年初，公司电机壳体压铸一次合格率仅为86.4%，气密性泄漏和X光气孔超标是主要不良，年报废损失超过四百万元，"
    "并多次引起整车客户的质量投诉。\n"
    "项目组以六西格玛DMAIC为主线，联合模具供应商和检测机构，对压铸工艺参数、模具温度场、真空系统和熔炼除气过程进行系统分析。"
    "通过测量系统分析确认X光判定的一致性，运用失效模式与影响分析识别二十三项潜在失效模式，"
    "借助试验设计找出增压压力、慢压射速度和模温三项关键因子并确定最佳窗口，"
    "再以统计过程控制固化过程能力。\n"
    "项目实施后，壳体一次合格率由86.4%提升至97.2%，过程能力指数Cpk由0.82提高到1.46，"
    "气密性泄漏率下降百分之八十以上，三年累计新增销售额三千七百余万元，节约成本四百六十余万元，"
    "形成发明专利一项、实用新型专利两项和企业标准一项，成果已推广到集团内三家压铸工厂。\n"
    "项目的实施使公司建立了以数据为基础的压铸过程质量管理方式，培养了一支掌握统计方法和试验设计的骨干队伍，"
    "为后续一体化压铸大型结构件的开发积累了工艺和质量控制经验。"
)

INNOVATION = (
    "一是建立了压铸件缺陷的分层诊断方法。项目将气孔缺陷按成因分为卷气、析出气和收缩三类，"
    "分别对应压射过程、熔体含氢量和凝固补缩，并把X光图像的缺陷位置与模具热电偶数据逐件关联，"
    "使原来依赖经验的缺陷判断转变为可追溯的数据分析，诊断周期由两周缩短到三天。\n"
    "二是提出了基于响应曲面的多参数协同优化方法。针对增压压力、慢压射速度、高速切换点和模温之间的交互作用，"
    "项目采用中心复合试验设计，建立了气孔面积率的二阶响应模型，给出了兼顾合格率和节拍的工艺窗口，"
    "改变了过去单因素调整、此消彼长的局面。\n"
    "三是开发了压铸过程实时监控与预警系统。系统每模采集压射曲线、真空度和模温等三十余项参数，"
    "采用控制图和多变量统计实时判断过程异常，异常件自动分流复检，实现了由事后检验向过程预防的转变。"
    "该系统已申请发明专利并获得授权。\n"
    "四是形成了模具温度场的闭环调控方法。项目在模具关键部位增设测温点，根据热平衡计算结果优化冷却水路和点冷布置，"
    "并将模温纳入首件确认和巡检项目，使模具热平衡时间缩短了百分之四十，开机废品明显减少。\n"
    "五是建立了跨企业的质量协同改进机制。项目组与模具供应商、材料供应商和整车客户共同制定了压铸件质量协议和联合评审流程，"
    "把关键特性的控制要求逐级传递到供应链，实现了问题的快速响应和经验的共享。\n"
    "六是构建了压铸缺陷知识库。项目把三年来积累的一千二百余个缺陷案例按缺陷类型、部位、成因和对策进行结构化整理，"
    "并与工艺参数记录相互关联，新员工可以按缺陷特征检索到相似案例和已验证的对策，"
    "使缺陷分析由个人经验转变为组织知识，问题关闭周期平均缩短了一半。\n"
    "七是将可靠性试验前移到工艺开发阶段。项目在新产品试制时同步开展壳体的气密性耐久、热冲击和振动试验，"
    "以试验结果反向验证工艺窗口的稳健性，避免了量产后才暴露的批量性缺陷。"
)

METHODS = (
    "项目按照六西格玛DMAIC路径组织实施，各阶段所用方法和取得的成果如下。\n"
    "（一）定义阶段。项目组通过客户之声分析和质量成本统计，确定以电机壳体一次合格率为项目指标，"
    "目标由86.4%提升到95%以上。运用SIPOC图界定了从熔炼、压铸、去毛刺、热处理到机加工和检测的过程范围，"
    "编制了项目章程，明确了团队成员职责和里程碑计划。\n"
    "（二）测量阶段。针对X光检测依赖人工判读的问题，项目组开展了测量系统分析，"
    "选取三十件壳体由三名检验员各判读两次，计数型一致性由初始的78%提升到改进判定标准后的95%。"
    "对气密性检测设备进行了量具重复性和再现性研究，GRR由22%降低到8%。"
    "在此基础上收集了连续三个月、两万余件的过程数据，绘制帕累托图，确认气孔和泄漏占不良的百分之七十二。\n"
    "（三）分析阶段。项目组运用鱼骨图从人、机、料、法、环、测六个方面列出四十一项可能原因，"
    "经失效模式与影响分析评估风险优先数，筛选出十二项高风险因素。"
    "通过相关分析和假设检验，确认熔体含氢量、真空度、增压压力、慢压射速度和模温与气孔面积率显著相关。"
    "对模具温度场进行热成像测量，发现局部热节处温差超过六十度，是收缩气孔集中的主要原因。\n"
    "（四）改进阶段。项目组采用部分因子试验设计对五个因子进行筛选，再以中心复合设计对三个关键因子进行优化，"
    "建立了气孔面积率的响应曲面模型，确定增压压力、慢压射速度和模温的最佳组合，验证批次合格率达到97%以上。"
    "同时改进了旋转除气工艺和真空阀结构，增设模具点冷装置，并运用防错方法在取件和检测工位设置了十四处防错装置，"
    "杜绝了漏检和混料。对于现场管理，推行5S和目视化管理，规范了模具保养和工艺参数变更的审批流程。\n"
    "（五）控制阶段。项目组对关键参数实施统计过程控制，在压铸单元设置均值极差控制图和单值移动极差控制图，"
    "由过程监控系统自动判异并报警；修订了控制计划、作业指导书和点检表，"
    "将试验得到的工艺窗口写入企业标准。连续六个月的跟踪数据显示，一次合格率稳定在97%以上，"
    "过程能力指数Cpk达到1.46。对于仍然存在的少量不良，项目组按照8D方法逐项分析并关闭。\n"
    "（六）推广与固化。项目成果通过公司质量改进例会和精益改善案例库向其他产品线推广，"
    "形成了压铸过程质量控制的标准化作业包，包括工艺参数窗口、模具温度管理、真空系统点检和X光判定标准四部分。"
    "项目组还将价值流分析用于压铸到机加工的物流改善，在制品库存减少了三成。\n"
    "（七）质量功能展开与客户要求的转化。在项目初期，项目组运用质量功能展开把整车客户对壳体的气密性、强度和尺寸要求"
    "逐层分解为零件特性、工艺特性和过程参数，建立了质量屋，明确了气孔面积率、真空度和模温等关键控制特性及其目标值，"
    "为后续的测量和分析确定了方向。\n"
    "（八）过程能力的持续评价。控制阶段结束后，项目组每月计算关键特性的过程能力指数，"
    "对能力下降的参数及时开展原因分析。对季节性的环境温湿度变化，项目组通过试验确认了其对熔体含氢量的影响，"
    "在雨季增加了除气时间和含氢量抽检频次，保证了过程的稳定。\n"
    "（九）经验与体会。项目的成功得益于三个方面：一是管理层的持续支持和资源保障；二是跨部门、跨企业团队的紧密协作；"
    "三是坚持用数据说话，每一项改进措施都经过试验验证和统计检验。项目组认为，统计方法只有与工艺机理相结合，"
    "才能真正找到问题的根本原因，这也是今后开展质量改进项目需要坚持的原则。"
)

SOCIAL = (
    "项目提升了新能源汽车驱动电机关键零部件的质量和可靠性，壳体气密性失效引起的电机返修显著减少，"
    "为整车客户的质量提升和用户安全提供了保障。\n"
    "项目减少了铝合金废品回炉重熔，按年产量测算，每年减少铝液重熔约三百吨，节约天然气约十二万立方米，"
    "减少二氧化碳排放约二百五十吨，具有良好的节能减排效益。\n"
    "项目形成的压铸过程质量控制方法和企业标准已在行业交流中分享，带动了供应链上下游企业质量管理水平的提升，"
    "培养了六西格玛黑带三名、绿带十五名，为企业持续改进积累了人才。\n"
    "项目产品合格率的提高也减少了加班和返工，改善了一线员工的工作条件，员工参与改善的积极性明显提高，"
    "全年提出合理化建议四百余条。"
)

PROMOTION = (
    "项目成果已在公司三条压铸生产线全面应用，并推广到集团内位于嘉定、临港和昆山的三家压铸工厂，"
    "覆盖电机壳体、减速器壳体和电控箱体等十余种产品，推广后各工厂的一次合格率平均提升八个百分点以上。\n"
    "项目形成的过程监控系统已作为标准配置纳入新建压铸单元，X光判定标准和模具温度管理规范被两家模具供应商采用。"
    "公司在行业协会组织的质量技术交流会上两次介绍了项目经验，接待同行企业参观学习六批次，"
    "成果具有在铝合金压铸行业推广应用的价值。\n"
    "下一步，公司将把项目形成的方法推广到新建的一体化压铸车间，并计划与高校合作编写压铸过程质量控制培训教材，"
    "面向供应链企业开展培训，进一步扩大成果的应用范围。"
)

BASIS = (
    "新增销售额按项目实施后合格率提升所增加的可交付壳体数量乘以当年平均销售单价计算；"
    "新增利润按新增销售额乘以该产品当年毛利率扣除相关费用计算；节约成本为废品损失、返修工时和检测费用的减少额，"
    "数据来源于公司财务部年度成本报表，并经财务负责人签字确认。"
)

OPINION = "该项目运用六西格玛方法解决压铸件质量难题，方法应用规范，成效显著，具有推广价值。同意推荐。"


def valid_values() -> dict[str, Any]:
    """The valid application's values, in the shape of Application.values (plus the raw date range)."""
    units = [
        {"name": "上海澄明精密压铸有限公司", "credit_code": CODES[0]},
        {"name": "上海景和模具科技有限公司", "credit_code": CODES[1]},
        {"name": "上海临港智能检测技术研究院", "credit_code": CODES[2]},
    ]
    persons = [
        {"name": "陈国华", "gender": "男", "birth": "1972年4月", "unit": units[0]["name"], "title": "总经理/高级工程师",
         "contribution": "项目总负责人，确定项目目标和总体方案，组织资源并主持各阶段评审。"},
        {"name": "顾文静", "gender": "女", "birth": "1985年9月", "unit": units[0]["name"], "title": "质量部经理/六西格玛黑带",
         "contribution": "项目执行负责人，主持测量系统分析、试验设计和统计过程控制方案的实施。"},
        {"name": "王思远", "gender": "男", "birth": "1988年11月", "unit": units[1]["name"], "title": "模具设计主管/工程师",
         "contribution": "负责模具温度场分析与冷却水路优化设计，完成点冷装置的改进。"},
        {"name": "李晓梅", "gender": "女", "birth": "1990年2月", "unit": units[2]["name"], "title": "检测工程师",
         "contribution": "负责X光检测判定标准和测量系统分析，开发缺陷图像与工艺数据的关联分析方法。"},
        {"name": "赵文博", "gender": "男", "birth": "1993年7月", "unit": units[0]["name"], "title": "工艺工程师",
         "contribution": "负责压铸工艺参数试验和过程监控系统的开发与上线。"},
        {"name": "周敏", "gender": "女", "birth": "1991年5月", "unit": units[0]["name"], "title": "精益专员",
         "contribution": "负责防错装置、目视化管理和控制计划的编制与落实。"},
    ]
    return {
        "project.name": "新能源汽车电机壳体压铸良率提升",
        "project.name_en": "Yield Improvement of Die-Cast Motor Housings for New Energy Vehicles",
        "project.category": "六西格玛",
        "project.industry": "汽车",
        "project.period": "2019年3月至2020年12月",
        "applicant.name": units[0]["name"],
        "applicant.credit_code": CODES[0],
        "applicant.member_no": "210458",
        "applicant.address": "上海市浦东新区秀浦路2888号",
        "applicant.postcode": "201315",
        "contact.name": "顾文静",
        "contact.phone": "021-58126688-806",
        "contact.email": "guwj@chengming-diecast.example.cn",
        "recommender.name": "浦东新区先进制造质量促进会",
        "units": units,
        "persons": persons,
        "summary": SUMMARY,
        "innovation": INNOVATION,
        "methods": METHODS,
        "benefits.years": [
            {"year": "2018", "sales": "", "profit": "", "savings": "35.5"},
            {"year": "2019", "sales": "1,280.0", "profit": "215.6", "savings": "142.3"},
            {"year": "2020", "sales": "2460.5万元", "profit": "438.2", "savings": "286.7"},
        ],
        "benefits.total": {"sales": "3740.5", "profit": "653.8", "savings": "464.5"},
        "benefits.basis": BASIS,
        "social_benefits": SOCIAL,
        "promotion": PROMOTION,
        "ip": [
            {"kind": "发明专利", "name": "一种铝合金压铸过程气孔缺陷在线预警方法", "number": "ZL202010358246.1", "date": "2021年3月16日"},
            {"kind": "实用新型专利", "name": "一种压铸模具局部点冷装置", "number": "ZL201921874512.3", "date": "2020年6月2日"},
            {"kind": "实用新型专利", "name": "一种压铸件取件防错检测工装", "number": "ZL202020145738.5", "date": "2020年11月20日"},
            {"kind": "企业标准", "name": "新能源汽车电机壳体压铸过程控制规范", "number": "Q/CMYZ 012-2020", "date": "2020年12月28日"},
        ],
        "attachments": ["应用证明", "效益证明", "评价或鉴定证明", "知识产权证明"],
        "declaration.signatory": "陈国华",
        "declaration.date": "2021年6月28日",
        "recommender.opinion": OPINION,
    }


# --- filling the blank form -----------------------------------------------------------------------

def fill_form(call: Call, v: dict[str, Any], identifier: str | None = None) -> Any:
    """The blank form of the call, filled with these values as a person would in Word."""
    doc = build_form(call)
    if identifier is not None:
        stamp_properties(doc.core_properties, identifier, call.form_version)
    for s in call.sections:
        if s.kind == "fields":
            tables = [fill.section_table(doc, s.title)]
            for spec in s.fields:
                key = "project.period" if spec.type == "date_range" else spec.id
                value = v.get(key, "")
                hit = fill.label_cell(doc, spec.label, tables)
                assert hit is not None, spec.label
                cell = hit[2][hit[3] + 1]
                if spec.widget == "choice":
                    chosen = value if isinstance(value, list) else [value] if value else []
                    options = list(call.enum_values(spec.enum))
                    if all(c in options for c in chosen):
                        fill.tick_options(cell, chosen)
                    else:
                        fill.set_cell_text(cell, "、".join(chosen))
                elif value:
                    fill.set_cell_text(cell, value)
        elif s.kind == "text":
            assert s.spec is not None
            if v.get(s.spec.id):
                fill.set_cell_text(fill.heading_box(doc, s.title), v[s.spec.id])
        elif s.kind == "table":
            assert s.field is not None
            if s.years:
                fill_benefits(doc, call, v)
                continue
            rows = v.get(s.field) or []
            table, hr, idx = fill.header_row(doc, [c.label for c in s.columns])
            fill.ensure_rows(table, hr + 1, len(rows))
            for i, row in enumerate(rows):
                cells = fill.unique_cells(table.rows[hr + 1 + i])
                for c in s.columns:
                    if c.auto == "rank":
                        fill.set_cell_text(cells[idx[c.label]], str(i + 1))
                    elif row.get(c.id):
                        fill.set_cell_text(cells[idx[c.label]], row[c.id])
        elif s.kind == "checklist":
            for item in s.items:
                fill.tick_item(doc, item.label, item.label in v.get("attachments", []))
    return doc


def fill_benefits(doc: Any, call: Call, v: dict[str, Any]) -> None:
    """The benefits table: one row per year, the total row, the basis."""
    s = call.section("benefits")
    table, hr, idx = fill.header_row(doc, [c.label for c in s.columns])
    by_year = {r["year"]: r for r in v.get("benefits.years", [])}
    for row in table.rows[hr + 1:]:
        cells = fill.unique_cells(row)
        first = fill.norm(cells[0].text)
        data = by_year.get(first) or (v.get("benefits.total") if first == s.total_label else None)
        if data is None:
            continue
        for c in s.columns[1:]:
            if data.get(c.id):
                fill.set_cell_text(cells[idx[c.label]], data[c.id])
    if v.get("benefits.basis") and s.basis is not None:
        fill.set_field(doc, s.basis.label, v["benefits.basis"])


# --- the samples ------------------------------------------------------------------------------------

Change = Callable[[dict[str, Any]], None]


def setv(key: str, value: Any) -> Change:
    """A change that sets one value."""
    def change(v: dict[str, Any]) -> None:
        v[key] = value
    return change


def setrow(key: str, i: int, col: str, value: str) -> Change:
    """A change that sets one cell of a table."""
    def change(v: dict[str, Any]) -> None:
        v[key][i][col] = value
    return change


def both(*changes: Change) -> Change:
    """Several changes at once."""
    def change(v: dict[str, Any]) -> None:
        for c in changes:
            c(v)
    return change


def _wide(text: str) -> str:
    """Full-width forms of ASCII text (２１０４５８, ＠), as a Chinese input method in full-width mode types it."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def _bad_checksum(code: str) -> str:
    last = CREDIT_CHARS[(CREDIT_CHARS.index(code[-1]) + 7) % 31]
    return code[:-1] + last


LONG_ADDRESS = "上海市浦东新区秀浦路2888号" * 8
CASES: list[tuple[str, str, Change, list[tuple[str, str | None]]]] = [
    ("valid", "一份完整、正确的申报书", lambda v: None, []),
    ("no-recommender", "没有推荐单位（推荐意见可不填）",
     both(setv("recommender.name", ""), setv("recommender.opinion", "")), []),
    ("project-name-missing", "项目名称为空", setv("project.name", ""), [("field.required", "project.name")]),
    ("project-name-too-long", "项目名称超过30字",
     setv("project.name", "基于六西格玛与统计过程控制的新能源汽车驱动电机铝合金壳体高压压铸良率提升项目"),
     [("field.too_long", "project.name")]),
    ("project-name-two-lines", "项目名称换行", setv("project.name", "新能源汽车电机壳体\n压铸良率提升"),
     [("field.pattern", "project.name")]),
    ("name-en-not-ascii", "英文名称含中文", setv("project.name_en", "Yield Improvement 良率提升"),
     [("field.pattern", "project.name_en")]),
    ("category-not-allowed", "项目类别不是可选值", setv("project.category", "质量改进"),
     [("field.enum", "project.category")]),
    ("category-two-ticked", "项目类别勾选了两项", setv("project.category", ["六西格玛", "精益管理"]),
     [("field.enum", "project.category")]),
    ("industry-not-ticked", "所属领域未勾选", setv("project.industry", ""), [("field.required", "project.industry")]),
    ("period-unreadable", "起止时间无法识别", setv("project.period", "三年左右"),
     [("field.date_invalid", "project.start_date")]),
    ("period-bad-month", "起止时间月份无效", setv("project.period", "2019年13月至2020年12月"),
     [("field.date_invalid", "project.start_date")]),
    ("period-reversed", "结束早于开始", setv("project.period", "2020年12月 - 2019年3月"),
     [("field.date_order", "project.end_date")]),
    ("period-ends-late", "结束时间晚于2021年7月31日", setv("project.period", "2019.3~2021.9"),
     [("field.date_window", "project.end_date")]),
    ("period-ends-early", "结束时间早于2018年1月1日", setv("project.period", "2016/3/1至2017/10/31"),
     [("field.date_window", "project.end_date")]),
    ("period-short", "实施周期不足6个月（警告）", setv("project.period", "2020-09到2020-12"),
     [("field.duration", "project.end_date")]),
    ("applicant-too-long", "申报单位超过50字（与第一完成单位也不一致）",
     setv("applicant.name", "上海澄明精密压铸有限公司" * 5),
     [("field.too_long", "applicant.name"), ("field.consistency", "units[0].name")]),
    ("credit-code-format", "统一社会信用代码含字母O", setv("applicant.credit_code", "91310115MA1K4OBC2X"),
     [("field.pattern", "applicant.credit_code")]),
    ("credit-code-checksum", "统一社会信用代码校验位错误", setv("applicant.credit_code", _bad_checksum(CODES[0])),
     [("field.checksum", "applicant.credit_code")]),
    ("member-no-format", "会员编号不是6位", setv("applicant.member_no", "21045"), [("field.pattern", "applicant.member_no")]),
    ("address-too-long", "通讯地址超过100字", setv("applicant.address", LONG_ADDRESS),
     [("field.too_long", "applicant.address")]),
    ("postcode-format", "邮政编码不是6位数字", setv("applicant.postcode", "20131"), [("field.pattern", "applicant.postcode")]),
    ("contact-missing", "联系人为空", setv("contact.name", ""), [("field.required", "contact.name")]),
    ("phone-format", "联系电话格式错误", setv("contact.phone", "139162847"), [("field.pattern", "contact.phone")]),
    ("email-format", "电子邮箱格式错误", setv("contact.email", "guwj at chengming"), [("field.pattern", "contact.email")]),
    ("units-first-not-applicant", "第一完成单位不是申报单位",
     lambda v: v["units"].reverse(), [("field.consistency", "units[0].name")]),
    ("units-duplicate", "完成单位重复", lambda v: v["units"].append(dict(v["units"][1])),
     [("field.duplicate", "units[3].name")]),
    ("units-too-many", "完成单位超过5个（加了行）",
     lambda v: v["units"].extend({"name": f"上海协作单位{i}有限公司", "credit_code": CODES[3 + i % 4]} for i in range(3)),
     [("field.too_many", "units")]),
    ("unit-credit-checksum", "完成单位信用代码校验位错误", setrow("units", 1, "credit_code", _bad_checksum(CODES[1])),
     [("field.checksum", "units[1].credit_code")]),
    ("unit-credit-missing", "完成单位信用代码为空", setrow("units", 2, "credit_code", ""),
     [("field.required", "units[2].credit_code")]),
    ("person-gender", "性别填写错误", setrow("persons", 1, "gender", "F"), [("field.enum", "persons[1].gender")]),
    ("person-birth-invalid", "出生年月无效", setrow("persons", 2, "birth", "1988年"),
     [("field.date_invalid", "persons[2].birth")]),
    ("person-too-old", "完成人年龄超过80岁", setrow("persons", 3, "birth", "1938年4月"),
     [("field.date_window", "persons[3].birth")]),
    ("person-too-young", "完成人不满18岁", setrow("persons", 4, "birth", "2004年1月"),
     [("field.date_window", "persons[4].birth")]),
    ("person-unit-unknown", "完成人工作单位不在完成单位中", setrow("persons", 1, "unit", "上海澄明压铸公司"),
     [("field.cross_ref", "persons[1].unit")]),
    ("person-duplicate", "同一完成人填写两次", lambda v: v["persons"].append(dict(v["persons"][0])),
     [("field.duplicate", "persons[6].name")]),
    ("persons-too-many", "完成人超过10人（加了行）",
     lambda v: v["persons"].extend(
         {"name": f"钱{n}", "gender": "男", "birth": f"198{i}年{i + 1}月", "unit": v["units"][0]["name"],
          "contribution": "参与工艺试验。"} for i, n in enumerate(["志强", "立军", "海涛", "俊杰", "永康"])),
     [("field.too_many", "persons")]),
    ("persons-empty", "没有填写完成人", setv("persons", []), [("field.too_few", "persons")]),
    ("person-name-missing", "完成人姓名为空", setrow("persons", 2, "name", ""), [("field.required", "persons[2].name")]),
    ("person-contribution-too-long", "主要贡献超过200字", setrow("persons", 0, "contribution", "负责项目总体策划。" * 25),
     [("field.too_long", "persons[0].contribution")]),
    ("person-title-too-long", "职务/职称超过30字", setrow("persons", 5, "title", "精益专员" * 8),
     [("field.too_long", "persons[5].title")]),
    ("summary-short", "项目简介少于200字（警告）", setv("summary", SUMMARY[:150]), [("field.too_short", "summary")]),
    ("summary-too-long", "项目简介超过1000字", setv("summary", SUMMARY * 3), [("field.too_long", "summary")]),
    ("innovation-missing", "主要创新点为空", setv("innovation", ""), [("field.required", "innovation")]),
    ("methods-no-keywords", "未写明质量技术方法（警告）",
     setv("methods", "项目组成立后，经过多次讨论，调整了生产安排，加强了现场管理和人员培训，产品合格率明显提高。"),
     [("content.keywords_missing", "methods")]),
    ("methods-too-long", "质量技术方法应用情况超过3000字", setv("methods", METHODS * 4), [("field.too_long", "methods")]),
    ("social-missing", "社会效益为空", setv("social_benefits", ""), [("field.required", "social_benefits")]),
    ("promotion-too-long", "推广应用情况超过1000字", setv("promotion", PROMOTION * 5), [("field.too_long", "promotion")]),
    ("benefit-not-number", "经济效益不是数字", setrow("benefits.years", 1, "sales", "约一千万"),
     [("field.number", "benefits.years[1].sales")]),
    ("benefit-negative", "经济效益为负数", setrow("benefits.years", 0, "savings", "-35.5"),
     [("field.number", "benefits.years[0].savings")]),
    ("benefit-sum-mismatch", "累计不等于各年度之和", lambda v: v["benefits.total"].update(profit="700"),
     [("field.sum_mismatch", "benefits.total.profit")]),
    ("benefit-no-basis", "有经济效益但未填计算依据", setv("benefits.basis", ""), [("field.required", "benefits.basis")]),
    ("ip-kind", "知识产权类别不是可选值", setrow("ip", 0, "kind", "专利"), [("field.enum", "ip[0].kind")]),
    ("ip-date-late", "知识产权日期晚于截止日", setrow("ip", 1, "date", "2021年9月1日"), [("field.date_window", "ip[1].date")]),
    ("ip-date-invalid", "知识产权日期无效", setrow("ip", 2, "date", "2020年2月30日"), [("field.date_invalid", "ip[2].date")]),
    ("ip-name-missing", "知识产权名称为空", setrow("ip", 3, "name", ""), [("field.required", "ip[3].name")]),
    ("attachment-application-proof", "未勾选应用证明", lambda v: v["attachments"].remove("应用证明"),
     [("attachment.missing", "attachments.application_proof")]),
    ("attachment-benefit-proof", "有经济效益但未勾选效益证明", lambda v: v["attachments"].remove("效益证明"),
     [("attachment.missing", "attachments.benefit_proof")]),
    ("attachment-ip-proof", "有知识产权但未勾选知识产权证明", lambda v: v["attachments"].remove("知识产权证明"),
     [("attachment.missing", "attachments.ip_proof")]),
    ("declaration-unsigned", "负责人未签字", setv("declaration.signatory", ""), [("field.required", "declaration.signatory")]),
    ("declaration-date-late", "承诺日期晚于截止日", setv("declaration.date", "2021年8月5日"),
     [("field.date_window", "declaration.date")]),
    ("declaration-date-invalid", "承诺日期无效", setv("declaration.date", "2021年6月31日"),
     [("field.date_invalid", "declaration.date")]),
    ("recommender-opinion-missing", "有推荐单位但无推荐意见", setv("recommender.opinion", ""),
     [("field.required", "recommender.opinion")]),
    ("recommender-opinion-too-long", "推荐意见超过600字", setv("recommender.opinion", OPINION * 14),
     [("field.too_long", "recommender.opinion")]),
    ("several-problems-1", "多处问题：名称过长、电话错误、完成人单位不符、未勾选应用证明",
     both(setv("project.name", "基于六西格玛与统计过程控制的新能源汽车驱动电机铝合金壳体高压压铸良率提升项目"),
          setv("contact.phone", "021-58126"), setrow("persons", 3, "unit", "临港检测研究院"),
          lambda v: v["attachments"].remove("应用证明")),
     [("field.too_long", "project.name"), ("field.pattern", "contact.phone"), ("field.cross_ref", "persons[3].unit"),
      ("attachment.missing", "attachments.application_proof")]),
    ("several-problems-2", "多处问题：结束早于开始、累计不符、无签字、简介偏短",
     both(setv("project.period", "2021年1月至2020年6月"), lambda v: v["benefits.total"].update(sales="3000"),
          setv("declaration.signatory", ""), setv("summary", SUMMARY[:120])),
     [("field.date_order", "project.end_date"), ("field.sum_mismatch", "benefits.total.sales"),
      ("field.required", "declaration.signatory"), ("field.too_short", "summary")]),
    # call-2021.md §2, what a person writes is read as a person reads it: codes and numbers after NFKC, dates in
    # Chinese numerals, and "nothing" (无, —, /) as a blank
    ("fullwidth-numbers", "会员编号、邮政编码、电话、电子邮箱和统一社会信用代码用全角字符填写",
     lambda v: v.update({k: _wide(v[k]) for k in ("applicant.member_no", "applicant.postcode", "contact.phone",
                                                   "contact.email", "applicant.credit_code")},
                        units=[dict(u, credit_code=_wide(u["credit_code"])) for u in v["units"]]), []),
    ("chinese-numeral-dates", "日期用中文数字填写（二〇二一年六月二十八日、一九八五年九月）",
     both(setv("declaration.date", "二〇二一年六月二十八日"), setrow("persons", 1, "birth", "一九八五年九月"),
          setv("project.period", "二〇一九年三月至二〇二〇年十二月"), setrow("ip", 0, "date", "二零二一年三月十六日")), []),
    ("nothing-in-optional", "选填项写“无”：推荐单位、英文名称、推荐意见、知识产权表（无须知识产权证明）",
     both(setv("recommender.name", "无"), setv("project.name_en", "无"), setv("recommender.opinion", "无"),
          setrow("persons", 4, "title", "—"),
          setv("ip", [{"kind": "无", "name": "无", "number": "无", "date": "无"}, {"kind": "无"}, {"kind": "/"}]),
          lambda v: v["attachments"].remove("知识产权证明")), []),
    ("nothing-in-required", "必填项写“无”：联系人", setv("contact.name", "无"), [("field.required", "contact.name")]),
]

BLANK_EXPECTED: list[tuple[str, str | None]] = [
    ("field.required", f) for f in (
        "project.name", "project.category", "project.industry", "project.start_date", "project.end_date",
        "applicant.name", "applicant.credit_code", "applicant.member_no", "applicant.address", "applicant.postcode",
        "contact.name", "contact.phone", "contact.email", "summary", "innovation", "methods", "social_benefits",
        "promotion", "declaration.signatory", "declaration.date")
] + [("field.too_few", "units"), ("field.too_few", "persons"), ("attachment.missing", "attachments.application_proof")]


# --- Word-robustness variants of the valid application ----------------------------------------------

def spaced_labels(doc: Any, call: Call) -> None:
    """Spaces inside labels (项 目 名 称), as people 'align' them."""
    labels = {f.label for s in call.sections for f in s.fields}
    for t in doc.tables:
        for row in t.rows:
            for c in fill.unique_cells(row):
                p = c.paragraphs[0]
                if fill.norm(p.text) in labels and len(p.text) <= 8:
                    text = " ".join(fill.norm(p.text))
                    for r in p.runs[1:]:
                        r._r.getparent().remove(r._r)
                    p.runs[0].text = text


def value_in_label_cell(doc: Any, call: Call) -> None:
    """Values typed after the label in its own cell (either colon), the value cell left empty."""
    for label, colon in (("项目名称", "："), ("联系人", ":"), ("电子邮箱", "： "), ("会员编号", " ")):
        hit = fill.label_cell(doc, label)
        assert hit is not None
        _, _, cells, i = hit
        value = cells[i + 1].text
        fill.set_cell_text(cells[i + 1], "")
        cells[i].paragraphs[0].add_run(colon + value)


def controls_removed(doc: Any, call: Call) -> None:
    """Every content control removed, its content kept (what 'Remove content control' does)."""
    body = doc.element.body
    for sdt in list(body.iter(qn("w:sdt"))):
        content = sdt.find(qn("w:sdtContent"))
        parent = sdt.getparent()
        if content is None or parent is None:
            continue
        pos = parent.index(sdt)
        for k, child in enumerate(list(content)):
            parent.insert(pos + k, child)
        parent.remove(sdt)


def merged_cells(doc: Any, call: Call) -> None:
    """Two persons of the same unit with the unit cell merged vertically; rank cells merged too."""
    s = call.section("persons")
    table, hr, idx = fill.header_row(doc, [c.label for c in s.columns])
    col = idx["工作单位"]
    upper = fill.unique_cells(table.rows[hr + 1])[col]
    lower = fill.unique_cells(table.rows[hr + 2])[col]
    fill.set_cell_text(lower, "")
    upper.merge(lower)


def rows_added_deleted(doc: Any, call: Call) -> None:
    """Unused rows deleted, an empty row inserted in the middle, extra empty rows at the end of the IP table."""
    for sid in ("units", "persons", "ip"):
        s = call.section(sid)
        table, hr, _ = fill.header_row(doc, [c.label for c in s.columns])
        for row in list(table.rows[hr + 1:]):
            cells = fill.unique_cells(row)
            if all(not c.text.strip() or (k == 0 and c.text.strip().isdigit()) for k, c in enumerate(cells)):
                row._tr.getparent().remove(row._tr)
    s = call.section("persons")
    table, hr, _ = fill.header_row(doc, [c.label for c in s.columns])
    blank = copy.deepcopy(table.rows[hr + 2]._tr)
    for t in blank.iter(qn("w:t")):
        t.text = ""
    table.rows[hr + 2]._tr.addnext(blank)
    s = call.section("ip")
    table, hr, _ = fill.header_row(doc, [c.label for c in s.columns])
    for _ in range(3):
        extra = copy.deepcopy(table.rows[-1]._tr)
        for t in extra.iter(qn("w:t")):
            t.text = ""
        table.rows[-1]._tr.addnext(extra)


def pasted_fonts(doc: Any, call: Call) -> None:
    """Values pasted from elsewhere: split into runs of other fonts, sizes, bold and colours."""
    fonts = ["Arial", "微软雅黑", "Calibri", "楷体"]
    for t in doc.tables:
        for row in t.rows:
            for c in fill.unique_cells(row):
                for p in c.paragraphs:
                    if len(p.runs) != 1 or len(p.text) < 6:
                        continue
                    text = p.runs[0].text
                    p.runs[0].text = text[: len(text) // 2]
                    r = p.add_run(text[len(text) // 2:])
                    r.font.name = fonts[len(text) % len(fonts)]
                    r._r.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), fonts[len(text) % len(fonts)])
                    r.font.size = Pt(11 + len(text) % 5)  # never below the minimum body size (五号)
                    r.bold = len(text) % 2 == 0


def signature_picture(doc: Any, call: Call) -> None:
    """The signatory cell holds a picture of the signature instead of a typed name."""
    from docx.shared import Cm

    hit = fill.label_cell(doc, "负责人签字")
    assert hit is not None
    _, _, cells, i = hit
    fill.set_cell_text(cells[i + 1], "")
    png = (ROOT / "samples" / "assets" / "signature.png").read_bytes()
    cells[i + 1].paragraphs[0].add_run().add_picture(io.BytesIO(png), width=Cm(3))


def retyped(call: Call, v: dict[str, Any]) -> Any:
    """The form retyped from scratch in a new document: headings, `label：value` paragraphs, plain tables."""
    from docx.shared import Mm

    doc = Document()
    doc.sections[0].page_width, doc.sections[0].page_height = Mm(210), Mm(297)  # A4, not python-docx's Letter
    doc.add_paragraph(call.form_title)
    for s in call.sections:
        doc.add_paragraph(s.title)
        if s.kind == "fields":
            for spec in s.fields:
                key = "project.period" if spec.type == "date_range" else spec.id
                doc.add_paragraph(f"{spec.label}：{v.get(key, '')}")
        elif s.kind == "text":
            assert s.spec is not None
            for line in v[s.spec.id].split("\n"):
                doc.add_paragraph(line)
        elif s.kind == "checklist":
            doc.add_paragraph("　".join(("☑" if i.label in v["attachments"] else "☐") + i.label for i in s.items))
        elif s.kind == "table":
            assert s.field is not None
            rows = v.get(s.field) or []
            if s.years:
                rows = [*rows, {"year": s.total_label, **v["benefits.total"]}]
            table = doc.add_table(rows=1 + len(rows), cols=len(s.columns))
            table.style = "Table Grid"
            for k, c in enumerate(s.columns):
                table.cell(0, k).text = c.label
            for i, row in enumerate(rows):
                for k, c in enumerate(s.columns):
                    table.cell(i + 1, k).text = str(i + 1) if c.auto == "rank" else row.get(c.id, "")
            if s.basis is not None:
                doc.add_paragraph(f"{s.basis.label}：{v['benefits.basis']}")
    return doc


# --- how people really fill the Word form: ticks, tracked changes, split tables (call-2021.md §2) ----------

def _checkboxes(el: Any) -> list[Any]:
    """The check box content controls inside an element, in document order."""
    return [x for x in el.iter(qn("w:sdt")) if x.find(f".//{{{fill.W14}}}checkbox") is not None]


def _is_checked(sdt: Any) -> bool:
    return any(c.get(f"{{{fill.W14}}}val") == "1" for c in sdt.iter(f"{{{fill.W14}}}checked"))


def _text_run(text: str, deleted: bool = False, font: str | None = None) -> Any:
    """A w:r holding text (w:delText when it was deleted), optionally in a symbol font."""
    r = OxmlElement("w:r")
    if font:
        r_pr = OxmlElement("w:rPr")
        fonts = OxmlElement("w:rFonts")
        for key in ("ascii", "hAnsi"):
            fonts.set(qn(f"w:{key}"), font)
        r_pr.append(fonts)
        r.append(r_pr)
    t = OxmlElement("w:delText" if deleted else "w:t")
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    t.text = text
    r.append(t)
    return r


def _choice_cells(doc: Any, call: Call) -> list[Any]:
    """The value cells of the single choices (项目类别, 所属领域)."""
    out = []
    for s in call.sections:
        for spec in s.fields:
            if spec.widget == "choice":
                hit = fill.label_cell(doc, spec.label)
                assert hit is not None
                out.append(hit[2][hit[3] + 1])
    return out


def _attachment_rows(doc: Any, call: Call) -> list[tuple[str, list[Any]]]:
    """Each attachment item with the cells of its row (选择, 附件名称, 说明)."""
    out = []
    for item in call.section("attachments").items:
        hit = fill.label_cell(doc, item.label)
        assert hit is not None
        out.append((item.label, hit[2]))
    return out


def ticks_in_note_column(doc: Any, call: Call) -> None:
    """WPS, where the check box does not toggle: the ☐ left alone, √ / 是 / 有 typed in the 说明 column of the
    attachment rows; the categories ticked by a √ typed before the option or right after it."""
    typed = {"应用证明": "√", "效益证明": "是", "评价或鉴定证明": "有。"}
    for label, cells in _attachment_rows(doc, call):
        box = _checkboxes(cells[0]._tc)[0]
        if not _is_checked(box):
            continue
        fill.set_checkbox(box, False)
        note = cells[2]
        fill.set_cell_text(note, typed.get(label, note.text + "　√"))
    before, after = _choice_cells(doc, call)
    for sdt in _checkboxes(before._tc):
        if _is_checked(sdt):
            fill.set_checkbox(sdt, False)
            sdt.addnext(_text_run("√"))
    for sdt in _checkboxes(after._tc):
        if _is_checked(sdt):
            fill.set_checkbox(sdt, False)
            t = sdt.getnext().find(qn("w:t"))
            option = t.text.rstrip("\u3000")
            t.text = option + "√" + t.text[len(option):]


_MARKS = {"项目类别": "■", "所属领域": "X", "应用证明": "X", "效益证明": "✓", "评价或鉴定证明": "■",
          "知识产权证明": "✔"}


def ticks_as_marks(doc: Any, call: Call) -> None:
    """Each ticked box replaced by a mark typed in its place (■, ✓, ✔ or an X); the unticked controls left."""
    category, industry = _choice_cells(doc, call)
    cells = [("项目类别", category), ("所属领域", industry)]
    cells += [(label, row[0]) for label, row in _attachment_rows(doc, call)]
    for label, cell in cells:
        for sdt in _checkboxes(cell._tc):
            if _is_checked(sdt):
                sdt.addprevious(_text_run(_MARKS[label]))
                sdt.getparent().remove(sdt)


def checkbox_state_only(doc: Any, call: Call) -> None:
    """Check boxes ticked in their state (w14:checked) only, the glyph left at ☐, as a macro or another program
    that sets a control's value leaves them (Word shows ☐ until the box is clicked again)."""
    for sdt in _checkboxes(doc.element.body):
        if _is_checked(sdt):
            for t in sdt.iter(qn("w:t")):
                t.text = fill.UNCHECKED


def ticks_in_symbol_fonts(doc: Any, call: Call) -> None:
    """Boxes made with symbol fonts: Insert > Symbol (w:sym, Wingdings 2 ☑) for the choices, and typed R / £ in
    Wingdings 2 (☑ / □) for the attachment list, as many forms advise; the controls removed."""
    for cell in _choice_cells(doc, call):
        for sdt in _checkboxes(cell._tc):
            r = OxmlElement("w:r")
            sym = OxmlElement("w:sym")
            sym.set(qn("w:font"), "Wingdings 2")
            sym.set(qn("w:char"), "F052" if _is_checked(sdt) else "F0A3")
            r.append(sym)
            sdt.addprevious(r)
            sdt.getparent().remove(sdt)
    for _, row in _attachment_rows(doc, call):
        for sdt in _checkboxes(row[0]._tc):
            sdt.addprevious(_text_run("R" if _is_checked(sdt) else "£", font="Wingdings 2"))
            sdt.getparent().remove(sdt)


def legacy_checkboxes(doc: Any, call: Call) -> None:
    """The check box content controls replaced by legacy check box form fields (FORMCHECKBOX), as in forms made
    with older Word versions: the state is in w:ffData, no glyph in the text at all."""
    for sdt in _checkboxes(doc.element.body):
        checked = _is_checked(sdt)
        begin = OxmlElement("w:r")
        fld = OxmlElement("w:fldChar")
        fld.set(qn("w:fldCharType"), "begin")
        ff = OxmlElement("w:ffData")
        for tag, val in (("w:name", ""), ("w:enabled", None)):
            el = OxmlElement(tag)
            if val is not None:
                el.set(qn("w:val"), val)
            ff.append(el)
        box = OxmlElement("w:checkBox")
        box.append(OxmlElement("w:sizeAuto"))
        default = OxmlElement("w:default")
        default.set(qn("w:val"), "0")
        box.append(default)
        if checked:
            box.append(OxmlElement("w:checked"))
        ff.append(box)
        fld.append(ff)
        begin.append(fld)
        instr = OxmlElement("w:r")
        code = OxmlElement("w:instrText")
        code.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        code.text = " FORMCHECKBOX "
        instr.append(code)
        runs = [begin, instr]
        for kind in ("separate", "end"):
            r = OxmlElement("w:r")
            f = OxmlElement("w:fldChar")
            f.set(qn("w:fldCharType"), kind)
            r.append(f)
            runs.append(r)
        for r in runs:
            sdt.addprevious(r)
        sdt.getparent().remove(sdt)


class _Revisions:
    """Tracked-change marks as Word writes them: w:ins, w:del, w:moveFrom, w:moveTo with an id, author, date."""

    def __init__(self) -> None:
        self.n = 0

    def mark(self, tag: str, *children: Any) -> Any:
        self.n += 1
        el = OxmlElement(f"w:{tag}")
        el.set(qn("w:id"), str(self.n))
        el.set(qn("w:author"), "顾文静")
        el.set(qn("w:date"), "2021-06-20T09:30:00Z")
        for c in children:
            el.append(c)
        return el

    def inserted(self, p: Any) -> None:
        """Wrap a paragraph's runs in w:ins (typed with track changes on)."""
        self.wrap(p, "ins")

    def wrap(self, p: Any, tag: str) -> None:
        """Put a paragraph's runs in one tracked-change mark, where they stand."""
        runs = [r for r in p if r.tag == qn("w:r")]
        if runs:
            mark = self.mark(tag)
            runs[0].addprevious(mark)
            for r in runs:
                mark.append(r)

    def deleted_row(self, tr: Any) -> None:
        """Mark a row deleted: w:trPr/w:del, and its text as deleted text."""
        tr_pr = tr.find(qn("w:trPr"))
        if tr_pr is None:
            tr_pr = OxmlElement("w:trPr")
            tr.insert(0, tr_pr)
        tr_pr.append(self.mark("del"))
        for p in tr.iter(qn("w:p")):
            for t in p.iter(qn("w:t")):
                t.tag = qn("w:delText")
            self.wrap(p, "del")

    def mark_deleted(self, p: Any) -> None:
        """Delete a paragraph's mark (the paragraph joins the next one once accepted)."""
        p_pr = p.get_or_add_pPr()
        r_pr = p_pr.find(qn("w:rPr"))
        if r_pr is None:
            r_pr = OxmlElement("w:rPr")
            p_pr.append(r_pr)
        r_pr.append(self.mark("del"))


def _tracking_on(doc: Any) -> None:
    """Track changes on, the document saved in Word's No Markup view (what Simple Markup prints too): Word and
    LibreOffice show and print the text as if the changes were accepted."""
    settings = doc.settings.element
    view = OxmlElement("w:revisionView")
    view.set(qn("w:markup"), "0")
    view.set(qn("w:insDel"), "0")
    anchor = settings.find(qn("w:defaultTabStop"))
    for el in (view, OxmlElement("w:trackRevisions")):
        if anchor is not None:
            anchor.addprevious(el)
        else:
            settings.append(el)


def _split_paragraph(p: Any, at: int) -> Any:
    """Split a one-run paragraph after `at` characters (as Enter does); the new first part is returned."""
    first = copy.deepcopy(p)
    text = "".join(t.text or "" for t in p.iter(qn("w:t")))
    for el, part in ((first, text[:at]), (p, text[at:])):
        ts = list(el.iter(qn("w:t")))
        ts[0].text = part
        for t in ts[1:]:
            t.text = ""
    p.addprevious(first)
    return first


def tracked_changes(doc: Any, call: Call) -> None:
    """Values typed with track changes on and never accepted: inserted runs, a wrong value deleted and retyped,
    a moved word, an inserted persons row, a deleted persons row and a deleted empty row, paragraph marks deleted
    (a heading's hint, a summary paragraph), deleted text in a box, and a comment."""
    _tracking_on(doc)
    rev = _Revisions()
    name = fill.label_cell(doc, "项目名称", [fill.section_table(doc, "一、项目基本情况")])
    assert name is not None
    rev.inserted(name[2][name[3] + 1].paragraphs[0]._p)
    for label, wrong, title in (("联系电话", "021-58126688-808", "一、项目基本情况"),
                                ("日期", "2021年6月26日", "十二、申报单位承诺")):
        hit = fill.label_cell(doc, label, [fill.section_table(doc, title)])
        assert hit is not None
        p = hit[2][hit[3] + 1].paragraphs[0]._p
        rev.inserted(p)
        p.find(qn("w:ins")).addprevious(rev.mark("del", _text_run(wrong, deleted=True)))
    # 上海市|浦东新区|秀浦路2888号: the district moved from the end of the address to its place
    cell = fill.set_field(doc, "通讯地址", "上海市")
    p = cell.paragraphs[0]._p
    for kind, text in (("moveTo", "浦东新区"), (None, "秀浦路2888号"), ("moveFrom", "浦东新区")):
        if kind is None:
            p.append(_text_run(text))
            continue
        start, end = OxmlElement(f"w:{kind}RangeStart"), OxmlElement(f"w:{kind}RangeEnd")
        start.set(qn("w:id"), str(900 + len(kind)))
        start.set(qn("w:name"), "move1")
        end.set(qn("w:id"), str(900 + len(kind)))
        p.append(start)
        p.append(rev.mark(kind, _text_run(text)))
        p.append(end)

    s = call.section("persons")
    table, hr, _ = fill.header_row(doc, [c.label for c in s.columns])
    rows = table.rows
    for c in fill.unique_cells(rows[hr + 6]):
        for para in c.paragraphs:
            rev.inserted(para._p)
    tr_pr = rows[hr + 6]._tr.get_or_add_trPr()
    tr_pr.append(rev.mark("ins"))
    wrong = copy.deepcopy(rows[hr + 2]._tr)
    for t, text in zip(wrong.iter(qn("w:t")), ("3", "王思源", "男", "1988年10月"), strict=False):
        t.text = text
    rows[hr + 2]._tr.addnext(wrong)
    rev.deleted_row(wrong)
    rev.deleted_row(table.rows[hr + 9]._tr)  # an empty row (rank 8 after the deleted one) deleted

    heading = next(p for p in doc.paragraphs if p.text.startswith("八、社会效益"))
    hint = heading.runs[-1]._r
    copy_p = copy.deepcopy(heading._p)
    for r in list(copy_p.findall(qn("w:r")))[:-1]:
        copy_p.remove(r)
    heading._p.remove(hint)
    heading._p.addnext(copy_p)
    rev.mark_deleted(heading._p)
    first = fill.heading_box(doc, "四、项目简介").paragraphs[0]._p
    rev.mark_deleted(_split_paragraph(first, 40))
    methods = fill.heading_box(doc, "六、质量技术方法应用情况").paragraphs[0]._p
    methods.append(rev.mark("del", _text_run("（待补充）", deleted=True)))
    box = fill.heading_box(doc, "五、主要创新点").paragraphs[0]
    comment = doc.add_comment(box.runs, text="请核对诊断周期的数据", author="李晓梅", initials="LXM")
    comment._comment_elm.set(qn("w:date"), "2021-06-21T10:00:00Z")  # not today: the sample's bytes stay the same


def _split_table(doc: Any, call: Call, section: str, after: int, repeat_header: bool, page_break: bool) -> None:
    """Split a section's table after its `after`-th data row, as Ctrl+Shift+Enter does: an empty paragraph (or a
    page break) between the two parts, the header row repeated or not."""
    s = call.section(section)
    table, hr, _ = fill.header_row(doc, [c.label for c in s.columns])
    tbl = table._tbl
    second = copy.deepcopy(tbl)
    for tr in second.tr_lst:
        second.remove(tr)
    rows = tbl.tr_lst
    if repeat_header:
        second.append(copy.deepcopy(rows[hr]))
    for tr in rows[hr + 1 + after:]:
        second.append(tr)
    gap = OxmlElement("w:p")
    if page_break:
        r = OxmlElement("w:r")
        br = OxmlElement("w:br")
        br.set(qn("w:type"), "page")
        r.append(br)
        gap.append(r)
    tbl.addnext(gap)
    gap.addnext(second)


def split_persons_table(doc: Any, call: Call) -> None:
    """The persons table split in two by Enter after its third person (an empty paragraph between), no header
    in the second part."""
    _split_table(doc, call, "persons", 3, repeat_header=False, page_break=False)


def split_persons_table_header(doc: Any, call: Call) -> None:
    """The persons table split by a page break after its fourth person, the header repeated in the second part;
    the benefits table split too, before its total row."""
    _split_table(doc, call, "persons", 4, repeat_header=True, page_break=True)
    _split_table(doc, call, "benefits", 2, repeat_header=False, page_break=False)


# variants whose printout (LibreOffice PDF) does not carry what the .docx says, and why: a PDF printed from them
# is read otherwise, so it cannot be compared with the .docx
# Samples that have no PDF: what they test cannot be printed (the reason is in their .expected.json as `no_pdf`)
PRINTED_OTHERWISE = {
    "checkbox-state-only": "打印件显示控件中保存的☐，选中状态只在.docx中 (a printer prints the stored ☐ glyph: the "
                           "checked state exists only in the .docx)",
    "ticks-in-symbol-fonts": "本机没有 Wingdings 字体，打印件中的方框是缺字符号 (this machine has no Wingdings font: "
                             "a printout would show missing-glyph boxes, not ticks)",
}

VARIANTS: list[tuple[str, str, Callable[[Any, Call], None]]] = [
    ("spaced-labels", "标签中有空格（项 目 名 称）", spaced_labels),
    ("value-in-label-cell", "数值写在标签单元格的冒号后（全角或半角冒号）", value_in_label_cell),
    ("controls-removed", "删除了全部内容控件（复选框等）", controls_removed),
    ("merged-cells", "合并了单元格（两位完成人的工作单位纵向合并）", merged_cells),
    ("rows-added-deleted", "删除了空行、插入了空行、在末尾添加了行", rows_added_deleted),
    ("pasted-fonts", "粘贴的文字带有其他字体、字号和加粗", pasted_fonts),
    ("signature-picture", "负责人签字为签名图片", signature_picture),
    ("ticks-in-note-column", "复选框未变化，在“说明”栏写√、是、有；类别在选项前后手写√", ticks_in_note_column),
    ("ticks-as-marks", "勾选处改为手打的■、✓、✔、X", ticks_as_marks),
    ("checkbox-state-only", "复选框控件为选中状态，但显示的符号仍为☐", checkbox_state_only),
    ("ticks-in-symbol-fonts", "用 Wingdings 2 字体的符号（插入符号☑，或输入R/£）代替复选框", ticks_in_symbol_fonts),
    ("legacy-checkboxes", "旧版复选框型窗体域（FORMCHECKBOX）代替复选框控件", legacy_checkboxes),
    ("tracked-changes", "修订未接受：插入、删除、移动的文字，插入和删除的行，删除的段落标记，批注", tracked_changes),
    ("split-persons-table", "完成人表格被回车拆成两个表格（第二部分无表头）", split_persons_table),
    ("split-persons-table-header", "完成人表格被分页符拆开并重复表头；经济效益表格也被拆开",
     split_persons_table_header),
]


def _attachment_row(doc: Any, call: Call, label: str) -> list[Any]:
    return dict(_attachment_rows(doc, call))[label]


def tick_and_no(doc: Any, call: Call) -> None:
    """应用证明 ticked, and 否 written in its 说明 column."""
    fill.set_cell_text(_attachment_row(doc, call, "应用证明")[2], "否")


def note_not_a_tick(doc: Any, call: Call) -> None:
    """效益证明 left unticked, its note rewritten as 有经济效益时必须提供 (有 inside a note is no 有)."""
    row = _attachment_row(doc, call, "效益证明")
    fill.set_checkbox(_checkboxes(row[0]._tc)[0], False)
    fill.set_cell_text(row[2], "有经济效益时必须提供")


def tick_deleted(doc: Any, call: Call) -> None:
    """知识产权证明 ticked by a √ in its 说明 column, the box left at ☐, then the √ deleted with track changes."""
    _tracking_on(doc)
    row = _attachment_row(doc, call, "知识产权证明")
    fill.set_checkbox(_checkboxes(row[0]._tc)[0], False)
    row[2].paragraphs[0]._p.append(_Revisions().mark("del", _text_run("√", deleted=True)))


def category_two_ticks(doc: Any, call: Call) -> None:
    """A √ typed beside the ☐ of 精益管理 while 六西格玛 stays ticked: two categories."""
    category = _choice_cells(doc, call)[0]
    for sdt in _checkboxes(category._tc):
        t = sdt.getnext().find(qn("w:t"))
        if t is not None and t.text.startswith("精益管理"):
            sdt.addnext(_text_run("√"))


EXTRA_PERSONS = [("孙浩然", "男", "1987年3月"), ("吴佳怡", "女", "1994年10月"), ("郑凯", "男", "1983年6月"),
                 ("冯雅琴", "女", "1979年12月"), ("钱立军", "男", "1986年2月")]


def persons_split_too_many(doc: Any, call: Call) -> None:
    """Eleven persons, the table split by a page break after the sixth with the header repeated."""
    s = call.section("persons")
    labels = [c.label for c in s.columns]
    table, hr, idx = fill.header_row(doc, labels)
    fill.ensure_rows(table, hr + 1, 6 + len(EXTRA_PERSONS))
    unit = valid_values()["units"][0]["name"]
    for i, (name, gender, birth) in enumerate(EXTRA_PERSONS):
        cells = fill.unique_cells(table.rows[hr + 7 + i])
        values = {"排名": str(7 + i), "姓名": name, "性别": gender, "出生年月": birth, "工作单位": unit,
                  "职务/职称": "工程师", "主要贡献": "参与工艺试验和数据分析。"}
        for label in labels:
            fill.set_cell_text(cells[idx[label]], values[label])
    _split_table(doc, call, "persons", 6, repeat_header=True, page_break=True)


# samples of the ways people fill the form that must give findings (written to samples/applications/)
FILLING_CASES: list[tuple[str, str, Callable[[Any, Call], None], list[tuple[str, str | None]]]] = [
    ("attachment-tick-and-no", "应用证明一行既勾选又写“否”（含义不明，视为未勾选）", tick_and_no,
     [("attachment.missing", "attachments.application_proof")]),
    ("attachment-note-not-a-tick", "效益证明未勾选；说明栏的“有经济效益时必须提供”不是“有”", note_not_a_tick,
     [("attachment.missing", "attachments.benefit_proof")]),
    ("attachment-tick-deleted", "知识产权证明的√被修订删除（修订未接受，仍按删除处理）", tick_deleted,
     [("attachment.missing", "attachments.ip_proof")]),
    ("category-two-ticks", "项目类别勾选六西格玛，又在精益管理的☐旁手写√（选了两项）", category_two_ticks,
     [("field.enum", "project.category")]),
    ("persons-split-too-many", "完成人表格被拆成两个表格，合计11人（超过10人）", persons_split_too_many,
     [("field.too_many", "persons")]),
]


def long_values() -> dict[str, Any]:
    """A valid application near its limits (texts, persons, units, IP rows): the benchmark's 11-page file."""
    v = valid_values()

    def upto(text: str, n: int) -> str:
        out = text
        while len(out.replace("\n", "")) < n:
            out += "\n" + text
        return out[: n + out[:n].count("\n")].rstrip()

    v["summary"] = upto(SUMMARY, 700)
    v["innovation"] = upto(INNOVATION, 800)
    v["methods"] = upto(METHODS, 1500)
    v["social_benefits"] = upto(SOCIAL, 600)
    v["promotion"] = upto(PROMOTION, 600)
    v["benefits.basis"] = upto(BASIS, 400)
    v["units"] += [{"name": "上海申衡新材料有限公司", "credit_code": CODES[3]},
                   {"name": "上海浦瑞自动化设备有限公司", "credit_code": CODES[4]}]
    extra = [("孙浩然", "男", "1987年3月", 3), ("吴佳怡", "女", "1994年10月", 4), ("郑凯", "男", "1983年6月", 1),
             ("冯雅琴", "女", "1979年12月", 0)]
    for name, gender, birth, unit in extra:
        v["persons"].append({"name": name, "gender": gender, "birth": birth, "unit": v["units"][unit]["name"],
                             "title": "工程师", "contribution": "参与工艺试验、数据分析和改进措施的验证与推广。"})
    for i in range(4):
        v["ip"].append({"kind": "团体标准" if i % 2 else "论文", "name": f"压铸过程质量控制技术研究（{i + 1}）",
                        "number": f"T/SHZL {100 + i}-2020" if i % 2 else f"CN31-{1200 + i}", "date": f"2020年{i + 1}月15日"})
    return v


def _expected(name: str, description: str, findings: list[tuple[str, str | None]], **extra: Any) -> str:
    doc = {"sample": name, "description": description,
           "findings": sorted([list(f) for f in findings], key=lambda x: (x[0], x[1] or ""))}
    doc.update(extra)
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def not_a_form() -> Any:
    """An ordinary Word document: meeting minutes, not an application."""
    doc = Document()
    doc.add_heading("质量月活动筹备会议纪要", 1)
    for line in ("时间：2021年8月3日", "地点：公司三楼会议室", "出席：质量部、生产部、技术部负责人",
                 "一、会议确定了质量月活动的主题和日程安排。", "二、各部门于8月20日前提交活动方案。"):
        doc.add_paragraph(line)
    return doc


def signature_png() -> bytes:
    """A small PNG of a hand-written-looking stroke (made here, so the sample needs no binary source)."""
    import struct
    import zlib

    w, h = 120, 40
    rows = []
    for y in range(h):
        row = bytearray([0])
        for x in range(w):
            on = abs((y - 20) - int(12 * __import__("math").sin(x / 9))) < 2
            row += bytes([0, 0, 0] if on else [255, 255, 255])
        rows.append(bytes(row))
    raw = zlib.compress(b"".join(rows), 9)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", raw) + chunk(b"IEND", b""))


def write_case(call: Call, base: dict[str, Any], case: tuple[str, str, Change, list[tuple[str, str | None]]]) -> None:
    """One sample of CASES: the valid values with one change, and its expectation."""
    name, description, change, findings = case
    v = copy.deepcopy(base)
    change(v)
    write_bytes(APPS / f"{name}.docx", docx_bytes(fill_form(call, v)))
    write_text(APPS / f"{name}.expected.json", _expected(name, description, findings))


def write_variant(call: Call, base: dict[str, Any], name: str, description: str,
                  mutate: Callable[[Any, Call], None]) -> None:
    """One robustness variant: the valid form changed as Word users change it; it reads as the valid one."""
    doc = fill_form(call, copy.deepcopy(base))
    mutate(doc, call)
    write_bytes(ROBUST / f"{name}.docx", docx_bytes(doc))
    same = [k for k in ("declaration.signatory",) if name == "signature-picture"]
    extra = {"no_pdf": PRINTED_OTHERWISE[name]} if name in PRINTED_OTHERWISE else {}
    write_text(ROBUST / f"{name}.expected.json", _expected(name, description, [], same_fields_as="valid",
                                                           except_fields=same, **extra))


def write_filling_case(call: Call, base: dict[str, Any], name: str, description: str,
                       mutate: Callable[[Any, Call], None], findings: list[tuple[str, str | None]]) -> None:
    """One sample of FILLING_CASES: the valid form filled in a way that must give these findings."""
    doc = fill_form(call, copy.deepcopy(base))
    mutate(doc, call)
    write_bytes(APPS / f"{name}.docx", docx_bytes(doc))
    write_text(APPS / f"{name}.expected.json", _expected(name, description, findings))


def make_only(names: list[str]) -> None:
    """Write only the named samples of CASES, VARIANTS and FILLING_CASES, leaving every other file as it is
    (no PDFs)."""
    cases = {c[0]: c for c in CASES}
    variants = {v[0]: v for v in VARIANTS}
    filling = {f[0]: f for f in FILLING_CASES}
    unknown = [n for n in names if n not in cases and n not in variants and n not in filling]
    if unknown:
        raise SystemExit(f"unknown samples: {', '.join(unknown)}")
    call = load_call("saq-2021")
    base = valid_values()
    for name in names:
        if name in cases:
            write_case(call, base, cases[name])
        elif name in variants:
            write_variant(call, base, *variants[name])
        else:
            write_filling_case(call, base, *filling[name])


def make_pdfs() -> None:
    """Every sample application also as PDF (samples/print_pdfs.py: two font setups, other producers), and two of
    them as legacy .doc."""
    from print_pdfs import print_all

    from pipeline.office import convert

    if not print_all():
        return
    for name in ("valid", "several-problems-1"):
        if not (LEGACY / f"{name}.doc").is_file():
            convert([APPS / f"{name}.docx"], LEGACY, to="doc:MS Word 97")
        shutil.copy(APPS / f"{name}.expected.json", LEGACY / f"{name}.expected.json")


def main() -> None:
    """Write every sample and its expectation."""
    call = load_call("saq-2021")
    for folder in (APPS, ROBUST):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    write_bytes(OUT / "assets" / "signature.png", signature_png())
    base = valid_values()
    for case in CASES:
        write_case(call, base, case)
    write_bytes(APPS / "long.docx", docx_bytes(fill_form(call, long_values())))
    write_text(APPS / "long.expected.json", _expected("long", "接近各项上限的完整申报书（约11页，用于性能测试）", []))
    write_bytes(APPS / "blank-form.docx", docx_bytes(build_form(call)))
    write_text(APPS / "blank-form.expected.json", _expected("blank-form", "未填写的空白申报书", BLANK_EXPECTED))
    write_bytes(APPS / "other-call.docx", docx_bytes(fill_form(call, copy.deepcopy(base), identifier="saq-2020")))
    write_text(APPS / "other-call.expected.json",
               _expected("other-call", "用其他年度通知的申报书模板填写（警告）", [("form.other_call", None)]))
    write_bytes(APPS / "not-a-form.docx", docx_bytes(not_a_form()))
    write_text(APPS / "not-a-form.expected.json", _expected("not-a-form", "不是申报书的 Word 文档", [("form.unrecognized", None)]))
    for name, description, mutate in VARIANTS:
        write_variant(call, base, name, description, mutate)
    for name, description, mutate, findings in FILLING_CASES:
        write_filling_case(call, base, name, description, mutate, findings)
    write_bytes(ROBUST / "retyped.docx", docx_bytes(retyped(call, copy.deepcopy(base))))
    write_text(ROBUST / "retyped.expected.json",
               _expected("retyped", "按相同标签重新录入的申报书（“标签：内容”段落和普通表格）", [],
                         same_fields_as="valid", except_fields=[]))
    make_pdfs()
    if (OUT / "pdf" / "applications" / "valid.pdf").is_file():
        from scan_pages import make_scanned

        print(f"scanned: {len(make_scanned(OUT))} text PDFs with a scanned page in samples/scanned")
    print(f"samples: {len(CASES) + len(FILLING_CASES) + 3} applications in {APPS.relative_to(ROOT)}, "
          f"{len(VARIANTS) + 1} robustness variants in {ROBUST.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
