"""Time processing is idempotent and monotone: a catch-up over N days leaves exactly the state of N daily runs."""
from __future__ import annotations

import random
import shutil
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from models.db.database import open_database
from models.db.tables import Registration, RegistrationStatus, Subject, SubjectStanding
from models.db.tables_casework import MeasureRow
from models.services import measures, subjects, tick
from points_path import confirmed_points, reviewer_of
from test_credit_file import inst_code, person_id

TODAY = date.today()
DAYS = 75
KINDS = [("pq_admin_penalty", "行政处罚"), ("pq_agreement_serious", "协议处理"), ("pq_agreement_minor", "协议处理"),
         ("pq_fraud", "行政处罚")]


def _county(db, clerk, rnd: random.Random) -> None:
    """A few practitioners with random findings of the last weeks and random periods chosen for suspensions."""
    reviewer = reviewer_of(db)
    for n in (1, 2):
        subjects.add_subject(db, actor=clerk, data={"type": "institution", "name": f"医院{n}", "credit_code": inst_code(n)})
    case = 0
    for p in range(1, 5):
        doc = subjects.add_subject(db, actor=clerk, data={
            "type": "practitioner", "name": f"医师{p}", "id_number": person_id(p),
            "institutions": [inst_code(1)] + ([inst_code(2)] if p % 2 else []), "registered_on": "2025-06-01"}).value
        for _ in range(rnd.randint(1, 3)):
            case += 1
            kind, decision = rnd.choice(KINDS)
            day = TODAY - timedelta(days=rnd.randint(0, 60))
            rec = confirmed_points(db, clerk, doc.uuid, kind, day, rnd.choice(["一般", "重要", "主要"]),
                                   f"宁医保罚〔{day.year}〕{case}号", decision_type=decision, reviewer=reviewer)
            try:
                measures.choose_measure(db, actor=reviewer, record=rec.uuid, months=rnd.randint(1, 3),
                                        reason="依情节选择", start=day)
            except Exception:  # noqa: BLE001 - most records call for no choice: the refusal is the expected answer
                pass


def _state(path) -> dict:
    db = open_database(str(path))
    with db.session() as s:
        out = {
            "measures": s.execute(select(Subject.uuid, MeasureRow.kind, MeasureRow.state, MeasureRow.start,
                                         MeasureRow.planned_end, MeasureRow.ended_on)
                                  .join(Subject, Subject.id == MeasureRow.subject_id).order_by(MeasureRow.id)).all(),
            "registrations": s.execute(select(Registration.uuid, RegistrationStatus.status, RegistrationStatus.effective_on)
                                       .join(Registration, Registration.id == RegistrationStatus.registration_id)
                                       .order_by(Registration.id, RegistrationStatus.effective_on,
                                                 RegistrationStatus.status)).all(),
            "current": s.execute(select(Registration.uuid, Registration.status).order_by(Registration.id)).all(),
            "standing": s.execute(select(Subject.uuid, SubjectStanding.result_hash, SubjectStanding.valid_until)
                                  .join(Subject, Subject.id == SubjectStanding.subject_id).order_by(Subject.id)).all(),
        }
    db.dispose()
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_catch_up_over_n_days_equals_n_daily_runs_and_a_repeat_changes_nothing(db, admin, clerk, tmp_path, seed):
    _county(db, clerk, random.Random(seed))
    source = db.url.removeprefix("sqlite:///")
    db.dispose()
    daily, once = tmp_path / "daily.sqlite3", tmp_path / "once.sqlite3"
    shutil.copy(source, daily)
    shutil.copy(source, once)
    end = TODAY + timedelta(days=DAYS)
    d = open_database(str(daily))
    for n in range(1, DAYS + 1):
        tick.tick(d, actor=admin, today=TODAY + timedelta(days=n))
    d.dispose()
    o = open_database(str(once))
    tick.tick(o, actor=admin, today=end)
    o.dispose()
    caught_up = _state(once)
    assert _state(daily) == caught_up
    assert any(m.state != "生效" for m in caught_up["measures"]) or not caught_up["measures"]
    o = open_database(str(once))
    tick.tick(o, actor=admin, today=end)  # the same day again
    tick.tick(o, actor=admin, today=TODAY)  # an earlier day: never undoes what a later one did
    o.dispose()
    again = _state(once)
    assert (again["measures"], again["registrations"], again["current"]) == (
        caught_up["measures"], caught_up["registrations"], caught_up["current"])
