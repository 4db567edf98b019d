"""Print the sample applications to PDF as applicants' machines would: every sample by LibreOffice in two font
setups (samples/pdf/: Liberation, the metrics of Windows' Times New Roman and Arial; samples/pdf-dejavu/: Latin
faces forced to DejaVu, a Linux machine without fonts-liberation), and a handful through other producers
(samples/pdf-producers/: a qpdf re-save, PDF/A-2b from LibreOffice, headless Chromium from an HTML rendering).

LibreOffice and Chromium embed some font bytes at random, so each output folder keeps a sources.json: a PDF is
re-made only when its .docx or the folder's recipe (fontconfig file, filter, CSS, options) changed.

Run: python samples/print_pdfs.py   (make_samples.py calls it too; the outputs are committed)
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.fileio import write_text  # noqa: E402
from pipeline.office import convert, converter_env, run_tree, soffice  # noqa: E402
from pipeline.resources import fonts_conf  # noqa: E402

SAMPLES = ROOT / "samples"
SOURCES = (SAMPLES / "applications", SAMPLES / "robustness")
DEJAVU_CONF = SAMPLES / "fonts" / "dejavu-latin.conf"
PRODUCERS = SAMPLES / "pdf-producers"
# Output folder -> (fontconfig file, the face "Times New Roman" must resolve to for that folder to be printed).
FONT_SETUPS: dict[str, tuple[Path, str]] = {
    "pdf": (fonts_conf(), "Liberation Serif"),
    "pdf-dejavu": (DEJAVU_CONF, "DejaVu Serif"),
}
# The samples that the other producers print: valid, the two with many findings, one with an optional part left
# out, one not made from the form's tables, and one with a picture.
HANDFUL = ("applications/valid", "applications/several-problems-1", "applications/several-problems-2",
           "applications/no-recommender", "robustness/retyped", "robustness/signature-picture")
PRODUCER_NAMES = ("qpdf", "pdfa", "chromium")

QPDF_ARGS = ("--linearize", "--object-streams=generate", "--deterministic-id")
PDFA_FILTER = 'pdf:writer_pdf_Export:{"SelectPdfVersion":{"type":"long","value":"2"}}'
HTML_FILTER = "html:HTML (StarWriter):EmbedImages"
CHROMIUM_ARGS = ("--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer")
# Added to LibreOffice's HTML export before Chromium prints it. Inline cell styles from the form win over the
# border rule (the cover page's underline-only cells stay so); cells without one get ruling lines as in Word.
PRINT_CSS = """<style type="text/css">
@page { size: A4 portrait; margin: 20mm }
body { font-family: "Times New Roman", "Noto Serif CJK SC", serif }
table { border-collapse: collapse }
td, th { border: 1px solid #000000 }
</style>
"""
# Latin faces a Word document names, and their metric-compatible free faces, by the DejaVu face that replaces them.
LATIN_TO_DEJAVU = {
    "DejaVu Serif": ("Times New Roman", "Times", "Liberation Serif", "Tinos", "Cambria", "Caladea", "Georgia",
                     "Nimbus Roman"),
    "DejaVu Sans": ("Arial", "Helvetica", "Liberation Sans", "Arimo", "Calibri", "Carlito", "Verdana",
                    "Nimbus Sans"),
    "DejaVu Sans Mono": ("Courier New", "Courier", "Liberation Mono", "Cousine", "Consolas", "Nimbus Mono PS"),
}
# The metric-compatible faces hidden from the DejaVu setup: LibreOffice's own replacement table sends Times New
# Roman to Liberation Serif whenever that face is installed, before fontconfig's substitutions are asked.
HIDDEN_FACES = ("Liberation Serif", "Liberation Sans", "Liberation Sans Narrow", "Liberation Mono", "Tinos", "Arimo",
                "Cousine", "Carlito", "Caladea")

Make = Callable[[list[Path], Path], list[Path]]


def no_pdf(docx: Path) -> str | None:
    """Why a sample has no PDF (its .expected.json says `no_pdf`): what it tests cannot be printed here."""
    expected = docx.with_suffix(".expected.json")
    if not expected.is_file():
        return None
    return json.loads(expected.read_text(encoding="utf-8")).get("no_pdf")


def sample_docs() -> list[Path]:
    """Every sample .docx that can be printed, applications first."""
    return [d for folder in SOURCES for d in sorted(folder.glob("*.docx")) if not no_pdf(d)]


def handful_docs() -> list[Path]:
    """The samples the other producers print."""
    return [SAMPLES / f"{name}.docx" for name in HANDFUL]


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _key(docx: Path) -> str:
    return f"{docx.parent.name}/{docx.stem}.pdf"


# --- fonts ------------------------------------------------------------------------------------------

def write_dejavu_conf() -> Path:
    """samples/fonts/dejavu-latin.conf: the project's fonts.conf plus Latin faces forced to DejaVu.

    A copy, not an <include>: fontconfig 2.14 resolves a relative include against /etc/fonts, not against
    the including file, and an absolute path would tie the committed file to one checkout."""
    base = fonts_conf().read_text(encoding="utf-8")
    body = base[base.index("<fontconfig>") + len("<fontconfig>"): base.rindex("</fontconfig>")].strip("\n").rstrip()
    lines = ['<?xml version="1.0"?>', '<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">', "<!--",
             "  award-pipeline samples: the fonts of a Linux machine without fonts-liberation. Latin faces that Word",
             "  documents name resolve to DejaVu, whose wider metrics move line and page breaks, and their",
             "  metric-compatible free faces are hidden (LibreOffice would pick them by its own table);",
             "  samples/pdf-dejavu/ is printed with this file. Check it with",
             '      FONTCONFIG_FILE=$PWD/samples/fonts/dejavu-latin.conf fc-match "Times New Roman"',
             "  (FONTCONFIG_FILE must be absolute). The Chinese official names keep the mapping of",
             "  templates/fonts/fonts.conf, copied below; prepend_first with binding=\"strong\" puts DejaVu ahead of",
             "  the system's metric aliases. Written by samples/print_pdfs.py; edit that script, not this file.",
             "-->", "<fontconfig>", body, "",
             "  <!-- Not installed, as far as this setup is concerned. -->", "  <selectfont>", "    <rejectfont>"]
    lines += [f'      <pattern><patelt name="family"><string>{name}</string></patelt></pattern>' for name in HIDDEN_FACES]
    lines += ["    </rejectfont>", "  </selectfont>", ""]
    for face, names in LATIN_TO_DEJAVU.items():
        lines.append(f"  <!-- Latin faces printed in {face}. -->")
        for name in names:
            lines += ['  <match target="pattern">',
                      f'    <test name="family" qual="first"><string>{name}</string></test>',
                      f'    <edit name="family" mode="prepend_first" binding="strong"><string>{face}</string></edit>',
                      "  </match>"]
    lines.append("</fontconfig>")
    write_text(DEJAVU_CONF, "\n".join(lines) + "\n")
    return DEJAVU_CONF


def resolved_family(family: str, conf: Path) -> str | None:
    """The family fc-match picks for `family` under this fontconfig file, or None without fontconfig."""
    if shutil.which("fc-match") is None:
        return None
    env = dict(os.environ, FONTCONFIG_FILE=str(conf.resolve()))
    out = subprocess.run(["fc-match", "-f", "%{family[0]}", family], env=env, capture_output=True, text=True,
                         check=False)
    return out.stdout.strip() or None


# --- running the producers --------------------------------------------------------------------------

def libreoffice(files: Sequence[Path], outdir: Path, to: str = "pdf", conf: Path | None = None,
                timeout: float = 900.0) -> list[Path]:
    """pipeline.office.convert, with another fontconfig file for the DejaVu setup."""
    return convert(list(files), outdir, to=to, timeout=timeout, fonts=conf)


def chromium() -> str | None:
    """The Chromium binary, or None."""
    return next((found for name in ("chromium", "chromium-browser", "google-chrome")
                 if (found := shutil.which(name))), None)


def print_html(html: str) -> str:
    """LibreOffice's HTML export made printable: the print CSS added, stray control characters removed."""
    # LibreOffice writes a U+0001 after a content-control checkbox; Chromium would draw it as a missing glyph.
    html = re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f]", "", html)
    return html.replace("</head>", PRINT_CSS + "</head>", 1)


def chromium_pdfs(files: list[Path], outdir: Path) -> list[Path]:
    """Each .docx exported to HTML by LibreOffice, then printed by headless Chromium."""
    binary = chromium()
    if binary is None:
        print("Chromium is not installed: the Chromium PDF samples were not made")
        return []
    outdir.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory(prefix="award-chromium-") as tmp:
        for page in libreoffice(files, Path(tmp) / "html", to=HTML_FILTER):
            printable = Path(tmp) / f"{page.stem}.print.html"
            printable.write_text(print_html(page.read_text(encoding="utf-8")), encoding="utf-8")
            target = outdir / f"{page.stem}.pdf"
            profile = Path(tmp) / "profile"
            # Chromium reads FONTCONFIG_FILE too: 宋体 and 黑体 become Noto CJK faces as in LibreOffice.
            run_tree([binary, *CHROMIUM_ARGS, f"--user-data-dir={profile}", f"--print-to-pdf={target}",
                      printable.as_uri()], converter_env(str(profile)), 120, 1)
            if target.is_file() and target.stat().st_size > 0:
                written.append(target)
    return written


def qpdf_pdfs(files: list[Path], outdir: Path) -> list[Path]:
    """The Liberation PDF of each .docx re-saved by qpdf: linearised, objects packed into object streams."""
    binary = shutil.which("qpdf")
    if binary is None:
        print("qpdf is not installed: the qpdf PDF samples were not made")
        return []
    outdir.mkdir(parents=True, exist_ok=True)
    written = []
    for f in files:
        source = SAMPLES / "pdf" / f.parent.name / f"{f.stem}.pdf"
        if source.is_file():
            # Exit 3 means warnings only; the output is written.
            done = subprocess.run([binary, *QPDF_ARGS, str(source), str(outdir / source.name)], check=False)
            if done.returncode in (0, 3):
                written.append(outdir / source.name)
    return written


# --- stable bytes -----------------------------------------------------------------------------------

def _blank_date(m: re.Match[bytes]) -> bytes:
    head, value = m.group(1), m.group(2)
    return head + b"D:20210601000000" + b" " * (len(value) - 16) + b")"


def _zero_hex(m: re.Match[bytes]) -> bytes:
    return m.group(1) + re.sub(rb"[0-9A-Fa-f]", b"0", m.group(2))


def strip_dates(path: Path) -> None:
    """Fixed dates, IDs and checksums so a re-run gives the same bytes (same lengths: offsets stay valid)."""
    data = path.read_bytes()
    data = re.sub(rb"(/(?:CreationDate|ModDate)\s*\()(D:[0-9+\-Z']+)\)", _blank_date, data)
    data = re.sub(rb"(/ID\s*\[\s*<)([0-9A-Fa-f]+)", _zero_hex, data)
    data = re.sub(rb"(/ID\s*\[\s*<0+>\s*<)([0-9A-Fa-f]+)", _zero_hex, data)
    data = re.sub(rb"(/DocChecksum\s*/)([0-9A-Fa-f]+)", _zero_hex, data)
    # XMP (PDF/A): dates keep their time-zone suffix, document and instance IDs their length.
    data = re.sub(rb"(<xmp:\w+Date>)\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", rb"\g<1>2021-06-01T00:00:00", data)
    data = re.sub(rb"(<xmpMM:\w+ID>uuid:)([0-9a-fA-F-]+)", _zero_hex, data)
    path.write_bytes(data)


# --- the manifest of each folder --------------------------------------------------------------------

def refresh(folder: Path, docs: list[Path], recipe: bytes, make: Make, follows: Path | None = None) -> int:
    """Re-make the PDFs in `folder` whose .docx or recipe changed (folder/sources.json), or whose PDF in the
    `follows` folder changed (the source of a re-save); returns how many."""
    manifest_path = folder / "sources.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.is_file() else {}

    def fingerprint(d: Path) -> bytes:
        return recipe + ((follows / _key(d)).read_bytes() if follows else b"")

    wanted = {_key(d): {"docx": _sha256(d.read_bytes()), "recipe": _sha256(fingerprint(d))} for d in docs}
    for stale in [k for k in manifest if k not in wanted]:
        (folder / stale).unlink(missing_ok=True)
        del manifest[stale]
    made = 0
    for source in SOURCES:
        todo = [d for d in docs if d.parent == source
                and (manifest.get(_key(d)) != wanted[_key(d)] or not (folder / _key(d)).is_file())]
        for pdf in make(todo, folder / source.name) if todo else []:
            strip_dates(pdf)
            manifest[f"{source.name}/{pdf.name}"] = wanted[f"{source.name}/{pdf.name}"]
            made += 1
    write_text(manifest_path, json.dumps(dict(sorted(manifest.items())), indent=1) + "\n")
    return made


def print_all() -> bool:
    """Print every folder that is out of date; False when LibreOffice is not installed."""
    if soffice() is None:
        print("LibreOffice is not installed: the PDF samples were not made")
        return False
    write_dejavu_conf()
    docs, few = sample_docs(), handful_docs()
    for name, (conf, face) in FONT_SETUPS.items():
        got = resolved_family("Times New Roman", conf)
        if got != face:
            # Printing anyway would commit PDFs laid out with the wrong metrics under this folder's name.
            print(f"{name}: Times New Roman resolves to {got}, not {face} (is fonts-liberation installed?): not made")
            continue
        made = refresh(SAMPLES / name, docs, conf.read_bytes(), partial(libreoffice, conf=conf))
        print(f"{name}: {made} re-made, {len(docs)} samples")
    lo_recipe = fonts_conf().read_bytes()
    producers: dict[str, tuple[bytes, Make]] = {
        "qpdf": (" ".join(QPDF_ARGS).encode(), qpdf_pdfs),
        "pdfa": (PDFA_FILTER.encode() + lo_recipe, partial(libreoffice, to=PDFA_FILTER)),
        "chromium": (" ".join((HTML_FILTER, *CHROMIUM_ARGS, PRINT_CSS)).encode() + lo_recipe, chromium_pdfs),
    }
    for name, (recipe, make) in producers.items():
        # The qpdf copy follows its Liberation source: re-made whenever that PDF is.
        follows = SAMPLES / "pdf" if name == "qpdf" else None
        if follows and not all((follows / _key(d)).is_file() for d in few):
            print("pdf-producers/qpdf: the Liberation PDFs are missing: not made")
            continue
        made = refresh(PRODUCERS / name, few, recipe, make, follows)
        print(f"pdf-producers/{name}: {made} re-made, {len(few)} samples")
    return True


if __name__ == "__main__":
    print_all()
