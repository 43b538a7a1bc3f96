"""帮助 → 关于: the version, the database schema revision and the policy packs in force; and the
更新说明 shown once at the first start of a new version on a database an older version used."""
from __future__ import annotations

from html import escape

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QMessageBox, QTextBrowser, QVBoxLayout, QWidget

from models.services import release
from models.services.base import Actor

PURPOSE = "县级医疗保障局医保信用管理：信用档案、记分与评价、异议与修复、告知书和数据交换。"


def about_html(info: release.AboutInfo) -> str:
    packs = "".join(
        f"<tr><td>{escape(p.cite_as)}{'（参考）' if p.reference else ''}</td><td>{escape(p.title)}</td>"
        f"<td>第{escape(p.version)}版</td><td>{escape(p.period)}</td></tr>" for p in info.packs)
    packs = (f"<table cellspacing='0' cellpadding='3' border='1' style='border-collapse:collapse'>"
             f"<tr><th>文号</th><th>名称</th><th>版本</th><th>有效期</th></tr>{packs}</table>"
             if packs else "<p>（数据库尚未初始化，没有政策配置）</p>")
    return (f"<h3>医保信用管理系统</h3><p>{PURPOSE}</p>"
            f"<p>程序版本：<b>{escape(info.version)}</b><br>数据库结构版本：{escape(info.schema_revision)}<br>"
            f"本局：{escape(info.county)}{'，政策配置 ' + escape(info.profile) if info.profile else ''}</p>"
            f"<p>现行政策包（标“参考”的仅供对照，不用于本局的认定）：</p>{packs}")


class AboutDialog(QDialog):
    def __init__(self, info: release.AboutInfo, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("关于 医保信用管理系统")
        self.resize(720, 420)
        self.text = QTextBrowser(openExternalLinks=False)
        self.text.setHtml(about_html(info))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, rejected=self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text, 1)
        layout.addWidget(buttons)


def show_about(runner, parent: QWidget) -> None:
    """Read on the worker, then show; kept on the parent so it is not collected while open."""
    def shown(info) -> None:
        parent.about_dialog = AboutDialog(info, parent)
        parent.about_dialog.show()

    runner.service(release.about, on_done=shown)


def notes_text(notes: list[tuple[str, list[str]]]) -> str:
    return "".join(f"<p><b>{escape(version)} 版的变化：</b></p><ul>"
                   + "".join(f"<li>{escape(line)}</li>" for line in lines) + "</ul>" for version, lines in notes)


def show_release_notes_when_due(runner, parent: QWidget, actor: Actor) -> None:
    """After sign-in: once per new version on this database, a short 更新说明."""
    def due(notes) -> None:
        if notes:
            parent.release_notes = box = QMessageBox(QMessageBox.Icon.Information, "更新说明",
                                                     "本程序已升级，数据已按新版本整理（升级前已自动备份）。", parent=parent)
            box.setInformativeText(notes_text(notes))
            box.show()

    runner.service(release.check_in, actor=actor, on_done=due)
