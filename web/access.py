"""The role check of every view: `@role_required("reviewer")` (below the blueprints, which all use it).

Anonymous visitors are sent to the login page (and back afterwards); a logged-in user of another role gets
403. Ownership (an applicant's own applications) is checked by the view's query, which answers 404.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user

from web.extensions import login_manager

F = TypeVar("F", bound=Callable[..., Any])


def role_required(*roles: str) -> Callable[[F], F]:
    """Allow the view to users of these roles only."""
    def decorate(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        wrapped.roles = roles  # type: ignore[attr-defined]  (read by the route-access test and the nav)
        return wrapped  # type: ignore[return-value]
    return decorate


def may_use(user: Any, roles: tuple[str, ...]) -> bool:
    return bool(user.is_authenticated and user.role in roles)
