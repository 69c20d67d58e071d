"""This file reads the files of an upload form: each checked by content, stored by sha256, or refused with a reason.

`collect(files, items, store, max_bytes)` takes the request's files named ``file-<item key>`` (one or
more per item). Good files are written to the blob store's *staging area* at once and returned as
StagedFile, so a bad file elsewhere in the same form loses nothing: the page keeps the good ones (in the
session, by call) and shows each refusal next to its item, in Chinese and English. `promote(files, store)`
moves them into the store proper just before the submission that attaches them commits; what a refused or
abandoned form staged is removed by `subsidy cleanup` after a day (issue 18: bounded growth).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import session

from web.store.blobs import BlobStore
from web.store.filecheck import UploadError, check_upload, clean_filename
from web.store.material_queries import StagedFile

MAX_FILES_PER_ITEM = 5
STAGE_KEY = "staged_uploads"


def collect(files: Any, items: Iterable[str], store: BlobStore,
            max_bytes: int) -> tuple[list[StagedFile], dict[str, list[UploadError]]]:
    staged: list[StagedFile] = []
    errors: dict[str, list[UploadError]] = {}
    for item in items:
        uploads = [f for f in files.getlist(f"file-{item}") if f and (f.filename or "").strip()]
        if len(uploads) > MAX_FILES_PER_ITEM:
            errors.setdefault(item, []).append(UploadError(
                "—", f"每项最多上传{MAX_FILES_PER_ITEM}个文件", f"at most {MAX_FILES_PER_ITEM} files per item"))
            continue
        for upload in uploads:
            data = upload.read(max_bytes + 1)
            try:
                kind = check_upload(upload.filename or "", data, max_bytes)
            except UploadError as refused:
                errors.setdefault(item, []).append(refused)
                continue
            digest = store.stage(data)
            staged.append(StagedFile(item, clean_filename(upload.filename or ""), kind, len(data), digest))
    return staged, errors


def kept(scope: str) -> list[StagedFile]:
    """Files already accepted for this form (a call id, or an application's correction)."""
    return [StagedFile(**f) for f in session.get(STAGE_KEY, {}).get(scope, [])]


def keep(scope: str, files: list[StagedFile]) -> list[StagedFile]:
    """Add files to what this form keeps (same item and sha256 once); returns everything kept."""
    current = {(f.item, f.sha256): f for f in kept(scope)}
    current.update({(f.item, f.sha256): f for f in files})
    stage = dict(session.get(STAGE_KEY, {}))
    stage[scope] = [f.as_dict() for f in current.values()]
    session[STAGE_KEY] = stage
    return list(current.values())


def drop(scope: str) -> None:
    stage = dict(session.get(STAGE_KEY, {}))
    stage.pop(scope, None)
    session[STAGE_KEY] = stage


def promote(files: list[StagedFile], store: BlobStore) -> list[StagedFile]:
    """Move these staged files into the store; returns those no longer there (cleaned up: upload again)."""
    missing = set(store.promote(f.sha256 for f in files))
    return [f for f in files if f.sha256 in missing]


def forget(scope: str, files: list[StagedFile]) -> None:
    """Stop keeping these files for this form."""
    gone = {(f.item, f.sha256) for f in files}
    stage = dict(session.get(STAGE_KEY, {}))
    stage[scope] = [f.as_dict() for f in kept(scope) if (f.item, f.sha256) not in gone]
    session[STAGE_KEY] = stage
