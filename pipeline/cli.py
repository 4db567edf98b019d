"""The `award` command line: parse options, call one library function, format, exit code."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from pipeline.errors import PipelineError

if TYPE_CHECKING:
    from pipeline.calls import Call
    from pipeline.model import Report

F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_FAILED = 0, 1, 2, 3


class Env:
    """Options every command shares."""

    def __init__(self, call: str, lang: str, db: str) -> None:
        self.call_id = call
        self.lang = lang
        self.db = Path(db)
        self._call: Call | None = None

    @property
    def call(self) -> Call:
        """The loaded call (loaded on first use)."""
        if self._call is None:
            from pipeline.calls import load_call

            self._call = load_call(self.call_id)
        return self._call

    def say(self, zh: str, en: str) -> str:
        """The message in the chosen language."""
        return en if self.lang == "en" else zh

    def registry(self, create: bool = False) -> Any:
        """The registry of --db for this call; only `award batch` may create it."""
        from pipeline.registry import Registry

        return Registry(self.db, call_id=self.call.id, create=create)


def to_stdout(path: Path | None) -> bool:
    """Whether an output option is `-`: the document goes to standard output, so messages go to stderr."""
    return path is not None and str(path) == "-"


def confirm(env: Env, output: Path | None, zh: str, en: str) -> None:
    """A confirmation line: on stdout, or on stderr when stdout carries the document itself."""
    click.echo(env.say(zh, en), err=to_stdout(output))


def fail(env: Env, err: PipelineError) -> None:
    """A one-line message on stderr and exit 3: the work could not be done."""
    click.echo(("错误：" if env.lang == "zh" else "error: ") + err.message(env.lang), err=True)
    sys.exit(EXIT_FAILED)


def _inputs(ctx: click.Context, env: Env | None) -> list[Path]:
    """The files a command reads: its existing-path arguments and options, and the registry."""
    found: list[Path] = [env.db] if env is not None else []
    for param in ctx.command.params:
        if isinstance(param.type, click.Path) and param.type.exists and param.name:
            value = ctx.params.get(param.name)
            found.extend(Path(v) for v in (value if isinstance(value, tuple) else (value,)) if v is not None)
    return found


def guarded(fn: F) -> F:
    """Turn library failures into a one-line message and exit 3, never a traceback; no output may be one of
    the command's inputs."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from pipeline.fileio import inputs_protected

        ctx = click.get_current_context()
        env = ctx.find_object(Env)
        try:
            with inputs_protected(_inputs(ctx, env)):
                return fn(*args, **kwargs)
        except PipelineError as e:
            assert env is not None
            fail(env, e)
        except KeyboardInterrupt:
            click.echo("已中断 / interrupted", err=True)
            sys.exit(130)

    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--call", "call", default="saq-2021", show_default=True,
              help="申报通知：schemas/ 下的文件夹名或任意通知文件夹路径 / call id or folder")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
              help="输出语言 / output language")
@click.option("--db", default="award.sqlite", show_default=True, help="登记库 / the registry (SQLite)")
@click.version_option(package_name="award-pipeline", prog_name="award")
@click.pass_context
def main(ctx: click.Context, call: str, lang: str, db: str) -> None:
    """上海市质量协会质量技术奖申报与评审工具 / The award pipeline."""
    ctx.obj = Env(call, lang, db)


@main.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path), default=None,
              help="输出文件（默认：<通知>-申报书.docx；- 为标准输出）/ output file (- for stdout)")
@click.pass_obj
@guarded
def form(env: Env, output: Path | None) -> None:
    """写出本次通知的空白申报书（.docx）/ Write the blank application form."""
    from pipeline.render.form import write_form

    out = output or Path(f"{env.call.id}-申报书.docx")
    write_form(env.call, out)
    confirm(env, out, f"已写出空白申报书：{out}", f"Blank form written: {out}")


@main.command()
@click.option("--check", "check_only", is_flag=True,
              help="已提交的 Schema 过期时失败 / fail when the committed schema is stale")
@click.pass_obj
@guarded
def schema(env: Env, check_only: bool) -> None:
    """输出由 call.yaml 生成的 JSON Schema / Print the JSON Schema derived from call.yaml."""
    from pipeline.calls import schema_path, schema_text

    text = schema_text(env.call)
    if not check_only:
        click.echo(text, nl=False)
        return
    path = schema_path(env.call)
    current = path.read_text(encoding="utf-8") if path.is_file() else ""
    if current != text:
        click.echo(env.say(f"{path} 已过期，请运行：award --call {env.call_id} schema > {path}",
                           f"{path} is stale; run: award --call {env.call_id} schema > {path}"), err=True)
        sys.exit(EXIT_FINDINGS)
    click.echo(env.say(f"{path} 与 call.yaml 一致", f"{path} is up to date"))


def exit_code(reports: list[Report], strict: bool) -> int:
    """1 when any report has an error (or, with --strict, a warning), else 0."""
    bad = any(r.count("error") or (strict and r.count("warning")) for r in reports)
    return EXIT_FINDINGS if bad else EXIT_OK


def _emit(text: str, output: Path | None) -> None:
    if output is None or to_stdout(output):
        click.echo(text, nl=False)
    else:
        from pipeline.fileio import write_text

        write_text(output, text)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "html"]), default="text", show_default=True,
              help="报告格式 / report format")
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path), default=None,
              help="报告写入文件（- 为标准输出）/ write the report to a file (- for stdout)")
@click.option("--annotate", type=click.Path(allow_dash=True, path_type=Path), default=None,
              help="写出带批注的 .docx 副本（多个文件时为文件夹）/ annotated copy (a folder for several files)")
@click.option("--strict", is_flag=True, help="警告也视为不通过 / warnings fail too")
@click.pass_obj
@guarded
def check(env: Env, files: tuple[Path, ...], fmt: str, output: Path | None, annotate: Path | None,
          strict: bool) -> None:
    """申报书自检 / Self-check of one or more applications."""
    from pipeline.check.limits import check_limited

    if annotate is not None and to_stdout(annotate) and (len(files) > 1 or to_stdout(output) or output is None):
        raise click.UsageError(env.say("--annotate - 只用于一个文件，且报告须用 -o 写入文件",
                                       "--annotate - takes one file, and the report must go to a file with -o"))
    reports = []
    for path in files:
        try:
            data = path.read_bytes()
        except OSError as e:
            from pipeline.fileio import read_reason

            zh, en = read_reason(e)
            raise PipelineError(f"无法读取 {path}：{zh}", f"Cannot read {path}: {en}") from None
        report = check_limited(data, str(path), env.call)  # within file.max_seconds and file.max_memory_mb
        reports.append(report)
        if annotate is not None:
            _annotate(env, data, report, path, annotate, several=len(files) > 1)
    if fmt == "json":
        payload: Any = [r.to_dict() for r in reports] if len(reports) > 1 else reports[0].to_dict()
        _emit(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", output)
    elif fmt == "html":
        from pipeline.report.html import render_html

        _emit(render_html(reports, env.call, env.lang), output)
    else:
        from pipeline.report.text import render_text

        _emit("\n".join(render_text(r, env.call, env.lang) for r in reports), output)
    sys.exit(exit_code(reports, strict))


def _annotate(env: Env, data: bytes, report: Report, path: Path, target: Path, several: bool) -> None:
    from pipeline.report.annotate import NotAnnotated, annotatable, write_annotated

    if not annotatable(report):
        click.echo(env.say(f"{path}：不是可批注的 .docx，未写出批注副本",
                           f"{path}: not a .docx that can be annotated; no annotated copy"), err=True)
        return
    out = target / f"{path.stem}-批注.docx" if several or target.is_dir() else target
    try:
        write_annotated(data, report, out, env.lang)  # refuses an input as its target (pipeline.fileio)
    except NotAnnotated as e:
        click.echo(env.say(f"{path}：{e.reason_zh}，未写出批注副本（报告照常输出）",
                           f"{path}: {e.reason_en}; no annotated copy (the report follows)"), err=True)
        return
    click.echo(env.say(f"已写出批注副本：{out}", f"Annotated copy written: {out}"), err=True)


class _Bar:
    """The batch's progress on the terminal (rich): count, rate and time left."""

    def __init__(self, env: Env) -> None:
        from rich.console import Console

        self.env = env
        self.console = Console(stderr=True)
        self.progress: Any = None
        self.task: Any = None

    def start(self, total: int, cached: int) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TaskProgressColumn,
            TextColumn,
            TimeRemainingColumn,
        )

        class Rate(TextColumn):
            def render(self, task: Any) -> Any:
                from rich.text import Text

                speed = task.finished_speed or task.speed
                return Text(f"{speed:.1f}/s" if speed else "-/s")

        if cached:
            self.console.print(self.env.say(f"{cached} 份未变化，使用缓存结果", f"{cached} unchanged, cached"))
        self.progress = Progress(TextColumn(self.env.say("检查", "checking")), BarColumn(), MofNCompleteColumn(),
                                 TaskProgressColumn(), Rate(""), TimeRemainingColumn(), console=self.console,
                                 transient=False, disable=not self.console.is_terminal)
        self.progress.start()
        self.task = self.progress.add_task("check", total=total)

    def advance(self, n: int = 1) -> None:
        if self.progress is not None:
            self.progress.advance(self.task, n)

    def stop(self) -> None:
        if self.progress is not None:
            self.progress.stop()


@main.command()
@click.argument("input_path", metavar="INPUT", type=click.Path(exists=True, path_type=Path))
@click.option("-o", "--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="输出文件夹 / output folder")
@click.option("--members", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="会员名录 CSV（会员编号,单位名称,统一社会信用代码）/ member list CSV")
@click.option("--jobs", type=click.IntRange(min=1), default=None, help="并行进程数（默认：全部核心）/ worker processes")
@click.option("--no-cache", is_flag=True, help="忽略缓存，全部重新检查 / check every file again")
@click.option("--no-letters", is_flag=True, help="不写退回补正通知 / no return letters")
@click.option("--strict", is_flag=True, help="警告也视为不通过 / warnings fail too")
@click.option("--dry-run", is_flag=True, help="只显示将登记和检查的文件，不做任何改动 / show what would be registered "
              "and checked, change nothing")
@click.pass_obj
@guarded
def batch(env: Env, input_path: Path, out_dir: Path, members: Path | None, jobs: int | None, no_cache: bool,
          no_letters: bool, strict: bool, dry_run: bool) -> None:
    """批量登记并检查一个文件夹或 .zip 中的全部申报书 / Register and check a folder or .zip of applications."""
    from pipeline.batch import check_input, run_batch

    check_input(input_path, out_dir)  # before the registry is opened: a refused run creates nothing
    if dry_run:
        from pipeline.report.summary import dry_run_text

        click.echo(dry_run_text(input_path, out_dir, env.call, Path(env.db), env.lang, jobs, not no_cache))
        return
    bar = _Bar(env)
    with env.registry(create=True) as registry:
        try:
            result = run_batch(input_path, out_dir, env.call, registry, members=members, jobs=jobs,
                               use_cache=not no_cache, progress=bar, lang=env.lang, letters=not no_letters)
        finally:
            bar.stop()
    rows = result.rows
    passed = sum(1 for r in rows if r.report.status == "pass")
    click.echo(env.say(
        f"共 {len(rows)} 个文件：通过 {passed}，需处理 {len(rows) - passed}；新登记 {result.new}，"
        f"检查 {result.checked}，缓存 {result.cached}。汇总：{out_dir / 'summary.xlsx'}",
        f"{len(rows)} files: {passed} pass, {len(rows) - passed} to handle; {result.new} newly registered, "
        f"{result.checked} checked, {result.cached} cached. Summary: {out_dir / 'summary.xlsx'}"))
    sys.exit(exit_code([r.report for r in rows], strict))


@main.command()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("out/demo"),
              show_default=True, help="输出文件夹 / output folder")
@click.pass_obj
@guarded
def demo(env: Env, out: Path) -> None:
    """在示例申报书上运行整个流程 / Run the whole pipeline on the bundled samples."""
    from pipeline.demo import run_demo

    for line in run_demo(env.call, out, env.lang):
        click.echo(line)


# --- official documents: notices and the GB/T 9704 checker ---------------------------------------------

@main.command()
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path), required=True,
              help="输出的 .docx 文件（- 为标准输出）/ output .docx (- for stdout)")
@click.option("--pdf", "pdf", is_flag=True,
              help="同时生成 PDF（需要 LibreOffice）/ also write a PDF (needs LibreOffice)")
@click.pass_obj
@guarded
def notice(env: Env, source: Path, output: Path, pdf: bool) -> None:
    """由通知源文件生成 GB/T 9704 公文（.docx）/ Render a notice source as a GB/T 9704 document."""
    from pipeline.render.documents import render_notice_file

    if pdf and to_stdout(output):
        raise click.UsageError(env.say("--pdf 需要 -o 给出文件名", "--pdf needs a file name with -o"))
    for path in render_notice_file(source, output, pdf=pdf, call=env.call):
        confirm(env, output, f"已写出：{path}", f"Written: {path}")


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="报告格式 / report format")
@click.pass_obj
@guarded
def gongwen(env: Env, file: Path, fmt: str) -> None:
    """按 GB/T 9704-2012 检查公文（.docx 或文本）/ Check a notice against GB/T 9704-2012."""
    from pipeline.check.gongwen import check_notice

    report = check_notice(file, env.call)
    if fmt == "json":
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        from pipeline.report.text import render_text

        click.echo(render_text(report, env.call, env.lang), nl=False)
    sys.exit(exit_code([report], strict=False))


# --- expert review (§4) ---------------------------------------------------------------------------------------

@main.group()
def review() -> None:
    """专家评审：分配专家、评分表、导入评分、评审结果 / Expert review: assign, forms, import, results."""


def _registry(env: Env) -> Any:
    return env.registry()


@review.command("assign")
@click.option("--judges", "judges_csv", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="专家名单 CSV（编号,姓名,工作单位,统一社会信用代码,专业方向）/ judges CSV")
@click.option("--per-app", type=click.IntRange(min=1), default=None,
              help="每个项目的专家数（默认取 call.yaml，5）/ judges per application")
@click.option("--seed", type=int, default=0, show_default=True, help="随机种子 / seed")
@click.pass_obj
@guarded
def review_assign(env: Env, judges_csv: Path, per_app: int | None, seed: int) -> None:
    """为通过形式审查的项目分配评审专家 / Assign judges to the applications that passed the checks."""
    from pipeline.review import assign_judges

    with _registry(env) as reg:
        s = assign_judges(reg, env.call, judges_csv, per_app, seed)
    click.echo(env.say(
        f"已为 {s.applications} 个项目各分配 {s.per_app} 位专家"
        f"（共 {s.judges} 位专家，每人 {s.min_load}～{s.max_load} 项，"
        f"专业方向匹配 {s.category_matches}/{s.applications * s.per_app}，种子 {s.seed}）",
        f"Assigned {s.per_app} judges to each of {s.applications} applications ({s.judges} judges, "
        f"{s.min_load}-{s.max_load} each, category match {s.category_matches}/{s.applications * s.per_app}, "
        f"seed {s.seed})"))


@review.command("forms")
@click.option("-o", "--output", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="输出文件夹 / output folder")
@click.option("--pdf/--no-pdf", "pdf", default=None,
              help="--pdf：必须生成 PDF；--no-pdf：不生成；默认有 LibreOffice 时生成 / require or skip PDFs")
@click.pass_obj
@guarded
def review_forms(env: Env, out_dir: Path, pdf: bool | None) -> None:
    """写出每位专家的评分工作簿和每个项目的纸质评分表 / Write judges' workbooks and printable forms."""
    from pipeline.review import write_forms

    with _registry(env) as reg:
        s = write_forms(reg, env.call, out_dir, pdf)
    click.echo(env.say(f"专家评分工作簿 {len(s.workbooks)} 份，纸质评分表 {len(s.docx)} 份（.docx），"
                       f"PDF {len(s.pdf)} 份：{out_dir}",
                       f"{len(s.workbooks)} judge workbooks, {len(s.docx)} scoring forms (.docx), "
                       f"{len(s.pdf)} PDFs: {out_dir}"))
    if s.pdf_skipped:
        zh, _, en = s.pdf_skipped.partition(" / ")
        click.echo(env.say(f"已跳过 PDF：{zh}", f"PDFs skipped: {en}"), err=True)


@review.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--replace", is_flag=True, help="替换同一专家对同一项目的已有评分 / replace earlier scores")
@click.pass_obj
@guarded
def review_import(env: Env, files: tuple[Path, ...], replace: bool) -> None:
    """导入专家填好的评分工作簿 / Import filled scoring workbooks."""
    from pipeline.review import import_workbooks

    with _registry(env) as reg:
        s = import_workbooks(reg, env.call, files, replace)
    for r in s.rejections:
        click.echo(env.say("不予导入：", "rejected: ") + r.message(env.lang), err=True)
    for f in s.files:
        partial = f.rejected and (f.stored or f.replaced or f.unchanged)
        click.echo(env.say(
            f"{f.file}：新增 {f.stored}，替换 {f.replaced}，未变 {f.unchanged}，不予导入 {f.rejected}"
            + ("（其余有效行已导入）" if partial else ""),
            f"{f.file}: {f.stored} stored, {f.replaced} replaced, {f.unchanged} unchanged, {f.rejected} rejected"
            + (" (the valid rows were stored)" if partial else "")))
    sys.exit(EXIT_FINDINGS if s.rejections else EXIT_OK)


@review.command("results")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
              help="结果工作簿（.xlsx；- 为标准输出）/ results workbook (- for stdout)")
@click.pass_obj
@guarded
def review_results(env: Env, output: Path) -> None:
    """计算最终得分、排名和奖励等级 / Final scores, ranking and award levels."""
    from pipeline.review import make_results

    with _registry(env) as reg:
        s = make_results(reg, env.call, output)
    levels_zh = "，".join(f"{k} {v} 项" for k, v in s.awarded.items())
    levels_en = ", ".join(f"{k} {v}" for k, v in s.awarded.items())
    confirm(env, output, f"已评分 {s.scored} 项：{levels_zh}；待核查 {s.held} 项；标准分排名提示 {s.warnings} 项："
            f"{s.path}", f"{s.scored} scored: {levels_en}; {s.held} on hold; {s.warnings} rank warnings: {s.path}")



# --- documents issued from the registry: letters, the decision, certificates ---------------------------------

def _date_option(env: Env, given: str | None, key: str) -> Any:
    import datetime as dt

    from pipeline.calls import document_setting

    if given:
        try:
            return dt.date.fromisoformat(given)
        except ValueError:
            raise click.BadParameter(env.say(f"日期应为 YYYY-MM-DD：{given}", f"a date is YYYY-MM-DD: {given}"),
                                     param_hint="--date") from None
    return document_setting(env.call, key, dt.date) or dt.date.today()


@main.command()
@click.option("-o", "--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="输出文件夹 / output folder")
@click.option("--date", "date_text", default=None, help="落款日期 YYYY-MM-DD（默认：call.yaml documents.letters_date）")
@click.pass_obj
@guarded
def letters(env: Env, out_dir: Path, date_text: str | None) -> None:
    """每份登记的申报书一封受理通知或退回补正通知 / An acceptance or return letter per registered application."""
    from pipeline.issuing import write_letters

    with env.registry() as registry:
        done = write_letters(registry, env.call, out_dir, _date_option(env, date_text, "letters_date"))
    c = done.counts
    skipped_zh = f"，未出具 {c['skipped']}" if c.get("skipped") else ""
    skipped_en = f", {c['skipped']} without a letter" if c.get("skipped") else ""
    click.echo(env.say(f"已写出 {len(done.paths)} 封通知：受理 {c['accepted']}，退回补正 {c['returned']}{skipped_zh}"
                       f"（{out_dir}）",
                       f"{len(done.paths)} letters: {c['accepted']} accepted, {c['returned']} returned{skipped_en} "
                       f"({out_dir})"))
    for reg_no, why_zh, why_en in done.skipped:
        click.echo(env.say(f"  {reg_no}：{why_zh}", f"  {reg_no}: {why_en}"))


@main.command()
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
              help="输出 .docx（- 为标准输出）/ output file (- for stdout)")
@click.option("--number", default=None, help="文号（默认：call.yaml documents.decision_number）/ document number")
@click.option("--date", "date_text", default=None, help="成文日期 YYYY-MM-DD / date")
@click.option("--pdf", is_flag=True, help="同时生成 PDF / also write the PDF")
@click.pass_obj
@guarded
def decision(env: Env, output: Path, number: str | None, date_text: str | None, pdf: bool) -> None:
    """表彰决定，附获奖项目名单 / The award decision with the winners table."""
    from pipeline.calls import document_setting
    from pipeline.issuing import write_decision

    if pdf and to_stdout(output):
        raise click.UsageError(env.say("--pdf 需要 -o 给出文件名", "--pdf needs a file name with -o"))
    number = number or document_setting(env.call, "decision_number", str)
    if not number:
        raise click.UsageError(env.say("请用 --number 给出文号（或在 call.yaml documents.decision_number 中设置）",
                                       "give the document number with --number (or documents.decision_number)"))
    from pipeline.gbt9704 import check_doc_number

    bad = check_doc_number(number)
    if bad is not None:  # the checker's own rule, before anything is rendered
        v = bad.params
        raise click.UsageError(env.say(
            f"文号“{v['actual']}”不符合 GB/T 9704（{v['reason_zh']}），应写作“{v['expected']}”（{bad.code}）",
            f"document number \"{v['actual']}\" breaks GB/T 9704 ({v['reason_en']}); write \"{v['expected']}\" "
            f"({bad.code})"))
    with env.registry() as registry:
        made = write_decision(registry, env.call, output, _date_option(env, date_text, "decision_date"), number)
    confirm(env, output, f"表彰决定（{made.counts['winners']} 个获奖项目）：{output}",
            f"Award decision ({made.counts['winners']} awarded projects): {output}")
    if pdf:
        from pipeline.render.documents import settle_closing_block

        for p in settle_closing_block(output):
            click.echo(env.say(f"PDF：{p}", f"PDF: {p}"))


@main.command()
@click.option("-o", "--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="输出文件夹 / output folder")
@click.option("--seal", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="印章图片（必填，或用 --sample-seal）/ the seal picture (required, or --sample-seal)")
@click.option("--sample-seal", is_flag=True,
              help="用示例印章“样章”试印，不可对外颁发 / try out with the sample seal 样章, not for issuing")
@click.option("--date", "date_text", default=None, help="颁奖日期 YYYY-MM-DD / award date")
@click.option("--no-pdf", is_flag=True, help="只生成 .docx / .docx only")
@click.option("--jobs", type=click.IntRange(min=1), default=None, help="并行转换进程数 / converter workers")
@click.pass_obj
@guarded
def certificates(env: Env, out_dir: Path, seal: Path | None, sample_seal: bool, date_text: str | None,
                 no_pdf: bool, jobs: int | None) -> None:
    """获奖证书（单位、个人）、合并打印 PDF、清单 / Certificates, the merged print PDF and the manifest."""
    from pipeline.issuing import write_certificates_from_registry
    from pipeline.render.certificates import sample_seal as bundled_seal

    if seal is not None and sample_seal:
        raise click.UsageError(env.say("--seal 与 --sample-seal 只能选一个", "give --seal or --sample-seal, not both"))
    if seal is None and not sample_seal:
        raise click.UsageError(env.say(
            "请用 --seal 给出本单位的印章图片（.png/.jpg）；只是试用时可用 --sample-seal（示例印章“样章”）",
            "give the seal picture with --seal (.png/.jpg); to try the tool out, --sample-seal (the sample seal 样章)"))
    if sample_seal:
        seal = bundled_seal()
        click.echo(env.say("注意：证书使用示例印章“样章”，仅供试印，不可对外颁发",
                           "Note: the certificates carry the sample seal 样章: for trying out, not for issuing"),
                   err=True)
    with env.registry() as registry:
        done = write_certificates_from_registry(registry, env.call, out_dir, _date_option(env, date_text, "award_date"),
                                                seal, pdf=not no_pdf, jobs=jobs, lang=env.lang)
    c = done.counts
    click.echo(env.say(f"证书 {c['certificates']} 张（单位 {c['units']}，个人 {c['persons']}；PDF {c['pdf']}）："
                       f"{out_dir}",
                       f"{c['certificates']} certificates ({c['units']} unit, {c['persons']} person; {c['pdf']} PDF): "
                       f"{out_dir}"))


# --- the global options, also after the subcommand ---------------------------------------------------------

def _late_global(ctx: click.Context, param: click.Parameter, value: Any) -> None:
    """`--call/--lang/--db` given after a subcommand: they override the ones before it."""
    env = ctx.find_object(Env)
    if value is None or env is None:
        return
    if param.name == "late_call":
        env.call_id, env._call = value, None
    elif param.name == "late_lang":
        env.lang = value
    else:
        env.db = Path(value)


def _share_global_options(group: click.Group) -> None:
    """Give every subcommand and nested group the global options, so their place on the line does not matter."""
    for cmd in group.commands.values():
        cmd.params.extend([
            click.Option(["--call", "late_call"], default=None, expose_value=False, callback=_late_global,
                         help="同 award --call / as award --call"),
            click.Option(["--lang", "late_lang"], type=click.Choice(["zh", "en"]), default=None, expose_value=False,
                         callback=_late_global, help="同 award --lang / as award --lang"),
            click.Option(["--db", "late_db"], default=None, expose_value=False, callback=_late_global,
                         help="同 award --db / as award --db"),
        ])
        if isinstance(cmd, click.Group):
            _share_global_options(cmd)


_share_global_options(main)

if __name__ == "__main__":
    main()
