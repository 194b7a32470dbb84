r"""Input loading: bytes to text, text vs HTML, and HTML to text blocks with offsets.

Everything downstream works on one *document text*. For plain text it is the decoded
input (newlines normalised to ``\\n``). For HTML it is the visible text of the page's
blocks, one block per paragraph separated by blank lines, each block remembering its tag,
classes, ids and link targets so the chrome stage can use the DOM as evidence.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from typing import Literal

from filters.errors import InputError

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
ContentType = Literal["auto", "text", "html"]

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})""", re.I
)
_XML_DECL = re.compile(rb"""^<\?xml[^>]{0,100}encoding=["']([A-Za-z0-9_.:-]{1,40})["']""")
_HTML_SNIFF = re.compile(
    r"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]|<(?:p|div|article|span|br|a|h[1-6]|li|table)[\s>/]",
    re.I,
)
# Magic numbers of common binary formats: a PDF or a zip is an input error, not an article.
_BINARY_MAGIC = {
    b"%PDF-": "a PDF document",
    b"PK\x03\x04": "a zip archive (or an Office document)",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\x1f\x8b": "gzip-compressed data",
    b"\x7fELF": "an executable",
    b"BZh": "bzip2-compressed data",
    b"\xfd7zXZ": "xz-compressed data",
    b"7z\xbc\xaf": "a 7z archive",
    b"RIFF": "a RIFF media file",
    b"\x00\x00\x00": "binary data",
}


@dataclass(frozen=True)
class Block:
    """A run of document text that came from one HTML element (or one text line)."""

    start: int
    end: int
    tag: str = ""
    classes: tuple[str, ...] = ()
    ids: tuple[str, ...] = ()
    path: str = ""
    hrefs: tuple[str, ...] = ()
    chrome_hint: str | None = None
    main: bool | None = None  # the main-content extractor's vote; None when it gave none


@dataclass(frozen=True)
class Document:
    """The loaded article: its text, where that text came from, and HTML evidence."""

    text: str
    content_type: Literal["text", "html"]
    encoding: str
    raw_sha256: str
    raw_bytes: int
    blocks: tuple[Block, ...] = ()
    links: tuple[tuple[str, str], ...] = ()  # (label, href) of attribution-like links
    canonical_url: str | None = None
    extractor: str | None = None  # engine whose vote fills Block.main (HTML only)
    warnings: tuple[str, ...] = field(default=())


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode by BOM, then declared charset, then UTF-8, then detection.

    Raises:
        InputError: for binary content or bytes no supported encoding explains.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding.removesuffix("-sig")
            except UnicodeDecodeError as exc:
                raise InputError(
                    f"invalid {encoding.upper().removesuffix('-SIG')} after a byte-order mark at byte {exc.start}"
                ) from None
    for magic, what in _BINARY_MAGIC.items():
        if data.startswith(magic):
            raise InputError(f"input is {what}, not an article")
    head = data[:4096]
    declared = _declared_charset(head)
    if declared:
        try:
            return data.decode(declared), declared
        except (UnicodeDecodeError, LookupError):
            pass  # a wrong declaration is common; fall through to detection
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if _looks_binary(data):
        raise InputError("input looks binary (control bytes), not an article")
    return _detect(data)


def _declared_charset(head: bytes) -> str | None:
    m = _META_CHARSET.search(head) or _XML_DECL.search(head)
    if not m:
        return None
    name = m.group(1).decode("ascii", "replace").lower()
    aliases = {
        "gb2312": "gb18030",
        "gbk": "gb18030",
        "x-gbk": "gb18030",
        "iso-8859-1": "cp1252",
        "latin1": "cp1252",
        "latin-1": "cp1252",
        "us-ascii": "cp1252",
    }
    name = aliases.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    control = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return control > max(4, len(sample) // 100)


def _detect(data: bytes) -> tuple[str, str]:
    """Pick among the encodings republished pages use when nothing declares one."""
    from charset_normalizer import from_bytes

    best = from_bytes(
        data[:65536],
        cp_isolation=["gb18030", "big5", "shift_jis", "euc_kr", "cp1252", "cp1251", "utf_16"],
    ).best()
    candidates = [best.encoding] if best is not None else []
    candidates += ["gb18030", "cp1252"]
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        return text, codecs.lookup(encoding).name
    raise InputError("cannot decode input: not UTF-8, UTF-16, GB18030 or Latin-1")


def sniff_html(text: str) -> bool:
    """Whether the text is an HTML page or fragment rather than prose."""
    head = text[:2048].lstrip()
    if head.startswith("<"):
        return bool(_HTML_SNIFF.search(text[:4096]))
    return len(_HTML_SNIFF.findall(text[:8192])) >= 3


def load_document(
    content: str | bytes,
    content_type: ContentType = "auto",
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Document:
    """Turn raw input into a :class:`Document`.

    Raises:
        InputError: binary, undecodable, empty or oversize input.
    """
    import hashlib

    if isinstance(content, str):
        raw = content.encode("utf-8", "surrogatepass")
        text, encoding = content, "str"
    elif isinstance(content, bytes | bytearray | memoryview):
        raw = bytes(content)
        if len(raw) > max_bytes:
            raise InputError(f"input is {len(raw):,} bytes, over the limit of {max_bytes:,}")
        text, encoding = decode_bytes(raw)
    else:
        raise InputError(f"content must be str or bytes, not {type(content).__name__}")
    if len(raw) > max_bytes:
        raise InputError(f"input is {len(raw):,} bytes, over the limit of {max_bytes:,}")
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    text = _strip_controls(text)
    sha = hashlib.sha256(raw).hexdigest()
    kind: Literal["text", "html"]
    if content_type == "auto":
        kind = "html" if sniff_html(text) else "text"
    elif content_type in ("text", "html"):
        kind = content_type
    else:
        raise InputError(f"content_type must be auto, text or html, not {content_type!r}")
    if kind == "html":
        from filters.html import html_to_document

        return html_to_document(text, encoding=encoding, raw_sha256=sha, raw_bytes=len(raw))
    if not text.strip():
        raise InputError("input is empty")
    return Document(
        text=text, content_type="text", encoding=encoding, raw_sha256=sha, raw_bytes=len(raw)
    )


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def _strip_controls(text: str) -> str:
    """Drop C0 controls and lone surrogates: never article content, and they break JSON."""
    return _CONTROL.sub("", text) if _CONTROL.search(text) else text
