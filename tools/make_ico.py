"""Render the program's SVG icon to a Windows .ico for the executable (build.spec picks it up).

    python tools/make_ico.py resources/icons/creditdesk.svg packaging/creditdesk.ico
"""
from __future__ import annotations

import sys

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer


def main(svg: str, ico: str) -> int:
    app = QGuiApplication.instance() or QGuiApplication(["make_ico", "-platform", "offscreen"])
    image = QImage(256, 256, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    QSvgRenderer(svg).render(painter)
    painter.end()
    ok = image.save(ico, "ICO")
    del app
    if not ok:
        print(f"无法写入图标文件 {ico}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(*sys.argv[1:3]))
