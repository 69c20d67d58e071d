"""Error types of the engine: every error carries a stable code, a location and zh/en messages.

Rule authors see `RuleFileError` (file, line, column, code, message, hint); applicants see
`ProfileIssue` (a field path plus a Chinese and an English message). Nothing here prints tracebacks.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Message:
    """A user-facing text in both languages; Chinese is the default."""

    zh: str
    en: str

    def get(self, lang: str = "zh") -> str:
        return self.en if lang == "en" else self.zh


class EngineError(Exception):
    """Base class of all errors raised by the engine."""


@dataclass(frozen=True)
class RuleFileError:
    """One problem in one rule file, located to the line and column where possible."""

    file: str
    line: int
    col: int
    code: str
    message: str
    hint: str = ""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.col}" if self.line else self.file
        tail = f" ({self.hint})" if self.hint else ""
        return f"{where}: [{self.code}] {self.message}{tail}"


class RuleLoadError(EngineError):
    """Raised once, after collecting every error of a load: the RuleSet is all or nothing."""

    def __init__(self, errors: list[RuleFileError]):
        self.errors = sorted(errors, key=lambda e: (e.file, e.line, e.col, e.code))
        super().__init__("\n".join(str(e) for e in self.errors))


@dataclass(frozen=True)
class ProfileIssue:
    """A field-level problem (error or warning) in an applicant profile."""

    path: str
    code: str
    message: Message
    severity: str = "error"

    def as_dict(self) -> dict[str, str]:
        return {"path": self.path, "code": self.code, "zh": self.message.zh, "en": self.message.en,
                "severity": self.severity}

    def __str__(self) -> str:
        return f"{self.path}: [{self.code}] {self.message.zh} / {self.message.en}"


class ProfileError(EngineError):
    """Raised when a profile does not validate; carries every issue found, each naming its field."""

    def __init__(self, issues: list[ProfileIssue]):
        self.issues = issues
        super().__init__("\n".join(str(i) for i in issues))


@dataclass
class ExprError(EngineError):
    """A problem found while parsing or type-checking a condition expression."""

    code: str
    message: str
    offset: int = 0
    hint: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"[{self.code}] {self.message}" + (f" ({self.hint})" if self.hint else "")
