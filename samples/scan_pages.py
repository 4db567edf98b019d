"""Text PDFs with a page replaced by a scan of itself, as applicants make them: print the page, sign it, stamp it
with the unit's seal, scan it back in and put the image in place of the page (call-2021.md §2.9).

The scan is an image-only page (no text layer): the printed page rendered at 150 dpi, a little grey and askew as a
scanner leaves it, with a hand-written signature and a red round seal reading 样章 drawn on it.
"""

from __future__ import annotations

import io
import math
import random
import subprocess
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image, ImageDraw, ImageFilter, ImageFont

DPI = 150


def _font(family: str, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """A CJK font by fontconfig family name (the seal and the signature need Chinese glyphs)."""
    found = subprocess.run(["fc-match", "-f", "%{file}", family], capture_output=True, text=True, check=False)
    path = found.stdout.strip()
    return ImageFont.truetype(path, size) if path else ImageFont.load_default()


def _where(page: pdfium.PdfPage, text: str) -> tuple[float, float] | None:
    """The centre (pixels, top-down) of the first occurrence of a text on the page, or None."""
    tp = page.get_textpage()
    try:
        searcher = tp.search(text)
        hit = searcher.get_next()
        if hit is None:
            return None
        index, count = hit
        boxes = [tp.get_charbox(index + k) for k in range(count)]
    finally:
        tp.close()
    height = page.get_height()
    x = (min(b[0] for b in boxes) + max(b[2] for b in boxes)) / 2
    y = height - (min(b[1] for b in boxes) + max(b[3] for b in boxes)) / 2
    return x * DPI / 72, y * DPI / 72


def _seal(draw: ImageDraw.ImageDraw, cx: float, cy: float) -> None:
    """A red round seal (the sample's, reading 样章) as a unit stamps its declaration."""
    r = 95
    red = (205, 30, 35)
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=red, width=7)
    star = [(cx + 28 * math.cos(math.pi / 2 + k * 4 * math.pi / 5), cy - 28 * math.sin(math.pi / 2 + k * 4 * math.pi / 5))
            for k in range(5)]
    draw.polygon(star, fill=red)
    font = _font("Noto Serif CJK SC:bold", 44)
    draw.text((cx, cy + 55), "样章", fill=red, font=font, anchor="mm")


def _signature(draw: ImageDraw.ImageDraw, x: float, y: float, name: str) -> None:
    """A signature in a brush hand over the signatory cell."""
    draw.text((x, y), name, fill=(20, 30, 90), font=_font("AR PL UKai CN", 56), anchor="lm")


def scan_of(page: pdfium.PdfPage, rng: random.Random, signatory: str | None) -> Image.Image:
    """The page as a scanner returns it after it was printed, signed and stamped."""
    image = page.render(scale=DPI / 72).to_pil().convert("RGB")
    draw = ImageDraw.Draw(image)
    sign = _where(page, "负责人签字")
    if sign is not None and signatory:
        _signature(draw, sign[0] + 215, sign[1] + 4, signatory)
    seal = _where(page, "单位盖章")
    if seal is not None:
        _seal(draw, seal[0] - 40, seal[1] - 40)
    grey = image.convert("L").convert("RGB")
    # the red of the seal survives a colour scan; the rest turns a slightly uneven grey
    mask = Image.eval(image.split()[0], lambda v: 255 if v > 150 else 0)
    red = Image.eval(image.split()[1], lambda v: 255 if v < 120 else 0)
    seal_mask = Image.composite(mask, Image.new("L", image.size, 0), red)
    image = Image.composite(image, grey, seal_mask)
    image = image.rotate(rng.uniform(-0.6, 0.6), resample=Image.Resampling.BICUBIC, fillcolor=(250, 250, 248))
    return image.filter(ImageFilter.GaussianBlur(0.4))


def scanned_copy(pdf: Path, pages: list[int], signatory: str | None, seed: int = 9) -> bytes:
    """The PDF with the given pages (1-based) replaced by scans of themselves: image-only pages, same size."""
    rng = random.Random(seed)
    src = pdfium.PdfDocument(pdf.read_bytes())
    out = pdfium.PdfDocument.new()
    try:
        for n in range(1, len(src) + 1):
            if n not in pages:
                out.import_pages(src, [n - 1])
                continue
            page = src[n - 1]
            width, height = page.get_size()
            buffer = io.BytesIO()
            scan_of(page, rng, signatory).save(buffer, format="JPEG", quality=80)
            page.close()
            buffer.seek(0)
            new = out.new_page(width, height)
            image = pdfium.PdfImage.new(out)
            image.load_jpeg(buffer, inline=True)
            image.set_matrix(pdfium.PdfMatrix().scale(width, height))
            new.insert_obj(image)
            new.gen_content()
            new.close()
        data = io.BytesIO()
        out.save(data)
        return data.getvalue()
    finally:
        out.close()
        src.close()


def page_with(pdf: Path, text: str) -> int:
    """The first page (1-based) whose text holds this text (spaces ignored)."""
    doc = pdfium.PdfDocument(pdf.read_bytes())
    try:
        for n in range(len(doc)):
            page = doc[n]
            tp = page.get_textpage()
            found = text in tp.get_text_bounded().replace(" ", "").replace("\r\n", "")
            tp.close()
            page.close()
            if found:
                return n + 1
    finally:
        doc.close()
    raise ValueError(f"no page of {pdf.name} holds {text}")


# (sample, source PDF under samples/pdf/, the heading whose page is scanned, signatory, description, findings,
#  the fields that are on the scanned page and so not read: the rest must read as the source's .docx)
SCANNED: list[tuple[str, str, str, str | None, str, list[tuple[str, str | None]], list[str]]] = [
    ("scanned-declaration", "applications/valid", "十二、申报单位承诺", "陈国华",
     "承诺页打印后签字盖章、扫描回PDF（扫描页视为已签字盖章）", [("file.scanned_page", None)],
     ["declaration.signatory", "declaration.date", "recommender.opinion"]),
    ("scanned-declaration-no-recommender", "applications/no-recommender", "十二、申报单位承诺", "陈国华",
     "无推荐单位，承诺页为扫描页", [("file.scanned_page", None)],
     ["declaration.signatory", "declaration.date"]),
    ("scanned-attachments", "applications/valid", "十一、附件清单", None,
     "附件清单所在页为扫描页（第一至十一部分的必填内容仍报错）",
     [("file.scanned_page", None), ("attachment.missing", "attachments.application_proof"),
      ("attachment.missing", "attachments.benefit_proof"), ("attachment.missing", "attachments.ip_proof")],
     ["attachments.application_proof", "attachments.benefit_proof", "attachments.evaluation",
      "attachments.ip_proof", "attachments.other"]),
]


def make_scanned(samples: Path) -> list[Path]:
    """Write samples/scanned/<name>.pdf and its hand-written <name>.expected.json for every case above."""
    import json

    out = samples / "scanned"
    out.mkdir(exist_ok=True)
    written = []
    for name, source, heading, signatory, description, findings, unread in SCANNED:
        pdf = samples / "pdf" / f"{source}.pdf"
        data = scanned_copy(pdf, [page_with(pdf, heading)], signatory)
        target = out / f"{name}.pdf"
        target.write_bytes(data)
        expected = {"sample": name, "description": description,
                    "findings": sorted([list(f) for f in findings], key=lambda x: (x[0], x[1] or "")),
                    "same_fields_as": source, "except_fields": unread}
        (out / f"{name}.expected.json").write_text(json.dumps(expected, ensure_ascii=False, indent=2) + "\n",
                                                  encoding="utf-8")
        written.append(target)
    return written
