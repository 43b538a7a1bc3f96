"""GB/T 9704-2012 page layout: A4, text block 156 × 225 mm at 37 mm from the top and 28 mm from the
binding edge, 22 lines of 28 characters.

Text is set on that grid as a word processor's document grid does: every line is one of the 22 line
slots, full-width characters advance by one cell (156 mm / 28), which is a hair less than the 3号
(16 pt) body size, so the characters are tracked by −0.21 pt. Lines are justified to the block
(撑满版心) except the last line of a paragraph; closing punctuation never starts a line and opening
punctuation never ends one (禁则).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from reportlab.graphics.barcode import qrencoder
from reportlab.lib.colors import Color, black
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import getFont, stringWidth
from reportlab.platypus import Flowable

from reports.fonts import FontSet, runs
from reports.seal import draw_seal
from reports.signing import SignatureSpec, reserve

PAGE_W, PAGE_H = 210 * mm, 297 * mm
TOP, LEFT = 37 * mm, 28 * mm
BLOCK_W, BLOCK_H = 156 * mm, 225 * mm
LINES, CHARS = 22, 28
CELL = BLOCK_W / CHARS  # 15.79 pt
LINE = BLOCK_H / LINES  # 28.99 pt
BOTTOM = PAGE_H - TOP - BLOCK_H
BODY, TITLE, PAGE_NO, SMALL = 16, 22, 14, 14  # 3号, 2号, 4号; 4号 in tables
RED = Color(0.86, 0.08, 0.11)
GLYPH_GAP = (LINE - BODY) / 2  # a body-size character is centred in its line slot: this much above and below
SEAL_D = 42 * mm  # 县级机关印章直径 4.2 cm

NO_LINE_START = set("，。、；：？！）》」』”’〕】…—·%％,.;:?!)]}")
NO_LINE_END = set("（《「『“‘〔【([{")


@dataclass
class Geometry:
    """Where things landed, for the signer: the seal box (page, x1, y1, x2, y2) in PDF points."""

    seal: tuple[int, float, float, float, float] | None = None
    pages: int = 0


def _tokens(text: str) -> list[str]:
    """Latin words and numbers stay whole (an ID number is never split); CJK breaks anywhere."""
    out: list[str] = []
    for ch in text:
        if ch.isascii() and (ch.isalnum() or ch in "-./:_*") and out and out[-1][-1:].isascii() \
                and (out[-1][-1].isalnum() or out[-1][-1] in "-./:_*"):
            out[-1] += ch
        else:
            out.append(ch)
    return out


@lru_cache(maxsize=65536)
def _natural(text: str, font: str, fallback: str, size: float) -> float:
    """Line breaking measures the same tokens over and over; reportlab's pure-Python measuring is slow."""
    return sum(stringWidth(t, f, size) for f, t in runs(text, font, fallback))


@dataclass
class _Line:
    text: str
    last: bool  # last line of its paragraph: not justified


class GridText(Flowable):
    """A paragraph set on the document grid, one line slot per line.

    ``indent``: cells of first-line indent (正文左空二字 = 2); ``right``: cells kept free at the right
    (成文日期右空四字 = 4); ``align``: justify | left | center | right; ``leading``: the line slot (the
    grid's line outside tables, 1.5 × the size inside a table cell).
    """

    def __init__(self, text: str, fonts: FontSet, role: str = "fangsong", size: float = BODY, *,
                 indent: float = 0, right: float = 0, align: str = "justify", color=black, slots: int = 1,
                 tracking: float | None = None, leading: float = LINE):
        super().__init__()
        self.text, self.fonts, self.role, self.size = text, fonts, role, size
        self.indent, self.right, self.align, self.color, self.slots = indent, right, align, color, slots
        self.leading = leading
        self.slot = leading * slots
        # Full-width characters advance by one grid cell at body size; other sizes set solid.
        self.tracking = (CELL - BODY if size == BODY else 0.0) if tracking is None else tracking
        self.font = fonts[role]
        self._lines: list[_Line] = []
        self._width = BLOCK_W
        self._continues = False  # a part after a split: its first line goes on with a paragraph, not indented

    def _w(self, s: str) -> float:
        return _natural(s, self.font.name, self.fonts.fallback, self.size) + self.tracking * len(s)

    def _break(self, width: float) -> list[_Line]:
        lines: list[_Line] = []
        for para in self.text.split("\n"):
            start = len(lines)
            tokens = _tokens(para)
            current, used = "", self.indent * CELL
            placed: list[str] = []  # the tokens on the current line
            avail = width - self.right * CELL
            i = 0
            while i < len(tokens):
                tok = tokens[i]
                if tok == " " and not current and len(lines) > start:
                    i += 1  # a space where a line broke separates nothing: it never indents the next line
                    continue
                w = self._w(tok)
                if used + w > avail + 0.01 and current:
                    # 禁则 without running past the block: closing punctuation never starts a line, so the
                    # character before it goes down with it (推出); an opening mark never ends a line.
                    while len(placed) > 1 and (tok[0] in NO_LINE_START or placed[-1][-1] in NO_LINE_END):
                        tok = placed.pop()
                        i -= 1
                    current = "".join(placed).rstrip(" ")
                    lines.append(_Line(current, False))
                    current, used, placed = "", 0.0, []
                    continue
                current += tok
                placed.append(tok)
                used += w
                i += 1
            if current or len(lines) == start:
                lines.append(_Line(current, True))
            else:  # the paragraph ended exactly at a line's end: that line is its last
                lines[-1].last = True
        return lines

    def wrap(self, avail_w, avail_h):
        self._width = avail_w
        self._lines = self._break(avail_w)
        self.height = len(self._lines) * self.slot
        return avail_w, self.height

    def split(self, avail_w, avail_h):
        self.wrap(avail_w, avail_h)
        fit = int(avail_h // self.slot)
        if fit <= 0 or fit >= len(self._lines):
            return [] if fit <= 0 else [self]
        return self._parts(fit)

    def split_last(self, lines: int, width: float = BLOCK_W) -> list[GridText]:
        """[the lines before, the last ``lines``] set at ``width`` (the text block), or [self] when it is that short:
        the end of a notice's last paragraph goes with the signature and seal, the rest may stay on the page before."""
        self._lines = self._break(width)
        if len(self._lines) <= lines:
            return [self]
        return self._parts(len(self._lines) - lines)

    def _parts(self, at: int) -> list[GridText]:
        head, tail = self._copy(self._lines[:at]), self._copy(self._lines[at:])
        head._continues, tail._continues = self._continues, not self._lines[at - 1].last
        return [head, tail]

    def _copy(self, lines: list[_Line]) -> GridText:
        other = GridText("", self.fonts, self.role, self.size, indent=self.indent, right=self.right,
                         align=self.align, color=self.color, slots=self.slots, tracking=self.tracking,
                         leading=self.leading)
        other._fixed = lines
        other.wrap = lambda w, h: other._wrap_fixed(w)
        return other

    def starts_paragraph(self, n: int) -> bool:
        """Whether line ``n`` begins a paragraph (and takes its first-line indent)."""
        return self._lines[n - 1].last if n else not self._continues

    def _wrap_fixed(self, w):
        self._width, self._lines = w, self._fixed
        self.height = len(self._lines) * self.slot
        return w, self.height

    def draw(self):
        c = self.canv
        c.setFillColor(self.color)
        avail = self._width - self.right * CELL
        for n, line in enumerate(self._lines):
            x0 = self.indent * CELL if self.starts_paragraph(n) else 0.0
            natural = self._w(line.text)
            space = self.tracking
            if self.align == "justify" and not line.last and len(line.text) > 1:
                space += (avail - x0 - natural) / (len(line.text) - 1)
            elif self.align == "center":
                x0 = (avail - natural) / 2
            elif self.align == "right":
                x0 = avail - natural + self.tracking  # the last character's tracking is not visible
            cell_top = self.height - n * self.slot
            baseline = cell_top - self.slot / 2 - 0.38 * self.size  # em box centred in the slot
            t = c.beginText(x0, baseline)
            t.setCharSpace(space)
            if self.font.emboldened:
                t.setTextRenderMode(2)
                c.setStrokeColor(self.color)
                c.setLineWidth(self.size * 0.03)
            for font, s in runs(line.text, self.font.name, self.fonts.fallback):
                t.setFont(font, self.size)
                t.textOut(s)
            c.drawText(t)


def heading(flowable: Flowable) -> Flowable:
    """A heading stays on the page of the paragraph after it."""
    flowable.keepWithNext = 1
    return flowable


class Blank(Flowable):
    """Empty line slots (空一行、空二行)."""

    def __init__(self, lines: float = 1):
        super().__init__()
        self.height = lines * LINE

    def wrap(self, w, h):
        return w, self.height

    def draw(self):
        pass


class RedRule(Flowable):
    """版头中的分隔线: red, as wide as the text block, 4 mm below the document number."""

    def __init__(self, above: float = 4 * mm, below: float = 0):
        super().__init__()
        self.above, self.below = above, below
        self.height = above + below + 1

    def wrap(self, w, h):
        self.width = w
        return w, self.height

    def draw(self):
        self.canv.setStrokeColor(RED)
        self.canv.setLineWidth(1)
        y = self.height - self.above
        self.canv.line(0, y, self.width, y)


class SignatureBlock(Flowable):
    """发文机关署名 over 成文日期, the date right-indented four characters, and the seal's place.

    GB/T 9704 7.3.5.1: the organ name is centred on the date; the seal, red, presses on both so
    that they sit below its centre, its top within one line of the text above. The block takes four
    line slots: two for the seal's upper half, then the name and the date. The box is recorded in
    ``geometry`` for the digital signature, whose appearance is the seal.
    """

    def __init__(self, organ: str, date_text: str, fonts: FontSet, geometry: Geometry, *, draft: bool = False):
        super().__init__()
        self.organ, self.date_text, self.fonts, self.geometry, self.draft = organ, date_text, fonts, geometry, draft
        self.height = 4 * LINE

    def wrap(self, w, h):
        self.width = w
        return w, self.height

    def _texts(self) -> tuple[GridText, GridText]:
        date = GridText(self.date_text, self.fonts, right=4, align="right")
        date.wrap(self.width, LINE)
        date_w = date._w(self.date_text) - date.tracking
        centre = self.width - 4 * CELL - date_w / 2
        organ = GridText(self.organ, self.fonts, align="left")
        organ.wrap(self.width, LINE)
        organ.indent = max(0.0, centre - (organ._w(self.organ) - organ.tracking) / 2) / CELL
        return organ, date

    def draw(self):
        organ, date = self._texts()
        organ.drawOn(self.canv, 0, LINE)
        date.drawOn(self.canv, 0, 0)
        date_w = date._w(self.date_text) - date.tracking
        cx = self.width - 4 * CELL - date_w / 2
        top = self.height
        x1, y1 = cx - SEAL_D / 2, top - SEAL_D
        if self.draft:
            self.canv.setStrokeColor(RED)
            self.canv.setDash(3, 3)
            self.canv.circle(cx, top - SEAL_D / 2, SEAL_D / 2)
            self.canv.setDash()
        else:  # the seal is page content: every viewer and printer shows it exactly as signed
            draw_seal(self.canv, cx, top - SEAL_D / 2, self.organ, self.fonts)
        ax1, ay1 = self.canv.absolutePosition(x1, y1)
        ax2, ay2 = self.canv.absolutePosition(x1 + SEAL_D, y1 + SEAL_D)
        self.geometry.seal = (self.canv.getPageNumber(), ax1, ay1, ax2, ay2)


@dataclass
class PageDecor:
    """Drawn on every page: page number "— N —" (4号, outside corner: odd right, even left, one
    character in, 7 mm below the text block), the verification footer, the draft watermark."""

    fonts: FontSet
    footer: str = ""  # e.g. "宁医保信〔2026〕12号  验证码 ABCD-EFGH"
    qr: str = ""  # QR code content
    draft: bool = False
    geometry: Geometry = field(default_factory=Geometry)
    signature: SignatureSpec | None = None  # the signature field is reserved on the first page

    def __call__(self, canvas, doc) -> None:
        n = canvas.getPageNumber()
        if n == 1 and self.signature is not None:
            reserve(canvas, self.signature)
        self.geometry.pages = max(self.geometry.pages, n)
        font = self.fonts["song"].name
        text = f"— {n} —"
        width = stringWidth(text, font, PAGE_NO)
        face = getFont(font).face  # the dash sits at the middle of the em box: that middle 7 mm below the block
        y = BOTTOM - 7 * mm - PAGE_NO * (face.ascent + face.descent) / 2000
        odd = n % 2 == 1
        x = LEFT + BLOCK_W - CELL - width if odd else LEFT + CELL
        canvas.saveState()
        canvas.setFont(font, PAGE_NO)
        canvas.drawString(x, y, text)
        if self.qr:
            self._qr(canvas, odd)
        if self.draft:
            canvas.setFillColor(Color(0.75, 0.75, 0.75, alpha=0.45))
            canvas.setFont(self.fonts["hei"].name, 64)
            canvas.translate(PAGE_W / 2, PAGE_H / 2)
            canvas.rotate(40)
            canvas.drawCentredString(0, 0, "草稿　未签发")
        canvas.restoreState()

    def _qr(self, canvas, odd: bool) -> None:
        size = 20 * mm  # the signed payload needs about 60 modules a side: 20 mm keeps each above 0.3 mm
        x = LEFT if odd else LEFT + BLOCK_W - size  # the inner side, away from the page number
        y = 6 * mm
        if canvas.getPageNumber() == 1:  # one form XObject per document, placed on every page
            canvas.beginForm("cd-qr", 0, 0, size, size)
            canvas.setFillColor(black)
            # One path of rectangles written as operators: a rect() call per module formats each number anew.
            canvas._code.append(" ".join(f"{x:.3f} {y:.3f} {w:.3f} {h:.3f} re" for x, y, w, h in
                                         qr_runs(self.qr, size)) + " f")
            canvas.endForm()
        canvas.saveState()
        canvas.translate(x, y)
        canvas.doForm("cd-qr")
        canvas.restoreState()
        canvas.setFont(self.fonts["song"].name, 8)
        tx = x + size + 2 * mm if odd else x - 2 * mm
        draw = canvas.drawString if odd else canvas.drawRightString
        for i, line in enumerate(self.footer.split("\n")):
            draw(tx, y + size - 9 - i * 10, line)


QR_BORDER = 4  # quiet zone, in modules


def qr_runs(content: str, size: float) -> list[tuple[float, float, float, float]]:
    """The dark modules of the QR code (level M, byte mode, UTF-8) as horizontal runs in a ``size`` square.

    The mask is fixed (pattern 0, valid for every decoder) rather than the best of eight: choosing it costs
    more than the rest of a document's layout, and each issued notice carries a different payload."""
    qr = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    qr.addData(qrencoder.QR8bitByte(content))
    qr.version = qr.calculate_version()
    qr.makeImpl(False, 0)
    count = len(qr.modules)
    unit = size / (count + 2 * QR_BORDER)
    runs_ = []
    for r, row in enumerate(qr.modules):
        y = size - (QR_BORDER + r + 1) * unit
        c = 0
        while c < count:
            if row[c]:
                start = c
                while c < count and row[c]:
                    c += 1
                runs_.append(((QR_BORDER + start) * unit, y, (c - start) * unit, unit))
            else:
                c += 1
    return runs_
