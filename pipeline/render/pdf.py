"""The one LibreOffice converter: headless, own profile folder, a time limit, many files per start."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from pipeline.errors import PipelineError


class ConverterMissing(PipelineError):
    """LibreOffice is not installed."""


def soffice() -> str | None:
    """The LibreOffice binary, or None."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    return None


def convert(files: Sequence[Path], outdir: Path, to: str = "pdf", timeout: float = 300.0) -> list[Path]:
    """Convert files with one LibreOffice start; returns the outputs that were written (same stem, new suffix)."""
    binary = soffice()
    if binary is None:
        raise ConverterMissing("未安装 LibreOffice，无法生成 PDF（请安装 libreoffice-writer）",
                               "LibreOffice is not installed; cannot make PDF (install libreoffice-writer)")
    if not files:
        return []
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="award-lo-") as profile, \
            tempfile.TemporaryDirectory(prefix="award-lo-out-", dir=outdir) as staging:
        cmd = [binary, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore", "--nolockcheck",
               "--convert-to", to, "--outdir", staging, *[str(f) for f in files]]
        env = dict(os.environ, HOME=profile, SAL_USE_VCLPLUGIN="svp")
        try:
            subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=timeout, env=env,
                           check=False)
        except subprocess.TimeoutExpired:
            raise PipelineError(f"LibreOffice 转换超时（{timeout:.0f} 秒）",
                                f"LibreOffice conversion timed out ({timeout:.0f} s)") from None
        written = []
        for f in files:
            produced = Path(staging) / (Path(f).stem + "." + to.split(":")[0])
            if produced.is_file() and produced.stat().st_size > 0:
                target = outdir / produced.name
                os.replace(produced, target)
                written.append(target)
    return written
