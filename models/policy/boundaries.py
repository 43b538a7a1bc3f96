"""以上/以下/不满/超过 —— the one place that decides whether a boundary number is included.

鲁医保发〔2024〕25号第十三条: “以上”“以下”包括本数，“不满”“超过”不含本数。
The same convention is general Chinese law (《民法典》第一千二百五十九条), which is why the
Zhejiang and national packs use it too. Every tier table (loss tiers, grades, point thresholds,
allowed month ranges) is expressed with these words and goes through `within` / `pick_tier`,
so a boundary can never be interpreted two ways in two places.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Generic, Iterable, Mapping, Sequence, TypeVar

from models.policy.errors import PolicyError

LOWER_WORDS = {"以上": True, "超过": False}  # word -> includes the number
UPPER_WORDS = {"以下": True, "不满": False}

T = TypeVar("T")


def to_decimal(value: object) -> Decimal:
    """Money and scores never pass through float: a float is refused outright."""
    if isinstance(value, float):
        raise PolicyError(f"金额或分值不得使用浮点数：{value!r}，请使用 Decimal 或字符串")
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value))
    except ArithmeticError as exc:
        raise PolicyError(f"无法识别的数值：{value!r}") from exc


@dataclass(frozen=True)
class Bound:
    """One side of a range, e.g. Bound(Decimal('100000'), '以上')."""

    value: Decimal
    word: str

    def __post_init__(self) -> None:
        if self.word not in LOWER_WORDS and self.word not in UPPER_WORDS:
            raise PolicyError(f"边界用语“{self.word}”无法识别，只能是 以上/以下/不满/超过")
        object.__setattr__(self, "value", to_decimal(self.value))

    @property
    def is_lower(self) -> bool:
        return self.word in LOWER_WORDS

    def admits(self, value: Decimal) -> bool:
        value = to_decimal(value)
        if self.word == "以上":
            return value >= self.value
        if self.word == "超过":
            return value > self.value
        if self.word == "以下":
            return value <= self.value
        return value < self.value  # 不满

    def text(self, unit: str = "") -> str:
        # 以上/以下 follow the number, 不满/超过 precede it: “3个月以上、不满6个月”.
        number = f"{_plain(self.value)}{unit}"
        return f"{number}{self.word}" if self.word in ("以上", "以下") else f"{self.word}{number}"

    @classmethod
    def parse(cls, raw: object) -> "Bound | None":
        """JSON form: null or ["100000", "以上"]."""
        if raw is None:
            return None
        if not (isinstance(raw, (list, tuple)) and len(raw) == 2):
            raise PolicyError(f"边界应写作 [数值, 用语]，实际为 {raw!r}")
        return cls(to_decimal(raw[0]), str(raw[1]))


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")


_PARSED: dict[int, tuple[object, "Range"]] = {}


@dataclass(frozen=True)
class Range:
    """A range such as “3个月以上、不满6个月”; a missing side is open."""

    lower: Bound | None = None
    upper: Bound | None = None

    def __post_init__(self) -> None:
        if self.lower is not None and not self.lower.is_lower:
            raise PolicyError(f"下限只能用“以上”或“超过”，实际为“{self.lower.word}”")
        if self.upper is not None and self.upper.is_lower:
            raise PolicyError(f"上限只能用“以下”或“不满”，实际为“{self.upper.word}”")

    def __contains__(self, value: object) -> bool:
        return within(to_decimal(value), self)

    def text(self, unit: str = "") -> str:
        parts = [b.text(unit) for b in (self.lower, self.upper) if b is not None]
        return "、".join(parts) if parts else "不限"

    def integers(self) -> tuple[int, ...]:
        """Whole values admitted by a closed-enough range (used for month choices)."""
        if self.lower is None or self.upper is None:
            raise PolicyError("开区间无法列举可选整数")
        lo, hi = int(self.lower.value) - 1, int(self.upper.value) + 1
        return tuple(n for n in range(lo, hi + 1) if within(Decimal(n), self))

    @classmethod
    def parse(cls, raw: object) -> "Range":
        # Rule parameters live as long as their loaded pack, and a county-wide evaluation parses
        # the same few ranges hundreds of thousands of times: remember them by identity.
        hit = _PARSED.get(id(raw))
        if hit is not None and hit[0] is raw:
            return hit[1]
        if not isinstance(raw, Mapping):
            raise PolicyError(f"区间应写作 {{\"lower\": …, \"upper\": …}}，实际为 {raw!r}")
        parsed = cls(Bound.parse(raw.get("lower")), Bound.parse(raw.get("upper")))
        _PARSED[id(raw)] = (raw, parsed)
        return parsed

    def as_json(self) -> dict:
        return {
            "lower": None if self.lower is None else [_plain(self.lower.value), self.lower.word],
            "upper": None if self.upper is None else [_plain(self.upper.value), self.upper.word],
            "text": self.text(),
        }


def within(value: Decimal, rng: Range) -> bool:
    """The single boundary decision of 第十三条."""
    return all(b.admits(value) for b in (rng.lower, rng.upper) if b is not None)


@dataclass(frozen=True)
class Tier(Generic[T]):
    range: Range
    result: T


def pick_tier(value: object, tiers: Sequence[Tier[T]] | Iterable[Tier[T]]) -> Tier[T] | None:
    """The tier whose range admits value. Overlapping tiers are a pack error, not a choice."""
    value = to_decimal(value)
    hits = [t for t in tiers if within(value, t.range)]
    if len(hits) > 1:
        raise PolicyError(f"数值 {value} 同时落入多个档次：" + "；".join(t.range.text() for t in hits))
    return hits[0] if hits else None
