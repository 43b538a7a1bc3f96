"""Preview and print notices: Qt's PDF module shows the very file that was issued (or the draft), and
printing draws its pages on the printer. A reprint carries a red “副本” mark in the top margin: the
document is the same, the paper says it is a copy.
"""
from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QKeySequence, QPageSize, QPainter, QPen
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import (QApplication, QDialog, QDialogButtonBox, QLabel, QProgressDialog, QPushButton,
                               QVBoxLayout, QWidget)

COPY_MARK = "副本"


def load_pdf(data: bytes, parent) -> QPdfDocument:
    """A QPdfDocument over the bytes; the buffer is parented so it lives as long as the document."""
    doc = QPdfDocument(parent)
    buffer = QBuffer(doc)
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    doc.load(buffer)
    return doc


def make_printer() -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    printer.setFullPage(True)  # the PDF already has GB/T 9704 margins; the printer must not add its own
    return printer


def _mark_copy(painter: QPainter, page: QRectF) -> None:
    """“副本” in a red box at the top right, inside the 37 mm top margin, away from the text block."""
    mm = page.width() / 210
    box = QRectF(page.right() - 52 * mm, page.top() + 12 * mm, 24 * mm, 11 * mm)
    painter.save()
    painter.setPen(QPen(QColor(200, 20, 30), 0.6 * mm))
    painter.drawRect(box)
    font = QFont()
    font.setPixelSize(int(7 * mm))
    font.setBold(True)
    painter.setFont(font)
    painter.drawText(box, Qt.AlignmentFlag.AlignCenter, COPY_MARK)
    painter.restore()


def print_documents(printer: QPrinter, items: list[tuple[str, bytes, bool]], parent: QWidget | None = None) -> int:
    """Print (label, pdf, is_copy) items in order with a cancellable progress dialog; returns pages printed.

    Runs on the GUI thread (a QPainter on a printer belongs to it) and keeps the window responsive
    between pages; cancelling stops before the next page.
    """
    docs = [(label, load_pdf(data, parent), copy) for label, data, copy in items]
    total = sum(d.pageCount() for _l, d, _c in docs)
    progress = QProgressDialog("正在打印…", "取消(&C)", 0, total, parent)
    progress.setWindowTitle("批量打印")
    progress.setWindowModality(Qt.WindowModality.WindowModal)
    progress.setMinimumDuration(300)
    painter = QPainter()
    if not painter.begin(printer):
        raise RuntimeError("无法开始打印：打印机不可用")
    printed = 0
    try:
        for label, doc, copy in docs:
            for page in range(doc.pageCount()):
                if progress.wasCanceled():
                    return printed
                progress.setLabelText(f"正在打印 {label}（第{page + 1}页）")
                if printed:
                    printer.newPage()
                target = QRectF(painter.viewport())
                image = doc.render(page, QSize(int(target.width()), int(target.height())))
                painter.drawImage(target, image)
                if copy:
                    _mark_copy(painter, target)
                printed += 1
                progress.setValue(printed)
                QApplication.processEvents()
    finally:
        painter.end()
        progress.close()
        for _l, doc, _c in docs:
            doc.deleteLater()
    return printed


def print_preview(items: list[tuple[str, bytes, bool]], parent: QWidget | None = None) -> QPrintPreviewDialog:
    """Qt's print preview over the documents (the seal is part of each page; reprints marked 副本); printing
    from it draws the same pages on the printer chosen there. ``dialog.pages`` counts the pages printed."""
    printer = make_printer()
    dialog = QPrintPreviewDialog(printer, parent)
    dialog.printer = printer  # the dialog does not own it: without this reference it is freed under the dialog
    dialog.setWindowTitle(f"打印预览 — {len(items)}份")
    dialog.pages = 0

    def paint(printer: QPrinter) -> None:
        dialog.pages = print_documents(printer, items, dialog)

    dialog.paintRequested.connect(paint)
    dialog.resize(900, 760)
    return dialog


class PreviewDialog(QDialog):
    """The document as it will print; 打印 asks for a printer. ``on_print`` records the print first and says
    whether this print is a copy."""

    def __init__(self, title: str, data: bytes, *, on_print=None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"预览 — {title}")
        self.data, self.on_print = data, on_print
        self.doc = load_pdf(data, self)
        self.view = QPdfView(self)
        self.view.setDocument(self.doc)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.print_button = QPushButton("打印(&P)…")
        self.print_button.setShortcut(QKeySequence.StandardKey.Print)
        self.print_button.setEnabled(on_print is not None)
        self.print_button.clicked.connect(self.print_)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
        buttons.addButton(self.print_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"{title}，共{self.doc.pageCount()}页"))
        layout.addWidget(self.view, 1)
        layout.addWidget(buttons)
        self.resize(760, 700)

    def print_(self) -> None:
        printer = make_printer()
        dialog = QPrintDialog(printer, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        self.on_print(lambda copy: print_documents(printer, [(self.windowTitle(), self.data, copy)], self))
