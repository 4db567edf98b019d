"""Batch validation end to end on the generated batch (samples/batch): findings, summaries, numbers, cache,
archives, interruption."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import ROOT, SAMPLES

from pipeline.batch import BatchError, run_batch
from pipeline.check.batch import normalize_name, read_members, similar_pairs
from pipeline.cli import main
from pipeline.registry import Migration, Registry, RegistryError

BATCH = SAMPLES / "batch"
INPUT = BATCH / "applications"
MEMBERS = BATCH / "members.csv"
EXPECTED: dict[str, list[list[Any]]] = json.loads((BATCH / "expected.json").read_text(encoding="utf-8"))


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def numbers_by_sha(rows: Any) -> dict[str, str]:
    return {r.report.file.sha256: r.reg_no for r in rows if r.reg_no}


@pytest.fixture(scope="module")
def first_run(tmp_path_factory: pytest.TempPathFactory, call: Any) -> Any:
    base = tmp_path_factory.mktemp("batch")
    before = {p: sha(p) for p in INPUT.rglob("*") if p.is_file()}
    with Registry(base / "r.sqlite") as reg:
        result = run_batch(INPUT, base / "out", call, reg, members=MEMBERS, jobs=2)
    return base, result, before


def test_every_batch_finding_as_expected(first_run: Any) -> None:
    _, result, _ = first_run
    got = {r.source.path: sorted({(f.code, f.field) for f in r.report.findings if f.code.startswith("batch.")})
           for r in result.rows}
    want = {k: sorted({(c, f) for c, f in v}) for k, v in EXPECTED.items()}
    assert got == want


def test_no_file_lost_and_broken_files_are_rows(first_run: Any) -> None:
    _, result, _ = first_run
    files = sorted(p.relative_to(INPUT).as_posix() for p in INPUT.rglob("*") if p.is_file())
    assert [r.source.path for r in result.rows] == files
    by_path = {r.source.path: r for r in result.rows}
    assert [f.code for f in by_path["broken.pdf"].report.findings] == ["file.corrupt"]
    assert [f.code for f in by_path["not-a-form.docx"].report.findings] == ["form.unrecognized"]


def test_same_file_twice_is_one_registration(first_run: Any) -> None:
    _, result, _ = first_run
    by_path = {r.source.path: r for r in result.rows}
    assert by_path["0001-基准.docx"].reg_no == by_path["收件箱/0001-基准-重发.docx"].reg_no == "2021-0001"
    numbered = [r for r in result.rows if r.reg_no]
    assert len({r.reg_no for r in numbered}) == len(numbered) - 1
    # not forms (another document, a damaged PDF): rows without a number (issue 11, point 2)
    assert len(numbered) == len(result.rows) - 2
    assert by_path["not-a-form.docx"].reg_no is None and by_path["broken.pdf"].reg_no is None


def test_numbers_follow_path_order(first_run: Any) -> None:
    _, result, _ = first_run
    distinct = []
    for r in result.rows:
        if r.reg_no and r.reg_no not in distinct:
            distinct.append(r.reg_no)
    assert distinct == [f"2021-{i:04d}" for i in range(1, len(distinct) + 1)]


def test_inputs_never_changed(first_run: Any) -> None:
    _, _, before = first_run
    assert {p: sha(p) for p in INPUT.rglob("*") if p.is_file()} == before


def test_reports_are_schema_valid_and_carry_the_number(first_run: Any) -> None:
    import jsonschema

    base, result, _ = first_run
    schema = json.loads((ROOT / "schemas" / "report.schema.json").read_text(encoding="utf-8"))
    numbers = {r.reg_no for r in result.rows if r.reg_no}
    files = sorted((base / "out" / "reports").glob("*.json"))
    assert [f.stem for f in files] == sorted(numbers)
    for f in files:
        report = json.loads(f.read_text(encoding="utf-8"))
        jsonschema.validate(report, schema)
        assert report["registration"] == f.stem


def test_summary_xlsx(first_run: Any) -> None:
    from openpyxl import load_workbook

    base, result, _ = first_run
    wb = load_workbook(base / "out" / "summary.xlsx")
    assert wb.sheetnames == ["申报汇总", "问题明细"]
    ws = wb["申报汇总"]
    assert [c.value for c in ws[1]] == ["登记号", "文件", "申报单位", "项目名称", "类别", "结论", "错误", "警告", "主要问题"]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == f"A1:I{len(result.rows) + 1}"
    assert ws.max_row == len(result.rows) + 1
    assert ws.column_dimensions["D"].width >= 20  # project names: Chinese characters count double
    rows = {r[1]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    quota = rows["quota-1.docx"]
    assert quota[0] == "2021-0009" and quota[2] == "上海限额测试精密机械有限公司" and quota[5] == "退回补正"
    assert quota[6] == 1 and "3项的限额" in quota[8]
    assert rows["not-a-form.docx"][0] == "—" and rows["not-a-form.docx"][5] == "非申报材料"
    assert rows["broken.pdf"][0] == "—" and rows["broken.pdf"][5] == "无法读取"
    findings = wb["问题明细"]
    assert findings.freeze_panes == "A2" and findings.auto_filter.ref
    total = sum(len(r.report.findings) for r in result.rows)
    assert findings.max_row == total + 1


def test_summary_csv_has_bom_and_same_rows(first_run: Any) -> None:
    base, result, _ = first_run
    raw = (base / "out" / "summary.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][0] == "登记号" and len(rows) == len(result.rows) + 1
    assert {r[1] for r in rows[1:]} == {r.source.path for r in result.rows}


def test_summary_html_lists_every_application(first_run: Any) -> None:
    base, result, _ = first_run
    html = (base / "out" / "summary.html").read_text(encoding="utf-8")
    assert "申报材料批量检查汇总" in html
    for r in result.rows:
        assert (r.reg_no or r.source.path) in html  # a file without a number is still listed, by its path
    assert "上海限额测试精密机械有限公司" in html


def test_annotated_copies_for_docx_with_findings(first_run: Any) -> None:
    import docx

    base, result, _ = first_run
    copies = sorted(p.name for p in (base / "out" / "annotated").iterdir())
    want = sorted({f"{r.reg_no}-{Path(r.source.path).stem}.docx" for r in result.rows
                   if r.reg_no and r.report.findings and r.report.file.format == "docx" and r.source.path != "收件箱/0001-基准-重发.docx"})
    assert copies == want
    doc = docx.Document(str(base / "out" / "annotated" / "2021-0009-quota-1.docx"))
    texts = [c.text for c in doc.comments]
    assert any("batch.unit_quota" in t for t in texts)


def test_registry_rows(first_run: Any, call: Any) -> None:
    base, result, _ = first_run
    with Registry(base / "r.sqlite") as reg:
        apps = reg.applications(call.id)
        assert [a.reg_no for a in apps] == sorted({r.reg_no for r in result.rows if r.reg_no})
        quota = next(a for a in apps if a.path == "quota-1.docx")
        assert quota.status == "fail" and quota.applicant == "上海限额测试精密机械有限公司" and quota.errors == 1
        assert quota.report is not None and quota.report["registration"] == quota.reg_no
        assert reg.applied_migrations()[0] == 1


def test_rerun_is_cached_and_numbers_stable_across_renames(tmp_path: Path, call: Any) -> None:
    folder = tmp_path / "in"
    shutil.copytree(INPUT, folder)
    db = tmp_path / "r.sqlite"
    with Registry(db) as reg:
        first = run_batch(folder, tmp_path / "out", call, reg, jobs=2)
        (folder / "quota-1.docx").rename(folder / "aaa-renamed.docx")  # now first in path order
        (folder / "new").mkdir()
        shutil.copy(SAMPLES / "round" / "0003-申报书.docx", folder / "new" / "late.docx")
        second = run_batch(folder, tmp_path / "out", call, reg, jobs=2)
    assert second.checked == 1 and second.new == 1 and second.cached == 14 and second.screened == 2
    before, after = numbers_by_sha(first.rows), numbers_by_sha(second.rows)
    assert all(after[s] == n for s, n in before.items())
    late = next(r for r in second.rows if r.source.path == "new/late.docx")
    assert late.reg_no == "2021-0015"
    renamed = next(r for r in second.rows if r.source.path == "aaa-renamed.docx")
    assert renamed.reg_no == "2021-0009"


def test_numbers_never_reused_after_a_file_goes(tmp_path: Path, call: Any) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for n in ("0001", "0002"):
        shutil.copy(SAMPLES / "round" / f"{n}-申报书.docx", folder)
    with Registry(tmp_path / "r.sqlite") as reg:
        run_batch(folder, tmp_path / "out", call, reg, jobs=1)
        (folder / "0002-申报书.docx").unlink()
        shutil.copy(SAMPLES / "round" / "0005-申报书.docx", folder)
        result = run_batch(folder, tmp_path / "out", call, reg, jobs=1)
    assert [r.reg_no for r in result.rows] == ["2021-0001", "2021-0003"]
    assert not (tmp_path / "out" / "reports" / "2021-0002.json").exists()  # outputs follow the batch


def test_no_cache_and_a_changed_call_check_again(tmp_path: Path, call: Any) -> None:
    from pipeline.calls import load_call

    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SAMPLES / "round" / "0001-申报书.docx", folder)
    with Registry(tmp_path / "r.sqlite") as reg:
        assert run_batch(folder, tmp_path / "out", call, reg, jobs=1).checked == 1
        assert run_batch(folder, tmp_path / "out", call, reg, jobs=1).checked == 0
        assert run_batch(folder, tmp_path / "out", call, reg, jobs=1, use_cache=False).checked == 1
        other = tmp_path / "call"
        shutil.copytree(call.folder, other)
        text = (other / "call.yaml").read_text(encoding="utf-8")
        (other / "call.yaml").write_text(text.replace("similar_summary: 0.9", "similar_summary: 0.95"), encoding="utf-8")
        assert run_batch(folder, tmp_path / "out", load_call(other), reg, jobs=1).checked == 1


class _GbkInfo(zipfile.ZipInfo):
    def _encodeFilenameFlags(self) -> tuple[bytes, int]:
        return self.filename.encode("gbk"), self.flag_bits & ~0x800


def _zip(path: Path, entries: dict[str, bytes], utf8: bool = True) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            if utf8:
                zf.writestr(name, data)
            else:  # as Chinese Windows writes it: GBK bytes, no UTF-8 flag
                info = _GbkInfo(name)
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, data)
    return path


def test_zip_input_gives_the_same_findings(tmp_path: Path, call: Any) -> None:
    entries = {p.relative_to(INPUT).as_posix(): p.read_bytes() for p in INPUT.rglob("*") if p.is_file()}
    archive = _zip(tmp_path / "round.zip", entries, utf8=False)
    with Registry(tmp_path / "r.sqlite") as reg:
        result = run_batch(archive, tmp_path / "out", call, reg, members=MEMBERS, jobs=2)
    got = {r.source.path: sorted({(f.code, f.field) for f in r.report.findings if f.code.startswith("batch.")})
           for r in result.rows}
    assert got == {k: sorted({(c, f) for c, f in v}) for k, v in EXPECTED.items()}


def test_hostile_zip_entries_are_rows_not_writes(tmp_path: Path, call: Any) -> None:
    valid = (SAMPLES / "round" / "0001-申报书.docx").read_bytes()
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("a.docx", valid)
    archive = _zip(tmp_path / "hostile.zip", {
        "ok.docx": valid,
        "../../escape.docx": valid,
        "/abs/path.docx": valid,
        "bomb.docx": b"\0" * (30 * 2**20),
        "nested.zip": inner.getvalue(),
        "__MACOSX/._ok.docx": b"junk",
    })
    out = tmp_path / "out"
    with Registry(tmp_path / "r.sqlite") as reg:
        result = run_batch(archive, out, call, reg, jobs=1)
    codes = {r.source.path: [f.code for f in r.report.findings] for r in result.rows}
    assert codes["ok.docx"] == []
    assert codes["../../escape.docx"] == ["file.unsafe_path"]
    assert codes["/abs/path.docx"] == ["file.unsafe_path"]
    assert codes["bomb.docx"] == ["file.too_large"]
    assert codes["nested.zip"] == ["file.unsupported_type"]
    assert len(result.rows) == 5  # the __MACOSX resource fork is not an application
    assert not (tmp_path / "escape.docx").exists() and not (tmp_path.parent / "escape.docx").exists()
    assert all(p.resolve().is_relative_to(out.resolve()) for p in out.rglob("*"))


def test_archive_with_too_many_entries_is_refused(tmp_path: Path, call: Any) -> None:
    from dataclasses import replace

    small = replace(call, batch=replace(call.batch, max_archive_entries=3))
    archive = _zip(tmp_path / "many.zip", {f"{i}.docx": b"x" for i in range(5)})
    with Registry(tmp_path / "r.sqlite") as reg, pytest.raises(BatchError, match="文件过多"):
        run_batch(archive, tmp_path / "out", small, reg)


def test_similarity() -> None:
    base = ("项目组运用六西格玛方法，从人机料法环测六个方面梳理了二十三项潜在原因，并通过现场数据逐一验证，确定了关键因子。"
            "团队首先开展测量系统分析，确认检测数据可信，再以试验设计筛选出四个关键因子，确定了最佳工艺窗口。"
            "改进后虚焊不良率下降了百分之六十，年节约质量成本三百万元，客户投诉显著减少。")
    edited = base[:30] + "某" + base[31:90] + "某" + base[91:]
    other = ("公司与检测机构联合攻关，建立了产品的数字化质量追溯系统，做到每件产品的工艺数据可查可比。"
             "借助失效模式与影响分析，项目识别出十二个高风险环节，制定了防错和控制计划，并在试点线验证有效。"
             "成果已固化为三项企业标准和作业指导书，并推广到公司其他五条生产线。")
    pairs = similar_pairs([base, edited, other, ""], 0.9)
    assert [(a, b) for a, b, _ in pairs] == [(0, 1)]
    assert pairs[0][2] >= 0.97


def test_normalized_project_names() -> None:
    assert normalize_name("热处理炉温 均匀性提升！") == normalize_name("热处理炉温均匀性提升")
    assert normalize_name("ＡＢＣ（一期）") == normalize_name("abc(一期)")


def test_member_list_encodings_and_errors(tmp_path: Path) -> None:
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes("会员编号,单位名称,统一社会信用代码\r\n210001,上海某某有限公司,91310115MA1K3YJ12X\r\n".encode("gbk"))
    assert read_members(gbk)["210001"].name == "上海某某有限公司"
    assert read_members(MEMBERS)
    bad = tmp_path / "bad.csv"
    bad.write_text("编码,名字\n1,2\n", encoding="utf-8")
    runner = CliRunner()
    r = runner.invoke(main, ["--db", str(tmp_path / "r.sqlite"), "batch", str(INPUT), "-o", str(tmp_path / "o"),
                             "--members", str(bad)])
    assert r.exit_code == 3 and "缺少列" in r.output


def test_cli_exit_codes_and_damaged_registry(tmp_path: Path) -> None:
    runner = CliRunner()
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SAMPLES / "round" / "0001-申报书.docx", folder)
    r = runner.invoke(main, ["--db", str(tmp_path / "r.sqlite"), "batch", str(folder), "-o", str(tmp_path / "o")])
    assert r.exit_code == 0, r.output
    r = runner.invoke(main, ["--db", str(tmp_path / "r.sqlite"), "batch", str(INPUT), "-o", str(tmp_path / "o2")])
    assert r.exit_code == 1
    damaged = tmp_path / "damaged.sqlite"
    damaged.write_bytes(b"this is not a database" * 100)
    r = runner.invoke(main, ["--db", str(damaged), "batch", str(folder), "-o", str(tmp_path / "o3")])
    assert r.exit_code == 3 and "登记库" in r.output and "Traceback" not in r.output
    r = runner.invoke(main, ["--lang", "en", "--db", str(damaged), "batch", str(folder), "-o", str(tmp_path / "o3")])
    assert r.exit_code == 3 and "registry" in r.output


def test_locked_registry_is_exit_3(tmp_path: Path) -> None:
    db = tmp_path / "r.sqlite"
    Registry(db).close()
    holder = sqlite3.connect(str(db), isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(RegistryError, match="正被其他程序使用"):
            Registry(db, timeout=0.2).register("saq-2021", "x", "a", "2021-", 4)
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_a_newer_registry_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "r.sqlite"
    with Registry(db) as reg:
        reg.migrate([*__import__("pipeline.registry", fromlist=["MIGRATIONS"]).MIGRATIONS,
                     Migration(99, "future", "CREATE TABLE future (x INTEGER)")])
    with pytest.raises(RegistryError, match="更新版本"):
        Registry(db)


def _run_cli(args: list[str], **kw: Any) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "pipeline", *args], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, **kw)


def _checked(db: Path) -> int:
    try:
        # Read-only: a plain connect would create an empty file, which the batch rightly refuses as not a registry.
        con = sqlite3.connect(db.resolve().as_uri() + "?mode=ro", uri=True, timeout=0.05)
        try:
            return int(con.execute("SELECT count(*) FROM applications WHERE file_report IS NOT NULL").fetchone()[0])
        finally:
            con.close()
    except sqlite3.Error:
        return 0


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGINT])
def test_killed_midway_then_rerun_gives_the_same_numbers(tmp_path: Path, how: int) -> None:
    folder = tmp_path / "in"
    shutil.copytree(SAMPLES / "round", folder / "round")
    shutil.copytree(INPUT, folder / "batch")
    not_forms = {"not-a-form.docx", "broken.pdf"}  # rows without a number
    total = len({sha(p) for p in folder.rglob("*") if p.is_file() and p.name not in not_forms})
    clean_db, db = tmp_path / "clean.sqlite", tmp_path / "r.sqlite"
    assert _run_cli(["--db", str(clean_db), "batch", str(folder), "-o", str(tmp_path / "clean"), "--jobs", "1"]
                    ).wait(timeout=240) == 1
    proc = _run_cli(["--db", str(db), "batch", str(folder), "-o", str(tmp_path / "out"), "--jobs", "1"])
    deadline = time.monotonic() + 120
    while _checked(db) < 5 and time.monotonic() < deadline:
        time.sleep(0.005)
    os.kill(proc.pid, how)
    code = proc.wait(timeout=60)
    done = _checked(db)
    assert 5 <= done < total, "the run was not stopped midway"
    if how == signal.SIGINT:
        assert code == 130 and "重新运行" in proc.stderr.read().decode()  # type: ignore[union-attr]
    again = _run_cli(["--db", str(db), "batch", str(folder), "-o", str(tmp_path / "out"), "--jobs", "1"])
    assert again.wait(timeout=240) == 1
    con, clean = sqlite3.connect(str(db)), sqlite3.connect(str(clean_db))
    rows = con.execute("SELECT sha256, reg_no, status FROM applications ORDER BY seq").fetchall()
    want = clean.execute("SELECT sha256, reg_no, status FROM applications ORDER BY seq").fetchall()
    assert rows == want and len(rows) == total
    assert con.execute("SELECT count(*) FROM applications WHERE report IS NULL").fetchone()[0] == 0
    assert json.loads((tmp_path / "out" / "reports" / "2021-0001.json").read_text(encoding="utf-8"))["registration"]


def test_batch_messages_name_numbers_not_other_applicants_files(call: Any) -> None:
    from pipeline.check.batch import Entry, batch_findings

    entries = [Entry(f"某公司{i}-申报书.docx", f"2021-{i:04d}", f"sha{i}", {"project.name": "同一个项目"})
               for i in range(1, 6)]
    found = batch_findings(entries, call)
    message = found["2021-0001"][0].message
    assert "2021-0002、2021-0003、2021-0004等4份" in message and "某公司" not in message
    assert "and 1 more" in found["2021-0001"][0].message_en


def test_return_letters_for_forms_with_errors(first_run: Any) -> None:
    base, result, _ = first_run
    want = sorted({f"{r.reg_no}-退回补正通知.docx" for r in result.rows
                   if r.report.fields and r.report.status == "fail"})
    assert sorted(p.name for p in (base / "out" / "letters").iterdir()) == want
    assert next(r for r in result.rows if r.source.path == "broken.pdf").reg_no is None  # nobody to write to
    import docx

    letter = docx.Document(str(base / "out" / "letters" / "2021-0009-退回补正通知.docx"))
    text = "\n".join(p.text for p in letter.paragraphs).replace("\u2060", "")  # no word joiners (no-break runs)
    # the quota as the applicant reads it: their own unit, no other application named
    assert "上海限额测试精密机械有限公司" in text and "本单位在本轮申报的项目超过3项" in text


def test_warm_rerun_rewrites_nothing_per_application(tmp_path: Path, call: Any) -> None:
    out = tmp_path / "out"
    with Registry(tmp_path / "r.sqlite") as reg:
        run_batch(INPUT, out, call, reg, jobs=2)
        stamps = {p: p.stat().st_mtime_ns for p in out.rglob("*.docx")} | {p: p.stat().st_mtime_ns
                                                                           for p in (out / "reports").iterdir()}
        time.sleep(0.05)
        again = run_batch(INPUT, out, call, reg, jobs=2)
    assert again.checked == 0
    assert {p: p.stat().st_mtime_ns for p in stamps} == stamps


# -- issue 11: what a batch registers (point 2), zip names (point 4), one file never stops a batch (point 8) ----

FORM = SAMPLES / "round" / "0001-申报书.docx"
FAILING = SAMPLES / "applications" / "address-too-long.docx"  # a form with an error: it gets a return letter


def _text_pdf(text: str) -> bytes:
    """A small, valid one-page A4 PDF with a text layer (an attachment such as 应用证明.pdf)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
               b"/Contents 5 0 R >>", b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
               b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


_PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
                     "0000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


def _inbox(folder: Path) -> Path:
    """A real unit's inbox: the form, its attachments, a note, and two copies of a form that cannot be read."""
    folder.mkdir(parents=True)
    shutil.copy(FORM, folder / "申报书.docx")
    (folder / "应用证明.pdf").write_bytes(_text_pdf("Application proof: the method was applied in 2020."))
    (folder / "签名.png").write_bytes(_PNG)
    (folder / "说明.txt").write_text("附件为应用证明和负责人签名。\n", encoding="utf-8")
    (folder / "申报书-第二版.docx").write_bytes(FORM.read_bytes()[:5000])  # cut short in the mail
    (folder / "附件-效益证明.docx").write_bytes(FORM.read_bytes()[:6000])
    return folder


def test_an_inbox_spends_exactly_one_number(tmp_path: Path, call: Any) -> None:
    folder = _inbox(tmp_path / "inbox")
    with Registry(tmp_path / "r.sqlite") as reg:
        result = run_batch(folder, tmp_path / "out", call, reg, jobs=1)
        assert [a.path for a in reg.applications(call.id)] == ["申报书.docx"]
    by_path = {r.source.path: r for r in result.rows}
    assert sorted(by_path) == sorted(p.name for p in folder.iterdir())  # every file is a row
    assert {p: r.reg_no for p, r in by_path.items() if r.reg_no} == {"申报书.docx": "2021-0001"}
    assert result.new == 1 and result.screened == 5
    codes = {p: [f.code for f in r.report.findings] for p, r in by_path.items()}
    assert codes["应用证明.pdf"] == ["form.unrecognized"]
    assert codes["签名.png"] == codes["说明.txt"] == ["file.unsupported_type"]
    assert codes["申报书-第二版.docx"] == codes["附件-效益证明.docx"] == ["file.corrupt"]
    rows = list(csv.reader(io.StringIO((tmp_path / "out" / "summary.csv").read_text(encoding="utf-8-sig"))))
    result_of = {r[1]: (r[0], r[5]) for r in rows[1:]}
    assert result_of == {"申报书.docx": ("2021-0001", "通过"), "应用证明.pdf": ("—", "非申报材料"),
                         "签名.png": ("—", "非申报材料"), "说明.txt": ("—", "非申报材料"),
                         # a damaged file named as a form: its sender is asked for it again; an attachment is not
                         "申报书-第二版.docx": ("—", "无法读取，请退回发件人重新提交"),
                         "附件-效益证明.docx": ("—", "无法读取")}
    assert sorted(p.name for p in (tmp_path / "out" / "reports").iterdir()) == ["2021-0001.json"]
    assert "2021-0002" not in (tmp_path / "out" / "summary.html").read_text(encoding="utf-8")


def test_numbers_stay_dense_when_attachments_come_and_go(tmp_path: Path, call: Any) -> None:
    folder = _inbox(tmp_path / "inbox")
    with Registry(tmp_path / "r.sqlite") as reg:
        run_batch(folder, tmp_path / "out", call, reg, jobs=1)
        (folder / "说明.txt").unlink()
        shutil.copy(SAMPLES / "round" / "0002-申报书.docx", folder / "0-第二家.docx")  # first in path order
        result = run_batch(folder, tmp_path / "out", call, reg, jobs=1)
        again = run_batch(folder, tmp_path / "out", call, reg, jobs=1)
    numbers = {r.source.path: r.reg_no for r in result.rows if r.reg_no}
    assert numbers == {"申报书.docx": "2021-0001", "0-第二家.docx": "2021-0002"}
    assert {r.source.path: r.reg_no for r in again.rows if r.reg_no} == numbers
    assert again.new == 0 and again.checked == 0 and again.cached == 2


def test_a_single_file_as_input_is_refused(tmp_path: Path) -> None:
    runner = CliRunner()
    db, out = tmp_path / "r.sqlite", tmp_path / "out"
    pdf = tmp_path / "申报书.pdf"
    pdf.write_bytes(_text_pdf("x"))
    for single in (FORM, pdf):
        r = runner.invoke(main, ["--db", str(db), "batch", str(single), "-o", str(out)])
        assert r.exit_code == 3 and "award check" in r.output and "Traceback" not in r.output
    r = runner.invoke(main, ["--lang", "en", "--db", str(db), "batch", str(FORM), "-o", str(out)])
    assert r.exit_code == 3 and "to check one application use award check" in r.output
    assert not db.exists() and not out.exists()


def test_outdir_and_input_may_not_overlap(tmp_path: Path) -> None:
    runner = CliRunner()
    folder = tmp_path / "same"
    folder.mkdir()
    shutil.copy(FORM, folder)
    db = tmp_path / "r.sqlite"
    for args in ([str(folder), "-o", str(folder)], [str(folder), "-o", str(folder / "out")],
                 [str(folder / "sub"), "-o", str(folder)]):
        (folder / "sub").mkdir(exist_ok=True)
        r = runner.invoke(main, ["--db", str(db), "batch", *args])
        assert r.exit_code == 3 and "重叠" in r.output and "Traceback" not in r.output, r.output
    assert not db.exists()
    assert sorted(p.name for p in folder.iterdir()) == ["0001-申报书.docx", "sub"]


def test_dry_run_changes_nothing(tmp_path: Path) -> None:
    runner = CliRunner()
    folder = _inbox(tmp_path / "inbox")
    db, out = tmp_path / "r.sqlite", tmp_path / "out"
    r = runner.invoke(main, ["--db", str(db), "batch", str(folder), "-o", str(out), "--dry-run"])
    assert r.exit_code == 0, r.output
    lines = dict(line.split("\t") for line in r.output.splitlines() if "\t" in line)
    assert lines["申报书.docx"] == "将登记为 2021-0001"
    assert lines["签名.png"].startswith("不登记：非申报材料")
    assert lines["申报书-第二版.docx"].startswith("不登记：无法读取，请退回发件人重新提交")
    assert "将新登记 1，不登记 5" in r.output
    assert not db.exists() and not out.exists()
    assert runner.invoke(main, ["--db", str(db), "batch", str(folder), "-o", str(out)]).exit_code == 1
    shutil.copy(SAMPLES / "round" / "0002-申报书.docx", folder / "另一家申报书.docx")
    before = (db.read_bytes(), db.stat().st_mtime_ns, sorted(out.rglob("*")))
    r = runner.invoke(main, ["--lang", "en", "--db", str(db), "batch", str(folder), "-o", str(out), "--dry-run"])
    lines = dict(line.split("\t") for line in r.output.splitlines() if "\t" in line)
    assert lines["申报书.docx"] == "registered as 2021-0001"
    assert lines["另一家申报书.docx"] == "would be registered as 2021-0002"
    assert (db.read_bytes(), db.stat().st_mtime_ns, sorted(out.rglob("*"))) == before


class _RawInfo(zipfile.ZipInfo):
    """A member whose name is stored as the given bytes, with or without the UTF-8 flag."""

    raw = b""
    utf8 = False

    def _encodeFilenameFlags(self) -> tuple[bytes, int]:
        return self.raw, (self.flag_bits | 0x800) if self.utf8 else (self.flag_bits & ~0x800)


def _raw_zip(path: Path, entries: list[tuple[bytes, bool, bytes]]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for i, (raw, utf8, data) in enumerate(entries):
            info = _RawInfo(f"m{i}")
            info.raw, info.utf8, info.compress_type = raw, utf8, zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    return path


def test_zip_names_in_every_encoding(tmp_path: Path, call: Any) -> None:
    import docx

    archive = _raw_zip(tmp_path / "names.zip", [
        ("甲公司/申报书.docx".encode(), False, FAILING.read_bytes()),  # Linux zip, macOS: UTF-8, no flag
        ("乙公司/申报书.docx".encode("gbk"), False, FORM.read_bytes()),  # Chinese Windows: GBK, no flag
        ("丙公司/说明.txt".encode(), True, b"note"),  # the flag
        ("丁公司/䶮.txt".encode("gb18030"), False, b"gb18030 only"),  # not in GBK
        (b"\xff\xfe-\x81.txt", False, b"undecodable"),
    ])
    with Registry(tmp_path / "r.sqlite") as reg:
        result = run_batch(archive, tmp_path / "out", call, reg, jobs=1)
    assert sorted(r.source.path for r in result.rows) == sorted(
        ["甲公司/申报书.docx", "乙公司/申报书.docx", "丙公司/说明.txt", "丁公司/䶮.txt", "\\xff\\xfe-\\x81.txt"])
    summary = (tmp_path / "out" / "summary.csv").read_text(encoding="utf-8-sig")
    for name in ("甲公司/申报书.docx", "乙公司/申报书.docx", "丁公司/䶮.txt", "\\xff\\xfe-\\x81.txt"):
        assert name in summary
    letter = next((tmp_path / "out" / "letters").iterdir())
    assert "申报书.docx" in "\n".join(p.text for p in docx.Document(str(letter)).paragraphs)
    assert "\u9422" not in summary and "ç" not in summary  # the mojibake of UTF-8 read as GBK or cp437


def test_same_name_twice_in_a_zip_is_two_applications(tmp_path: Path, call: Any) -> None:
    archive = _raw_zip(tmp_path / "mail.zip", [("申报书.docx".encode(), True, FORM.read_bytes()),
                                               ("申报书.docx".encode(), True, FAILING.read_bytes())])
    with Registry(tmp_path / "r.sqlite") as reg:
        result = run_batch(archive, tmp_path / "out", call, reg, jobs=1)
    rows = {r.source.path: r for r in result.rows}
    assert sorted(rows) == ["申报书.docx", "申报书.docx#2"]
    assert rows["申报书.docx"].reg_no == "2021-0001" and rows["申报书.docx#2"].reg_no == "2021-0002"
    assert rows["申报书.docx"].report.file.sha256 == sha(FORM)
    assert rows["申报书.docx#2"].report.file.sha256 == sha(FAILING)
    assert rows["申报书.docx"].report.status == "pass" and rows["申报书.docx#2"].report.status == "fail"
    assert not any(f.code == "batch.duplicate_file" for r in result.rows for f in r.report.findings)


def test_odd_names_and_files_never_stop_a_batch(tmp_path: Path, call: Any, monkeypatch: Any) -> None:
    from openpyxl import Workbook

    import pipeline.batch
    import pipeline.report.annotate

    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(FAILING, folder / "a\x01控制符.docx")
    shutil.copy(SAMPLES / "applications" / "applicant-too-long.docx", os.fsencode(folder) + b"/b-\xd6\xd0\xce\xc4.docx")
    shutil.copy(SAMPLES / "round" / "0003-申报书.docx", folder / "c-bad-\udcff.docx")
    shutil.copy(SAMPLES / "round" / "0004-申报书.docx", folder / "d-reader-crash.docx")
    Workbook().save(folder / "名单.xlsx")
    (folder / ".docx").write_bytes(FORM.read_bytes())  # a form under a dot-name: a row, not clutter
    real_check, real_annotate = pipeline.batch.check_application, pipeline.report.annotate.write_annotated

    def check(data: bytes, name: str, c: Any) -> Any:
        if name.startswith("d-"):
            raise RecursionError("a reader's bug")
        return real_check(data, name, c)

    def annotate(data: bytes, report: Any, out: Path, lang: str = "zh") -> Any:
        if report.file.path.startswith("a"):
            raise ValueError("this copy cannot be made")
        return real_annotate(data, report, out, lang)

    monkeypatch.setattr(pipeline.batch, "check_application", check)
    monkeypatch.setattr(pipeline.report.annotate, "write_annotated", annotate)
    with Registry(tmp_path / "r.sqlite") as reg:
        result = run_batch(folder, tmp_path / "out", call, reg, jobs=1)
    rows = {r.source.path: r for r in result.rows}
    assert sorted(rows) == [".docx", "a\\x01控制符.docx", "b-中文.docx", "c-bad-\\xff.docx", "d-reader-crash.docx",
                            "名单.xlsx"]
    assert [rows[p].reg_no for p in sorted(rows)] == ["2021-0001", "2021-0002", "2021-0003", "2021-0004", None, None]
    assert [f.code for f in rows["d-reader-crash.docx"].report.findings] == ["file.corrupt"]
    assert [f.code for f in rows["名单.xlsx"].report.findings] == ["form.unrecognized"]
    summary = {r[1]: r for r in csv.reader(io.StringIO((tmp_path / "out" / "summary.csv").read_text("utf-8-sig")))}
    assert "批注副本未能生成" in summary["a\\x01控制符.docx"][8]
    assert not (tmp_path / "out" / "annotated" / "2021-0002-a_x01控制符.docx").exists()
    assert (tmp_path / "out" / "letters" / "2021-0002-退回补正通知.docx").exists()
    with Registry(tmp_path / "r.sqlite") as reg:
        assert [a.path for a in reg.applications(call.id)][1] == "a\\x01控制符.docx"


def test_an_archive_is_opened_once_however_many_members(tmp_path: Path, call: Any, monkeypatch: Any) -> None:
    from pipeline.batch import collect, hash_sources

    archive = _zip(tmp_path / "many.zip", {f"note-{i:04d}.txt": f"entry {i}".encode() for i in range(600)})
    opened = []
    real = zipfile.ZipFile.__init__

    def counting(self: Any, file: Any, *a: Any, **kw: Any) -> None:
        opened.append(file)
        real(self, file, *a, **kw)

    monkeypatch.setattr(zipfile.ZipFile, "__init__", counting)
    sources = collect(archive, call)
    assert len(hash_sources(sources)) == 600
    assert len(opened) <= 3  # listing, then one open for all members: it was one per member (quadratic)


def test_a_killed_runs_temporaries_are_swept(tmp_path: Path, call: Any) -> None:
    inbox = tmp_path / "in"
    inbox.mkdir()
    shutil.copy(SAMPLES / "applications" / "valid.docx", inbox / "a.docx")
    out = tmp_path / "out"
    (out / "annotated").mkdir(parents=True)
    left = out / "annotated" / ".2021-0001-a.docx.ode3fsw9.tmp"  # what atomic_write leaves when killed
    left.write_bytes(b"half")
    mine = out / ".notes.tmp"  # not one of ours: kept
    mine.write_text("x")
    with Registry(tmp_path / "r.sqlite") as reg:
        run_batch(inbox, out, call, reg, jobs=1)
    assert not left.exists() and mine.exists()


def test_a_file_over_the_time_limit_is_one_row_of_file_too_complex(tmp_path: Path) -> None:
    from pipeline.calls import load_call

    folder = tmp_path / "call"
    shutil.copytree(ROOT / "schemas" / "saq-2021", folder)
    text = (folder / "call.yaml").read_text(encoding="utf-8").replace("max_seconds: 20", "max_seconds: 0.02")
    (folder / "call.yaml").write_text(text, encoding="utf-8")
    fast = load_call(folder)
    inbox = tmp_path / "in"
    inbox.mkdir()
    shutil.copy(SAMPLES / "pdf" / "applications" / "long.pdf", inbox / "long.pdf")
    with Registry(tmp_path / "r.sqlite") as reg:
        result = run_batch(inbox, tmp_path / "out", fast, reg, jobs=1)
    (row,) = result.rows
    assert [f.code for f in row.report.findings] == ["file.too_complex"]
    assert "0.02" in row.report.findings[0].message


def test_a_damaged_deflate_stream_in_a_zip_member_is_that_files_row(tmp_path: Path, call: Any) -> None:
    data = (SAMPLES / "applications" / "valid.docx").read_bytes()
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("a/申报书.docx", data)
        z.writestr("b/另一份.docx", (SAMPLES / "round" / "0002-申报书.docx").read_bytes())
    raw = bytearray(archive.read_bytes())
    with zipfile.ZipFile(archive) as z:
        info = z.getinfo("a/申报书.docx")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for k in range(start + 200, start + 260):  # garbage inside the compressed data (the CRC is not reached first)
        raw[k] ^= 0x5A
    archive.write_bytes(bytes(raw))
    with Registry(tmp_path / "r.sqlite") as reg:
        result = run_batch(archive, tmp_path / "out", call, reg, jobs=1)
    rows = {r.source.path: r for r in result.rows}
    assert rows["b/另一份.docx"].report.registration == "2021-0001"
    bad = rows["a/申报书.docx"]
    assert bad.report.registration is None and bad.report.findings[0].code.startswith("file.")
