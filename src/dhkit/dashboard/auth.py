"""Sessions, CSRF tokens and login rate limiting for the team server.

Why not Starlette's ``SessionMiddleware``: it needs ``itsdangerous`` and keeps no expiry
inside the signed value (a copied cookie stays valid as long as the secret does). Here a
session is a small signed token — ``base64url(json) "." base64url(HMAC-SHA256)`` (RFC 2104)
— that carries the user, the role, the CSRF token and an absolute expiry, checked on
every request with a constant-time comparison. The secret is 32 random bytes made when
the server starts (restarting signs everyone out). Logging out revokes the session id
until it would have expired.

>>> signer = Signer(b"k" * 32, ttl_seconds=60)
>>> token = signer.issue("ana", "analyst", now=1000.0)
>>> signer.read(token, now=1010.0).user
'ana'
>>> signer.read(token, now=2000.0) is None       # expired
True
>>> signer.read(token[:-2] + "xx", now=1010.0) is None   # forged
True
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class Session:
    user: str
    role: str
    csrf: str
    sid: str
    expires: float


class Signer:
    """Issues and checks signed, expiring tokens (sessions and the login form's token)."""

    def __init__(self, secret: bytes | None = None, ttl_seconds: int = 8 * 3600) -> None:
        self.secret = secret or secrets.token_bytes(32)
        self.ttl = ttl_seconds
        self._revoked: dict[str, float] = {}
        self._lock = threading.Lock()

    def _sign(self, payload: bytes) -> str:
        return _b64(hmac.new(self.secret, payload, hashlib.sha256).digest())

    def issue(self, user: str, role: str, now: float | None = None) -> str:
        now = time.time() if now is None else now
        body = {"u": user, "r": role, "c": secrets.token_urlsafe(24),
                "s": secrets.token_urlsafe(12), "e": int(now + self.ttl)}
        payload = json.dumps(body, separators=(",", ":")).encode("utf-8")
        return f"{_b64(payload)}.{self._sign(payload)}"

    def read(self, token: str | None, now: float | None = None) -> Session | None:
        """The session, or None when the token is missing, forged, expired or revoked."""
        if not token or token.count(".") != 1:
            return None
        body_text, sig = token.split(".")
        try:
            payload = _unb64(body_text)
        except (ValueError, TypeError):
            return None
        if not hmac.compare_digest(sig, self._sign(payload)):
            return None
        try:
            body = json.loads(payload)
            session = Session(str(body["u"]), str(body["r"]), str(body["c"]), str(body["s"]),
                              float(body["e"]))
        except (ValueError, KeyError, TypeError):
            return None
        now = time.time() if now is None else now
        if session.expires <= now or session.sid in self._revoked:
            return None
        return session

    def revoke(self, session: Session) -> None:
        with self._lock:
            now = time.time()
            self._revoked = {k: v for k, v in self._revoked.items() if v > now}
            self._revoked[session.sid] = session.expires

    def form_token(self, now: float | None = None) -> str:
        """A signed token for the login form (before there is a session)."""
        return self.issue("", "", now)


def same_token(given: str | None, expected: str) -> bool:
    """Constant-time comparison of a submitted CSRF token with the session's."""
    return bool(given) and hmac.compare_digest(str(given), expected)


class RateLimiter:
    """At most ``limit`` failed logins per key (client address, user name) in ``window``
    seconds; further attempts wait until the oldest failure leaves the window.

    >>> r = RateLimiter(limit=2, window=60)
    >>> r.fail("ip", now=0); r.fail("ip", now=1); r.retry_after("ip", now=2)
    58
    """

    def __init__(self, limit: int = 5, window: int = 300) -> None:
        self.limit, self.window = limit, window
        self._fails: dict[str, deque] = {}
        self._lock = threading.Lock()

    def _trim(self, key: str, now: float) -> deque:
        q = self._fails.setdefault(key, deque())
        while q and q[0] <= now - self.window:
            q.popleft()
        return q

    def retry_after(self, key: str, now: float | None = None) -> int:
        """Seconds to wait before the next attempt (0: go ahead)."""
        now = time.time() if now is None else now
        with self._lock:
            q = self._trim(key, now)
            return int(q[0] + self.window - now) if len(q) >= self.limit else 0

    def fail(self, key: str, now: float | None = None) -> None:
        now = time.time() if now is None else now
        with self._lock:
            self._trim(key, now).append(now)

    def reset(self, key: str) -> None:
        with self._lock:
            self._fails.pop(key, None)
