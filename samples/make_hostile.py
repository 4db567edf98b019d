"""Make the hostile samples (damaged, disguised, encrypted, bomb and oversized files) and the layout samples
reproducibly from the valid application. Each gets `<name>.expected.json`: the findings it must produce,
written here by hand.

Run: python samples/make_hostile.py   (the outputs are committed)
"""

from __future__ import annotations

import hashlib
import io
import json
import random
import re
import struct
import sys
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from docx import Document  # noqa: E402
from docx.enum.section import WD_ORIENT  # noqa: E402
from docx.shared import Pt  # noqa: E402

from pipeline.calls import load_call  # noqa: E402
from pipeline.fileio import docx_bytes, output_dir, write_bytes, write_text  # noqa: E402

OUT = ROOT / "samples"
HOSTILE = OUT / "hostile"
LAYOUT = OUT / "layout"
LIMITS = OUT / "hostile-limits"
VALID = OUT / "applications" / "valid.docx"
FIXED_TIME = (1980, 1, 1, 0, 0, 0)


def expected(name: str, description: str, findings: list[tuple[str, str | None]]) -> str:
    """The JSON text of a sample's expected findings."""
    doc = {"sample": name, "description": description,
           "findings": sorted([list(f) for f in findings], key=lambda x: (x[0], x[1] or ""))}
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


# --- zips ------------------------------------------------------------------------------------------------

def _info(name: str, compress: int = zipfile.ZIP_DEFLATED) -> zipfile.ZipInfo:
    """A zip entry header with a fixed timestamp."""
    info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
    info.compress_type = compress
    info.external_attr = 0o644 << 16
    return info


def valid_entries() -> list[tuple[str, bytes]]:
    """The valid sample's zip entries, in order."""
    with zipfile.ZipFile(VALID) as z:
        return [(i.filename, z.read(i.filename)) for i in z.infolist()]


def rezip(entries: list[tuple[str, bytes]], replace: dict[str, bytes]) -> bytes:
    """The entries as a fresh zip with fixed timestamps, some of them replaced."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in entries:
            z.writestr(_info(name), replace.get(name, data))
    return out.getvalue()


def with_document_xml(xml: str) -> bytes:
    """The valid sample with its main part replaced."""
    return rezip(valid_entries(), {"word/document.xml": xml.encode("utf-8")})


W_DOC = ('<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
         '<w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>')


def external_entity() -> bytes:
    """A main part that asks the parser to paste /etc/passwd into the text."""
    xml = ('<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
           '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n' + W_DOC.format(text="&e;"))
    return with_document_xml(xml)


def billion_laughs() -> bytes:
    """The classic nested entity bomb: ten levels of ten, 10^9 copies of "lol" if expanded."""
    ents = ['<!ENTITY lol0 "lol">']
    for n in range(1, 10):
        ents.append(f'<!ENTITY lol{n} "' + f"&lol{n - 1};" * 10 + '">')
    xml = ('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE lolz [' + "".join(ents) + ']>\n'
           + W_DOC.format(text="&lol9;"))
    return with_document_xml(xml)


def zip_bomb() -> bytes:
    """A small zip whose entry expands to 300 MB of zeros: over the unzipped-size limit and the ratio limit."""
    out = io.BytesIO()
    chunk = bytes(2**20)
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(_info("word/document.xml"), W_DOC.format(text="压缩炸弹").encode("utf-8"))
        info = _info("word/media/image1.bin")
        with z.open(info, "w") as fh:
            # zipfile compresses at the default level; zeros shrink about 1000 times either way
            for _ in range(300):
                fh.write(chunk)
    return out.getvalue()


def oversized(max_bytes: int) -> bytes:
    """A valid docx padded with a stored entry of random bytes to exactly one byte over the size limit."""
    entries = valid_entries()

    def build(pad: int) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as z:
            for name, data in entries:
                z.writestr(_info(name), data)
            z.writestr(_info("word/media/padding.bin", zipfile.ZIP_STORED), random.Random(20211).randbytes(pad))
        return out.getvalue()

    first = build(max_bytes // 2)
    data = build(max_bytes // 2 + (max_bytes + 1 - len(first)))
    assert len(data) == max_bytes + 1, len(data)
    return data


# --- an OLE (compound file) container of an encrypted OOXML ----------------------------------------------

SECTOR = 512
FREESECT, ENDOFCHAIN, FATSECT, NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def _dir_entry(name: str, kind: int, child: int = NOSTREAM, right: int = NOSTREAM, start: int = 0,
               size: int = 0) -> bytes:
    """One 128-byte directory entry (kind 5: root, 2: stream, 0: unused)."""
    raw = (name.encode("utf-16-le") + b"\0\0") if name else b""
    return (raw.ljust(64, b"\0") + struct.pack("<HBB", len(raw), kind, 1 if name else 0)
            + struct.pack("<III", NOSTREAM, right, child) + bytes(16) + struct.pack("<IQQ", 0, 0, 0)
            + struct.pack("<IQ", start, size))


def compound_file(streams: list[tuple[str, bytes]]) -> bytes:
    """A minimal CFB v3 file: one FAT sector, one directory sector, streams in regular sectors (>= 4096 bytes)."""
    assert len(streams) == 2 and all(len(d) >= 4096 for _, d in streams)
    fat = [FATSECT, ENDOFCHAIN]
    body = b""
    starts = []
    for _, data in streams:
        data = data + bytes(-len(data) % SECTOR)
        n = len(data) // SECTOR
        start = len(fat)
        starts.append(start)
        fat += [start + k + 1 for k in range(n - 1)] + [ENDOFCHAIN]
        body += data
    assert len(fat) <= SECTOR // 4
    fat_sector = struct.pack(f"<{SECTOR // 4}I", *(fat + [FREESECT] * (SECTOR // 4 - len(fat))))
    # the directory tree: root -> first stream, whose right sibling is the second (names compare by length first)
    (n1, d1), (n2, d2) = sorted(streams, key=lambda s: (len(s[0]), s[0].upper()))
    s1, s2 = (starts[0], starts[1]) if n1 == streams[0][0] else (starts[1], starts[0])
    directory = (_dir_entry("Root Entry", 5, child=1, start=ENDOFCHAIN) + _dir_entry(n1, 2, right=2, start=s1, size=len(d1))
                 + _dir_entry(n2, 2, start=s2, size=len(d2)) + _dir_entry("", 0))
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16)
              + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + bytes(6)
              + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, ENDOFCHAIN, 0, ENDOFCHAIN, 0)
              + struct.pack("<109I", 0, *([FREESECT] * 108)))
    assert len(header) == SECTOR and len(directory) == SECTOR
    return header + fat_sector + directory + body


def encrypted_docx() -> bytes:
    """What Word saves for a password-protected .docx: an OLE file with EncryptionInfo and EncryptedPackage."""
    xml = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
           '<encryption xmlns="http://schemas.microsoft.com/office/2006/encryption" '
           'xmlns:p="http://schemas.microsoft.com/office/2006/keyEncryptor/password">'
           '<keyData saltSize="16" blockSize="16" keyBits="256" hashSize="64" cipherAlgorithm="AES" '
           'cipherChaining="ChainingModeCBC" hashAlgorithm="SHA512" saltValue="AAAAAAAAAAAAAAAAAAAAAA=="/>'
           '<keyEncryptors><keyEncryptor uri="http://schemas.microsoft.com/office/2006/keyEncryptor/password">'
           '<p:encryptedKey spinCount="100000" saltSize="16" blockSize="16" keyBits="256" hashSize="64" '
           'cipherAlgorithm="AES" cipherChaining="ChainingModeCBC" hashAlgorithm="SHA512" '
           'saltValue="AAAAAAAAAAAAAAAAAAAAAA=="/></keyEncryptor></keyEncryptors></encryption>')
    info = struct.pack("<HHI", 4, 4, 0x40) + xml.encode("utf-8")
    info += bytes(4096 - len(info))
    rng = random.Random(4096)
    package = struct.pack("<Q", 8192) + rng.randbytes(8192)
    return compound_file([("EncryptionInfo", info), ("EncryptedPackage", package)])


# --- PDFs --------------------------------------------------------------------------------------------------

PAD = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")


def rc4(key: bytes, data: bytes) -> bytes:
    """RC4, as the PDF Standard security handler revision 2 uses it."""
    s = list(range(256))
    j = 0
    for i in range(256):
        j = (j + s[i] + key[i % len(key)]) % 256
        s[i], s[j] = s[j], s[i]
    out = bytearray()
    i = j = 0
    for byte in data:
        i = (i + 1) % 256
        j = (j + s[i]) % 256
        s[i], s[j] = s[j], s[i]
        out.append(byte ^ s[(s[i] + s[j]) % 256])
    return bytes(out)


def pdf_file(objects: list[bytes], trailer_extra: bytes = b"") -> bytes:
    """A PDF from numbered object bodies (object 1 is the catalog), with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R ".encode() + trailer_extra
    out += f">>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    """A PDF stream object body."""
    return b"<< /Length " + str(len(data)).encode() + extra + b" >>\nstream\n" + data + b"\nendstream"


def encrypted_pdf(user: bytes = b"secret", owner: bytes = b"owner-2021") -> bytes:
    """A one-page PDF encrypted with the Standard security handler, RC4 40-bit (PDF 1.4, algorithms 3.1-3.4)."""
    file_id = hashlib.md5(b"award-pipeline hostile encrypted.pdf").digest()
    perms = -44
    o_key = hashlib.md5((owner + PAD)[:32]).digest()[:5]
    o_value = rc4(o_key, (user + PAD)[:32])
    key = hashlib.md5((user + PAD)[:32] + o_value + struct.pack("<i", perms) + file_id).digest()[:5]
    u_value = rc4(key, PAD)

    def encrypt(num: int, data: bytes) -> bytes:
        obj_key = hashlib.md5(key + struct.pack("<I", num)[:3] + b"\0\0").digest()[:10]
        return rc4(obj_key, data)

    content = b"BT /F1 24 Tf 72 760 Td (Password protected application) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595.3 841.9] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        _stream(encrypt(4, content)),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Filter /Standard /V 1 /R 2 /O <" + o_value.hex().encode() + b"> /U <" + u_value.hex().encode()
        + b"> /P " + str(perms).encode() + b" >>",
    ]
    ident = b"<" + file_id.hex().encode() + b">"
    return pdf_file(objects, b"/Encrypt 6 0 R /ID [" + ident + b" " + ident + b"] ")


def image_only_pdf() -> bytes:
    """An A4 page that only draws a grey picture (what a scanner makes): no text layer at all."""
    width, height = 120, 170
    rng = random.Random(1700)
    pixels = bytes(200 + rng.randrange(40) if (y // 10) % 3 else 60 + rng.randrange(30)
                   for y in range(height) for _ in range(width))
    image = zlib.compress(pixels, 9)
    content = b"q 515.3 0 0 761.9 40 40 cm /Im1 Do Q"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595.3 841.9] /Contents 4 0 R "
        b"/Resources << /XObject << /Im1 5 0 R >> >> >>",
        _stream(content),
        _stream(image, f" /Type /XObject /Subtype /Image /Width {width} /Height {height} /ColorSpace /DeviceGray "
                       "/BitsPerComponent 8 /Filter /FlateDecode".encode()),
    ]
    return pdf_file(objects)


def _deflated(chunk: bytes, repeat: int) -> bytes:
    """`chunk` repeated `repeat` times, deflated as one stream without ever holding the whole in memory."""
    z = zlib.compressobj(9)
    parts = [z.compress(chunk) for _ in range(repeat)]
    return b"".join(parts) + z.flush()


def flate_bomb_pdf() -> bytes:
    """A one-page PDF whose content stream is 1 GiB of spaces deflated to about 1 MB: reading its text decompresses
    it all (call.yaml file.max_memory_mb stops it)."""
    text = b"BT /F1 12 Tf 72 760 Td (Application) Tj ET\n"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595.3 841.9] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        _stream(_deflated(text + b" " * (2**24 - len(text)), 64), b" /Filter /FlateDecode"),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    return pdf_file(objects)


def dense_text_pdf(pages: int = 300, chars: int = 50_000) -> bytes:
    """300 pages of 50,000 characters each in 4 pt type: a text layer far beyond any form, which takes longer to
    read than call.yaml file.max_seconds allows."""
    per_line = 200
    line = b"(" + (b"quality " * (per_line // 8)) + b") Tj 0 -4 Td\n"
    content = b"BT /F1 4 Tf 10 835 Td\n" + line * (chars // per_line) + b"ET"
    stream = _stream(zlib.compress(content, 9), b" /Filter /FlateDecode")
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(pages)).encode()
    font = 3 + 2 * pages
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [" + kids + b"] /Count " + str(pages).encode() + b" >>"]
    for i in range(pages):
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595.3 841.9] /Contents "
                       + str(4 + 2 * i).encode() + b" 0 R /Resources << /Font << /F1 " + str(font).encode()
                       + b" 0 R >> >> >>")
        objects.append(stream)
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    return pdf_file(objects)


# --- layout variants of the valid sample ---------------------------------------------------------------------

def landscape(doc: Any) -> None:
    """Every section turned to landscape (width and height swapped)."""
    for s in doc.sections:
        w, h = s.page_width, s.page_height
        s.orientation = WD_ORIENT.LANDSCAPE
        s.page_width, s.page_height = h, w


def small_summary_font(doc: Any) -> None:
    """The runs of the summary box set to 9 pt."""
    from make_samples import valid_values

    start = valid_values()["summary"][:12]
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                if cell.text.strip().startswith(start):
                    for p in cell.paragraphs:
                        for r in p.runs:
                            r.font.size = Pt(9)
                    return
    raise AssertionError("summary box not found")


def too_many_pages(data: bytes) -> bytes:
    """The saved page count (docProps/app.xml Pages) set to 31."""
    entries = []
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for i in z.infolist():
            entries.append((i.filename, z.read(i.filename)))
    app = re.sub(r"\s*<Pages>[^<]*</Pages>", "", dict(entries)["docProps/app.xml"].decode("utf-8"))
    end = app.index(">", app.index("<Properties")) + 1
    app = app[:end] + "\n  <Pages>31</Pages>" + app[end:]
    return rezip(entries, {"docProps/app.xml": app.encode("utf-8")})


def edited(change: Callable[[Any], None]) -> bytes:
    """The valid sample edited with python-docx, saved byte-reproducibly."""
    doc = Document(str(VALID))
    change(doc)
    return docx_bytes(doc)


def main() -> None:
    """Write all hostile and layout samples with their expectations."""
    sys.path.insert(0, str(OUT))
    call = load_call("saq-2021")
    valid = VALID.read_bytes()
    hostile: list[tuple[str, str, Callable[[], bytes], str]] = [
        ("truncated.docx", "只传了一半的 Word 文件（压缩包被截断）", lambda: valid[: len(valid) // 2], "file.corrupt"),
        ("renamed-text.docx", "改了扩展名的纯文本文件",
         lambda: "这是一份纯文本文件，只是扩展名改成了 .docx。\n项目名称：测试\n".encode(), "file.unsupported_type"),
        ("empty.docx", "空文件（0 字节）", lambda: b"", "file.corrupt"),
        ("zip-bomb.docx", "压缩炸弹：约 300 KB 的文件解压后为 300 MB", zip_bomb, "file.too_large"),
        ("external-entity.docx", "正文 XML 声明外部实体，试图读取 /etc/passwd", external_entity, "file.corrupt"),
        ("billion-laughs.docx", "正文 XML 含层层嵌套的实体（“十亿笑声”攻击）", billion_laughs, "file.corrupt"),
        ("encrypted.docx", "设置了打开密码的 Word 文件（OLE 容器中的 EncryptedPackage）", encrypted_docx,
         "file.encrypted"),
        ("encrypted.pdf", "设置了打开密码的 PDF（标准安全处理程序，RC4 40 位，用户密码 secret）", encrypted_pdf,
         "file.encrypted"),
        ("image-only.pdf", "只有扫描图像、没有文字层的 PDF", image_only_pdf, "file.no_text_layer"),
        ("oversized.docx", "超过 20 MB 上限 1 字节的 Word 文件",
         lambda: oversized(call.file.max_bytes), "file.too_large"),
    ]
    output_dir(HOSTILE)
    output_dir(LAYOUT)
    for name, description, make, code in hostile:
        write_bytes(HOSTILE / name, make())
        stem = name.rsplit(".", 1)[0]
        write_text(HOSTILE / f"{stem}.expected.json", expected(stem, description, [(code, None)]))
    layout: list[tuple[str, str, Callable[[], bytes], list[tuple[str, str | None]]]] = [
        ("layout-landscape", "页面设为横向（宽高互换）", lambda: edited(landscape), [("layout.page_size", None)]),
        ("layout-small-font", "项目简介正文字号为 9 磅（小于五号，警告）", lambda: edited(small_summary_font),
         [("layout.font_size", "summary")]),
        ("layout-too-many-pages", "文档属性中的页数为 31 页（超过 30 页）", lambda: too_many_pages(valid),
         [("layout.page_count", None)]),
    ]
    for stem, description, make_doc, findings in layout:
        write_bytes(LAYOUT / f"{stem}.docx", make_doc())
        write_text(LAYOUT / f"{stem}.expected.json", expected(stem, description, findings))
    # files whose check reaches the call's limits (file.max_memory_mb, file.max_seconds): checked only in the
    # limit worker, as `award check` and the batch do
    limits: list[tuple[str, str, Callable[[], bytes]]] = [
        ("flate-bomb.pdf", "PDF 内容流解压后为 1 GB（压缩后约 1 MB）", flate_bomb_pdf),
        ("dense-text.pdf", "300 页、每页 5 万个字符的 PDF（远超任何申报书的文字量）", dense_text_pdf),
    ]
    output_dir(LIMITS)
    for name, description, make in limits:
        write_bytes(LIMITS / name, make())
        stem = name.rsplit(".", 1)[0]
        write_text(LIMITS / f"{stem}.expected.json", expected(stem, description, [("file.too_complex", None)]))


if __name__ == "__main__":
    main()
