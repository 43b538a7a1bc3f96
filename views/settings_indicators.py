"""评价指标: the 1000-point indicator tree in force, with weights and the effect of each record kind.

The bureau sets its own indicators (磐医保〔2021〕43号 第十三条 “评价指标另行制定”); until it loads
them the shipped sample applies and is marked 示例 everywhere. Editing is: export the JSON, change
it, load it back with a reason (admin); every set loaded stays on record.
"""
from __future__ import annotations

import json
import os
from decimal import Decimal
from pathlib import Path

from PySide6.QtWidgets import (
    QHBoxLayout, QInputDialog, QLabel, QPushButton, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget,
)

from models.services import county, evaluation, indicators
from models.services.base import Actor
from models.services.subjects import TYPE_NAMES
from views.case_common import allow
from views.file_dialogs import open_file_name, save_file_name
from views.settings_common import LazyTab, read_text

SAMPLE_STYLE = "background: #fff4e0; border: 1px solid #e0a040; padding: 6px;"
HEADERS = ("指标", "代码", "分值", "计分方式", "信息类别及每条记录的影响")


def load_tree(db) -> tuple[dict, dict[str, str]]:
    """Runs on the worker: the tree in force (as the JSON the admin edits) and record kinds' names."""
    tree = indicators.export(db, profile=evaluation.profile(county.get_county(db).profile))
    return tree, {k["code"]: k["name"] for k in evaluation.catalogue(db)}


def load_file(db, *, actor: Actor, path: str, reason: str):
    return indicators.load(db, actor=actor, text=read_text(path), reason=reason)


def effect_text(effects: dict, names: dict[str, str]) -> str:
    return "；".join(f"{names.get(code, code)} {Decimal(str(v)):+}" for code, v in effects.items())


def tree_items(nodes: list, names: dict[str, str]) -> list[QTreeWidgetItem]:
    items = []
    for node in nodes:
        leaf = not node.get("children")
        way = {"full": "扣分项（满分起扣）", "zero": "加分项（零分起加）"}.get(node.get("start"), "") if leaf else ""
        item = QTreeWidgetItem([node["name"], node["code"], str(node["weight"]), way,
                                effect_text(node.get("effects", {}), names) if leaf else ""])
        item.setToolTip(4, item.text(4))
        item.addChildren(tree_items(node.get("children", []), names))
        items.append(item)
    return items


class IndicatorsTab(LazyTab):
    def __init__(self, runner, actor: Actor, parent: QWidget | None = None):
        super().__init__(runner, actor, parent)
        self.tree_data: dict | None = None
        self.banner = QLabel(wordWrap=True)
        self.banner.hide()
        self.summary = QLabel(wordWrap=True)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(HEADERS)
        self.tree.setAlternatingRowColors(True)
        self.export_button = QPushButton("导出指标体系(&E)…", clicked=self.export)
        self.load_button = QPushButton("载入本局指标体系(&L)…", clicked=self.load_set)
        allow(self.load_button, actor, "county.manage", "载入按导出格式编写的 JSON 文件；原指标体系留档")
        buttons = QHBoxLayout()
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.load_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(self.summary)
        layout.addWidget(self.tree, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.message)

    def load(self) -> None:
        self.runner.service(load_tree, on_done=self._show, on_error=self.refused)

    def _show(self, loaded) -> None:
        self.tree_data, names = loaded
        data = self.tree_data
        sample = bool(data.get("sample"))
        self.banner.setVisible(sample)
        self.banner.setStyleSheet(SAMPLE_STYLE)
        self.banner.setText(f"<b>示例</b>：{data.get('note') or '评价指标由本局另行制定（磐医保〔2021〕43号 第十三条）'}。"
                            "在本局载入自己制定的指标体系之前，按本示例计算的信用分和等级仅供参考。")
        self.summary.setText(f"指标体系“{data['id']}”：满分 {data.get('scale', 1000)} 分，适用于"
                             f"{'、'.join(TYPE_NAMES.get(t, t) for t in data.get('subject_types', []))}；{data.get('window_note', '')}"
                             f"{data.get('weight_note', '')}")
        self.tree.clear()
        self.tree.addTopLevelItems(tree_items(data["indicators"], names))
        self.tree.expandAll()
        for column, width in enumerate((230, 60, 50, 130)):
            self.tree.setColumnWidth(column, width)

    def export(self) -> None:
        if self.tree_data is None:
            return
        path = save_file_name(self, "导出指标体系", f"指标体系-{self.tree_data['id']}.json", "JSON 文件 (*.json)",
                              purpose="indicators")
        if path:
            self.runner.run(_write_json, path, self.tree_data, on_done=lambda _r: self.say(f"已导出到 {path}"),
                            on_error=self.refused)

    def load_set(self) -> None:
        path = open_file_name(self, "载入指标体系", "JSON 文件 (*.json)", purpose="indicators")
        if not path:
            return
        reason, ok = QInputDialog.getText(self, "载入指标体系", "变更原因（如：本局2027年信用评价指标，局务会审定）：")
        if ok:
            self.runner.service(load_file, actor=self.actor, path=path, reason=reason, on_done=self._loaded,
                                on_error=self.refused)

    def _loaded(self, result) -> None:
        parsed = result.value
        self.load()
        self.recompute_standings(f"已启用指标体系“{parsed.id}”（{len(parsed.leaves())}个三级指标）"
                                 f"{'，仍标为示例' if parsed.sample else ''}；原指标体系留档。")


def _write_json(path: str, data: dict) -> None:
    """Written beside the target and moved into place: the file is whole or absent, never half-written
    (a full disk, or another program reading it as it appears)."""
    part = Path(f"{path}.part")
    part.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(part, path)
