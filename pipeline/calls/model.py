"""The call as typed data: the form's sections and fields, the rules' vocabulary, and every other block of call.yaml
(file limits, batch, review rubric, documents, certificates, notice, organiser, schedule, roles).

Pure values: nothing here reads a file. `pipeline.calls.load` builds them from call.yaml and checks every key;
`pipeline.calls.schema` derives the application's JSON Schema from them. Every default of call.yaml is written
here, once.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from functools import cached_property
from pathlib import Path
from typing import Any

from pipeline.fieldpath import parents

FIELD_TYPES = ("text", "date", "month", "date_range", "number", "checkbox", "signature")
SECTION_KINDS = ("fields", "table", "text", "checklist")
CHECKSUMS = ("credit_code",)

MIB = 2**20

@dataclass(frozen=True)
class FieldSpec:
    """One value of the form (a label|value field, a table column, a text section or a checklist item)."""

    id: str
    label: str
    type: str = "text"
    required: bool = False
    max_chars: int | None = None
    warn_min_chars: int | None = None
    one_line: bool = False
    enum: str | None = None
    format: str | None = None
    checksum: str | None = None
    widget: str | None = None
    hint: str | None = None
    note: str | None = None
    parts: tuple[str, ...] = ()
    box: bool = False
    lines: int = 1
    width: int | None = None
    auto: str | None = None
    keywords: str | None = None


@dataclass(frozen=True)
class Section:
    """One numbered section of the form."""

    id: str
    title: str
    kind: str
    fields: tuple[FieldSpec, ...] = ()
    columns: tuple[FieldSpec, ...] = ()
    items: tuple[FieldSpec, ...] = ()
    field: str | None = None
    rows_min: int = 0
    rows_max: int | None = None
    rows_blank: int = 3
    hint: str | None = None
    text: str | None = None
    seal: str | None = None
    years: tuple[int, ...] = ()
    year_column: str | None = None
    total_label: str | None = None
    total_field: str | None = None
    basis: FieldSpec | None = None
    spec: FieldSpec | None = None
    # the blank form starts this section on a new page (the page applicants sign, stamp and scan back in)
    new_page: bool = False
    # on a scanned page inside a text PDF the section counts as filled in (signed and dated), not as missing
    scanned_ok: bool = False

    @property
    def heading(self) -> str:
        """The title without its numeral (一、项目基本情况 -> 项目基本情况)."""
        return strip_numeral(self.title)


@dataclass(frozen=True)
class Rule:
    """A rule over several fields: a registered function's name, its parameters, and its severity."""

    name: str
    params: dict[str, Any]
    severity: str | None = None



# --- the blocks after the form ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class FileLimits:
    """call.yaml `file:` — what a submitted file may be, and the work one file may cause."""

    formats: tuple[str, ...] = ()
    legacy_formats: tuple[str, ...] = ()
    max_bytes: int = 20 * MIB
    max_pages: int | None = None
    max_pdf_pages: int = 300
    page_size: str = "A4"
    orientation: str = "portrait"
    min_body_font_pt: float | None = None
    body_font_sections: tuple[str, ...] = ()
    # guards against hostile containers: total uncompressed size, compression ratio, number of parts
    max_unzipped_bytes: int = 200 * MIB
    max_zip_ratio: float = 200.0
    max_zip_entries: int = 2000
    # the limits of the work one file may cause (checked in a worker: file.too_complex)
    max_seconds: float = 20.0
    max_memory_mb: int = 1024


@dataclass(frozen=True)
class BatchSettings:
    """call.yaml `batch:` — registration numbers, archive guards and the numbers of the rules across applications."""

    registration_prefix: str = ""
    registration_digits: int = 4
    similar_summary: float = 0.9
    max_per_applicant: int = 3
    max_per_person: int = 2
    max_archive_entries: int = 20000
    max_archive_bytes: int = 8 * 2**30


@dataclass(frozen=True)
class Criterion:
    """One scoring criterion: id, label, maximum points, guidance for the judges."""

    id: str
    label: str
    max: Fraction
    guidance: str = ""


@dataclass(frozen=True)
class Level:
    """One award level: minimum final score and the share of scored applications it may take."""

    level: int
    name: str
    min_score: Fraction
    max_share: Decimal
    at_least: int = 0


@dataclass(frozen=True)
class Rubric:
    """The `review:` block of call.yaml, typed and checked."""

    criteria: tuple[Criterion, ...]
    step: Fraction
    comment_max_chars: int
    judges_per_app: int
    trim_from: int
    rank_shift_warning: int
    tie_break: tuple[str, ...]
    levels: tuple[Level, ...]
    # review.window: the days judges score online, both included (None: online scoring is not offered)
    window_start: dt.date | None = None
    window_end: dt.date | None = None

    @property
    def total_max(self) -> Fraction:
        """The highest possible total."""
        return sum((c.max for c in self.criteria), Fraction(0))

    def criterion(self, cid: str) -> Criterion:
        """A criterion by id."""
        return next(c for c in self.criteria if c.id == cid)


@dataclass(frozen=True)
class Documents:
    """call.yaml `documents:` — numbers, dates and wording of what the association issues (None: not set)."""

    letters_date: dt.date | None = None
    letter_prefix: str | None = None
    resubmit_days: int = 10
    contact: str | None = None
    decision_number: str | None = None
    decision_date: dt.date | None = None
    award_date: dt.date | None = None


@dataclass(frozen=True)
class Certificates:
    """call.yaml `certificates:` — the number pattern, the wording of each kind, and who signs."""

    number: str | None = None
    person_text: str | None = None
    unit_text: str | None = None
    signer: str | None = None


@dataclass(frozen=True)
class NoticeInfo:
    """call.yaml `notice:` — the call notice's number and date."""

    number: str | None = None
    date: dt.date | None = None


@dataclass(frozen=True)
class Organiser:
    """call.yaml `organiser:` — the association's name, short name and document-number code ("" when not set)."""

    name: str = ""
    short: str = ""
    code: str = ""


@dataclass(frozen=True)
class Schedule:
    """call.yaml `schedule:` — when the stages after the window happen, as the notice words them."""

    evaluation: str | None = None
    award: str | None = None
    publicity: str | None = None


@dataclass(frozen=True)
class Publication:
    """call.yaml `publication:` — after the review: the 公示 (from which day, for how many days, its notice's number),
    the day the winners' cases are published (在线分享), the consent line a unit agrees to on its submission page
    (None: no case is published online), and whether a unit sees its result and the judges' comments after the
    decision (feedback)."""

    publicity_start: dt.date | None = None
    publicity_days: int = 7
    publicity_number: str | None = None
    publish_date: dt.date | None = None
    consent: str | None = None
    feedback: bool = False


@dataclass(frozen=True)
class Roles:
    """call.yaml `roles:` — the fields that the rules across applications, the registry, the review and the documents
    need, named by what they mean. Field ids live in call.yaml only; code reads them here."""

    project_name: str
    project_category: str
    project_industry: str
    project_period: str
    project_start: str
    project_end: str
    applicant_name: str
    applicant_code: str
    member_no: str
    summary: str
    units: str
    unit_name: str
    unit_code: str
    persons: str
    person_name: str
    person_birth: str
    person_unit: str
    # what a published case shows besides (pipeline.cases): optional, a call without them publishes less
    innovation: str | None = None
    methods: str | None = None
    person_title: str | None = None
    benefits: str | None = None  # the benefits table (its number columns are the chart's series)
    benefit_year: str | None = None  # its column naming the year of a row


# Which roles name a field of the form, a table, or a column of one of those tables.
ROLE_FIELDS = ("project_name", "project_category", "project_industry", "project_period", "project_start",
               "project_end", "applicant_name", "applicant_code", "member_no", "summary")
ROLE_TABLES = {"units": ("unit_name", "unit_code"), "persons": ("person_name", "person_birth", "person_unit")}
# Roles a call may leave out (each checked like the others when given): fields, and columns of the tables above or
# of an optional table.
OPTIONAL_ROLE_FIELDS = ("innovation", "methods")
OPTIONAL_ROLE_COLUMNS = {"persons": ("person_title",)}
OPTIONAL_ROLE_TABLES = {"benefits": ("benefit_year",)}


# --- rule vocabulary: each rule's keys and what they hold (implemented in pipeline/check/rules.py) ---------------
# kinds: field (a field path of the form), fields (a list of them), table (a table section's field), list (a
# named list), columns (column ids), date, int, num; a key ending in ? is optional.
RULE_PARAMS: dict[str, dict[str, str]] = {
    "date_order": {"start": "field", "end": "field"},
    "date_window": {"field": "field", "min?": "date", "max?": "date"},
    "min_duration": {"start": "field", "end": "field", "months": "int"},
    "age": {"field": "field", "on_date": "date", "min": "int", "max": "int"},
    "equals": {"field": "field", "other": "field"},
    "unique": {"list": "table", "key": "columns"},
    "cross_ref": {"field": "field", "list": "table", "key": "column"},
    "sum": {"rows": "table", "total": "field", "columns": "columns", "tolerance?": "num"},
    "required_if_positive": {"field": "field", "any_of": "fields"},
    "required_if_given": {"field": "field", "given": "field"},
    "keywords": {"field": "field", "list": "list"},
    "ticked": {"field": "field"},
    "ticked_if_positive": {"field": "field", "any_of": "fields"},
    "ticked_if_rows": {"field": "field", "list": "table"},
}


@dataclass(frozen=True, eq=False)
class Call:
    """A call: its facts, form, rules and the data of later stages."""

    id: str
    form_version: str
    award: str
    year: int
    organiser: Organiser
    notice: NoticeInfo
    window_start: dt.date
    window_end: dt.date
    reference_date: dt.date
    form_title: str
    min_label_ratio: float
    file: FileLimits
    lists: dict[str, tuple[str, ...]]
    formats: dict[str, str]
    sections: tuple[Section, ...]
    rules: tuple[Rule, ...]
    batch: BatchSettings
    review: Rubric
    certificates: Certificates
    documents: Documents
    roles: Roles
    folder: Path
    raw: dict[str, Any] = field(repr=False, compare=False, default_factory=dict)
    # the cover page's labels (项目名称, 申报单位（盖章）, …): labels, never values, and never a section's fields
    cover: tuple[str, ...] = ()
    # formats checked on the characters as typed (ascii); every other format sees the value after NFKC
    raw_formats: frozenset[str] = frozenset()
    schedule: Schedule = Schedule()
    award_short: str | None = None
    publication: Publication = Publication()

    def section(self, section_id: str) -> Section:
        """The section with this id."""
        for s in self.sections:
            if s.id == section_id:
                return s
        raise KeyError(section_id)

    def field_specs(self) -> dict[str, FieldSpec]:
        """Every scalar field by id (label|value fields, text sections, checklist items, date parts, basis)."""
        return self._specs

    @cached_property
    def _specs(self) -> dict[str, FieldSpec]:
        out: dict[str, FieldSpec] = {}
        for s in self.sections:
            for f in (*s.fields, *s.items):
                out[f.id] = f
                for i, part in enumerate(f.parts):
                    suffix = ("（起）", "（止）")[min(i, 1)]
                    out[part] = FieldSpec(id=part, label=f.label + suffix, type="date", required=f.required)
            if s.spec is not None:
                out[s.spec.id] = s.spec
            if s.basis is not None:
                out[s.basis.id] = s.basis
        return out

    @cached_property
    def _field_positions(self) -> dict[str, tuple[int, int]]:
        out: dict[str, tuple[int, int]] = {}
        for n, s in enumerate(self.sections):
            ids = [i for f in (*s.fields, *s.items) for i in (f.id, *f.parts)]
            ids += [x for x in (s.field, s.total_field, s.basis.id if s.basis else None, s.spec.id if s.spec else None)
                    if x]
            for fid in ids:
                out.setdefault(fid, (n, len(out)))
        return out

    def field_position(self, path: str | None) -> tuple[int, int] | None:
        """(section index, form order) of a field path: persons[2].unit -> persons, benefits.total.sales ->
        benefits.total; None for no field or one the form does not have."""
        return next((self._field_positions[p] for p in parents(path or "") if p in self._field_positions), None)

    def table_sections(self) -> list[Section]:
        """Sections that are tables (units, persons, benefits, ip)."""
        return [s for s in self.sections if s.kind == "table"]

    def enum_values(self, name: str | None) -> tuple[str, ...]:
        """The allowed values of a named list."""
        return self.lists.get(name or "", ())


CALL_STAMP = "award-call="  # not ":", which LibreOffice's PDF export turns into a keyword separator


def stamp_properties(core: Any, call_id: str, form_version: str) -> None:
    """Name the call a form belongs to in its core properties: `identifier`, and a Keywords token that Word
    and LibreOffice also carry into the PDF's Info dictionary (a PDF has no `identifier`)."""
    core.identifier = call_id
    core.version = form_version
    core.keywords = f"{CALL_STAMP}{call_id}"


def stamped_call(properties: dict[str, str]) -> str | None:
    """The call a document names (its `identifier`, else the Keywords token), or None."""
    if properties.get("identifier"):
        return properties["identifier"]
    words = properties.get("keywords", "").replace(";", " ").replace(",", " ").split()
    marker = CALL_STAMP[:-1]
    for n, word in enumerate(words):
        if word.startswith(CALL_STAMP) and len(word) > len(CALL_STAMP):
            return word[len(CALL_STAMP):]
        if word.rstrip(":=") == marker and n + 1 < len(words):  # "award-call, saq-2021" after a split
            return words[n + 1]
    return None


_NUMERAL = re.compile(r"^\s*[一二三四五六七八九十]+\s*[、.．]\s*")


def strip_numeral(title: str) -> str:
    """Drop a leading Chinese numeral heading mark (十三、)."""
    return _NUMERAL.sub("", title)

