"""File dialogs (issue 13): Qt's own dialog in Chinese on every PC, starting in the folder chosen last for the
same purpose; the print preview's toolbar speaks Chinese too."""
from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtGui import QAction
from PySide6.QtPrintSupport import QPrintPreviewDialog, QPrinter
from PySide6.QtWidgets import QDialogButtonBox, QFileDialog, QLabel, QToolButton, QWidget

from views import file_dialogs
from views.file_dialogs import OPTIONS, existing_directory, open_file_names, save_file_name

LATIN = re.compile(r"[A-Za-z]{2,}")


def test_every_dialog_is_qts_own_and_each_purpose_remembers_its_own_folder(qtbot, tmp_path, monkeypatch):
    asked = []

    def answer(chosen):
        def dialog(_parent, _title, start, *_filter, options=None):
            asked.append((start, options))
            return chosen if isinstance(chosen, str) and not _filter else (chosen, "")
        return dialog

    widget = QWidget()
    qtbot.addWidget(widget)
    (tmp_path / "exports").mkdir()
    (tmp_path / "scans").mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", answer(str(tmp_path / "exports" / "a.xlsx")))
    save_file_name(widget, "导出Excel", "a.xlsx", "Excel 工作簿 (*.xlsx)")
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", answer([str(tmp_path / "scans" / "1.pdf")]))
    open_file_names(widget, "选择附件", "所有文件 (*)")
    save_file_name(widget, "导出Excel", "b.xlsx", "Excel 工作簿 (*.xlsx)")
    open_file_names(widget, "选择附件", "所有文件 (*)")
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", answer(str(tmp_path / "exports")))
    existing_directory(widget, "交换文件夹", purpose="exchange")
    assert asked[2][0] == str(tmp_path / "exports" / "b.xlsx")  # the export folder, not the attachments'
    assert asked[3][0] == str(tmp_path / "scans")
    assert all(options & QFileDialog.Option.DontUseNativeDialog for _start, options in asked)


def test_a_folder_that_no_longer_exists_is_not_where_the_dialog_starts(tmp_path):
    gone = tmp_path / "removed"
    file_dialogs.remember("export", str(gone / "x.xlsx"))
    assert file_dialogs.last_folder("export", fallback=tmp_path) == tmp_path


def test_the_file_dialog_reads_chinese(qtbot, tmp_path):
    dialog = QFileDialog(None, "导出Excel", str(tmp_path), "Excel 工作簿 (*.xlsx)")
    dialog.setOptions(OPTIONS)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    qtbot.addWidget(dialog)
    dialog.show()
    labels = [label.text() for label in dialog.findChildren(QLabel) if label.text()]
    buttons = [b.text() for box in dialog.findChildren(QDialogButtonBox) for b in box.buttons()]
    assert any("文件名" in text for text in labels) and any("保存" in text for text in buttons)
    assert not [text for text in labels + buttons if LATIN.search(text.replace("&", ""))]


def test_the_print_previews_toolbar_has_no_english(qtbot):
    printer = QPrinter()  # the dialog does not own it: it must outlive the dialog
    dialog = QPrintPreviewDialog(printer)
    qtbot.addWidget(dialog)
    dialog.show()
    texts = [t for a in dialog.findChildren(QAction) for t in (a.text(), a.toolTip()) if t]
    texts += [b.toolTip() for b in dialog.findChildren(QToolButton) if b.toolTip()]
    assert "打印" in texts and "下一页" in texts
    assert not [t for t in texts if LATIN.search(t)]


def test_no_screen_opens_a_file_dialog_of_its_own():
    """One helper: a direct call would be native, English on an English Windows, and forget the folder."""
    root = Path(__file__).resolve().parents[2]
    direct = [str(p.relative_to(root)) for folder in ("views", "desktop") for p in (root / folder).glob("*.py")
              if p.name != "file_dialogs.py" and re.search(r"QFileDialog\.get", p.read_text(encoding="utf-8"))]
    assert direct == []
