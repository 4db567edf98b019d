"""The staff console's routes (/staff...): the round at a glance, the applications table and one application's page
(report, files and versions, letters, history), the member units and their one-time codes, the e-mailed batch
uploaded as a .zip, the rules across applications re-run, the downloads (summary.xlsx, the letters, the audit log,
the registry backup). Every route takes the signed-in staff account first (`Staff`): no rule lives here."""

from __future__ import annotations

import asyncio
import base64
import collections
import datetime as dt
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import FastAPI, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from pipeline.errors import PipelineError
from pipeline.web.site import Staff, check_csrf, download_headers, store_upload, upload_name

if TYPE_CHECKING:
    from pipeline.web.site import Site

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MIME = {".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".pdf": "application/pdf",
        ".doc": "application/msword", ".wps": "application/vnd.ms-works"}
# the checker's verdict of a registered application, in the staff's words
CHECKED = {"pass": "通过检查", "warn": "通过（有提醒）", "fail": "有错误", "registered": "待检查"}


def _stamp() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(3)


def batch_job(archive: str, out_dir: str, call_folder: str, db: str) -> tuple[int, int, int, str]:
    """`award batch` of an uploaded archive into the platform's registry, run in a process of its own (spawned, so
    the batch's worker pool is forked from a single-threaded process), then the rules across applications re-run
    over the whole round (online submissions too): files, passed, to handle, summary path."""
    from pipeline.actions import check_batch
    from pipeline.calls import load_call
    from pipeline.registry import Registry
    from pipeline.submission import recheck_round

    call = load_call(call_folder)
    done = check_batch(Path(archive), Path(out_dir), call, Path(db), letters=False)
    with Registry(db, call_id=call.id, create=False) as registry:
        recheck_round(registry, call)
    return len(done.result.rows), done.passed, done.to_handle, str(done.summary)


def letters_job(call_folder: str, db: str, out_dir: str) -> tuple[bytes, int, int, int]:
    """`award letters` for the whole round into out_dir, zipped: (zip bytes, accepted, returned, skipped)."""
    import io
    import zipfile

    from pipeline.actions import write_letters
    from pipeline.calls import load_call

    done = write_letters(load_call(call_folder), Path(db), Path(out_dir), pdf=False)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for path in sorted(Path(out_dir).glob("*.docx")):
            z.write(path, path.name)
    counts = done.issued.counts
    return buf.getvalue(), counts["accepted"], counts["returned"], counts["skipped"]


def add_routes(app: FastAPI, site: Site) -> None:
    """The console's routes on `app`."""
    call, settings, in_registry = site.call, site.settings, site.in_registry

    def staff_page(request: Request, template: str, **context: Any) -> HTMLResponse:
        return site.form_page(request, template, 200, None, active="staff", **context)


    @app.get("/staff", response_class=HTMLResponse, include_in_schema=False)
    async def staff_home(request: Request, account: Staff, rechecked: int | None = None) -> Response:
        from pipeline.submission import STATUS_ZH, statuses

        def glance(r: Any) -> dict[str, Any]:
            apps = r.applications(call.id)
            subs = {s.reg_no: s for s in r.submissions(call.id)}
            states = collections.Counter(STATUS_ZH[s] for s in statuses(r, call, apps, subs).values())
            checked = collections.Counter(a.status for a in apps)
            categories = collections.Counter(a.category or "（未读出）" for a in apps)
            return {"total": len(apps), "online": len(subs), "states": [(k, states[k]) for k in STATUS_ZH.values()
                                                                        if states[k]],
                    "checked": sorted(checked.items()), "categories": sorted(categories.items()),
                    "members": len(r.members(call.id))}

        seen = await in_registry(glance)
        return staff_page(request, "staff.html.j2", title="工作台", account=account.name, checked_names=CHECKED,
                          rechecked=rechecked, **seen)

    @app.get("/staff/applications", response_class=HTMLResponse, include_in_schema=False)
    async def staff_applications(request: Request, account: Staff, status: str = "", q: str = "", sort: str = "reg_no",
                                 desc: bool = False) -> Response:
        from pipeline.text import collation_key, nfkc

        apps = await in_registry(lambda r: r.applications(call.id, status or None))
        needle = nfkc(q).strip().casefold()
        if needle:
            apps = [a for a in apps if any(needle in nfkc(x or "").casefold()
                                           for x in (a.reg_no, a.applicant, a.project, a.category, a.path))]
        keys: dict[str, Callable[[Any], Any]] = {
            "reg_no": lambda a: a.seq, "applicant": lambda a: collation_key(a.applicant or ""),
            "project": lambda a: collation_key(a.project or ""), "category": lambda a: collation_key(a.category or ""),
            "errors": lambda a: a.errors or 0}
        sort = sort if sort in keys else "reg_no"
        apps = sorted(apps, key=keys[sort], reverse=desc)
        return staff_page(request, "applications.html.j2", title="申报书列表", account=account.name, apps=apps,
                          status=status, q=q, sort=sort, desc=desc, checked_names=CHECKED)

    @app.get("/staff/applications/{reg_no}", response_class=HTMLResponse, include_in_schema=False)
    async def staff_application(request: Request, account: Staff, reg_no: str) -> Response:
        from pipeline.audit import ACTIONS
        from pipeline.model import Report
        from pipeline.report.html import report_view

        def gather(r: Any) -> dict[str, Any] | None:
            row = r.application(reg_no)
            if row is None:
                return None
            subs = [s for s in r.submissions(call.id) if s.reg_no == reg_no]
            return {"app": row, "submission": subs[0] if subs else None, "versions": r.versions(reg_no),
                    "letters": r.letters_of(call.id, reg_no), "history": r.audit_rows(reg_no)}

        seen = await in_registry(gather)
        if seen is None:
            raise HTTPException(404)
        app_row = seen["app"]
        view = report_view([Report.from_dict(app_row.report)], call) if app_row.report else {}
        return staff_page(request, "application.html.j2", **view, **seen, title=f"申报书 {reg_no}",
                          account=account.name, shown=app_row.report is not None, actions=ACTIONS,
                          checked_names=CHECKED, kinds={"acceptance": "受理通知书", "return": "退回补正通知书"})

    @app.get("/staff/applications/{reg_no}/files/{version}", include_in_schema=False)
    async def staff_file(request: Request, account: Staff, reg_no: str, version: int) -> Response:
        found = [v for v in await in_registry(lambda r: r.versions(reg_no)) if v.version == version]
        if not found:
            raise HTTPException(404)
        v = found[0]
        data = await read_stored(site, v.sha256, v.suffix)
        await in_registry(lambda r: r.audit(account.name, "file.download", f"{reg_no} 第{version}版", v.sha256,
                                            reg_no))
        return Response(data, media_type=MIME.get(v.suffix, "application/octet-stream"),
                        headers=download_headers(f"{reg_no}-第{version}版{v.suffix}"))

    @app.post("/staff/applications/{reg_no}/return", include_in_schema=False)
    async def staff_return(request: Request, account: Staff, reg_no: str, reason: Annotated[str, Form()] = "",
                           csrf: Annotated[str, Form()] = "") -> Response:
        check_csrf(request, csrf)
        reason = " ".join(reason.split())[:500]
        if not reason:
            raise HTTPException(422, "请写明退回原因 / give the reason")
        try:
            await in_registry(lambda r: r.return_submission(reg_no, reason, account.name))
        except PipelineError as e:
            raise HTTPException(404, e.message_zh) from None
        return RedirectResponse(f"/staff/applications/{reg_no}", status_code=303)

    @app.get("/staff/audit", response_class=HTMLResponse, include_in_schema=False)
    async def staff_audit(request: Request, account: Staff) -> Response:
        from pipeline.audit import ACTIONS

        rows = await in_registry(lambda r: r.audit_rows())
        return staff_page(request, "audit.html.j2", title="审计日志", account=account.name,
                          rows=list(reversed(rows))[:500], total=len(rows), actions=ACTIONS)

    @app.get("/staff/audit.xlsx", include_in_schema=False)
    async def staff_audit_xlsx(request: Request, account: Staff) -> Response:
        from pipeline.audit import audit_xlsx

        data = await in_registry(audit_xlsx)
        return Response(data, media_type=XLSX, headers=download_headers(f"审计日志-{call.id}.xlsx"))

    @app.get("/staff/backup.sqlite", include_in_schema=False)
    async def staff_backup(request: Request, account: Staff) -> Response:
        import tempfile

        def copy(registry: Any) -> bytes:
            with tempfile.TemporaryDirectory() as tmp:
                return Path(registry.backup(Path(tmp) / "backup.sqlite")).read_bytes()

        data = await in_registry(copy)
        name = f"登记库备份-{call.id}-{site.today():%Y%m%d}.sqlite"
        return Response(data, media_type="application/vnd.sqlite3", headers=download_headers(name))

    def batch_page(request: Request, account: Any, **context: Any) -> HTMLResponse:
        fields = {"problem": None, "done": None, "name": "", **context}
        return staff_page(request, "batch.html.j2", title="导入邮件收到的申报书", account=account.name, **fields)

    @app.post("/staff/batch", response_class=HTMLResponse, include_in_schema=False)
    async def staff_batch(request: Request, account: Staff, file: Annotated[UploadFile, File()],
                          csrf: Annotated[str, Form()] = "") -> Response:
        import anyio

        from pipeline.registry import PLATFORM_DB

        check_csrf(request, csrf)
        name = upload_name(file.filename)
        if not name.lower().endswith(".zip"):
            return batch_page(request, account, problem="请上传 .zip 压缩包。")
        stamp = _stamp()
        archive = settings.data / "inbox" / f"{stamp}.zip"
        sha = await anyio.to_thread.run_sync(store_upload, file.file, archive)
        out = settings.data / "rounds" / stamp
        try:
            done = await _in_process(batch_job, str(archive), str(out), str(call.folder),
                                     str(settings.data / PLATFORM_DB))
            problem = None
        except PipelineError as e:
            done, problem = None, e.message_zh
        detail = f"{name} → inbox/{archive.name}" + (f"：{done[0]} 个文件" if done else f"：{problem}")
        await in_registry(lambda r: r.audit(account.name, "batch.upload", detail, sha))
        return batch_page(request, account, problem=problem, done=done, name=name)

    @app.post("/staff/recheck", include_in_schema=False)
    async def staff_recheck(request: Request, account: Staff, csrf: Annotated[str, Form()] = "") -> Response:
        from pipeline.submission import recheck_round

        check_csrf(request, csrf)

        def run(r: Any) -> int:
            changed = recheck_round(r, call)
            r.audit(account.name, "round.recheck", f"{changed} 份报告有变化")
            return changed

        changed = await in_registry(run)
        return RedirectResponse(f"/staff?rechecked={changed}", status_code=303)

    @app.post("/staff/letters", include_in_schema=False)
    async def staff_letters(request: Request, account: Staff, csrf: Annotated[str, Form()] = "") -> Response:
        from pipeline.registry import PLATFORM_DB

        check_csrf(request, csrf)
        stamp = _stamp()
        try:
            data, accepted, returned, skipped = await _in_process(
                letters_job, str(call.folder), str(settings.data / PLATFORM_DB), str(settings.data / "letters" / stamp))
        except PipelineError as e:
            raise HTTPException(409, e.message_zh) from None
        await in_registry(lambda r: r.audit(account.name, "letters.download",
                                            f"受理 {accepted} 份，退回补正 {returned} 份，未出函 {skipped} 份"))
        return Response(data, media_type="application/zip", headers=download_headers(f"函件-{call.id}-{stamp[:8]}.zip"))

    @app.get("/staff/summary.xlsx", include_in_schema=False)
    async def staff_summary(request: Request, account: Staff) -> Response:
        from pipeline.submission import round_summary_xlsx

        data = await in_registry(lambda r: round_summary_xlsx(r, call))
        return Response(data, media_type=XLSX,
                        headers=download_headers(f"申报汇总-{call.id}-{site.today():%Y%m%d}.xlsx"))

    # -- member units ------------------------------------------------------------------------------------------

    def units_page(request: Request, account: Any, **context: Any) -> Response:
        return site.form_page(request, "units.html.j2", 200, None, active="staff", title="会员单位",
                              account=account.name, **{"problem": None, "issued": None, **context})

    async def member_rows() -> list[dict[str, Any]]:
        from pipeline.submission import members_text

        counts = collections.Counter(s.member_no for s in await in_registry(lambda r: r.submissions(call.id)))
        rows = members_text(await in_registry(lambda r: r.members(call.id)))
        return [{**m, "submitted": counts[m["number"]]} for m in rows]

    @app.get("/staff/units", response_class=HTMLResponse, include_in_schema=False)
    async def staff_units(request: Request, account: Staff) -> Response:
        return units_page(request, account, members=await member_rows())

    def issued_download(issued: list[Any]) -> str:
        from pipeline.submission import codes_xlsx

        return f"data:{XLSX};base64,{base64.b64encode(codes_xlsx(issued, call)).decode('ascii')}"

    @app.post("/staff/units/import", response_class=HTMLResponse, include_in_schema=False)
    async def staff_units_import(request: Request, account: Staff, file: Annotated[UploadFile, File()],
                                 csrf: Annotated[str, Form()] = "") -> Response:
        import tempfile

        from pipeline.check.batch import read_members
        from pipeline.submission import import_members

        check_csrf(request, csrf)
        raw = await file.read(settings.call.file.max_bytes + 1)

        def run(r: Any) -> list[Any]:
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / "members.csv"
                path.write_bytes(raw)
                members = read_members(path)
            return import_members(r, call, members, account.name)

        try:
            if len(raw) > settings.call.file.max_bytes:
                raise PipelineError("会员名录文件过大", "the member list is too large")
            issued = await in_registry(run)
        except PipelineError as e:
            problem = e.message_zh.replace(str(Path(tempfile.gettempdir())), "").replace("/members.csv", "")
            return units_page(request, account, members=await member_rows(), problem=problem)
        return units_page(request, account, members=await member_rows(), issued=issued,
                          issued_xlsx=issued_download(issued) if issued else None)

    @app.post("/staff/units/{number}/code", response_class=HTMLResponse, include_in_schema=False)
    async def staff_unit_code(request: Request, account: Staff, number: str,
                              csrf: Annotated[str, Form()] = "") -> Response:
        from pipeline.submission import reissue_code

        check_csrf(request, csrf)
        try:
            issued = [await in_registry(lambda r: reissue_code(r, call, number, account.name))]
        except PipelineError:
            raise HTTPException(404) from None
        return units_page(request, account, members=await member_rows(), issued=issued,
                          issued_xlsx=issued_download(issued))


async def read_stored(site: Site, sha256: str, suffix: str) -> bytes:
    import anyio

    try:
        return await anyio.to_thread.run_sync(site.store.read, sha256, suffix)
    except OSError:
        raise HTTPException(404) from None


async def _in_process(fn: Callable[..., Any], *args: Any) -> Any:
    """fn(*args) in a process of its own (spawned: a batch forks its workers from a single-threaded process)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    loop = asyncio.get_running_loop()
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as one:
        return await loop.run_in_executor(one, fn, *args)
