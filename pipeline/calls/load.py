"""Read a call folder's call.yaml into a typed Call, checking every key: a bad call.yaml fails here, with a message
that names the key (call.yaml: review.criteria[2].max must be a multiple of the step 0.5)."""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import Any

from pipeline.calls.model import (
    CHECKSUMS,
    FIELD_TYPES,
    OPTIONAL_ROLE_COLUMNS,
    OPTIONAL_ROLE_FIELDS,
    OPTIONAL_ROLE_TABLES,
    ROLE_FIELDS,
    ROLE_TABLES,
    RULE_PARAMS,
    SECTION_KINDS,
    BatchSettings,
    Call,
    Certificates,
    Criterion,
    Documents,
    FieldSpec,
    FileLimits,
    Level,
    NoticeInfo,
    Organiser,
    Publication,
    Roles,
    Rubric,
    Rule,
    Schedule,
    Section,
    strip_numeral,
)
from pipeline.errors import CallError
from pipeline.resources import DEFAULT_CALL, call_dir


class _Reader:
    """Reads one mapping of call.yaml, naming the key path in every error."""

    def __init__(self, data: Any, path: str) -> None:
        if not isinstance(data, dict):
            raise _bad(path, "应为映射（键: 值）", "must be a mapping (key: value)")
        self.data = data
        self.path = path
        self.used: set[str] = set()

    def get(self, key: str, kind: type | tuple[type, ...], default: Any = None, required: bool = False) -> Any:
        self.used.add(key)
        if key not in self.data or self.data[key] is None:
            if required:
                raise _bad(f"{self.path}.{key}", "缺少必填键", "is required")
            return default
        value = self.data[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or (isinstance(value, bool) and kind in (int, float)):
            kinds = kind if isinstance(kind, tuple) else (kind,)
            zh = "或".join(_KIND_NAMES[k][0] for k in kinds)
            en = " or ".join(_KIND_NAMES[k][1] for k in kinds)
            raise _bad(f"{self.path}.{key}", f"应为{zh}（现为 {value!r:.40}）", f"must be {en} (is {value!r:.40})")
        return value

    def number(self, key: str, default: Any = None, required: bool = False, lo: float | None = None,
               hi: float | None = None, integer: bool = False, above: bool = False) -> Any:
        """An int (integer) or a number, within [lo, hi] (above: strictly over lo)."""
        value = self.get(key, int if integer else float, default, required)
        if self.data.get(key) is None:
            return value
        where = f"{self.path}.{key}"
        if not math.isfinite(value):
            raise _bad(where, "应为有限的数", "must be a finite number")
        if lo is not None and (value <= lo if above else value < lo):
            zh, en = ((f"应大于 {lo:g}", f"must be above {lo:g}") if above
                      else (f"不应小于 {lo:g}", f"must be at least {lo:g}"))
            raise _bad(where, f"{zh}（现为 {value}）", f"{en} (is {value})")
        if hi is not None and value > hi:
            raise _bad(where, f"不应大于 {hi:g}（现为 {value}）", f"must be at most {hi:g} (is {value})")
        return value

    def date(self, key: str, required: bool = False) -> dt.date | None:
        """A date (YYYY-MM-DD)."""
        value = self.get(key, (str, dt.date), required=required)
        return None if value is None else _date(value, f"{self.path}.{key}")

    def strings(self, key: str, required: bool = False, choices: tuple[str, ...] | None = None) -> tuple[str, ...]:
        """A list of texts (each one of `choices` when given)."""
        value = self.get(key, list, [], required)
        for i, v in enumerate(value):
            if not isinstance(v, str) or not v.strip():
                raise _bad(f"{self.path}.{key}[{i}]", "应为非空文字", "must be a non-empty text")
            if choices is not None and v not in choices:
                raise _bad(f"{self.path}.{key}[{i}]", f"应为 {'、'.join(choices)} 之一",
                           f"must be one of {', '.join(choices)}")
        return tuple(value)

    def choice(self, key: str, choices: tuple[str, ...], default: str | None = None) -> str | None:
        """A text that is one of `choices`."""
        value = self.get(key, str, default)
        if value is not None and value not in choices:
            raise _bad(f"{self.path}.{key}", f"应为 {'、'.join(choices)} 之一", f"must be one of {', '.join(choices)}")
        return value

    def done(self) -> None:
        """Refuse any key that was not read (a misspelt key would otherwise be ignored)."""
        extra = sorted((k for k in self.data if k not in self.used), key=str)
        if extra:
            raise _bad(f"{self.path}.{extra[0]}", "未知的键（拼写错误？）", "is not a known key (misspelt?)")


_KIND_NAMES: dict[type, tuple[str, str]] = {
    str: ("文字", "text"), int: ("整数", "an integer"), float: ("数", "a number"),
    bool: ("true 或 false", "true or false"), dict: ("映射（键: 值）", "a mapping (key: value)"),
    list: ("列表", "a list"), dt.date: ("日期（YYYY-MM-DD）", "a date (YYYY-MM-DD)"),
}


def _bad(path: str, zh: str, en: str) -> CallError:
    return CallError(f"call.yaml 中 {path} {zh}", f"call.yaml: {path} {en}")


def _date(value: Any, path: str) -> dt.date:
    if isinstance(value, dt.datetime):
        raise _bad(path, "应为日期（YYYY-MM-DD），不含时间", "must be a date (YYYY-MM-DD) without a time")
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise _bad(path, "不是有效日期（YYYY-MM-DD）", "is not a date (YYYY-MM-DD)") from None



def _field(data: Any, path: str, lists: dict[str, Any], formats: dict[str, str]) -> FieldSpec:
    r = _Reader(data, path)
    spec = FieldSpec(
        id=r.get("id", str, required=True),
        label=r.get("label", str, required=True),
        type=r.get("type", str, "text"),
        required=r.get("required", bool, False),
        max_chars=r.number("max_chars", integer=True, lo=1),
        warn_min_chars=r.number("warn_min_chars", integer=True, lo=1),
        one_line=r.get("one_line", bool, False),
        enum=r.get("enum", str),
        format=r.get("format", str),
        checksum=r.get("checksum", str),
        widget=r.get("widget", str),
        hint=r.get("hint", str),
        note=r.get("note", str),
        parts=r.strings("parts"),
        box=r.get("box", bool, False),
        lines=r.number("lines", 1, integer=True, lo=1, hi=100),
        width=r.number("width", integer=True, lo=1),
        auto=r.choice("auto", ("rank",)),
        keywords=r.get("keywords", str),
    )
    r.done()
    _check_field(spec, path, lists, formats)
    return spec


def _check_field(spec: FieldSpec, path: str, lists: dict[str, Any], formats: dict[str, str]) -> None:
    if spec.type not in FIELD_TYPES:
        raise _bad(f"{path}.type", f"应为 {'、'.join(FIELD_TYPES)} 之一", f"must be one of {', '.join(FIELD_TYPES)}")
    for key, name in (("enum", spec.enum), ("keywords", spec.keywords)):
        if name is not None and name not in lists:
            raise _bad(f"{path}.{key}", f"引用了不存在的列表 {name}", f"names an unknown list {name}")
    if spec.format is not None and spec.format not in formats:
        raise _bad(f"{path}.format", f"引用了不存在的格式 {spec.format}", f"names an unknown format {spec.format}")
    if spec.checksum is not None and spec.checksum not in CHECKSUMS:
        raise _bad(f"{path}.checksum", "未知的校验方法", "is not a known checksum")
    for key, n in (("max_chars", spec.max_chars), ("warn_min_chars", spec.warn_min_chars)):
        if n is not None and n <= 0:
            raise _bad(f"{path}.{key}", "应为正整数", "must be a positive integer")
    if spec.max_chars is not None and spec.warn_min_chars is not None and spec.warn_min_chars > spec.max_chars:
        raise _bad(f"{path}.warn_min_chars", "不应大于 max_chars", "must not exceed max_chars")
    if spec.type == "date_range" and len(spec.parts) != 2:
        raise _bad(f"{path}.parts", "日期区间须有两个字段（起、止）", "a date range needs two parts (start, end)")


def _years(r: _Reader) -> tuple[int, ...]:
    years = r.get("years", list, [])
    for i, y in enumerate(years):
        if not isinstance(y, int) or isinstance(y, bool) or not 1900 <= y <= 9999:
            raise _bad(f"{r.path}.years[{i}]", "应为年份（如 2020）", "must be a year (such as 2020)")
    return tuple(years)


def _section(data: Any, path: str, lists: dict[str, Any], formats: dict[str, str]) -> Section:
    r = _Reader(data, path)
    sid = r.get("id", str, required=True)
    title = r.get("title", str, required=True)
    kind = r.get("kind", str, required=True)
    if kind not in SECTION_KINDS:
        raise _bad(f"{path}.kind", f"应为 {'、'.join(SECTION_KINDS)} 之一",
                   f"must be one of {', '.join(SECTION_KINDS)}")
    rows = _Reader(r.get("rows", dict, {}), f"{path}.rows")
    rows_min = rows.number("min", 0, integer=True, lo=0)
    rows_max = rows.number("max", integer=True, lo=max(rows_min, 1))
    rows_blank = rows.number("blank", 3, integer=True, lo=0, hi=100)
    rows.done()
    fields = tuple(_field(f, f"{path}.fields[{i}]", lists, formats) for i, f in enumerate(r.get("fields", list, [])))
    columns = tuple(
        _field(f, f"{path}.columns[{i}]", lists, formats) for i, f in enumerate(r.get("columns", list, []))
    )
    items = tuple(_field({**f, "type": "checkbox"} if isinstance(f, dict) else f, f"{path}.items[{i}]", lists, formats)
                  for i, f in enumerate(r.get("items", list, [])))
    basis_data = r.get("basis", dict)
    basis = _field(basis_data, f"{path}.basis", lists, formats) if basis_data else None
    spec = None
    if kind == "text":
        spec = FieldSpec(
            id=r.get("field", str, required=True),
            label=strip_numeral(title),
            required=r.get("required", bool, False),
            max_chars=r.number("max_chars", integer=True, lo=1),
            warn_min_chars=r.number("warn_min_chars", integer=True, lo=1),
            keywords=r.get("keywords", str),
            hint=r.get("hint", str),
            lines=r.number("lines", 6, integer=True, lo=1, hi=100),
        )
        _check_field(spec, path, lists, formats)
    section = Section(
        id=sid, title=title, kind=kind, fields=fields, columns=columns, items=items,
        field=r.get("field", str), rows_min=rows_min, rows_max=rows_max, rows_blank=rows_blank,
        hint=r.get("hint", str), text=r.get("text", str), seal=r.get("seal", str),
        years=_years(r), year_column=r.get("year_column", str),
        total_label=r.get("total_label", str), total_field=r.get("total_field", str), basis=basis, spec=spec,
        new_page=r.get("new_page", bool, False), scanned_ok=r.get("scanned_ok", bool, False),
    )
    r.done()
    if kind == "fields" and not fields:
        raise _bad(f"{path}.fields", "不能为空", "must not be empty")
    if kind == "table" and (not columns or not section.field):
        raise _bad(f"{path}.columns", "表格须有列和字段名（field）", "a table needs columns and a field")
    if section.year_column is not None and section.year_column not in [c.id for c in columns]:
        raise _bad(f"{path}.year_column", f"引用了不存在的列 {section.year_column}",
                   f"names an unknown column {section.year_column}")
    if kind == "checklist" and not items:
        raise _bad(f"{path}.items", "不能为空", "must not be empty")
    return section


# --- the blocks after the form: every key known, every value typed and in range -----------------------------

# The file limits the readers know (pipeline/ingest, check/layout.py); a key added there is added here.
def _given(cls: Any, values: dict[str, Any]) -> Any:
    """The block with the keys call.yaml gives; the dataclass's defaults for the rest."""
    return cls(**{k: v for k, v in values.items() if v is not None})


def _file_block(data: Any, body_fields: set[str]) -> FileLimits:
    r = _Reader(data, "file")
    out: dict[str, Any] = {
        "formats": r.strings("formats", choices=("docx", "pdf")),
        "legacy_formats": r.strings("legacy_formats", choices=("doc", "wps")),
        "max_bytes": r.number("max_bytes", integer=True, lo=1),
        "max_pages": r.number("max_pages", integer=True, lo=1),
        "max_pdf_pages": r.number("max_pdf_pages", integer=True, lo=1),
        "page_size": r.choice("page_size", ("A4",)),
        "orientation": r.choice("orientation", ("portrait", "landscape")),
        "min_body_font_pt": r.number("min_body_font_pt", lo=0, hi=100, above=True),
        "body_font_sections": r.strings("body_font_sections"),
        "max_unzipped_bytes": r.number("max_unzipped_bytes", integer=True, lo=1),
        "max_zip_ratio": r.number("max_zip_ratio", lo=1),
        "max_zip_entries": r.number("max_zip_entries", integer=True, lo=1),
        # the limits of the work one file may cause (checked in a worker: file.too_complex)
        "max_seconds": r.number("max_seconds", lo=0, above=True),
        "max_memory_mb": r.number("max_memory_mb", integer=True, lo=64),
    }
    r.done()
    for i, name in enumerate(out["body_font_sections"]):
        if name not in body_fields:
            raise _bad(f"file.body_font_sections[{i}]", f"引用了不存在的正文部分 {name}",
                       f"names an unknown text section {name}")
    return _given(FileLimits, out)


def _batch_block(data: Any, year: int) -> BatchSettings:
    r = _Reader(data, "batch")
    out = {
        "registration_prefix": r.get("registration_prefix", str, f"{year}-"),
        "registration_digits": r.number("registration_digits", integer=True, lo=1, hi=12),
        "similar_summary": r.number("similar_summary", lo=0, hi=1, above=True),
        "max_per_applicant": r.number("max_per_applicant", integer=True, lo=1),
        "max_per_person": r.number("max_per_person", integer=True, lo=1),
        "max_archive_entries": r.number("max_archive_entries", integer=True, lo=1),
        "max_archive_bytes": r.number("max_archive_bytes", integer=True, lo=1),
    }
    r.done()
    prefix = out["registration_prefix"]
    if not re.fullmatch(r"[0-9A-Za-z_.-]*", prefix):
        raise _bad("batch.registration_prefix", "只能含字母、数字和 - _ .（用于文件名）",
                   "may hold only letters, digits and - _ . (it names files)")
    return _given(BatchSettings, out)


def _join_folded(text: str) -> str:
    """YAML folds lines with a space; Chinese text wants none next to a Chinese character."""
    return re.sub(r"(?<=[^\x00-\x7f])\s+|\s+(?=[^\x00-\x7f])", "", text).strip()


def _exact(value: float) -> Fraction:
    """A number of call.yaml as written (0.1 stays one tenth, not the float nearest to it)."""
    return Fraction(str(value))


def _review_block(data: Any) -> Rubric:
    r = _Reader(data, "review")
    judges_per_app = r.number("judges_per_app", 5, integer=True, lo=1)
    step = r.number("step", 0.5, lo=0, above=True)
    comment_max_chars = r.number("comment_max_chars", 300, integer=True, lo=1)
    # trimming one highest and one lowest form of two would leave nothing to average
    trim_from = r.number("trim_from", 5, integer=True, lo=3)
    rank_shift_warning = r.number("rank_shift_warning", 3, integer=True, lo=0)
    criteria = []
    for i, c in enumerate(r.get("criteria", list, required=True)):
        cr = _Reader(c, f"review.criteria[{i}]")
        cid, label = cr.get("id", str, required=True), cr.get("label", str, required=True)
        top = cr.number("max", required=True, lo=0, above=True)
        guidance = cr.get("guidance", str)
        cr.done()
        if (top / step) % 1:
            raise _bad(f"review.criteria[{i}].max", f"应为评分步长 {step:g} 的整数倍",
                       f"must be a multiple of the step {step:g}")
        criteria.append(Criterion(id=str(cid), label=str(label), max=_exact(top),
                                  guidance=_join_folded(str(guidance or ""))))
    if not criteria:
        raise _bad("review.criteria", "不能为空", "must not be empty")
    ids = [c.id for c in criteria]
    for i, cid in enumerate(ids):
        if cid in ids[:i]:
            raise _bad(f"review.criteria[{i}].id", f"重复：{cid}", f"is a duplicate: {cid}")
    tie_break = r.strings("tie_break", choices=tuple(ids))
    total = sum(c.max for c in criteria)
    levels: list[Level] = []
    for i, lv in enumerate(r.get("levels", list, required=True)):
        lr = _Reader(lv, f"review.levels[{i}]")
        number = lr.number("level", integer=True, required=True, lo=1)
        name = lr.get("name", str, required=True)
        min_score = lr.number("min_score", required=True, lo=0, hi=float(total))
        max_share = lr.number("max_share", required=True, lo=0, hi=1)
        at_least = lr.number("at_least", 0, integer=True, lo=0)
        lr.done()
        if number in [x.level for x in levels]:
            raise _bad(f"review.levels[{i}].level", f"重复：{number}", f"is a duplicate: {number}")
        levels.append(Level(level=number, name=str(name), min_score=_exact(min_score),
                            max_share=Decimal(str(max_share)), at_least=at_least))
    if not levels:
        raise _bad("review.levels", "不能为空", "must not be empty")
    window = r.get("window", dict)
    start = end = None
    if window is not None:
        w = _Reader(window, "review.window")
        start, end = w.date("start", required=True), w.date("end", required=True)
        w.done()
        assert start is not None and end is not None
        if end < start:
            raise _bad("review.window.end", "早于 review.window.start", "is before review.window.start")
    r.done()
    return Rubric(criteria=tuple(criteria), step=_exact(step), comment_max_chars=comment_max_chars,
                  judges_per_app=judges_per_app, trim_from=trim_from, rank_shift_warning=rank_shift_warning,
                  tie_break=tie_break, levels=tuple(levels), window_start=start, window_end=end)


def _doc_number(r: _Reader, key: str) -> str | None:
    """A document number meets the GB/T 9704 rule `award decision --number` and a notice source meet."""
    from pipeline.gbt9704 import check_doc_number

    value = r.get(key, str)
    bad = check_doc_number(value) if value is not None else None
    if bad is not None:
        v = bad.params
        raise _bad(f"{r.path}.{key}", f"“{value}”不符合 GB/T 9704（{v['reason_zh']}），应写作“{v['expected']}”",
                   f"\"{value}\" breaks GB/T 9704 ({v['reason_en']}); write \"{v['expected']}\"")
    return value


def _documents_block(data: Any) -> Documents:
    r = _Reader(data, "documents")
    out = {"letters_date": r.date("letters_date"), "decision_number": _doc_number(r, "decision_number"),
           "decision_date": r.date("decision_date"), "award_date": r.date("award_date")}
    # letters: the 发文字号 prefix (沪质协审函 -> 沪质协审函〔2021〕1号, numbered by the registry), the days an
    # applicant has to send a corrected form, and whom to contact (named in a return letter)
    out.update({"letter_prefix": r.get("letter_prefix", str),
                "resubmit_days": r.number("resubmit_days", integer=True, lo=1, hi=365),
                "contact": r.get("contact", str)})
    r.done()
    prefix = out["letter_prefix"]
    if prefix is not None and not re.fullmatch(r"[\u4e00-\u9fff]{1,12}", str(prefix)):
        raise _bad("documents.letter_prefix", "应为1至12个汉字（如 沪质协函）",
                   "must be 1 to 12 Chinese characters (e.g. 沪质协函)")
    return _given(Documents, out)


_CERT_FIELDS = {"number": dict(level=1, serial=1, kind="U", rank=1),
                "person_text": dict(name="某", project="某", rank=1, level_name="一等奖", level=1, number="X"),
                "unit_text": dict(name="某", project="某", rank=1, level_name="一等奖", level=1, number="X")}


def _certificates_block(data: Any) -> Certificates:
    r = _Reader(data, "certificates")
    out: dict[str, Any] = {}
    for key, sample in _CERT_FIELDS.items():
        template = r.get(key, str)
        if template is None:
            continue
        try:
            template.format(**sample)
        except (KeyError, IndexError, ValueError, AttributeError) as e:
            names = "、".join("{" + k + "}" for k in sample)
            raise _bad(f"certificates.{key}", f"不是有效的模板（{e!r}；可用 {names}）",
                       f"is not a valid template ({e!r}; known: {', '.join(sample)})") from None
        out[key] = template
    out["signer"] = r.get("signer", str)
    r.done()
    return _given(Certificates, out)


def _texts(data: Any, path: str, keys: tuple[str, ...]) -> dict[str, Any]:
    r = _Reader(data, path)
    out = {k: r.get(k, str) for k in keys}
    r.done()
    return out


def _notice_block(data: Any) -> NoticeInfo:
    r = _Reader(data, "notice")
    out = {"number": _doc_number(r, "number"), "date": r.date("date")}
    r.done()
    return _given(NoticeInfo, out)


def _schedule_block(data: Any) -> Schedule:
    r = _Reader(data, "schedule")
    out = {k: r.get(k, (str, int)) for k in ("evaluation", "award", "publicity")}
    r.done()
    return _given(Schedule, {k: None if v is None else str(v) for k, v in out.items()})


def _publication_block(data: Any) -> Publication:
    r = _Reader(data, "publication")
    out: dict[str, Any] = {"publicity_start": r.date("publicity_start"),
                           "publicity_days": r.number("publicity_days", integer=True, lo=1, hi=90),
                           "publicity_number": _doc_number(r, "publicity_number"),
                           "publish_date": r.date("publish_date"), "consent": r.get("consent", str),
                           "feedback": r.get("feedback", bool)}
    r.done()
    if out["consent"] is not None:
        out["consent"] = _join_folded(out["consent"]) or None
    return _given(Publication, out)


def _roles_block(data: Any) -> Roles:
    """call.yaml `roles:`: every role named (checked against the form by _check_roles)."""
    r = _Reader(data, "roles")
    out: dict[str, str] = {}
    for name in (*ROLE_FIELDS, *ROLE_TABLES, *[c for cols in ROLE_TABLES.values() for c in cols]):
        out[name] = r.get(name, str, required=True)
    optional = [*OPTIONAL_ROLE_FIELDS, *OPTIONAL_ROLE_TABLES]
    optional += [c for cols in (*OPTIONAL_ROLE_TABLES.values(), *OPTIONAL_ROLE_COLUMNS.values()) for c in cols]
    for name in optional:
        value = r.get(name, str)
        if value is not None:
            out[name] = value
    r.done()
    return Roles(**out)


def _check_roles(call: Call) -> None:
    """Each role names a field the form has: a field, a table, or a column of that table."""
    out = vars(call.roles)
    tables = {s.field: s for s in call.table_sections() if s.field}
    for name in ROLE_FIELDS:
        if call.field_position(out[name]) is None:
            raise _bad(f"roles.{name}", f"引用了不存在的字段 {out[name]}", f"names an unknown field {out[name]}")
    for name in OPTIONAL_ROLE_FIELDS:
        if out[name] is not None and call.field_position(out[name]) is None:
            raise _bad(f"roles.{name}", f"引用了不存在的字段 {out[name]}", f"names an unknown field {out[name]}")
    pairs = [(t, c, True) for t, cols in ROLE_TABLES.items() for c in cols]
    pairs += [(t, c, False) for t, cols in (*OPTIONAL_ROLE_TABLES.items(), *OPTIONAL_ROLE_COLUMNS.items())
              for c in cols]
    for table in (*ROLE_TABLES, *OPTIONAL_ROLE_TABLES):
        if out[table] is not None and out[table] not in tables:
            raise _bad(f"roles.{table}", f"引用了不存在的表格 {out[table]}", f"names an unknown table {out[table]}")
    for table, name, required in pairs:
        if not required and out[name] is None:
            continue
        if out[table] is None:
            raise _bad(f"roles.{name}", f"需要同时给出 roles.{table}", f"needs roles.{table} too")
        if out[name] not in {c.id for c in tables[out[table]].columns}:
            raise _bad(f"roles.{name}", f"引用了表格 {out[table]} 中不存在的列 {out[name]}",
                       f"names a column table {out[table]} does not have: {out[name]}")


def _rule_params(call: Call, rule: Rule, path: str) -> dict[str, Any]:
    """A rule's parameters checked against RULE_PARAMS, the rules' vocabulary (pipeline/check/rules.py implements
    each name); dates become dates."""
    spec = RULE_PARAMS.get(rule.name)
    if spec is None:
        names = "、".join(sorted(RULE_PARAMS))
        raise CallError(f"call.yaml 中 {path}.rule 引用了不存在的规则 {rule.name}（可用：{names}）",
                        f"call.yaml: {path}.rule names an unknown rule {rule.name}")
    r = _Reader({**rule.params, "rule": rule.name}, path)
    r.used.update(("rule", "severity"))
    tables = {s.field: s for s in call.table_sections() if s.field}
    out: dict[str, Any] = {}
    for key, kind in spec.items():
        name, optional = key.rstrip("?"), key.endswith("?")
        where = f"{path}.{name}"
        if kind == "date":
            value: Any = r.date(name, required=not optional)
        elif kind in ("int", "num"):
            value = r.number(name, required=not optional, lo=0, integer=kind == "int")
        elif kind in ("fields", "columns"):
            value = list(r.strings(name, required=not optional))
            if not value:
                raise _bad(where, "不能为空", "must not be empty")
        else:
            value = r.get(name, str, required=not optional)
        if value is None:
            continue
        if kind == "field" and call.field_position(value.replace("[]", "[0]")) is None:
            raise _bad(where, f"引用了不存在的字段 {value}", f"names an unknown field {value}")
        if kind == "fields":
            for i, v in enumerate(value):
                if call.field_position(v) is None:
                    raise _bad(f"{where}[{i}]", f"引用了不存在的字段 {v}", f"names an unknown field {v}")
        if kind == "table" and value not in tables:
            raise _bad(where, f"引用了不存在的表格 {value}", f"names an unknown table {value}")
        if kind == "list" and value not in call.lists:
            raise _bad(where, f"引用了不存在的列表 {value}", f"names an unknown list {value}")
        out[name] = value
    r.done()
    table = tables.get(str(out.get("list") or out.get("rows")))
    if table is not None:
        known = {c.id for c in table.columns}
        for key in ("key", "columns"):
            for i, col in enumerate([out[key]] if isinstance(out.get(key), str) else out.get(key, [])):
                if col not in known:
                    raise _bad(f"{path}.{key}" + (f"[{i}]" if isinstance(out[key], list) else ""),
                               f"引用了表格中不存在的列 {col}", f"names a column the table does not have: {col}")
    for lo, hi in (("min", "max"), ("start", "end")):
        a, b = out.get(lo), out.get(hi)
        if not isinstance(a, str) and a is not None and b is not None and b < a:  # ints or dates, never fields
            raise _bad(f"{path}.{hi}", f"不应早于（小于）{lo}", f"must not be below {lo}")
    return out


def parse_call(data: Any, folder: Path) -> Call:
    """Validate the parsed call.yaml and build the Call; errors name the bad key."""
    r = _Reader(data, "call")
    call_id = r.get("id", str, required=True)
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", call_id):
        raise _bad("call.id", "只能含字母、数字和 - _ .（用于文件夹名和网址）",
                   "may hold only letters, digits and - _ . (it names folders and URLs)")
    lists: dict[str, tuple[str, ...]] = {}
    for name, values in r.get("lists", dict, {}).items():
        if not isinstance(values, list) or not values or not all(isinstance(v, (str, int)) for v in values):
            raise _bad(f"lists.{name}", "应为非空的字符串列表", "must be a non-empty list of strings")
        lists[str(name)] = tuple(str(v) for v in values)
    formats: dict[str, str] = {}
    for name, pattern in r.get("formats", dict, {}).items():
        if not isinstance(pattern, str):
            raise _bad(f"formats.{name}", "应为正则表达式文字（加引号）",
                       "must be a regular expression as text (quoted)")
        try:
            re.compile(pattern)
        except (re.error, RecursionError, OverflowError) as e:
            raise _bad(f"formats.{name}", f"不是有效的正则表达式（{e}）",
                       f"is not a valid regular expression ({e})") from None
        formats[str(name)] = pattern
    raw_formats = r.strings("raw_formats")
    for i, name in enumerate(raw_formats):
        if name not in formats:
            raise _bad(f"raw_formats[{i}]", f"引用了不存在的格式 {name}", f"names an unknown format {name}")
    sections_raw = r.get("sections", list, required=True)
    sections = tuple(_section(s, f"sections[{i}]", lists, formats) for i, s in enumerate(sections_raw))
    if not sections:
        raise _bad("call.sections", "不能为空", "must not be empty")
    seen: set[str] = set()
    for n, s in enumerate(sections):
        if s.id in [x.id for x in sections[:n]]:
            raise _bad(f"sections[{n}].id", f"重复：{s.id}", f"is a duplicate: {s.id}")
        ids = [f.id for f in (*s.fields, *s.items)] + [p for f in s.fields for p in f.parts]
        ids += [x for x in (s.field, s.basis.id if s.basis else None) if x]
        for fid in ids:
            if fid in seen:
                raise _bad(f"sections[{s.id}]", f"字段 {fid} 重复定义", f"defines field {fid} twice")
            seen.add(fid)
    rules = []
    for i, rd in enumerate(r.get("rules", list, [])):
        if not isinstance(rd, dict) or not isinstance(rd.get("rule"), str):
            raise _bad(f"rules[{i}].rule", "缺少规则名", "is required")
        bad_keys = [k for k in rd if not isinstance(k, str)]
        if bad_keys:
            raise _bad(f"rules[{i}]",
                       f"的键 {bad_keys[0]!r} 不是文字（YAML 把 on/off/yes/no 读作真假值，请换一个键名）",
                       f"has a non-text key {bad_keys[0]!r} (YAML reads on/off/yes/no as booleans; rename it)")
        params = {k: v for k, v in rd.items() if k not in ("rule", "severity")}
        severity = rd.get("severity")
        if severity not in (None, "error", "warning", "info"):
            raise _bad(f"rules[{i}].severity", "应为 error、warning 或 info", "must be error, warning or info")
        rules.append(Rule(name=rd["rule"], params=params, severity=severity))
    window = _Reader(r.get("window", dict, required=True), "window")
    window_start, window_end = window.date("start", required=True), window.date("end", required=True)
    window.done()
    assert window_start is not None and window_end is not None
    if window_end < window_start:
        raise _bad("window.end", "早于 window.start", "is before window.start")
    form = _Reader(r.get("form", dict, {}), "form")
    form_title = form.get("title", str, required=True)
    min_label_ratio = form.number("min_label_ratio", 0.5, lo=0, hi=1, above=True)
    cover = form.strings("cover")
    form.done()
    body_fields = {s.spec.id for s in sections if s.spec is not None}
    reference_date = r.date("reference_date", required=True)
    assert reference_date is not None
    year = r.number("year", required=True, integer=True, lo=1900, hi=9999)
    call = Call(
        id=call_id,
        form_version=str(r.get("form_version", (str, int, float), required=True)),
        award=r.get("award", str, required=True),
        year=year,
        organiser=_given(Organiser, _texts(r.get("organiser", dict, {}), "organiser", ("name", "short", "code"))),
        notice=_notice_block(r.get("notice", dict, {})),
        window_start=window_start,
        window_end=window_end,
        reference_date=reference_date,
        form_title=form_title,
        min_label_ratio=min_label_ratio,
        file=_file_block(r.get("file", dict, {}), body_fields),
        lists=lists,
        formats=formats,
        sections=sections,
        rules=tuple(rules),
        batch=_batch_block(r.get("batch", dict, {}), year),
        review=_review_block(r.get("review", dict, required=True)),
        certificates=_certificates_block(r.get("certificates", dict, {})),
        documents=_documents_block(r.get("documents", dict, {})),
        roles=_roles_block(r.get("roles", dict, required=True)),
        folder=folder,
        raw=data,
        cover=cover,
        raw_formats=frozenset(raw_formats),
    )
    object.__setattr__(call, "award_short", r.get("award_short", str))
    object.__setattr__(call, "schedule", _schedule_block(r.get("schedule", dict, {})))
    object.__setattr__(call, "publication", _publication_block(r.get("publication", dict, {})))
    r.done()
    checked = tuple(Rule(x.name, _rule_params(call, x, f"rules[{i}]"), x.severity) for i, x in enumerate(call.rules))
    object.__setattr__(call, "rules", checked)
    _check_roles(call)
    return call


def _yaml_load(text: str) -> Any:
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class Loader(base):  # type: ignore[valid-type,misc]
        """A safe loader on which an impossible date (2021-13-31) stays text, so the key that holds it is named."""

    def timestamp(loader: Any, node: Any) -> Any:
        try:
            return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
        except (ValueError, OverflowError):
            return loader.construct_scalar(node)

    Loader.add_constructor("tag:yaml.org,2002:timestamp", timestamp)
    return yaml.load(text, Loader=Loader)


@lru_cache(maxsize=8)
def _load_cached(folder: str) -> Call:
    path = Path(folder) / "call.yaml"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CallError(f"找不到评审通知配置：{path}", f"No call configuration at {path}") from None
    except (OSError, UnicodeDecodeError) as e:
        from pipeline.fileio import read_reason

        zh, en = read_reason(e) if isinstance(e, OSError) else ("不是 UTF-8 文本", f"not UTF-8 text ({e})")
        raise CallError(f"无法读取 {path}：{zh}", f"Cannot read {path}: {en}") from None
    import yaml

    try:
        data = _yaml_load(text)
    except (yaml.YAMLError, ValueError, TypeError, RecursionError) as e:
        raise CallError(f"call.yaml 不是有效的 YAML：{e}", f"call.yaml is not valid YAML: {e}") from None
    return parse_call(data, Path(folder))


def load_call(call: str | Path = DEFAULT_CALL) -> Call:
    """Load and validate a call folder (an id under schemas/ or a path)."""
    return _load_cached(str(call_dir(call).resolve()))


