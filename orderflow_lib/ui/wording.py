"""Plain words for the engine's codes, so a trader never reads "BVP", "EIGHTY" or "AT_ON_HIGH".

The codes stay in the data and the logs; only what the dashboards, the backtest report and the
command line's tables show passes through here. Every function accepts None and unknown codes (an
unknown code becomes lower-case words).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

REGIMES = {
    "TREND_UP": "Trending up",
    "TREND_DOWN": "Trending down",
    "BALANCE": "Balanced, range-bound",
    "BREAKOUT_PENDING": "Breakout brewing",
    "UNKNOWN": "Not called yet",
}

CONFIDENCE = {"HIGH": "high", "MED": "medium", "MEDIUM": "medium", "LOW": "low"}

RELATIONSHIPS = {
    "HIGHER": "above the 5-day value",
    "LOWER": "below the 5-day value",
    "OVERLAP_HIGHER": "overlapping, higher",
    "OVERLAPPING_HIGHER": "overlapping, higher",
    "OVERLAP_LOWER": "overlapping, lower",
    "OVERLAPPING_LOWER": "overlapping, lower",
    "INSIDE": "inside the 5-day value",
    "OUTSIDE": "wider than the 5-day value",
    "UNCHANGED": "same as the 5-day value",
}

_SETUPS = {
    "RTV": ("return to value", "return to value"),
    "BVP": ("buy the pullback", "sell the pullback"),
    "EIGHTY": ("80% rule", "80% rule"),
    "ROTATE": ("rotation", "rotation"),
    "DRIVE": ("opening drive", "opening drive"),
}

SETUP_KINDS = {
    "RTV": "return to value",
    "BVP": "pullback after a breakout",
    "ROTATE": "rotation",
    "EIGHTY": "80% rule",
    "DRIVE": "opening drive",
}

FAMILIES = {
    "ROTATIONAL": "rotation",
    "DIRECTIONAL_BULLISH": "up trend (longs only)",
    "DIRECTIONAL_BEARISH": "down trend (shorts only)",
    "NONE": "levels only",
}
"""The trading family of a day or a scenario."""

GRADES = {
    "WIN": "won",
    "LOSS": "lost",
    "SCRATCH": "scratched",
    "MISSED": "missed",
    "NOT_TAKEN": "not taken",
    "NO_TRIGGER": "never triggered",
}
"""A scenario's grade for the day, as the review gives it."""

SKIPS = {
    "STOP_TOO_WIDE": "stop too far",
    "REWARD_TOO_SMALL": "target too close",
    "RISK_TOO_LARGE": "too much risk",
    "NO_FX_RATE": "no GBP rate yet",
    "EXPIRED": "signal too old",
    "BUSY": "already in a trade",
    "FAMILY_DISAGREES": "market disagreed",
    "SCORE": "score too low",
}
"""Why an entry was skipped, short enough for a table cell."""

SIGNALS = {
    "STACKED_BUY_IMBALANCE": "stacked buying",
    "STACKED_SELL_IMBALANCE": "stacked selling",
    "BID_ABSORPTION": "sellers absorbed",
    "ASK_ABSORPTION": "buyers absorbed",
    "ABSORPTION": "absorption",
    "EXHAUSTION_HIGH": "buyers exhausted",
    "EXHAUSTION_LOW": "sellers exhausted",
    "FP_UNFINISHED_HIGH": "unfinished high",
    "FP_UNFINISHED_LOW": "unfinished low",
    "LACK_OF_PARTICIPATION": "no follow-through",
    "BEARISH_DIVERGENCE": "delta divergence, bearish",
    "BULLISH_DIVERGENCE": "delta divergence, bullish",
    "BUY_PRESSURE": "buy pressure",
    "SELL_PRESSURE": "sell pressure",
    "DOM_IMBALANCE": "book imbalance",
    "PULLING": "orders pulled",
    "STACKING": "orders stacked",
    "ICEBERG": "hidden size (iceberg)",
}

LEVELS = {
    "VAH": "value high",
    "VAL": "value low",
    "POC": "POC",
    "CVA_VAH": "CVA high",
    "CVA_VAL": "CVA low",
    "CVA_POC": "CVA POC",
    "DVA_VAH": "value high",
    "DVA_VAL": "value low",
    "DVA_POC": "POC",
    "VWAP": "VWAP",
    "IB_HIGH": "IB high",
    "IB_LOW": "IB low",
    "ON_HIGH": "ON high",
    "ON_LOW": "ON low",
    "ON_MID": "ON mid",
    "ON_POC": "ON POC",
    "PRIOR_HIGH": "prior high",
    "PRIOR_LOW": "prior low",
    "PRIOR_CLOSE": "prior close",
    "PRIOR_POC": "prior POC",
    "PRIOR_VAH": "prior value high",
    "PRIOR_VAL": "prior value low",
    "PDH": "prior high",
    "PDL": "prior low",
    "PDC": "prior close",
}

_OPEN_TYPES = {
    "OPEN_DRIVE": "the open drives",
    "OPEN_TEST_DRIVE": "the open tests and drives",
    "OPEN_REJECTION_REVERSE": "the open is rejected and reverses",
    "OPEN_AUCTION": "the open auctions both ways",
    "OD": "the open drives",
    "OTD": "the open tests and drives",
    "ORR": "the open is rejected and reverses",
    "OA": "the open auctions both ways",
}

_WORDS = {
    "MIGRATING_UP": "moving up",
    "MIGRATING_DOWN": "moving down",
    "CONTRACTING": "narrowing",
    "EXPANDING": "widening",
    "DVA": "today's value",
    "VEF7": "the day's main objective is done",
    "OCA": "the other side of the bracket filled",
}

_CODE = re.compile(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b|\b(?:MIGRATING|CONTRACTING|EXPANDING)\b")
_RULE = re.compile(r"^\s*rule\s*\d+\s*:\s*", re.IGNORECASE)
_SPEC = re.compile(r"\s*\(?\bspec\s*§[\d.,\s§]*\)?", re.IGNORECASE)
_VEF = re.compile(r"\bVEF\d+ applies\b:?\s*", re.IGNORECASE)
_SETUP_CODE = re.compile(r"\b(RTV|BVP|ROTATE|EIGHTY|DRIVE)\b(?: (long|short)\b)?")


def words(code: Any) -> str:
    """An unknown engine code as lower-case words (AT_ON_HIGH -> "at on high"); "" for None."""
    return "" if code is None else str(code).replace("_", " ").strip().lower()


def regime_words(regime: Any) -> str:
    """The regime as a trader says it ("Trending down")."""
    key = str(regime or "UNKNOWN").upper()
    return REGIMES.get(key, words(key).capitalize())


def confidence_words(confidence: Any) -> str:
    """HIGH / MED / LOW as "high" / "medium" / "low"."""
    key = str(confidence or "").upper()
    return CONFIDENCE.get(key, words(key) or "—")


def bias_words(bias: Any) -> str:
    """+1 / -1 / 0 (or BULLISH / BEARISH) as "buyers" / "sellers" / "no side"."""
    if isinstance(bias, str):
        bias = {"BULLISH": 1, "BEARISH": -1}.get(bias.upper(), 0)
    if not bias:
        return "no side"
    return "buyers (look for longs)" if bias > 0 else "sellers (look for shorts)"


def relationship_words(code: Any) -> str:
    """Today's value against the 5-day value ("below the 5-day value"), "" when unknown."""
    if code is None:
        return ""
    return RELATIONSHIPS.get(str(code).upper(), words(code))


def side_words(bias: Any) -> str:
    """+1 / -1 / 0 (or BULLISH / BEARISH / NEUTRAL) as "buyers" / "sellers" / "no side"."""
    return bias_words(bias).partition(" (")[0]


def setup_kind_words(kind: Any) -> str:
    """A scenario's kind without its side ("EIGHTY" -> "80% rule")."""
    key = str(kind or "").upper()
    return SETUP_KINDS.get(key, words(key) or "setup")


def family_words(family: Any) -> str:
    """A trading family ("DIRECTIONAL_BEARISH" -> "down trend (shorts only)")."""
    key = str(family or "").upper()
    return FAMILIES.get(key, words(key))


def grade_words(grade: Any) -> str:
    """A scenario's grade ("NO_TRIGGER" -> "never triggered")."""
    key = str(grade or "").upper()
    return GRADES.get(key, words(key))


def skip_words(reason: Any) -> str:
    """Why an entry was skipped ("STOP_TOO_WIDE" -> "stop too far")."""
    key = str(reason or "").upper()
    return SKIPS.get(key, words(key))


def counts_words(counts: dict[str, int], name: Callable[[Any], str], empty: str) -> str:
    """Counts by code in words, most first ("2 won, 1 lost"); `empty` when there are none."""
    ordered = sorted(counts.items(), key=lambda item: (-item[1], name(item[0])))
    return ", ".join(f"{n} {name(code)}" for code, n in ordered) or empty


def setup_name(kind: Any, direction: Any) -> str:
    """A scenario's setup in words: "buy the pullback", "80% rule (short)"."""
    side = 1 if (direction or 0) > 0 else -1
    key = str(kind or "").upper()
    if key in _SETUPS:
        long_name, short_name = _SETUPS[key]
        name = long_name if side > 0 else short_name
    else:
        name = words(key) or "setup"
    if "pullback" in name:
        return name
    return f"{name} ({'long' if side > 0 else 'short'})"


def signal_words(kind: Any) -> str:
    """A detector's signal kind in words ("orders stacked")."""
    key = str(kind or "").upper()
    return SIGNALS.get(key, words(key) or "signal")


def level_name(code: Any) -> str:
    """A level code as a noun phrase ("ON_HIGH" -> "the overnight high", "VWAP" -> "VWAP")."""
    text = str(code or "").upper().replace(" ", "_")
    name = LEVELS.get(text, words(text))
    return name if name.startswith(("VWAP", "IB", "ON", "CVA")) else f"the {name}"


def level_words(code: Any) -> str:
    """A `where` code in words ("AT_ON_HIGH" -> "at the overnight high"); "" for None."""
    if code is None:
        return ""
    text = str(code).upper()
    if text.startswith("AT_"):
        return f"at {level_name(text[3:])}"
    return level_name(text)


def _condition(match: re.Match[str]) -> str:
    kind, inner = match.group(1), match.group(2)
    args = [a.strip() for a in inner.split(",")]
    if kind == "ACCEPT_ABOVE":
        return f"price holds above {args[0]}"
    if kind == "ACCEPT_BELOW":
        return f"price holds below {args[0]}"
    if kind == "REJECT_AT":
        side = args[1] if len(args) > 1 else ""
        return f"price pokes {side} {args[0]} and is pushed back".replace("  ", " ")
    if kind == "ENTER_VALUE_FROM":
        return f"price gets back into value from {args[0]}"
    if kind == "OPEN_TYPE":
        label, _, way = args[0].partition(" ")
        opened = _OPEN_TYPES.get(label.upper(), words(label))
        return f"{opened} {way}".strip()
    if kind == "INVENTORY":
        return f"overnight traders are {words(args[0])}"
    return f"{words(kind)} {inner}"


_CONDITION = re.compile(
    r"\b(ACCEPT_ABOVE|ACCEPT_BELOW|REJECT_AT|ENTER_VALUE_FROM|OPEN_TYPE|INVENTORY)\(([^()]*)\)"
)
_VALUE_ON = re.compile(r"(from (?:above|below)) on (\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)")


def condition_words(text: Any) -> str:
    """A scenario condition ("ACCEPT_BELOW(4490.75)") as a sentence ("price holds below 4490.75")."""
    if not text:
        return ""
    plain = _VALUE_ON.sub(r"\1 (\2–\3)", _CONDITION.sub(_condition, str(text)))
    plain = plain.replace(" AND ", " and ").replace(" OR ", " or ")
    plain = plain.strip()
    if plain.startswith("(") and plain.endswith(")") and plain.count("(") == 1:
        plain = plain[1:-1]
    return plain


def _setup(match: re.Match[str]) -> str:
    kind, side = match.group(1), match.group(2)
    if side is None:
        return setup_kind_words(kind)
    return setup_name(kind, 1 if side == "long" else -1)


def plain(text: Any) -> str:
    """Any engine sentence with rule numbers, spec references and leftover codes turned into words."""
    if text is None:
        return ""
    cleaned = _VEF.sub("", _SPEC.sub("", _RULE.sub("", str(text))))
    cleaned = _CONDITION.sub(_condition, cleaned)
    cleaned = _SETUP_CODE.sub(_setup, cleaned)
    cleaned = _CODE.sub(lambda m: _WORDS.get(m.group(0), words(m.group(0))), cleaned)
    for code, word in _WORDS.items():
        cleaned = re.sub(rf"\b{code}\b", word, cleaned)
    cleaned = " ".join(cleaned.split())
    return cleaned[:1].upper() + cleaned[1:]
