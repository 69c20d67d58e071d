"""This file defines how an applicant is identified and what of its identifier the store may keep.

Organisations are identified by their unified social credit code, which is public and stored as is.
People (talents, and teams through their leader) are identified by an ID number, which is stored only
masked (data_standards.md §2.6: first 6 and last 4) plus a SHA-256 digest used as the lookup key.
A profile without an identifier is identified by kind and name.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from engine.standards.idcard import mask_id, normalize_id
from engine.standards.uscc import normalize_uscc
from web.store.models import PERSON_KINDS


@dataclass(frozen=True)
class Identity:
    kind: str
    party: str  # organisation | person
    name: str
    credit_code: str | None
    id_number_masked: str | None
    digest: str


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def organisation_digest(code: str) -> str:
    return _digest(f"org:{normalize_uscc(code)}")


def person_digest(number: str) -> str:
    return _digest(f"person:{normalize_id(number)}")


def name_digest(kind: str, name: str) -> str:
    return _digest(f"name:{kind}:{name.strip()}")


def identity_of(profile: Any) -> Identity:
    """The identity of a validated engine profile (any of the five kinds).

    >>> from types import SimpleNamespace as P
    >>> identity_of(P(kind="enterprise", name="清远云栈", credit_code="91441802MA0000031T")).credit_code
    '91441802MA0000031T'
    """
    kind, name = profile.kind, profile.name
    if kind in PERSON_KINDS:
        person = profile.person if kind == "talent" else profile.leader
        number = getattr(person, "id_number", None)
        if number:
            return Identity(kind, "person", name, None, mask_id(number), person_digest(number))
        return Identity(kind, "person", name, None, None, name_digest(kind, name))
    code = getattr(profile, "credit_code", None)
    if code:
        normal = normalize_uscc(code)
        return Identity(kind, "organisation", name, normal, None, organisation_digest(normal))
    return Identity(kind, "organisation", name, None, None, name_digest(kind, name))


def digests_for(code: str) -> set[str]:
    """The digests an identifier typed by a user may stand for (a credit code or an ID number)."""
    return {organisation_digest(code), person_digest(code)}
