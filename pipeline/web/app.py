"""The ASGI application of `award serve`: settings, the check pool's lifespan, the upload limit, security headers and
the routes (today the JSON API: /healthz and /api/v1/check)."""

from __future__ import annotations

import asyncio
import base64
import collections
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Annotated, Any

from fastapi import Depends, FastAPI, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, Response

from pipeline.calls import Call
from pipeline.errors import PipelineError
from pipeline.registry import in_data
from pipeline.web.pool import Busy, CheckPool

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


@dataclass(frozen=True)
class Settings:
    """What `award serve` is started with."""

    call: Call
    workers: int | None = None  # checks at once (default: one per CPU)
    queue: int = 8  # checks waiting beyond those; more get 503 with Retry-After
    selfchecks_per_minute: int = 10  # self-check uploads one address may make a minute (429 beyond)
    data: Path = Path("award-data")  # the registry (award.sqlite) and the files
    archive_max_bytes: int = 2**30  # a round's archive staff upload (/staff/batch), at most the call's own limit
    signins_per_minute: int = 10  # sign-in attempts one address may make a minute (429 beyond)


def too_large_body(limit: int) -> dict[str, Any]:
    """The 413 answer's JSON."""
    mb = limit // 2**20
    return {"error": "too_large", "message": f"文件超过 {mb} MB 的大小上限", "message_en": f"the file is over {mb} MB"}


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


class RateLimit:
    """At most `per_minute` uses a minute for one key (a client address), in this process."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self.used: dict[str, collections.deque[float]] = {}

    def wait(self, key: str, now: float | None = None) -> int:
        """0 when the key may go on now (and the use is counted), else the seconds until it may."""
        now = time.monotonic() if now is None else now
        times = self.used.setdefault(key, collections.deque())
        while times and now - times[0] >= 60:
            times.popleft()
        if len(times) >= self.per_minute:
            return max(1, int(60 - (now - times[0])) + 1)
        times.append(now)
        if len(self.used) > 10_000:  # forget idle addresses
            for k in [k for k, v in self.used.items() if not v or now - v[-1] >= 60]:
                del self.used[k]
        return 0


CSRF_COOKIE = "award_csrf"


def csrf_token(request: Request) -> tuple[str, bool]:
    """The form token of this browser (its cookie's), and whether it is new (the cookie is to be set)."""
    token = request.cookies.get(CSRF_COOKIE, "")
    if len(token) >= 32:
        return token, False
    return secrets.token_urlsafe(32), True


def csrf_ok(request: Request, sent: str) -> bool:
    """The form's token is this browser's cookie (double submit: another site cannot read the cookie)."""
    token = request.cookies.get(CSRF_COOKIE, "")
    return len(token) >= 32 and secrets.compare_digest(token.encode(), sent.encode())


def set_csrf_cookie(response: Response, request: Request, token: str) -> None:
    """The token's cookie: HttpOnly, SameSite=Lax, Secure over HTTPS."""
    response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="lax", secure=request.url.scheme == "https",
                        path="/")


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


SESSION_COOKIE = "award_session"


def download_headers(name: str) -> dict[str, str]:
    """Content-Disposition for a download whose name may be Chinese (RFC 6266 / RFC 5987: an ASCII fallback, and
    the UTF-8 name that browsers use)."""
    from urllib.parse import quote

    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in name)
    return {"content-disposition": f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"}


def store_upload(source: Any, target: Path) -> str:
    """Copy an uploaded file (a file object) to `target` atomically, never under the upload's own name; its SHA-256."""
    import hashlib

    from pipeline.fileio import atomic_write, output_dir

    output_dir(target.parent)
    digest = hashlib.sha256()

    def copy(fh: Any) -> None:
        source.seek(0)
        while chunk := source.read(1 << 20):
            digest.update(chunk)
            fh.write(chunk)

    atomic_write(target, copy)
    return digest.hexdigest()


def batch_job(archive: str, out_dir: str, call_folder: str, db: str) -> tuple[int, int, int, str]:
    """`award batch` of an uploaded archive into the platform's registry, run in a process of its own (spawned, so
    the batch's worker pool is forked from a single-threaded process): files, passed, to handle, summary path."""
    from pipeline.actions import check_batch
    from pipeline.calls import load_call

    done = check_batch(Path(archive), Path(out_dir), load_call(call_folder), Path(db), letters=False)
    return len(done.result.rows), done.passed, done.to_handle, str(done.summary)


def upload_name(name: str | None) -> str:
    """The name a report shows for an upload: its last path part only (never used as a path)."""
    base = PurePosixPath((name or "").replace("\\", "/")).name.strip()
    return base or "upload"


async def require_staff(request: Request) -> Any:
    """The signed-in staff account, checked before anything of the request is read; else a redirect to sign in (no
    session) or 404 (another role: the console does not exist for it)."""
    account = await request.app.state.signed_in(request)
    if account is None:
        raise HTTPException(303, "请先登录 / sign in first", headers={"location": "/signin"})
    if account.role != "staff":
        raise HTTPException(404)
    return account


Staff = Annotated[Any, Depends(require_staff)]


def create_app(settings: Settings) -> FastAPI:
    """The web application for this call."""
    pool = CheckPool(settings.call, settings.workers, settings.queue)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pool.start()
        try:
            yield
        finally:
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

    from pipeline.report.html import environment
    from pipeline.resources import templates_dir

    static = {"app.css": (templates_dir() / "web" / "static" / "app.css").read_bytes(),
              "report.css": (templates_dir() / "report" / "report.css").read_bytes()}
    call = settings.call
    limiter = RateLimit(settings.selfchecks_per_minute)
    common = {"platform": f"{call.organiser.short or call.organiser.name}{call.award_short or ''}申报平台",
              "award": call.award, "award_short": call.award_short or call.award, "organiser": call.organiser.name,
              "window_end": f"{call.window_end.year}年{call.window_end.month}月{call.window_end.day}日",
              "max_mb": file_limit // 2**20}

    def page(template: str, status: int = 200, headers: dict[str, str] | None = None, /,
             **context: Any) -> HTMLResponse:
        html = environment().get_template(f"web/{template}").render({**common, **context})
        return HTMLResponse(html, status_code=status, headers=headers)

    @app.get("/static/{name}", include_in_schema=False)
    async def static_file(name: str) -> Response:
        if name not in static:
            raise HTTPException(404)
        return Response(static[name], media_type="text/css; charset=utf-8",
                        headers={"cache-control": "public, max-age=3600"})

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def home() -> HTMLResponse:
        return page("home.html.j2", title="首页", active="home")

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
        from pipeline.report.html import report_view

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
        view = report_view([report], call, lang)
        link, link_name = None, None
        if annotated is not None:
            # the copy travels in the page itself: nothing of the file is kept on the server after this answer
            mime = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            link = f"data:{mime};base64,{base64.b64encode(annotated).decode('ascii')}"
            link_name = f"{PurePosixPath(name).stem}-批注.docx"
        return selfcheck_page(request, **view, shown=True, clean=report.status == "pass",
                              errors=report.count("error"), warnings=report.count("warning"),
                              annotated=link, annotated_name=link_name)

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
        fields = {"title": "工作人员登录", "active": "staff", "problem": None, "name": "", **context}
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
        response = RedirectResponse("/staff" if done.account.role == "staff" else "/", status_code=303)
        response.set_cookie(SESSION_COOKIE, done.token, max_age=int(SESSION.total_seconds()), httponly=True,
                            samesite="lax", secure=request.url.scheme == "https", path="/")
        return response

    @app.post("/signout", include_in_schema=False)
    async def signout(request: Request, csrf: Annotated[str, Form()] = "") -> Response:
        from fastapi.responses import RedirectResponse

        from pipeline.accounts import sign_out

        if not csrf_ok(request, csrf):
            return page("home.html.j2", 403, title="首页", active="home")
        token = request.cookies.get(SESSION_COOKIE)
        await in_registry(lambda r: sign_out(r, token))
        response = RedirectResponse("/", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    app.state.signed_in = signed_in

    def staff_page(request: Request, template: str, **context: Any) -> HTMLResponse:
        return form_page(request, template, 200, None, active="staff", **context)

    @app.get("/staff/applications", response_class=HTMLResponse, include_in_schema=False)
    async def staff_applications(request: Request, account: Staff, status: str = "", q: str = "", sort: str = "reg_no",
                                 desc: bool = False) -> Response:
        from pipeline.text import nfkc

        apps = await in_registry(lambda r: r.applications(call.id, status or None))
        needle = nfkc(q).strip().casefold()
        if needle:
            apps = [a for a in apps if any(needle in nfkc(x or "").casefold()
                                           for x in (a.reg_no, a.applicant, a.project, a.category, a.path))]
        keys: dict[str, Callable[[Any], Any]] = {
            "reg_no": lambda a: a.seq, "applicant": lambda a: a.applicant or "", "project": lambda a: a.project or "",
            "category": lambda a: a.category or "", "errors": lambda a: a.errors or 0}
        sort = sort if sort in keys else "reg_no"
        apps = sorted(apps, key=keys[sort], reverse=desc)
        return staff_page(request, "applications.html.j2", title="申报书列表", account=account.name, apps=apps,
                          status=status, q=q, sort=sort, desc=desc)

    @app.get("/staff/applications/{reg_no}", response_class=HTMLResponse, include_in_schema=False)
    async def staff_application(request: Request, account: Staff, reg_no: str) -> Response:
        from pipeline.model import Report
        from pipeline.report.html import report_view

        app_row = await in_registry(lambda r: r.application(reg_no))
        if app_row is None or app_row.report is None:
            raise HTTPException(404)
        view = report_view([Report.from_dict(app_row.report)], call)
        return staff_page(request, "application.html.j2", **view, title=f"申报书 {reg_no}", account=account.name,
                          app=app_row, shown=True)

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
        mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return Response(data, media_type=mime, headers=download_headers(f"审计日志-{call.id}.xlsx"))

    @app.get("/staff/backup.sqlite", include_in_schema=False)
    async def staff_backup(request: Request, account: Staff) -> Response:
        import datetime as dt
        import tempfile


        def copy(registry: Any) -> bytes:
            with tempfile.TemporaryDirectory() as tmp:
                return Path(registry.backup(Path(tmp) / "backup.sqlite")).read_bytes()

        data = await in_registry(copy)
        name = f"登记库备份-{call.id}-{dt.date.today():%Y%m%d}.sqlite"
        return Response(data, media_type="application/vnd.sqlite3", headers=download_headers(name))

    @app.post("/staff/batch", response_class=HTMLResponse, include_in_schema=False)
    async def staff_batch(request: Request, account: Staff, file: Annotated[UploadFile, File()],
                          csrf: Annotated[str, Form()] = "") -> Response:
        import datetime as dt
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        import anyio

        from pipeline.registry import PLATFORM_DB

        if not csrf_ok(request, csrf):
            raise HTTPException(403)
        name = upload_name(file.filename)
        if not name.lower().endswith(".zip"):
            return staff_page(request, "batch.html.j2", title="导入邮件收到的申报书", account=account.name,
                              problem="请上传 .zip 压缩包。", done=None)
        stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(3)
        archive = settings.data / "inbox" / f"{stamp}.zip"
        sha = await anyio.to_thread.run_sync(store_upload, file.file, archive)
        out = settings.data / "rounds" / stamp
        loop = asyncio.get_running_loop()
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as one:
            try:
                done = await loop.run_in_executor(one, batch_job, str(archive), str(out), str(call.folder),
                                                  str(settings.data / PLATFORM_DB))
                problem = None
            except PipelineError as e:
                done, problem = None, e.message_zh
        detail = f"{name} → inbox/{archive.name}" + (f"：{done[0]} 个文件" if done else f"：{problem}")
        await in_registry(lambda r: r.audit(account.name, "batch.upload", detail, sha))
        return staff_page(request, "batch.html.j2", title="导入邮件收到的申报书", account=account.name,
                          problem=problem, done=done, name=name)

    @app.get("/staff/summary.xlsx", include_in_schema=False)
    async def staff_summary(request: Request, account: Staff) -> Response:
        rounds = sorted((settings.data / "rounds").glob("*/summary.xlsx"))
        if not rounds:
            raise HTTPException(404)
        import anyio

        data = await anyio.to_thread.run_sync(rounds[-1].read_bytes)
        mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return Response(data, media_type=mime,
                        headers=download_headers(f"申报汇总-{call.id}-{rounds[-1].parent.name}.xlsx"))

    @app.get("/staff", response_class=HTMLResponse, include_in_schema=False)
    async def staff_home(request: Request, account: Staff) -> Response:
        apps = await in_registry(lambda r: r.applications(call.id))
        counts = collections.Counter(a.status for a in apps)
        return staff_page(request, "staff.html.j2", title="工作台", account=account.name, total=len(apps),
                          counts=sorted(counts.items()))

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
    uvicorn.run(create_app(Settings(call, workers, queue, data=data)), host=host, port=port, log_level="info")
