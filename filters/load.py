r"""Input loading: bytes to text, text vs HTML, and HTML to text blocks with offsets.

Everything downstream works on one *document text*. For plain text it is the decoded
input (newlines normalised to ``\\n``). For HTML it is the visible text of the page's
blocks, one block per paragraph separated by blank lines, each block remembering its tag,
classes, ids and link targets so the chrome stage can use the DOM as evidence.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field, replace
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
# Where a declaration is looked for: browsers honour a <meta charset> found late in a long
# <head> (by re-parsing), and pages with 10-40 KB of inline scripts before it are common.
_DECLARATION_WINDOW = 65536
_XML_DECL = re.compile(rb"""^<\?xml[^>]{0,100}encoding=["']([A-Za-z0-9_.:-]{1,40})["']""")
_HTML_SNIFF = re.compile(
    r"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]|<(?:p|div|article|span|br|a|h[1-6]|li|table)[\s>/]",
    re.I,
)
# Signatures of binary formats someone may feed a text filter by mistake. Each one is
# long or specific enough that no article starts with it.
_BINARY_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a zip archive (or an Office/EPUB document)"),
    (b"PK\x05\x06", "an empty zip archive"),
    (b"PK\x07\x08", "a zip archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old-style Office document (OLE2)"),
    (b"{\\rtf", "an RTF document (convert it to text or HTML first)"),
    (b"%!PS-Adobe", "a PostScript document"),
    (b"\x89PNG\r\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"\x00\x00\x01\x00", "an icon image"),
    (b"\x1f\x8b", "gzip-compressed data"),
    (b"\x1f\x9d", "compressed data"),
    (b"\xfd7zXZ\x00", "xz-compressed data"),
    (b"\x28\xb5\x2f\xfd", "zstd-compressed data"),
    (b"\x04\x22\x4d\x18", "lz4-compressed data"),
    (b"7z\xbc\xaf\x27\x1c", "a 7z archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"MSCF\x00\x00\x00\x00", "a cabinet archive"),
    (b"!<arch>\n", "an ar/deb archive"),
    (b"\x7fELF", "an executable (ELF)"),
    (b"\xca\xfe\xba\xbe", "a Java class file or Mach-O executable"),
    (b"\xfe\xed\xfa\xce", "an executable (Mach-O)"),
    (b"\xfe\xed\xfa\xcf", "an executable (Mach-O)"),
    (b"\xce\xfa\xed\xfe", "an executable (Mach-O)"),
    (b"\xcf\xfa\xed\xfe", "an executable (Mach-O)"),
    (b"\x00asm", "a WebAssembly module"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"OggS\x00", "an Ogg media file"),
    (b"fLaC\x00", "a FLAC audio file"),
    (b"fLaC\x80", "a FLAC audio file"),
    (b"\x1a\x45\xdf\xa3", "a Matroska/WebM video"),
)
_BZIP2 = re.compile(rb"\ABZh[1-9]1AY&SY")
_RIFF = re.compile(rb"\ARIFF.{4}(WAVE|AVI |WEBP)", re.S)
# MP4, MOV, HEIC: a small box size, then ftyp.
_ISO_MEDIA = re.compile(rb"\A\x00\x00[\x00-\xff]{2}ftyp")
_ID3 = re.compile(rb"\AID3[\x02-\x04]")
# Encodings a web page may declare, as the Python codec that decodes them. Following the
# WHATWG Encoding Standard, Latin-1 and ASCII labels mean windows-1252, GB2312/GBK mean
# GB18030, Big5 means Big5-HKSCS, Shift_JIS means cp932 and EUC-KR means cp949: each
# superset decodes everything its subset does. Anything else (utf-7, rot13, base64 ...) is
# ignored, because decoding an article with it would only produce garbage.
_WEB_ENCODINGS = {
    "utf-8": "utf-8",
    "utf8": "utf-8",
    "unicode-1-1-utf-8": "utf-8",
    "iso8859-1": "cp1252",
    "ascii": "cp1252",
    "iso8859-9": "cp1254",
    "iso8859-11": "cp874",
    "tis-620": "cp874",
    "windows-874": "cp874",
    "cp874": "cp874",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "csgb2312": "gb18030",
    "gb_2312-80": "gb18030",
    "gb18030": "gb18030",
    "big5": "big5hkscs",
    "big5hkscs": "big5hkscs",
    "x-x-big5": "big5hkscs",
    "shift_jis": "cp932",
    "x-sjis": "cp932",
    "windows-31j": "cp932",
    "ms_kanji": "cp932",
    "cp932": "cp932",
    "euc_jp": "euc_jp",
    "iso2022_jp": "iso2022_jp",
    "euc_kr": "cp949",
    "cp949": "cp949",
    "koi8-r": "koi8-r",
    "koi8-u": "koi8-u",
    "cp866": "cp866",
    "mac-roman": "mac-roman",
    "macintosh": "mac-roman",
    "x-mac-cyrillic": "mac-cyrillic",
    "mac-cyrillic": "mac-cyrillic",
    **{f"cp{n}": f"cp{n}" for n in range(1250, 1259)},
    **{f"windows-{n}": f"cp{n}" for n in range(1250, 1259)},
    **{f"iso8859-{n}": f"iso8859-{n}" for n in (2, 3, 4, 5, 6, 7, 8, 10, 13, 14, 15, 16)},
    "iso-8859-8-i": "iso8859-8",
}
# UTF-16/32 declared in a page without a byte-order mark is a mistake browsers ignore
# (the bytes were ASCII-compatible, or the declaration could not have been read).
_IGNORED_DECLARATIONS = {"utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"}
# Encodings tried, in the order charset-normalizer should prefer them, when neither a BOM
# nor a declaration nor valid UTF-8 settles it.
_DETECTABLE = ["gb18030", "big5hkscs", "cp932", "euc_jp", "cp949", "cp1252", "cp1251", "cp1250"]
# A stray invalid byte in otherwise valid UTF-8 is replaced (and reported) rather than
# rejecting the article or decoding it as something else: at most this share of the input.
_MAX_REPLACED_SHARE = 0.001
_MAX_REPLACED_MIN = 4
# Characters a decoded article does not contain: C0/C1 controls other than whitespace,
# private-use and unassigned code points, U+FFFD. Too many means the bytes were misread.
_SUSPICIOUS = re.compile(
    r"[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f-\x9f\ue000-\uf8ff\ufffd\U000f0000-\U0010ffff]"
)


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


@dataclass(frozen=True)
class Decoded:
    """Text decoded from bytes, the encoding that explained them, and anything to report."""

    text: str
    encoding: str
    warnings: tuple[str, ...] = ()


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode article bytes to ``(text, encoding)``; see :func:`decode`.

    Raises:
        InputError: for binary content or bytes no supported encoding explains.
    """
    decoded = decode(data)
    return decoded.text, decoded.encoding


def decode(data: bytes) -> Decoded:
    """Decode article bytes, or say in one line why they are not an article.

    The order: a byte-order mark; a binary signature (PDF, image, archive, executable);
    UTF-16/32 without a mark (told by where the zero bytes fall); NUL or control bytes
    throughout; valid UTF-8 (which text in another encoding practically never is); the
    charset the page declares; UTF-8 with a few stray bytes (replaced, with a warning); and
    last a detector restricted to the encodings news pages use, whose result must read as
    text. Nothing is decoded "somehow": bytes no step explains are an input error.

    Raises:
        InputError: binary or undecodable input, naming the format or the first bad byte.
    """
    if not data:
        raise InputError("input is empty")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _decode_with_bom(data, encoding)
    what = binary_signature(data)
    if what:
        raise InputError(f"input is {what}, not an article")
    wide = _utf16_or_32_without_bom(data)
    if wide is not None:
        return wide
    declared = _declared_charset(data[:_DECLARATION_WINDOW])
    if declared == "iso2022_jp" and b"\x1b" in data:  # 7-bit, so also valid UTF-8: first
        try:
            return Decoded(data.decode(declared), declared)
        except UnicodeDecodeError:
            pass
    problem = _binary_problem(data)
    if problem:
        raise InputError(problem)
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    if declared and declared != "utf-8":
        try:
            text = data.decode(declared)
        except UnicodeDecodeError:
            pass
        else:
            if _reads_as_text(text):
                return Decoded(text, declared)
    mostly = _mostly_utf8(data, first_bad)
    if mostly is not None:
        return mostly
    if not _ADJACENT_HIGH.search(data):
        # Every non-ASCII byte stands alone between ASCII ones ("caf\xe9", "\xa3100"):
        # the shape of a Western single-byte page, and too little for a detector to judge.
        # Double-byte CJK encodings always put two high bytes together.
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            pass
        else:
            if _reads_as_text(text):
                return Decoded(text, "cp1252")
    detected = _detect(data)
    if detected is not None:
        return detected
    said = f"; the page declares {declared}" if declared else ""
    raise InputError(
        f"cannot decode input: invalid UTF-8 at byte {first_bad} (0x{data[first_bad]:02x}){said}; "
        "no supported encoding (GB18030, Big5, Shift_JIS, EUC-KR, windows-125x) reads it as text"
    )


def _decode_with_bom(data: bytes, encoding: str) -> Decoded:
    name = encoding.removesuffix("-sig")
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        if name == "utf-8":
            mostly = _mostly_utf8(data, exc.start)
            if mostly is not None:
                return Decoded(mostly.text.lstrip("\ufeff"), name, mostly.warnings)
        raise InputError(
            f"invalid {name.upper()} after a byte-order mark at byte {exc.start}"
        ) from None
    if not _reads_as_text(text):
        raise InputError(
            f"input starts with a {name.upper()} byte-order mark but does not read as text"
        )
    return Decoded(text, name)


def binary_signature(data: bytes) -> str | None:
    """What binary format ``data`` starts like (``"a PDF document"``), or None."""
    for magic, what in _BINARY_MAGIC:
        if data.startswith(magic):
            return what
    if data.lstrip()[:5] == b"%PDF-":
        return "a PDF document"
    if _BZIP2.match(data):
        return "bzip2-compressed data"
    m = _RIFF.match(data)
    if m:
        kinds = {b"WAVE": "a WAV audio file", b"AVI ": "an AVI video"}
        return kinds.get(m.group(1), "a WebP image")
    if _ISO_MEDIA.match(data):
        return "an MP4/QuickTime media file"
    if _ID3.match(data):
        return "an MP3 audio file"
    if data[:2] == b"MZ" and len(data) >= 64:
        offset = int.from_bytes(data[60:64], "little")
        if data[offset : offset + 4] == b"PE\x00\x00":
            return "a Windows executable"
    if data[257:262] == b"ustar":
        return "a tar archive"
    return None


# C0 controls other than tab, line feed, vertical tab, form feed, carriage return and ESC
# (terminal colour codes survive in copied text), and DEL.
_CONTROL_BYTES = bytes([*range(0, 9), *range(14, 27), *range(28, 32), 127])


def _binary_problem(data: bytes) -> str | None:
    """Why the bytes look binary (NUL or control bytes throughout), or None.

    A stray NUL or control character in an article (a scraper's leftover) is tolerated and
    stripped later; binary data has them everywhere.
    """
    sample = data[:8192]
    nul = sample.count(0)
    if nul > max(2, len(sample) // 200):
        return f"input looks binary ({nul} NUL bytes in the first {len(sample):,}), not an article"
    control = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    if control > max(4, len(sample) // 100):
        return (
            f"input looks binary ({control} control bytes in the first {len(sample):,}), "
            "not an article"
        )
    return None


def _utf16_or_32_without_bom(data: bytes) -> Decoded | None:
    """UTF-16 or UTF-32 without a byte-order mark, told by where the zero bytes fall.

    In UTF-16LE every ASCII character (space, digit, punctuation, Latin letter) has a zero
    odd byte, and hardly any character has a zero even byte; binary data has zeros in both
    lanes. Pure CJK text in BOM-less UTF-16 has no zero bytes and is not recognised here:
    it ends as an input error rather than misread.
    """
    sample = data[:4096]
    if len(sample) < 4 or sample.count(0) < 2:
        return None
    candidates = []
    quads = len(sample) // 4
    lanes = [sample[k : quads * 4 : 4].count(0) for k in range(4)]
    if lanes[2] == lanes[3] == quads and lanes[1] >= quads * 0.9 and lanes[0] < quads * 0.2:
        candidates.append("utf-32-le")
    if lanes[0] == lanes[1] == quads and lanes[2] >= quads * 0.9 and lanes[3] < quads * 0.2:
        candidates.append("utf-32-be")
    pairs = len(sample) // 2
    even = sample[0 : pairs * 2 : 2].count(0)
    odd = sample[1 : pairs * 2 : 2].count(0)
    if odd >= pairs * 0.05 and even * 8 <= odd:
        candidates.append("utf-16-le")
    if even >= pairs * 0.05 and odd * 8 <= even:
        candidates.append("utf-16-be")
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _reads_as_text(text):
            return Decoded(text, encoding)
    return None


def _reads_as_text(text: str) -> bool:
    """Whether decoded text looks like an article rather than misread bytes."""
    sample = text[:20000]
    bad = len(_SUSPICIOUS.findall(sample))
    return bad <= max(2, len(sample) // 100)


def _mostly_utf8(data: bytes, first_bad: int) -> Decoded | None:
    """UTF-8 with a few invalid bytes: decode, replace them with U+FFFD, say so.

    Only when valid multi-byte sequences show the text *is* UTF-8 (a windows-1252 or GBK
    page has few or none) and the invalid bytes are rare; otherwise other decoders are
    tried and, failing those, the input is rejected.
    """
    text = data.decode("utf-8", "surrogateescape")
    invalid = len(_ESCAPED.findall(text))
    multibyte = len(_NON_ASCII.findall(text)) - invalid
    allowed = max(_MAX_REPLACED_MIN, int(len(data) * _MAX_REPLACED_SHARE))
    if invalid == 0 or invalid > allowed or multibyte < 2 * invalid:
        return None
    s = "" if invalid == 1 else "s"
    return Decoded(
        data.decode("utf-8", "replace"),
        "utf-8",
        (f"{invalid} invalid UTF-8 byte{s} replaced with U+FFFD (first at byte {first_bad})",),
    )


_ADJACENT_HIGH = re.compile(rb"[\x80-\xff]{2}")
_ESCAPED = re.compile("[\udc80-\udcff]")
_NON_ASCII = re.compile("[^\x00-\x7f]")


def _declared_charset(head: bytes) -> str | None:
    """The decoder for the charset a ``<meta>`` or XML declaration names, if it is usable."""
    m = _META_CHARSET.search(head) or _XML_DECL.search(head)
    if not m:
        return None
    label = m.group(1).decode("ascii", "replace").lower()
    if label in _WEB_ENCODINGS:
        return _WEB_ENCODINGS[label]
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    if name in _IGNORED_DECLARATIONS:
        return None
    return _WEB_ENCODINGS.get(name)


def _detect(data: bytes) -> Decoded | None:
    """Pick among the encodings news pages use when nothing declares one; None if none fits."""
    from charset_normalizer import from_bytes

    # threshold 0.5: the default (0.2) applies per chunk and drops real GB18030 articles
    # whose average mess is 0.04; the result must still read as text (below).
    matches = list(from_bytes(data[:65536], cp_isolation=_DETECTABLE, threshold=0.5))
    if not matches:
        return None
    # Ties (windows-1250 and -1252 read most French the same) go to the commoner encoding.
    top = min((m.chaos, -m.coherence) for m in matches)
    tied = [m.encoding for m in matches if (m.chaos, -m.coherence) == top]
    encoding = min(tied, key=lambda e: _DETECTABLE.index(e) if e in _DETECTABLE else 99)
    encoding = codecs.lookup(encoding).name
    encoding = _WEB_ENCODINGS.get(encoding, encoding)
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None
    return Decoded(text, encoding) if _reads_as_text(text) else None


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

    ``max_bytes`` bounds the input in bytes; a ``str`` counts as its UTF-8 encoding, so a
    limit means the same for text handed over by an ingest pipeline and for a file.

    Raises:
        InputError: binary, undecodable, empty or oversize input, or a bad argument.
    """
    import hashlib

    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 1:
        raise InputError(f"max_bytes must be a positive number of bytes, not {max_bytes!r}")
    if content_type not in ("auto", "text", "html"):
        raise InputError(f"content_type must be auto, text or html, not {content_type!r}")
    warnings: tuple[str, ...] = ()
    if isinstance(content, str):
        if len(content) > max_bytes:  # every character is at least one byte: no need to encode
            raise InputError(
                f"input is {len(content):,} characters (at least as many bytes), "
                f"over the limit of {max_bytes:,} bytes"
            )
        raw = content.encode("utf-8", "surrogatepass")
        _check_size(len(raw), max_bytes)
        what = binary_signature(content[:512].encode("latin-1", "replace"))
        if what:
            raise InputError(f"input is {what} (passed as text), not an article")
        text, encoding = content, "str"
    elif isinstance(content, bytes | bytearray | memoryview):
        _check_size(memoryview(content).nbytes, max_bytes)
        raw = bytes(content)
        decoded = decode(raw)
        text, encoding, warnings = decoded.text, decoded.encoding, decoded.warnings
    else:
        raise InputError(f"content must be str or bytes, not {type(content).__name__}")
    text = _normalise_newlines(text).lstrip("\ufeff")
    text = _strip_controls(text)
    text = _collapse_blank_runs(text)
    sha = hashlib.sha256(raw).hexdigest()
    kind: Literal["text", "html"]
    if content_type == "auto":
        kind = "html" if sniff_html(text) else "text"
    else:
        kind = content_type
    if kind == "html":
        from filters.html import html_to_document

        doc = html_to_document(text, encoding=encoding, raw_sha256=sha, raw_bytes=len(raw))
        return replace(doc, warnings=doc.warnings + warnings) if warnings else doc
    if not text.strip():
        raise InputError("input is empty (nothing but whitespace)")
    return Document(
        text=text,
        content_type="text",
        encoding=encoding,
        raw_sha256=sha,
        raw_bytes=len(raw),
        warnings=warnings,
    )


def _check_size(size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise InputError(f"input is {size:,} bytes, over the limit of {max_bytes:,}")


# Line ends of every convention become "\n": CRLF, CR, NEL, and the Unicode line and
# paragraph separators; vertical tab and form feed (page breaks in pasted text) too.
_NEWLINES = re.compile("\r\n?|[\x0b\x0c\x85\u2028\u2029]")


# More blank lines in a row than this carry no content; a flood of them (a scraped page
# that is mostly empty lines) would otherwise cost every line-by-line stage dearly.
MAX_BLANK_LINES = 3
_BLANK_RUN = re.compile(rf"\n(?:[^\S\n]*\n){{{MAX_BLANK_LINES + 1},}}")


def _collapse_blank_runs(text: str) -> str:
    """Cut every run of more than :data:`MAX_BLANK_LINES` blank lines down to that many."""
    return _BLANK_RUN.sub("\n" * (MAX_BLANK_LINES + 1), text)


_ODD_NEWLINE = re.compile("[\r\x0b\x0c\x85\u2028\u2029]")  # one class: a fast scan


def _normalise_newlines(text: str) -> str:
    return _NEWLINES.sub("\n", text) if _ODD_NEWLINE.search(text) else text


# Terminal colour codes (ANSI CSI sequences) go whole; then any other C0 control or lone
# surrogate. Neither is article content, and both break JSON and terminals downstream.
_CONTROL = re.compile(r"\x1b\[[0-9;?]{0,32}[ -/]{0,4}[@-~]|[\x00-\x08\x0e-\x1f\x7f\ud800-\udfff]")


_ANY_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f\ud800-\udfff]")  # one class: a fast scan


def _strip_controls(text: str) -> str:
    """Drop control characters and lone surrogates (see ``_CONTROL``)."""
    return _CONTROL.sub("", text) if _ANY_CONTROL.search(text) else text
