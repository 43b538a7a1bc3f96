"""What the city sends down besides records: a holiday calendar for a year chinesecalendar does not know
(DOMAIN.md §5: the city can send it in a sync package) and policy packs with their versions."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from test_exchange_support import PASSWORD, bureau, introduce, receive

ROOT = Path(__file__).resolve().parents[2]
SCHEDULE_2027 = "类型,开始日期,结束日期,说明\n放假,2027-01-01,2027-01-03,元旦\n上班,2027-01-09,,调休\n"


@pytest.fixture
def pair(tmp_path):
    county = bureau(tmp_path / "a", "370921", "宁阳县")
    city = bureau(tmp_path / "city", "370900", "泰安市")
    introduce(county, city)
    yield county, city
    county.db.dispose()
    city.db.dispose()


def test_the_city_sends_a_2027_holiday_calendar_and_deadlines_stop_being_provisional(pair, tmp_path):
    from models.services import workdays
    from models.services.exchange import export as ex

    county, city = pair
    before = workdays.add_workdays(county.db, start=date(2026, 12, 30), days=3)
    assert before.provisional and before.date == date(2027, 1, 4)  # weekends alone, marked 暂定
    workdays.load_schedule(city.db, actor=city.admin, text=SCHEDULE_2027, source="国务院办公厅通知（2027年）")
    info = ex.export_package(city.db, actor=city.admin, to_dir=str(tmp_path), receiver=county.code,
                             calendar_years=(2027,)).value
    report = receive(county, Path(info.path))
    assert report.counts["calendar_years"] == {"new": 1}
    after = workdays.add_workdays(county.db, start=date(2026, 12, 30), days=3)
    assert not after.provisional and after.date == date(2027, 1, 5)  # 12-31, then 元旦 off: 1-4, 1-5
    years = {y.year: y for y in workdays.years(county.db)}
    assert "370900 第1号数据包" in years[2027].source


def test_policy_packs_are_stored_with_their_version_and_a_changed_same_version_is_a_conflict(pair, tmp_path):
    from models.policy.packs import POLICY_DIR
    from models.services.base import UnitOfWork
    from models.services.exchange import export as ex
    from models.services.exchange.extras import received_packs

    county, city = pair
    pack = json.loads((POLICY_DIR / "packs" / "shandong-2024-25.json").read_text(encoding="utf-8"))
    successor = {**pack, "id": "shandong-2026-successor", "version": "1", "effective_from": "2026-08-10",
                 "effective_to": None, "document_number": "鲁医保发〔2026〕99号（示例）"}
    (tmp_path / "1").mkdir()
    info = ex.export_package(city.db, actor=city.admin, to_dir=str(tmp_path / "1"), receiver=county.code,
                             policy_packs=(successor,)).value
    first = receive(county, Path(info.path))
    assert first.counts["policy_packs"] == {"new": 1}
    with UnitOfWork(county.db) as uow:
        stored = received_packs(uow)
    assert [(p["pack"], p["version"], p["effective_from"]) for p in stored] == [
        ("shandong-2026-successor", "1", date(2026, 8, 10))]
    (tmp_path / "2").mkdir()
    changed = {**successor, "title": successor["title"] + "（改）"}
    again = ex.export_package(city.db, actor=city.admin, to_dir=str(tmp_path / "2"), receiver=county.code,
                              policy_packs=(changed,)).value
    report = receive(county, Path(again.path))
    assert report.counts["policy_packs"] == {"conflicts": 1}
    assert "第1版已安装，但内容不同" in report.conflicts[0]["reason"]


def cli(db, *args, env=None):
    return subprocess.run([sys.executable, "-m", "desktop.cli", "--db", str(db), "--user", "admin", *args],
                          capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "CREDIT_DESK_PASSWORD": PASSWORD, **(env or {})})


def test_command_line_exit_codes_and_one_line_messages(pair, tmp_path):
    county, city = pair
    out = cli(county.path, "sync", "export", "--to", str(tmp_path / "missing"))
    assert out.returncode == 2 and out.stderr.strip() == "错误：导出目录：“%s”不存在或不是文件夹" % (tmp_path / "missing")
    (tmp_path / "o").mkdir()
    done = cli(county.path, "sync", "export", "--to", str(tmp_path / "o"))
    assert done.returncode == 1 and "没有需要发送给 泰安市（370900）的数据" in done.stderr  # empty county
    from test_exchange_support import institution

    institution(county, 1, "宁阳县人民医院")
    done = cli(county.path, "sync", "export", "--to", str(tmp_path / "o"))
    assert done.returncode == 0 and "已导出第1号数据包" in done.stdout
    package = next((tmp_path / "o").glob("*.zip"))
    dry = cli(city.path, "sync", "import", str(package), "--dry-run")
    assert dry.returncode == 0 and "试导入（未写入）" in dry.stdout and "信用主体：新增 1" in dry.stdout
    assert cli(city.path, "sync", "import", str(package)).returncode == 0
    again = cli(city.path, "sync", "import", str(package))
    assert again.returncode == 0 and "重复发送" in again.stdout
    bad = tmp_path / "bad.zip"
    bad.write_bytes(package.read_bytes()[:-10])
    refused = cli(city.path, "sync", "import", str(bad))
    assert refused.returncode == 1 and refused.stderr.count("\n") <= 2 and "数据包已损坏" in refused.stderr
    receipt = cli(city.path, "sync", "receipt", "--for", "370921", "--to", str(tmp_path / "o"))
    assert receipt.returncode == 0
    taken = cli(county.path, "sync", "import", str(next((tmp_path / "o").glob("creditdesk-receipt-*.zip"))))
    assert taken.returncode == 0 and "确认收到本局第1号数据包" in taken.stdout
    status = cli(county.path, "sync", "status", "--json")
    assert json.loads(status.stdout)["pending"] == {}
    # A lost file is saved again byte for byte, under the same number.
    sent = [r for r in json.loads(cli(county.path, "sync", "history", "--json").stdout) if r["direction"] == "out"]
    (tmp_path / "again").mkdir()
    resent = cli(county.path, "sync", "resend", sent[0]["uuid"], "--to", str(tmp_path / "again"))
    assert resent.returncode == 0
    assert (tmp_path / "again" / package.name).read_bytes() == package.read_bytes()


def test_received_policy_packs_are_listed_in_the_exchange_status(pair, tmp_path):
    from models.policy.packs import POLICY_DIR
    from models.services.exchange import export as ex, history

    county, city = pair
    pack = json.loads((POLICY_DIR / "packs" / "huaian-2020-104.json").read_text(encoding="utf-8"))
    info = ex.export_package(city.db, actor=city.admin, to_dir=str(tmp_path), receiver=county.code,
                             policy_packs=({**pack, "version": "2"},)).value
    receive(county, Path(info.path))
    assert [(p["pack"], p["version"]) for p in history.status(county.db).policy_packs] == [("huaian-2020-104", "2")]
    shown = cli(county.path, "sync", "status")
    assert "收到的政策包：huaian-2020-104 第2版" in shown.stdout


def test_a_successor_pack_from_the_city_puts_decisions_after_2026_08_09_under_a_rule_again(pair, tmp_path):
    """DOMAIN.md §3.3: after 鲁医保发〔2024〕25号 expires (第十五条) no Shandong rule is in force until a
    successor pack is loaded; once the city sends one, decisions in its period are evaluated under it."""
    from stdnum.cn import ric

    from models.policy.packs import POLICY_DIR
    from models.services import records, standing, subjects
    from models.services.exchange import export as ex
    from test_exchange_support import clerk

    county, city = pair
    person = "37092119800101001" + ric.calc_check_digit("370921198001010010")
    subjects.add_subject(county.db, actor=clerk(county), data={"type": "insured", "name": "王五", "id_number": person,
                                                               "insurance_type": "居民"})
    records.add_record(county.db, actor=clerk(county), data={
        "subject": person, "kind": "insured_illegal_use", "decision_date": "2026-09-01", "amount": "150000.00",
        "case_no": "宁医保罚〔2026〕31号"})
    before = standing.explain(county.db, actor=county.admin, subject=person, as_of=date(2026, 9, 30))
    assert before["rule_status"]["status"] == "no_rule_in_force"

    pack = json.loads((POLICY_DIR / "packs" / "shandong-2024-25.json").read_text(encoding="utf-8"))
    successor = {**pack, "id": "shandong-2026-successor", "version": "1", "effective_from": "2026-08-10",
                 "effective_to": None, "document_number": "鲁医保发〔2026〕99号（示例）",
                 "successor_of": "shandong-2024-25"}
    info = ex.export_package(city.db, actor=city.admin, to_dir=str(tmp_path), receiver=county.code,
                             policy_packs=(successor,)).value
    receive(county, Path(info.path))

    after = standing.explain(county.db, actor=county.admin, subject=person, as_of=date(2026, 9, 30))
    assert after["rule_status"]["status"] == "in_force"
    [suspend] = [m for m in after["measures"] if m["kind"] == "suspend_network_settlement"]
    assert "鲁医保发〔2026〕99号" in suspend["basis"]
    assert suspend["allowed_range"]["lower"] == ["6", "以上"]  # 10万元以上、不满20万元 → 6个月以上、不满9个月
