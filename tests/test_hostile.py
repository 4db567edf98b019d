"""Hostile files: each gives exactly its one file-level finding, fast, without opening any other file."""

from __future__ import annotations

import builtins
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from conftest import SAMPLES, expected

from pipeline.check import check_bytes
from pipeline.model import Report

HOSTILE = SAMPLES / "hostile"
HOSTILE_FILES = sorted(p for p in HOSTILE.iterdir() if p.suffix in (".docx", ".pdf", ".doc"))


def _no_open(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError(f"a file was opened while checking bytes: {args[:1]}")


def check_without_files(path: Path, call: Any, monkeypatch: pytest.MonkeyPatch) -> Report:
    """check_bytes on a sample's bytes with builtins.open and io.open made to fail (after a warm-up for imports)."""
    data = path.read_bytes()
    check_bytes(data, path.name, call)  # lazy imports of readers may read their own modules once
    with monkeypatch.context() as m:
        m.setattr(builtins, "open", _no_open)
        m.setattr(io, "open", _no_open)
        return check_bytes(data, path.name, call)


def test_there_are_hostile_samples() -> None:
    names = {p.name for p in HOSTILE_FILES}
    assert {"truncated.docx", "renamed-text.docx", "empty.docx", "zip-bomb.docx", "external-entity.docx",
            "billion-laughs.docx", "encrypted.docx", "encrypted.pdf", "image-only.pdf", "oversized.docx"} <= names


@pytest.mark.timeout(20)
@pytest.mark.parametrize("path", HOSTILE_FILES, ids=[p.name for p in HOSTILE_FILES])
def test_hostile_sample_gives_its_one_finding(path: Path, call: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    report = check_without_files(path, call, monkeypatch)
    want = [tuple(f) for f in expected(path)["findings"]]
    assert len(want) == 1
    assert [f.key for f in report.findings] == want
    assert report.status == "fail" and report.fields == {}
    f = report.findings[0]
    assert f.message and f.message_en and "{" not in f.message and "{" not in f.message_en


def test_external_entity_is_never_resolved(call: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    report = check_without_files(HOSTILE / "external-entity.docx", call, monkeypatch)
    text = str(report.to_dict())
    assert "root:" not in text and "/bin/" not in text and "nologin" not in text
    passwd = Path("/etc/passwd")
    if passwd.is_file():
        for line in passwd.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.strip():
                assert line not in text


def test_zip_bomb_is_small_and_refused_before_unzipping(call: Any) -> None:
    data = (HOSTILE / "zip-bomb.docx").read_bytes()
    assert len(data) < 2 * 2**20
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        declared = sum(i.file_size for i in z.infolist())
    assert declared > int(call.file["max_unzipped_bytes"])
    called: list[str] = []
    original = zipfile.ZipFile.open

    def spy(self: zipfile.ZipFile, name: Any, *args: Any, **kwargs: Any) -> Any:
        called.append(str(name))
        return original(self, name, *args, **kwargs)

    with pytest.MonkeyPatch.context() as m:
        m.setattr(zipfile.ZipFile, "open", spy)
        report = check_bytes(data, "zip-bomb.docx", call)
    assert [f.code for f in report.findings] == ["file.too_large"]
    assert called == []


def test_oversized_is_one_byte_over_the_limit(call: Any) -> None:
    assert (HOSTILE / "oversized.docx").stat().st_size == int(call.file["max_bytes"]) + 1


def test_encrypted_docx_is_an_ole_file_with_an_encrypted_package() -> None:
    data = (HOSTILE / "encrypted.docx").read_bytes()
    assert data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    assert "EncryptedPackage".encode("utf-16-le") in data and "EncryptionInfo".encode("utf-16-le") in data


def test_encrypted_pdf_opens_with_its_password() -> None:
    pdfium = pytest.importorskip("pypdfium2")
    data = (HOSTILE / "encrypted.pdf").read_bytes()
    with pytest.raises(pdfium.PdfiumError):
        pdfium.PdfDocument(data)
    doc = pdfium.PdfDocument(data, password="secret")
    try:
        assert "Password protected" in doc[0].get_textpage().get_text_range()
    finally:
        doc.close()


def test_samples_are_reproducible(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import make_hostile

    monkeypatch.setattr(make_hostile, "HOSTILE", tmp_path / "hostile")
    monkeypatch.setattr(make_hostile, "LAYOUT", tmp_path / "layout")
    make_hostile.main()
    for folder in ("hostile", "layout"):
        made = sorted(p.name for p in (tmp_path / folder).iterdir())
        assert made == sorted(p.name for p in (SAMPLES / folder).iterdir())
        for name in made:
            assert (tmp_path / folder / name).read_bytes() == (SAMPLES / folder / name).read_bytes(), name
