"""The 告知书 screen: the register pages through the database, the verification code finds an entry, a
delivery before the document's date is refused under its field, and a reprint comes out marked 副本."""
from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "reports"))

import notice_scenario as ns  # noqa: E402


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    sc = ns.build(tmp_path_factory.mktemp("gui-notices"))
    for t in ("points_notice", "credit_result"):
        ns.sign_through(sc, sc.drafts[t])
    sc.issued = ns.issue(sc, [sc.drafts["points_notice"], sc.drafts["credit_result"]])
    yield sc
    sc.db.dispose()


@pytest.fixture
def page(qtbot, runner, scenario):
    from views.page_notices import make_page

    runner.db = scenario.db
    widget = make_page(runner, scenario.actors["clerk"])
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitUntil(lambda: widget.model.total is not None and len(widget.model.rows) == widget.model.total)
    return widget


def test_register_model_passes_the_model_tester_and_filters(page, qtmodeltester, qtbot, scenario):
    qtmodeltester.check(page.model)
    assert page.model.total == len(scenario.drafts)
    page.state.setCurrentIndex(page.state.findData("issued"))
    qtbot.waitUntil(lambda: page.model.total == 2 and len(page.model.rows) == 2)
    assert {r.doc_number.split("〔")[0] for r in page.model.rows} == {"宁医保记", "宁医保信"}
    assert page.count.text() == "共2份"
    assert not page.buttons["review"].isEnabled() and page.buttons["deliver"].isEnabled()  # a clerk's buttons


def test_verification_code_shows_the_register_entry(page, qtbot, scenario):
    from views.notice_dialogs import CodeDialog

    dialog = CodeDialog(page.runner, page)
    qtbot.addWidget(dialog)
    dialog.code.setText(f"CDVERIFY:370921:{scenario.issued[0].verify_code}")
    dialog.submit()
    qtbot.waitUntil(lambda: "宁医保记" in dialog.answer.text())
    dialog.code.setText("12")
    dialog.submit()
    qtbot.waitUntil(lambda: dialog.errors.message("验证码") != "")
    assert "8位" in dialog.errors.message("验证码")


def test_delivery_before_the_document_date_is_refused_in_place(page, qtbot, scenario):
    from PySide6.QtCore import QDate

    from views.notice_dialogs import DeliveryDialog

    dialog = DeliveryDialog(page.runner, scenario.actors["clerk"], scenario.drafts["points_notice"], False, page)
    qtbot.addWidget(dialog)
    dialog.day.setDate(QDate(2020, 1, 1))
    dialog.recipient.setText("本人")
    dialog.submit()
    qtbot.waitUntil(lambda: dialog.errors.message("送达日期") != "")
    assert "早于成文日期" in dialog.errors.message("送达日期")
    assert dialog.result() != QDialog.DialogCode.Accepted and dialog.recipient.text() == "本人"  # nothing lost
    today = date.today()
    dialog.day.setDate(QDate(today.year, today.month, today.day))
    with qtbot.waitSignal(dialog.finished):
        dialog.submit()
    assert dialog.result_value["method"] == "直接送达"


def test_a_reprint_is_marked_as_a_copy(page, tmp_path, scenario):
    from PySide6.QtPrintSupport import QPrinter

    from models.services import notice_register
    from views.notice_print import make_printer, print_documents

    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed")
    number, data = notice_register.pdf(scenario.db, notice=scenario.drafts["points_notice"])
    pages = []
    for copy in (False, True):
        printer = make_printer()
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        target = tmp_path / f"printed-{copy}.pdf"
        printer.setOutputFileName(str(target))
        pages.append(print_documents(printer, [(number, data, copy)], page))
        text = subprocess.run(["pdftotext", str(target), "-"], capture_output=True, text=True).stdout
        assert ("副本" in text) is copy
    assert pages[0] == pages[1] >= 1


def test_preview_shows_every_page(page, qtbot, scenario):
    from models.services import notice_register
    from views.notice_print import PreviewDialog

    number, data = notice_register.pdf(scenario.db, notice=scenario.drafts["credit_result"])
    dialog = PreviewDialog(number, data, parent=page)
    qtbot.addWidget(dialog)
    assert dialog.doc.pageCount() >= 2 and not dialog.print_button.isEnabled()


def _red_pixels(pdf: Path, page: int, folder: Path) -> int:
    """Red pixels of one page at 40 dpi: the seal (and nothing else is red below the header rule)."""
    from PIL import Image

    prefix = folder / pdf.stem
    subprocess.run(["pdftoppm", "-r", "40", "-f", str(page), "-l", str(page), "-png", str(pdf), str(prefix)], check=True)
    image = Image.open(next(folder.glob(f"{pdf.stem}*.png"))).convert("RGB")
    lower = image.crop((0, image.height // 3, image.width, image.height))
    return sum(1 for r, g, b in lower.get_flattened_data() if r > 150 and g < 100 and b < 100)


def test_the_printed_original_carries_the_seal_exactly_as_the_signed_pdf(page, tmp_path, scenario):
    """The 正本 on paper is the signed file's pages: the seal, part of the page, prints with it (issue 12 item 3)."""
    from PySide6.QtPrintSupport import QPrinter

    from models.services import notice_register
    from views.notice_print import print_preview

    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm is not installed")
    number, data = notice_register.pdf(scenario.db, notice=scenario.drafts["points_notice"])
    signed = tmp_path / "signed.pdf"
    signed.write_bytes(data)
    dialog = print_preview([(number, data, False)], page)  # what 打印所选 shows before anything prints
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setFullPage(True)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    dialog.paintRequested.emit(printer)
    last = dialog.pages
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    original = _red_pixels(signed, last, tmp_path / "a")
    printed = _red_pixels(tmp_path / "printed.pdf", last, tmp_path / "b")
    assert original > 200  # the seal is on the signed page
    assert abs(printed - original) < 0.15 * original, (printed, original)


def test_notice_settings_say_which_fonts_print_and_save_with_a_reason(qtbot, runner, scenario):
    """The periods no document fixes are the bureau's settings (济医保发〔2025〕6号 四（八）): kept with a reason;
    the dialog names the fonts this PC lacks and the fallback printed instead."""
    from PySide6.QtWidgets import QLabel

    from models.services import notices
    from reports.fonts import font_set
    from views.notice_dialogs import NoticeSettingsDialog

    runner.db = scenario.db
    dialog = NoticeSettingsDialog(runner, scenario.actors["admin"], notices.get_settings(scenario.db),
                                  font_set().fallback_text())
    qtbot.addWidget(dialog)
    labels = lambda: dialog.findChildren(QLabel)  # noqa: E731
    assert any("本机未找到" in w.text() and "程序自带的霞鹜文楷" in w.text() for w in labels())
    dialog.edits["appeal_days"].setText("20")
    dialog.submit()  # without a reason: refused under the reason field, nothing saved
    qtbot.waitUntil(lambda: any("变更原因" in w.text() and not w.isHidden() for w in labels()))
    assert notices.get_settings(scenario.db)["appeal_days"] == 15
    dialog.reason.setText("局务会议决定")
    dialog.submit()
    qtbot.waitUntil(lambda: dialog.result_value is not None)
    assert notices.get_settings(scenario.db)["appeal_days"] == 20


def test_the_detail_names_who_drafted_and_signed_by_their_names(page, qtbot, scenario):
    """Login names never reach the screen: 起草 and each step show the display name (users.display_name)."""
    row = next(n for n, r in enumerate(page.model.rows) if r.uuid == scenario.drafts["points_notice"])
    page.table.selectRow(row)
    qtbot.waitUntil(lambda: "起草：" in page.detail.text())
    text = page.detail.text()
    assert f"起草：{ns.NAMES['clerk']}" in text and ns.NAMES["signer"] in text
    assert "clerk" not in text and "signer" not in text
