"""Staff run the round to its end (/staff/round...): the results, the 公示, the decision and certificates issued,
the cases published; and the public 公示 page (/publicity). Every rule is pipeline.publishing's; these routes check
the role and the form token, call one function, and show its state."""

from __future__ import annotations

import datetime as dt
import secrets
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import FastAPI, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from pipeline.errors import PipelineError
from pipeline.web.site import Staff, check_csrf, download_headers, store_upload, upload_name

if TYPE_CHECKING:
    from pipeline.web.site import Site

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
RESULTS_FILE = "评审结果.xlsx"
SEAL_SUFFIXES = (".png", ".jpg", ".jpeg")
DONE = {"results": "评审结果已计算并保存。", "publicity": "公示已发布。", "decision": "表彰决定和证书已生成。",
        "published": "获奖案例在线分享已登记。"}


def _day(text: str) -> dt.date | None:
    """A date typed in a form (YYYY-MM-DD), or None when left empty; 422 when it is not a date."""
    text = text.strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise HTTPException(422, f"日期应为 YYYY-MM-DD：{text[:20]}") from None


def add_routes(app: FastAPI, site: Site) -> None:
    """The routes of the round's end on `app`."""
    from pipeline import publishing

    call, settings, in_registry = site.call, site.settings, site.in_registry
    results_path = settings.data / "results" / RESULTS_FILE
    issued_dir = settings.data / "issued"


    async def round_page(request: Request, account: Any, status: int = 200, problem: str | None = None,
                         done: str | None = None) -> HTMLResponse:
        seen = await in_registry(lambda r: publishing.state(r, call, site.today()))
        pub = call.publication
        start, end = publishing.period_of(call, None, site.today())
        return site.form_page(
            request, "staff_round.html.j2", status, None, active="staff", title="评审结果与发布", account=account.name,
            state=seen, problem=problem, done=DONE.get(done or ""), zh_date=publishing.zh_date,
            default_start=start.isoformat(), default_end=publishing.zh_date(end), days=pub.publicity_days,
            default_number=pub.publicity_number or "",
            decision_number=call.documents.decision_number or "",
            default_publish=(pub.publish_date or site.today()).isoformat(),
            has_results_file=results_path.is_file())

    @app.get("/staff/round", response_class=HTMLResponse, include_in_schema=False)
    async def staff_round(request: Request, account: Staff, done: str = "") -> Response:
        return await round_page(request, account, done=done)

    async def run(request: Request, account: Any, step: str, fn: Any) -> Response:
        try:
            await in_registry(fn)
        except PipelineError as e:
            return await round_page(request, account, 409, problem=e.message_zh)
        return RedirectResponse(f"/staff/round?done={step}", status_code=303)

    @app.post("/staff/round/results", include_in_schema=False)
    async def staff_round_results(request: Request, account: Staff, csrf: Annotated[str, Form()] = "") -> Response:
        from pipeline.fileio import output_dir

        check_csrf(request, csrf)

        def compute(r: Any) -> Any:
            output_dir(results_path.parent)
            return publishing.compute_results(r, call, results_path, account.name, site.today())

        return await run(request, account, "results", compute)

    @app.get("/staff/round/results.xlsx", include_in_schema=False)
    async def staff_round_results_xlsx(request: Request, account: Staff) -> Response:
        import anyio

        if not results_path.is_file():
            raise HTTPException(404)
        data = await anyio.to_thread.run_sync(results_path.read_bytes)
        return Response(data, media_type=XLSX, headers=download_headers(f"评审结果-{call.id}.xlsx"))

    @app.post("/staff/round/publicity", include_in_schema=False)
    async def staff_round_publicity(request: Request, account: Staff, csrf: Annotated[str, Form()] = "",
                                    start: Annotated[str, Form()] = "",
                                    number: Annotated[str, Form()] = "") -> Response:
        check_csrf(request, csrf)
        first = _day(start)
        return await run(request, account, "publicity", lambda r: publishing.start_publicity(
            r, call, account.name, site.today(), first, number.strip()[:40] or None))

    @app.get("/staff/round/publicity.docx", include_in_schema=False)
    async def staff_round_publicity_docx(request: Request, account: Staff) -> Response:
        def write(r: Any) -> tuple[bytes, str]:
            with tempfile.TemporaryDirectory() as tmp:
                out = Path(tmp) / "公示.docx"
                made = publishing.write_publicity_notice(r, call, out, site.today())
                return out.read_bytes(), made.number

        try:
            data, number = await in_registry(write)
        except PipelineError as e:
            raise HTTPException(409, e.message_zh) from None
        return Response(data, media_type=DOCX, headers=download_headers(f"拟奖项目公示-{number}.docx"))

    @app.post("/staff/round/decision", include_in_schema=False)
    async def staff_round_decision(request: Request, account: Staff, csrf: Annotated[str, Form()] = "",
                                   seal: Annotated[UploadFile | None, File()] = None,
                                   sample_seal: Annotated[str, Form()] = "") -> Response:
        import anyio

        check_csrf(request, csrf)
        picture: Path | None = None
        if seal is not None and seal.filename:
            suffix = Path(upload_name(seal.filename)).suffix.lower()
            if suffix not in SEAL_SUFFIXES:
                return await round_page(request, account, 422, problem="印章图片应为 .png 或 .jpg 文件。")
            picture = settings.data / "seals" / f"{dt.datetime.now(dt.timezone.utc):%Y%m%d-%H%M%S}-" \
                f"{secrets.token_hex(3)}{suffix}"
            await anyio.to_thread.run_sync(store_upload, seal.file, picture)
        use_sample = picture is None and sample_seal == "1"
        return await run(request, account, "decision", lambda r: publishing.issue_decision(
            r, call, issued_dir, account.name, site.today(), picture, use_sample))

    @app.get("/staff/round/issued.zip", include_in_schema=False)
    async def staff_round_issued(request: Request, account: Staff) -> Response:
        import anyio

        seen = await in_registry(lambda r: publishing.state(r, call, site.today()))
        if seen.decision is None or not issued_dir.is_dir():
            raise HTTPException(404)
        data = await anyio.to_thread.run_sync(publishing.issued_archive, issued_dir)
        return Response(data, media_type="application/zip",
                        headers=download_headers(f"表彰决定和证书-{call.id}.zip"))

    @app.post("/staff/round/publish", include_in_schema=False)
    async def staff_round_publish(request: Request, account: Staff, csrf: Annotated[str, Form()] = "",
                                  start: Annotated[str, Form()] = "") -> Response:
        check_csrf(request, csrf)
        first = _day(start)
        return await run(request, account, "published",
                         lambda r: publishing.publish(r, call, account.name, site.today(), first))

    # -- public -------------------------------------------------------------------------------------------------

    @app.get("/publicity", response_class=HTMLResponse, include_in_schema=False)
    async def public_publicity(request: Request) -> Response:
        from pipeline.render.documents import publicity_title

        seen = await in_registry(lambda r: publishing.state(r, call, site.today()))
        p = seen.publicity if seen.phase != "none" else None
        return site.page("publicity.html.j2", title="拟奖项目公示", active="publicity", phase=seen.phase,
                         publicity=p, zh_date=publishing.zh_date, groups=p.by_level() if p else [],
                         title_text=publicity_title(call), contact=call.documents.contact or call.organiser.name)
