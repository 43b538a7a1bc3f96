"""信用提醒 from a credit warning (淮医保发〔2020〕104号 三（五）): drafted with the existing notice service, laid out as
the other notices, stating the warning's cause, level and basis and that it is no decision."""
from __future__ import annotations

import shutil
import subprocess

import pytest

from models.services import notices, warnings
from models.services.base import ServiceError
from reports.issuing import preview
from test_warnings import doctor, hospital, points, refreshed  # noqa: F401  (hospital: a fixture)


def _text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "reminder.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed")
def test_a_credit_reminder_states_the_warning_its_basis_and_that_it_is_no_decision(db, clerk, hospital, tmp_path):
    doc = doctor(db, clerk)
    points(db, clerk, doc, "pq_agreement_serious", "主要", 1)  # 6 points of 9
    refreshed(db, [doc.uuid])
    (w,) = [w for w in warnings.list_warnings(db, subject=doc.uuid) if w.rule == "points_near_suspension"]
    info = notices.draft(db, actor=clerk, type="credit_warning", warning=w.uuid).value
    assert (info.type_name, info.subject) == ("信用提醒", "医师1")
    with pytest.raises(ServiceError, match="未印发的草稿"):
        notices.draft(db, actor=clerk, type="credit_warning", warning=w.uuid)
    pdf = preview(db, notice=info.uuid)
    text = "".join(_text(pdf, tmp_path).split())
    assert "信用提醒" in text and "宁阳县医疗保障局" in text
    assert "累计记分6分" in text and "关注级预警" in text and "还差3分" in text
    assert "淮医保发〔2020〕104号三（五）" in text
    assert "本提醒不是处理决定" in text
    assert w.uuid not in text and "points_near_suspension" not in text and "clerk" not in text


def test_no_reminder_is_drafted_for_a_warning_whose_cause_is_gone(db, clerk, hospital):
    doc = doctor(db, clerk)
    points(db, clerk, doc, "pq_agreement_serious", "主要", 1)
    refreshed(db, [doc.uuid])
    (w,) = [w for w in warnings.list_warnings(db, subject=doc.uuid) if w.rule == "points_near_suspension"]
    points(db, clerk, doc, "pq_agreement_minor", "主要", 2)  # 9 points: suspended, the warning closes
    refreshed(db, [doc.uuid])
    with pytest.raises(ServiceError, match="已于.*解除"):
        notices.draft(db, actor=clerk, type="credit_warning", warning=w.uuid)
