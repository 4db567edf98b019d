"""The member units' routes (在线申报, /unit...) and setting one's own password (/account/password). A unit sees
only its own applications: any other number is answered 404, as if it did not exist. Every rule (the window, the
per-unit limit, whose form it is, registration, versions) is pipeline.submission's."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import FastAPI, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from pipeline.errors import PipelineError
from pipeline.web.pool import Busy
from pipeline.web.site import (
    RateLimit,
    Unit,
    check_csrf,
    checked_view,
    download_headers,
    too_large_body,
    upload_name,
)
from pipeline.web.staff import MIME

if TYPE_CHECKING:
    from pipeline.web.site import Site



def add_routes(app: FastAPI, site: Site) -> None:
    """The unit's routes and the password route on `app`."""
    call, in_registry = site.call, site.in_registry
    file_limit = call.file.max_bytes
    limiter = RateLimit(max(site.settings.selfchecks_per_minute, 10))


    async def overview(account: Any) -> dict[str, Any]:
        from pipeline.submission import unit_applications, window_state, window_text

        def gather(r: Any) -> dict[str, Any]:
            return {"member": r.member_of(call.id, account.id), "mine": unit_applications(r, call, account.id)}

        seen = await in_registry(gather)
        today = site.today()
        return {**seen, "window": window_state(call, today), "window_text": window_text(call, today)[0],
                "limit": call.batch.max_per_applicant, "account": account.name}

    def unit_page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        return site.form_page(request, template, status, None, active="unit", consent_text=call.publication.consent,
                              **context)

    @app.get("/unit", response_class=HTMLResponse, include_in_schema=False)
    async def unit_home(request: Request, account: Unit) -> Response:
        return unit_page(request, "unit.html.j2", title="在线申报", **await overview(account), problem=None)

    async def mine(account: Any, reg_no: str) -> Any:
        from pipeline.submission import unit_application

        found = await in_registry(lambda r: unit_application(r, call, account.id, reg_no))
        if found is None:
            raise HTTPException(404)
        return found

    @app.get("/unit/applications/{reg_no}", response_class=HTMLResponse, include_in_schema=False)
    async def unit_application_page(request: Request, account: Unit, reg_no: str) -> Response:
        from pipeline.model import Report
        from pipeline.report.html import report_view
        from pipeline.web.cases import unit_publication

        found = await mine(account, reg_no)
        view = report_view([Report.from_dict(found.app.report)], call) if found.app.report else {}
        publication = await in_registry(lambda r: unit_publication(r, call, reg_no))
        return unit_page(request, "unit_application.html.j2", title=f"申报书 {reg_no}", **view,
                         **await overview(account), item=found, shown=bool(view), problem=None,
                         submitted=request.query_params.get("submitted") == "1",
                         consent_saved=request.query_params.get("consent") == "1", **publication)

    @app.get("/unit/applications/{reg_no}/files/{version}", include_in_schema=False)
    async def unit_file(request: Request, account: Unit, reg_no: str, version: int) -> Response:
        from pipeline.web.staff import read_stored

        found = await mine(account, reg_no)
        versions = [v for v in found.versions if v.version == version]
        if not versions:
            raise HTTPException(404)
        v = versions[0]
        data = await read_stored(site, v.sha256, v.suffix)
        return Response(data, media_type=MIME.get(v.suffix, "application/octet-stream"),
                        headers=download_headers(f"{reg_no}-第{version}版{v.suffix}"))

    @app.post("/unit/upload", response_class=HTMLResponse, include_in_schema=False)
    async def unit_upload(request: Request, account: Unit, file: Annotated[UploadFile, File()],
                          csrf: Annotated[str, Form()] = "", replaces: Annotated[str, Form()] = "") -> Response:
        from pipeline.model import Report
        from pipeline.submission import accept

        check_csrf(request, csrf)
        seen = await overview(account)
        target = replaces or None
        if target is not None and target not in {u.app.reg_no for u in seen["mine"]}:
            raise HTTPException(404)

        def again(status: int, problem: str, **more: Any) -> HTMLResponse:
            return unit_page(request, "unit_upload.html.j2", status, title="上传申报书", **seen, problem=problem,
                             replaces=target, shown=False, token=None, **more)

        wait = limiter.wait(site.client(request))
        if wait:
            return again(429, f"上传过于频繁，请 {wait} 秒后再试。")
        data = await file.read(file_limit + 1)
        if len(data) > file_limit:
            return again(413, too_large_body(file_limit)["message"] + "。")
        if not data:
            return again(400, "没有收到文件，请选择申报书后再上传。")
        name = upload_name(file.filename)
        try:
            checked, annotated = await site.pool.submission(data, name, "zh")
        except Busy as busy:
            return again(503, f"当前检查的人较多，请 {busy.retry_after} 秒后再试。")
        report = Report.from_dict(checked["report"])
        shown = checked_view(report, call, name, annotated)
        if report.count("error"):
            await in_registry(lambda r: r.audit(account.name, "upload.refused",
                                                f"{name}：{report.count('error')} 处错误", checked["report"]["file"]
                                                ["sha256"], target))
            return unit_page(request, "unit_upload.html.j2", 200, title="上传申报书", **seen, problem=None,
                             replaces=target, token=None, **shown)
        try:
            upload = await in_registry(lambda r: accept(r, site.store, call, account.id, data, name, checked,
                                                        target, site.today()))
        except PipelineError as e:
            return again(409, e.message_zh + "。")
        await in_registry(lambda r: r.audit(account.name, "upload.checked", name, upload.sha256, target))
        return unit_page(request, "unit_upload.html.j2", 200, title="确认提交", **seen, problem=None,
                         replaces=target, token=upload.token, **shown)

    @app.post("/unit/confirm", include_in_schema=False)
    async def unit_confirm(request: Request, account: Unit, token: Annotated[str, Form()] = "",
                           csrf: Annotated[str, Form()] = "", consent: Annotated[str, Form()] = "") -> Response:
        from pipeline.submission import confirm

        check_csrf(request, csrf)
        failpoint = site.settings.failpoint
        try:
            reg_no, _ = await in_registry(lambda r: confirm(r, call, account.id, account.name, token, site.today(),
                                                            failpoint, consent=consent == "1"))
        except PipelineError as e:
            seen = await overview(account)
            return unit_page(request, "unit.html.j2", 409, title="在线申报", **seen, problem=e.message_zh + "。")
        return RedirectResponse(f"/unit/applications/{reg_no}?submitted=1", status_code=303)

    # -- one's own password ------------------------------------------------------------------------------------

    def password_page(request: Request, account: Any, status: int = 200, problem: str | None = None) -> HTMLResponse:
        return site.form_page(request, "password.html.j2", status, None,
                              active={"staff": "staff", "judge": "judge"}.get(account.role, "unit"), title="设置密码",
                              account=account.name, first=account.must_change, problem=problem)

    async def signed(request: Request) -> Any:
        account = await site.signed_in(request)
        if account is None:
            raise HTTPException(303, "请先登录 / sign in first", headers={"location": "/signin"})
        return account

    @app.get("/account/password", response_class=HTMLResponse, include_in_schema=False)
    async def password_form(request: Request) -> Response:
        return password_page(request, await signed(request))

    @app.post("/account/password", response_class=HTMLResponse, include_in_schema=False)
    async def password_set(request: Request, password: Annotated[str, Form()] = "",
                           again: Annotated[str, Form()] = "", csrf: Annotated[str, Form()] = "") -> Response:
        from pipeline.submission import set_own_password

        account = await signed(request)
        check_csrf(request, csrf)
        try:
            await in_registry(lambda r: set_own_password(r, account.name, password, again))
        except PipelineError as e:
            return password_page(request, account, 400, e.message_zh + "。")
        target = {"staff": "/staff", "unit": "/unit", "judge": "/judge"}.get(account.role, "/")
        return RedirectResponse(target, status_code=303)
