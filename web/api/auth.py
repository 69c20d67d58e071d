"""This file defines the API's bearer tokens: signed, expiring, stateless (no table).

`POST /api/v1/tokens` with a username and password returns a token signed with the app's SECRET_KEY
(itsdangerous, salt "subsidy-api-token") that carries the user id and the user's epoch and expires after
API_TOKEN_MAX_AGE seconds (default 3600). Each request re-reads the user and compares the epoch: logging out
on the website, changing the password and deactivation all bump it, so every token issued
before stops working — and stays dead when a deactivated user is reactivated; changing SECRET_KEY revokes
every token. `authenticate_for_token` checks the password under the web
form's login policy (web/auth_policy.py): the same throttles and locks, recorded in the same table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar

from flask import current_app, g, request
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from web.api.problems import Problem
from web.auth_policy import login_policy, retry_minutes
from web.db_session import db
from web.store import queries
from web.store.web_queries import user_by_id

if TYPE_CHECKING:  # rows come from the query modules; the model is named for type hints only
    from web.store.models import User

SALT = "subsidy-api-token"
DEFAULT_MAX_AGE = 3600
F = TypeVar("F", bound=Callable[..., Any])


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def max_age() -> int:
    return int(current_app.config.get("API_TOKEN_MAX_AGE", DEFAULT_MAX_AGE))


def issue_token(user: User) -> dict[str, Any]:
    token = _serializer().dumps({"uid": user.id, "role": user.role, "ep": int(user.session_epoch or 0)})
    seconds = max_age()
    expires = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(seconds=seconds)
    return {"access_token": token, "token_type": "Bearer", "expires_in": seconds,
            "expires_at": expires.isoformat().replace("+00:00", "Z"), "scope": user.role}


def authenticate_for_token(username: str, password: str) -> User:
    """The active user with this password, under the login policy; 429 problem when throttled, 401 when wrong."""
    address, policy = request.remote_addr or "?", login_policy()
    verdict = policy.attempt(address, username, "api")  # decided and reserved atomically
    if verdict.wait:
        raise Problem("rate-limited", f"Too many failed logins; retry in {verdict.wait} s "
                      f"/ 登录失败次数过多，请{retry_minutes(verdict)}分钟后再试", headers={"Retry-After": str(verdict.wait)})
    user = queries.authenticate(db(), username, password)
    policy.settle(verdict, address, username, user is not None, "api")
    if user is None:
        raise Problem("invalid-credentials", "Wrong username or password, or the user is inactive "
                      "/ 用户名或密码错误，或用户已停用", headers={"WWW-Authenticate": 'Bearer realm="api"'})
    return user


def _bearer() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if not header:
        raise Problem("unauthorized", "This operation needs `Authorization: Bearer <token>` (POST /api/v1/tokens) "
                      "/ 需要令牌", headers={"WWW-Authenticate": 'Bearer realm="api"'})
    if scheme.lower() != "bearer" or not token.strip():
        raise Problem("invalid-token", "The Authorization header must be `Bearer <token>` / 认证头格式应为 Bearer 令牌",
                      headers={"WWW-Authenticate": 'Bearer realm="api", error="invalid_request"'})
    return token.strip()


def current_api_user() -> User:
    """The user the request's bearer token names (401 problem when absent, invalid, expired or inactive)."""
    if "api_user" in g:
        user: User = g.api_user
        return user
    token = _bearer()
    invalid = {"WWW-Authenticate": 'Bearer realm="api", error="invalid_token"'}
    try:
        payload = _serializer().loads(token, max_age=max_age())
    except SignatureExpired:
        raise Problem("invalid-token", "The token has expired; request a new one / 令牌已过期，请重新获取",
                      headers=invalid) from None
    except BadSignature:
        raise Problem("invalid-token", "The token is not valid / 令牌无效", headers=invalid) from None
    uid = payload.get("uid") if isinstance(payload, dict) else None
    user = user_by_id(db(), uid) if isinstance(uid, int) else None
    if user is None or not user.active:
        raise Problem("invalid-token", "The token's user no longer exists or is inactive / 令牌对应的用户不存在或已停用",
                      headers=invalid)
    if payload.get("ep") != int(user.session_epoch or 0):
        raise Problem("invalid-token", "The token was revoked (logout, password change or deactivation); request a "
                      "new one / 令牌已被撤销（退出登录、修改密码或停用），请重新获取", headers=invalid)
    g.api_user = user
    return user


def require_roles(*roles: str) -> Callable[[F], F]:
    """Decorate a view: a valid token whose user has one of `roles`, else 401 / 403 problem."""
    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            user = current_api_user()
            if user.role not in roles:
                raise Problem("forbidden", f"This operation needs the {' or '.join(roles)} scope; the token has "
                              f"{user.role} / 当前令牌的角色无权执行此操作")
            return view(*args, **kwargs)
        return wrapper  # type: ignore[return-value]
    return decorate
