"""An API application's materials: `"materials": [{"item", "filename", "content_base64"}, …]`.

Each file is checked like a site upload (web.store.filecheck: PDF, JPG or PNG by content, at most
MATERIAL_MAX_BYTES) and stored by its sha256; the intake check (web.store.intake) then requires one for every
checklist item of the measures applied for under the call. A refusal is a 422 problem naming `materials[i].…`.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from flask import current_app

from web.api.bodies import validation_problem
from web.api.problems import FieldError
from web.bureau.serve import blob_store
from web.store.filecheck import UploadError, check_upload, clean_filename
from web.store.material_queries import StagedFile

MAX_FILES = 50


def read_materials(raw: Any, checklist: list[dict[str, str]]) -> list[StagedFile]:
    """The checked and stored files of the body's `materials` (None: no files).

    Raises:
        Problem: 422 naming `materials`, `materials[i].item|filename|content_base64` (not a checklist item of the
        call, not base64, empty, too large, not a PDF/JPG/PNG by content).
    """
    if raw is None:
        return []
    if not isinstance(raw, list) or len(raw) > MAX_FILES:
        raise validation_problem([FieldError("materials", "MATERIALS", f"申报材料应为至多{MAX_FILES}个文件的列表。",
                                  f"materials must be a list of at most {MAX_FILES} files.")])
    keys = {i["key"]: i for i in checklist}
    errors: list[FieldError] = []
    checked: list[tuple[str, str, str, bytes]] = []
    limit = int(current_app.config.get("MATERIAL_MAX_BYTES") or 5 * 1024 * 1024)
    for n, entry in enumerate(raw):
        at = f"materials[{n}]"
        if not isinstance(entry, dict) or set(entry) != {"item", "filename", "content_base64"} or not all(
                isinstance(entry[k], str) for k in entry):
            errors.append(FieldError(at, "MATERIAL", "每个文件应为 {item, filename, content_base64} 三个文本字段。",
                                     "each file must be an object with the texts item, filename and content_base64."))
            continue
        if entry["item"] not in keys:
            zh = "；".join(f"{k}：{i['zh']}" for k, i in keys.items()) or "无"
            en = "; ".join(f"{k}: {i['en']}" for k, i in keys.items()) or "none"
            errors.append(FieldError(f"{at}.item", "MATERIAL_ITEM", f"不是本通知所申报措施的材料清单项（清单：{zh}）。",
                                     f"not a checklist item of the measures applied for (the checklist: {en})."))
            continue
        try:
            data = base64.b64decode(entry["content_base64"], validate=True)
        except (binascii.Error, ValueError):
            errors.append(FieldError(f"{at}.content_base64", "BASE64", "文件内容应为 base64 编码。",
                                     "the file content must be base64."))
            continue
        try:
            kind = check_upload(entry["filename"], data, limit)
        except UploadError as refused:
            errors.append(FieldError(f"{at}.content_base64", "UPLOAD", refused.zh, refused.en))
            continue
        checked.append((entry["item"], clean_filename(entry["filename"]), kind, data))
    if errors:
        raise validation_problem(errors)
    store = blob_store()
    return [StagedFile(item, name, kind, len(data), store.put(data)) for item, name, kind, data in checked]
