"""Points reach a file by one path: a finding entered by a clerk and confirmed by a reviewer, which notifies
every institution where the person is registered (济医保发〔2025〕6号 四（五）（六）). Tests that need points
in a file take that path too."""
from __future__ import annotations

from types import SimpleNamespace

PASSWORD = "abc12345"


def reviewer_of(db):
    """The test's reviewer when it has one, else a second person made for confirming."""
    from models.services import users
    from models.services.base import ServiceError

    for name in ("reviewer", "confirmer"):
        try:
            return users.authenticate(db, username=name, password=PASSWORD)
        except ServiceError:
            pass
    admin = users.authenticate(db, username="admin", password=PASSWORD)
    users.add_user(db, actor=admin, username="confirmer", display_name="审核员乙", password=PASSWORD, roles="审核员")
    return users.authenticate(db, username="confirmer", password=PASSWORD)


def confirmed_points(db, clerk, person: str, kind: str, day, responsibility: str, case_no: str,
                     decision_type: str = "协议处理", institution: str | None = None, reviewer=None):
    """A confirmed finding against the person's (first) institution; returns the person's record (``.uuid``)."""
    from sqlalchemy import select

    from models.db.tables import Registration, Subject
    from models.services import findings

    with db.session() as s:
        who = s.scalar(select(Subject).where((Subject.id_number == person) | (Subject.uuid == person),
                                             Subject.type == "practitioner"))
        if institution is None:
            reg = s.scalar(select(Registration).where(Registration.practitioner_id == who.id).order_by(Registration.id))
            institution = reg.institution.credit_code
        uuid = who.uuid
    found = findings.enter_finding(db, actor=clerk, data={
        "institution": institution, "case_no": case_no, "decision_type": decision_type, "decision_date": str(day),
        "article": "服务协议第二十条"}, persons=[{"person": uuid, "name": "", "responsibility": responsibility,
                                            "kind": kind}]).value
    done = findings.confirm_finding(db, actor=reviewer or reviewer_of(db), finding=found.uuid).value
    (p,) = [p for p in done.persons if p.practitioner == uuid]
    return SimpleNamespace(uuid=p.record, case_no=case_no, finding=done.uuid)
