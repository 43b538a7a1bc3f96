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

from reports import credit_report, forms, gbt9704 as g, notice_texts
from reports.fonts import FontSet, font_set
from reports.signing import SignatureSpec
from reports.story import Story, cn_date

# Every document type and the builder of its wording.
BUILDERS = {**notice_texts.BUILDERS, "credit_report": credit_report.credit_report, **forms.BUILDERS}


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
        # Never a seal on a page of its own (GB/T 9704 7.3.5): the last two lines of the body go with it, the rest
        # of that paragraph may end the page before; a paragraph of two lines or less goes whole, with a heading
        # left above it.
        last = story.items.pop()
        parts = last.split_last(2) if isinstance(last, g.GridText) else [last]
        kept = parts[-1:]
        story.items.extend(parts[:-1])
        while len(parts) == 1 and story.items and getattr(story.items[-1], "keepWithNext", 0):
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
