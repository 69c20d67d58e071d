"""The web fixtures of tests/web (an app on a small RuleSet over a fresh migrated SQLite copy, the seeded
users and applications), reused here rather than copied."""

from tests.web.conftest import (  # noqa: F401
    app,
    client,
    db_url,
    migrated_template,
    seeded,
    seeded_template,
    web_ruleset,
)
