"""Document language, unsupported languages and blocks in another language."""

from __future__ import annotations

import pytest

import filters
from filters.detect_language import detect, latin_language, text_blocks

SAMPLES = {
    "en": "The exchange said trading volume rose sharply in the second quarter as new listings drew retail investors back to the market.",
    "zh": "该交易所表示，由于新上市项目吸引散户投资者重返市场，第二季度交易量大幅上升。",
    "ja": "取引所によると、新規上場が個人投資家を呼び戻したことで、第2四半期の取引量は大幅に増加した。",
    "ko": "거래소는 신규 상장이 개인 투자자들을 다시 끌어들이면서 2분기 거래량이 크게 늘었다고 밝혔다.",
    "ru": "Биржа сообщила, что объём торгов во втором квартале резко вырос, поскольку новые листинги вернули частных инвесторов.",
    "es": "La bolsa informó que el volumen de negociación aumentó con fuerza en el segundo trimestre gracias a las nuevas cotizaciones.",
    "vi": "Sàn giao dịch cho biết khối lượng giao dịch tăng mạnh trong quý hai khi các đợt niêm yết mới thu hút nhà đầu tư cá nhân quay lại.",
    "tr": "Borsa, yeni listelemelerin bireysel yatırımcıları geri çekmesiyle ikinci çeyrekte işlem hacminin keskin biçimde arttığını açıkladı.",
}


@pytest.mark.parametrize("lang", sorted(SAMPLES))
def test_document_language(lang: str) -> None:
    assert detect(SAMPLES[lang])[0] == lang


def test_detection_is_deterministic() -> None:
    text = SAMPLES["es"]
    assert {detect(text) for _ in range(5)} == {detect(text)}


def test_unsupported_language_goes_to_review(pipeline: filters.Pipeline) -> None:
    text = (
        "Le gouvernement a annoncé mardi une nouvelle série de mesures pour soutenir les "
        "entreprises touchées par la crise énergétique, a indiqué le ministère."
    )
    result = pipeline.check(text)
    assert any(f.rule == "LNG-001" for f in result.findings)
    assert result.decision != "publish"


def _mixed(result: filters.Result) -> list[filters.Finding]:
    return [f for f in result.findings if f.rule == "LNG-002"]


def test_block_in_another_script_is_flagged(pipeline: filters.Pipeline) -> None:
    text = f"{SAMPLES['en']}\n{SAMPLES['zh']}\n{SAMPLES['en']}"
    result = pipeline.check(text)
    (finding,) = _mixed(result)
    assert finding.excerpt is not None and finding.excerpt.startswith("该交易所")
    assert finding.severity == "info"


def test_latin_paragraph_in_another_language_is_flagged(pipeline: filters.Pipeline) -> None:
    english = f"{SAMPLES['en']}\n\nAnalysts said the figures were in line with what the market had expected for the period."
    spanish = (
        f"{SAMPLES['es']} Los analistas esperan que la tendencia continúe durante el resto del año."
    )
    text = f"{english}\n\n{spanish}\n\n{english}"
    (finding,) = _mixed(pipeline.check(text))
    assert "'es'" in finding.message


def test_one_language_article_has_no_mixed_findings(pipeline: filters.Pipeline) -> None:
    text = f"{SAMPLES['en']}\n\nBinance, OKX and Bybit said the figures matched their own data.\n\n{SAMPLES['en']}"
    assert _mixed(pipeline.check(text)) == []


def test_untranslated_chrome_is_removed_not_flagged(pipeline: filters.Pipeline) -> None:
    text = f"{SAMPLES['en']}\n写下你的评论\n相关阅读：交易所第二季度交易量创新高的三大原因\n{SAMPLES['en']}"
    result = pipeline.check(text)
    assert _mixed(result) == []
    assert "相关阅读" not in result.clean_text


def test_html_blocks_are_checked_one_by_one(pipeline: filters.Pipeline) -> None:
    html = (
        f"<html><body><article><p>{SAMPLES['en']}</p><p>{SAMPLES['ko']}</p>"
        f"<p>{SAMPLES['en']}</p></article></body></html>"
    )
    assert len(_mixed(pipeline.check(html, content_type="html"))) == 1


def test_text_blocks_group_lines_by_script() -> None:
    text = "Bitcoin rose on Monday after the report.\n42\n比特币周一上涨。交易量放大。\n"
    runs = text_blocks(text)
    assert [(text[s:e], script) for s, e, script in runs] == [
        ("Bitcoin rose on Monday after the report.\n42", "latin"),
        ("比特币周一上涨。交易量放大。", "han"),
    ]


def test_latin_language_needs_enough_words() -> None:
    assert latin_language("el banco") is None
    assert latin_language(SAMPLES["es"] + " " + SAMPLES["es"]) == "es"
    assert latin_language(SAMPLES["en"] + " " + SAMPLES["en"]) == "en"


def test_latin_language_outside_the_function_word_lists_goes_to_langdetect() -> None:
    polish = (
        "Giełda poinformowała, że wolumen obrotu w drugim kwartale wyraźnie wzrósł, "
        "ponieważ nowe debiuty przyciągnęły inwestorów indywidualnych z powrotem na rynek."
    )
    assert detect(polish)[0] == "pl"
