"""A repair's decision deadline is 暂定 only when its own date falls in a year without a holiday schedule."""
from datetime import date

from models.db.database import open_database
from models.services import county, records, repairs, subjects, users
from test_credit_file import inst_code, person_id

PASSWORD = "abc12345"


def test_only_the_extended_deadline_reaching_2027_is_provisional(tmp_path):
    """磐医保〔2021〕43号 第二十四条: 10 working days, extendable; 2027 has no official schedule loaded yet."""
    db = open_database(str(tmp_path / "panan.sqlite3"))
    admin = county.initialise(db, code="330727", name="磐安县", profile="panan", admin_username="admin",
                              admin_password=PASSWORD).value[1]
    for name, roles in (("clerk", "录入员"), ("reviewer", "审核员")):
        users.add_user(db, actor=admin, username=name, display_name=name, password=PASSWORD, roles=roles)
    clerk = users.authenticate(db, username="clerk", password=PASSWORD)
    reviewer = users.authenticate(db, username="reviewer", password=PASSWORD)
    subjects.add_subject(db, actor=clerk, data={"type": "institution", "name": "磐安县人民医院",
                                                "credit_code": inst_code(1)})
    subjects.add_subject(db, actor=clerk, data={"type": "practitioner", "name": "陈医生", "id_number": person_id(3),
                                                "institutions": [inst_code(1)]})
    bad = records.add_record(db, actor=clerk, data={"subject": person_id(3), "kind": "kickback",
                                                    "decision_date": "2026-01-05", "case_no": "磐医保处〔2026〕1号"}).value
    app = repairs.apply(db, actor=clerk, record=bad.uuid, applied_on="2026-11-20", materials="整改报告",
                        commitment="承诺不再发生同类失信行为").value
    assert app.decision_deadline == date(2026, 12, 4)
    assert app.provisional is False
    extended = repairs.extend(db, actor=reviewer, repair=app.uuid, reason="情况复杂，需向卫健部门核实").value
    assert extended.extended_to.year == 2027 and extended.provisional is True
    db.dispose()
