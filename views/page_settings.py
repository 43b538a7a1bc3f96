"""系统设置: users and roles, the county and its policy profile, the indicator tree, the holiday
calendar, backups. What only the 管理员 may change is greyed out for others, with the role named."""
from __future__ import annotations

from PySide6.QtWidgets import QFrame, QScrollArea, QTabWidget, QVBoxLayout, QWidget

from models.services.base import Actor
from views.case_common import section_header
from views.settings_backup import BackupTab
from views.settings_calendar import CalendarTab
from views.settings_county import CountyTab
from views.settings_documents import DocumentsTab
from views.settings_indicators import IndicatorsTab
from views.settings_limits import LimitsTab
from views.settings_remembered import choice, set_choice
from views.settings_users import UsersTab
from views.settings_warnings import WarningRulesTab
from views.sections import PURPOSES

SECTION = "系统设置"
PURPOSE = PURPOSES[SECTION]
KEY = "pages/settings/tab"


def scrolled(tab: QWidget) -> QScrollArea:
    """A tab that scrolls rather than make the window taller than a 1024×700 screen at 125 % scaling."""
    area = QScrollArea(widgetResizable=True, frameShape=QFrame.Shape.NoFrame)
    area.setWidget(tab)
    return area


class SettingsPage(QWidget):
    def __init__(self, runner, actor: Actor, parent: QWidget | None = None):
        super().__init__(parent)
        self.title, self.purpose = section_header(SECTION, PURPOSE)
        self.users = UsersTab(runner, actor)
        self.county = CountyTab(runner, actor)
        self.indicators = IndicatorsTab(runner, actor)
        self.calendar = CalendarTab(runner, actor)
        self.documents = DocumentsTab(runner, actor)
        self.backup = BackupTab(runner, actor)
        self.warning_rules = WarningRulesTab(runner, actor)
        self.limits = LimitsTab(runner, actor)
        self.tabs = QTabWidget()
        for tab, title in ((self.users, "用户(&U)"), (self.county, "本局信息(&C)"), (self.indicators, "评价指标(&I)"),
                           (self.calendar, "节假日安排(&H)"), (self.documents, "文书与签章(&D)"),
                           (self.backup, "数据备份(&B)"), (self.warning_rules, "信用预警规则(&W)"),
                           (self.limits, "办理时限(&T)")):
            self.tabs.addTab(scrolled(tab), title)
        self.tabs.setCurrentIndex(int(choice(KEY, "0") or 0))
        self.tabs.currentChanged.connect(lambda n: set_choice(KEY, str(n)))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 8)
        layout.addWidget(self.title)
        layout.addWidget(self.purpose)
        layout.addWidget(self.tabs, 1)


def make_page(runner, actor: Actor) -> QWidget:
    return SettingsPage(runner, actor)
