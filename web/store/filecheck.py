"""This file defines what an uploaded material may be: PDF, PNG or JPEG, recognised by its content.

Pure checks, no I/O: the first bytes decide the type (a ZIP renamed .pdf is a ZIP), the name's
extension must agree with it, empty files and files over the limit are refused, and every refusal names
the file in Chinese and English. The filename is cleaned for display only; files are stored by sha256.

>>> check_upload("营业执照.pdf", b"%PDF-1.4\\n1 0 obj\\n%%EOF\\n", 1000)
'application/pdf'
>>> try:
...     check_upload("a.pdf", b"PK\\x03\\x04rest", 1000)
... except UploadError as refused:
...     print(refused.en)
the file is a ZIP archive, not a PDF, JPG or PNG
"""

from __future__ import annotations

import unicodedata

EXTENSIONS = {"application/pdf": (".pdf",), "image/png": (".png",), "image/jpeg": (".jpg", ".jpeg")}
KNOWN_OTHERS = ((b"PK\x03\x04", "ZIP压缩包", "a ZIP archive"), (b"Rar!", "RAR压缩包", "a RAR archive"),
                (b"MZ", "可执行程序", "an executable"), (b"\x7fELF", "可执行程序", "an executable"),
                (b"GIF8", "GIF图片", "a GIF image"), (b"<", "网页或XML文本", "HTML or XML text"))
NAME_MAX = 120


class UploadError(ValueError):
    """A refused upload; `.zh` / `.en` say why and name the file."""

    def __init__(self, filename: str, zh: str, en: str):
        super().__init__(f"{filename}: {zh} / {en}")
        self.filename, self.zh, self.en = filename, zh, en


def sniff(data: bytes) -> str | None:
    """The content type the bytes are (PDF, PNG, JPEG), or None."""
    if data.startswith(b"%PDF-") and b"%%EOF" in data[-2048:]:
        return "application/pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR":
        return "image/png"
    if data.startswith(b"\xff\xd8\xff") and len(data) > 4:
        return "image/jpeg"
    return None


def clean_filename(name: str) -> str:
    """The name without any path, control characters or surrounding space, at most 120 characters."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in unicodedata.normalize("NFC", base) if unicodedata.category(ch)[0] != "C").strip()
    if len(base) > NAME_MAX:
        stem, dot, ext = base.rpartition(".")
        base = (stem[: NAME_MAX - len(ext) - 1] + dot + ext) if dot and len(ext) <= 5 else base[:NAME_MAX]
    return base or "file"


def check_upload(filename: str, data: bytes, max_bytes: int) -> str:
    """The content type of an acceptable upload.

    Raises:
        UploadError: empty, too large, not a PDF/JPG/PNG by content, or the extension names another type.
    """
    name = clean_filename(filename)
    if not data:
        raise UploadError(name, "文件为空（0字节）", "the file is empty (0 bytes)")
    if len(data) > max_bytes:
        raise UploadError(name, f"文件超过{max_bytes // (1024 * 1024)}MB上限", f"the file is larger than the "
                          f"{max_bytes // (1024 * 1024)} MB limit")
    kind = sniff(data)
    if kind is None:
        for magic, zh, en in KNOWN_OTHERS:
            if data.startswith(magic):
                raise UploadError(name, f"文件内容是{zh}，不是PDF/JPG/PNG", f"the file is {en}, not a PDF, JPG or PNG")
        raise UploadError(name, "无法识别为PDF、JPG或PNG文件（按内容检查，不看文件名）",
                          "not recognisable as a PDF, JPG or PNG (checked by content, not by name)")
    ext = "." + name.rpartition(".")[2].lower() if "." in name else ""
    if ext not in EXTENSIONS[kind]:
        raise UploadError(name, f"文件扩展名与内容不符（内容是{kind.split('/')[1].upper()}）",
                          f"the extension does not match the content ({kind.split('/')[1].upper()})")
    return kind
