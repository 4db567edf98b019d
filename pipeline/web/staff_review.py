"""The staff's review routes: the judges (list, accounts, the judges CSV imported, one-time codes) and the review's
progress (per judge, per application, overdue, 回避 declarations), reassignment and reopening a submitted form.
Every route takes the signed-in staff account first (`Staff`); every rule is pipeline.judging's."""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import FastAPI, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from pipeline.errors import PipelineError
from pipeline.web.site import Staff, check_csrf, upload_name
from pipeline.web.staff import XLSX

if TYPE_CHECKING:
    from pipeline.web.site import Site


def add_routes(app: FastAPI, site: Site) -> None:
    """The staff's review routes on `app`."""
    call, in_registry = site.call, site.in_registry


    async def judges_page(request: Request, account: Any, status: int = 200, **context: Any) -> Response:
        from pipeline.judging import judge_rows, review_window_text

        rows = await in_registry(lambda r: judge_rows(r, call))
        fields = {"problem": None, "issued": None, "done": None, "issued_xlsx": None, **context}
        return site.form_page(request, "staff_judges.html.j2", status, None, active="staff", title="评审专家",
                              account=account.name, judges=rows, window_text=review_window_text(call, site.today()),
                              **fields)

    def issued_download(issued: Any) -> str:
        from pipeline.judging import judge_codes_xlsx

        return f"data:{XLSX};base64,{base64.b64encode(judge_codes_xlsx(issued, call)).decode('ascii')}"

    @app.get("/staff/judges", response_class=HTMLResponse, include_in_schema=False)
    async def staff_judges(request: Request, account: Staff) -> Response:
        return await judges_page(request, account)

    @app.post("/staff/judges/import", response_class=HTMLResponse, include_in_schema=False)
    async def staff_judges_import(request: Request, account: Staff, file: Annotated[UploadFile, File()],
                                  csrf: Annotated[str, Form()] = "") -> Response:
        from pipeline.judging import import_judges

        check_csrf(request, csrf)
        limit = call.file.max_bytes
        raw = await file.read(limit + 1)
        if len(raw) > limit:
            return await judges_page(request, account, 413, problem="专家名单文件过大。")
        name = upload_name(file.filename)
        try:
            done = await in_registry(lambda r: import_judges(r, call, raw, account.name, name))
        except PipelineError as e:
            return await judges_page(request, account, 400, problem=e.message_zh + "。")
        return await judges_page(request, account, done=done, issued=done.issued,
                                 issued_xlsx=issued_download(done.issued) if done.issued else None)

    @app.post("/staff/judges/{judge_id}/code", response_class=HTMLResponse, include_in_schema=False)
    async def staff_judge_code(request: Request, account: Staff, judge_id: str,
                               csrf: Annotated[str, Form()] = "") -> Response:
        from pipeline.judging import reissue_judge_code

        check_csrf(request, csrf)
        try:
            issued = [await in_registry(lambda r: reissue_judge_code(r, call, judge_id, account.name))]
        except PipelineError:
            raise HTTPException(404) from None
        return await judges_page(request, account, issued=issued, issued_xlsx=issued_download(issued))

    async def review_page(request: Request, account: Any, status: int = 200, **context: Any) -> Response:
        from pipeline.judging import progress

        seen = await in_registry(lambda r: progress(r, call, site.today()))
        fields = {"problem": None, "done": None, **context}
        return site.form_page(request, "staff_review.html.j2", status, None, active="staff", title="评审进度",
                              account=account.name, p=seen, **fields)

    @app.get("/staff/review", response_class=HTMLResponse, include_in_schema=False)
    async def staff_review(request: Request, account: Staff) -> Response:
        done = {"reassigned": "专家分配已调整。", "reopened": "评分已退回，专家可修改后重新提交。"}
        return await review_page(request, account, done=done.get(request.query_params.get("done", "")))

    @app.post("/staff/review/reassign", response_class=HTMLResponse, include_in_schema=False)
    async def staff_reassign(request: Request, account: Staff, reg_no: Annotated[str, Form()] = "",
                             remove: Annotated[str, Form()] = "", add: Annotated[str, Form()] = "",
                             csrf: Annotated[str, Form()] = "") -> Response:
        from pipeline.judging import reassign

        check_csrf(request, csrf)
        try:
            await in_registry(lambda r: reassign(r, call, reg_no, remove or None, add or None, account.name))
        except PipelineError as e:
            return await review_page(request, account, 409, problem=e.message_zh + "。")
        return RedirectResponse("/staff/review?done=reassigned", status_code=303)

    @app.post("/staff/review/reopen", response_class=HTMLResponse, include_in_schema=False)
    async def staff_reopen(request: Request, account: Staff, reg_no: Annotated[str, Form()] = "",
                           judge_id: Annotated[str, Form()] = "", reason: Annotated[str, Form()] = "",
                           csrf: Annotated[str, Form()] = "") -> Response:
        from pipeline.judging import reopen

        check_csrf(request, csrf)
        try:
            await in_registry(lambda r: reopen(r, call, reg_no, judge_id, reason, account.name))
        except PipelineError as e:
            return await review_page(request, account, 409, problem=e.message_zh + "。")
        return RedirectResponse("/staff/review?done=reopened", status_code=303)
