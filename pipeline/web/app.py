"""The ASGI application of `award serve`: the check pool's lifespan and the start-up recovery, the upload limit, the
security headers, HEAD, the public routes (home, self-check, sign-in, the JSON API) and the groups of routes of
pipeline.web.staff (the console) and pipeline.web.units (online submission)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any

from fastapi import FastAPI, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, Response

from pipeline.calls import Call
from pipeline.registry import in_data
from pipeline.submission import data_files
from pipeline.text import beijing_time
from pipeline.web.pool import Busy, CheckPool
from pipeline.web.site import (  # noqa: F401 (Settings, RateLimit, upload_name: also the application's names)
    SESSION_COOKIE,
    RateLimit,
    Settings,
    Site,
    check_csrf,
    checked_view,
    csrf_ok,
    csrf_token,
    download_headers,
    set_csrf_cookie,
    too_large_body,
    upload_name,
)

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

# what a multipart body adds to the file it carries (boundaries, part headers, the lang field): a body over the
# file limit plus this is refused while it streams in, before it is read whole
MULTIPART_SLACK = 64 * 1024

SECURITY_HEADERS = {
    "content-security-policy": "default-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'; "
                               "base-uri 'none'; form-action 'self'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
}


class BodyLimit:
    """Refuse a request body over `limit` bytes with 413: at once when Content-Length says so, else as soon as the
    streamed body passes it (the rest is never read; the application sees the client gone and its answer is
    replaced)."""

    def __init__(self, app: Any, limit: int, file_limit: int, archive_limit: int = 0) -> None:
        self.app = app
        self.limit = limit
        self.file_limit = file_limit
        self.archive_limit = archive_limit  # the staff's upload of a round's archive (/staff/batch)

    async def __call__(self, scope: Message, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        archive = scope.get("path") == "/staff/batch"
        limit = self.archive_limit + MULTIPART_SLACK if archive else self.limit
        shown = self.archive_limit if archive else self.file_limit
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length", b"").decode("latin-1")
        if declared.isdigit() and int(declared) > limit:
            await self._refuse(scope, send, shown)
            return
        seen = 0
        over = False
        started = False

        async def limited() -> Message:
            nonlocal seen, over
            if over:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    over = True
                    return {"type": "http.disconnect"}
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            if over:
                return  # the application's answer to a body cut short is replaced by the 413 below
            started = started or message["type"] == "http.response.start"
            await send(message)

        await self.app(scope, limited, tracked)
        if over and not started:
            await self._refuse(scope, send, shown)

    async def _refuse(self, scope: Message, send: Send, shown: int) -> None:
        body = too_large_body(shown)
        response: Response
        if str(scope.get("path", "")).startswith("/api/"):
            response = JSONResponse(body, status_code=413, headers={"connection": "close"})
        else:
            response = HTMLResponse(_plain_page("文件过大", body["message"] + "。"),
                                    status_code=413, headers={"connection": "close"})
        await response({"type": "http"}, _nothing, send)


async def _nothing() -> Message:
    return {"type": "http.disconnect"}


def _plain_page(title: str, text: str) -> str:
    """A page for an answer given before any template (the upload limit)."""
    from html import escape

    return (f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f'<link rel="stylesheet" href="/static/app.css"></head><body><main><h1>{escape(title)}</h1>'
            f'<p>{escape(text)}</p><p><a href="/selfcheck">返回自查页面</a></p></main></body></html>')


class SecurityHeaders:
    """The same security headers on every answer."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Message, receive: Receive, send: Send) -> None:
        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items() if k.encode() not in names]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, with_headers if scope["type"] == "http" else send)


class HeadAsGet:
    """HEAD answered as GET without the body (RFC 9110 §9.3.2): FastAPI's routes list GET only, and link checkers,
    monitors and proxies ask HEAD first."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Message, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body"):
                    return
                message = {"type": "http.response.body", "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)


def create_app(settings: Settings) -> FastAPI:
    """The web application for this call."""
    pool = CheckPool(settings.call, settings.workers, settings.queue)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        import anyio

        from pipeline.submission import sweep

        def recover(running: bool = False) -> None:
            # what a server killed mid-upload left (files no row names), uploads never confirmed
            with in_data(settings.data, settings.call.id) as registry:
                sweep(registry, data_files(settings.data), running=running)

        async def hourly() -> None:
            while True:
                await asyncio.sleep(3600)
                await anyio.to_thread.run_sync(recover, True)

        await anyio.to_thread.run_sync(recover)
        pool.start()
        sweeper = asyncio.create_task(hourly())
        try:
            yield
        finally:
            sweeper.cancel()
            pool.close()

    # no docs pages: FastAPI's load their scripts from a CDN; the API is described at /api/openapi.json
    app = FastAPI(title="质量技术奖申报平台 / Award platform API", version="1", lifespan=lifespan,
                  docs_url=None, redoc_url=None, openapi_url="/api/openapi.json")
    app.state.pool = pool
    file_limit = settings.call.file.max_bytes
    archive_limit = min(settings.archive_max_bytes, settings.call.batch.max_archive_bytes)
    app.add_middleware(BodyLimit, limit=file_limit + MULTIPART_SLACK, file_limit=file_limit,
                       archive_limit=archive_limit)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(HeadAsGet)

    from pipeline.report.html import environment
    from pipeline.resources import templates_dir

    static = {"app.css": (templates_dir() / "web" / "static" / "app.css").read_bytes(),
              "report.css": (templates_dir() / "report" / "report.css").read_bytes()}
    call = settings.call
    limiter = RateLimit(settings.selfchecks_per_minute)
    common = {"platform": f"{call.organiser.short or call.organiser.name}{call.award_short or ''}申报平台",
              "award": call.award, "award_short": call.award_short or call.award, "organiser": call.organiser.name,
              "window_end": f"{call.window_end.year}年{call.window_end.month}月{call.window_end.day}日",
              "max_mb": file_limit // 2**20, "when": beijing_time}

    def page(template: str, status: int = 200, headers: dict[str, str] | None = None, /,
             **context: Any) -> HTMLResponse:
        html = environment().get_template(f"web/{template}").render({**common, **context})
        return HTMLResponse(html, status_code=status, headers=headers)

    # A person's browser gets a page in Chinese for an error, with the way back; API clients (and anything not
    # asking for HTML) keep FastAPI's JSON answers, which the contract's API tests read.
    errors = {400: ("请求有误", "the request is malformed"),
              403: ("无法完成操作", "forbidden"),
              404: ("页面不存在", "not found"),
              405: ("不支持该操作", "method not allowed"),
              409: ("当前无法进行该操作", "not possible now"),
              413: ("文件过大", "too large"),
              422: ("填写的内容有误", "the form is incomplete or malformed"),
              429: ("操作过于频繁", "too many requests")}
    plain = {404: "没有这个页面，或您的账号无权查看它。请检查地址，或从导航重新进入。",
             405: "这个地址不能这样打开。请从页面上的按钮或链接进入。",
             422: "表单缺少必填内容或格式不对。请返回上一页检查后重新提交。"}

    def wants_page(request: Request) -> bool:
        return (not request.url.path.startswith("/api/")
                and "text/html" in request.headers.get("accept", ""))

    def error_page(request: Request, status: int, detail: str | None,
                   headers: dict[str, str] | None) -> HTMLResponse:
        heading, english = errors.get(status, ("出错了", "error"))
        zh = (detail or "").split(" / ")[0] if detail and any("\u4e00" <= ch <= "\u9fff" for ch in detail) else ""
        message = zh or plain.get(status) or "请返回上一页重试；如仍不成功，请联系协会工作人员。"
        area = request.url.path.split("/")[1] if request.url.path.count("/") else ""
        back, back_text = ({"staff": ("/staff", "返回工作人员首页"), "unit": ("/unit", "返回我的申报"),
                            "judge": ("/judge", "返回评审首页"), "winners": ("/winners", "返回获奖成果")}
                           .get(area, ("/", "返回首页")))
        return page("error.html.j2", status, headers, title=heading, heading=heading, message=message,
                    english=english, status=status, back=back, back_text=back_text, active="")

    from fastapi.exception_handlers import http_exception_handler, request_validation_exception_handler
    from fastapi.exceptions import RequestValidationError
    from starlette.exceptions import HTTPException as StarletteHTTPException

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code < 400 or not wants_page(request):
            return await http_exception_handler(request, exc)
        detail = exc.detail if isinstance(exc.detail, str) else None
        return error_page(request, exc.status_code, detail, dict(exc.headers) if exc.headers else None)

    @app.exception_handler(RequestValidationError)
    async def form_error(request: Request, exc: RequestValidationError) -> Response:
        if not wants_page(request):
            return await request_validation_exception_handler(request, exc)
        return error_page(request, 422, None, None)

    @app.get("/static/{name}", include_in_schema=False)
    async def static_file(name: str) -> Response:
        if name not in static:
            raise HTTPException(404)
        return Response(static[name], media_type="text/css; charset=utf-8",
                        headers={"cache-control": "public, max-age=3600"})

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def home() -> HTMLResponse:
        from pipeline.publishing import public_phase

        phase = await in_registry(lambda r: public_phase(r, call, settings.today()))
        return page("home.html.j2", title="首页", active="home", publicity_on=phase == "during")

    def form_page(request: Request, template: str, status: int = 200, headers: dict[str, str] | None = None,
                  /, **context: Any) -> HTMLResponse:
        """A page with forms: the browser's CSRF token in the page (and its cookie set when new)."""
        token, new = csrf_token(request)
        response = page(template, status, headers, **context, csrf=token)
        if new:
            set_csrf_cookie(response, request, token)
        return response

    def selfcheck_page(request: Request, status: int = 200, headers: dict[str, str] | None = None,
                       **context: Any) -> HTMLResponse:
        fields = {"title": "申报书自查", "active": "selfcheck", "lang": "zh", "shown": False, "problem": None,
                  **context}
        return form_page(request, "selfcheck.html.j2", status, headers, **fields)

    @app.get("/selfcheck", response_class=HTMLResponse, include_in_schema=False)
    async def selfcheck_form(request: Request) -> HTMLResponse:
        return selfcheck_page(request)

    @app.post("/selfcheck", response_class=HTMLResponse, include_in_schema=False)
    async def selfcheck(request: Request, file: Annotated[UploadFile, File()], csrf: Annotated[str, Form()] = "",
                        lang: Annotated[str, Form()] = "zh") -> HTMLResponse:
        from pipeline.model import Report

        lang = lang if lang in ("zh", "en") else "zh"
        if not csrf_ok(request, csrf):
            return selfcheck_page(request, 403, lang=lang,
                                  problem="页面已过期或来源不明，请刷新本页后重新上传。")
        wait = limiter.wait(request.client.host if request.client else "")
        if wait:
            return selfcheck_page(request, 429, {"retry-after": str(wait)}, lang=lang,
                                  problem=f"上传过于频繁，请 {wait} 秒后再试。")
        data = await file.read(file_limit + 1)
        if len(data) > file_limit:
            return selfcheck_page(request, 413, lang=lang, problem=too_large_body(file_limit)["message"] + "。")
        if not data:
            return selfcheck_page(request, 400, lang=lang, problem="没有收到文件，请选择申报书后再上传。")
        name = upload_name(file.filename)
        try:
            found, annotated = await pool.selfcheck(data, name, lang)
        except Busy as busy:
            return selfcheck_page(request, 503, {"retry-after": str(busy.retry_after)}, lang=lang,
                                  problem=f"当前检查的人较多，请 {busy.retry_after} 秒后再试。")
        report = Report.from_dict(found)
        return selfcheck_page(request, **checked_view(report, call, name, annotated, lang),
                              clean=report.status == "pass")

    signin_limiter = RateLimit(settings.signins_per_minute)

    async def in_registry(fn: Callable[[Any], Any]) -> Any:
        """fn(registry) in a worker thread (argon2 and SQLite never run on the event loop), on its own connection."""
        import anyio

        def run() -> Any:
            with in_data(settings.data, call.id) as registry:
                return fn(registry)

        return await anyio.to_thread.run_sync(run)

    async def signed_in(request: Request) -> Any:
        """The account of this browser's session, or None."""
        from pipeline.accounts import account_of

        token = request.cookies.get(SESSION_COOKIE)
        return await in_registry(lambda r: account_of(r, token)) if token else None

    def signin_page(request: Request, status: int = 200, headers: dict[str, str] | None = None,
                    **context: Any) -> HTMLResponse:
        fields = {"title": "登录", "active": "signin", "problem": None, "name": "", **context}
        return form_page(request, "signin.html.j2", status, headers, **fields)

    @app.get("/signin", response_class=HTMLResponse, include_in_schema=False)
    async def signin_form(request: Request) -> HTMLResponse:
        return signin_page(request)

    @app.post("/signin", response_class=HTMLResponse, include_in_schema=False)
    async def signin(request: Request, name: Annotated[str, Form()] = "", password: Annotated[str, Form()] = "",
                     csrf: Annotated[str, Form()] = "") -> Response:
        from fastapi.responses import RedirectResponse

        from pipeline.accounts import SESSION, sign_in

        if not csrf_ok(request, csrf):
            return signin_page(request, 403, problem="页面已过期或来源不明，请刷新本页后重新登录。")
        wait = signin_limiter.wait(request.client.host if request.client else "")
        if wait:
            return signin_page(request, 429, {"retry-after": str(wait)}, name=name,
                               problem=f"登录尝试过于频繁，请 {wait} 秒后再试。")
        done = await in_registry(lambda r: sign_in(r, name, password))
        if done.token is None:
            return signin_page(request, 401, name=name, problem=done.refused[0] + "。")
        target = {"staff": "/staff", "unit": "/unit", "judge": "/judge"}.get(done.account.role, "/")
        if done.account.must_change:
            target = "/account/password"
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(SESSION_COOKIE, done.token, max_age=int(SESSION.total_seconds()), httponly=True,
                            samesite="lax", secure=request.url.scheme == "https", path="/")
        return response

    @app.post("/signout", include_in_schema=False)
    async def signout(request: Request, csrf: Annotated[str, Form()] = "") -> Response:
        from fastapi.responses import RedirectResponse

        from pipeline.accounts import sign_out

        check_csrf(request, csrf)
        token = request.cookies.get(SESSION_COOKIE)
        await in_registry(lambda r: sign_out(r, token))
        response = RedirectResponse("/", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    app.state.signed_in = signed_in

    site = Site(settings, call, pool, data_files(settings.data), page, form_page, in_registry, signed_in)
    app.state.site = site
    from pipeline.web import staff, staff_round, units

    staff.add_routes(app, site)
    units.add_routes(app, site)
    from pipeline.web import judges, staff_review

    judges.add_routes(app, site)
    staff_review.add_routes(app, site)
    staff_round.add_routes(app, site)
    from pipeline.web import cases

    cases.add_routes(app, site)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        """Liveness: the application answers (its checks run elsewhere, so this stays fast under load)."""
        return {"status": "ok"}

    @app.post("/api/v1/check")
    async def api_check(file: Annotated[UploadFile, File()], lang: Annotated[str, Form()] = "zh") -> Response:
        """Self-check of one application: the JSON report, exactly what `award check --format json` prints for the
        same file. 413 over the call's size limit; 503 with Retry-After when every worker is busy and the queue
        is full."""
        from pipeline.actions import report_document
        from pipeline.model import Report

        if lang not in ("zh", "en"):
            raise HTTPException(422, "lang 应为 zh 或 en / lang is zh or en")
        data = await file.read(file_limit + 1)
        if len(data) > file_limit:
            return JSONResponse(too_large_body(file_limit), status_code=413)
        try:
            report = await pool.check(data, upload_name(file.filename))
        except Busy as busy:
            return JSONResponse({"error": "busy", "message": "检查繁忙，请稍后再试",
                                 "message_en": "busy; try again shortly"},
                                status_code=503, headers={"retry-after": str(busy.retry_after)})
        text = report_document([Report.from_dict(report)], "json", settings.call, lang)
        return Response(text, media_type="application/json; charset=utf-8")

    return app


def serve(call: Call, host: str = "127.0.0.1", port: int = 8000, workers: int | None = None, queue: int = 8,
          data: Path = Path("award-data")) -> None:
    """Run the platform with uvicorn until interrupted (Ctrl-C stops it and its workers)."""
    import uvicorn

    with in_data(data, call.id):
        pass  # made and claimed for this call now: a wrong --data fails before the server starts
    settings = Settings(call, workers, queue, data=data, failpoint=_failpoint(os.environ.get("AWARD_FAILPOINT")))
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info")


def _failpoint(name: str | None) -> Callable[[], None] | None:
    """AWARD_FAILPOINT=registration: the server kills itself (SIGKILL, as a power cut would) inside a submission's
    registration, before it commits: how the crash test proves a submission is all there or not there at all."""
    if name != "registration":
        return None

    def die() -> None:
        import signal

        os.kill(os.getpid(), signal.SIGKILL)

    return die
