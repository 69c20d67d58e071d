"""Applicant profiles: the five kinds, parsing with field-named errors, and cross-field warnings.

`parse_profile(data, today)` returns a `ParsedProfile` (the frozen model plus warnings) or raises
`ProfileError` listing every problem, each with its field path and zh/en messages.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import Field, TypeAdapter, ValidationError

from engine.errors import ProfileError, ProfileIssue
from engine.profile.carriers import IncubatorProfile, InstitutionProfile
from engine.profile.checks import check_profile
from engine.profile.enterprise import EnterpriseProfile
from engine.profile.errors import issues_from
from engine.profile.people import TalentProfile, TeamProfile

Profile = Annotated[
    EnterpriseProfile | IncubatorProfile | InstitutionProfile | TalentProfile | TeamProfile,
    Field(discriminator="kind"),
]
PROFILE_KINDS = ("enterprise", "incubator", "institution", "talent", "team")
_ADAPTER: TypeAdapter[Any] = TypeAdapter(Profile)


@dataclass(frozen=True)
class ParsedProfile:
    profile: Any
    warnings: tuple[ProfileIssue, ...]


def parse_profile(data: Any, today: dt.date) -> ParsedProfile:
    """Validate raw profile data (a dict from YAML/JSON/a form).

    Args:
        data: the raw mapping; `kind` selects the applicant kind (default enterprise).
        today: the date against which "in the future" is judged (the engine has no clock).

    Raises:
        ProfileError: every structural and data-standard error, each naming its field.
    """
    if isinstance(data, dict) and "kind" not in data:
        data = {"kind": "enterprise", **data}
    try:
        profile = _ADAPTER.validate_python(data)
    except ValidationError as exc:
        raise ProfileError(issues_from(exc)) from None
    errors, warnings = check_profile(profile, today)
    if errors:
        raise ProfileError(errors)
    return ParsedProfile(profile, tuple(warnings))


def profile_json_schema() -> dict[str, Any]:
    """The JSON Schema of every applicant kind (exported by `subsidy schema`)."""
    return _ADAPTER.json_schema()


__all__ = ["PROFILE_KINDS", "ParsedProfile", "Profile", "parse_profile", "profile_json_schema",
           "EnterpriseProfile", "IncubatorProfile", "InstitutionProfile", "TalentProfile", "TeamProfile"]
