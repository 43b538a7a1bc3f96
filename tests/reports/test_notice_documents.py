"""Every document DOMAIN.md §6 lists, rendered from demo data and checked with poppler's own tools:
fonts embedded as subsets, the Chinese text extractable, the GB/T 9704-2012 page geometry."""
from __future__ import annotations

import ast
import re
from datetime import date
from pathlib import Path

import pytest

from notice_scenario import run, tool
from reports import gbt9704 as g

MM = 72 / 25.4
REPORTS = Path(__file__).resolve().parents[2] / "reports"

# Words each document must carry: its title, the addressee, its legal basis.
EXPECTED = {
    "credit_result": ["信用结果告知书", "异议", "信用等级"],
    "points_notice": ["记分告知书", "济医保发〔2025〕6号", "四（六）", "申诉", "累计记分"],
    "pq_suspend": ["暂停医保支付资格告知书", "期限3个月", "急诊、抢救", "四（三）", "申诉"],
    "settlement_suspend": ["暂停联网结算告知书", "鲁医保发〔2024〕25号", "第九条", "第十二条"],
    "objection_answer": ["异议信息处理结果反馈单", "申请单位（人）", "异议信息", "处理结果", "维持原结果"],
    "appeal_answer": ["申诉处理决定书", "申诉事项：记分管理", "本局决定：维持原决定", "济医保发〔2025〕6号", "四（八）", "经办人："],
    "repair_refused": ["不予信用修复告知书", "编号：", "决定不予信用修复", "经办人：", "经办人电话："],
    "repair_confirmed": ["信用修复确认通知书", "修复条件", "认定情况", "经核实，不良信息主体已履行法定责任和", "不良信息已披露"],
    "credit_report": ["信用报告", "基本信息", "守信信息", "不良信息", "淮医保发〔2020〕104号"],
    "public_list": ["医疗保障失信（黑）名单", "序号", "列入日期"],
}


def pdffonts(path: Path) -> list[dict]:
    """Rows of `pdffonts`, cut at the header's column positions (names may contain spaces)."""
    lines = run(tool("pdffonts"), str(path)).splitlines()
    header = lines[0]
    cols = {name: header.index(name) for name in ("name", "type", "emb", "sub", "uni")}
    return [{"name": line[:cols["type"]].strip(), "emb": line[cols["emb"]:cols["emb"] + 3].strip(),
             "sub": line[cols["sub"]:cols["sub"] + 3].strip()} for line in lines[2:]]


def text(path: Path, *args: str) -> str:
    return run(tool("pdftotext"), *args, str(path), "-")


def squeezed(path: Path) -> str:
    return re.sub(r"\s+", "", text(path))


def test_every_listed_document_exists_issued_or_as_a_form(issued):
    """DOMAIN.md §6: every notice, the five 磐医保〔2021〕43号 forms, the credit report and the lists."""
    assert set(EXPECTED) <= set(issued.files)
    from reports.issuing import blank_form

    for form in ("objection_form", "repair_form"):
        pdf = blank_form(issued.db, form=form, subject=issued.subjects["practitioner"])
        assert pdf.startswith(b"%PDF")


@pytest.mark.parametrize("doc_type", sorted(EXPECTED))
def test_fonts_are_embedded_subsets_only(issued, doc_type):
    """A PDF printed on another PC looks the same: no font is left for the viewer to substitute."""
    for path in (issued.files[doc_type], issued.draft_files[doc_type]):
        fonts = pdffonts(path)
        assert fonts
        for f in fonts:
            assert (f["emb"], f["sub"]) == ("yes", "yes"), (path.name, f)
            assert re.match(r"^[A-Z]{6}\+", f["name"]), f


@pytest.mark.parametrize("doc_type", sorted(EXPECTED))
def test_text_comes_back_in_chinese_with_number_date_and_basis(issued, doc_type):
    extracted = squeezed(issued.files[doc_type])
    for word in EXPECTED[doc_type]:
        assert re.sub(r"\s+", "", word) in extracted, (doc_type, word)
    number = next(i.doc_number for i in issued.issued if i.type == doc_type)
    assert re.fullmatch(r"宁医保.〔20\d\d〕[1-9]\d*号", number)  # year in 〔〕, no leading zeros
    assert number in extracted
    today = date.today()
    assert f"{today.year}年{today.month}月{today.day}日" in extracted  # 成文日期 in Arabic numerals, no 0 padding


def test_every_character_the_templates_print_has_a_glyph():
    """All literal text in reports/ (titles, form labels, fixed sentences), everything the policy packs put on
    paper (names of kinds and measures, articles, document numbers), 〇, 〔〕 and full-width punctuation."""
    from reports.fonts import BUNDLED, font_set, missing_glyphs

    literal = "".join(node.value for path in REPORTS.glob("*.py")
                      for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                      if isinstance(node, ast.Constant) and isinstance(node.value, str))
    literal += "".join(p.read_text(encoding="utf-8") for p in (REPORTS.parent / "resources" / "policies").rglob("*.json"))
    chars = "".join(sorted({c for c in literal if ord(c) > 0x2E80}))  # CJK and full-width forms
    assert "〔" in chars and "〕" in chars and "（" in chars and len(chars) > 500
    fonts = font_set(())
    assert fonts["fangsong"].path.name == BUNDLED
    extra = "〇一二三四五六七八九十，。、；：？！“”‘’（）《》〔〕【】—…·％０１２３４５６７８９"
    assert missing_glyphs(chars + extra + "0123456789年月日号X", fonts["fangsong"].name) == ""


def test_the_office_pcs_own_fonts_are_used_and_a_missing_character_falls_back(tmp_path):
    """simhei.ttf in the Windows font folder is used for 黑体; a character it lacks comes from the bundled font."""
    from reports.fonts import font_set, runs

    dejavu = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    if not dejavu.exists():
        pytest.skip("fonts-dejavu-core not installed")
    (tmp_path / "simhei.ttf").write_bytes(dejavu.read_bytes())  # a stand-in with Latin glyphs only
    fonts = font_set((tmp_path,))
    assert not fonts["hei"].bundled and fonts["fangsong"].bundled
    assert runs("一、Rule", fonts["hei"].name, fonts.fallback) == [(fonts.fallback, "一、"), (fonts["hei"].name, "Rule")]


def _bbox_words(path: Path) -> list[tuple[int, float, float, float, float, str]]:
    """(page, xMin, yMin, xMax, yMax, word) from `pdftotext -bbox`; y measured from the top of the page."""
    html = text(path, "-bbox")
    out, page = [], 0
    for line in html.splitlines():
        if "<page " in line:
            page += 1
        m = re.search(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<', line)
        if m:
            out.append((page, *map(float, m.groups()[:4]), m.group(5)))
    return out


def test_layout_follows_gbt9704(issued):
    """A4; text block from 28 mm (binding edge) and 37 mm (top), 156 mm wide; 22 lines; the date right-
    indented four characters; page numbers “— N —” outside: odd pages right, even pages left."""
    path = issued.files["credit_result"]
    info = run(tool("pdfinfo"), str(path))
    assert re.search(r"Page size:\s+595\.2\d* x 841\.8\d*", info)
    words = _bbox_words(path)
    body = [w for w in words if w[0] == 1 and g.TOP + 60 * MM < w[2] < (37 + 225) * MM]
    left = min(w[1] for w in body)
    right = max(w[3] for w in body)
    assert abs(left - 28 * MM) < 1.0
    assert abs(right - (28 + 156) * MM) < 2.0  # justified lines fill the block (撑满版心)
    assert 28 * MM - 1 < left and right < (28 + 156) * MM + 2
    tops = sorted({round(w[2], 1) for w in body})
    pitches = [b - a for a, b in zip(tops, tops[1:]) if b - a < 40]
    assert pitches and all(abs(p - g.LINE) < 0.6 for p in pitches), pitches  # 225 mm / 22 lines
    numbers = [w for w in words if re.fullmatch(r"\d+", w[5]) and w[2] > (37 + 225) * MM]
    pages = {w[0]: w for w in numbers}
    assert len(pages) >= 2
    assert pages[1][1] > 105 * MM and pages[2][3] < 105 * MM  # outside corners
    date_line = [w for w in words if re.search(r"\d+年\d+月\d+日", w[5])][-1]
    assert abs(date_line[3] - (28 + 156 - 4 * 156 / 28) * MM) < 2.0  # 右空四字


def test_a_draft_has_no_number_and_says_so(issued):
    extracted = squeezed(issued.draft_files["points_notice"])
    assert all(c in extracted for c in "草稿未签发")  # the watermark, drawn at an angle
    assert "〔〕号" in extracted  # the number's place stays empty until issue
    assert not re.search(r"〔20\d\d〕\d+号", extracted.split("记分告知书")[0])
