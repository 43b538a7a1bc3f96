"""GB/T 9704-2012 measured on the rendered PDFs (poppler's word boxes and a 150 dpi raster): 版头 spacing, the red
rule, the page-number dash, the 156 mm text block, heading levels and headings never left at a page foot, table
headers on every page, dates and numbers whole inside cells, blank forms without the draft watermark."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from notice_scenario import run, tool
from reports import gbt9704 as g

MM = 72 / 25.4
BLOCK_TOP, BLOCK_BOTTOM = g.TOP, g.TOP + g.BLOCK_H  # from the top of the page, in points
BLOCK_LEFT, BLOCK_RIGHT = g.LEFT, g.LEFT + g.BLOCK_W
HEADING = re.compile(r"^[一二三四五六七八九十]+、")


def lines(path: Path) -> list[tuple[int, float, float, float, float, str]]:
    """(page, xMin, yMin, xMax, yMax, text) of every line `pdftotext -bbox-layout` finds, y from the page top."""
    out, page = [], 0
    html = run(tool("pdftotext"), "-nodiag", "-bbox-layout", str(path), "-")
    for chunk in re.split(r"(<page |<line )", html):
        if chunk.startswith("width="):
            page += 1
        m = re.match(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</line>', chunk, re.S)
        if m:
            words = "".join(re.findall(r">([^<]+)</word>", m.group(5)))
            out.append((page, *map(float, m.groups()[:4]), words))
    return out


def first(found, text):
    return next(ln for ln in found if ln[5] == text)


@pytest.fixture(scope="module")
def measured(issued):
    return {t: lines(p) for t, p in issued.files.items()}


def test_document_number_two_blank_lines_below_the_organ_mark(measured):
    """GB/T 9704 7.2.4: 发文字号 下空二行; the mark's top 35 mm below the top of the text block (7.2.3)."""
    found = measured["credit_result"]
    organ, number = first(found, "宁阳县医疗保障局"), next(ln for ln in found if ln[5].startswith("宁医保信〔"))
    assert abs(organ[2] - (BLOCK_TOP + 35 * MM)) < 0.5 * MM
    gap = number[2] - organ[4]
    assert 2 * g.LINE <= gap < 3 * g.LINE, gap / g.LINE


def _red_rows(pdf: Path, tmp_path: Path) -> list[float]:
    """Rows (points from the page top) where a red line runs across most of the text block on page 1."""
    from PIL import Image

    subprocess.run([tool("pdftoppm"), "-r", "150", "-f", "1", "-l", "1", "-png", str(pdf), str(tmp_path / "p")],
                   check=True)
    image = Image.open(next(tmp_path.glob("p*.png"))).convert("RGB")
    scale = 150 / 72
    x0, x1 = int(BLOCK_LEFT * scale), int(BLOCK_RIGHT * scale)
    rows = []
    for y in range(image.height):
        red = sum(1 for x in range(x0, x1, 4) if (lambda p: p[0] > 160 and p[1] < 90 and p[2] < 90)(image.getpixel((x, y))))
        if red > 0.9 * (x1 - x0) / 4:
            rows.append(y / scale)
    return rows


def test_red_rule_4mm_below_the_document_number_and_as_wide_as_the_block(issued, measured, tmp_path):
    """GB/T 9704 7.2.6: 在发文字号之下4 mm处居中印一条与版心等宽的红色分隔线."""
    number = next(ln for ln in measured["credit_result"] if ln[5].startswith("宁医保信〔"))
    rows = _red_rows(issued.files["credit_result"], tmp_path)
    assert rows, "no red rule found"
    below = min(r for r in rows if r > number[4])
    assert abs(below - number[4] - 4 * MM) < 0.6 * MM, (below - number[4]) / MM


@pytest.mark.parametrize("doc_type", ["credit_result", "credit_report", "public_list"])
def test_page_number_dash_7mm_below_the_text_block(measured, doc_type):
    """GB/T 9704 7.5: 一字线上距版心下边缘7 mm; odd pages right, even pages left."""
    dashes = [ln for ln in measured[doc_type] if ln[5].startswith("—") and ln[2] > BLOCK_BOTTOM]
    assert len({d[0] for d in dashes}) >= 2
    for d in dashes:
        middle = (d[2] + d[4]) / 2
        assert abs(middle - BLOCK_BOTTOM - 7 * MM) < 0.5 * MM, (middle - BLOCK_BOTTOM) / MM


def test_no_line_runs_past_the_156mm_text_block(issued, measured):
    """Closing punctuation moves down with the character before it (推出) instead of sticking out."""
    drafts = {t: lines(p) for t, p in issued.draft_files.items()}
    for doc_type, found in [*measured.items(), *drafts.items()]:
        for page, x0, y0, x1, y1, text in found:
            if BLOCK_TOP <= y0 and y1 <= BLOCK_BOTTOM:
                assert x0 >= BLOCK_LEFT - 0.3 * MM and x1 <= BLOCK_RIGHT + 0.3 * MM, (doc_type, page, text,
                                                                                     (x1 - BLOCK_RIGHT) / MM)


def test_heading_levels_run_one_then_bracketed_one(measured):
    """GB/T 9704 7.3.3: 一、 then （一） then 1. then （1）: no item numbered （1） directly under 一、."""
    for doc_type in ("credit_result", "credit_report"):
        texts = [ln[5] for ln in measured[doc_type]]
        assert any(HEADING.match(t) for t in texts)
        assert any(t.startswith("（一）") for t in texts)
        assert not any(re.match(r"^（\d+）", t) for t in texts), doc_type


def test_a_heading_is_never_the_last_line_of_a_page(measured):
    for doc_type, found in measured.items():
        for page in {ln[0] for ln in found}:
            body = [ln for ln in found if ln[0] == page and ln[4] <= BLOCK_BOTTOM]
            if body:
                last = max(body, key=lambda ln: ln[4])
                assert not HEADING.match(last[5]), (doc_type, page, last[5])


def test_table_header_repeats_on_every_page_of_a_list(measured):
    found = measured["public_list"]
    pages = {ln[0] for ln in found if re.search(r"\*{4,}|\d{17}[\dX]|[0-9A-Z]{18}", ln[5])}  # pages with entries
    assert len(pages) >= 2
    for page in pages:
        assert any(ln[0] == page and "序号" in ln[5] for ln in found), page


def test_dates_and_document_numbers_are_never_split_inside_a_cell(issued, measured):
    from models.services import notice_register

    _t, facts = notice_register.facts(issued.db, notice=issued.drafts["credit_report"])
    texts = [ln[5] for ln in measured["credit_report"]]
    for rec in facts["file"]["records"]:
        assert any(rec["decision_date"] in t for t in texts), rec["decision_date"]
        if rec.get("case_no"):
            assert any(rec["case_no"] in t for t in texts), rec["case_no"]
    listed = [ln[5] for ln in measured["public_list"]]
    for e in notice_register.facts(issued.db, notice=issued.drafts["public_list"])[1]["entries"]:
        assert any(e["since"] in t for t in listed) and any(e["code"] in t for t in listed)


@pytest.mark.parametrize("form", ["objection_form", "repair_form"])
def test_blank_forms_have_no_draft_watermark_and_labels_stay_in_their_column(issued, tmp_path, form):
    from reports.issuing import blank_form

    path = tmp_path / f"{form}.pdf"
    from reports.forms import LABELLED

    path.write_bytes(blank_form(issued.db, form=form))  # blank: nothing beside the labels
    found = lines(path)
    assert not any("草稿" in ln[5] or "未签发" in ln[5] for ln in found)
    edges = [BLOCK_LEFT + sum(LABELLED[:i]) * g.BLOCK_W for i in range(len(LABELLED) + 1)]
    for start, end in ((edges[0], edges[1]), (edges[2], edges[3])):  # the two label columns
        labels = [ln for ln in found if start <= ln[1] < end and BLOCK_TOP < ln[2] < BLOCK_BOTTOM]
        assert labels
        for ln in labels:
            assert ln[3] <= end - 1, (ln[5], (ln[3] - end) / MM)


def test_the_qr_code_drawn_is_reportlabs_qr_code_of_the_payload(monkeypatch):
    """The QR is drawn from the encoder's modules directly (fast): the same picture reportlab's QR widget draws for
    that payload and mask, so any scanner reads the signed payload."""
    from reportlab.graphics.barcode import qrencoder
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Group
    from reportlab.lib.colors import black

    payload = "CD2|370921|宁医保资〔2026〕1号|2026-12-01|ABCD-EFGH|余芳|q83vEjRWeJA|暂停医保支付资格3个月|" + "A" * 86
    monkeypatch.setattr(qrencoder.QRCode, "getBestMaskPattern", lambda self: 0)
    widget = QrCodeWidget(payload, barLevel="M", barWidth=100, barHeight=100, barBorder=4)
    dark = set()

    def walk(node):
        for child in getattr(node, "contents", []):
            if isinstance(child, Group):
                walk(child)
            elif getattr(child, "fillColor", None) == black:  # one rectangle per run of dark modules
                dark.add((round(child.x, 3), round(child.y, 3), round(child.width, 3)))

    walk(widget.draw())
    drawn = {(round(x, 3), round(y, 3), round(w, 3)) for x, y, w, _h in g.qr_runs(payload, 100)}
    assert drawn == dark and len(drawn) > 300


def test_a_space_where_a_line_breaks_neither_ends_nor_indents_a_line():
    from reports.fonts import font_set

    fonts = font_set()
    for n in range(22, 30):  # the space falls at, just before and just after the end of the first line
        text = "依" * n + " 四（五）、四（六）" + "据" * 40
        found = g.GridText(text, fonts, indent=2)._break(g.BLOCK_W)
        assert len(found) > 1
        assert all(not ln.text.startswith(" ") and not ln.text.endswith(" ") for ln in found), n
        assert "".join(ln.text for ln in found).replace(" ", "") == text.replace(" ", "")


@pytest.mark.parametrize("start, end, said", [
    ("2026-06-01", "2026-12-02", "6个月"), ("2024-06-01", "2026-06-01", "2年"), ("2025-03-05", "2026-06-04", "1年2个月")])
def test_a_disclosure_period_is_said_without_a_zero_year_or_month(start, end, said):
    from datetime import date

    from models.services.notice_facts import _disclosed

    assert _disclosed(date.fromisoformat(start), date.fromisoformat(end)) == said


def test_a_paragraph_continued_on_the_next_page_is_not_indented_again():
    from reports.fonts import font_set

    fonts = font_set()
    para = g.GridText("依据规定" * 40, fonts, indent=2)
    head, tail = para.split(g.BLOCK_W, 3 * para.slot)
    assert head.starts_paragraph(0) and not tail.starts_paragraph(0)
    two = g.GridText("第一段" * 10 + "\n" + "第二段" * 30, fonts, indent=2)  # the break falls between paragraphs
    first_lines = len(two._break(g.BLOCK_W)[:2])
    head, tail = two.split(g.BLOCK_W, first_lines * two.slot)
    assert tail.starts_paragraph(0)


def test_the_last_two_lines_of_the_body_go_with_the_seal_and_the_rest_may_stay_before():
    from reports.fonts import font_set

    fonts = font_set()
    long = g.GridText("决定依据：" + "本决定按照谁作出、谁负责的原则作出" * 6, fonts, indent=2)
    lines = long._break(g.BLOCK_W)
    head, tail = long.split_last(2)
    assert [ln.text for ln in head._fixed + tail._fixed] == [ln.text for ln in lines]
    assert len(tail._fixed) == 2 and head.starts_paragraph(0) and not tail.starts_paragraph(0)
    short = g.GridText("本局决定：维持原决定。", fonts, indent=2)
    assert short.split_last(2) == [short]


def test_the_seal_page_of_every_signed_notice_has_body_text_above_the_signature(issued, measured):
    for doc_type, found in measured.items():
        signature = [ln for ln in found if ln[5] == "宁阳县医疗保障局" and ln[1] > BLOCK_LEFT + 40 * MM]
        if not signature:
            continue
        page, top = signature[-1][0], signature[-1][2]
        above = [ln for ln in found if ln[0] == page and BLOCK_TOP - 1 <= ln[2] < top - 30 * MM]
        assert above, f"{doc_type}: the seal's page {page} has no body text above it"
