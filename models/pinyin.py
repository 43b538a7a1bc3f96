"""Keys stored with each subject so lists sort and search as a Chinese user expects.

Names sort by pinyin (陈 before 李 before 张), not by Unicode code point; the key is the toned
pinyin of each character with the name itself as tie-break, so namesakes stay together and 多音字
take their usual reading in names (pypinyin's phrase dictionary). A surname with a reading of its
own (曾 zēng, 单 shàn, 解 xiè, 仇 qiú, 朴 piáo, 区 ōu, 查 zhā, 尉迟 yùchí, 万俟 mòqí …) is read as a
surname when the name is a person's: one to four Chinese characters (an institution's name is
longer or holds other characters). The pinyin initials used for search come from the same reading.
The reversed ID number lets a clerk, who sees only masked numbers (3709**********123X), find a
person by the last digits with an index (a suffix search is a prefix search on the reversed text).
"""
from __future__ import annotations

import re

from pypinyin import Style, lazy_pinyin

# Compound surnames first (the two characters are read together), then single ones; TONE3 syllables.
COMPOUND_SURNAMES = {
    "尉迟": ("yu4", "chi2"), "万俟": ("mo4", "qi2"), "单于": ("chan2", "yu2"), "长孙": ("zhang3", "sun1"),
    "澹台": ("tan2", "tai2"), "令狐": ("ling2", "hu2"), "鲜于": ("xian1", "yu2"), "宇文": ("yu3", "wen2"),
    "东方": ("dong1", "fang1"), "皇甫": ("huang2", "fu3"), "上官": ("shang4", "guan1"), "欧阳": ("ou1", "yang2"),
    "夏侯": ("xia4", "hou2"), "诸葛": ("zhu1", "ge3"), "公孙": ("gong1", "sun1"), "司马": ("si1", "ma3"),
}
SURNAMES = {
    "曾": "zeng1", "单": "shan4", "解": "xie4", "仇": "qiu2", "朴": "piao2", "区": "ou1", "查": "zha1",
    "盖": "ge3", "缪": "miao4", "覃": "qin2", "种": "chong2", "翟": "zhai2", "召": "shao4", "隗": "wei3",
    "繁": "po2", "秘": "bi4", "任": "ren2", "都": "du1", "葛": "ge3", "纪": "ji3", "燕": "yan1", "员": "yun4",
    "句": "gou1", "过": "guo1", "眭": "sui1", "谌": "chen2", "尉": "wei4", "牟": "mou2", "逄": "pang2",
    "宓": "mi4", "莘": "shen1", "应": "ying1", "沈": "shen3", "冼": "xian3", "阚": "kan4", "乐": "yue4",
    "华": "hua4", "折": "she2", "黑": "he4", "那": "na1", "哈": "ha3", "能": "nai4", "蕃": "pi2",
}
PERSON_NAME = re.compile(r"[\u3400-\u9fff]{1,4}")


def syllables(name: str) -> list[str]:
    """The name's toned syllables (lowercase); characters without pinyin stand for themselves."""
    name = name or ""
    head: list[str] = []
    rest = name
    if PERSON_NAME.fullmatch(name):
        if len(name) >= 3 and name[:2] in COMPOUND_SURNAMES:
            head, rest = list(COMPOUND_SURNAMES[name[:2]]), name[2:]
        elif name[0] in SURNAMES:
            head, rest = [SURNAMES[name[0]]], name[1:]
    tail = lazy_pinyin(rest, style=Style.TONE3, neutral_tone_with_five=True, errors=lambda s: list(s)) if rest else []
    return [s.lower() for s in (*head, *tail)]


def sort_key_of(name: str) -> str:
    """陈红 → "chen2 hong2|陈红"; 曾红 → "zeng1 hong2|曾红"; letters and digits sort as themselves."""
    return f"{' '.join(syllables(name))}|{name or ''}"


def initials_of(name: str) -> str:
    """Pinyin initials for search (张三丰 → zsf, 单田芳 → stf); letters and digits pass through."""
    return "".join(s[:1] for s in syllables(name))


def reversed_number(number: str | None) -> str | None:
    return number[::-1] if number else None


def _from_row(column: str, make):
    """A column default computed from another column of the row being inserted (Core and ORM alike)."""
    def default(context):
        return make(context.get_current_parameters().get(column))
    return default


sort_key_default = _from_row("name", sort_key_of)
reversed_number_default = _from_row("id_number", reversed_number)
