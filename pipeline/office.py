"""The one LibreOffice converter: headless, own profile folder, a time limit, many files per start, parallel workers.

A base service, not part of rendering: reading a legacy .doc/.wps uses it as much as printing a rendered .docx."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from pipeline.errors import PipelineError
from pipeline.resources import fonts_conf


class ConverterMissing(PipelineError):
    """LibreOffice is not installed."""


class ConversionTimeout(PipelineError):
    """LibreOffice did not finish within its time limit."""


def soffice() -> str | None:
    """The LibreOffice binary, or None."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _require_soffice() -> str:
    binary = soffice()
    if binary is None:
        raise ConverterMissing("未安装 LibreOffice，无法生成 PDF（请安装 libreoffice-writer）",
                               "LibreOffice is not installed; cannot make PDF (install libreoffice-writer)")
    return binary


def converter_env(profile: str, conf: Path | None = None) -> dict[str, str]:
    """The environment of a LibreOffice start: its own HOME, no display, and our font mapping (or another
    fontconfig file, as the samples print in a second font setup)."""
    env = dict(os.environ, HOME=profile, SAL_USE_VCLPLUGIN="svp")
    conf = conf or fonts_conf()
    if conf.is_file():
        # Official names (宋体, 仿宋_GB2312, ...) resolve to the mapped free faces, not to a silent Hei fallback.
        env["FONTCONFIG_FILE"] = str(conf.resolve())
    return env


_running: set[subprocess.Popen[bytes]] = set()  # converter process groups alive, to stop them on Ctrl-C


def _kill(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


def stop_converters() -> None:
    """Kill every converter still running (they run in sessions of their own, so Ctrl-C does not reach them)."""
    for proc in list(_running):
        _kill(proc)


def run_tree(cmd: list[str], env: dict[str, str], timeout: float, count: int) -> None:
    """Run a converter (LibreOffice, Chromium) as a process group killed whole at the time limit."""
    # soffice is a wrapper that starts soffice.bin: a session of its own lets a timeout kill the whole tree.
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
                            start_new_session=True)
    _running.add(proc)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill(proc)
        proc.wait()
        raise ConversionTimeout(f"LibreOffice 转换超时（{timeout:.0f} 秒内未完成 {count} 个文件）",
                                f"LibreOffice conversion timed out ({count} file(s) not done in {timeout:.0f} s)"
                                ) from None
    except BaseException:  # Ctrl-C: the converter's own session would not see it
        _kill(proc)
        proc.wait()
        raise
    finally:
        _running.discard(proc)


def convert(files: Sequence[Path], outdir: Path, to: str = "pdf", timeout: float = 300.0,
            fonts: Path | None = None) -> list[Path]:
    """Convert files with one LibreOffice start; returns the outputs that were written (same stem, new suffix).

    fonts: another fontconfig file than the project's own mapping."""
    binary = _require_soffice()
    if not files:
        return []
    from pipeline.fileio import output_dir, write_bytes

    output_dir(outdir)
    with tempfile.TemporaryDirectory(prefix="award-lo-") as profile, \
            tempfile.TemporaryDirectory(prefix="award-lo-out-", dir=outdir) as staging:
        cmd = [binary, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore", "--nolockcheck",
               "--convert-to", to, "--outdir", staging, *[str(f) for f in files]]
        run_tree(cmd, converter_env(profile, fonts), timeout, len(files))
        written = []
        for f in files:
            produced = Path(staging) / (Path(f).stem + "." + to.split(":")[0])
            if produced.is_file() and produced.stat().st_size > 0:
                target = outdir / produced.name
                write_bytes(target, produced.read_bytes())  # the one output path: inputs, symlinks, devices
                written.append(target)
    return written


def default_jobs() -> int:
    """Worker count when none is given: one LibreOffice per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def split_evenly(files: Sequence[Path], jobs: int) -> list[list[Path]]:
    """Files dealt into at most `jobs` groups of nearly equal total size (largest first onto the lightest group)."""
    groups: list[list[Path]] = [[] for _ in range(max(1, min(jobs, len(files))))]
    loads = [0] * len(groups)
    sized = sorted(files, key=lambda f: -(Path(f).stat().st_size if Path(f).is_file() else 0))
    for f in sized:
        i = loads.index(min(loads))
        groups[i].append(f)
        loads[i] += Path(f).stat().st_size if Path(f).is_file() else 0
    return [g for g in groups if g]


def convert_parallel(files: Sequence[Path], outdir: Path, to: str = "pdf", jobs: int | None = None,
                     timeout: float = 300.0) -> list[Path]:
    """Convert files with up to `jobs` LibreOffice processes at once, each with its own profile folder and the
    same time limit; returns the outputs written, in the order of `files`."""
    _require_soffice()
    if not files:
        return []
    groups = split_evenly(files, jobs or default_jobs())
    if len(groups) == 1:
        return convert(groups[0], outdir, to=to, timeout=timeout)
    with ThreadPoolExecutor(max_workers=len(groups)) as pool:
        futures = [pool.submit(convert, g, outdir, to, timeout) for g in groups]
        try:
            produced = {p.stem: p for fut in futures for p in fut.result()}
        except BaseException:  # Ctrl-C (or a failure): the other groups' converters stop too
            for fut in futures:
                fut.cancel()
            stop_converters()
            raise
    return [produced[Path(f).stem] for f in files if Path(f).stem in produced]
