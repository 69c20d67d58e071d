"""This file serves a stored material to a viewer who may see it: inline, with its content type and nosniff.

The bytes come from the blob store by sha256 (never by the uploaded name); the response names the
file for download in `Content-Disposition` (RFC 6266, UTF-8), forbids sniffing and caching, and is
sandboxed by a restrictive Content-Security-Policy (a PDF cannot run script in the site's origin).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Response, abort, current_app
from werkzeug.utils import secure_filename

from web.store.blobs import BlobStore, default_root


def blob_store() -> BlobStore:
    return BlobStore(current_app.config.get("MATERIALS_DIR") or default_root())


def send_material(material: Any) -> Response:
    store = blob_store()
    if not store.has(material.sha256):
        abort(404)
    response = Response(store.read(material.sha256), mimetype=material.content_type)
    ascii_name = secure_filename(material.filename) or f"material-{material.id}"
    response.headers["Content-Disposition"] = (f"inline; filename=\"{ascii_name}\"; "
                                               f"filename*=UTF-8''{quote(material.filename)}")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response
