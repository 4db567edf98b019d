"""Documents issued from the registry: letters per application, the decision, certificates with kept numbers."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
import zipfile
from pathlib import Path
from typing import Any

import docx
import pytest
from click.testing import CliRunner
from conftest import SAMPLES, copy_registry

from pipeline.batch import run_batch
from pipeline.cli import main
from pipeline.demo_review import run_demo_review
from pipeline.issuing import (
    NothingToIssue,
    assign_certificate_numbers,
    write_certificates_from_registry,
    write_decision,
    write_letters,
)
from pipeline.registry import Registry
from pipeline.render.docx import plain
from pipeline.review import load_results

DAY = dt.date(2021, 9, 28)


@pytest.fixture(scope="module")
def round_db(tmp_path_factory: pytest.TempPathFactory, call: Any) -> Path:
    """The demo round registered, checked and reviewed (simulated scores), as `award demo` does it."""
    base = tmp_path_factory.mktemp("round")
    db = base / "award.sqlite"
    with Registry(db) as reg:
        run_batch(SAMPLES / "round", base / "batch", call, reg, jobs=2)
        run_demo_review(reg, call, SAMPLES / "judges.csv", base / "review", pdf=False)
    return db


def _text(path: Path) -> str:
    d = docx.Document(str(path))
    return plain("\n".join([p.text for p in d.paragraphs] + [c.text for t in d.tables for r in t.rows for c in r.cells]))


def test_letters_one_per_application_acceptance_and_return(tmp_path: Path, call: Any) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SAMPLES / "round" / "0001-申报书.docx", folder / "a.docx")
    shutil.copy(SAMPLES / "applications" / "project-name-too-long.docx", folder / "b.docx")
    with Registry(tmp_path / "r.sqlite") as reg:
        run_batch(folder, tmp_path / "out", call, reg, jobs=1)
        done = write_letters(reg, call, tmp_path / "letters", DAY)
    assert done.counts == {"accepted": 1, "returned": 1, "skipped": 0}
    names = sorted(p.name for p in done.paths)
    assert names == ["2021-0001-受理通知.docx", "2021-0002-退回补正通知.docx"]
    returned = _text(tmp_path / "letters" / "2021-0002-退回补正通知.docx")
    assert "项目名称" in returned and "30" in returned


def test_letters_need_a_checked_registry(tmp_path: Path, call: Any) -> None:
    with Registry(tmp_path / "r.sqlite") as reg, pytest.raises(NothingToIssue):
        write_letters(reg, call, tmp_path / "letters", DAY)
    r = CliRunner().invoke(main, ["--db", str(tmp_path / "r.sqlite"), "letters", "-o", str(tmp_path / "l")])
    assert r.exit_code == 3 and "award batch" in r.output


def test_decision_lists_every_winner_by_level(round_db: Path, tmp_path: Path, call: Any) -> None:
    db = copy_registry(round_db, tmp_path)
    with Registry(db) as reg:
        winners = [r for r in load_results(reg, call.id) if r.level and not r.hold]
        write_decision(reg, call, tmp_path / "d.docx", DAY, "沪质协〔2021〕36号")
    text = _text(tmp_path / "d.docx")
    assert "沪质协〔2021〕36号" in text and "2021年9月28日" in text
    for w in winners:
        assert w.project in text
    assert text.index("一等奖") < text.index("二等奖") < text.index("三等奖")


def test_certificate_numbers_are_kept_across_reruns(round_db: Path, tmp_path: Path, call: Any) -> None:
    db = copy_registry(round_db, tmp_path)
    with Registry(db) as reg:
        first = {(c.registration, c.kind, c.rank): c.number for c in assign_certificate_numbers(reg, call)}
        # the office edits the stored results (a later re-ranking): issued numbers must not move
        with reg.transaction() as c:
            c.execute("UPDATE results SET serial = serial + 100 WHERE serial IS NOT NULL")
        again = {(c.registration, c.kind, c.rank): c.number for c in assign_certificate_numbers(reg, call)}
    assert again == first
    assert len(set(first.values())) == len(first)
    units = [n for (_, kind, _), n in first.items() if kind == "unit"]
    assert all(n.startswith("QT2021-") and "-U" in n for n in units)


def test_certificates_docx_and_manifest(round_db: Path, tmp_path: Path, call: Any) -> None:
    db = copy_registry(round_db, tmp_path)
    with Registry(db) as reg:
        winners = [r for r in load_results(reg, call.id) if r.level and not r.hold]
        done = write_certificates_from_registry(reg, call, tmp_path / "c", DAY,
                                                SAMPLES / "assets" / "seal-sample.png", pdf=False)
    assert done.counts["units"] == sum(len(w.units) for w in winners)
    assert done.counts["persons"] == sum(len(w.persons) for w in winners)
    rows = list(csv.DictReader((tmp_path / "c" / "manifest.csv").read_text(encoding="utf-8-sig").splitlines()))
    assert [r["证书编号"] for r in rows] == sorted(r["证书编号"] for r in rows)
    assert len(rows) == done.counts["certificates"]


def test_cli_letters_decision_certificates(round_db: Path, tmp_path: Path) -> None:
    db = copy_registry(round_db, tmp_path)
    runner = CliRunner()
    base = ["--db", str(db)]
    r = runner.invoke(main, [*base, "letters", "-o", str(tmp_path / "l"), "--date", "2021-08-06"])
    assert r.exit_code == 0 and "受理 24" in r.output
    r = runner.invoke(main, [*base, "decision", "-o", str(tmp_path / "d.docx")])
    assert r.exit_code == 0 and (tmp_path / "d.docx").is_file()
    # No seal given: a usage error naming --seal, nothing written; --sample-seal says the sample seal is used.
    r = runner.invoke(main, [*base, "certificates", "-o", str(tmp_path / "c"), "--no-pdf"])
    assert r.exit_code == 2 and "--seal" in r.stderr and "--sample-seal" in r.stderr
    assert not (tmp_path / "c").exists()
    r = runner.invoke(main, [*base, "certificates", "-o", str(tmp_path / "c"), "--no-pdf", "--seal",
                             str(SAMPLES / "assets" / "seal-sample.png"), "--sample-seal"])
    assert r.exit_code == 2 and not (tmp_path / "c").exists()
    r = runner.invoke(main, [*base, "certificates", "-o", str(tmp_path / "c"), "--no-pdf", "--sample-seal"])
    assert r.exit_code == 0, r.output
    assert "样章" in r.stderr and "不可对外颁发" in r.stderr
    seal = (SAMPLES / "assets" / "seal-sample.png").read_bytes()
    for path in (tmp_path / "c" / "docx").glob("*.docx"):
        with zipfile.ZipFile(path) as z:
            assert seal in [z.read(n) for n in z.namelist() if n.startswith("word/media/")]
    head = (tmp_path / "c" / "manifest.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert head.startswith("证书编号,类别,姓名或单位名称,项目名称,奖励等级")
    # A seal of the association's own: no word of the sample seal; --lang en gives the English manifest.
    own = tmp_path / "seal.png"
    from PIL import Image

    Image.new("RGBA", (300, 300), (200, 0, 0, 255)).save(own)
    r = runner.invoke(main, [*base, "--lang", "en", "certificates", "-o", str(tmp_path / "c2"), "--no-pdf",
                             "--seal", str(own)])
    assert r.exit_code == 0, r.output
    assert "样章" not in r.stderr and "sample" not in r.stderr
    head = (tmp_path / "c2" / "manifest.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert head.startswith("number,kind,name,project,level")
    r = runner.invoke(main, [*base, "letters", "-o", str(tmp_path / "l"), "--date", "2021-13-01"])
    assert r.exit_code == 2


def test_certificates_without_libreoffice_is_exit_3(round_db: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline import office as pdf

    monkeypatch.setattr(pdf, "soffice", lambda: None)
    db = copy_registry(round_db, tmp_path)
    r = CliRunner().invoke(main, ["--db", str(db), "certificates", "-o", str(tmp_path / "c"), "--pdf",
                                  "--sample-seal"])
    assert r.exit_code == 3 and "LibreOffice" in r.output and "Traceback" not in r.output
    r = CliRunner().invoke(main, ["--db", str(db), "certificates", "-o", str(tmp_path / "c"),
                                  "--sample-seal"])  # default: skipped
    assert r.exit_code == 0 and "已跳过 PDF" in r.output and not list((tmp_path / "c").rglob("*.pdf"))
    r = CliRunner().invoke(main, ["--db", str(db), "certificates", "-o", str(tmp_path / "c"), "--no-pdf",
                                  "--sample-seal"])
    assert r.exit_code == 0


def _letter_rows(reg: Registry) -> dict[tuple[str, str], str]:
    return {(r, k): n for r, k, n in reg.conn.execute("SELECT reg_no, kind, number FROM letters")}


def test_letter_numbers_have_their_own_counter_and_are_kept(tmp_path: Path, call: Any) -> None:
    """发文字号 from the registry's letter counter (call.yaml documents.letter_prefix), not the registration serial;
    the same application and kind gets the same number on every run; the batch's return letter shares it."""
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SAMPLES / "applications" / "blank-form.docx", folder / "a.docx")  # registered, no letter
    shutil.copy(SAMPLES / "round" / "0001-申报书.docx", folder / "b.docx")
    shutil.copy(SAMPLES / "applications" / "project-name-too-long.docx", folder / "c.docx")
    with Registry(tmp_path / "r.sqlite") as reg:
        run_batch(folder, tmp_path / "out", call, reg, jobs=1)
        from_batch = _letter_rows(reg)
        first = write_letters(reg, call, tmp_path / "l1", DAY)
        numbers = _letter_rows(reg)
        again = write_letters(reg, call, tmp_path / "l2", dt.date(2021, 8, 20))
        assert _letter_rows(reg) == numbers
        regs = sorted(a.reg_no for a in reg.applications(call.id))
    assert regs == ["2021-0001", "2021-0002", "2021-0003"]
    assert from_batch == {("2021-0003", "return"): "沪质协审函〔2021〕1号"}  # the batch's return letter
    assert numbers == {("2021-0003", "return"): "沪质协审函〔2021〕1号",
                       ("2021-0002", "acceptance"): "沪质协审函〔2021〕2号"}
    for done in (first, again):
        by_name = {p.name: _text(p) for p in done.paths}
        assert "沪质协审函〔2021〕2号" in by_name["2021-0002-受理通知.docx"]
        assert "沪质协审函〔2021〕1号" in by_name["2021-0003-退回补正通知.docx"]
    batch_letter = _text(tmp_path / "out" / "letters" / "2021-0003-退回补正通知.docx")
    assert "沪质协审函〔2021〕1号" in batch_letter


def test_no_letter_for_a_form_that_was_not_read(tmp_path: Path, call: Any) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SAMPLES / "applications" / "blank-form.docx", folder / "a.docx")
    shutil.copy(SAMPLES / "round" / "0001-申报书.docx", folder / "b.docx")
    db = tmp_path / "r.sqlite"
    with Registry(db) as reg:
        run_batch(folder, tmp_path / "out", call, reg, jobs=1)
        done = write_letters(reg, call, tmp_path / "letters", DAY)
    assert done.counts == {"accepted": 1, "returned": 0, "skipped": 1}
    assert [p.name for p in done.paths] == ["2021-0002-受理通知.docx"]
    assert [s[0] for s in done.skipped] == ["2021-0001"]
    assert not (tmp_path / "out" / "letters" / "2021-0001-退回补正通知.docx").exists()  # nor from the batch
    for letter in (tmp_path / "letters").iterdir():
        assert "“”" not in _text(letter)
    r = CliRunner().invoke(main, ["--db", str(db), "letters", "-o", str(tmp_path / "l2"), "--date", "2021-08-06"])
    assert r.exit_code == 0, r.output
    assert "2021-0001" in r.output and "未出具 1" in r.output
