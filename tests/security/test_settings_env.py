"""Every limit a deployment tunes is a setting read from the environment (one settings module)."""

from __future__ import annotations

from web.settings import load_settings


def test_rate_limits_come_from_the_environment() -> None:
    settings = load_settings("production", {"API_SUBMISSIONS_RATE_LIMIT": "5/hour",
                                            "SUBSIDY_RESUME_LINK_RATE_LIMIT": "off",
                                            "API_TOKENS_RATE_LIMIT": "3/minute"})
    assert settings.API_SUBMISSIONS_RATE_LIMIT == "5/hour"
    assert settings.RESUME_LINK_RATE_LIMIT == "off"
    assert settings.API_TOKENS_RATE_LIMIT == "3/minute"
    assert load_settings("development", {}).API_EVALUATE_RATE_LIMIT == "60/minute"
