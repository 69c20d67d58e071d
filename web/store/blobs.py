"""This file defines where uploaded materials live: files named by their sha256 under the instance folder.

Outside the web root and never addressed by the uploaded name. A file is written once (atomically:
temporary file, then rename) and read back only through a validated hex digest.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

HEX64 = re.compile(r"^[0-9a-f]{64}$")


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

    def put(self, data: bytes) -> str:
        """Store the bytes (once) and return their sha256."""
        digest = hashlib.sha256(data).hexdigest()
        target = self.path(digest)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(data)
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        return digest

    def read(self, sha256: str) -> bytes:
        return self.path(sha256).read_bytes()

    def has(self, sha256: str) -> bool:
        try:
            return self.path(sha256).is_file()
        except ValueError:
            return False
