"""A table of cases per rule: the valid application, changed one value at a time, and the findings expected."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from conftest import valid_values

from pipeline.check.rules import run_rules
from pipeline.model import Application

V = dict[str, Any]


def put(key: str, value: Any) -> Callable[[V], None]:
    def change(v: V) -> None:
        if value is None:
            v.pop(key, None)
        else:
            v[key] = value
    return change


def cell(key: str, i: int, col: str, value: str | None) -> Callable[[V], None]:
    def change(v: V) -> None:
        if value is None:
            v[key][i].pop(col, None)
        else:
            v[key][i][col] = value
    return change


def both_(*changes: Callable[[V], None]) -> Callable[[V], None]:
    def change(v: V) -> None:
        for c in changes:
            c(v)
    return change


def run(call: Any, change: Callable[[V], None] | None = None) -> set[tuple[str, str | None]]:
    v = valid_values()
    if change:
        change(v)
    return {f.key for f in run_rules(Application(values=v), call)}


def test_valid_values_have_no_findings(call: Any) -> None:
    assert run(call) == set()


OK: list[tuple[str, Callable[[V], None]]] = [
    ("mobile", put("contact.phone", "13916284735")),
    ("landline with area code", put("contact.phone", "021-12345678")),
    ("landline with extension", put("contact.phone", "02112345678-806")),
    ("landline without area code", put("contact.phone", "58126688")),
    ("english name absent", put("project.name_en", None)),
    ("name of exactly 30", put("project.name", "质" * 30)),
    ("name of 30 plus spaces", put("project.name", "质 " * 30)),
    ("end on the last day", put("project.end_date", "2021年7月31日")),
    ("end in the last month", put("project.end_date", "2021-07")),
    ("end in the first month", both_(put("project.start_date", "2017-01"), put("project.end_date", "2018-01"))),
    ("span of exactly 6 months", both_(put("project.start_date", "2019-03"), put("project.end_date", "2019-08"))),
    ("age 18 this month", cell("persons", 0, "birth", "2003年5月")),
    ("age 80", cell("persons", 0, "birth", "1941年4月")),
    ("unit with full-width brackets", lambda v: (v["units"][1].update(name="上海景和(模具)科技有限公司"),
                                                  v["persons"][2].update(unit="上海景和（模具）科技有限公司"))),
    ("sum within tolerance", lambda v: v["benefits.total"].update(profit="653.81")),
    ("no benefits at all, no basis, no proof", lambda v: (v.update({"benefits.years": [], "benefits.total": {}}),
                                                         v.pop("benefits.basis"),
                                                         v.update({"attachments.benefit_proof": False}))),
    ("no ip, no proof", lambda v: v.update({"ip": [], "attachments.ip_proof": False})),
    ("no recommender, no opinion", lambda v: (v.pop("recommender.name"), v.pop("recommender.opinion"))),
    ("declaration on the first day", put("declaration.date", "2021-05-26")),
    ("methods naming only SPC in lower case", put("methods", "项目应用spc监控关键参数。")),
    ("amount with 万元 and commas", lambda v: v["benefits.years"][1].update(sales="1,280.0万元")),
    ("one unit only", lambda v: (v.update(units=v["units"][:1]),
                                 [p.update(unit=v["units"][0]["name"]) for p in v["persons"]])),
]


@pytest.mark.parametrize("name, change", OK, ids=[n for n, _ in OK])
def test_valid_variants(call: Any, name: str, change: Callable[[V], None]) -> None:
    assert run(call, change) == set()


BAD: list[tuple[str, Callable[[V], None], set[tuple[str, str | None]]]] = [
    ("name missing", put("project.name", None), {("field.required", "project.name")}),
    ("name of 31", put("project.name", "质" * 31), {("field.too_long", "project.name")}),
    ("name on two lines", put("project.name", "电机壳体\n良率提升"), {("field.pattern", "project.name")}),
    ("english name with CJK", put("project.name_en", "Yield 提升"), {("field.pattern", "project.name_en")}),
    ("english name of 201", put("project.name_en", "a" * 201), {("field.too_long", "project.name_en")}),
    ("category unknown", put("project.category", "QC小组"), {("field.enum", "project.category")}),
    ("industry unknown", put("project.industry", "农业"), {("field.enum", "project.industry")}),
    ("start not a date", put("project.start_date", "去年"), {("field.date_invalid", "project.start_date")}),
    ("end before start", put("project.end_date", "2019年1月"), {("field.date_order", "project.end_date")}),
    ("end after window", put("project.end_date", "2021-08"), {("field.date_window", "project.end_date")}),
    ("end before window", both_(put("project.start_date", "2016-01"), put("project.end_date", "2017-12")),
     {("field.date_window", "project.end_date")}),
    ("span of 5 months", both_(put("project.start_date", "2019-03"), put("project.end_date", "2019-07")),
     {("field.duration", "project.end_date")}),
    ("credit code lower case", put("applicant.credit_code", "91310115md1k4abc2x"), {("field.pattern", "applicant.credit_code")}),
    ("credit code of 17", lambda v: v.update({"applicant.credit_code": v["applicant.credit_code"][:17]}),
     {("field.pattern", "applicant.credit_code")}),
    ("credit code check digit", lambda v: v.update({"applicant.credit_code": v["applicant.credit_code"][:17] + (
        "0" if v["applicant.credit_code"][17] != "0" else "1")}), {("field.checksum", "applicant.credit_code")}),
    ("member number letters", put("applicant.member_no", "A10458"), {("field.pattern", "applicant.member_no")}),
    ("postcode of 7", put("applicant.postcode", "2013150"), {("field.pattern", "applicant.postcode")}),
    ("address of 101", put("applicant.address", "路" * 101), {("field.too_long", "applicant.address")}),
    ("contact of 21", put("contact.name", "顾" * 21), {("field.too_long", "contact.name")}),
    ("mobile starting 12", put("contact.phone", "12916284735"), {("field.pattern", "contact.phone")}),
    ("mobile with dashes", put("contact.phone", "139-1628-4735"), {("field.pattern", "contact.phone")}),
    ("phone with a letter", put("contact.phone", "021-1234567a"), {("field.pattern", "contact.phone")}),
    ("email without domain", put("contact.email", "guwj@"), {("field.pattern", "contact.email")}),
    ("email with space", put("contact.email", "gu wj@example.cn"), {("field.pattern", "contact.email")}),
    ("recommender of 51", put("recommender.name", "荐" * 51), {("field.too_long", "recommender.name")}),
    ("no units", put("units", []), {("field.too_few", "units"), ("field.cross_ref", "persons[0].unit"),
                                    ("field.cross_ref", "persons[1].unit"), ("field.cross_ref", "persons[2].unit"),
                                    ("field.cross_ref", "persons[3].unit"), ("field.cross_ref", "persons[4].unit"),
                                    ("field.cross_ref", "persons[5].unit")}),
    ("six units", lambda v: v["units"].extend(dict(name=f"单位{i}", credit_code=v["units"][0]["credit_code"])
                                              for i in range(3)), {("field.too_many", "units")}),
    ("first unit not applicant", cell("units", 0, "name", "上海澄明精密压铸股份公司"),
     {("field.consistency", "units[0].name"), ("field.cross_ref", "persons[0].unit"),
      ("field.cross_ref", "persons[1].unit"), ("field.cross_ref", "persons[4].unit"),
      ("field.cross_ref", "persons[5].unit")}),
    ("unit twice with spaces", lambda v: v["units"].append({"name": "上海景和 模具科技有限公司",
                                                             "credit_code": v["units"][1]["credit_code"]}),
     {("field.duplicate", "units[3].name")}),
    ("unit without name", cell("units", 2, "name", None), {("field.required", "units[2].name"),
                                                          ("field.cross_ref", "persons[3].unit")}),
    ("unit code check digit", lambda v: v["units"][1].update(credit_code=v["units"][1]["credit_code"][:17] + (
        "0" if v["units"][1]["credit_code"][17] != "0" else "1")), {("field.checksum", "units[1].credit_code")}),
    ("eleven persons", lambda v: v["persons"].extend(
        dict(p, name=p["name"] + "乙") for p in v["persons"][:5]), {("field.too_many", "persons")}),
    ("gender other", cell("persons", 1, "gender", "女士"), {("field.enum", "persons[1].gender")}),
    ("gender missing", cell("persons", 1, "gender", None), {("field.required", "persons[1].gender")}),
    ("birth year only", cell("persons", 2, "birth", "1988"), {("field.date_invalid", "persons[2].birth")}),
    ("age 17", cell("persons", 0, "birth", "2003年6月"), {("field.date_window", "persons[0].birth")}),
    ("age 81", cell("persons", 0, "birth", "1940年5月"), {("field.date_window", "persons[0].birth")}),
    ("person unit unknown", cell("persons", 3, "unit", "上海某研究院"), {("field.cross_ref", "persons[3].unit")}),
    ("person title of 31", cell("persons", 3, "title", "工" * 31), {("field.too_long", "persons[3].title")}),
    ("person contribution missing", cell("persons", 3, "contribution", None),
     {("field.required", "persons[3].contribution")}),
    ("person contribution of 201", cell("persons", 3, "contribution", "贡" * 201),
     {("field.too_long", "persons[3].contribution")}),
    ("same person twice", lambda v: v["persons"].append(dict(v["persons"][2])), {("field.duplicate", "persons[6].name")}),
    ("same name other birth is fine, twice same is not",
     lambda v: v["persons"].extend([dict(v["persons"][2], birth="1970年1月"), dict(v["persons"][2])]),
     {("field.duplicate", "persons[7].name")}),
    ("summary of 199", put("summary", "简" * 199), {("field.too_short", "summary")}),
    ("summary of 1001", put("summary", "简" * 1001), {("field.too_long", "summary")}),
    ("innovation of 1501", put("innovation", "创" * 1501), {("field.too_long", "innovation")}),
    ("methods of 3001 without a method", put("methods", "法" * 3001),
     {("field.too_long", "methods"), ("content.keywords_missing", "methods")}),
    ("methods without a method", put("methods", "加强了管理。"), {("content.keywords_missing", "methods")}),
    ("social missing", put("social_benefits", None), {("field.required", "social_benefits")}),
    ("promotion of 1001", put("promotion", "推" * 1001), {("field.too_long", "promotion")}),
    ("amount with a word", lambda v: v["benefits.years"][2].update(profit="四百万"),
     {("field.number", "benefits.years[2].profit")}),
    ("amount negative", lambda v: v["benefits.years"][2].update(profit="-438.2"),
     {("field.number", "benefits.years[2].profit")}),
    ("total not a number", lambda v: v["benefits.total"].update(savings="约465"),
     {("field.number", "benefits.total.savings")}),
    ("total off by 0.02", lambda v: v["benefits.total"].update(profit="653.82"),
     {("field.sum_mismatch", "benefits.total.profit")}),
    ("total missing while years have sales", lambda v: v["benefits.total"].pop("sales"),
     {("field.sum_mismatch", "benefits.total.sales")}),
    ("basis missing", put("benefits.basis", None), {("field.required", "benefits.basis")}),
    ("basis of 1001", put("benefits.basis", "依" * 1001), {("field.too_long", "benefits.basis")}),
    ("ip kind unknown", cell("ip", 0, "kind", "商标"), {("field.enum", "ip[0].kind")}),
    ("ip without name", cell("ip", 1, "name", None), {("field.required", "ip[1].name")}),
    ("ip date after window", cell("ip", 1, "date", "2021-08-01"), {("field.date_window", "ip[1].date")}),
    ("ip date invalid", cell("ip", 1, "date", "2021-02-29"), {("field.date_invalid", "ip[1].date")}),
    ("application proof not ticked", put("attachments.application_proof", False),
     {("attachment.missing", "attachments.application_proof")}),
    ("benefit proof not ticked", put("attachments.benefit_proof", False),
     {("attachment.missing", "attachments.benefit_proof")}),
    ("ip proof not ticked", put("attachments.ip_proof", False), {("attachment.missing", "attachments.ip_proof")}),
    ("not signed", put("declaration.signatory", None), {("field.required", "declaration.signatory")}),
    ("declared before the window", put("declaration.date", "2021年5月25日"), {("field.date_window", "declaration.date")}),
    ("declared after the window", put("declaration.date", "2021年8月1日"), {("field.date_window", "declaration.date")}),
    ("declaration date invalid", put("declaration.date", "六月底"), {("field.date_invalid", "declaration.date")}),
    ("opinion missing", put("recommender.opinion", None), {("field.required", "recommender.opinion")}),
    ("opinion of 601", put("recommender.opinion", "荐" * 601), {("field.too_long", "recommender.opinion")}),
]


@pytest.mark.parametrize("name, change, want", BAD, ids=[n for n, _, _ in BAD])
def test_invalid_variants(call: Any, name: str, change: Callable[[V], None], want: set[tuple[str, str | None]]) -> None:
    assert run(call, change) == want


def test_every_rule_code_of_the_spec_is_exercised() -> None:
    codes = {c for _, _, want in BAD for c, _ in want}
    spec = {"field.required", "field.too_long", "field.too_short", "field.too_many", "field.too_few", "field.enum",
            "field.pattern", "field.checksum", "field.number", "field.date_invalid", "field.date_order",
            "field.date_window", "field.duration", "field.sum_mismatch", "field.cross_ref", "field.consistency",
            "field.duplicate", "content.keywords_missing", "attachment.missing"}
    assert spec <= codes


def test_severities(call: Any) -> None:
    v = valid_values()
    v["summary"] = "简" * 100
    v["project.start_date"], v["project.end_date"] = "2019-03", "2019-05"
    v["methods"] = "加强管理。"
    sev = {f.code: f.severity for f in run_rules(Application(values=v), call)}
    assert sev == {"field.too_short": "warning", "field.duration": "warning", "content.keywords_missing": "warning"}


def wide(text: str) -> str:
    """The full-width form of ASCII text, as a Chinese input method types it (１２３, Ａ, ＠, －)."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def wide_cell(key: str, i: int, col: str) -> Callable[[V], None]:
    def change(v: V) -> None:
        v[key][i][col] = wide(v[key][i][col])
    return change


def wide_put(key: str) -> Callable[[V], None]:
    def change(v: V) -> None:
        v[key] = wide(v[key])
    return change


# call-2021.md §2: codes, numbers, phone numbers, postcodes, member numbers, e-mail addresses and dates are compared
# after NFKC, and dates may be written in Chinese numerals
READ_AS_TYPED_OK: list[tuple[str, Callable[[V], None]]] = [
    ("full-width member number", wide_put("applicant.member_no")),
    ("full-width postcode", wide_put("applicant.postcode")),
    ("full-width landline", wide_put("contact.phone")),
    ("full-width mobile", put("contact.phone", wide("13916284735"))),
    ("full-width e-mail", wide_put("contact.email")),
    ("full-width credit code", wide_put("applicant.credit_code")),
    ("full-width unit credit code", wide_cell("units", 1, "credit_code")),
    ("full-width amounts", both_(wide_cell("benefits.years", 1, "sales"), lambda v: v["benefits.total"].update(
        sales=wide(v["benefits.total"]["sales"])))),
    ("full-width dates", both_(wide_put("project.start_date"), wide_put("declaration.date"),
                               wide_cell("persons", 0, "birth"), wide_cell("ip", 0, "date"))),
    ("declaration date in Chinese numerals", put("declaration.date", "二〇二一年六月二十八日")),
    ("declaration date with 零", put("declaration.date", "二零二一年七月三十一日")),
    ("birth in Chinese numerals", cell("persons", 1, "birth", "一九八五年九月")),
    ("period in Chinese numerals", both_(put("project.start_date", "二〇一九年三月"),
                                        put("project.end_date", "二○二〇年十二月"))),
    ("ip date in Chinese numerals", cell("ip", 0, "date", "二〇二一年三月十六日")),
]


@pytest.mark.parametrize("name, change", READ_AS_TYPED_OK, ids=[n for n, _ in READ_AS_TYPED_OK])
def test_values_read_as_a_person_reads_them(call: Any, name: str, change: Callable[[V], None]) -> None:
    assert run(call, change) == set()


READ_AS_TYPED_BAD: list[tuple[str, Callable[[V], None], set[tuple[str, str | None]]]] = [
    ("full-width english name is not ASCII", put("project.name_en", wide("Yield Improvement")),
     {("field.pattern", "project.name_en")}),
    ("english name with a full-width space is not ASCII either", put("project.name_en", "Yield\u3000Improvement"),
     {("field.pattern", "project.name_en")}),
    ("full-width credit code, check digit wrong", lambda v: v.update({"applicant.credit_code": wide(
        v["applicant.credit_code"][:17] + ("0" if v["applicant.credit_code"][17] != "0" else "1"))}),
     {("field.checksum", "applicant.credit_code")}),
    ("full-width credit code with O", put("applicant.credit_code", wide("91310115MA1K4OBC2X")),
     {("field.pattern", "applicant.credit_code")}),
    ("full-width member number of 5", put("applicant.member_no", wide("21045")),
     {("field.pattern", "applicant.member_no")}),
    ("full-width postcode with a letter", put("applicant.postcode", wide("20131A")),
     {("field.pattern", "applicant.postcode")}),
    ("full-width mobile starting 12", put("contact.phone", wide("12916284735")), {("field.pattern", "contact.phone")}),
    ("full-width e-mail without domain", put("contact.email", wide("guwj@")), {("field.pattern", "contact.email")}),
    ("declaration in Chinese numerals after the window", put("declaration.date", "二〇二一年八月一日"),
     {("field.date_window", "declaration.date")}),
    ("declaration in Chinese numerals, no such day", put("declaration.date", "二〇二一年六月三十一日"),
     {("field.date_invalid", "declaration.date")}),
    ("birth in Chinese numerals, too young", cell("persons", 0, "birth", "二〇〇三年六月"),
     {("field.date_window", "persons[0].birth")}),
    ("period in Chinese numerals reversed", both_(put("project.start_date", "二〇二〇年十二月"),
                                                 put("project.end_date", "二〇一九年三月")),
     {("field.date_order", "project.end_date")}),
    ("same person, birth written two ways", lambda v: v["persons"].append(dict(v["persons"][1], birth="一九八五年九月")),
     {("field.duplicate", "persons[6].name")}),
    ("same person, birth full-width and with dots", lambda v: v["persons"].append(dict(v["persons"][1],
                                                                                        birth=wide("1985.9"))),
     {("field.duplicate", "persons[6].name")}),
    ("same unit, name with full-width brackets", lambda v: (
        v["units"][1].update(name="上海景和(模具)科技有限公司"),
        v["units"].append({"name": "上海景和（模具）科技有限公司", "credit_code": v["units"][1]["credit_code"]}),
        v["persons"][2].update(unit="上海景和(模具)科技有限公司")),
     {("field.duplicate", "units[3].name")}),
]


@pytest.mark.parametrize("name, change, want", READ_AS_TYPED_BAD, ids=[n for n, _, _ in READ_AS_TYPED_BAD])
def test_values_read_as_typed_still_fail(call: Any, name: str, change: Callable[[V], None],
                                         want: set[tuple[str, str | None]]) -> None:
    assert run(call, change) == want


def test_pattern_finding_shows_what_was_typed(call: Any) -> None:
    v = valid_values()
    v["applicant.member_no"] = wide("21045")
    v["units"][1]["credit_code"] = wide("91310115MA1K4OBC2X")
    found = {f.field: f.actual for f in run_rules(Application(values=v), call) if f.code == "field.pattern"}
    assert found == {"applicant.member_no": "２１０４５", "units[1].credit_code": wide("91310115MA1K4OBC2X")}
    assert v["applicant.member_no"] == "２１０４５"  # the values themselves are left as typed


def test_raw_formats_must_name_a_format() -> None:
    import yaml
    from conftest import ROOT

    from pipeline.calls import parse_call
    from pipeline.errors import CallError

    d = yaml.safe_load((ROOT / "schemas" / "saq-2021" / "call.yaml").read_text(encoding="utf-8"))
    assert parse_call(d, ROOT).raw_formats == frozenset({"ascii"})
    d["raw_formats"] = ["ascii", "asci"]
    with pytest.raises(CallError) as e:
        parse_call(d, ROOT)
    assert "raw_formats[1]" in str(e.value) and "raw_formats[1]" in e.value.message_en


def test_unsplit_end_date_is_not_reported_as_missing(call: Any) -> None:
    v = valid_values()
    v["project.start_date"] = "三年左右"
    del v["project.end_date"]
    app = Application(values=v, unsplit={"project.end_date"})
    assert {f.key for f in run_rules(app, call)} == {("field.date_invalid", "project.start_date")}


# call-2021.md §2: "nothing" (无, 暂无, 没有, 空, —, －, -, /) in an optional field or row is a blank; in a required
# field it is `field.required`. Read from a filled form, since extraction drops such values (the report's `fields`
# then lack them, as if left blank).
def _form(change: Callable[[V], None]) -> Any:
    import copy

    from make_samples import fill_form
    from make_samples import valid_values as raw_values

    from pipeline.calls import load_call
    from pipeline.check import check_bytes
    from pipeline.fileio import docx_bytes

    call = load_call("saq-2021")
    v = copy.deepcopy(raw_values())
    change(v)
    return check_bytes(docx_bytes(fill_form(call, v)), "form.docx", call)


def no_ip_proof(v: V) -> None:
    v["attachments"].remove("知识产权证明")


NOTHING: list[tuple[str, Callable[[V], None], set[tuple[str, str | None]], set[str]]] = [
    ("recommender 无, opinion 无", both_(put("recommender.name", "无"), put("recommender.opinion", "无")), set(),
     {"recommender.name", "recommender.opinion"}),
    ("recommender —, opinion blank", both_(put("recommender.name", "—"), put("recommender.opinion", None)), set(),
     {"recommender.name", "recommender.opinion"}),
    ("recommender 暂无。, opinion －", both_(put("recommender.name", "暂无。"), put("recommender.opinion", "－")), set(),
     {"recommender.name", "recommender.opinion"}),
    ("english name 无", put("project.name_en", "无"), set(), {"project.name_en"}),
    ("english name /", put("project.name_en", "/"), set(), {"project.name_en"}),
    ("ip 无 in every cell", both_(put("ip", [dict.fromkeys(("kind", "name", "number", "date"), "无")] * 3), no_ip_proof),
     set(), set()),
    ("ip 无 in the first cell only", both_(put("ip", [{"kind": "无"}, {"kind": "没有"}]), no_ip_proof), set(), set()),
    ("ip dashes in every cell", both_(put("ip", [dict.fromkeys(("kind", "name", "number", "date"), "——")] * 2),
                                      no_ip_proof), set(), set()),
    ("person title 无", cell("persons", 2, "title", "无"), set(), set()),
    ("benefit cells with dashes", lambda v: v["benefits.years"][0].update(sales="—", profit="－"), set(), set()),
    ("contact 无", put("contact.name", "无"), {("field.required", "contact.name")}, {"contact.name"}),
    ("contact --", put("contact.name", "--"), {("field.required", "contact.name")}, {"contact.name"}),
    ("member number 无", put("applicant.member_no", "无"), {("field.required", "applicant.member_no")},
     {"applicant.member_no"}),
    ("category 无", put("project.category", "无"), {("field.required", "project.category")}, {"project.category"}),
    ("period 无", put("project.period", "无"),
     {("field.required", "project.start_date"), ("field.required", "project.end_date")},
     {"project.start_date", "project.end_date"}),
    ("summary 暂无", put("summary", "暂无"), {("field.required", "summary")}, {"summary"}),
    ("signatory /", put("declaration.signatory", "/"), {("field.required", "declaration.signatory")},
     {"declaration.signatory"}),
    ("declaration date 无", put("declaration.date", "无"), {("field.required", "declaration.date")},
     {"declaration.date"}),
    ("basis 无 with benefits", put("benefits.basis", "无"), {("field.required", "benefits.basis")}, {"benefits.basis"}),
    ("unit credit code 无", cell("units", 1, "credit_code", "无"), {("field.required", "units[1].credit_code")}, set()),
    ("ip name 无 in a real row", cell("ip", 1, "name", "无"), {("field.required", "ip[1].name")}, set()),
    ("every person row 无", put("persons", [dict.fromkeys(("name", "gender", "birth", "unit", "title",
                                                           "contribution"), "无")] * 2),
     {("field.too_few", "persons")}, set()),
]


@pytest.mark.parametrize("name, change, want, absent", NOTHING, ids=[n for n, *_ in NOTHING])
def test_nothing_is_blank(name: str, change: Callable[[V], None], want: set[tuple[str, str | None]],
                          absent: set[str]) -> None:
    report = _form(change)
    assert {f.key for f in report.findings} == want
    assert not absent & set(report.fields)
    assert all(f.location.kind == "docx" for f in report.findings)


def test_nothing_rows_are_no_rows_and_the_rows_after_move_up() -> None:
    ip = [{"kind": "发明专利", "name": "一种压铸方法", "number": "ZL202010358246.1", "date": "2021年3月16日"},
          {"kind": "无", "name": "无", "number": "无", "date": "无"},
          {"kind": "企业标准", "name": "压铸过程控制规范", "number": "—", "date": "二〇二〇年十二月二十八日"}]
    report = _form(both_(put("ip", ip), cell("persons", 2, "title", "—")))
    assert [f.key for f in report.findings] == []
    assert report.fields["ip"] == [ip[0], {"kind": "企业标准", "name": "压铸过程控制规范", "date": "二〇二〇年十二月二十八日"}]
    assert "title" not in report.fields["persons"][2]
    # a finding on the moved row points at its own cells, not at the 无 row's
    bad = _form(both_(put("ip", [ip[1], dict(ip[2], kind="商标")])))
    (finding,) = [f for f in bad.findings if f.code == "field.enum"]
    assert finding.field == "ip[0].kind"
    good = _form(both_(put("ip", [dict(ip[2], kind="商标")])))
    (first,) = [f for f in good.findings if f.code == "field.enum"]
    assert finding.location.row == first.location.row + 1
