"""This file defines what an uploaded material may be: PDF, PNG or JPEG, recognised by its content and structure.

Pure checks, no I/O: the first bytes decide the type (a ZIP renamed .pdf is a ZIP), the name's
extension must agree with it, empty files and files over the limit are refused, and every refusal names
the file in Chinese and English. The filename is cleaned for display only; files are stored by sha256.

Then the structure: a PDF must parse (pypdf) with at least one page, and every compressed stream in it is
inflated with a bound — more than `MAX_INFLATED_BYTES` after decompression is a compression bomb; an image must
decode completely (Pillow) within `MAX_PIXELS`. A file of any type carrying HTML, SVG or script markup
(a polyglot: a PDF/PNG/JPEG header with a web page inside, which a browser could be talked into rendering)
is refused, whatever else it is.

>>> check_upload("营业执照.pdf", b"%PDF-1.4\\n1 0 obj\\n%%EOF\\n", 1000)
'application/pdf'
>>> try:
...     check_upload("a.pdf", b"PK\\x03\\x04rest", 1000)
... except UploadError as refused:
...     print(refused.en)
the file is a ZIP archive, not a PDF, JPG or PNG
"""

from __future__ import annotations

import io
import re
import unicodedata
import warnings
import zlib
from typing import Any

EXTENSIONS = {"application/pdf": (".pdf",), "image/png": (".png",), "image/jpeg": (".jpg", ".jpeg")}
KNOWN_OTHERS = ((b"PK\x03\x04", "ZIP压缩包", "a ZIP archive"), (b"Rar!", "RAR压缩包", "a RAR archive"),
                (b"MZ", "可执行程序", "an executable"), (b"\x7fELF", "可执行程序", "an executable"),
                (b"GIF8", "GIF图片", "a GIF image"), (b"<", "网页或XML文本", "HTML or XML text"))
NAME_MAX = 120
MAX_PIXELS = 50_000_000  # a 600 dpi A3 scan is ~70 MP in colour bytes; 50 MP pixels is ample for a licence scan
MAX_INFLATED_BYTES = 100 * 1024 * 1024  # all of one PDF's streams, decompressed
MAX_PDF_PAGES = 2000
MARKUP = re.compile(rb"<\s*(?:!doctype\s+html|html|head|body|script|svg|iframe|object|embed|meta|img|a\s+href|"
                    rb"xml-stylesheet|\?xml|foreignobject)\b|javascript:", re.IGNORECASE)


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
    check_structure(name, kind, data)
    return kind


def check_structure(name: str, kind: str, data: bytes) -> None:
    """Refuse markup inside any file, a PDF that does not parse or inflates too far, an image that does not decode.

    Raises:
        UploadError: naming the file and what is wrong with it.
    """
    if MARKUP.search(data):
        raise UploadError(name, "文件中夹带网页或SVG代码（多格式伪装文件），已拒收",
                          "the file carries HTML, SVG or script markup (a polyglot file) and is refused")
    if kind == "application/pdf":
        _check_pdf(name, data)
    else:
        _check_image(name, data)


def _check_pdf(name: str, data: bytes) -> None:
    from pypdf import PdfReader
    from pypdf.generic import IndirectObject, StreamObject

    broken = UploadError(name, "PDF文件已损坏或无法解析，请重新导出后上传",
                         "the PDF is damaged or cannot be parsed; export it again")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(data), strict=False)
            if reader.is_encrypted and not reader.decrypt(""):
                raise UploadError(name, "PDF文件已加密，请上传未加密的文件", "the PDF is encrypted; upload it unencrypted")
            pages = len(reader.pages)
            inflated = 0
            for number, generation in _objects(reader):
                obj: Any = reader.get_object(IndirectObject(number, generation, reader))
                if isinstance(obj, StreamObject):
                    inflated += _inflated_size(obj, MAX_INFLATED_BYTES - inflated)
                    if inflated > MAX_INFLATED_BYTES:
                        raise UploadError(name, f"PDF解压后超过{MAX_INFLATED_BYTES // (1024 * 1024)}MB（疑似压缩炸弹），已拒收",
                                          f"the PDF inflates to more than {MAX_INFLATED_BYTES // (1024 * 1024)} MB "
                                          "(a compression bomb) and is refused")
    except UploadError:
        raise
    except Exception:  # noqa: BLE001 - pypdf raises many kinds on hostile input; every one means "cannot be read"
        raise broken from None
    if not 1 <= pages <= MAX_PDF_PAGES:
        raise UploadError(name, f"PDF页数应为1至{MAX_PDF_PAGES}页", f"the PDF must have 1 to {MAX_PDF_PAGES} pages")


def _objects(reader: Any) -> list[tuple[int, int]]:
    """Every (object number, generation) the cross-reference tables name, object streams included."""
    found = {(number, generation) for generation, table in reader.xref.items() for number in table}
    found |= {(number, 0) for number in reader.xref_objStm}
    return sorted(found)


def _inflated_size(stream: Any, budget: int) -> int:
    """The decompressed size of one stream's Flate data, stopping one byte past `budget`."""
    filters = stream.get("/Filter")
    names = [str(f) for f in (filters if isinstance(filters, list) else [filters])] if filters is not None else []
    raw: bytes = stream._data  # the encoded bytes as stored in the file
    if "/FlateDecode" not in names and "/Fl" not in names:
        return len(raw)
    inflater, total, chunk = zlib.decompressobj(), 0, raw
    while chunk:
        out = inflater.decompress(chunk, max(1, min(budget + 1 - total, 1 << 20)))
        total += len(out)
        if total > budget:
            return total
        chunk = inflater.unconsumed_tail
        if not out and not chunk:
            break
    return total


def _check_image(name: str, data: bytes) -> None:
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise UploadError(name, f"图片像素过多（{width}×{height}），上限{MAX_PIXELS // 1_000_000}百万像素",
                                      f"the image has too many pixels ({width}×{height}; at most "
                                      f"{MAX_PIXELS // 1_000_000} million)")
                image.load()
    except UploadError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UploadError(name, "图片解压后过大（疑似压缩炸弹），已拒收",
                          "the image decompresses to too many pixels (a compression bomb) and is refused") from None
    except Exception:  # noqa: BLE001 - Pillow raises many kinds on hostile input; every one means "cannot be read"
        raise UploadError(name, "图片文件已损坏或无法解码，请重新保存后上传",
                          "the image is damaged or cannot be decoded; save it again") from None
