"""The judges: read from the CSV staff give (编号, 姓名, 工作单位, 统一社会信用代码, 专业方向), checked row by row."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.calls import Call
from pipeline.fileio import decode_csv, read_reason
from pipeline.review.errors import ReviewError
from pipeline.text import nfkc_no_spaces


@dataclass(frozen=True)
class Judge:
    """One expert from the judges CSV."""

    id: str
    name: str
    unit: str
    credit_code: str | None
    fields: tuple[str, ...]


JUDGE_COLUMNS = ("编号", "姓名", "工作单位", "统一社会信用代码", "专业方向")
_OPTIONAL_COLUMNS = {"统一社会信用代码"}
_FIELD_SPLIT = re.compile(r"[；;、,，\s]+")


def _decode(data: bytes, path: Path) -> str:
    text = decode_csv(data)
    if text is None:
        raise ReviewError(f"{path.name}：无法识别文件编码（应为 UTF-8 或 GBK）",
                          f"{path.name}: unknown encoding (expected UTF-8 or GBK)")
    return text


def normalise_unit(name: str) -> str:
    """A unit name for comparison: NFKC (full-width brackets become ASCII), no whitespace, case-folded."""
    return nfkc_no_spaces(name).casefold()


def _credit_code_ok(code: str, call: Call) -> bool:
    from pipeline.check.values import credit_check_char

    pattern = call.formats.get("credit_code", r"^[0-9A-HJ-NPQRTUWXY]{18}$")
    return bool(re.match(pattern, code)) and credit_check_char(code[:17]) == code[17]


def read_judges(path: Path, call: Call, data: bytes | None = None) -> list[Judge]:
    """The judges of a CSV file (编号, 姓名, 工作单位, 统一社会信用代码 optional, 专业方向); errors name the row.
    `data`: the file's bytes already read (an upload), `path` then only names it in the messages."""
    if data is None:
        try:
            data = path.read_bytes()
        except OSError as e:
            zh, en = read_reason(e)
            raise ReviewError(f"无法读取专家名单 {path}：{zh}", f"cannot read the judges file {path}: {en}") from None
    rows = list(csv.reader(io.StringIO(_decode(data, path))))
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows:
        raise ReviewError(f"{path.name}：专家名单为空", f"{path.name}: the judges file is empty")
    header = [h.strip() for h in rows[0]]
    for col in JUDGE_COLUMNS:
        if col not in header and col not in _OPTIONAL_COLUMNS:
            raise ReviewError(f"{path.name}：缺少列“{col}”（表头应为 {'，'.join(JUDGE_COLUMNS)}）",
                              f"{path.name}: column '{col}' is missing (header: {', '.join(JUDGE_COLUMNS)})")
    index = {h: header.index(h) for h in JUDGE_COLUMNS if h in header}
    categories = call.enum_values("categories")
    judges: list[Judge] = []
    seen: dict[str, int] = {}
    for n, raw in enumerate(rows[1:], start=2):
        def get(col: str, raw: list[str] = raw) -> str:
            i = index.get(col)
            return raw[i].strip() if i is not None and i < len(raw) else ""

        def bad(zh: str, en: str, n: int = n) -> ReviewError:
            return ReviewError(f"{path.name} 第 {n} 行：{zh}", f"{path.name} row {n}: {en}")

        jid, name, unit, code = get("编号"), get("姓名"), get("工作单位"), get("统一社会信用代码").upper()
        for col, value in (("编号", jid), ("姓名", name), ("工作单位", unit)):
            if not value:
                raise bad(f"“{col}”为空", f"'{col}' is empty")
        if jid in seen:
            raise bad(f"编号 {jid} 与第 {seen[jid]} 行重复", f"id {jid} repeats row {seen[jid]}")
        seen[jid] = n
        if code and not _credit_code_ok(code, call):
            raise bad(f"统一社会信用代码 {code} 格式或校验位错误",
                      f"credit code {code} is malformed or its check digit is wrong")
        fields = tuple(f for f in _FIELD_SPLIT.split(get("专业方向")) if f)
        if not fields:
            raise bad("“专业方向”为空", "'专业方向' is empty")
        unknown = [f for f in fields if f not in categories]
        if unknown:
            raise bad(f"专业方向“{unknown[0]}”不是本次的项目类别（{'、'.join(categories)}）",
                      f"field '{unknown[0]}' is not a category of this call ({', '.join(categories)})")
        judges.append(Judge(jid, name, unit, code or None, fields))
    if not judges:
        raise ReviewError(f"{path.name}：专家名单没有数据行", f"{path.name}: the judges file has no rows")
    return judges
