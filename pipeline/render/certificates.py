"""Award certificates (§5): numbers, wording, a glyph check of every name, and fast bulk rendering to .docx and PDF.

Speed: the Word template is rendered ONCE per run with a marker in place of each value; each certificate's .docx is
that rendering with its values put in (checked against a real docxtpl rendering of the first certificate; a
template whose values pass through filters falls back to docxtpl for every certificate). For the PDF all
certificates go into one combined document (a page each), converted by one LibreOffice start per worker, then
split into a PDF per certificate; the merged print PDF is the combined one, checked page by page.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import math
import re
import tempfile
import time
import unicodedata
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.calls import Call
from pipeline.errors import PipelineError
from pipeline.fileio import docx_bytes, output_dir, write_bytes, zip_bytes
from pipeline.render.docx import TemplateProblem, protect, protect_runs_xml, render_template
from pipeline.render.fonts import font_face_for, missing_glyphs
from pipeline.render.form import chinese_month
from pipeline.resources import call_template, samples_dir

KIND_LETTERS = {"unit": "U", "person": "P"}
KIND_NAMES = {"unit": ("单位证书", "unit certificate"), "person": ("个人证书", "person certificate")}
# Certificates per LibreOffice worker below which another worker costs more (a start) than it saves.
MIN_PER_WORKER = 40
PICTURES = (".png", ".jpg", ".jpeg", ".gif")
# LibreOffice's default PDF export resamples every picture to 300 dpi and JPEG-compresses it, on every page: with
# the seal on each certificate that was two thirds of the conversion time. Keep the seal as it is, losslessly (the
# PDF then holds it once, shared by all pages). JSON filter options need LibreOffice 7.4 or later.
PDF_FILTER = ('pdf:writer_pdf_Export:{"ReduceImageResolution":{"type":"boolean","value":"false"},'
              '"UseLosslessCompression":{"type":"boolean","value":"true"}}')


@dataclass(frozen=True)
class Certificate:
    """One certificate: for a completing unit or a main person of an awarded project."""

    number: str
    kind: str            # "unit" | "person"
    name: str            # the unit's or the person's name
    project: str
    level: int
    level_name: str      # 一等奖 ...
    rank: int            # the unit's or person's rank in the application (1-based)
    registration: str = ""


@dataclass(frozen=True)
class GlyphProblem:
    """A character of a name that the certificate font has no glyph for."""

    number: str
    kind: str
    field: str           # "name" | "project"
    text: str            # the whole name or project name
    char: str
    font: str

    def message(self, lang: str = "zh") -> str:
        """Which certificate, which name, which character."""
        code = f"U+{ord(self.char):04X}"
        if lang == "en":
            what = {"name": f"the {'person' if self.kind == 'person' else 'unit'} name",
                    "project": "the project name"}[self.field]
            return (f"certificate {self.number}: {what} “{self.text}” has the character “{self.char}” ({code}) "
                    f"that the certificate font {self.font} cannot print")
        what = {"name": "姓名" if self.kind == "person" else "单位名称", "project": "项目名称"}[self.field]
        return (f"证书 {self.number}：{what}“{self.text}”中的“{self.char}”（{code}）"
                f"在证书字体 {self.font} 中没有字形，无法打印")


class GlyphsMissing(PipelineError):
    """Names with characters the certificate font lacks; nothing was rendered."""

    def __init__(self, problems: Sequence[GlyphProblem]) -> None:
        self.problems = list(problems)
        zh = "以下名称含有证书字体缺少的字，未生成任何证书（请核对名称或更换字体）：\n" + "\n".join(
            p.message("zh") for p in self.problems)
        en = "Names with characters the certificate font lacks; no certificate was rendered:\n" + "\n".join(
            p.message("en") for p in self.problems)
        super().__init__(zh, en)


class CertificateProblem(PipelineError):
    """The certificates cannot be rendered (bad numbers, a certificate that spills onto a second page, ...)."""


@dataclass
class CertificateRun:
    """What write_certificates wrote."""

    out_dir: Path
    certificates: list[Certificate]          # in certificate-number order
    docx: list[Path]
    pdf: list[Path]                          # empty without PDF
    merged_pdf: Path | None
    manifest: Path
    fast: bool                               # the one-rendering path (False: docxtpl per certificate)
    timings: dict[str, float] = field(default_factory=dict)


# --- numbers and wording --------------------------------------------------------------------------------------

def certificate_number(call: Call, level: int, serial: int, kind: str, rank: int) -> str:
    """The certificate number of call.yaml `certificates.number` (QT2021-2-015-P03); kind is unit/person or U/P."""
    letter = KIND_LETTERS.get(kind, kind)
    if letter not in KIND_LETTERS.values():
        raise CertificateProblem(f"证书类别应为 unit 或 person，而不是 {kind!r}",
                                 f"certificate kind must be unit or person, not {kind!r}")
    return _certificate_setting(call, "number").format(level=level, serial=serial, kind=letter, rank=rank)


def _certificate_setting(call: Call, key: str) -> str:
    value = getattr(call.certificates, key)
    if value is None:
        raise CertificateProblem(f"call.yaml 中缺少 certificates.{key}", f"call.yaml has no certificates.{key}")
    return str(value)


def level_name(call: Call, level: int) -> str:
    """The award level's name (一等奖) from call.yaml review.levels."""
    for entry in call.review.levels:
        if entry.level == level:
            return entry.name
    raise CertificateProblem(f"call.yaml 中没有第 {level} 等级", f"call.yaml has no award level {level}")


def _wording_template(call: Call, kind: str) -> str:
    return _certificate_setting(call, "person_text" if kind == "person" else "unit_text")


def _fill(template: str, cert: Certificate) -> str:
    return template.format(name=cert.name, project=cert.project, rank=cert.rank, level_name=cert.level_name,
                           level=cert.level, number=cert.number)


def certificate_text(call: Call, cert: Certificate) -> str:
    """The certificate's wording (call.yaml person_text / unit_text, filled in)."""
    return _fill(_wording_template(call, cert.kind), cert)


def wording_parts(call: Call, cert: Certificate) -> tuple[str, str]:
    """The wording split for the page: the salutation line (张三同志：) and the body that follows it indented."""
    head, sep, tail = _wording_template(call, cert.kind).partition("：")
    if not sep:
        return "", certificate_text(call, cert)
    return _fill(head + sep, cert), _fill(tail, cert)


def clean_name(text: str) -> str:
    """A name as printed: white space runs made one space, control characters dropped (they cannot be printed and
    XML cannot carry most of them)."""
    text = re.sub(r"\s+", " ", str(text)).strip()
    return "".join(c for c in text if unicodedata.category(c) != "Cc")


def certificates_for(call: Call, project: str, level: int, serial: int, units: Sequence[str],
                     persons: Sequence[str], registration: str = "") -> list[Certificate]:
    """The unit and person certificates of one awarded project (ranks in the given order, from 1)."""
    name = level_name(call, level)
    out = []
    for kind, names in (("unit", units), ("person", persons)):
        for rank, who in enumerate(names, start=1):
            out.append(Certificate(number=certificate_number(call, level, serial, kind, rank), kind=kind,
                                   name=clean_name(who), project=clean_name(project), level=level,
                                   level_name=name, rank=rank, registration=registration))
    return out


# --- the glyph check ------------------------------------------------------------------------------------------

def template_path(call: Call) -> Path:
    """The call's certificate template: its folder's own, else the package default."""
    return call_template(call.folder, "certificate.docx")


def template_font(path: Path) -> str:
    """The East Asian font of the run that prints the names (the one holding `salutation`, else `body`/`text`)."""
    try:
        with zipfile.ZipFile(path) as z:
            xml = z.read("word/document.xml").decode("utf-8")
    except (OSError, KeyError, zipfile.BadZipFile) as e:
        from pipeline.fileio import read_reason

        zh, en = read_reason(e) if isinstance(e, OSError) else ("不是有效的 Word 文档", f"not a Word document ({e})")
        raise TemplateProblem(f"无法读取证书模板 {path}：{zh}", f"cannot read the certificate template {path}: {en}"
                              ) from None
    for var in ("salutation", "name", "body", "text"):
        for run in re.findall(r"<w:r[ >].*?</w:r>", xml, flags=re.S):
            if re.search(r"\{\{[^}]*\b" + var + r"\b", run):
                m = re.search(r'w:eastAsia="([^"]+)"', run)
                if m:
                    return m.group(1)
    m = re.search(r'w:eastAsia="([^"]+)"', xml)
    if m:
        return m.group(1)
    raise TemplateProblem(f"证书模板 {path.name} 未指定中文字体",
                          f"the certificate template {path.name} names no CJK font")


def check_glyphs(certs: Sequence[Certificate], font_path: Path, index: int | None = None,
                 font_name: str | None = None) -> list[GlyphProblem]:
    """Every character of every name and project name that the font (the file the PDF will use) cannot print."""
    shown = font_name or Path(font_path).name
    out: list[GlyphProblem] = []
    seen: set[tuple[str, str, str]] = set()
    for cert in certs:
        for fld, text in (("name", cert.name), ("project", cert.project)):
            for ch in missing_glyphs(text, font_path, index):
                # A project's missing character is reported once, not once per unit and person.
                key = (fld, text if fld == "project" else cert.number, ch)
                if key not in seen:
                    seen.add(key)
                    out.append(GlyphProblem(cert.number, cert.kind, fld, text, ch, shown))
    return out


# --- rendering ----------------------------------------------------------------------------------------------

_MARK = re.compile(r"AWDMARK(\d+)X")
_SEAL_ANCHOR = re.compile(r"<wp:anchor\b(?:(?!</wp:anchor>).)*?name=\"[^\"]*seal[^\"]*\".*?</wp:anchor>", re.S)


def _xml_text(value: str) -> str:
    """A value as lxml writes it in an element's text (what python-docx saves after docxtpl's autoescape)."""
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    # docxtpl turns these back into braces after rendering; do the same so both paths give the same bytes.
    return value.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")


class _Renderer:
    """Renders certificates from the template: once with markers (fast path), or with docxtpl each time."""

    VARS = ("number", "name", "project", "level_name", "kind_name", "salutation", "body", "text", "signer", "date")

    def __init__(self, template: Path, call: Call, award_date: dt.date, seal: bytes | None,
                 seal_size: tuple[int, int] | None) -> None:
        self.template = template
        self.call = call
        self.date = chinese_month(award_date)
        self.signer = call.certificates.signer or call.organiser.name
        self.seal = seal
        self.seal_size = seal_size
        self.fast = True
        marked = {k: f"AWDMARK{i}X" for i, k in enumerate(self.VARS)}
        try:
            self.base = self._seal_parts(self._docxtpl_parts({**marked, "rank": "AWDRANK", "level": "AWDLEVEL",
                                                              "seal": seal is not None}))
        except TemplateProblem:
            self.fast = False
            self.base = {}
        self.marked_parts = [n for n, d in self.base.items() if _MARK.search(d.decode("utf-8", "replace"))]
        if any(b"AWDRANK" in d or b"AWDLEVEL" in d for d in self.base.values()):
            self.fast = False  # rank/level used as numbers in the template: render each with docxtpl

    def context(self, cert: Certificate) -> dict[str, Any]:
        """The template variables for one certificate."""
        salutation, body = wording_parts(self.call, cert)
        # numbers (排名第1) and the name are unbreakable runs in the wording (pipeline.render.docx.protect)
        names = (cert.name,) if cert.kind == "person" else ()
        return {"number": cert.number, "name": cert.name, "project": cert.project, "level_name": cert.level_name,
                "kind_name": KIND_NAMES.get(cert.kind, ("", ""))[0], "salutation": salutation,
                "body": protect(body, names), "text": protect(certificate_text(self.call, cert), names),
                "signer": self.signer, "date": self.date,
                "rank": cert.rank, "level": cert.level, "seal": self.seal is not None}

    def _docxtpl_parts(self, context: dict[str, Any]) -> dict[str, bytes]:
        data = docx_bytes(render_template(self.template, context).docx)
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return {info.filename: z.read(info.filename) for info in z.infolist()}

    def _seal_parts(self, parts: dict[str, bytes]) -> dict[str, bytes]:
        """Put the staff's seal picture (and its proportions) in place of the template's sample seal."""
        if self.seal is None:
            return parts
        xml = parts["word/document.xml"].decode("utf-8")
        anchor = _SEAL_ANCHOR.search(xml)
        if anchor is None:
            raise TemplateProblem("证书模板中没有名为 seal 的印章图片",
                                  "the certificate template has no picture named seal")
        rid = re.search(r'r:embed="([^"]+)"', anchor.group(0))
        rels = parts.get("word/_rels/document.xml.rels", b"").decode("utf-8")
        target = rid and re.search(r'<Relationship [^>]*Id="' + re.escape(rid.group(1)) + r'"[^>]*/>', rels)
        where = target and re.search(r'Target="([^"]+)"', target.group(0))
        if not where:
            raise TemplateProblem("证书模板的印章图片找不到文件", "the certificate template's seal picture has no file")
        media = "word/" + where.group(1).lstrip("/").removeprefix("word/")
        parts = dict(parts)
        parts[media] = self.seal
        if self.seal_size:
            w, h = self.seal_size
            fixed = re.sub(r'(<(?:wp:extent|a:ext) cx="(\d+)" cy=")(\d+)"',
                           lambda m: f'{m.group(1)}{round(int(m.group(2)) * h / w)}"', anchor.group(0))
            parts["word/document.xml"] = (xml[:anchor.start()] + fixed + xml[anchor.end():]).encode("utf-8")
        return parts

    def parts(self, cert: Certificate) -> dict[str, bytes]:
        """The .docx parts of one certificate."""
        if not self.fast:
            return self._seal_parts(self._docxtpl_parts(self.context(cert)))
        ctx = self.context(cert)
        values = [_xml_text(str(ctx[k])) for k in self.VARS]
        out = dict(self.base)
        for name in self.marked_parts:
            out[name] = protect_runs_xml(_MARK.sub(lambda m: values[int(m.group(1))],
                                                   self.base[name].decode("utf-8")).encode("utf-8"))
        return out

    def verify(self, cert: Certificate) -> None:
        """Fall back to docxtpl for every certificate when the fast path does not give docxtpl's own bytes."""
        if self.fast and self.parts(cert) != self._seal_parts(self._docxtpl_parts(self.context(cert))):
            self.fast = False


def _docx(parts: dict[str, bytes]) -> bytes:
    return zip_bytes(parts.items(), stored=PICTURES)


def _page_break_before(body: str) -> str:
    """A certificate's body XML starting on a new page: pageBreakBefore on its first paragraph."""
    m = re.match(r"\s*<w:p(?:\s[^>]*)?>", body)
    if m is None:  # the body starts with a table: a one-point paragraph carries the break
        return ('<w:p><w:pPr><w:pageBreakBefore/><w:spacing w:before="0" w:after="0" w:line="20" '
                'w:lineRule="exact"/></w:pPr></w:p>' + body)
    head, rest = body[:m.end()], body[m.end():]
    if rest.startswith("<w:pPr>"):
        skip = re.match(r"<w:pPr>(?:<w:pStyle [^>]*/>)?(?:<w:keepNext/>)?(?:<w:keepLines/>)?", rest)
        assert skip is not None
        return head + rest[:skip.end()] + "<w:pageBreakBefore/>" + rest[skip.end():]
    return head + "<w:pPr><w:pageBreakBefore/></w:pPr>" + rest


def _combined(parts_list: Sequence[dict[str, bytes]]) -> bytes:
    """One .docx holding every certificate, a page each, for one LibreOffice conversion."""
    bodies = []
    prefix = suffix = ""
    for i, parts in enumerate(parts_list):
        xml = parts["word/document.xml"].decode("utf-8")
        start = xml.index("<w:body>") + len("<w:body>")
        end = xml.rindex("<w:sectPr")
        if i == 0:
            prefix, suffix = xml[:start], xml[end:]
        body = xml[start:end]
        bodies.append(body if i == 0 else _page_break_before(body))
    counter = iter(range(1, 10 ** 9))
    body = re.sub(r'(<wp:docPr id=")\d+"', lambda m: f'{m.group(1)}{next(counter)}"', "".join(bodies))
    first = dict(parts_list[0])
    first["word/document.xml"] = (prefix + body + suffix).encode("utf-8")
    return _docx(first)


def _safe_stem(number: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", number) or "_"


def _csv_cell(value: str) -> str:
    # A cell starting with = + - @ would run as a formula in Excel: keep it text.
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read_seal(seal: Path | None) -> tuple[bytes | None, tuple[int, int] | None]:
    if seal is None:
        return None, None
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(seal) as img:
            img.load()
            size = img.size
            if seal.suffix.lower() == ".png" and img.format == "PNG":
                return seal.read_bytes(), size
            out = io.BytesIO()
            img.convert("RGBA").save(out, format="PNG")
            return out.getvalue(), size
    except (OSError, UnidentifiedImageError) as e:
        from pipeline.fileio import read_reason

        zh, en = (("不是可识别的图片", f"not a picture ({e})") if isinstance(e, UnidentifiedImageError)
                  else read_reason(e))
        raise CertificateProblem(f"无法读取印章图片 {seal}：{zh}", f"cannot read the seal picture {seal}: {en}"
                                 ) from None


def _validate(certs: Sequence[Certificate]) -> list[Certificate]:
    seen: dict[str, str] = {}
    for c in certs:
        if not c.number.strip():
            raise CertificateProblem(f"“{c.name}”的证书没有编号", f"the certificate of {c.name!r} has no number")
        stem = _safe_stem(c.number)
        if stem in seen:
            raise CertificateProblem(f"证书编号重复：{c.number}（{seen[stem]}、{c.name}）",
                                     f"duplicate certificate number {c.number} ({seen[stem]}, {c.name})")
        seen[stem] = c.name
        if c.kind not in KIND_LETTERS:
            raise CertificateProblem(f"证书 {c.number} 的类别应为 unit 或 person",
                                     f"certificate {c.number}: kind must be unit or person")
    return sorted(certs, key=lambda c: c.number)


def sample_seal() -> Path:
    """The bundled sample seal, reading 样章: for trying the tool out, never for certificates sent out."""
    return samples_dir() / "assets" / "seal-sample.png"


def write_certificates(certs: Sequence[Certificate], out_dir: Path, call: Call, award_date: dt.date,
                       seal: Path | None = None, pdf: bool = True, jobs: int | None = None,
                       lang: str = "zh") -> CertificateRun:
    """Write a .docx and a PDF per certificate, one merged print PDF in number order and manifest.csv (Chinese
    headers and values; English with lang="en"); raises GlyphsMissing (before writing anything) when a name has a
    character the certificate font lacks. No seal: the certificates carry no seal picture."""
    from pipeline import office as converter

    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    ordered = _validate(certs)
    if pdf and converter.soffice() is None:
        converter.convert_parallel([], out_dir)  # raises ConverterMissing with the one message for it
    template = template_path(call)
    face = font_face_for(template_font(template))
    problems = check_glyphs(ordered, face.path, face.index, f"{face.family} {face.style}")
    if problems:
        raise GlyphsMissing(problems)
    seal_bytes, seal_size = _read_seal(seal)
    timings["check"] = time.perf_counter() - t0

    t = time.perf_counter()
    renderer = _Renderer(template, call, award_date, seal_bytes, seal_size)
    if ordered:
        renderer.verify(ordered[0])
    all_parts = [renderer.parts(c) for c in ordered]
    docx_dir, pdf_dir = out_dir / "docx", out_dir / "pdf"
    docx_paths: list[Path] = []
    rows: list[dict[str, str]] = []
    output_dir(docx_dir)
    for cert, parts in zip(ordered, all_parts, strict=True):
        data = _docx(parts)
        path = write_bytes(docx_dir / f"{_safe_stem(cert.number)}.docx", data)
        docx_paths.append(path)
        rows.append({"number": cert.number, "kind": cert.kind, "name": cert.name, "project": cert.project,
                     "level": str(cert.level), "level_name": cert.level_name, "rank": str(cert.rank),
                     "registration": cert.registration, "docx": path.relative_to(out_dir).as_posix(),
                     "docx_sha256": _sha256(data), "pdf": "", "pdf_sha256": ""})
    timings["docx"] = time.perf_counter() - t

    pdf_paths: list[Path] = []
    merged: Path | None = None
    if pdf and ordered:
        t = time.perf_counter()
        pages = _convert_all(all_parts, ordered, jobs, out_dir)
        timings["convert"] = time.perf_counter() - t
        t = time.perf_counter()
        merged, pdf_paths = _split(pages, ordered, pdf_dir, out_dir)
        for row, path in zip(rows, pdf_paths, strict=True):
            row["pdf"] = path.relative_to(out_dir).as_posix()
        timings["split"] = time.perf_counter() - t
    manifest = _manifest(out_dir / "manifest.csv", rows, pdf_paths, lang)
    timings["total"] = time.perf_counter() - t0
    return CertificateRun(out_dir, ordered, docx_paths, pdf_paths, merged, manifest, renderer.fast, timings)


def _convert_all(all_parts: Sequence[dict[str, bytes]], ordered: Sequence[Certificate], jobs: int | None,
                 out_dir: Path) -> list[bytes]:
    """Combined documents (one per worker), converted in parallel; the PDFs in certificate order."""
    from pipeline import office as converter

    n = len(ordered)
    workers = max(1, min(jobs or converter.default_jobs(), math.ceil(n / MIN_PER_WORKER)))
    size = math.ceil(n / workers)
    chunks = [range(i, min(i + size, n)) for i in range(0, n, size)]
    output_dir(out_dir)
    with tempfile.TemporaryDirectory(prefix=".certificates-", dir=out_dir) as tmp:
        sources = []
        for k, chunk in enumerate(chunks):
            src = Path(tmp) / f"part{k:03d}.docx"
            src.write_bytes(_combined([all_parts[i] for i in chunk]))
            sources.append(src)
        made = converter.convert_parallel(sources, Path(tmp) / "pdf", to=PDF_FILTER, jobs=len(chunks),
                                          timeout=120.0 + 2.0 * size)
        if len(made) != len(sources):
            raise CertificateProblem("LibreOffice 未能把证书转换为 PDF", "LibreOffice did not convert the certificates")
        return [p.read_bytes() for p in made]


def _page_text(page: Any) -> str:
    textpage = page.get_textpage()
    try:
        return re.sub(r"\s+", "", str(textpage.get_text_range()))
    finally:
        textpage.close()


def _split(pdfs: Sequence[bytes], ordered: Sequence[Certificate], pdf_dir: Path,
           out_dir: Path) -> tuple[Path, list[Path]]:
    """Check that page i is certificate i, write a PDF per certificate and the merged print PDF."""
    import pypdfium2 as pdfium

    sources = [pdfium.PdfDocument(data) for data in pdfs]
    try:
        pages = [(src, i) for src in sources for i in range(len(src))]
        if len(pages) != len(ordered):
            raise CertificateProblem(
                f"PDF 有 {len(pages)} 页，而证书有 {len(ordered)} 张：有的证书超出一页（名称过长？）",
                f"the PDF has {len(pages)} pages for {len(ordered)} certificates: one spills onto a second page "
                "(a name too long?)")
        merged = pdfium.PdfDocument.new()
        paths: list[Path] = []
        output_dir(pdf_dir)
        for cert, (src, i) in zip(ordered, pages, strict=True):
            page = src[i]
            try:
                if re.sub(r"\s+", "", cert.number) not in _page_text(page):
                    raise CertificateProblem(f"PDF 第 {len(paths) + 1} 页不是证书 {cert.number}",
                                             f"PDF page {len(paths) + 1} is not certificate {cert.number}")
            finally:
                page.close()
            single = pdfium.PdfDocument.new()
            single.import_pages(src, [i])
            paths.append(write_bytes(pdf_dir / f"{_safe_stem(cert.number)}.pdf", _pdf_bytes(single)))
            single.close()
        for src in sources:
            merged.import_pages(src)
        merged_path = write_bytes(out_dir / "certificates-print.pdf", _pdf_bytes(merged))
        merged.close()
        return merged_path, paths
    finally:
        for src in sources:
            src.close()


def _pdf_bytes(doc: Any) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


MANIFEST_COLUMNS = ("number", "kind", "name", "project", "level", "level_name", "rank", "registration",
                    "docx", "docx_sha256", "pdf", "pdf_sha256")
# The Chinese manifest (the default): its headers, and the columns it shows (the award level by its name only).
MANIFEST_ZH = {"number": "证书编号", "kind": "类别", "name": "姓名或单位名称", "project": "项目名称",
               "level_name": "奖励等级", "rank": "排名", "registration": "登记号", "docx": "Word文件",
               "docx_sha256": "Word文件SHA-256", "pdf": "PDF文件", "pdf_sha256": "PDF文件SHA-256"}
KIND_ZH = {"unit": "单位", "person": "个人"}


def _manifest(path: Path, rows: list[dict[str, str]], pdf_paths: Sequence[Path], lang: str = "zh") -> Path:
    """manifest.csv: UTF-8 with BOM (Excel opens it as UTF-8), one row per certificate in number order; Chinese
    headers and values (类别 单位/个人), English ones (the columns of MANIFEST_COLUMNS) with lang="en"."""
    for row, pdf_path in zip(rows, pdf_paths, strict=bool(pdf_paths)):
        row["pdf_sha256"] = _sha256(pdf_path.read_bytes())
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    columns = MANIFEST_COLUMNS if lang == "en" else tuple(MANIFEST_ZH)
    writer.writerow(columns if lang == "en" else [MANIFEST_ZH[c] for c in columns])
    for row in rows:
        shown = dict(row, kind=KIND_ZH.get(row["kind"], row["kind"])) if lang != "en" else row
        writer.writerow([_csv_cell(shown[c]) if c in ("name", "project") else shown[c] for c in columns])
    return write_bytes(path, ("\ufeff" + out.getvalue()).encode("utf-8"))
