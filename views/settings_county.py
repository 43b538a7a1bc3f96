"""本局信息: the county (fixed at initialisation) and its policy profile, changed only with a reason."""
from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QComboBox, QFormLayout, QFrame, QGroupBox, QLabel, QLineEdit, QPushButton, QScrollArea,
                               QVBoxLayout, QWidget)

from models.services import county, evaluation, pack_status
from models.services.base import Actor
from views.case_common import allow
from views.forms import FormErrors, error_label, set_busy
from views.settings_common import LazyTab


def load_county(db) -> dict:
    """Runs on the worker: the county, the profiles to choose from and the packs of the one in force."""
    info = county.get_county(db)
    prof = evaluation.profile(info.profile)
    packs = [(e.pack.cite_as, e.pack.title, e.pack.period_text(), e.reference, e.note or "") for e in prof.entries]
    return {"county": info, "profiles": county.available_profiles(), "packs": packs, "profile_name": prof.name,
            "warnings": pack_status.pack_warnings(db)}


def packs_html(packs: list) -> str:
    e = html.escape
    return "".join(f"<p><b>{'参照 ' if ref else ''}{e(cite)}</b>　{e(title)}<br/>"
                   f"<span style='color:#555'>有效期：{e(period)}{'；' + e(note) if note else ''}</span></p>"
                   for cite, title, period, ref, note in packs)


class CountyTab(LazyTab):
    def __init__(self, runner, actor: Actor, parent: QWidget | None = None):
        super().__init__(runner, actor, parent)
        self.code, self.name = QLabel(), QLabel()
        facts = QGroupBox("本局")
        form = QFormLayout(facts)
        form.addRow("行政区划代码：", self.code)
        form.addRow("县（区）名称：", self.name)
        form.addRow("", QLabel("行政区划代码和名称在初始化时确定，是本局数据交换和文书落款的依据。", wordWrap=True))

        self.profile = QComboBox()
        self.reason = QLineEdit(placeholderText="如：根据市局通知改用……配置")
        self.change_button = QPushButton("变更政策配置(&G)", clicked=self.change)
        self.errors = FormErrors(error_label())
        self.change_box = QGroupBox("政策配置")
        form = QFormLayout(self.change_box)
        self.errors.add_row(form, "政策配置(&P)：", self.profile, "政策配置")
        self.errors.add_row(form, "变更原因(&R)：", self.reason, "变更原因")
        form.addRow("", self.change_button)
        form.addRow("", self.errors.area)
        allow(self.change_box, actor, "county.manage")
        self.packs = QLabel(wordWrap=True, alignment=Qt.AlignmentFlag.AlignTop)
        self.packs.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        pack_box = QGroupBox("现行配置采用的政策文件")
        # The list of documents scrolls: at 1024×700 it must not make the window taller than the screen.
        scroll = QScrollArea(widgetResizable=True, frameShape=QFrame.Shape.NoFrame)
        scroll.setWidget(self.packs)
        QVBoxLayout(pack_box).addWidget(scroll)

        layout = QVBoxLayout(self)
        layout.addWidget(facts)
        layout.addWidget(self.change_box)
        layout.addWidget(pack_box, 1)
        layout.addWidget(self.message)

    def load(self) -> None:
        self.runner.service(load_county, on_done=self._show, on_error=self.refused)

    def _show(self, data: dict) -> None:
        info = data["county"]
        self.code.setText(info.code)
        self.name.setText(info.name)
        self.profile.clear()
        for key, display in data["profiles"].items():
            self.profile.addItem(f"{display}（{key}）", key)
        self.profile.setCurrentIndex(self.profile.findData(info.profile))
        warnings = "".join(f"<p style='color:#b3261e'><b>注意：</b>{html.escape(w)}</p>" for w in data["warnings"])
        self.packs.setText(warnings + f"<p>{html.escape(data['profile_name'])}</p>" + packs_html(data["packs"]))

    def change(self) -> None:
        self.errors.clear()
        set_busy(self.change_box, True)
        self.runner.service(county.change_profile, actor=self.actor, profile=self.profile.currentData(),
                            reason=self.reason.text(), on_done=self._changed, on_error=self._refused)

    def _changed(self, result) -> None:
        set_busy(self.change_box, False)
        self.reason.clear()
        self.load()
        self.recompute_standings(f"政策配置已变更为 {result.value.profile}，已记入操作日志。")

    def _refused(self, exc: BaseException) -> None:
        set_busy(self.change_box, False)
        if not self.errors.show_exception(exc):
            self.runner.show_error(exc)
