"""Next year's call is a copy of the call folder, edited (issue 11 point 6): every command runs with `--call PATH` on
a copied folder anywhere on disk, and what it writes carries the new call's values and none of the old call's."""

from __future__ import annotations

import copy
import json
import random
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, SAMPLES

from pipeline.calls import load_call
from pipeline.fileio import docx_bytes

# what only the 2021 call says: its award, year of award, document numbers, registration and certificate numbers,
# its window and reference dates (a 2022 project may well have dates or IP of 2021: those are not the call's)
OLD_CALL = ("2021年上海市质量协会", "2021年度", "〔2021〕", "QT2021", "2021-0", "2021年7月31日", "2021年5月26日",
            "二〇二一", "saq-2021", "2021年8月6日", "2021年9月28日")
NEW_INDUSTRY = "低空经济"


def next_year_folder(target: Path) -> Path:
    """schemas/saq-2021 copied and edited as staff would for 2022: ids, dates and window, the benefits years, an
    added industry, registration numbers of 3 digits and another certificate numbering."""
    shutil.copytree(ROOT / "schemas" / "saq-2021", target)
    path = target / "call.yaml"
    text = path.read_text(encoding="utf-8").replace("2021", "2022")
    edits = {
        "years: [2018, 2019, 2020]": "years: [2019, 2020, 2021]",
        "min: 2018-01-01": "min: 2019-01-01",
        "registration_digits: 4": "registration_digits: 3",
        "现代服务业, 其他]": f"现代服务业, {NEW_INDUSTRY}, 其他]",
        '"QT2022-{level}-{serial:03d}-{kind}{rank:02d}"': '"ZJ2022-{level}{serial:02d}-{kind}{rank:02d}"',
    }
    for old, new in edits.items():
        assert old in text, old
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    call = load_call(target)
    from pipeline.calls import schema_text

    (target / "application.schema.json").write_text(schema_text(call), encoding="utf-8")
    return target


def applications_2022(call: Any, out: Path, n: int = 6) -> list[Path]:
    """n valid 2022 applications of different applicants, projects and persons, filled in the 2022 form."""
    sys.path.insert(0, str(SAMPLES))
    import make_samples as ms

    rng = random.Random(2022)
    base = ms.valid_values()
    base["declaration.date"] = "2022年6月28日"
    for row, year in zip(base["benefits.years"], ("2019", "2020", "2021"), strict=True):
        row["year"] = year
    paths = []
    for k in range(n):
        v = copy.deepcopy(base)
        v["project.name"] = f"{v['project.name'][:10]}第{k + 1}期改进"
        v["project.industry"] = NEW_INDUSTRY if k == 0 else v["project.industry"]
        for i, unit in enumerate(v["units"]):
            old = unit["name"]
            unit["name"] = old.replace("有限公司", f"{'甲乙丙丁戊己'[k]}有限公司").replace("研究院", f"{'甲乙丙丁戊己'[k]}研究院")
            unit["credit_code"] = ms.credit_code(rng)
            for p in v["persons"]:
                if p["unit"] == old:
                    p["unit"] = unit["name"]
            if i == 0:
                v["applicant.name"], v["applicant.credit_code"] = unit["name"], unit["credit_code"]
        for p in v["persons"]:
            p["name"] = p["name"][:2] + "子丑寅卯辰巳"[k]
        path = out / f"{k + 1:02d}-申报书.docx"
        path.write_bytes(docx_bytes(ms.fill_form(call, v)))
        paths.append(path)
    return paths


def award(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the command line as a user would, from another folder."""
    return subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=cwd, capture_output=True, text=True,
                          check=False, env={**__import__("os").environ, "PYTHONPATH": str(ROOT)})


def docx_text(path: Path) -> str:
    """Every word of a .docx: body, headers, footers."""
    with zipfile.ZipFile(path) as z:
        parts = [z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("word/") and n.endswith(".xml")]
    return re.sub(r"<[^>]+>", "", "".join(parts)).replace("\u2060", "")  # no word joiners (no-break runs)


def old_values(text: str) -> list[str]:
    return [s for s in OLD_CALL if s in text]


@pytest.mark.timeout(600)
def test_a_copied_call_folder_runs_every_command(tmp_path: Path) -> None:
    folder = next_year_folder(tmp_path / "elsewhere" / "saq-2022")
    call = load_call(folder)
    work = tmp_path / "work"
    inbox = work / "收件"
    inbox.mkdir(parents=True)
    g = ("--call", str(folder), "--db", str(work / "2022.sqlite"))

    done = award(work, *g, "form", "-o", "2022-申报书.docx")
    assert done.returncode == 0, done.stderr
    form = docx_text(work / "2022-申报书.docx")
    assert "2022年上海市质量协会质量技术奖申报书" in form and NEW_INDUSTRY in form
    assert "2021" in form and "2018" not in form  # the benefits table runs 2019 to 2021
    assert old_values(form) == []

    apps = applications_2022(call, inbox)
    done = award(work, *g, "check", "--format", "json", str(apps[0]))
    report = json.loads(done.stdout)
    assert done.returncode == 0, report["findings"]
    assert report["call"] == "saq-2022" and report["fields"]["project.industry"] == NEW_INDUSTRY

    done = award(work, *g, "batch", str(inbox), "-o", "检查结果", "--jobs", "1")
    assert done.returncode == 0, done.stdout + done.stderr
    regs = sorted(p.stem for p in (work / "检查结果" / "reports").glob("*.json"))
    assert regs == [f"2022-{i:03d}" for i in range(1, len(apps) + 1)]

    assert award(work, *g, "review", "assign", "--judges", str(SAMPLES / "judges.csv"), "--seed", "7").returncode == 0
    done = award(work, *g, "review", "forms", "-o", "评审", "--no-pdf")
    assert done.returncode == 0, done.stderr
    scoring = sorted((work / "评审").rglob("*.docx"))
    assert scoring and all(old_values(docx_text(p)) == [] for p in scoring)
    assert "2022年上海市质量协会质量技术奖" in docx_text(scoring[0])

    sys.path.insert(0, str(SAMPLES))
    import fill_scores

    filled = fill_scores.fill_workbooks(work / "评审", work / "回收", seed=7)
    done = award(work, *g, "review", "import", *map(str, filled))
    assert done.returncode in (0, 1), done.stderr  # the sample scores include rows wrong on purpose
    done = award(work, *g, "review", "results", "-o", "评审结果.xlsx")
    assert done.returncode == 0, done.stderr

    done = award(work, *g, "letters", "-o", "通知书")
    assert done.returncode == 0, done.stderr
    letters = sorted((work / "通知书").glob("*.docx"))
    assert len(letters) == len(apps)
    text = docx_text(letters[0])
    assert "〔2022〕" in text and old_values(text) == []

    done = award(work, *g, "decision", "-o", "表彰决定.docx")
    assert done.returncode == 0, done.stderr
    text = docx_text(work / "表彰决定.docx")
    assert "沪质协〔2022〕36号" in text and "2022" in text and old_values(text) == []

    done = award(work, *g, "certificates", "-o", "证书", "--no-pdf", "--sample-seal")
    assert done.returncode == 0, done.stderr
    certs = sorted((work / "证书").rglob("*.docx"))
    assert certs
    texts = [docx_text(p) for p in certs]
    assert all("2022年度上海市质量协会质量技术奖" in t and old_values(t) == [] for t in texts)
    assert any(re.search(r"ZJ2022-[123]\d\d-[UP]\d\d", t) for t in texts)


def test_a_call_folder_may_carry_its_own_template(tmp_path: Path, call: Any) -> None:
    from pipeline.render.certificates import template_path as certificate_template
    from pipeline.render.documents import template_path
    from pipeline.render.review_docs import scoring_form_template
    from pipeline.resources import templates_dir

    folder = next_year_folder(tmp_path / "saq-2022")
    own = load_call(folder)
    default = templates_dir() / "default"
    assert template_path("letter.docx", own) == default / "letter.docx"
    assert scoring_form_template(own) == default / "scoring-form.docx"
    (folder / "templates").mkdir()
    shutil.copy(default / "letter.docx", folder / "templates" / "letter.docx")
    shutil.copy(default / "certificate.docx", folder / "templates" / "certificate.docx")
    assert template_path("letter.docx", own) == folder / "templates" / "letter.docx"
    assert certificate_template(own) == folder / "templates" / "certificate.docx"
    assert template_path("decision.docx", own) == default / "decision.docx"
    assert template_path("letter.docx", call) == default / "letter.docx"
