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
