"""The presidio recognizers prepub runs: presidio's own where they fit news, tuned ones where not.

Imported only when the PII engine is first built (presidio is slow to import). Every class
here is a presidio ``EntityRecognizer``, so the engine, its registry and the optional spaCy
NER recognizer work together as presidio documents. What changed from presidio's defaults,
and why:

* e-mail: domains are checked against tldextract's *bundled* public-suffix snapshot; the
  default recogniser lets tldextract fetch the live list over the network. An address
  whose domain runs straight into a number (Chinese text) is also tried.
* phone: presidio's ``PhoneRecognizer`` runs libphonenumber's matcher once per region over
  the whole text (about 2 ms a window for 12 regions) and calls prices and ids phone
  numbers. Here a regex finds phone-shaped strings first; libphonenumber then validates each
  one. ``+CC`` numbers are checked for their own country, national ones for a short list of
  regions; mainland China mobiles (11 digits, ``1[3-9]``) are accepted by shape.
* payment card: presidio's pattern misses Mastercard's 2-series and accepts any
  Luhn-valid 13-19 digit run that starts with 1, 3, 4, 5 or 6 (order numbers, ids). Here
  the number must also have a real issuer prefix and a length that issuer uses.
* US SSN: the separated form, or nine digits next to a context word; 9xx area numbers
  (ITINs, never SSNs) are rejected as well as presidio's invalid groups.
* IBAN and Bitcoin: presidio's recognisers and checksums, plus lower-case IBANs and the
  fixed address lengths, so a value glued to the next word is still found.
* IP addresses: presidio's recogniser unchanged.
* Ethereum 0x addresses and China resident identity numbers (mod 11-2 check character and
  a real birth date) have no presidio recogniser.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import phonenumbers
from presidio_analyzer import (
    AnalysisExplanation,
    LocalRecognizer,
    Pattern,
    PatternRecognizer,
    RecognizerResult,
)
from presidio_analyzer.predefined_recognizers import (
    CreditCardRecognizer,
    CryptoRecognizer,
    EmailRecognizer,
    IbanRecognizer,
    UsSsnRecognizer,
)

# Regions a national-format number (no +CC) may belong to: the markets prepub's platforms
# republish from. A +CC number is validated for its own country whatever this list says.
NATIONAL_REGIONS = ("US", "CN", "GB", "HK", "SG", "JP", "KR", "DE", "FR", "IN", "AU", "CA")


class OfflineEmailRecognizer(EmailRecognizer):
    """presidio's e-mail recogniser, validating domains without touching the network.

    One pattern is added: an address whose top-level domain runs straight into a number
    (``a@b.com2025年``, Chinese text has no spaces) fails presidio's pattern as a whole.
    """

    PATTERNS = [
        *EmailRecognizer.PATTERNS,
        Pattern(
            "Email (glued to a number)",
            r"\b[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)*\.[A-Za-z]{2,24}(?=\d)",
            0.5,
        ),
    ]

    def __init__(self, extractor: Any) -> None:
        super().__init__(patterns=self.PATTERNS)
        self._extract = extractor

    def validate_result(self, pattern_text: str) -> bool:  # noqa: D102
        return bool(self._extract(pattern_text).fqdn)


class NewsPhoneRecognizer(LocalRecognizer):
    """Phone numbers: phone-shaped strings validated by libphonenumber.

    Scores: a valid ``+CC`` number 0.75 (0.5 if only its length fits the country); a
    mainland China mobile 0.6; a valid national number written with separators 0.55; a
    bare run of 10-11 digits 0.3, which needs a context word to reach the policy's minimum.
    """

    # +CC, (+CC) or an international dialling prefix (00, 011), then 6-16 digits, each
    # optionally after one separator; "(0)" and "(415)" allowed; an extension may follow.
    _EXT = r"(?:[ ,]{0,2}(?:x|ext\.?|extension)[ ]?\d{1,5})?"
    INTERNATIONAL = re.compile(
        r"(?<![\w+])(?:\(\+[1-9]\d{0,3}\)|\+[ ]?[1-9]|(?:00|011)[ \-]?[1-9])"
        r"(?:[ .\-/]?(?:\(\d{1,4}\)|\d)){6,16}" + _EXT + r"(?![\w]|[.,]\d)"
    )
    NATIONAL = re.compile(
        r"(?<![\w+.,\-/])(?:"
        r"(?:\(\d{2,5}\)[ .\-]?|\d{2,5}[ .\-])\d{3,4}[ .\-]?\d{3,5}"
        r"|\d{2,4}[ .\-]\d{3,4}[ .\-]\d{3,4}[ .\-]\d{4}"
        r"|\d{10,11})" + _EXT + r"(?![\w\-/]|[.,]\d)"
    )
    CN_MOBILE = re.compile(r"^(?:86)?1[3-9]\d{9}$")
    # North American shape (NXX-NXX-XXXX): a phone number even where the area code is unassigned.
    NANP = re.compile(r"^\(?[2-9]\d{2}\)?[ .\-]?[2-9]\d{2}[ .\-]\d{4}$")
    THOUSANDS = re.compile(r"^\d{1,3}(?:[ .]\d{3})+$")
    DIAL_PREFIX = re.compile(r"^(?:\(?\+|00|011)[ \-]?")

    def __init__(self, regions: tuple[str, ...] = NATIONAL_REGIONS) -> None:
        self.regions = regions
        super().__init__(
            supported_entities=["PHONE_NUMBER"],
            supported_language="en",
            name="NewsPhoneRecognizer",
        )

    def load(self) -> None:  # noqa: D102
        pass

    def analyze(self, text: str, entities: list[str], nlp_artifacts: Any = None) -> list[Any]:  # noqa: D102
        results = []
        for m in self.INTERNATIONAL.finditer(text):
            found = self._international(m.group())
            if found:
                end, score, region = found
                results.append(self._result(m.start(), m.start() + end, score, region))
        for m in self.NATIONAL.finditer(text):
            if any(r.start <= m.start() < r.end for r in results):
                continue
            scored = self._national(m.group())
            if scored:
                score, region = scored
                results.append(self._result(m.start(), m.end(), score, region))
        return results

    def _international(self, candidate: str) -> tuple[int, float, str] | None:
        """Longest prefix (cut at a separator) that is a valid or possible number."""
        cuts = [len(candidate)]
        cuts += [i for i in range(len(candidate) - 1, 3, -1) if candidate[i] in " .-/"]
        for cut in cuts:
            head = candidate[:cut].rstrip(" .-/,")
            if sum(c.isdigit() for c in head) < 8:
                break
            try:
                number = phonenumbers.parse("+" + self.DIAL_PREFIX.sub("", head, count=1), None)
            except phonenumbers.NumberParseException:
                continue
            region = phonenumbers.region_code_for_number(number) or "ZZ"
            if phonenumbers.is_valid_number(number):
                return len(head), 0.75, region
            digits = re.sub(r"\D", "", head)
            if self.CN_MOBILE.match(digits):
                return len(head), 0.75, "CN"
            reason = phonenumbers.is_possible_number_with_reason(number)
            if reason == phonenumbers.ValidationResult.IS_POSSIBLE:
                return len(head), 0.5, region
        return None

    def _national(self, candidate: str) -> tuple[float, str] | None:
        digits = re.sub(r"\D", "", candidate)
        if self.THOUSANDS.match(candidate):
            return None
        separated = len(digits) != len(candidate)
        if self.CN_MOBILE.match(digits) and len(digits) == 11:
            return 0.6, "CN"
        for region in self.regions:
            try:
                number = phonenumbers.parse(candidate, region)
            except phonenumbers.NumberParseException:
                continue
            if phonenumbers.is_valid_number(number):
                return (0.55 if separated else 0.3), region
        if self.NANP.match(candidate):
            return 0.5, "US"
        return None

    def _result(self, start: int, end: int, score: float, region: str) -> Any:
        return RecognizerResult(
            entity_type="PHONE_NUMBER",
            start=start,
            end=end,
            score=score,
            analysis_explanation=AnalysisExplanation(
                recognizer="NewsPhoneRecognizer",
                original_score=score,
                textual_explanation=f"phone number valid for region {region}",
            ),
            recognition_metadata={
                RecognizerResult.RECOGNIZER_NAME_KEY: "NewsPhoneRecognizer",
                RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id,
            },
        )


# Issuer prefixes and the lengths each issuer uses (ISO/IEC 7812 IIN ranges in public use).
_CARD_ISSUERS: tuple[tuple[re.Pattern[str], frozenset[int]], ...] = tuple(
    (re.compile(prefix), frozenset(lengths))
    for prefix, lengths in (
        (r"4", (13, 16, 19)),  # Visa
        (r"5[1-5]|2(?:2[2-9]|[3-6]\d|7[01])|2720", (16,)),  # Mastercard
        (r"3[47]", (15,)),  # American Express
        (r"6011|64[4-9]|65", (16, 19)),  # Discover
        (r"62", (16, 17, 18, 19)),  # UnionPay
        (r"35(?:2[89]|[3-8]\d)", (16, 17, 18, 19)),  # JCB
        (r"30[0-5]|36|38|39", (14, 15, 16, 17, 18, 19)),  # Diners Club
        (r"220[0-4]", (16, 17, 18, 19)),  # Mir
        (r"50|5[6-9]|6[0-9]", (13, 14, 15, 16, 17, 18, 19)),  # Maestro
    )
)


def luhn_ok(digits: str) -> bool:
    """The Luhn (mod 10) check every payment card number carries."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def card_ok(digits: str) -> bool:
    """An issuer prefix with a length that issuer uses, and the Luhn check."""
    return any(p.match(digits) and len(digits) in lengths for p, lengths in _CARD_ISSUERS) and (
        luhn_ok(digits)
    )


class NewsCardRecognizer(CreditCardRecognizer):
    """Payment cards: 4-4-4-4(-3) groups with one separator, Amex/Diners 4-6-5, or 13-19 digits."""

    PATTERNS = [
        Pattern(
            "card (grouped)",
            r"(?<![\w.,+\-])\d{4}([ \-]?)\d{4}\1\d{4}\1\d{1,4}(?:\1\d{1,3})?(?![\w\-]|[.,]\d)",
            0.5,
        ),
        Pattern(
            "card (4-6-4/5)",
            r"(?<![\w.,+\-])3\d{3}([ \-])\d{6}\1\d{4,5}(?![\w\-]|[.,]\d)",
            0.5,
        ),
    ]

    def __init__(self) -> None:
        super().__init__(patterns=self.PATTERNS)

    def validate_result(self, pattern_text: str) -> bool:  # noqa: D102
        return card_ok(re.sub(r"\D", "", pattern_text))


class NewsSsnRecognizer(UsSsnRecognizer):
    """US SSNs: ``AAA-GG-SSSS`` (one separator throughout), or nine digits next to a context word."""

    PATTERNS = [
        Pattern("SSN (separated)", r"(?<![\w.,\-])\d{3}([- .])\d{2}\1\d{4}(?![\w\-]|[.,]\d)", 0.5),
        Pattern("SSN (nine digits)", r"(?<![\w.,\-])\d{9}(?![\w\-]|[.,]\d)", 0.15),
    ]

    def __init__(self) -> None:
        super().__init__(patterns=self.PATTERNS)

    def invalidate_result(self, pattern_text: str) -> bool:  # noqa: D102
        digits = re.sub(r"\D", "", pattern_text)
        return bool(super().invalidate_result(pattern_text)) or digits[0] == "9"


class NewsCryptoRecognizer(CryptoRecognizer):
    """presidio's Bitcoin recogniser (base58check, bech32, bech32m), plus exact-length SegWit shapes.

    presidio's pattern is greedy: an address glued to the next word (common in Chinese text,
    ``bc1q...c40A股``) fails its checksum. The SegWit forms have fixed lengths (42 and 62
    characters) and nearly all legacy ones are 33 or 34, so those lengths are tried as
    well; the checksum (32 bits for base58check, 30 for bech32) still decides.
    """

    PATTERNS = [
        *CryptoRecognizer.PATTERNS,
        Pattern("SegWit v0 key hash", r"(?-i:bc1q[02-9ac-hj-np-z]{38})", 0.5),
        Pattern("SegWit v0 script / Taproot", r"(?-i:bc1[pq][02-9ac-hj-np-z]{58})", 0.5),
        Pattern("P2SH / P2PKH (34)", r"(?-i:[13][1-9A-HJ-NP-Za-km-z]{33})", 0.5),
        Pattern("P2PKH (33)", r"(?-i:1[1-9A-HJ-NP-Za-km-z]{32})", 0.5),
    ]

    def __init__(self) -> None:
        super().__init__(patterns=self.PATTERNS)


class NewsIbanRecognizer(IbanRecognizer):
    """presidio's IBAN recogniser (country format and mod 97), also for IBANs typed in lower case."""

    def analyze(self, text: str, entities: list[str], *args: Any, **kwargs: Any) -> Any:  # noqa: D102
        # Windows are folded to ASCII, so upper-casing keeps every offset.
        return super().analyze(text.upper(), entities, *args, **kwargs)


class EthereumRecognizer(PatternRecognizer):
    """Ethereum-style 0x addresses: exactly 40 hex digits (a 64-digit tx hash is not one)."""

    def __init__(self) -> None:
        super().__init__(
            supported_entity="CRYPTO",
            name="EthereumRecognizer",
            patterns=[
                Pattern(
                    "Ethereum address", r"(?<![0-9A-Za-z])0x[0-9a-fA-F]{40}(?![0-9a-fA-F])", 0.6
                )
            ],
        )


_CN_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CN_CHECK = "10X98765432"


def cn_resident_id_ok(value: str, today: dt.date | None = None) -> bool:
    """GB 11643: 17 digits, a real birth date (YYYYMMDD at 7-14) and the mod 11-2 check character."""
    if len(value) != 18 or not value[:17].isdigit():
        return False
    try:
        born = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    if not dt.date(1880, 1, 1) <= born <= (today or dt.date.today()):
        return False
    total = sum(int(d) * w for d, w in zip(value[:17], _CN_WEIGHTS, strict=True))
    return _CN_CHECK[total % 11] == value[17].upper()


class ChinaResidentIdRecognizer(PatternRecognizer):
    """China resident identity numbers (18 characters, GB 11643 check character)."""

    def __init__(self) -> None:
        super().__init__(
            supported_entity="CN_RESIDENT_ID",
            name="ChinaResidentIdRecognizer",
            patterns=[
                Pattern(
                    "CN resident ID",
                    r"(?<![0-9])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}(?:[Xx]|\d(?![0-9]))",
                    0.6,
                )
            ],
        )

    def validate_result(self, pattern_text: str) -> bool:  # noqa: D102
        return cn_resident_id_ok(pattern_text)
