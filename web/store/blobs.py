"""This file defines where uploaded materials live: files named by their sha256 under the instance folder.

Outside the web root and never addressed by the uploaded name. A file is written once (atomically:
temporary file, then rename) and read back only through a validated hex digest.

Uploads go to a staging area first (issue 18): `stage()` writes `staging/<sha256>`, and `promote()` moves it
into place when the submission that attaches it is about to commit. A refused form therefore leaves nothing
in the store proper, and `subsidy cleanup` removes staged files older than a day and stored files no row
refers to (`orphans()`), so neither area grows without bound.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

HEX64 = re.compile(r"^[0-9a-f]{64}$")
STAGING = "staging"


def default_root() -> Path:
    """$SUBSIDY_MATERIALS, else instance/materials (next to the default database; never under web/static)."""
    from web.settings import INSTANCE_DIR

    return Path(os.environ.get("SUBSIDY_MATERIALS") or INSTANCE_DIR / "materials")


class BlobStore:
    def __init__(self, root: Path | str):
        self.root = Path(root)

    def path(self, sha256: str) -> Path:
        """The file of a digest (ValueError for anything that is not 64 lower-case hex digits)."""
        if not HEX64.match(sha256 or ""):
            raise ValueError("not a sha256 hex digest")
        return self.root / sha256[:2] / sha256

    def staged_path(self, sha256: str) -> Path:
        if not HEX64.match(sha256 or ""):
            raise ValueError("not a sha256 hex digest")
        return self.root / STAGING / sha256

    def put(self, data: bytes) -> str:
        """Store the bytes (once) and return their sha256."""
        digest = hashlib.sha256(data).hexdigest()
        _write_once(self.path(digest), data)
        return digest

    def stage(self, data: bytes) -> str:
        """Keep the bytes of an upload not yet submitted (staging area); return their sha256."""
        digest = hashlib.sha256(data).hexdigest()
        if not self.path(digest).exists():
            _write_once(self.staged_path(digest), data)
        return digest

    def promote(self, digests: Iterable[str]) -> list[str]:
        """Move staged files into the store (before the commit that attaches them); returns digests missing."""
        missing = []
        for digest in digests:
            target, staged = self.path(digest), self.staged_path(digest)
            if target.exists():
                continue
            if not staged.exists():
                missing.append(digest)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staged, target)
        return missing

    def read(self, sha256: str) -> bytes:
        return self.path(sha256).read_bytes()

    def has(self, sha256: str) -> bool:
        try:
            return self.path(sha256).is_file() or self.staged_path(sha256).is_file()
        except ValueError:
            return False

    def stored(self) -> Iterator[tuple[str, Path]]:
        """(digest, path) of every file in the store proper (not staging)."""
        if not self.root.is_dir():
            return
        for folder in self.root.iterdir():
            if folder.is_dir() and len(folder.name) == 2:
                for path in folder.iterdir():
                    if HEX64.match(path.name):
                        yield path.name, path

    def remove_stale(self, referenced: set[str], older_than_s: float) -> tuple[int, int]:
        """Delete staged files and unreferenced stored files (and temporary leftovers) older than `older_than_s`.

        Returns (files removed, bytes freed). The age guard keeps a file staged or promoted by a submission still
        in flight (its row is not committed yet).
        """
        cutoff, removed, freed = time.time() - older_than_s, 0, 0
        candidates: list[Path] = []
        staging = self.root / STAGING
        if staging.is_dir():
            candidates += [p for p in staging.iterdir() if p.is_file()]
        candidates += [path for digest, path in self.stored() if digest not in referenced]
        if self.root.is_dir():
            candidates += [p for folder in self.root.iterdir() if folder.is_dir()
                           for p in folder.glob(".upload-*")]
        for path in candidates:
            try:
                info = path.stat()
                if info.st_mtime < cutoff:
                    path.unlink()
                    removed, freed = removed + 1, freed + info.st_size
            except FileNotFoundError:
                continue
        return removed, freed


def _write_once(target: Path, data: bytes) -> None:
    if target.exists():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
