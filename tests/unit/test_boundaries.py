"""鲁医保发〔2024〕25号第十三条: “以上”“以下”包括本数，“不满”“超过”不含本数。"""
from decimal import Decimal

import pytest

from models.policy import Bound, PolicyError, Range, Tier, pick_tier, within


def test_13_yishang_includes_the_number():
    assert Bound(Decimal("100000"), "以上").admits(Decimal("100000"))
    assert not Bound(Decimal("100000"), "以上").admits(Decimal("99999.99"))


def test_13_yixia_includes_the_number():
    assert Bound(Decimal("12"), "以下").admits(Decimal("12"))
    assert not Bound(Decimal("12"), "以下").admits(Decimal("12.01"))


def test_13_buman_excludes_the_number():
    assert not Bound(Decimal("100000"), "不满").admits(Decimal("100000"))
    assert Bound(Decimal("100000"), "不满").admits(Decimal("99999.99"))


def test_13_chaoguo_excludes_the_number():
    assert not Bound(Decimal("5"), "超过").admits(Decimal("5"))
    assert Bound(Decimal("5"), "超过").admits(Decimal("5.01"))


def test_range_reads_like_the_article_3_months_or_more_and_less_than_6():
    rng = Range.parse({"lower": ["3", "以上"], "upper": ["6", "不满"]})
    assert rng.text("个月") == "3个月以上、不满6个月"
    assert rng.integers() == (3, 4, 5)
    assert 3 in rng and 6 not in rng


def test_upper_word_cannot_be_used_as_a_lower_bound():
    with pytest.raises(PolicyError, match="下限"):
        Range(Bound(Decimal(1), "以下"), None)


def test_unknown_word_is_refused_in_chinese():
    with pytest.raises(PolicyError, match="无法识别"):
        Bound(Decimal(1), "至少")


def test_money_as_float_is_refused():
    with pytest.raises(PolicyError, match="浮点"):
        within(100000.0, Range(Bound(Decimal(1), "以上")))


def test_overlapping_tiers_are_a_pack_error_not_a_silent_choice():
    tiers = [Tier(Range(None, Bound(Decimal(10), "以下")), "a"), Tier(Range(Bound(Decimal(10), "以上")), "b")]
    with pytest.raises(PolicyError, match="多个档次"):
        pick_tier(Decimal(10), tiers)
    assert pick_tier(Decimal("9.99"), tiers).result == "a"
