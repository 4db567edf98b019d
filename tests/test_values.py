"""Parsing what people type: dates, ranges, amounts, credit codes, labels."""

from __future__ import annotations

import pytest

from pipeline.check.values import char_count, compared, credit_check_char, parse_amount, parse_date, same_name
from pipeline.extract import is_nothing, label_key, split_range, ticked_options, value_after_label


@pytest.mark.parametrize("text, iso", [
    ("2019年3月", "2019-03"), ("2019年3月1日", "2019-03-01"), ("2019.3", "2019-03"), ("2019-03", "2019-03"),
    ("2019/3/1", "2019-03-01"), ("２０１９年３月", "2019-03"), ("2019 年 03 月 05 日", "2019-03-05"),
    ("2019.03.05", "2019-03-05"), ("20190305", "2019-03-05"), ("2020年2月29日", "2020-02-29"),
])
def test_parse_date_valid(text: str, iso: str) -> None:
    d = parse_date(text)
    assert d is not None and d.iso() == iso


@pytest.mark.parametrize("text", ["2019年", "2019-13", "2019/2/30", "三月", "2019年3月32日", "19-03", "", "2021年6月31日"])
def test_parse_date_invalid(text: str) -> None:
    assert parse_date(text) is None


# call-2021.md §2: dates in Chinese numerals, with 〇, 零 or ○ for zero, at day or month precision
@pytest.mark.parametrize("text, iso", [
    ("二〇二一年六月二十八日", "2021-06-28"), ("二〇二一年六月", "2021-06"), ("二零二一年六月", "2021-06"),
    ("二〇二一年十二月三十一日", "2021-12-31"), ("二○二一年十月", "2021-10"), ("一九八五年九月", "1985-09"),
    ("二〇二〇年二月二十九日", "2020-02-29"), ("二〇二一年十一月十日", "2021-11-10"), ("二〇二一年六月二十八号", "2021-06-28"),
    ("二〇二一年 六 月 二十 日", "2021-06-20"), ("二〇二一年〇六月", "2021-06"), ("2021年六月二十八日", "2021-06-28"),
    ("二〇二一年6月28日", "2021-06-28"), ("二O二一年三月", "2021-03"), ("二〇二一年一月三十日", "2021-01-30"),
])
def test_parse_date_chinese_numerals(text: str, iso: str) -> None:
    d = parse_date(text)
    assert d is not None and d.iso() == iso


@pytest.mark.parametrize("text", [
    "二〇二一年十三月", "二〇二一年二月二十九日", "二〇二一年六月三十一日", "二〇二一年二二十月", "二〇二一年十十月", "二〇二一年",
    "二〇二一年〇月", "二〇二一年六月〇日", "二一年六月", "二〇二一年六月二十八", "六月二十八日", "二〇二一年〇十月", "二千零二十一年六月",
])
def test_parse_date_chinese_numerals_invalid(text: str) -> None:
    assert parse_date(text) is None


@pytest.mark.parametrize("text, parts", [
    ("2019年3月至2020年12月", ("2019年3月", "2020年12月")),
    ("二〇一九年三月至二〇二〇年十二月", ("二〇一九年三月", "二〇二〇年十二月")),
    ("二零一九年三月一日 - 二零二零年十二月三十一日", ("二零一九年三月一日", "二零二零年十二月三十一日")),
    ("2019年3月1号到2020年12月31号", ("2019年3月1号", "2020年12月31号")),
    ("２０１９年３月～２０２０年１２月", ("2019年3月", "2020年12月")),
    ("2019.3-2020.12", ("2019.3", "2020.12")),
    ("2019-03 - 2020-12", ("2019-03", "2020-12")),
    ("2019-03-2020-12", ("2019-03", "2020-12")),
    ("2019/3/1~2020/12/31", ("2019/3/1", "2020/12/31")),
    ("2019年3月 到 2020年12月", ("2019年3月", "2020年12月")),
    ("2019-03—2020-12", ("2019-03", "2020-12")),
    ("2019-03–2020-12", ("2019-03", "2020-12")),
    ("2019.3～2020.12", ("2019.3", "2020.12")),
])
def test_split_range(text: str, parts: tuple[str, str]) -> None:
    assert split_range(text) == parts


@pytest.mark.parametrize("text", ["2019年3月", "三年左右", "2019年3月至", "至2020年12月"])
def test_split_range_refuses(text: str) -> None:
    assert split_range(text) is None


@pytest.mark.parametrize("text, value", [
    ("1234.5", 1234.5), ("1,234.5", 1234.5), ("1234.5万元", 1234.5), ("1234.5 万元", 1234.5), ("", 0.0),
    ("-", 0.0), ("—", 0.0), ("０", 0.0), ("12,345,678", 12345678.0),
])
def test_parse_amount(text: str, value: float) -> None:
    assert parse_amount(text) == value


@pytest.mark.parametrize("text", ["无", "暂无", "－", "——", "/"])
def test_parse_amount_nothing_is_zero(text: str) -> None:
    assert parse_amount(text) == 0.0


@pytest.mark.parametrize("text", ["约100", "-5", "1,23.4", "十万", "12.5元", "1.2.3"])
def test_parse_amount_refuses(text: str) -> None:
    assert parse_amount(text) is None


@pytest.mark.parametrize("props, call_id", [
    ({"identifier": "saq-2021", "keywords": "award-call=saq-2020"}, "saq-2021"),
    ({"keywords": "质量 award-call=saq-2020; 申报书"}, "saq-2020"),
    ({"keywords": "award-call, saq-2020"}, "saq-2020"),
    ({"keywords": "award-call="}, None), ({}, None),
])
def test_stamped_call(props: dict[str, str], call_id: str | None) -> None:
    from pipeline.calls import stamped_call

    assert stamped_call(props) == call_id


def test_credit_check_char_known_code() -> None:
    # a published example of GB 32100-2015 (the standard's annex): 91350100M000100Y43
    assert credit_check_char("91350100M000100Y4") == "3"


def test_char_count_ignores_whitespace() -> None:
    assert char_count(" 项目 名称\n ABC ") == 7


def test_same_name_nfkc() -> None:
    assert same_name("上海（集团）有限公司", "上海(集团)有限公司 ")


@pytest.mark.parametrize("text, key", [
    ("项 目 名 称", "项目名称"), ("项目名称：", "项目名称"), ("项目名称:", "项目名称"), ("*项目名称（不超过30字）", "项目名称"),
    ("新增销售额（万元）", "新增销售额"), ("职务/职称", "职务职称"),
])
def test_label_key(text: str, key: str) -> None:
    assert label_key(text) == key


@pytest.mark.parametrize("text, value", [
    ("项目名称：电机壳体", "电机壳体"), ("项 目 名 称: 电机壳体", "电机壳体"), ("项目名称\n（不超过30字）电机壳体", "电机壳体"),
    ("项目名称 电机壳体", "电机壳体"), ("项目名称类别", None), ("项目名称Yield", "Yield"), ("项目名称2021", "2021"),
])
def test_value_after_label(text: str, value: str | None) -> None:
    assert value_after_label(text, "项目名称") == value


@pytest.mark.parametrize("text, ticked", [
    ("☐卓越绩效　☑六西格玛　☐精益管理", ["六西格玛"]),
    ("□卓越绩效 ■六西格玛 ■精益管理", ["六西格玛", "精益管理"]),
    ("☐卓越绩效 X六西格玛", ["六西格玛"]),
    ("☒其他先进质量方法 ☐卓越绩效", ["其他先进质量方法"]),
    ("☐卓越绩效　☐六西格玛", []),
    ("六西格玛", None),
])
def test_ticked_options(text: str, ticked: list[str] | None) -> None:
    assert ticked_options(text, ("卓越绩效", "六西格玛", "精益管理", "其他先进质量方法")) == ticked


# call-2021.md §2: what means "nothing" in a field, after trimming and NFKC
@pytest.mark.parametrize("text", ["无", "暂无", "没有", "空", "—", "－", "-", "/", "——", "--", "无。", "／", " 无 ", "暂 无",
                                  "－－", "─", "– "])
def test_is_nothing(text: str) -> None:
    assert is_nothing(text)


@pytest.mark.parametrize("text", ["", "0", "无锡", "无锡市质量协会", "没有推荐单位的说明", "N/A", "-5", "无/有", "空调", "。"])
def test_is_not_nothing(text: str) -> None:
    assert not is_nothing(text)


@pytest.mark.parametrize("text, value", [
    ("２１０４５８", "210458"), ("０２１－５８１２６６８８", "021-58126688"), ("ｇｕｗｊ＠ｅｘａｍｐｌｅ．ｃｎ", "guwj@example.cn"),
    ("９１３１０１１５ＭＡ１Ｋ４", "91310115MA1K4"), (" 201315 ", "201315"), ("（021）", "(021)"),
])
def test_compared_is_nfkc_and_trimmed(text: str, value: str) -> None:
    assert compared(text) == value
