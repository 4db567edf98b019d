"""The library a second front end stands on (pipeline.actions), called without click: the defaults a user expects,
the guard that never writes over an input, and the shapes the command line's contract promises."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import APPS, ROOT, SAMPLES

from pipeline import actions
from pipeline.actions import BadArgument
from pipeline.errors import OutputError, PipelineError

VALID = APPS / "valid.docx"
NOTICE = SAMPLES / "notices" / "call-2021.txt"


@pytest.fixture
def form(tmp_path: Path) -> Path:
    """A copy of the valid application an output might be pointed at."""
    path = tmp_path / "申报书.docx"
    path.write_bytes(VALID.read_bytes())
    return path


def test_actions_know_nothing_of_click() -> None:
    import subprocess
    import sys

    code = "import sys, pipeline.actions; print(sorted(m for m in ('click', 'pipeline.cli') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


# --- check_files: one report is an object, several an array; nothing written over an input ----------------------

def test_one_file_gives_an_object_several_an_array(call: Any) -> None:
    one = actions.check_files([VALID], call, fmt="json")
    assert isinstance(one.json, dict) and one.json["status"] == "pass" and not one.fails()
    assert one.written is None and json.loads(one.text) == one.json
    two = actions.check_files([VALID, APPS / "phone-format.docx"], call, fmt="json")
    assert isinstance(two.json, list) and [r["status"] for r in two.json] == ["pass", "fail"]
    assert json.loads(two.text) == two.json and two.fails() and len(two.reports) == 2


def test_strict_fails_on_warnings(call: Any) -> None:
    done = actions.check_files([APPS / "summary-short.docx"], call)
    assert not done.fails() and done.fails(strict=True)
    assert done.text == actions.report_document(list(done.reports), "text", call) and "通过" in done.text


def test_the_report_is_written_to_output(call: Any, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    done = actions.check_files([VALID], call, fmt="html", output=out, lang="en")
    assert done.written == out and out.read_text(encoding="utf-8") == done.text and '<html lang="en">' in done.text
    stdout = actions.check_files([VALID], call, output=Path("-"))
    assert stdout.written is None and stdout.text  # `-`: the front end shows it


def test_an_output_equal_to_an_input_is_refused(call: Any, form: Path) -> None:
    before = form.read_bytes()
    with pytest.raises(OutputError, match="本命令读取的文件"):
        actions.check_files([form], call, fmt="json", output=form)
    with pytest.raises(OutputError):
        actions.check_files([form], call, annotate=form)
    link = form.with_name("link.docx")
    link.symlink_to(form)
    with pytest.raises(OutputError):
        actions.check_files([form], call, output=link)
    assert form.read_bytes() == before
    source = form.with_name("n.txt")
    source.write_bytes(NOTICE.read_bytes())
    with pytest.raises(OutputError):
        actions.write_notice(source, source, call, pdf=False)
    assert source.read_bytes() == NOTICE.read_bytes()
    # outside an action the library writes where it is told: the guard lasts as long as the call
    actions.check_files([VALID], call, fmt="json", output=form)
    assert json.loads(form.read_text(encoding="utf-8"))["status"] == "pass"


def test_annotated_copies(call: Any, tmp_path: Path) -> None:
    one = actions.check_files([APPS / "phone-format.docx"], call, annotate=tmp_path / "copy.docx")
    assert [(a.source.name, a.path) for a in one.annotated] == [("phone-format.docx", tmp_path / "copy.docx")]
    folder = tmp_path / "many"
    folder.mkdir()
    several = actions.check_files([APPS / "phone-format.docx", APPS / "email-format.docx"], call, annotate=folder)
    assert sorted(p.name for p in folder.iterdir()) == ["email-format-批注.docx", "phone-format-批注.docx"]
    assert all(a.path is not None and a.damaged is None for a in several.annotated)
    with pytest.raises(BadArgument) as e:  # the copy and the report cannot both go to standard output
        actions.check_files([VALID], call, annotate=Path("-"))
    assert e.value.argument == "annotate"


def test_an_unknown_format_is_a_bad_argument(call: Any) -> None:
    with pytest.raises(BadArgument) as e:
        actions.check_files([VALID], call, fmt="xml")
    assert e.value.argument == "fmt"


def test_an_unreadable_file_is_a_failure_in_words(call: Any, tmp_path: Path) -> None:
    with pytest.raises(PipelineError, match=r"无法读取.*文件不存在"):
        actions.check_files([tmp_path / "gone.docx"], call)


# --- the call: blank form and schema ------------------------------------------------------------------------

def test_blank_form_default_name(call: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    out = actions.write_blank_form(call)
    assert out == Path(f"{call.id}-申报书.docx") == Path(actions.blank_form_name(call)) and out.is_file()


def test_schema_is_up_to_date(call: Any) -> None:
    state = actions.check_schema(call)
    assert state.up_to_date and state.path.read_text(encoding="utf-8") == actions.derived_schema(call)


# --- defaults: PDFs, dates, the decision's number, the seal ---------------------------------------------------

def test_pdf_plan(monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline import office as pdf

    assert actions.plan_pdf(False) == actions.PdfPlan(make=False, skipped=False)
    assert actions.plan_pdf(None, Path("-")) == actions.PdfPlan(make=False, skipped=False)
    with pytest.raises(BadArgument):
        actions.plan_pdf(True, Path("-"))
    monkeypatch.setattr(pdf, "soffice", lambda: None)
    assert actions.plan_pdf(None) == actions.PdfPlan(make=False, skipped=True)
    with pytest.raises(PipelineError, match="LibreOffice") as e:
        actions.plan_pdf(True)
    assert not isinstance(e.value, BadArgument)  # the work cannot be done: not the caller's mistake
    monkeypatch.setattr(pdf, "soffice", lambda: "/usr/bin/soffice")
    assert actions.plan_pdf(None) == actions.PdfPlan(make=True) == actions.plan_pdf(True, Path("d.docx"))


def test_dates_from_the_call_else_today(call: Any, tmp_path: Path) -> None:
    assert actions.document_date(call, "letters_date") == dt.date(2021, 8, 6)
    assert actions.document_date(call, "decision_date") == actions.document_date(call, "award_date")
    assert actions.document_date(call, "award_date", dt.date(2022, 1, 2)) == dt.date(2022, 1, 2)
    from pipeline.calls import load_call

    folder = tmp_path / "call"
    shutil.copytree(ROOT / "schemas" / "saq-2021", folder)
    text = (folder / "call.yaml").read_text(encoding="utf-8")
    undated = "\n".join(line for line in text.splitlines() if not line.strip().startswith(
        ("letters_date:", "decision_date:", "award_date:")))
    (folder / "call.yaml").write_text(undated + "\n", encoding="utf-8")
    assert actions.document_date(load_call(folder), "letters_date") == dt.date.today()


def test_decision_number_from_the_call_and_checked_before_anything(call: Any, tmp_path: Path) -> None:
    assert actions.decision_number(call) == "沪质协〔2021〕36号"
    assert actions.decision_number(call, "沪质协〔2021〕40号") == "沪质协〔2021〕40号"
    db = tmp_path / "r.sqlite"
    with pytest.raises(BadArgument) as e:
        actions.write_decision(call, db, tmp_path / "d.docx", number="沪质协[2021]36号", pdf=False)
    assert e.value.argument == "number" and "沪质协〔2021〕36号" in e.value.message_zh
    assert not db.exists() and not (tmp_path / "d.docx").exists()


def test_certificates_need_one_seal(call: Any, tmp_path: Path) -> None:
    db = tmp_path / "r.sqlite"
    for seal, sample in ((None, False), (SAMPLES / "assets" / "seal-sample.png", True)):
        with pytest.raises(BadArgument) as e:
            actions.issue_certificates(call, db, tmp_path / "c", seal=seal, sample_seal=sample, pdf=False)
        assert e.value.argument == "seal"
    assert not db.exists() and not (tmp_path / "c").exists()


def test_a_missing_registry_is_never_created_outside_a_batch(call: Any, tmp_path: Path) -> None:
    db = tmp_path / "none.sqlite"
    with pytest.raises(PipelineError, match="award batch"):
        actions.write_letters(call, db, tmp_path / "l", pdf=False)
    assert not db.exists()


# --- a round through the actions alone, as a web front end would drive it --------------------------------------

@pytest.fixture(scope="module")
def round_dir(tmp_path_factory: pytest.TempPathFactory, call: Any) -> Path:
    """Eight applications of the demo round batched, reviewed with simulated scores and ranked, all by actions."""
    from fill_scores import fill_workbooks

    base = tmp_path_factory.mktemp("actions-round")
    inbox = base / "in"
    inbox.mkdir()
    for path in sorted((SAMPLES / "round").glob("*.docx"))[:8]:
        shutil.copy(path, inbox / path.name)
    db = base / "award.sqlite"
    done = actions.check_batch(inbox, base / "batch", call, db, jobs=2)
    assert done.passed == 8 and done.to_handle == 0 and not done.fails() and done.summary.is_file()
    assigned = actions.assign_judges(call, db, SAMPLES / "judges.csv", seed=2021)
    assert assigned.per_app == 5  # the call's review.judges_per_app
    forms = actions.write_review_forms(call, db, base / "forms", pdf=False)
    assert forms.summary.workbooks and not forms.pdf_skipped
    actions.import_scores(call, db, fill_workbooks(base / "forms", base / "filled"))
    actions.review_results(call, db, base / "results.xlsx")
    return base


def test_documents_take_the_calls_defaults(round_dir: Path, call: Any, tmp_path: Path) -> None:
    db = tmp_path / "award.sqlite"
    shutil.copyfile(round_dir / "award.sqlite", db)
    letters = actions.write_letters(call, db, tmp_path / "l", pdf=False)
    assert letters.date == dt.date(2021, 8, 6) and letters.issued.counts["accepted"] == 8
    decision = actions.write_decision(call, db, tmp_path / "d.docx", pdf=False)
    assert (decision.number, decision.date) == ("沪质协〔2021〕36号", dt.date(2021, 9, 28))
    assert decision.path.is_file() and decision.winners > 0 and decision.pdfs == ()
    certs = actions.issue_certificates(call, db, tmp_path / "c", sample_seal=True, pdf=False)
    assert certs.sample_seal and certs.date == dt.date(2021, 9, 28) and certs.issued.counts["certificates"] > 0
    with pytest.raises(OutputError):  # the registry is an input: no document over it
        actions.write_decision(call, db, db, pdf=False)
    assert db.stat().st_size > 0 and db.read_bytes()[:16] == b"SQLite format 3\x00"
