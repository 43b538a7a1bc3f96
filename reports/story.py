"""What a document's wording is built from: the story of GB/T 9704 elements (title, addressee, paragraphs,
headings), what a builder returns (``Spec``), and the shared ways of writing dates, numbers, the basis and a
remedy. Builders (notice_texts, forms, credit_report) and the renderer (documents) all stand on this.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from models.services.base import day_text
from reports import gbt9704 as g
from reports.fonts import FontSet


def cn_date(d: date | str | None) -> str:
    """成文日期: Arabic numerals, the year in full, no leading zeros (GB/T 9704 7.3.5.1)."""
    if d is None:
        return "　　年　　月　　日"
    if isinstance(d, str):
        d = date.fromisoformat(d[:10])
    return day_text(d)


def cn_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 35 → 三十五: the numerals of 一、 and （一） (GB/T 9704 7.3.3)."""
    digits = "〇一二三四五六七八九"
    if n < 10:
        return digits[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")


def per(basis: str) -> str:
    """The basis in brackets: “（依据鲁医保发〔2024〕25号 第十条）”, or “（参照…）” for another region's document."""
    return f"（{basis}）" if basis.startswith("参照") else f"（依据{basis}）"


def remedy(facts: dict, key: str) -> str:
    """“如对…有异议，可以自收到本告知书之日起N个工作日内，以书面方式向…提出…（依据）。” The facts always
    carry a period: a draft without one is refused before it reaches paper."""
    r = facts[key]
    return (f"如对上述{r['about']}有异议，可以自收到本告知书之日起{r['days']}个工作日内，以书面方式向"
            f"{r['where']}提出{r['verb']}，并提供相关证明材料{per(r['basis'])}。")


def doc_number(prefix: str, year: int, number: int) -> str:
    """发文字号: 代字〔年份〕序号号, the year in 〔〕, no leading zeros (GB/T 9704 7.2.5)."""
    return f"{prefix}〔{year}〕{number}号"


class Story:
    """The document's flowables, built with the few elements GB/T 9704 has."""

    def __init__(self, fonts: FontSet):
        self.fonts = fonts
        self.items: list = []

    def add(self, flowable) -> Story:
        self.items.append(flowable)
        return self

    def blank(self, lines: float = 1) -> Story:
        return self.add(g.Blank(lines))

    def title(self, text: str) -> Story:
        """标题: 2号小标宋, centred; long titles break into balanced lines at ``\\n``."""
        return self.add(g.GridText(text, self.fonts, "title", g.TITLE, align="center"))

    def addressee(self, text: str) -> Story:
        """主送: flush left, ends with a full-width colon."""
        return self.add(g.GridText(text.rstrip("：:") + "：", self.fonts, align="left"))

    def para(self, text: str, *, indent: float = 2) -> Story:
        """正文: each paragraph indented two characters, continuation lines flush left."""
        return self.add(g.GridText(text, self.fonts, indent=indent))

    def h1(self, text: str) -> Story:
        """一级标题 “一、” in 黑体, kept on the page of what follows it (never stranded at a page foot)."""
        return self.add(g.heading(g.GridText(text, self.fonts, "hei", indent=2)))

    def h2(self, text: str) -> Story:
        """二级标题 “（一）” in 楷体, kept with what follows."""
        return self.add(g.heading(g.GridText(text, self.fonts, "kai", indent=2)))

    def left(self, text: str, role: str = "fangsong") -> Story:
        return self.add(g.GridText(text, self.fonts, role, align="left"))



@dataclass
class Spec:
    """What a builder returns: the title, whether it has the 版头 and the sealed signature, and a
    function that adds the body to the story."""

    title: str
    body: object
    header: bool = True
    signed: bool = True
    after: tuple = ()
    blank_form: bool = False  # an application form the subject fills in: never a draft, never numbered
