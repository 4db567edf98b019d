"""The `award` command line: parse options, call one library function, format, exit code."""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, TypeVar

import click

from pipeline import usage
from pipeline.errors import Interrupted, PipelineError
from pipeline.resources import DEFAULT_CALL


def _lazy(name: str) -> ModuleType:
    """The module, loaded on first use (importlib's LazyLoader): `award --help` and a mistyped option never load
    the library, and each command loads only what its action imports."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    assert spec is not None and spec.loader is not None
    spec.loader = importlib.util.LazyLoader(spec.loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


if TYPE_CHECKING:
    from pipeline import actions
    from pipeline.calls import Call
else:
    actions = _lazy("pipeline.actions")

F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_FAILED, EXIT_INTERRUPTED = 0, 1, 2, 3, 130

usage.install()  # click's own messages in Chinese (English with --lang en)


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


def confirm(env: Env, output: Path | None, zh: str, en: str) -> None:
    """A confirmation line: on stdout, or on stderr when stdout carries the document itself (`-o -`)."""
    click.echo(env.say(zh, en), err=actions.to_stdout(output))


def pdf_skipped(env: Env, skipped: bool) -> None:
    """The note on stderr when PDFs were wanted by default but LibreOffice is not installed."""
    if skipped:
        click.echo(env.say("已跳过 PDF：未安装 LibreOffice，只生成 .docx（--no-pdf 不再提示）",
                           "PDFs skipped: LibreOffice is not installed, .docx only (--no-pdf to silence this)"),
                   err=True)


def fail(env: Env, err: PipelineError) -> None:
    """A one-line message on stderr and exit 3: the work could not be done."""
    click.echo(("错误：" if env.lang == "zh" else "error: ") + err.message(env.lang), err=True)
    sys.exit(EXIT_FAILED)


INTERRUPTED = ("已中断：已写出的文件都是完整的（每个文件写完才出现），登记库中已保存的内容不受影响；"
               "重新运行同一命令即可完成其余部分",
               "interrupted: every file already written is complete (a file appears only once written) and what "
               "the registry holds is intact; run the same command again to finish")


def interrupted(message: str | None) -> None:
    """Ctrl-C: say what was saved, exit 130."""
    zh, en = INTERRUPTED
    click.echo(message or (en if usage.language() == "en" else zh), err=True)
    sys.exit(EXIT_INTERRUPTED)


def guarded(fn: F) -> F:
    """Turn library failures into a one-line message and exit 3 (a bad argument into a usage error, exit 2),
    never a traceback. Each library call refuses to write over the files it reads; the registry of --db is
    an input of every command (a document written over it would destroy the round)."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from pipeline.fileio import inputs_protected

        env = click.get_current_context().find_object(Env)
        try:
            with inputs_protected([env.db] if env is not None else []):
                return fn(*args, **kwargs)
        except actions.BadArgument as e:
            raise click.UsageError(e.message(env.lang if env is not None else usage.language())) from None
        except Interrupted as e:  # the library says what it saved
            assert env is not None
            interrupted(e.message(env.lang))
        except PipelineError as e:
            assert env is not None
            fail(env, e)
        except KeyboardInterrupt:
            interrupted(None)

    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    return wrapper  # type: ignore[return-value]


class AwardGroup(click.Group):
    """The `award` group: click's usage errors in the language of the command line, Ctrl-C as exit 130."""

    context_class = usage.Context
    command_class = usage.Command
    group_class = type  # `review` is an AwardGroup too

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        argv = list(args) if args is not None else sys.argv[1:]
        usage.set_language(usage.language_of(argv))
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.Abort:  # Ctrl-C outside a command's own work (click turns it into Abort)
            interrupted(None)
        except click.ClickException as e:
            usage.show(e)
            sys.exit(e.exit_code)
        sys.exit(rv if isinstance(rv, int) else EXIT_OK)


class Aliased(click.Option):
    """An option with spellings it still accepts but no longer shows (in --help and in error messages)."""

    def __init__(self, param_decls: Any = None, aliases: tuple[str, ...] = (), **attrs: Any) -> None:
        super().__init__([*(param_decls or ()), *aliases], **attrs)
        self.aliases = aliases

    def _shown(self, fn: Callable[[], Any]) -> Any:
        opts = self.opts
        self.opts = [o for o in opts if o not in self.aliases]
        try:
            return fn()
        finally:
            self.opts = opts

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        return self._shown(lambda: super(Aliased, self).get_help_record(ctx))

    def get_error_hint(self, ctx: click.Context | None) -> str:
        return self._shown(lambda: super(Aliased, self).get_error_hint(ctx))


# One vocabulary: -o/--output names a FILE, -o/--out a FOLDER; the other spelling is accepted, not shown.
def output_file(help: str, required: bool = False) -> Callable[[F], F]:
    """`-o/--output FILE` (`-` for standard output where the help says so)."""
    return click.option("-o", "--output", "output", cls=Aliased, aliases=("--out",), required=required,
                        type=click.Path(dir_okay=False, allow_dash=True, path_type=Path), help=help)


def output_folder(required: bool = True, default: Path | None = None) -> Callable[[F], F]:
    """`-o/--out DIR`, created when missing."""
    extra: dict[str, Any] = {"default": default, "show_default": True} if default is not None else {}
    return click.option("-o", "--out", "out_dir", cls=Aliased, aliases=("--output",), required=required,
                        type=click.Path(file_okay=False, path_type=Path), help="输出文件夹 / output folder", **extra)


def pdf_option() -> Callable[[F], F]:
    """`--pdf/--no-pdf`, the same on every command that can write PDFs."""
    return click.option("--pdf/--no-pdf", "pdf", default=None,
                        help="--pdf：必须生成 PDF（未安装 LibreOffice 时失败，退出码 3）；--no-pdf：只生成 .docx；"
                             "默认：装有 LibreOffice 时生成 / --pdf: PDFs required (exit 3 without LibreOffice); "
                             "--no-pdf: .docx only; default: PDFs when LibreOffice is installed")


@click.group("award", cls=AwardGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--call", "call", default=DEFAULT_CALL, show_default=True,
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
@output_file("输出文件（默认：<通知>-申报书.docx；- 为标准输出）/ output file (- for stdout)")
@click.pass_obj
@guarded
def form(env: Env, output: Path | None) -> None:
    """写出本次通知的空白申报书（.docx）/ Write the blank application form."""
    out = actions.write_blank_form(env.call, output)
    confirm(env, out, f"已写出空白申报书：{out}", f"Blank form written: {out}")


@main.command()
@click.option("--check", "check_only", is_flag=True,
              help="已提交的 Schema 过期时失败 / fail when the committed schema is stale")
@click.pass_obj
@guarded
def schema(env: Env, check_only: bool) -> None:
    """输出由 call.yaml 生成的 JSON Schema / Print the JSON Schema derived from call.yaml."""
    if not check_only:
        click.echo(actions.derived_schema(env.call), nl=False)
        return
    state = actions.check_schema(env.call)
    path = state.path
    if not state.up_to_date:
        click.echo(env.say(f"{path} 已过期，请运行：award --call {env.call_id} schema > {path}",
                           f"{path} is stale; run: award --call {env.call_id} schema > {path}"), err=True)
        sys.exit(EXIT_FINDINGS)
    click.echo(env.say(f"{path} 与 call.yaml 一致", f"{path} is up to date"))


def exit_code(fails: bool) -> int:
    """1 when the library says the check fails (an error; with --strict, a warning too), else 0."""
    return EXIT_FINDINGS if fails else EXIT_OK


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "html"]), default="text", show_default=True,
              help="报告格式 / report format")
@output_file("报告写入文件（- 为标准输出）/ write the report to a file (- for stdout)")
@click.option("--annotate", type=click.Path(allow_dash=True, path_type=Path), default=None,
              help="写出带批注的 .docx 副本（多个文件时为文件夹）/ annotated copy (a folder for several files)")
@click.option("--strict", is_flag=True, help="警告也视为不通过 / warnings fail too")
@click.pass_obj
@guarded
def check(env: Env, files: tuple[Path, ...], fmt: str, output: Path | None, annotate: Path | None,
          strict: bool) -> None:
    """申报书自检 / Self-check of one or more applications."""
    done = actions.check_files(files, env.call, fmt, output, annotate, env.lang)
    for copy in done.annotated:
        if copy.path is not None:
            click.echo(env.say(f"已写出批注副本：{copy.path}", f"Annotated copy written: {copy.path}"), err=True)
        elif copy.damaged is not None:
            zh, en = copy.damaged
            click.echo(env.say(f"{copy.source}：{zh}，未写出批注副本（报告照常输出）",
                               f"{copy.source}: {en}; no annotated copy (the report follows)"), err=True)
        else:
            click.echo(env.say(f"{copy.source}：不是可批注的 .docx，未写出批注副本",
                               f"{copy.source}: not a .docx that can be annotated; no annotated copy"), err=True)
    if done.written is None:
        click.echo(done.text, nl=False)
    sys.exit(exit_code(done.fails(strict)))


class Shown:
    """Progress on the terminal (rich, on stderr; nothing drawn when stderr is not a terminal): each phase a line
    with its bar, count, rate, elapsed and remaining time; a phase of unknown length a moving bar and the time."""

    def __init__(self, env: Env) -> None:
        from rich.console import Console

        self.env = env
        self.console = Console(stderr=True)
        self.progress: Any = None
        self.task: Any = None

    def __enter__(self) -> Shown:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _start(self) -> Any:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TaskProgressColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )
        from rich.text import Text

        def unknown(task: Any) -> bool:
            return task.total is None or bool(task.fields.get("unknown"))

        class Rate(TextColumn):
            def render(self, task: Any) -> Any:
                speed = task.finished_speed or task.speed
                return Text("" if unknown(task) else f"{speed:.1f}/s" if speed else "-/s")

        def known(column: Any) -> Any:
            class Known(column):
                """The column for a phase of known length; blank for one of unknown length."""

                def render(self, task: Any) -> Any:
                    return Text("") if unknown(task) else super().render(task)

            return Known

        class Count(MofNCompleteColumn):
            def render(self, task: Any) -> Any:
                if unknown(task):
                    return Text(str(int(task.completed)) if task.completed and task.total is None else "")
                return super().render(task)

        self.progress = Progress(TextColumn("{task.description}"), BarColumn(), Count(), known(TaskProgressColumn)(),
                                 Rate(""), TimeElapsedColumn(), known(TimeRemainingColumn)(), console=self.console,
                                 transient=False, disable=not self.console.is_terminal)
        self.progress.start()
        return self.progress

    def _finish(self) -> None:
        """The current phase done: its bar full (a phase of unknown length too), its time stopped."""
        if self.task is not None:
            task = next(t for t in self.progress.tasks if t.id == self.task)
            end = task.total if task.total is not None else max(task.completed, 1)
            self.progress.update(self.task, total=end, completed=end)
            self.progress.stop_task(self.task)

    def phase(self, zh: str, en: str, total: int | None = None, done: int = 0) -> None:
        progress = self.progress or self._start()
        self._finish()
        self.task = progress.add_task(self.env.say(zh, en), total=total, completed=done, unknown=total is None)

    def advance(self, n: int = 1) -> None:
        if self.task is not None:
            self.progress.advance(self.task, n)

    def note(self, zh: str, en: str) -> None:
        self.console.print(self.env.say(zh, en), highlight=False, markup=False)

    def stop(self) -> None:
        if self.progress is not None:
            self._finish()
            self.progress.stop()
            self.progress = None
            self.task = None


@main.command()
@click.argument("input_path", metavar="INPUT", type=click.Path(exists=True, path_type=Path))
@output_folder()
@click.option("--members", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="会员名录 CSV（会员编号,单位名称,统一社会信用代码）/ member list CSV")
@click.option("--jobs", type=click.IntRange(min=1), default=None,
              help="并行进程数（默认：全部核心；dask：本机集群的计算节点数）/ worker processes "
              "(dask: LocalCluster workers)")
@click.option("--executor", type=click.Choice(["local", "dask"]), default=None,
              help="在哪里检查：local 本机进程池（默认），dask Dask 集群 / where the checks run: local pool "
              "(default) or a Dask cluster")
@click.option("--scheduler", metavar="ADDRESS", default=None,
              help="Dask 调度器地址（如 tcp://10.0.0.5:8786；隐含 --executor dask；不给则在本机启动集群）/ a Dask "
              "scheduler to join (implies --executor dask; none: a LocalCluster)")
@click.option("--no-cache", is_flag=True, help="忽略缓存，全部重新检查 / check every file again")
@click.option("--no-letters", is_flag=True, help="不写退回补正通知 / no return letters")
@click.option("--strict", is_flag=True, help="警告也视为不通过 / warnings fail too")
@click.option("--dry-run", is_flag=True, help="只显示将登记和检查的文件，不做任何改动 / show what would be registered "
              "and checked, change nothing")
@click.pass_obj
@guarded
def batch(env: Env, input_path: Path, out_dir: Path, members: Path | None, jobs: int | None, executor: str | None,
          scheduler: str | None, no_cache: bool, no_letters: bool, strict: bool, dry_run: bool) -> None:
    """批量登记并检查一个文件夹或 .zip 中的全部申报书 / Register and check a folder or .zip of applications."""
    if scheduler and executor == "local":
        raise click.UsageError(env.say("--scheduler 只用于 --executor dask", "--scheduler goes with --executor dask"))
    where = "dask" if scheduler else executor or "local"
    if dry_run:
        click.echo(actions.batch_dry_run(input_path, out_dir, env.call, env.db, jobs, not no_cache, env.lang,
                                         where, scheduler))
        return
    with Shown(env) as shown:
        done = actions.check_batch(input_path, out_dir, env.call, env.db, members=members, jobs=jobs,
                                   use_cache=not no_cache, letters=not no_letters, lang=env.lang, progress=shown,
                                   executor=where, scheduler=scheduler)
    result = done.result
    click.echo(env.say(
        f"共 {len(result.rows)} 个文件：通过 {done.passed}，需处理 {done.to_handle}；新登记 {result.new}，"
        f"检查 {result.checked}，缓存 {result.cached}。汇总：{done.summary}",
        f"{len(result.rows)} files: {done.passed} pass, {done.to_handle} to handle; {result.new} newly registered, "
        f"{result.checked} checked, {result.cached} cached. Summary: {done.summary}"))
    sys.exit(exit_code(done.fails(strict)))


@main.command()
@output_folder(required=False, default=Path("out/demo"))
@click.pass_obj
@guarded
def demo(env: Env, out_dir: Path) -> None:
    """在示例申报书上运行整个流程 / Run the whole pipeline on the bundled samples."""
    import time

    from pipeline.demo import run_demo

    start = time.monotonic()
    try:
        with Shown(env) as shown:
            for line in run_demo(env.call, out_dir, env.lang, progress=shown):
                click.echo(line)
    except (Interrupted, KeyboardInterrupt):  # each demo starts afresh: nothing is "continued"
        raise Interrupted("已中断：演示已停止，已写出的文件都是完整的；重新运行 award demo 将从头开始",
                          "interrupted: the demo stopped, every file written is complete; run award demo again to "
                          "start afresh") from None
    took = time.monotonic() - start
    click.echo(env.say(f"演示完成，共用时 {took:.0f} 秒：{out_dir}", f"Demo done in {took:.0f} s: {out_dir}"))


# --- official documents: notices and the GB/T 9704 checker ---------------------------------------------

@main.command()
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@output_file("输出的 .docx 文件（- 为标准输出）/ output .docx (- for stdout)", required=True)
@pdf_option()
@click.pass_obj
@guarded
def notice(env: Env, source: Path, output: Path, pdf: bool | None) -> None:
    """由通知源文件生成 GB/T 9704 公文（.docx，PDF）/ Render a notice source as a GB/T 9704 document."""
    with Shown(env) as shown:
        done = actions.write_notice(source, output, env.call, pdf, progress=shown)
    pdf_skipped(env, done.pdf_skipped)
    for path in done.paths:
        confirm(env, output, f"已写出：{path}", f"Written: {path}")


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="报告格式 / report format")
@click.pass_obj
@guarded
def gongwen(env: Env, file: Path, fmt: str) -> None:
    """按 GB/T 9704-2012 检查公文（.docx 或文本）/ Check a notice against GB/T 9704-2012."""
    done = actions.check_gongwen(file, env.call, fmt, env.lang)
    click.echo(done.text, nl=False)
    sys.exit(exit_code(done.fails()))


# --- expert review (§4) ---------------------------------------------------------------------------------------

@main.group()
def review() -> None:
    """专家评审：分配专家、评分表、导入评分、评审结果 / Expert review: assign, forms, import, results."""


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
    s = actions.assign_judges(env.call, env.db, judges_csv, per_app, seed)
    click.echo(env.say(
        f"已为 {s.applications} 个项目各分配 {s.per_app} 位专家"
        f"（共 {s.judges} 位专家，每人 {s.min_load}～{s.max_load} 项，"
        f"专业方向匹配 {s.category_matches}/{s.applications * s.per_app}，种子 {s.seed}）",
        f"Assigned {s.per_app} judges to each of {s.applications} applications ({s.judges} judges, "
        f"{s.min_load}-{s.max_load} each, category match {s.category_matches}/{s.applications * s.per_app}, "
        f"seed {s.seed})"))


@review.command("forms")
@output_folder()
@pdf_option()
@click.pass_obj
@guarded
def review_forms(env: Env, out_dir: Path, pdf: bool | None) -> None:
    """写出每位专家的评分工作簿和每个项目的纸质评分表 / Write judges' workbooks and printable forms."""
    with Shown(env) as shown:
        done = actions.write_review_forms(env.call, env.db, out_dir, pdf, progress=shown)
    s = done.summary
    pdf_skipped(env, done.pdf_skipped)
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
    s = actions.import_scores(env.call, env.db, files, replace)
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
@output_file("结果工作簿（.xlsx；- 为标准输出）/ results workbook (- for stdout)", required=True)
@click.pass_obj
@guarded
def review_results(env: Env, output: Path) -> None:
    """计算最终得分、排名和奖励等级 / Final scores, ranking and award levels."""
    s = actions.review_results(env.call, env.db, output)
    levels_zh = "，".join(f"{k} {v} 项" for k, v in s.awarded.items())
    levels_en = ", ".join(f"{k} {v}" for k, v in s.awarded.items())
    confirm(env, output, f"已评分 {s.scored} 项：{levels_zh}；待核查 {s.held} 项；标准分排名提示 {s.warnings} 项："
            f"{s.path}", f"{s.scored} scored: {levels_en}; {s.held} on hold; {s.warnings} rank warnings: {s.path}")



# --- documents issued from the registry: letters, the decision, certificates ---------------------------------

def date_option(env: Env, given: str | None) -> dt.date | None:
    """The date of --date (YYYY-MM-DD), or None: the library then takes the call's date, else today."""
    if not given:
        return None
    try:
        return dt.date.fromisoformat(given)
    except ValueError:
        raise click.BadParameter(env.say(f"日期应为 YYYY-MM-DD：{given}", f"a date is YYYY-MM-DD: {given}"),
                                 param_hint="--date") from None


@main.command()
@output_folder()
@click.option("--date", "date_text", default=None, help="落款日期 YYYY-MM-DD（默认：call.yaml documents.letters_date）")
@pdf_option()
@click.pass_obj
@guarded
def letters(env: Env, out_dir: Path, date_text: str | None, pdf: bool | None) -> None:
    """每份登记的申报书一封受理通知或退回补正通知 / An acceptance or return letter per registered application."""
    date = date_option(env, date_text)
    with Shown(env) as shown:
        written = actions.write_letters(env.call, env.db, out_dir, date, pdf, progress=shown)
    pdf_skipped(env, written.pdf_skipped)
    done = written.issued
    c = done.counts
    skipped_zh = f"，未出具 {c['skipped']}" if c.get("skipped") else ""
    skipped_en = f", {c['skipped']} without a letter" if c.get("skipped") else ""
    n = c["accepted"] + c["returned"]
    pdfs = c.get("pdf", 0)
    click.echo(env.say(f"已写出 {n} 封通知：受理 {c['accepted']}，退回补正 {c['returned']}{skipped_zh}；PDF {pdfs} 份"
                       f"（{out_dir}）",
                       f"{n} letters: {c['accepted']} accepted, {c['returned']} returned{skipped_en}; {pdfs} PDFs "
                       f"({out_dir})"))
    for reg_no, why_zh, why_en in done.skipped:
        click.echo(env.say(f"  {reg_no}：{why_zh}", f"  {reg_no}: {why_en}"))


@main.command()
@output_file("输出 .docx（- 为标准输出）/ output file (- for stdout)", required=True)
@click.option("--number", default=None, help="文号（默认：call.yaml documents.decision_number）/ document number")
@click.option("--date", "date_text", default=None, help="成文日期 YYYY-MM-DD / date")
@pdf_option()
@click.pass_obj
@guarded
def decision(env: Env, output: Path, number: str | None, date_text: str | None, pdf: bool | None) -> None:
    """表彰决定，附获奖项目名单 / The award decision with the winners table."""
    date = date_option(env, date_text)
    with Shown(env) as shown:
        made = actions.write_decision(env.call, env.db, output, number, date, pdf, progress=shown)
    pdf_skipped(env, made.pdf_skipped)
    confirm(env, output, f"表彰决定（{made.winners} 个获奖项目）：{output}",
            f"Award decision ({made.winners} awarded projects): {output}")
    for p in made.pdfs:
        click.echo(env.say(f"PDF：{p}", f"PDF: {p}"))


@main.command()
@output_file("输出 .docx（- 为标准输出）/ output file (- for stdout)", required=True)
@click.option("--number", default=None,
              help="文号（默认：平台已发布的公示，或 call.yaml publication.publicity_number）/ document number")
@click.option("--date", "date_text", default=None,
              help="公示开始日期 YYYY-MM-DD，即成文日期（默认：平台已发布的公示，或 publication.publicity_start）"
                   " / first day of the 公示")
@pdf_option()
@click.pass_obj
@guarded
def publicity(env: Env, output: Path, number: str | None, date_text: str | None, pdf: bool | None) -> None:
    """拟奖项目公示（公文），附拟奖项目名单 / The 公示 notice of the proposed winners."""
    date = date_option(env, date_text)
    with Shown(env) as shown:
        made = actions.write_publicity(env.call, env.db, output, number, date, pdf, progress=shown)
    pdf_skipped(env, made.pdf_skipped)
    confirm(env, output, f"公示（{made.number}，{made.start}至{made.end}，拟奖项目 {made.winners} 项）：{output}",
            f"公示 notice ({made.number}, {made.start} to {made.end}, {made.winners} proposed winners): {output}")


@main.command()
@output_file("输出 .docx（- 为标准输出）/ output file (- for stdout)", required=True)
@click.option("--all", "proof", is_flag=True,
              help="全部获奖项目（不论是否同意公开），标注“内部校对稿”，供工作人员核对 / every awarded project, "
                   "marked as an internal proof")
@pdf_option()
@click.pass_obj
@guarded
def casebook(env: Env, output: Path, proof: bool, pdf: bool | None) -> None:
    """获奖成果案例汇编（封面、目录、每个案例一节）/ The collection of the winners' cases."""
    with Shown(env) as shown:
        made = actions.write_casebook(env.call, env.db, output, pdf, proof, progress=shown)
    pdf_skipped(env, made.pdf_skipped)
    kind_zh, kind_en = ("内部校对稿", "internal proof") if made.proof else ("公开版", "public")
    confirm(env, output, f"成果汇编（{kind_zh}，{made.cases} 个案例）：{output}",
            f"Casebook ({kind_en}, {made.cases} cases): {output}")
    for p in made.pdfs:
        click.echo(env.say(f"PDF：{p}", f"PDF: {p}"))


@main.command()
@output_folder()
@click.option("--seal", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="印章图片（必填，或用 --sample-seal）/ the seal picture (required, or --sample-seal)")
@click.option("--sample-seal", is_flag=True,
              help="用示例印章“样章”试印，不可对外颁发 / try out with the sample seal 样章, not for issuing")
@click.option("--date", "date_text", default=None, help="颁奖日期 YYYY-MM-DD / award date")
@pdf_option()
@click.option("--jobs", type=click.IntRange(min=1), default=None, help="并行转换进程数 / converter workers")
@click.pass_obj
@guarded
def certificates(env: Env, out_dir: Path, seal: Path | None, sample_seal: bool, date_text: str | None,
                 pdf: bool | None, jobs: int | None) -> None:
    """获奖证书（单位、个人）、合并打印 PDF、清单 / Certificates, the merged print PDF and the manifest."""
    date = date_option(env, date_text)
    with Shown(env) as shown:
        done = actions.issue_certificates(env.call, env.db, out_dir, seal, sample_seal, date, pdf, jobs, env.lang,
                                          progress=shown)
    if done.sample_seal:
        click.echo(env.say("注意：证书使用示例印章“样章”，仅供试印，不可对外颁发",
                           "Note: the certificates carry the sample seal 样章: for trying out, not for issuing"),
                   err=True)
    pdf_skipped(env, done.pdf_skipped)
    c = done.issued.counts
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


DATA_HELP = "平台数据文件夹（登记库与文件）/ the platform's data folder (registry and files)"


@main.group()
def users() -> None:
    """申报平台账号 / Accounts of the online platform."""


@users.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(["staff", "unit", "judge"]), required=True, help="角色 / role")
@click.option("--data", type=click.Path(file_okay=False, path_type=Path), default=Path("award-data"),
              show_default=True, help=DATA_HELP)
@click.option("--password-stdin", is_flag=True, help="从标准输入读取密码（脚本用）/ read the password from stdin")
@click.pass_obj
@guarded
def users_add(env: Env, name: str, role: str, data: Path, password_stdin: bool) -> None:
    """新建账号（密码以 argon2 散列保存）/ Add an account (the password is kept as an argon2 hash)."""
    from pipeline.accounts import AccountError, add_user
    from pipeline.registry import in_data

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt(env.say("密码", "Password"), hide_input=True,
                                confirmation_prompt=env.say("再次输入密码", "Repeat the password"))
    try:
        with in_data(data, env.call.id) as registry:
            add_user(registry, name, role, password)
    except AccountError as e:
        raise click.UsageError(e.message(env.lang)) from None
    confirm(env, data, f"已新建账号 {name}（{role}）", f"Account {name} ({role}) added")


@main.group()
def audit() -> None:
    """申报平台审计日志 / The online platform's audit log."""


@audit.command("export")
@output_file("审计日志工作簿（.xlsx）/ the audit log workbook (.xlsx)", required=True)
@click.option("--data", type=click.Path(file_okay=False, path_type=Path), default=Path("award-data"),
              show_default=True, help=DATA_HELP)
@click.pass_obj
@guarded
def audit_export(env: Env, output: Path, data: Path) -> None:
    """导出审计日志（谁、何时、做了什么、文件 SHA-256）/ Export the audit log (who, when, what, file SHA-256)."""
    written = actions.export_audit(data, env.call, output)
    confirm(env, written, f"已导出审计日志：{written}", f"Audit log exported: {written}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="监听地址 / address to listen on")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="端口 / port")
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="同时检查的文件数（默认：每个 CPU 一个）/ checks at once (default: one per CPU)")
@click.option("--queue", type=click.IntRange(0, 1000), default=8, show_default=True,
              help="排队等待的检查数，超出时答复 503 / checks waiting before 503")
@click.option("--data", type=click.Path(file_okay=False, path_type=Path), default=Path("award-data"),
              show_default=True, help=DATA_HELP)
@click.pass_obj
@guarded
def serve(env: Env, host: str, port: int, workers: int | None, queue: int, data: Path) -> None:
    """启动申报平台（网页与 API）/ Run the online platform (web pages and API)."""
    from pipeline.web.app import serve as run

    run(env.call, host, port, workers, queue, data)


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
