"""Persistence: applicants, applications, decisions, reviews and every RuleSet used, on a hash chain.

Use it through `web.store.queries` (the only module that touches a Session); `db` makes engines and
sessions, `migrate` drives Alembic, `chain` defines what is hashed and how a chain is verified, `export`
builds the self-contained record of a decision. The data model is described in docs/data-model.md.
"""
