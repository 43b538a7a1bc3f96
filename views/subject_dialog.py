"""新增信用主体: a practitioner, an insured person or an institution, with the fields of its type.

The fields are those of ``subject add`` (README: Input fields); the service checks them and its
refusal appears under the field it names. Enter moves to the next field like Tab; 保存 is Alt+S
or Ctrl+Enter; Esc cancels.
"""
from __future__ import annotations

import re

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox, QDialogButtonBox, QFormLayout, QGroupBox, QHBoxLayout, QLineEdit, QPushButton, QVBoxLayout,
    QWidget,
)

from models.services import subjects
from models.services.base import Actor
from models.services.subjects import INSTITUTION_KINDS, INSURANCE_TYPES, PROFESSIONS, TYPE_NAMES
from views.forms import FormErrors, ServiceDialog, error_label
from views.subject_picker import SubjectPicker

_SEPARATORS = re.compile(r"[\s,，、;；]+")


def codes_of(text: str) -> list[str]:
    """Credit codes typed one after another, separated by spaces, commas or 、."""
    return [code for code in _SEPARATORS.split(text.strip()) if code]


class SubjectDialog(ServiceDialog):
    """``saved(SubjectInfo)`` once the subject is registered."""

    def __init__(self, runner, actor: Actor, parent: QWidget | None = None):
        super().__init__(runner, actor, parent)
        self.setWindowTitle("新增信用主体")
        self.setMinimumWidth(560)
        self.errors = FormErrors(error_label())

        self.type = QComboBox()
        for code, name in TYPE_NAMES.items():
            self.type.addItem(name, code)
        self.name = QLineEdit()
        self.township = QLineEdit()
        self.phone = QLineEdit()
        self.address = QLineEdit()
        common = QGroupBox("基本信息")
        self.common_form = QFormLayout(common)
        self.errors.add_row(self.common_form, "主体类型(&Y)：", self.type, "主体类型")
        self.errors.add_row(self.common_form, "姓名(&N)：", self.name, "姓名")
        self.errors._fields["名称"] = self.errors._fields["姓名"]  # the service says 名称 for institutions

        self.id_number = QLineEdit(placeholderText="18位，最后一位可为X")
        self.other_id = QLineEdit()
        self.person = QGroupBox("人员信息")
        form = QFormLayout(self.person)
        self.errors.add_row(form, "身份证号(&I)：", self.id_number, "身份证号")
        self.errors.add_row(form, "其他证件号码(&Z)：", self.other_id, "其他证件号码")

        self.insurance_type = QComboBox()
        self.insurance_type.addItems(INSURANCE_TYPES)
        self.insured = QGroupBox("参保信息")
        self.errors.add_row(QFormLayout(self.insured), "参保类型(&B)：", self.insurance_type, "参保类型")

        self.profession = QComboBox()
        self.profession.addItems(PROFESSIONS)
        self.practice_reg_no = QLineEdit()
        self.institutions = QLineEdit(placeholderText="统一社会信用代码，多个用空格或顿号分开")
        self.institution_search = SubjectPicker(runner, actor, type="institution",
                                                placeholder="输入机构名称或拼音首字母，从列表中选择后加入上一栏")
        self.institution_search.picked.connect(self._institution_picked)
        self.practitioner = QGroupBox("执业信息（登记备案）")
        form = QFormLayout(self.practitioner)
        self.errors.add_row(form, "人员类别(&P)：", self.profession, "人员类别")
        self.errors.add_row(form, "执业注册号(&R)：", self.practice_reg_no, "执业注册号")
        self.errors.add_row(form, "执业机构(&J)：", self.institutions, "执业机构")
        self.errors.add_row(form, "查找机构(&F)：", self.institution_search, "查找机构")

        self.credit_code = QLineEdit(placeholderText="18位")
        self.insurance_code = QLineEdit()
        self.institution_kind = QComboBox()
        for code, name in INSTITUTION_KINDS.items():
            self.institution_kind.addItem(name, code)
        self.institution = QGroupBox("机构信息")
        form = QFormLayout(self.institution)
        self.errors.add_row(form, "统一社会信用代码(&C)：", self.credit_code, "统一社会信用代码")
        self.errors.add_row(form, "医保机构编码(&O)：", self.insurance_code, "医保机构编码")
        self.errors.add_row(form, "机构类别(&K)：", self.institution_kind, "机构类别")

        contact = QGroupBox("联系信息")
        form = QFormLayout(contact)
        self.errors.add_row(form, "乡镇（街道）(&T)：", self.township, "乡镇（街道）")
        self.errors.add_row(form, "联系电话(&H)：", self.phone, "联系电话")
        self.errors.add_row(form, "地址(&D)：", self.address, "地址")

        self.buttons = QDialogButtonBox()
        self.save = QPushButton("保存(&S)", clicked=self.submit)
        self.cancel = QPushButton("取消", clicked=self.reject)
        for button in (self.save, self.cancel):
            button.setAutoDefault(False)  # Enter moves between fields; it does not save half a form
        self.buttons.addButton(self.save, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.cancel, QDialogButtonBox.ButtonRole.RejectRole)
        QShortcut(QKeySequence("Ctrl+Return"), self, activated=self.submit)

        layout = QVBoxLayout(self)
        for box in (common, self.person, self.insured, self.practitioner, self.institution, contact):
            layout.addWidget(box)
        layout.addWidget(self.errors.area)
        row = QHBoxLayout()
        row.addWidget(self.buttons)
        layout.addLayout(row)
        self.errors.align_labels()
        for line in (self.name, self.id_number, self.other_id, self.practice_reg_no, self.institutions,
                     self.credit_code, self.insurance_code, self.township, self.phone):
            line.returnPressed.connect(self.focusNextChild)
        self.address.returnPressed.connect(self.submit)  # the last field: Enter saves
        chain = (self.type, self.name, self.id_number, self.other_id, self.insurance_type, self.profession,
                 self.practice_reg_no, self.institutions, self.institution_search, self.credit_code,
                 self.insurance_code, self.institution_kind, self.township, self.phone, self.address, self.save,
                 self.cancel)
        for first, second in zip(chain, chain[1:]):
            QWidget.setTabOrder(first, second)  # the order of the form, not of construction
        self.type.currentIndexChanged.connect(self._type_changed)
        self._type_changed()

    def kind(self) -> str:
        return self.type.currentData()

    def set_type(self, kind: str) -> None:
        self.type.setCurrentIndex(self.type.findData(kind))

    def _type_changed(self) -> None:
        kind = self.kind()
        self.person.setVisible(kind != "institution")
        self.insured.setVisible(kind == "insured")
        self.practitioner.setVisible(kind == "practitioner")
        self.institution.setVisible(kind == "institution")
        self.common_form.labelForField(self.name).setText("名称(&N)：" if kind == "institution" else "姓名(&N)：")
        self.errors.clear()
        self.adjustSize()

    def _institution_picked(self, row) -> None:
        if row is None or not row.number:
            return
        codes = codes_of(self.institutions.text())
        if row.number not in codes:
            codes.append(row.number)
        self.institutions.setText("、".join(codes))
        self.institution_search.clear_choice()

    def data(self) -> dict:
        kind = self.kind()
        data = {"type": kind, "name": self.name.text(), "township": self.township.text(),
                "phone": self.phone.text(), "address": self.address.text()}
        if kind == "institution":
            data |= {"credit_code": self.credit_code.text(), "insurance_code": self.insurance_code.text(),
                     "institution_kind": self.institution_kind.currentData()}
        else:
            data |= {"id_number": self.id_number.text(), "other_id": self.other_id.text()}
        if kind == "insured":
            data["insurance_type"] = self.insurance_type.currentText()
        if kind == "practitioner":
            data |= {"profession": self.profession.currentText(), "practice_reg_no": self.practice_reg_no.text(),
                     "institutions": codes_of(self.institutions.text())}
        return data

    def submit(self) -> None:
        if not self.save.isEnabled():
            return
        self.errors.clear()
        self.run_service(subjects.add_subject, data=self.data())
