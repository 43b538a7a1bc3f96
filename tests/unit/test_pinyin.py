"""Names sort and match by the reading a Chinese user gives them, surnames included."""
import pytest

from models.pinyin import initials_of, sort_key_of


@pytest.mark.parametrize(("name", "initials", "first"), [
    ("曾国藩", "zgf", "zeng1"), ("单田芳", "stf", "shan4"), ("解缙", "xj", "xie4"), ("仇英", "qy", "qiu2"),
    ("朴槿惠", "pjh", "piao2"), ("区家明", "ojm", "ou1"), ("查良镛", "zly", "zha1"), ("尉迟恭", "ycg", "yu4"),
    ("万俟卨", "mqx", "mo4"), ("翟方", "zf", "zhai2"), ("覃明", "qm", "qin2"), ("盖聂", "gn", "ge3"),
])
def test_a_surname_with_its_own_reading_is_read_as_a_surname(name, initials, first):
    assert initials_of(name) == initials
    assert sort_key_of(name).split()[0] == first


def test_zeng_sorts_among_the_z_names_not_among_the_c_names():
    ordered = sorted(["张伟", "曾红", "陈明", "蔡琴"], key=sort_key_of)
    assert ordered == ["蔡琴", "陈明", "曾红", "张伟"]  # zeng before zhang


def test_the_surname_reading_applies_only_to_the_first_character_of_a_persons_name():
    assert initials_of("张曾") == "zc"  # 曾 as a given name keeps its ordinary reading (céng)
    assert initials_of("解放路中心诊所") == "jflzxzs"  # an institution's name: no surname reading


def test_other_names_keep_the_dictionary_reading_and_letters_pass_through():
    assert initials_of("张三丰") == "zsf"
    assert initials_of("ABC诊所") == "abczs"
    assert sort_key_of("陈红") == "chen2 hong2|陈红"
