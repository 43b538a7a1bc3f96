"""交换记录: every package and receipt sent or received, newest first; a lost file is saved again."""
from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from models.services.exchange import history
from views.exchange_common import PathField, RowsModel, table
from views.people import named

HEADERS = ("时间", "方向", "类型", "发送方", "接收方", "序号", "记录数", "状态", "经办人", "文件")


class HistoryTab(QWidget):
    def __init__(self, runner, actor, parent=None):
        super().__init__(parent)
        self.runner, self.actor = runner, actor
        self.model = RowsModel(HEADERS)
        self.view = table(self.model)
        self.folder = PathField("folder", "重新保存到")
        self.save = QPushButton("重新保存所选数据包(&S)")
        self.save.setToolTip("对方没有收到文件时，把本局发出的数据包原样再保存一次（序号不变）")
        self.save.clicked.connect(self.save_again)
        self.message = QLabel()
        row = QHBoxLayout()
        row.addWidget(QLabel("保存到文件夹："))
        row.addWidget(self.folder, 1)
        row.addWidget(self.save)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addLayout(row)
        layout.addWidget(self.message)

    def refresh(self) -> None:
        self.runner.service(named, query=history.packages, fields=("handled_by",), on_done=self._show,
                            on_error=lambda _e: None)

    def _show(self, rows) -> None:
        self.model.set_rows([
            (f"{r.handled_at.astimezone():%Y-%m-%d %H:%M}", history.DIRECTION_NAMES[r.direction], history.KIND_NAMES[r.kind],
             f"{r.sender_name}（{r.sender}）", f"{r.receiver_name}（{r.receiver}）", r.sequence, r.records, r.state,
             r.handled_by, r.filename) for r in rows], keys=[r.uuid for r in rows])

    def save_again(self) -> None:
        selected = self.view.selectionModel().selectedRows()
        if not selected:
            self.message.setText("请先在列表中选择本局发出的数据包或回执")
            return
        self.runner.service(history.save_again, package_uuid=self.model.keys[selected[0].row()], to_dir=self.folder.text(),
                            on_done=lambda path: self.message.setText(f"已保存：{path}"))
