"""在线分享: the public winners' pages (/winners, /winners/{reg_no}), the staff's view of the cases (consent,
withdrawn pages, the 成果汇编 download) and the unit's consent to publication. Who may see which case is
pipeline.cases' rule; these routes only call it (a case that is not public is answered 404, as if it did not exist)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import FastAPI, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from pipeline.errors import PipelineError
from pipeline.web.site import Staff, Unit, check_csrf, download_headers

if TYPE_CHECKING:
    from pipeline.web.site import Site

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def add_routes(app: FastAPI, site: Site) -> None:
    """The winners' pages, the staff's case routes and the unit's consent route on `app`."""
    from pipeline import cases as cs

    call, in_registry = site.call, site.in_registry


    # -- the public ------------------------------------------------------------------------------------------------

    @app.get("/winners", response_class=HTMLResponse, include_in_schema=False)
    async def winners(request: Request) -> Response:
        def gather(r: Any) -> dict[str, Any]:
            return {"open": cs.published(r, call), "groups": cs.by_level(cs.public_cases(r, call))}

        seen = await in_registry(gather)
        return site.page("winners.html.j2", title="获奖成果", active="winners", **seen,
                         publish_date=cs.publish_date_text(call), casebook_title=cs.CASEBOOK_TITLE)

    @app.get("/winners/{reg_no}", response_class=HTMLResponse, include_in_schema=False)
    async def winner(request: Request, reg_no: str) -> Response:
        from pipeline.render.charts import number_text, svg

        case = await in_registry(lambda r: cs.public_case(r, call, reg_no))
        if case is None:
            raise HTTPException(404)
        # narrower than the printed one (640 x 360): its labels stay readable on a phone
        chart = svg(case.benefits.chart(), 480, 330) if case.benefits is not None else None
        return site.page("winner.html.j2", title=case.project, active="winners", case=case, chart=chart,
                         number=number_text)

    # -- staff -------------------------------------------------------------------------------------------------------

    def staff_cases_page(request: Request, account: Any, seen: dict[str, Any], status: int = 200,
                         problem: str | None = None, done: str | None = None) -> HTMLResponse:
        return site.form_page(request, "staff_cases.html.j2", status, None, active="staff", title="获奖案例与发布",
                              account=account.name, problem=problem, done=done, **seen,
                              consent_text=call.publication.consent, publish_date=cs.publish_date_text(call))

    def overview(r: Any) -> dict[str, Any]:
        steps = r.publication_steps(call.id)
        return {"cases": cs.all_cases(r, call), "decided": cs.DECISION in steps, "open": cs.published(r, call),
                "steps": steps}

    @app.get("/staff/cases", response_class=HTMLResponse, include_in_schema=False)
    async def staff_cases(request: Request, account: Staff) -> Response:
        said = {"withdrawn": "已撤下该案例页面。", "restored": "已恢复该案例页面。"}
        done = said.get(request.query_params.get("done", ""))
        return staff_cases_page(request, account, await in_registry(overview), done=done)

    async def change(request: Request, account: Any, act: Any, done: str) -> Response:
        try:
            await in_registry(act)
        except PipelineError as e:
            return staff_cases_page(request, account, await in_registry(overview), 409, e.message_zh + "。")
        return RedirectResponse(f"/staff/cases?done={done}", status_code=303)

    @app.post("/staff/cases/{reg_no}/withdraw", include_in_schema=False)
    async def staff_withdraw(request: Request, account: Staff, reg_no: str, reason: Annotated[str, Form()] = "",
                             csrf: Annotated[str, Form()] = "") -> Response:
        check_csrf(request, csrf)
        text = " ".join(reason.split())
        return await change(request, account, lambda r: cs.withdraw(r, call, reg_no, text, account.name),
                            "withdrawn")

    @app.post("/staff/cases/{reg_no}/restore", include_in_schema=False)
    async def staff_restore(request: Request, account: Staff, reg_no: str,
                            csrf: Annotated[str, Form()] = "") -> Response:
        check_csrf(request, csrf)
        return await change(request, account, lambda r: cs.restore(r, call, reg_no, account.name), "restored")

    @app.get("/staff/casebook.docx", include_in_schema=False)
    async def staff_casebook(request: Request, account: Staff, public: int = 0) -> Response:
        from pipeline.casebook import casebook_bytes

        proof = not public
        day = call.publication.publish_date or site.today()

        def build(r: Any) -> tuple[bytes, int]:
            data, made = casebook_bytes(r, call, day, proof)
            kind = "内部校对稿" if proof else "公开版"
            r.audit(account.name, "casebook.download", f"成果汇编（{kind}，{len(made)} 个案例）")
            return data, len(made)

        try:
            data, _ = await in_registry(build)
        except PipelineError as e:
            return staff_cases_page(request, account, await in_registry(overview), 409, e.message_zh + "。")
        name = f"{call.award}成果汇编{'（内部校对稿）' if proof else ''}.docx"
        return Response(data, media_type=DOCX, headers=download_headers(name))

    # -- the unit: consent -------------------------------------------------------------------------------------------

    @app.post("/unit/applications/{reg_no}/consent", include_in_schema=False)
    async def unit_consent(request: Request, account: Unit, reg_no: str, consent: Annotated[str, Form()] = "",
                           csrf: Annotated[str, Form()] = "") -> Response:
        mine = await in_registry(lambda r: reg_no in {s.reg_no for s in r.submissions(call.id, account.id)})
        if not mine:
            raise HTTPException(404)
        check_csrf(request, csrf)
        try:
            await in_registry(lambda r: cs.change_consent(r, call, account.id, reg_no, consent == "1", account.name))
        except PipelineError as e:
            raise HTTPException(409, e.message_zh) from None
        return RedirectResponse(f"/unit/applications/{reg_no}?consent=1", status_code=303)


def unit_publication(r: Any, call: Any, reg_no: str) -> dict[str, Any]:
    """What the unit's application page shows of publication: the unit's answer to the consent line and whether it
    may still change it; its result and the judges' comments once the decision is out (pipeline.cases.feedback)."""
    from pipeline import cases as cs

    consents = r.consents(call.id)
    return {"consent": consents.get(reg_no, False),
            "consent_open": cs.consent_open(r, call), "feedback": cs.feedback(r, call, reg_no)}
