"""帮助 → 使用手册: docs/user-guide.md shown in the program, opened at the section of the current page (F1)."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QTextCursor
from PySide6.QtWidgets import QTextBrowser, QVBoxLayout, QWidget

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "user-guide.md"


IMAGE_WIDTH = 640  # screenshots of a 1366-pixel screen, shrunk to read beside the text


def fit_images(browser: QTextBrowser, folder: Path, width: int) -> None:
    """Markdown cannot size an image; scale each one to ``width`` keeping its proportions."""
    cursor = QTextCursor(browser.document())
    block = browser.document().begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fragment = it.fragment()
            fmt = fragment.charFormat()
            if fmt.isImageFormat():
                image_format = fmt.toImageFormat()
                size = QImage(str(folder / image_format.name())).size()
                if size.width() > width:
                    image_format.setWidth(width)
                    image_format.setHeight(size.height() * width / size.width())
                    cursor.setPosition(fragment.position())
                    cursor.setPosition(fragment.position() + fragment.length(), QTextCursor.MoveMode.KeepAnchor)
                    cursor.setCharFormat(image_format)
            it += 1
        block = block.next()


class HelpWindow(QWidget):
    def __init__(self, parent: QWidget | None = None, guide: Path = GUIDE):
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle("使用手册")
        self.browser = QTextBrowser()
        self.browser.setOpenExternalLinks(True)
        self.browser.setSearchPaths([str(guide.parent)])  # the screenshots beside the guide
        if guide.is_file():
            self.browser.setMarkdown(guide.read_text(encoding="utf-8"))
            fit_images(self.browser, guide.parent, IMAGE_WIDTH)
        else:
            self.browser.setPlainText(f"找不到使用手册文件：{guide}\n请向系统管理员索取安装包中的 docs/user-guide.md。")
        QVBoxLayout(self).addWidget(self.browser)
        screen = (parent.screen() if parent is not None else self.screen()).availableGeometry()
        self.resize(min(900, screen.width() - 40), min(700, screen.height() - 60))

    def show_section(self, title: str) -> bool:
        """Scroll to the heading ``title`` (a section name such as 工作台); False when the guide has none."""
        document = self.browser.document()
        block = document.begin()
        while block.isValid():
            if block.blockFormat().headingLevel() and block.text().strip() == title:
                cursor = QTextCursor(block)
                self.browser.setTextCursor(cursor)
                # To the top of the view: move to the end first, then back to the heading.
                self.browser.moveCursor(QTextCursor.MoveOperation.End)
                self.browser.setTextCursor(cursor)
                self.browser.ensureCursorVisible()
                return True
            block = block.next()
        return False

