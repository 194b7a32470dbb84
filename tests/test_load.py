"""Input loading: encodings, text vs HTML, binary and oversize input."""

from __future__ import annotations

import pytest

import filters
from filters.load import load_document

ZH = "比特币价格周一上涨，据路透社报道，交易量明显回升。"
FR = "Le marché a progressé mardi après l'annonce de la banque centrale. Prix: 12 €."


@pytest.mark.parametrize(
    "data, expected",
    [
        (ZH.encode("utf-8"), ZH),
        (b"\xef\xbb\xbf" + ZH.encode("utf-8"), ZH),  # UTF-8 with BOM
        (ZH.encode("utf-16"), ZH),  # UTF-16 with BOM
        (ZH.encode("gb18030"), ZH),  # GBK/GB18030 without declaration
        (FR.encode("latin-1"), FR.replace("€", ""))
        if False
        else (FR.replace(" €", "").encode("latin-1"), FR.replace(" €", "")),
    ],
    ids=["utf8", "utf8-bom", "utf16", "gb18030", "latin1"],
)
def test_text_encodings(data: bytes, expected: str) -> None:
    assert load_document(data).text == expected


def test_declared_charset_in_html_wins() -> None:
    html = f'<html><head><meta charset="gbk"></head><body><p>{ZH}</p></body></html>'.encode(
        "gb18030"
    )
    doc = load_document(html)
    assert doc.content_type == "html" and ZH in doc.text


def test_latin1_html_with_meta_charset() -> None:
    html = f'<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"></head><body><p>{FR.replace(" €", "")}</p></body></html>'.encode(
        "latin-1"
    )
    assert "progressé" in load_document(html).text


@pytest.mark.parametrize(
    "data", [b"%PDF-1.4\n...", b"PK\x03\x04rest", b"\x89PNG\r\n", b"\x00\x01\x02\x03" * 50]
)
def test_binary_input_is_an_input_error(data: bytes) -> None:
    with pytest.raises(filters.InputError):
        load_document(data)


def test_oversize_input_is_an_input_error() -> None:
    with pytest.raises(filters.InputError, match="over the limit"):
        load_document(b"a" * 2000, max_bytes=1000)


def test_text_is_not_mistaken_for_html() -> None:
    assert (
        load_document("Revenue rose 5% <in dollar terms> and margins held.").content_type == "text"
    )


def test_html_blocks_have_offsets_into_the_text() -> None:
    doc = load_document(
        "<html><body><p>First para.</p><nav>Home</nav><p>Second <b>bold</b> para.</p></body></html>"
    )
    assert [doc.text[b.start : b.end] for b in doc.blocks] == [
        "First para.",
        "Home",
        "Second bold para.",
    ]
    assert doc.blocks[1].chrome_hint == "navigation"


def test_deeply_nested_html_does_not_recurse() -> None:
    html = "<div>" * 20000 + "<p>Deep text survives here.</p>" + "</div>" * 20000
    assert "Deep text survives here." in load_document(html).text


# -- encodings, more of them ----------------------------------------------------------

TW = "比特幣價格週一上漲，據報道，交易量明顯回升。"  # Traditional Chinese, for Big5
JA = "ビットコインの価格は月曜日に上昇し、取引量も回復した。"
KO = "비트코인 가격이 월요일에 상승했고 거래량도 회복됐다."
RU = "Цена биткоина выросла в понедельник, объём торгов восстановился."
EN = "Shares of the lender rose 4% on Tuesday after it raised its dividend."


@pytest.mark.parametrize(
    "text, encoding",
    [
        (EN, "utf-16-le"),  # BOM-less UTF-16: told by its zero bytes
        (EN, "utf-16-be"),
        (FR.replace(" €", ""), "utf-16-le"),
        ("BTC 2024: " + ZH + "\n", "utf-16-le"),
        (EN, "utf-32-le"),
        (EN, "utf-32-be"),
        (EN, "utf-32"),  # with BOM
        (ZH, "utf-16-be"),  # BOM-less, no ASCII at all: no zero bytes in a lane
        (ZH, "utf_16"),
        (TW, "big5"),
        (JA, "shift_jis"),
        (JA, "euc_jp"),
        (KO, "euc_kr"),
        (RU, "cp1251"),
        (FR, "cp1252"),  # the euro sign is 0x80 in windows-1252
        ("Grüße aus München, sagte der Händler.", "cp1252"),
        ("caf\u00e9", "cp1252"),  # one accented byte: too short for any detector
        ("Price: \u00a3100.", "latin-1"),
    ],
)
def test_undeclared_encodings_decode_to_the_same_text(text: str, encoding: str) -> None:
    data = text.encode(encoding)
    if encoding == "utf-16-be" and text == ZH:
        with pytest.raises(filters.InputError):  # documented: needs a BOM or some ASCII
            load_document(data)
        return
    assert load_document(data, content_type="text").text == text


@pytest.mark.parametrize(
    "label, codec",
    [
        ("gb2312", "gb18030"),
        ("GBK", "gb18030"),
        ("gb18030", "gb18030"),
        ("big5", "big5"),
        ("shift_jis", "shift_jis"),
        ("euc-kr", "euc_kr"),
        ("windows-1251", "cp1251"),
        ("koi8-r", "koi8-r"),
        ("iso-8859-1", "latin-1"),
        ("ISO-8859-15", "iso8859-15"),
    ],
)
def test_meta_charset_is_honoured(label: str, codec: str) -> None:
    body = {
        "gb18030": ZH,
        "big5": TW,
        "shift_jis": JA,
        "euc_kr": KO,
        "cp1251": RU,
        "koi8-r": RU,
    }.get(codec, FR.replace(" €", ""))
    html = f'<html><head><meta charset="{label}"><title>t</title></head><body><p>{body}</p></body></html>'
    doc = load_document(html.encode(codec))
    assert doc.content_type == "html" and body in doc.text


def test_xml_declaration_is_honoured() -> None:
    page = f'<?xml version="1.0" encoding="windows-1251"?><html><body><p>{RU}</p></body></html>'
    assert RU in load_document(page.encode("cp1251")).text


def test_valid_utf8_wins_over_a_wrong_declaration() -> None:
    html = f'<html><head><meta charset="iso-8859-1"></head><body><p>{FR}</p></body></html>'
    assert FR in load_document(html.encode("utf-8")).text


@pytest.mark.parametrize("label", ["utf-16", "UTF-16LE", "utf-7", "rot13", "base64", "x-nonsense"])
def test_useless_declarations_are_ignored(label: str) -> None:
    html = f'<html><head><meta charset="{label}"></head><body><p>{EN}</p></body></html>'
    assert EN in load_document(html.encode("utf-8")).text


def test_a_wrong_declaration_falls_back_to_detection() -> None:
    html = f'<html><head><meta charset="utf-8"></head><body><p>{ZH}</p></body></html>'
    assert ZH in load_document(html.encode("gb18030")).text


def test_a_stray_invalid_byte_in_utf8_is_replaced_and_reported() -> None:
    data = ZH.encode() + b"\xff" + ZH.encode()
    doc = load_document(data)
    assert doc.text == ZH + "\ufffd" + ZH
    assert doc.warnings == ("1 invalid UTF-8 byte replaced with U+FFFD (first at byte 75)",)


def test_a_stray_invalid_byte_after_a_utf8_bom_is_replaced_too() -> None:
    doc = load_document(b"\xef\xbb\xbf" + FR.encode() + b"\xc3")
    assert doc.text.startswith("Le marché") and doc.warnings


def test_many_invalid_bytes_are_an_input_error_naming_the_first() -> None:
    data = bytes(range(0x80, 0x100)) * 4  # no encoding reads this as text
    with pytest.raises(filters.InputError, match=r"cannot decode input: invalid UTF-8 at byte 0"):
        load_document(data)


def test_invalid_utf16_after_a_bom_names_the_byte() -> None:
    with pytest.raises(filters.InputError, match=r"invalid UTF-16 after a byte-order mark"):
        load_document(b"\xff\xfe" + "ok".encode("utf-16-le") + b"\x00\xd8")


# -- binary input ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data, what",
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        (b"\n  %PDF-1.4\n", "PDF"),
        (b"PK\x03\x04\x14\x00\x06\x00", "zip"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00", "OLE2"),
        (b"{\\rtf1\\ansi\\deff0 {\\fonttbl}", "RTF"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "JPEG"),
        (b"GIF89a\x01\x00\x01\x00", "GIF"),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "WebP"),
        (b"\x00\x00\x00\x18ftypmp42", "MP4"),
        (b"ID3\x04\x00\x00\x00\x00\x00", "MP3"),
        (b"\x1f\x8b\x08\x00\x00\x00", "gzip"),
        (b"BZh91AY&SY\x00", "bzip2"),
        (b"\xfd7zXZ\x00\x00", "xz"),
        (b"\x28\xb5\x2f\xfd\x00", "zstd"),
        (b"Rar!\x1a\x07\x01\x00", "RAR"),
        (b"7z\xbc\xaf\x27\x1c\x00", "7z"),
        (b"\x7fELF\x02\x01\x01", "ELF"),
        (b"MZ" + b"\x90\x00" * 29 + b"\x40\x00\x00\x00" + b"PE\x00\x00", "Windows"),
        (b"\xcf\xfa\xed\xfe\x07\x00", "Mach-O"),
        (b"SQLite format 3\x00\x10\x00", "SQLite"),
        (b"\x00asm\x01\x00\x00\x00", "WebAssembly"),
        (b"x" * 257 + b"ustar\x0000", "tar"),
    ],
)
def test_binary_formats_are_named_input_errors(data: bytes, what: str) -> None:
    with pytest.raises(filters.InputError, match=what) as info:
        load_document(data)
    assert "not an article" in str(info.value)


def test_random_bytes_are_an_input_error() -> None:
    import random

    rng = random.Random(9)
    for size in (64, 512, 4096):
        with pytest.raises(filters.InputError):
            load_document(bytes(rng.randrange(256) for _ in range(size)))


def test_protobuf_like_bytes_are_an_input_error() -> None:
    # Field tags, varint lengths and short strings: mostly ASCII, but control bytes throughout.
    record = b"\x08\x96\x01\x12\x07testing\x1a\x03\x08\x96\x01\x22\x04abcd"
    with pytest.raises(filters.InputError, match="looks binary"):
        load_document(record * 20)


def test_binary_passed_as_str_is_an_input_error() -> None:
    with pytest.raises(filters.InputError, match="PDF"):
        load_document("%PDF-1.4\n%âãÏÓ\n1 0 obj")


@pytest.mark.parametrize(
    "text",
    [
        "MZ Capital raised its stake.",
        "GIF of the day: the chart that moved markets.",
        "PK Subban joined the board.",
        "BZh is not a ticker.",
        "ID3 tags were added to the podcast feed.",
        "RIFF Capital said revenue rose.",
        "OggS",
        "fLaC",
        "wOFF",
        "%!PS is a printer language.",
        "7z",
        "ELF Beauty shares rose 5%.",
        "The ftyp box opens every MP4 file.",
        "%",
        "%PDF",  # not the 5-byte signature
        "a",
        "Yes.",
        "😀",
        "\u200f\u202eRTL text",
        "Line one\fLine two\vLine three",  # form feed and vertical tab
        "\x1b[32mGreen\x1b[0m text pasted from a terminal.",
        "One trailing NUL from a C string.\x00",
        "Tabs\tand\ttabs\tand\r\nWindows line ends.\r\n",
    ],
)
def test_short_legitimate_texts_are_not_called_binary(text: str) -> None:
    for data in (text.encode("utf-8"), text):
        doc = load_document(data)
        assert doc.text.strip()


def test_controls_and_terminal_codes_are_stripped_line_ends_unified() -> None:
    doc = load_document("a\r\nb\rc\x0bd\x0ce\x85f\u2028g\u2029h \x1b[1mi\x1b[0m \x00j\ud800k")
    assert doc.text == "a\nb\nc\nd\ne\nf\ng\nh i jk"


def test_empty_and_blank_inputs_are_input_errors() -> None:
    for data in (b"", "", "   \n\t ", b"\xef\xbb\xbf", "<html><body></body></html>"):
        with pytest.raises(filters.InputError, match="empty|no visible text"):
            load_document(data)


def test_content_type_must_be_known() -> None:
    with pytest.raises(filters.InputError, match="content_type must be"):
        load_document("text", content_type="pdf")  # type: ignore[arg-type]


def test_content_of_the_wrong_type_is_an_input_error() -> None:
    with pytest.raises(filters.InputError, match="must be str or bytes, not int"):
        load_document(42)  # type: ignore[arg-type]


# -- the development corpus, transcoded -----------------------------------------------------


def _cjk_share(text: str) -> float:
    letters = [c for c in text if not c.isspace()]
    return sum(1 for c in letters if "\u4e00" <= c <= "\u9fff") / max(len(letters), 1)


def test_corpus_pages_round_trip_through_every_encoding_they_fit() -> None:
    from tests.conftest import shared_path

    pages = sorted(shared_path("corpus", "pages", "pages").glob("*.txt"))
    tried = 0
    for page in pages:
        text = page.read_text(encoding="utf-8")
        expected = load_document(text, content_type="text").text
        encodings = ["utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "cp1252"]
        if _cjk_share(text) > 0.2:  # a Chinese article: GB18030 without any declaration
            encodings.append("gb18030")
        for encoding in encodings:
            try:
                data = text.encode(encoding)
            except UnicodeEncodeError:
                continue
            tried += 1
            got = load_document(data, content_type="text")
            assert got.text == expected, f"{page.name} as {encoding} read as {got.encoding}"
    assert tried > 100


def test_corpus_html_round_trips_with_a_declared_charset() -> None:
    import gzip

    from filters.load import decode
    from tests.conftest import shared_path

    tried = 0
    for page in sorted(shared_path("corpus", "html", "pages").glob("*.html.gz")):
        html = gzip.decompress(page.read_bytes()).decode("utf-8")
        for encoding in ("cp1252", "gb18030", "utf-16", "utf-16-le"):
            declared = f'<meta charset="{encoding}">' + html
            try:
                data = declared.encode(encoding)
            except UnicodeEncodeError:
                continue
            tried += 1
            assert decode(data).text.lstrip("\ufeff") == declared, f"{page.name} as {encoding}"
    assert tried > 100
