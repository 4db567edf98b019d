"""What the platform's groups of routes share (pipeline.web.app, .staff, .units): the settings, the per-address
rate limit, the CSRF double-submit token, download names, uploads kept under our own names, the role checks
(`Staff`, `Unit`, `Judge`) and the `Site` that create_app hands to each group."""

from __future__ import annotations

import collections
import datetime as dt
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from pipeline.calls import Call
from pipeline.submission import FileStore
from pipeline.text import beijing_today
from pipeline.web.pool import CheckPool


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
    today: Callable[[], dt.date] = beijing_today  # the day the call's dates are read on, in Beijing (tests set it)
    # run inside the registration's transaction before it commits: the crash test's SIGKILL (AWARD_FAILPOINT)
    failpoint: Callable[[], None] | None = None


def too_large_body(limit: int) -> dict[str, Any]:
    """The 413 answer's JSON."""
    mb = limit // 2**20
    return {"error": "too_large", "message": f"文件超过 {mb} MB 的大小上限", "message_en": f"the file is over {mb} MB"}


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


def check_csrf(request: Request, sent: str) -> None:
    """Refuse a form whose token is not this browser's (a stale page, or another site's): 403 with the reason."""
    if not csrf_ok(request, sent):
        raise HTTPException(403, "页面已过期或来源不明，请刷新后重试 / stale form: reload the page")


def set_csrf_cookie(response: Response, request: Request, token: str) -> None:
    """The token's cookie: HttpOnly, SameSite=Lax, Secure over HTTPS."""
    response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="lax", secure=request.url.scheme == "https",
                        path="/")


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


def checked_view(report: Any, call: Call, name: str, annotated: bytes | None, lang: str = "zh"
                 ) -> dict[str, Any]:
    """What a page shows of a checked upload: the report (as `award check --format html` shows it), its counts,
    and the annotated copy as a download carried in the page itself (nothing of the file is kept for it)."""
    import base64

    from pipeline.report.html import report_view

    mime = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    link = f"data:{mime};base64,{base64.b64encode(annotated).decode('ascii')}" if annotated is not None else None
    return {**report_view([report], call, lang), "shown": True, "errors": report.count("error"),
            "warnings": report.count("warning"), "annotated": link,
            "annotated_name": f"{PurePosixPath(name).stem}-批注.docx" if link else None}


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


async def require_unit(request: Request) -> Any:
    """The signed-in member unit's account (its own password set), checked before anything of the request is read;
    else a redirect to sign in (no session) or to set its password (first sign-in with a one-time code), or 404
    (another role)."""
    account = await request.app.state.signed_in(request)
    if account is None:
        raise HTTPException(303, "请先登录 / sign in first", headers={"location": "/signin"})
    if account.role != "unit":
        raise HTTPException(404)
    if account.must_change:
        raise HTTPException(303, "请先设置密码 / set a password first", headers={"location": "/account/password"})
    return account


Unit = Annotated[Any, Depends(require_unit)]


async def require_judge(request: Request) -> Any:
    """The signed-in judge's account (its own password set), checked before anything of the request is read; else a
    redirect to sign in (no session) or to set its password (first sign-in with a one-time code), or 404 (another
    role)."""
    account = await request.app.state.signed_in(request)
    if account is None:
        raise HTTPException(303, "请先登录 / sign in first", headers={"location": "/signin"})
    if account.role != "judge":
        raise HTTPException(404)
    if account.must_change:
        raise HTTPException(303, "请先设置密码 / set a password first", headers={"location": "/account/password"})
    return account


Judge = Annotated[Any, Depends(require_judge)]


@dataclass(frozen=True)
class Site:
    """What every group of routes shares: the settings and call, the check pool, the file store, and the page and
    registry helpers made by create_app."""

    settings: Settings
    call: Call
    pool: CheckPool
    store: FileStore
    page: Callable[..., HTMLResponse]
    form_page: Callable[..., HTMLResponse]
    in_registry: Callable[[Callable[[Any], Any]], Awaitable[Any]]
    signed_in: Callable[[Request], Awaitable[Any]]

    def today(self) -> dt.date:
        return self.settings.today()

    def client(self, request: Request) -> str:
        return request.client.host if request.client else ""

