"""Shared builders for the policy-engine tests (no DB, no Qt)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import lru_cache

from models.policy import RecordFact, SubjectFacts, load_profile


@lru_cache(maxsize=None)
def profile(name: str = "shandong"):
    return load_profile(name)


DOCTOR = SubjectFacts("p-1", "practitioner", "王医生", id_number="370921198001010012")
INSURED = SubjectFacts("i-1", "insured", "张参保", id_number="370921199003074514")
INSTITUTION = SubjectFacts("o-1", "institution", "宁阳县某诊所", credit_code="91370921MA3C00000X")


def rec(uuid: str, kind: str, day: date, **kw) -> RecordFact:
    if "amount" in kw and kw["amount"] is not None:
        kw["amount"] = Decimal(kw["amount"])
    return RecordFact(uuid, kind, day, **kw)
