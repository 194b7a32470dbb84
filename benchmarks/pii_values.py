"""Generated, valid personal-data values of every kind prepub detects, with phrasings to plant them.

Every value is synthetic (random, seeded) but valid the way a real one is: Luhn and issuer
prefix for cards, mod-97 for IBANs, base58check / bech32 / bech32m for Bitcoin, GB 11643 for
China resident ids, libphonenumber validity for phones. The sentences are this project's
own writing. Used by ``bench_pii.py``; nothing here is shipped.
"""

from __future__ import annotations

import hashlib
import random
import string
from collections.abc import Callable

import phonenumbers

_FIRST = "anna ben carla dmitri elena farid grace hiro ines jonas kofi lena marco nadia oscar priya quinn rosa sven tara umar vera wei xin yusuf zoe".split()
_LAST = "novak okafor silva tanaka moreau fischer kowalski haddad lindqvist obrien mensah rossi ivanova chen wang liu zhang patel garcia nguyen kim park".split()
_TLDS = [
    "com",
    "net",
    "org",
    "io",
    "co",
    "co.uk",
    "de",
    "fr",
    "cn",
    "com.cn",
    "hk",
    "sg",
    "jp",
    "info",
    "me",
    "ch",
    "nl",
]
_WORDS = "mailbox postfach lumen orbit harbor kestrel northwind bluefin quillon meridian vantage cobalt maple".split()


def email(rng: random.Random) -> str:
    """A person's address: first.last, initials, digits, plus-tags, sub-domains."""
    f, last = rng.choice(_FIRST), rng.choice(_LAST)
    local = rng.choice(
        [
            f"{f}.{last}",
            f"{f}{last}{rng.randint(1, 99)}",
            f"{f[0]}.{last}",
            f"{f}_{last}",
            f"{f}-{last}+news",
            f"{last}{rng.randint(1970, 2005)}",
        ]
    )
    domain = rng.choice(_WORDS) + rng.choice(["", "-mail", "web", str(rng.randint(1, 9))])
    if rng.random() < 0.2:
        domain = "mail." + domain
    return f"{local}@{domain}.{rng.choice(_TLDS)}"


_PHONE_REGIONS = (
    "US GB DE FR SG HK JP KR AU IN CA CN AE BR NL ES IT CH VN TH MY PH ID ZA TR MX".split()
)


def _valid_number(rng: random.Random, region: str) -> phonenumbers.PhoneNumber:
    kind = rng.choice(
        [phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE]
    )
    example = phonenumbers.example_number_for_type(region, kind) or phonenumbers.example_number(
        region
    )
    national = str(example.national_number)
    for _ in range(200):
        keep = max(2, len(national) - rng.randint(3, 6))
        digits = national[:keep] + "".join(rng.choice("0123456789") for _ in national[keep:])
        number = phonenumbers.PhoneNumber(
            country_code=example.country_code, national_number=int(digits)
        )
        if phonenumbers.is_valid_number(number):
            return number
    return example


def phone(rng: random.Random) -> str:
    """International formats for 26 regions, US and mainland China national formats."""
    style = rng.random()
    if style < 0.2:  # mainland China mobile, the way Chinese text writes it
        d = "1" + rng.choice("3456789") + "".join(rng.choice(string.digits) for _ in range(9))
        return rng.choice(
            [d, f"{d[:3]} {d[3:7]} {d[7:]}", f"{d[:3]}-{d[3:7]}-{d[7:]}", f"+86 {d}", f"+86-{d}"]
        )
    if style < 0.3:  # US national
        n = str(_valid_number(rng, "US").national_number)
        return rng.choice(
            [
                f"({n[:3]}) {n[3:6]}-{n[6:]}",
                f"{n[:3]}-{n[3:6]}-{n[6:]}",
                f"{n[:3]}.{n[3:6]}.{n[6:]}",
            ]
        )
    number = _valid_number(rng, rng.choice(_PHONE_REGIONS))
    fmt = rng.choice(
        [
            phonenumbers.PhoneNumberFormat.INTERNATIONAL,
            phonenumbers.PhoneNumberFormat.INTERNATIONAL,
            phonenumbers.PhoneNumberFormat.E164,
        ]
    )
    out = phonenumbers.format_number(number, fmt)
    if rng.random() < 0.15:
        out = out.replace(" ", "-")
    return out


def _luhn_complete(prefix: str, length: int, rng: random.Random) -> str:
    body = prefix + "".join(rng.choice(string.digits) for _ in range(length - len(prefix) - 1))
    for check in string.digits:
        total = 0
        for i, ch in enumerate(reversed(body + check)):
            d = int(ch)
            if i % 2:
                d = d * 2 - 9 if d > 4 else d * 2
            total += d
        if total % 10 == 0:
            return body + check
    raise AssertionError("unreachable")


def card(rng: random.Random) -> str:
    """Visa, Mastercard (both series), Amex, Discover, JCB, UnionPay, Diners; grouped or not."""
    prefix, length = rng.choice(
        [
            ("4", 16),
            ("4", 16),
            (str(rng.randint(51, 55)), 16),
            (str(rng.randint(2221, 2720)), 16),
            (rng.choice(["34", "37"]), 15),
            ("6011", 16),
            (str(rng.randint(3528, 3589)), 16),
            ("62", rng.choice([16, 19])),
            ("36", 14),
        ]
    )
    digits = _luhn_complete(prefix, length, rng)
    if length == 15 or length == 14:
        sep = rng.choice([" ", "-", ""])
        return sep.join([digits[:4], digits[4:10], digits[10:]])
    sep = rng.choice([" ", " ", "-", ""])
    return sep.join(digits[i : i + 4] for i in range(0, len(digits), 4))


_IBAN_BBAN: dict[str, Callable[[random.Random], str]] = {
    "GB": lambda r: (
        "".join(r.choice(string.ascii_uppercase) for _ in range(4))
        + "".join(r.choice(string.digits) for _ in range(14))
    ),
    "DE": lambda r: "".join(r.choice(string.digits) for _ in range(18)),
    "FR": lambda r: "".join(r.choice(string.digits) for _ in range(23)),
    "ES": lambda r: "".join(r.choice(string.digits) for _ in range(20)),
    "NL": lambda r: (
        "".join(r.choice(string.ascii_uppercase) for _ in range(4))
        + "".join(r.choice(string.digits) for _ in range(10))
    ),
    "BE": lambda r: "".join(r.choice(string.digits) for _ in range(12)),
    "AT": lambda r: "".join(r.choice(string.digits) for _ in range(16)),
    "CH": lambda r: "".join(r.choice(string.digits) for _ in range(17)),
    "PL": lambda r: "".join(r.choice(string.digits) for _ in range(24)),
    "IT": lambda r: (
        r.choice(string.ascii_uppercase) + "".join(r.choice(string.digits) for _ in range(22))
    ),
}


def iban(rng: random.Random) -> str:
    """A mod-97-valid IBAN for one of ten SEPA countries, grouped by four or not."""
    country = rng.choice(sorted(_IBAN_BBAN))
    bban = _IBAN_BBAN[country](rng)
    numeric = "".join(str(int(c, 36)) for c in bban + country + "00")
    value = f"{country}{98 - int(numeric) % 97:02d}{bban}"
    if rng.random() < 0.6:
        return " ".join(value[i : i + 4] for i in range(0, len(value), 4))
    return value


def ip(rng: random.Random) -> str:
    """IPv4 mostly, sometimes IPv6 (full or compressed)."""
    if rng.random() < 0.8:
        return ".".join(
            str(x) for x in [rng.randint(1, 223), *(rng.randint(0, 255) for _ in range(3))]
        )
    groups = [f"{rng.randint(0, 0xFFFF):x}" for _ in range(8)]
    if rng.random() < 0.5:
        return "2001:db8:" + ":".join(groups[2:4]) + "::" + groups[7]
    return ":".join(groups)


_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def _base58check(payload: bytes) -> str:
    data = payload + hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
    n = int.from_bytes(data, "big")
    out = ""
    while n:
        n, r = divmod(n, 58)
        out = _B58[r] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


def _polymod(values: list[int]) -> int:
    gen = [0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3]
    chk = 1
    for v in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i in range(5):
            chk ^= gen[i] if (top >> i) & 1 else 0
    return chk


def _segwit(version: int, program: bytes) -> str:
    acc, bits, data = 0, 0, [version]
    for b in program:
        acc = (acc << 8) | b
        bits += 8
        while bits >= 5:
            bits -= 5
            data.append((acc >> bits) & 31)
    if bits:
        data.append((acc << (5 - bits)) & 31)
    hrp = "bc"
    const = 1 if version == 0 else 0x2BC830A3
    expanded = [ord(x) >> 5 for x in hrp] + [0] + [ord(x) & 31 for x in hrp]
    mod = _polymod(expanded + data + [0] * 6) ^ const
    checksum = [(mod >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(_BECH32[d] for d in data + checksum)


def crypto(rng: random.Random) -> str:
    """Bitcoin P2PKH, P2SH, SegWit (bech32), Taproot (bech32m), or an Ethereum address."""
    kind = rng.choice(["p2pkh", "p2sh", "segwit", "taproot", "eth", "eth"])
    if kind == "p2pkh":
        return _base58check(b"\x00" + rng.randbytes(20))
    if kind == "p2sh":
        return _base58check(b"\x05" + rng.randbytes(20))
    if kind == "segwit":
        return _segwit(0, rng.randbytes(20))
    if kind == "taproot":
        return _segwit(1, rng.randbytes(32))
    hexdigits = rng.randbytes(20).hex()
    if rng.random() < 0.5:
        hexdigits = "".join(c.upper() if rng.random() < 0.5 else c for c in hexdigits)
    return "0x" + hexdigits


def ssn(rng: random.Random) -> str:
    """A US SSN with an issuable area (001-899 but 666), group and serial."""
    area = rng.choice([a for a in range(1, 900) if a != 666])
    value = f"{area:03d}-{rng.randint(1, 99):02d}-{rng.randint(1, 9999):04d}"
    return value if rng.random() < 0.85 else value.replace("-", " ")


_CN_REGIONS = [
    "110101",
    "110105",
    "310104",
    "310115",
    "440305",
    "440106",
    "510107",
    "330106",
    "320102",
    "420106",
    "610113",
    "370202",
]


def cn_id(rng: random.Random) -> str:
    """An 18-character China resident identity number with a real birth date and check character."""
    import datetime as dt

    born = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randint(0, 20000))
    body = f"{rng.choice(_CN_REGIONS)}{born:%Y%m%d}{rng.randint(0, 999):03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]
    return body + check


GENERATORS: dict[str, Callable[[random.Random], str]] = {
    "EMAIL_ADDRESS": email,
    "PHONE_NUMBER": phone,
    "CREDIT_CARD": card,
    "IBAN_CODE": iban,
    "IP_ADDRESS": ip,
    "CRYPTO": crypto,
    "US_SSN": ssn,
    "CN_RESIDENT_ID": cn_id,
}

# Sentences to carry each value, English and Chinese; some name the kind, some do not.
PHRASES: dict[str, dict[str, list[str]]] = {
    "EMAIL_ADDRESS": {
        "en": [
            "Readers can contact the author at {v}.",
            "The seller asked buyers to email {v} before sending funds.",
            "According to the complaint, the messages came from {v}.",
            "{v} was listed as the only contact on the token's website.",
            "A spokesperson replied from {v} on Tuesday.",
        ],
        "zh": [
            "如有疑问，可发送邮件至{v}。",
            "该用户的邮箱为{v}，已多次用于注册账户。",
            "投诉人称，对方使用{v}发送了钓鱼邮件。",
            "项目方留下的联系方式是{v}",
        ],
    },
    "PHONE_NUMBER": {
        "en": [
            "The victim said the caller used the number {v}.",
            "You can reach him on {v} during office hours.",
            "The promoter's WhatsApp, {v}, was shared in the group chat.",
            "Call {v} to speak with the organiser.",
            "Investors who dialled {v} were told to move their coins.",
            "His number, {v}, appears on the flyer.",
        ],
        "zh": [
            "联系人王先生，手机{v}。",
            "如需了解详情请致电{v}。",
            "受害者表示，对方用{v}多次打来电话。",
            "他的联系方式{v}在群聊中被公开。",
            "客户经理留下的号码为{v}，目前已停机。",
        ],
    },
    "CREDIT_CARD": {
        "en": [
            "The card number {v} was used for the purchase.",
            "She said her Visa card {v} had been charged without consent.",
            "Screenshots showed the payment card {v} and its expiry date.",
            "A leaked spreadsheet listed {v} next to the customer's name.",
        ],
        "zh": [
            "受害人的银行卡号{v}被盗刷。",
            "截图显示信用卡卡号为{v}。",
            "泄露的表格中列出了{v}及持卡人姓名。",
        ],
    },
    "IBAN_CODE": {
        "en": [
            "Transfers were requested to the account {v}.",
            "The invoice asked for payment to IBAN {v}.",
            "Victims sent euros to {v}, an account opened weeks earlier.",
        ],
        "zh": [
            "款项被要求汇入账户{v}。",
            "发票上的国际银行账号为{v}。",
            "受害者将欧元转入了{v}。",
        ],
    },
    "IP_ADDRESS": {
        "en": [
            "The login came from IP address {v}.",
            "Server logs traced the attack to {v}.",
            "The user connected from {v} before the withdrawal.",
        ],
        "zh": [
            "登录记录显示IP地址为{v}。",
            "攻击者通过{v}访问了服务器。",
        ],
    },
    "CRYPTO": {
        "en": [
            "The stolen funds were sent to {v}.",
            "He posted his wallet address {v} on social media.",
            "Donations can be made to {v}.",
        ],
        "zh": [
            "被盗资金已转入地址{v}。",
            "他在社交媒体上公布了自己的钱包地址{v}。",
            "资金最终流向{v}",
        ],
    },
    "US_SSN": {
        "en": [
            "The form included his Social Security number, {v}.",
            "Her SSN {v} appeared in the breach data.",
            "The leaked record lists {v} as the holder's SSN.",
        ],
        "zh": [
            "文件中包含其美国社会安全号码{v}。",
            "泄露的数据里有他的SSN：{v}。",
        ],
    },
    "CN_RESIDENT_ID": {
        "en": [
            "The court notice disclosed the defendant's ID card number {v}.",
            "His resident identity number {v} was posted online.",
            "The account was opened with {v}, a stolen identity number.",
        ],
        "zh": [
            "当事人身份证号码为{v}。",
            "法院公告披露了被告的身份证号{v}。",
            "其公民身份号码{v}遭泄露。",
            "开户时登记的证件号为{v}",
        ],
    },
}
