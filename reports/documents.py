"""Rendering an official document: GB/T 9704 page, 版头 (red organ name, document number, red rule),
title, body from the document type's builder, the signature block with the seal's place.

``render(doc_type, facts, stamp)``: ``facts`` are the plain data the services gathered (subject,
results with their legal basis, deadlines); ``stamp`` what issuing adds (number, date, verification
code). Without a stamp the document is a draft: no number, a watermark, a dashed ring where the
seal will be.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from reportlab import rl_config
from reportlab.platypus import BaseDocTemplate, Frame, KeepTogether, PageTemplate

from reports import gbt9704 as g
from reports.fonts import FontSet, font_set
from reports.signing import SignatureSpec


@dataclass(frozen=True)
class Stamp:
    number: str  # 宁医保信〔2026〕12号
    issued_on: date
    verify_code: str  # ABCD-EFGH
    county_code: str
    qr_text: str = ""  # the signed payload issuing made (models/services/notice_code.py)

    @property
    def qr(self) -> str:
        return self.qr_text or f"CDVERIFY:{self.county_code}:{self.verify_code}"


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    geometry: g.Geometry


def cn_date(d: date | str | None) -> str:
    """成文日期: Arabic numerals, the year in full, no leading zeros (GB/T 9704 7.3.5.1)."""
    if d is None:
        return "　　年　　月　　日"
    if isinstance(d, str):
        d = date.fromisoformat(d[:10])
    return f"{d.year}年{d.month}月{d.day}日"


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


def _header(story: Story, organ: str, number: str) -> None:
    """版头: 发文机关标志 in red 小标宋, 35 mm below the top of the text block; 发文字号 centred with two blank
    lines between them (下空二行); the red rule 4 mm under the number; the title two lines under the rule
    (GB/T 9704 7.2.3–7.2.6)."""
    size = min(36, g.BLOCK_W / max(len(organ), 1) * 0.9)
    story.add(g.Blank((35 * g.mm - (2 * g.LINE - size) / 2) / g.LINE))  # the mark's top edge 35 mm down
    story.add(g.GridText(organ, story.fonts, "title", size, align="center", color=g.RED, slots=2))
    story.blank(2)
    story.add(g.GridText(number, story.fonts, align="center"))
    story.add(g.RedRule(above=4 * g.mm - g.GLYPH_GAP))
    story.blank(1.5)


def render(doc_type: str, facts: dict, stamp: Stamp | None, *, fonts: FontSet | None = None,
           signature: SignatureSpec | None = None) -> Rendered:
    from reports.notice_texts import BUILDERS

    fonts = fonts or font_set()
    builder = BUILDERS[doc_type]
    geometry = g.Geometry()
    footer = f"{stamp.number}\n验证码 {stamp.verify_code}" if stamp else ""
    story = Story(fonts)
    number = stamp.number if stamp else f"{facts.get('prefix', '')}〔　　〕　号"
    spec = builder(story, {**facts, "_stamp": stamp, "_geometry": geometry}, number)
    decor = g.PageDecor(fonts, footer=footer, qr=stamp.qr if stamp else "", geometry=geometry, signature=signature,
                        draft=stamp is None and not spec.blank_form)
    if spec.header:
        _header(story, facts["organ"], number)
    story.title(spec.title).blank(1)
    spec.body(story)
    if spec.signed:
        tail = [g.SignatureBlock(facts["organ"], cn_date(stamp.issued_on if stamp else None), fonts, geometry,
                                 draft=stamp is None)]
        kept = [story.items.pop()]  # never a seal on a page of its own, nor a heading left above it
        while story.items and getattr(story.items[-1], "keepWithNext", 0):
            kept.insert(0, story.items.pop())
        story.items.append(KeepTogether([*kept, *tail]))
    for extra in spec.after:
        story.add(extra)
    out = io.BytesIO()
    doc = BaseDocTemplate(out, pagesize=(g.PAGE_W, g.PAGE_H), initialFontName=fonts["fangsong"].name,
                          title=spec.title, author=facts["organ"], subject=number, creator="CreditDesk",
                          leftMargin=g.LEFT, rightMargin=g.PAGE_W - g.LEFT - g.BLOCK_W, topMargin=g.TOP,
                          bottomMargin=g.BOTTOM, invariant=True)
    frame = Frame(g.LEFT, g.BOTTOM, g.BLOCK_W, g.BLOCK_H, leftPadding=0, rightPadding=0, topPadding=0,
                  bottomPadding=0, id="block")
    doc.addPageTemplates([PageTemplate("gbt9704", [frame], onPage=decor)])
    a85, rl_config.useA85 = rl_config.useA85, 0  # binary streams: ASCII85 makes files larger and rendering slower
    try:
        doc.build(story.items)
    finally:
        rl_config.useA85 = a85
    return Rendered(out.getvalue(), geometry)


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
