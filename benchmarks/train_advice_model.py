"""Fit the learned-wording advice rule (ADV-EN-011) from sentences written for prepub.

Run by hand, not in CI; it writes ``rules/advice_model_en.toml``. The rule packs' cue and
score rules name the wording a reviewer can point at; this fits a linear model (softmax
regression over "not advice" and the nine taxonomy categories) on words and word pairs,
so that wording no rule foresaw still counts when the words around it are those of
promotion. The model is data in the pack like every other rule: each feature with its
weight per class, and a finding lists the features that pushed it over the threshold.

Training data: the labelled sentences in ``tests/data/advice_*.jsonl`` (the project's own
writing; ``../shared`` is never read here, so dev.jsonl stays an untouched test set).
The fit is deterministic (full-batch gradient descent from zeros, fixed epochs), so the
same data gives the same pack.

    python benchmarks/train_advice_model.py [--language zh]  # write the pack
    python benchmarks/train_advice_model.py --hold-out advice_holdout_7.jsonl
                                                            # fit without a file, score it
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from filters.advice_model import CLASSES, features  # noqa: E402

DATA = ROOT / "tests" / "data"
OUT = {"en": ROOT / "rules" / "advice_model_en.toml", "zh": ROOT / "rules" / "advice_model_zh.toml"}
LANGUAGE = "en"  # set by --language
# words naming an asset or a market: the learned rule reads no sentence without one
TOPIC_EN = [
    "bitcoin",
    "btc",
    "ether",
    "eth",
    "ethereum",
    "solana",
    "sol",
    "xrp",
    "ripple",
    "dogecoin",
    "doge",
    "shiba",
    "shib",
    "cardano",
    "ada",
    "bnb",
    "litecoin",
    "ltc",
    "polkadot",
    "avalanche",
    "avax",
    "chainlink",
    "tron",
    "toncoin",
    "pepe",
    "sui",
    "crypto",
    "cryptos",
    "cryptocurrency",
    "cryptocurrencies",
    "altcoin",
    "altcoins",
    "alts",
    "memecoin",
    "memecoins",
    "meme coin",
    "meme coins",
    "coin",
    "coins",
    "token",
    "tokens",
    "stablecoin",
    "stablecoins",
    "usdt",
    "usdc",
    "sats",
    "satoshis",
    "nft",
    "nfts",
    "defi",
    "presale",
    "ico",
    "airdrop",
    "staking",
    "stake",
    "yield",
    "yields",
    "apy",
    "apr",
    "vault",
    "liquidity pool",
    "mining pool",
    "stock",
    "stocks",
    "shares",
    "equities",
    "equity",
    "etf",
    "etfs",
    "index fund",
    "index funds",
    "bond",
    "bonds",
    "forex",
    "fx",
    "gold",
    "silver",
    "futures",
    "leverage",
    "portfolio",
    "portfolios",
    "bags",
    "nasdaq",
    "s&p",
    "market",
    "markets",
    "rally",
    "dip",
    "bull",
    "bear",
    "halving",
    "altseason",
    "broker",
    "trading",
    "trader",
    "traders",
    "invest",
    "investing",
    "investment",
    "investments",
    "investor",
    "investors",
    "dividend",
    "dividends",
    "signal group",
    "copy trading",
    "wallet",
]
TOPIC_ZH = [
    "比特币",
    "以太坊",
    "以太币",
    "狗狗币",
    "瑞波币",
    "莱特币",
    "币",
    "代币",
    "加密",
    "虚拟货币",
    "数字货币",
    "数字资产",
    "稳定币",
    "山寨",
    "土狗",
    "meme",
    "btc",
    "eth",
    "sol",
    "usdt",
    "usdc",
    "bnb",
    "doge",
    "nft",
    "defi",
    "空投",
    "质押",
    "矿池",
    "挖矿",
    "链上",
    "合约",
    "杠杆",
    "期货",
    "现货",
    "期权",
    "股票",
    "个股",
    "股市",
    "股价",
    "a股",
    "港股",
    "美股",
    "大盘",
    "板块",
    "基金",
    "理财",
    "债券",
    "黄金",
    "外汇",
    "etf",
    "指数",
    "投资",
    "收益",
    "回报",
    "仓位",
    "建仓",
    "加仓",
    "满仓",
    "梭哈",
    "抄底",
    "上车",
    "行情",
    "牛市",
    "熊市",
    "减半",
    "市值",
    "交易",
    "带单",
    "喊单",
    "跟单",
    "项目",
]
MIN_COUNT = 2  # a feature seen once is noise
L2 = 1.0
EPOCHS = 400
STEP = 2.0
KEEP = 0.01  # weights smaller than this are dropped from the pack


def _rows(files: list[Path], language: str) -> list[dict[str, str]]:
    out = []
    for f in files:
        for line in f.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                if row["lang"] == language:
                    out.append(row)
    return out


def _label(row: dict[str, str]) -> int:
    return CLASSES.index(row["category"]) if row["label"] == "advice" else 0


def design(rows: list[dict[str, str]], vocab: list[str]) -> np.ndarray:
    """One row per sentence, one column per feature, 1.0 where the feature is present."""
    at = {f: i for i, f in enumerate(vocab)}
    x = np.zeros((len(rows), len(vocab)))
    for j, r in enumerate(rows):
        for f in features(r["text"], LANGUAGE):
            if f in at:
                x[j, at[f]] = 1.0
    return x


def fit(rows: list[dict[str, str]]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Vocabulary, weights (features x classes) and biases of the softmax regression."""
    counts = Counter(f for r in rows for f in features(r["text"], LANGUAGE))
    vocab = sorted(f for f, n in counts.items() if n >= MIN_COUNT)
    x = design(rows, vocab)
    y = np.zeros((len(rows), len(CLASSES)))
    y[np.arange(len(rows)), [_label(r) for r in rows]] = 1.0
    w = np.zeros((len(vocab), len(CLASSES)))
    b = np.zeros(len(CLASSES))
    n = len(rows)
    for _ in range(EPOCHS):
        z = x @ w + b
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        w -= STEP * (x.T @ (p - y) / n + L2 * w / n)
        b -= STEP * (p - y).mean(axis=0)
    return vocab, w, b


def fit_gate(rows: list[dict[str, str]], vocab: list[str]) -> tuple[np.ndarray, float]:
    """A binary logistic regression (advice or not) on the same features: the cheap gate.

    One weight per feature, so the advice engine can dismiss most sentences with one sum
    before it computes the ten classes.
    """
    x = design(rows, vocab)
    y = np.array([1.0 if r["label"] == "advice" else 0.0 for r in rows])
    w = np.zeros(len(vocab))
    b = 0.0
    n = len(rows)
    for _ in range(EPOCHS):
        p = 1.0 / (1.0 + np.exp(-(x @ w + b)))
        w -= STEP * (x.T @ (p - y) / n + L2 * w / n)
        b -= STEP * float((p - y).mean())
    return w, b


def _toml_str(s: object) -> str:
    return json.dumps(s, ensure_ascii=False)


def write_pack(
    vocab: list[str],
    w: np.ndarray,
    b: np.ndarray,
    gate: tuple[np.ndarray, float],
    files: list[Path],
) -> str:
    lines = []
    gate_w, gate_b = gate
    for f, row, g in zip(vocab, w, gate_w, strict=True):
        kept = [(i, round(float(v), 3)) for i, v in enumerate(row) if abs(v) >= KEEP]
        if kept:
            cells = ", ".join(f"{i}, {v}" for i, v in kept)
            lines.append(f"  [{_toml_str(f)}, {round(float(g), 3)}, {cells}],")
    digest = hashlib.sha256(b"".join(f.read_bytes() for f in files)).hexdigest()[:16]
    bias = ", ".join(str(round(float(v), 3)) for v in b)
    return (
        header(files, digest, len(vocab))
        + f"bias = [{bias}]\n"
        + f"gate_bias = {round(float(gate_b), 3)}\n"
        + "weights = [\n"
        + "\n".join(lines)
        + "\n]\n"
    )


# What each language's pack says besides its weights. The threshold was chosen with the
# model fitted without a held-out batch (see README); the gate's threshold is as high as it
# can be without dismissing a sentence the full model flags (main() prints how many it
# would: keep that at 0).
PACKS: dict[str, dict[str, Any]] = {
    "en": {
        "description": "Learned wording of English advice: a linear model over words and word pairs, fitted on prepub's own labelled sentences",
        "id": "ADV-EN-011",
        "message": "Reads as advice by its wording as a whole (learned model): '{match}'",
        "rationale": "Cue and score rules name the wording a reviewer can point at; fresh wording slips past any list. This linear model weighs every word and word pair of a sentence, as learned from labelled advice and near-miss sentences written for prepub, and flags a sentence whose probability of advice reaches the threshold. It only reads sentences that name an asset or a market, without quoted or reported speech, and the finding lists the words that weighed most, so a reviewer sees why.",
        "citations": [
            "FSMA 2000 s21 (invitation or inducement)",
            "FINRA Rule 2210(d)(1)(A)-(B)",
            "FCA FG24/1 (finfluencers)",
            "ESMA/EBA/EIOPA warnings on crypto-asset promotion (2022)",
        ],
        "must_match": [
            "Honestly, the smart play this month is to keep stacking ether every single payday."
        ],
        "must_not_match": [
            "The exchange said trading volumes in ether fell by a fifth in the month to June.",
            "Analysts said retail traders kept buying bitcoin through the summer.",
        ],
        "threshold": 0.9,
        "gate": 0.7,
        "topic_words": TOPIC_EN,
        "topic_pattern": r"(?<![\w$])\$[A-Za-z]{2,10}\b",
    },
    "zh": {
        "description": "Learned wording of Chinese advice: a linear model over character n-grams, fitted on prepub's own labelled sentences",
        "id": "ADV-ZH-011",
        "message": "整体措辞读作投资建议（学习模型）: '{match}'",
        "rationale": "Cue and score rules name the wording a reviewer can point at; fresh wording slips past any list. This linear model weighs every character n-gram of a sentence, as learned from labelled advice and near-miss sentences written for prepub, and flags a sentence whose probability of advice reaches the threshold. It only reads sentences that name an asset or a market, without quoted or reported speech, and the finding lists the n-grams that weighed most, so a reviewer sees why.",
        "citations": [
            "《证券投资顾问业务暂行规定》",
            "《关于进一步防范和处置虚拟货币交易炒作风险的通知》(2021)",
            "SFO Sch. 5 Type 4",
            "FSMA 2000 s21 (financial promotion)",
        ],
        "must_match": ["这个项目的团队很靠谱，早点进场的人都赚到了。"],
        "must_not_match": [
            "交易所数据显示，比特币现货交易量上周下降了两成。",
            "分析人士表示，散户投资者整个夏天都在买入以太坊。",
        ],
        "threshold": 0.95,
        "gate": 0.8,
        "topic_words": TOPIC_ZH,
        "topic_pattern": None,
    },
}


def header(files: list[Path], digest: str, rows: int) -> str:
    """The pack text above the weights: provenance, the rule, and the model's settings."""
    pack = PACKS[LANGUAGE]
    lines = [
        f"# Generated by benchmarks/train_advice_model.py from {', '.join(_toml_str(f.name) for f in files)}",
        f"# (sha256 of the training files {digest}); {rows} features. Do not edit by hand: change the",
        "# training data or the script, re-run it, and review the examples below still hold.",
        "[pack]",
        f'name = "advice-model-{LANGUAGE}"',
        'version = "1.0.0"',
        f"description = {_toml_str(pack['description'])}",
        "",
        "[[rule]]",
        f'id = "{pack["id"]}"',
        'name = "advice.learned_wording"',
        'kind = "advice"',
        'advice_category = "direct_recommendation"',
        'severity = "warning"',
        f'languages = ["{LANGUAGE}"]',
        f"message = {_toml_str(pack['message'])}",
        f"rationale = {_toml_str(pack['rationale'])}",
        f"citations = {_toml_str(pack['citations'])}",
        "",
        f"[rule.examples.{LANGUAGE}]",
        f"must_match = {_toml_str(pack['must_match'])}",
        f"must_not_match = {_toml_str(pack['must_not_match'])}",
        "",
        "[rule.model]",
        f"threshold = {pack['threshold']}",
        f"gate_threshold = {pack['gate']}",
        f"topic_words = {_toml_str(pack['topic_words'])}",
    ]
    if pack["topic_pattern"]:
        lines.append(f"topic_pattern = '{pack['topic_pattern']}'")
    lines.append(f"classes = {_toml_str(list(CLASSES))}")
    return "\n".join(lines) + "\n"


def evaluate(vocab: list[str], w: np.ndarray, b: np.ndarray, rows: list[dict[str, str]]) -> None:
    at = {f: i for i, f in enumerate(vocab)}
    for threshold in (0.5, 0.7, 0.9):
        tp = fp = fn = 0
        for r in rows:
            z = b.copy()
            for f in features(r["text"], LANGUAGE):
                if f in at:
                    z = z + w[at[f]]
            p = np.exp(z - z.max())
            advice = 1 - p[0] / p.sum() >= threshold
            truth = r["label"] == "advice"
            tp += advice and truth
            fp += advice and not truth
            fn += truth and not advice
        prec = tp / (tp + fp) if tp + fp else 1.0
        rec = tp / (tp + fn) if tp + fn else 1.0
        print(f"  model alone at {threshold}: P {prec:.3f} R {rec:.3f} (tp {tp}, fp {fp}, fn {fn})")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--hold-out", nargs="*", default=[], help="data files to leave out and score")
    ap.add_argument("--dev", type=Path, help="also score this labelled file (e.g. dev.jsonl)")
    ap.add_argument("--out", type=Path, help="where to write the pack (default: rules/)")
    ap.add_argument("--language", choices=sorted(OUT), default="en")
    args = ap.parse_args()
    global LANGUAGE
    LANGUAGE = args.language
    out = args.out or OUT[LANGUAGE]
    files = sorted(DATA.glob("advice_*.jsonl"))
    held = [f for f in files if f.name in args.hold_out]
    train = [f for f in files if f not in held]
    rows = _rows(train, LANGUAGE)
    vocab, w, b = fit(rows)
    gate = fit_gate(rows, vocab)
    x = design(rows, vocab)
    z = x @ w + b
    e = np.exp(z - z.max(axis=1, keepdims=True))
    full = 1.0 - e[:, 0] / e.sum(axis=1)
    quick = 1.0 / (1.0 + np.exp(-(x @ gate[0] + gate[1])))
    cut = PACKS[LANGUAGE]["gate"]
    lost = int(((full >= PACKS[LANGUAGE]["threshold"]) & (quick < cut)).sum())
    print(
        f"gate: dismisses {int((quick < cut).sum())} of {len(rows)} sentences; of those the full model flags {lost}"
    )
    print(
        f"fitted on {len(rows)} {LANGUAGE} sentences from {len(train)} files, {len(vocab)} features"
    )
    for f in held:
        print(f"{f.name} (held out):")
        evaluate(vocab, w, b, _rows([f], LANGUAGE))
    if args.dev:
        print(f"{args.dev.name}:")
        evaluate(vocab, w, b, _rows([args.dev], LANGUAGE))
    if not held or args.out is not None:  # a held-out fit never replaces the shipped pack
        out.write_text(write_pack(vocab, w, b, gate, train), encoding="utf-8")
        print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
