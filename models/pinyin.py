"""Keys stored with each subject so lists sort and search as a Chinese user expects.

Names sort by pinyin (陈 before 李 before 张), not by Unicode code point; the key is the toned
pinyin of each character with the name itself as tie-break, so namesakes stay together and 多音字
take their usual reading in names (pypinyin's phrase dictionary). The reversed ID number lets a
clerk, who sees only masked numbers (3709**********123X), find a person by the last digits with
an index (a suffix search is a prefix search on the reversed text).
"""
from __future__ import annotations

from pypinyin import Style, lazy_pinyin


def sort_key_of(name: str) -> str:
    """陈红 → "chen2 hong2|陈红"; letters and digits sort as themselves."""
    syllables = lazy_pinyin(name or "", style=Style.TONE3, neutral_tone_with_five=True, errors=lambda s: list(s))
    return f"{' '.join(s.lower() for s in syllables)}|{name or ''}"


def reversed_number(number: str | None) -> str | None:
    return number[::-1] if number else None


def _from_row(column: str, make):
    """A column default computed from another column of the row being inserted (Core and ORM alike)."""
    def default(context):
        return make(context.get_current_parameters().get(column))
    return default


sort_key_default = _from_row("name", sort_key_of)
reversed_number_default = _from_row("id_number", reversed_number)
