"""The judges' routes (在线评审, /judge...). A judge sees only the applications assigned to them now: any other number
(unassigned, conflicted, recused, unknown) is answered 404 on every route, GET and POST, before anything else of the
request is read. Every rule (the window, the form's checks, drafts, submission, 回避) is pipeline.judging's."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import FastAPI, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from pipeline.errors import PipelineError
from pipeline.web.site import Judge, check_csrf, download_headers
from pipeline.web.staff import MIME

if TYPE_CHECKING:
    from pipeline.judging import JudgeApplication, ScoreForm
    from pipeline.web.site import Site


def add_routes(app: FastAPI, site: Site) -> None:
    """The judge's routes on `app`."""
    call, in_registry = site.call, site.in_registry


    def judge_page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        return site.form_page(request, template, status, None, active="judge", **context)

    @app.get("/judge", response_class=HTMLResponse, include_in_schema=False)
    async def judge_home(request: Request, account: Judge) -> Response:
        from pipeline.judging import judge_desk

        desk = await in_registry(lambda r: judge_desk(r, call, account.name, site.today()))
        return judge_page(request, "judge.html.j2", title="在线评审", desk=desk, account=account.name,
                          recused=request.query_params.get("recused"))

    async def mine(account: Any, reg_no: str) -> JudgeApplication:
        from pipeline.judging import judge_application

        found = await in_registry(lambda r: judge_application(r, call, account.name, reg_no, site.today()))
        if found is None:
            raise HTTPException(404)
        return found

    def application_page(request: Request, account: Any, item: JudgeApplication, status: int = 200,
                         **context: Any) -> HTMLResponse:
        fields = {"problems": [], "problem": None, "saved": False, "submitted": False, "form": item.form, **context}
        return judge_page(request, "judge_application.html.j2", status, title=f"评审 {item.app.reg_no}", item=item,
                          account=account.name, **fields)

    @app.get("/judge/applications/{reg_no}", response_class=HTMLResponse, include_in_schema=False)
    async def judge_application_page(request: Request, account: Judge, reg_no: str) -> Response:
        item = await mine(account, reg_no)
        return application_page(request, account, item, submitted=request.query_params.get("submitted") == "1")

    async def original(reg_no: str) -> Any:
        from pipeline.judging import original_file

        found = await in_registry(lambda r: original_file(r, site.store, site.settings.data, reg_no))
        if found is None:
            raise HTTPException(404, "平台上没有该申报书的原件 / the platform does not hold this file")
        return found

    @app.get("/judge/applications/{reg_no}/file", include_in_schema=False)
    async def judge_file(request: Request, account: Judge, reg_no: str) -> Response:
        await mine(account, reg_no)
        found = await original(reg_no)
        await in_registry(lambda r: r.audit(account.name, "file.download", f"{reg_no}（评审）", found.sha256, reg_no))
        return Response(found.data, media_type=MIME.get(found.suffix, "application/octet-stream"),
                        headers=download_headers(f"{reg_no}-申报书{found.suffix}"))

    @app.get("/judge/applications/{reg_no}/pdf", include_in_schema=False)
    async def judge_pdf(request: Request, account: Judge, reg_no: str) -> Response:
        import anyio

        from pipeline.judging import pdf_of

        item = await mine(account, reg_no)
        found = await original(reg_no)
        try:
            data = await anyio.to_thread.run_sync(pdf_of, site.settings.data, found)
        except PipelineError as e:
            return application_page(request, account, item, 503, problem=e.message_zh + "。")
        name = f"{reg_no}-申报书.pdf"
        headers = {"content-disposition": download_headers(name)["content-disposition"].replace("attachment",
                                                                                                "inline", 1)}
        return Response(data, media_type="application/pdf", headers=headers)

    def typed(form: Any) -> ScoreForm:
        from pipeline.judging import ScoreForm

        criteria = {c.id: str(form.get(f"score_{c.id}") or "") for c in call.review.criteria}
        return ScoreForm(criteria, form.get("veto") == "1", str(form.get("veto_reason") or ""),
                         str(form.get("comment") or ""))

    @app.post("/judge/applications/{reg_no}/draft", response_class=HTMLResponse, include_in_schema=False)
    async def judge_draft(request: Request, account: Judge, reg_no: str) -> Response:
        from pipeline.judging import save_draft

        item = await mine(account, reg_no)
        form = await request.form()
        check_csrf(request, str(form.get("csrf") or ""))
        sent = typed(form)
        try:
            problems = await in_registry(lambda r: save_draft(r, call, account.name, reg_no, sent, account.name,
                                                              site.today()))
        except PipelineError as e:
            return application_page(request, account, item, 409, problem=e.message_zh + "。", form=sent)
        item = await mine(account, reg_no)
        return application_page(request, account, item, saved=True, problems=problems, form=sent)

    @app.post("/judge/applications/{reg_no}/submit", response_class=HTMLResponse, include_in_schema=False)
    async def judge_submit(request: Request, account: Judge, reg_no: str) -> Response:
        from pipeline.judging import submit

        item = await mine(account, reg_no)
        form = await request.form()
        check_csrf(request, str(form.get("csrf") or ""))
        sent = typed(form)
        try:
            problems = await in_registry(lambda r: submit(r, call, account.name, reg_no, sent, account.name,
                                                          site.today()))
        except PipelineError as e:
            return application_page(request, account, item, 409, problem=e.message_zh + "。", form=sent)
        if problems:
            item = await mine(account, reg_no)
            return application_page(request, account, item, 422, problems=problems, form=sent,
                                    problem="评分未提交：请按下列提示修改（已保存为草稿）。")
        return RedirectResponse(f"/judge/applications/{reg_no}?submitted=1", status_code=303)

    @app.post("/judge/applications/{reg_no}/recuse", response_class=HTMLResponse, include_in_schema=False)
    async def judge_recuse(request: Request, account: Judge, reg_no: str, reason: Annotated[str, Form()] = "",
                           csrf: Annotated[str, Form()] = "") -> Response:
        from pipeline.judging import recuse

        item = await mine(account, reg_no)
        check_csrf(request, csrf)
        try:
            await in_registry(lambda r: recuse(r, call, account.name, reg_no, reason, account.name, site.today()))
        except PipelineError as e:
            return application_page(request, account, item, 409, problem=e.message_zh + "。")
        return RedirectResponse(f"/judge?recused={reg_no}", status_code=303)
