"""Typed values that flow through the pipeline: locations, documents, applications, findings, reports."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Literal

from pipeline.fieldpath import parents

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")


@dataclass(frozen=True)
class Location:
    """Where a value or a finding sits in its file."""

    kind: Literal["docx", "pdf", "file"] = "file"
    table: int | None = None
    row: int | None = None
    col: int | None = None
    paragraph: int | None = None
    page: int | None = None
    bbox: tuple[float, float, float, float] | None = None

    def to_dict(self) -> dict[str, Any]:
        """The report's `location` object."""
        d: dict[str, Any] = {"kind": self.kind}
        if self.kind == "docx":
            d.update(table=self.table, row=self.row, col=self.col, paragraph=self.paragraph)
        elif self.kind == "pdf":
            d.update(page=self.page, bbox=list(self.bbox) if self.bbox else None)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Location:
        """Inverse of to_dict."""
        bbox = d.get("bbox")
        return cls(
            kind=d.get("kind", "file"),
            table=d.get("table"),
            row=d.get("row"),
            col=d.get("col"),
            paragraph=d.get("paragraph"),
            page=d.get("page"),
            bbox=tuple(bbox) if bbox else None,
        )

    def describe(self, lang: str = "zh") -> str:
        """A short human description: 表1第2行第3列, 第5段, 第2页."""
        if self.kind == "docx" and self.table is not None:
            r = (self.row or 0) + 1
            c = (self.col or 0) + 1
            t = self.table + 1
            return f"table {t}, row {r}, column {c}" if lang == "en" else f"表{t}第{r}行第{c}列"
        if self.kind == "docx" and self.paragraph is not None:
            p = self.paragraph + 1
            return f"paragraph {p}" if lang == "en" else f"第{p}段"
        if self.kind == "pdf" and self.page is not None:
            return f"page {self.page}" if lang == "en" else f"第{self.page}页"
        return "file" if lang == "en" else "文件"


@dataclass(frozen=True)
class Cell:
    """One physical table cell, its text and where it is."""

    text: str
    table: int
    row: int
    col: int
    grid_col: int
    span: int = 1
    merged_from_above: bool = False
    has_picture: bool = False
    origin_row: int | None = None
    origin_col: int | None = None
    # the smallest font size of the cell's visible text, in points (None: unknown)
    min_font_pt: float | None = None
    # PDF only: the page (1-based) and bbox (x0, top, x1, bottom in points) of the cell
    page: int | None = None
    bbox: tuple[float, float, float, float] | None = None

    @property
    def location(self) -> Location:
        """The cell's Location (for a vertically merged cell, the cell the merge starts in)."""
        if self.page is not None:
            return Location(kind="pdf", page=self.page, bbox=self.bbox)
        if self.origin_row is not None:
            return Location(kind="docx", table=self.table, row=self.origin_row, col=self.origin_col)
        return Location(kind="docx", table=self.table, row=self.row, col=self.col)


@dataclass(frozen=True)
class Paragraph:
    """One body paragraph outside tables."""

    text: str
    index: int
    has_picture: bool = False
    location: Location = field(default_factory=Location)
    # the smallest font size of the paragraph's visible text, in points (None: unknown)
    min_font_pt: float | None = None
    # a PDF page without a text layer (a scan) standing here in reading order; its text is empty
    scanned: bool = False


@dataclass(frozen=True)
class Table:
    """A table as rows of physical cells."""

    index: int
    rows: tuple[tuple[Cell, ...], ...]


@dataclass(frozen=True)
class Document:
    """A file's content in reading order: paragraphs and tables, plus what the file says of itself."""

    format: str
    blocks: tuple[Paragraph | Table, ...]
    properties: dict[str, str] = field(default_factory=dict)
    pages: int | None = None
    # (width, height) in points of each page, when the format knows them (PDF always; docx: each section)
    page_sizes: tuple[tuple[float, float], ...] = ()
    # PDF: the pages (1-based) that are scanned images without a text layer, inside a text PDF
    scanned_pages: tuple[int, ...] = ()


@dataclass
class Application:
    """Field values found in a document, each with where it was found."""

    values: dict[str, Any] = field(default_factory=dict)
    locations: dict[str, Location] = field(default_factory=dict)
    labels_found: int = 0
    labels_total: int = 0
    properties: dict[str, str] = field(default_factory=dict)
    # paths left empty because their cell could not be split (a date range): no `required` finding for them
    unsplit: set[str] = field(default_factory=set)
    # paths of sections on a scanned page that count as filled in (signed and dated on paper): no `required`
    scanned: set[str] = field(default_factory=set)

    @property
    def label_ratio(self) -> float:
        """Share of the form's labels that were found."""
        return self.labels_found / self.labels_total if self.labels_total else 0.0

    def location_of(self, path: str) -> Location | None:
        """The location of a field path, falling back to its parents (persons[2].unit -> persons[2] -> persons)."""
        return next((self.locations[p] for p in parents(path) if p in self.locations), None)


@dataclass(frozen=True)
class Finding:
    """One problem, with a stable code, the field it concerns and where to fix it."""

    code: str
    severity: Severity
    field: str | None
    message: str
    message_en: str
    expected: Any = None
    actual: Any = None
    location: Location = dataclasses.field(default_factory=Location)

    @property
    def key(self) -> tuple[str, str | None]:
        """The (code, field) pair tests compare."""
        return (self.code, self.field)

    def to_dict(self) -> dict[str, Any]:
        """The report's finding object."""
        return {
            "code": self.code,
            "severity": self.severity,
            "field": self.field,
            "message": self.message,
            "message_en": self.message_en,
            "expected": self.expected,
            "actual": self.actual,
            "location": self.location.to_dict(),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Finding:
        """Inverse of to_dict."""
        return cls(
            code=d["code"],
            severity=d["severity"],
            field=d.get("field"),
            message=d["message"],
            message_en=d.get("message_en", d["message"]),
            expected=d.get("expected"),
            actual=d.get("actual"),
            location=Location.from_dict(d.get("location") or {}),
        )


@dataclass(frozen=True)
class FileInfo:
    """What the report says of the file itself."""

    path: str
    sha256: str
    format: str
    bytes: int
    pages: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """The report's `file` object."""
        return {"path": self.path, "sha256": self.sha256, "format": self.format, "bytes": self.bytes,
                "pages": self.pages}


@dataclass(frozen=True)
class Report:
    """The outcome of checking one file."""

    tool: dict[str, str]
    call: str
    file: FileInfo
    fields: dict[str, Any]
    findings: tuple[Finding, ...]
    registration: str | None = None

    def count(self, severity: Severity) -> int:
        """How many findings of this severity."""
        return sum(1 for f in self.findings if f.severity == severity)

    @property
    def status(self) -> str:
        """`pass` when there is no error, else `fail`."""
        return "fail" if self.count("error") else "pass"

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Report:
        """Inverse of to_dict (reports/<reg-no>.json, the registry)."""
        f = d["file"]
        return cls(tool=dict(d["tool"]), call=d["call"],
                   file=FileInfo(f["path"], f["sha256"], f["format"], f["bytes"], f.get("pages")),
                   fields=d.get("fields") or {}, findings=tuple(Finding.from_dict(x) for x in d["findings"]),
                   registration=d.get("registration"))

    def to_dict(self) -> dict[str, Any]:
        """The JSON report of interfaces.md."""
        return {
            "tool": dict(self.tool),
            "call": self.call,
            "registration": self.registration,
            "file": self.file.to_dict(),
            "status": self.status,
            "summary": {s + "s" if s != "info" else s: self.count(s) for s in SEVERITIES},
            "fields": self.fields,
            "findings": [f.to_dict() for f in self.findings],
        }
