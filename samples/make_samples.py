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
from docx.oxml.ns import qn  # noqa: E402
from docx.shared import Pt  # noqa: E402

from pipeline.calls import Call, load_call, stamp_properties  # noqa: E402
from pipeline.check.values import CREDIT_CHARS, credit_check_char  # noqa: E402
from pipeline.fileio import docx_bytes, write_bytes, write_text  # noqa: E402
from pipeline.render.form import build_form  # noqa: E402

OUT = ROOT / "samples"
APPS = OUT / "applications"
ROBUST = OUT / "robustness"
PDF = OUT / "pdf"
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


VARIANTS: list[tuple[str, str, Callable[[Any, Call], None]]] = [
    ("spaced-labels", "标签中有空格（项 目 名 称）", spaced_labels),
    ("value-in-label-cell", "数值写在标签单元格的冒号后（全角或半角冒号）", value_in_label_cell),
    ("controls-removed", "删除了全部内容控件（复选框等）", controls_removed),
    ("merged-cells", "合并了单元格（两位完成人的工作单位纵向合并）", merged_cells),
    ("rows-added-deleted", "删除了空行、插入了空行、在末尾添加了行", rows_added_deleted),
    ("pasted-fonts", "粘贴的文字带有其他字体、字号和加粗", pasted_fonts),
    ("signature-picture", "负责人签字为签名图片", signature_picture),
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


def make_pdfs() -> None:
    """Every sample application also as PDF, printed by LibreOffice from its .docx (one start per folder).

    LibreOffice embeds some fonts with random bytes, so a PDF is re-made only when its .docx changed
    (samples/pdf/sources.json records the SHA-256 of each source)."""
    import hashlib

    from pipeline.render.pdf import ConverterMissing, convert

    manifest_path = PDF / "sources.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.is_file() else {}
    docs = sorted(APPS.glob("*.docx")) + sorted(ROBUST.glob("*.docx"))
    wanted = {f"{d.parent.name}/{d.stem}.pdf": hashlib.sha256(d.read_bytes()).hexdigest() for d in docs}
    for stale in [k for k in manifest if k not in wanted]:
        (PDF / stale).unlink(missing_ok=True)
        del manifest[stale]
    try:
        for folder in (APPS, ROBUST):
            todo = [d for d in sorted(folder.glob("*.docx"))
                    if manifest.get(f"{folder.name}/{d.stem}.pdf") != wanted[f"{folder.name}/{d.stem}.pdf"]
                    or not (PDF / folder.name / f"{d.stem}.pdf").is_file()]
            for pdf in convert(todo, PDF / folder.name, timeout=900):
                _strip_pdf_dates(pdf)
                manifest[f"{folder.name}/{pdf.name}"] = wanted[f"{folder.name}/{pdf.name}"]
    except ConverterMissing:
        print("LibreOffice is not installed: the PDF samples were not made")
        return
    write_text(manifest_path, json.dumps(dict(sorted(manifest.items())), indent=1) + "\n")
    for name in ("valid", "several-problems-1"):
        if not (LEGACY / f"{name}.doc").is_file():
            convert([APPS / f"{name}.docx"], LEGACY, to="doc:MS Word 97")
        shutil.copy(APPS / f"{name}.expected.json", LEGACY / f"{name}.expected.json")
    print(f"pdf: {len(list(PDF.rglob('*.pdf')))} of {len(docs)} samples printed to PDF in {PDF.relative_to(ROOT)}")


def _strip_pdf_dates(path: Path) -> None:
    """Fixed CreationDate/ModDate/ID so a re-run gives the same bytes (same length, so offsets stay valid)."""
    import re

    data = path.read_bytes()
    data = re.sub(rb"/(CreationDate|ModDate)\(D:[0-9+\-Z']+\)",
                  lambda m: m.group(0)[: m.group(0).index(b"(") + 1] + b"D:20210601000000" +
                  b" " * (len(m.group(0)) - m.group(0).index(b"(") - 2 - 16) + b")", data)
    data = re.sub(rb"/ID\s*\[\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*\]",
                  lambda m: m.group(0).replace(m.group(1), b"0" * len(m.group(1))).replace(m.group(2),
                                                                                      b"0" * len(m.group(2))),
                  data)
    path.write_bytes(data)


def main() -> None:
    """Write every sample and its expectation."""
    call = load_call("saq-2021")
    for folder in (APPS, ROBUST):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    write_bytes(OUT / "assets" / "signature.png", signature_png())
    base = valid_values()
    for name, description, change, findings in CASES:
        v = copy.deepcopy(base)
        change(v)
        write_bytes(APPS / f"{name}.docx", docx_bytes(fill_form(call, v)))
        write_text(APPS / f"{name}.expected.json", _expected(name, description, findings))
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
        doc = fill_form(call, copy.deepcopy(base))
        mutate(doc, call)
        write_bytes(ROBUST / f"{name}.docx", docx_bytes(doc))
        same = [k for k in ("declaration.signatory",) if name == "signature-picture"]
        write_text(ROBUST / f"{name}.expected.json", _expected(name, description, [], same_fields_as="valid",
                                                               except_fields=same))
    write_bytes(ROBUST / "retyped.docx", docx_bytes(retyped(call, copy.deepcopy(base))))
    write_text(ROBUST / "retyped.expected.json",
               _expected("retyped", "按相同标签重新录入的申报书（“标签：内容”段落和普通表格）", [],
                         same_fields_as="valid", except_fields=[]))
    make_pdfs()
    print(f"samples: {len(CASES) + 3} applications in {APPS.relative_to(ROOT)}, "
          f"{len(VARIANTS) + 1} robustness variants in {ROBUST.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
