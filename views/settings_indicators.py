"""评价指标: the 1000-point indicator tree in force, with weights and the effect of each record kind.

The bureau sets its own indicators (磐医保〔2021〕43号 第十三条 “评价指标另行制定”); until it loads
them the shipped sample applies and is marked 示例 everywhere. Editing is: export the JSON, change
it, load it back with a reason (admin); every set loaded stays on record.
"""
from __future__ import annotations

from decimal import Decimal

from PySide6.QtWidgets import (
    QComboBox, QLabel, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget,
)

from models.services import county, evaluation, indicators
from models.services.base import Actor
from models.services.subjects import TYPE_NAMES
from views.settings_common import LazyTab, read_text

SAMPLE_STYLE = "background: #fff4e0; border: 1px solid #e0a040; padding: 6px;"
HEADERS = ("指标", "代码", "分值", "计分方式", "信息类别及每条记录的影响")


def load_tree(db, *, kind: str = "practitioner") -> tuple[dict, dict[str, str], list[dict]]:
    """Runs on the worker: the tree of this kind in force (as the JSON the admin edits), record kinds' names, and
    every version of this kind with its dates."""
    prof = evaluation.profile(county.get_county(db).profile)
    tree = indicators.export(db, profile=prof, kind=kind)
    versions = [v for v in indicators.versions(db, profile=prof) if v["kind"] == kind]
    return tree, {k["code"]: k["name"] for k in evaluation.catalogue(db)}, versions


def load_file(db, *, actor: Actor, path: str, reason: str):
    return indicators.load(db, actor=actor, text=read_text(path), reason=reason)


STAFF_NAMES = {"with_points_share": "有记分人员占比", "suspended": "暂停资格人员（每人）", "terminated": "终止资格人员（每人）",
               "without_commitment_share": "未作服务承诺人员占比"}


def effect_text(node: dict, names: dict[str, str]) -> str:
    parts = [f"{names.get(code, code)} {Decimal(str(v)):+}" for code, v in node.get("effects", {}).items()]
    parts += [f"{STAFF_NAMES.get(k, k)} {Decimal(str(v)):+}" for k, v in node.get("staff", {}).items()]
    if node.get("loss"):
        parts.append(f"基金损失每{node['loss']['per']}元 {Decimal(str(node['loss']['effect'])):+}")
    parts += [f"来源{k} {Decimal(str(v)):+}" for k, v in node.get("sources", {}).items()]
    if node.get("objectionable") is False:
        parts.append("不受理异议")
    return "；".join(parts)


def tree_items(nodes: list, names: dict[str, str]) -> list[QTreeWidgetItem]:
    items = []
    for node in nodes:
        leaf = not node.get("children")
        way = {"full": "扣分项（满分起扣）", "zero": "加分项（零分起加）"}.get(node.get("start"), "") if leaf else ""
        item = QTreeWidgetItem([node["name"], node["code"], str(node["weight"]), way,
                                effect_text(node, names) if leaf else ""])
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
        self.kind = QComboBox()
        for code, name in indicators.TREE_NAMES.items():
            self.kind.addItem(name, code)
        self.kind.currentIndexChanged.connect(lambda _i: self.load())
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(HEADERS)
        self.tree.setAlternatingRowColors(True)
        buttons = self.json_buttons("指标体系", "county.manage")
        buttons.insertWidget(0, QLabel("主体类别(&K)：", buddy=self.kind))
        buttons.insertWidget(1, self.kind)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(self.summary)
        layout.addWidget(self.tree, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.message)

    def load(self) -> None:
        self.runner.service(load_tree, kind=self.kind.currentData(), on_done=self._show, on_error=self.refused)

    def _show(self, loaded) -> None:
        self.tree_data, names, versions = loaded
        data = self.tree_data
        sample = bool(data.get("sample"))
        self.banner.setVisible(sample)
        self.banner.setStyleSheet(SAMPLE_STYLE)
        self.banner.setText(f"<b>示例</b>：{data.get('note') or '评价指标由本局另行制定（磐医保〔2021〕43号 第十三条）'}。"
                            "在本局载入自己制定的指标体系之前，按本示例计算的信用分和等级仅供参考。")
        history = "；".join(f"第{v['version']}版（" + (f"{v['effective_from']}起施行" if v["effective_from"] else "施行日期不限")
                            + ("，示例）" if v["sample"] else "）") for v in versions)
        self.summary.setText(f"指标体系“{data.get('title') or data['id']}”（{data['id']}，第{data.get('version', '1')}版）：满分 "
                             f"{data.get('scale', 1000)} 分，适用于"
                             f"{'、'.join(TYPE_NAMES.get(t, t) for t in data.get('subject_types', []))}；{data.get('window_note', '')}"
                             f"{data.get('weight_note', '')} 各版本：{history}。新版本自其施行日期起适用，此前的评价结果不变。")
        self.tree.clear()
        self.tree.addTopLevelItems(tree_items(data["indicators"], names))
        self.tree.expandAll()
        for column, width in enumerate((230, 60, 50, 130)):
            self.tree.setColumnWidth(column, width)

    def export(self) -> None:
        if self.tree_data is not None:
            self.export_json("导出指标体系", f"指标体系-{self.tree_data['id']}.json", self.tree_data)

    def load_set(self) -> None:
        self.load_json("载入指标体系", "变更原因（如：本局2027年信用评价指标，局务会审定）：", load_file, self._loaded)

    def _loaded(self, result) -> None:
        parsed = result.value
        self.load()
        self.recompute_standings(f"已载入指标体系“{parsed.title or parsed.id}”第{parsed.version}版（{len(parsed.leaves())}个"
                                 f"三级指标），自{parsed.effective_from}起施行{'，仍标为示例' if parsed.sample else ''}；"
                                 "此前的评价结果不变，原版本留档。")

