"""The platform's accounts: passwords kept only as argon2 hashes, sign-in with a lockout after repeated wrong
passwords, sessions named by a random token (the registry keeps its SHA-256, never the token). One library for
`award users` and `award serve`."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import secrets
from dataclasses import dataclass

from pipeline.errors import PipelineError
from pipeline.registry import Account, Registry

ROLES = ("staff", "unit", "judge")
MIN_PASSWORD = 10
MAX_FAILED = 5  # wrong passwords in a row before the account is locked
LOCK = dt.timedelta(minutes=15)
SESSION = dt.timedelta(hours=12)


class AccountError(PipelineError):
    """An account cannot be made as asked (name, role or password)."""


@functools.lru_cache(maxsize=1)
def _dummy_hash() -> str:
    from argon2 import PasswordHasher

    return PasswordHasher().hash(secrets.token_urlsafe(16))


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or dt.datetime.now(dt.timezone.utc)


def _iso(t: dt.datetime) -> str:
    return t.isoformat(timespec="seconds")


def token_key(token: str) -> str:
    """What the registry keeps of a session token."""
    return hashlib.sha256(token.encode()).hexdigest()


def add_user(registry: Registry, name: str, role: str, password: str, by: str = "award users add") -> None:
    """A new account: a name of 2–64 visible characters, one of ROLES, a password of at least MIN_PASSWORD."""
    from argon2 import PasswordHasher

    name = name.strip()
    if not 2 <= len(name) <= 64 or any(c.isspace() or not c.isprintable() for c in name):
        raise AccountError("账号名应为2至64个字符，不含空格", "the account name is 2 to 64 characters, no spaces")
    if role not in ROLES:
        raise AccountError(f"角色应为 {'、'.join(ROLES)} 之一", f"the role is one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"密码至少{MIN_PASSWORD}个字符", f"the password needs at least {MIN_PASSWORD} characters")
    registry.add_user(name, role, PasswordHasher().hash(password), by)


@dataclass(frozen=True)
class SignIn:
    """The answer to a sign-in: the session token and its account, or why not (zh, en)."""

    token: str | None = None
    account: Account | None = None
    refused: tuple[str, str] | None = None


WRONG = ("账号或密码不正确", "wrong account name or password")


def sign_in(registry: Registry, name: str, password: str, now: dt.datetime | None = None) -> SignIn:
    """Check the password; a session on success. After MAX_FAILED wrong passwords in a row the account is locked
    for LOCK (the right password too is refused then)."""
    from argon2 import PasswordHasher
    from argon2.exceptions import InvalidHashError, VerificationError

    t = _now(now)
    hasher = PasswordHasher()
    account = registry.user(name.strip())
    if account is None:
        # the same work as for a real account, so the answer's time does not tell which names exist
        with contextlib.suppress(VerificationError):
            hasher.verify(_dummy_hash(), password + "\0")
        return SignIn(refused=WRONG)
    if account.locked_until and account.locked_until > _iso(t):
        return SignIn(refused=_locked(account.locked_until, t))
    try:
        hasher.verify(account.password_hash, password)
    except (VerificationError, InvalidHashError):
        lock = _iso(t + LOCK) if account.failed + 1 >= MAX_FAILED else None
        registry.sign_in_failed(account.id, lock)
        return SignIn(refused=_locked(lock, t) if lock else WRONG)
    token = secrets.token_urlsafe(32)
    registry.start_session(account.id, token_key(token), _iso(t + SESSION))
    return SignIn(token=token, account=account)


def _locked(until: str, now: dt.datetime) -> tuple[str, str]:
    minutes = max(1, int((dt.datetime.fromisoformat(until) - now).total_seconds() // 60) + 1)
    return (f"密码错误次数过多，账号已暂时锁定，请 {minutes} 分钟后再试",
            f"too many wrong passwords: the account is locked for {minutes} min")


def account_of(registry: Registry, token: str | None, now: dt.datetime | None = None) -> Account | None:
    """The account of a live session token, or None."""
    if not token:
        return None
    return registry.session_account(token_key(token), _iso(_now(now)))


def sign_out(registry: Registry, token: str | None) -> None:
    """End the session of this token (nothing when there is none)."""
    if token:
        registry.end_session(token_key(token))
