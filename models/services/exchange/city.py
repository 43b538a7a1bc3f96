"""Questions the city answers across the counties whose packages it imported.

Results are recognised across counties (鲁医保发〔2024〕25号 第五条): a practitioner's points of a
natural year add up over every county that recorded a decision (一医一档 across regions).
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from models.db.tables import CreditRecord, Subject
from models.db.tables_exchange import ExchangeAlias, ExchangePackage
from models.services.base import Actor, NotFound, UnitOfWork, query
from models.services.county import current_county
from models.services.exchange import keys
from models.services.subjects import mask_id
from models.validation import id_number as valid_id_number
from models.services.standing import explain


def _names(uow: UnitOfWork) -> dict[str, str]:
    county = current_county(uow)
    return {county.code: county.name, **{p.code: p.name for p in keys.partners.in_uow(uow)}}


@query
def points_across(uow: UnitOfWork, *, actor: Actor, id_number: str, year: int | None = None) -> dict:
    """The practitioner's points of the year from every county, with the decision behind each entry."""
    number = valid_id_number(id_number)
    person = uow.session.scalar(select(Subject).where(Subject.type == "practitioner", Subject.id_number == number))
    if person is None:
        raise NotFound(f"身份证号：没有号码为“{mask_id(number)}”的医保医（药）师")
    as_of = date.today() if year is None or year >= date.today().year else date(year, 12, 31)
    result = explain.in_uow(uow, actor=actor, subject=person.uuid, as_of=as_of)
    own = current_county(uow).code
    records = [e["record"] for e in result["points"]["entries"]]
    origin = dict(uow.session.execute(select(CreditRecord.uuid, CreditRecord.origin_county)
                                      .where(CreditRecord.uuid.in_(records))).all()) if records else {}
    names = _names(uow)
    by_county: dict[str, int] = {}
    entries = []
    for e in result["points"]["entries"]:
        code = origin.get(e["record"]) or own
        by_county[code] = by_county.get(code, 0) + int(e["points"])
        entries.append({**e, "county": code, "county_name": names.get(code, code)})
    holders = {person.origin_county or own} | set(uow.session.scalars(select(ExchangeAlias.county).where(
        ExchangeAlias.table_name == "subjects", ExchangeAlias.local_uuid == person.uuid)))
    return {
        "subject": result["subject"], "as_of": result["as_of"], "year": result["points"]["year"],
        "total": result["points"]["total"], "by_county": [{"county": c, "name": names.get(c, c), "points": p}
                                                        for c, p in sorted(by_county.items())],
        "counties": [{"county": c, "name": names.get(c, c)} for c in sorted(holders)],
        "entries": entries, "measures": result["measures"], "explanations": result["explanations"],
    }


@query
def counties(uow: UnitOfWork) -> list[dict]:
    """Each county the city exchanges with: packages received and sent, rows held per county."""
    held = dict(uow.session.execute(select(Subject.origin_county, func.count()).group_by(Subject.origin_county)).all())
    records = dict(uow.session.execute(select(CreditRecord.origin_county, func.count())
                                       .group_by(CreditRecord.origin_county)).all())
    out = []
    for p in keys.partners.in_uow(uow):
        last_in = uow.session.scalar(select(func.max(ExchangePackage.sequence)).where(
            ExchangePackage.direction == "in", ExchangePackage.kind == "data", ExchangePackage.sender == p.code))
        last_out = uow.session.scalar(select(func.max(ExchangePackage.sequence)).where(
            ExchangePackage.direction == "out", ExchangePackage.kind == "data", ExchangePackage.receiver == p.code))
        acked = uow.session.scalar(select(func.max(ExchangePackage.sequence)).where(
            ExchangePackage.direction == "out", ExchangePackage.kind == "data", ExchangePackage.receiver == p.code,
            ExchangePackage.acknowledged_at.is_not(None)))
        out.append({"county": p.code, "name": p.name, "role": p.role, "fingerprint": p.fingerprint,
                    "received_up_to": last_in or 0, "sent_up_to": last_out or 0, "acknowledged_up_to": acked or 0,
                    "subjects": held.get(p.code, 0), "records": records.get(p.code, 0)})
    return out
