"""Demo data: a plausible county, loaded into an empty database in one transaction.

The same seed, scale, county and ``today`` give the same names, numbers, dates and UUIDs
(only ``created_at``/``updated_at`` differ). UUIDs come
from a second generator (seeded with county and seed) so that names never depend on how many
UUIDs were drawn. Names use Faker's zh_CN lists drawn with our generator: ``Faker.name()``
costs ~33 µs a call and knows single given names only (few distinct names in 200,000).

Rows go in with SQLAlchemy Core in chunks (ECOSYSTEM.md: ~7× faster than ``add_all``). Core
would call the Python-side defaults per row; every value is given here instead (UUIDs from
the seed, one timestamp, primary keys so rows can refer to each other before insertion), and
every dict carries every column because an executemany takes its columns from the first row.
"""
from __future__ import annotations

import random
import time
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from itertools import accumulate, islice
from typing import Callable, Iterable, Iterator, NamedTuple

from faker.providers.person.zh_CN import Provider as ChineseNames
from sqlalchemy import func, insert, select
from stdnum.cn import ric, uscc

from models.db.database import Database
from models.db.tables import County, CreditRecord, Registration, RegistrationStatus, ServiceCommitment, Subject
from models.pinyin import reversed_number, sort_key_of
from models.policy import PolicyError, catalogue, load_profile
from models.services import standing, warnings
from models.services.base import Actor, ServiceError, UnitOfWork, require
from models.services.records import current_county
from models.services.subjects import initials_of
from models.validation import PROVINCES

Progress = Callable[[int, int, str], object]
TABLES = (Subject, Registration, RegistrationStatus, ServiceCommitment, CreditRecord)
CHUNK = 5000
FIRST_DAY = date(2022, 1, 1)


@dataclass(frozen=True)
class Scale:
    hospitals: int  # public ones first, then private; at most 8
    health_centres: int  # 乡镇卫生院 / 社区卫生服务中心, one per township
    clinics: int
    pharmacies: int
    practitioners: int
    insured: int
    cases_per_year: int  # agreement handlings and penalties of institutions
    insured_cases_per_year: int
    rare: int  # how many of each: criminal_fraud, refuse_penalty, kickback, insured_criminal_fraud


SCALES = {"small": Scale(2, 2, 1, 3, 60, 500, 3, 5, 1), "default": Scale(6, 12, 10, 32, 3000, 200_000, 14, 50, 4)}


@dataclass(frozen=True)
class DemoSummary:
    scale: str
    seed: int
    institutions: int
    practitioners: int
    insured: int
    registrations: int
    registration_status: int
    service_commitments: int
    credit_records: int
    seconds: float


class Cancelled(ServiceError):
    """The user stopped the load; nothing was written."""


# Fictional but typical townships; the county seat comes first.
TOWNS = ("城关街道", "东城街道", "柳桥镇", "石集镇", "王庄镇", "白马镇", "河口镇", "新店镇", "马家集镇", "清泉镇", "龙山乡", "杏林乡")
ROADS = ("人民路", "建设路", "文化路", "解放路", "青年路", "府前街", "东环路", "西环路", "胜利街", "光明路")
BRANDS = ("百姓", "康泰", "仁和", "益康", "惠民", "济世", "福康", "众康", "同济", "德仁",
          "天和", "安康", "华康", "永安", "广济", "民生", "春晖", "颐和", "泰和", "瑞康")
SHOP_NAMES = {
    "clinic": ("{county}{town}{surname}氏中医诊所", "{short}{brand}口腔诊所", "{county}{town}{brand}诊所"),
    "pharmacy": ("{short}{brand}大药房", "{county}{brand}大药房{town}店", "{brand}医药连锁有限公司{short}{town}店"),
}
VILLAGE_ENDINGS = ("庄", "集", "楼", "屯", "店", "家洼", "官庄", "家村")
PUBLIC_HOSPITALS = ("第一人民医院", "中医医院", "第二人民医院", "妇幼保健院")
HOSPITAL_WEIGHTS = (40, 25, 18, 12, 5, 4, 3, 3)  # share of staff by hospital rank
CENTRE_WEIGHT = 6
HOSPITAL_STAFF = {"医师": 45, "护士": 35, "药师": 6, "技师": 10, "结算审核": 4}
PRACTICE_PREFIX = {"医师": "110", "护士": "201", "药师": "305", "技师": "410"}  # shaped like certificates, no real rule
INSURANCE_MIX = {"居民": 72, "职工": 25, "生育": 3}
PROVINCE_ABBR = dict(zip(sorted(PROVINCES), "京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川黔滇藏陕甘青宁新台港澳"))

_SURNAMES = list(ChineseNames.last_names)
_SURNAME_CUM = list(accumulate(ChineseNames.last_names.values()))
_GIVEN = {True: ChineseNames.first_names_male, False: ChineseNames.first_names_female}
_SINGLE = {male: [g for g in names if len(g) == 1] for male, names in _GIVEN.items()}

# kind → (decision type, case-number series, usual sources, note). A series is a register:
# 医保罚/医保协 the bureau's penalties and agreement handlings, 政字 the county government,
# "court" criminal judgments. Good information has no decision type.
KINDS = {
    "inst_agreement_handling": ("协议处理", "医保协", ("supervision", "audit", "smart_audit"), ""),
    "inst_admin_penalty": ("行政处罚", "医保罚", ("supervision", "audit"), ""),
    "criminal_fraud": ("刑事", "court", ("credit_platform", "gov_data"), "因欺诈骗取医保基金被判处刑罚"),
    "refuse_penalty": ("行政处罚", "医保罚", ("business",), "拒不履行医疗保障行政处罚决定，经催告仍未履行"),
    "kickback": ("行政处罚", "医保罚", ("media", "credit_platform"), "在医药购销中收受回扣"),
    "insured_illegal_use": ("行政处罚", "医保罚", ("smart_audit", "audit", "supervision", "business"), ""),
    "insured_criminal_fraud": ("刑事", "court", ("credit_platform", "gov_data"), "因欺诈骗取医保基金被依法追究刑事责任"),
    "commendation": (None, "政字", ("gov_data",), "获县人民政府表彰"),
    "verified_report": (None, "医保字", ("supervision",), "举报欺诈骗保线索，经县医疗保障局查实"),
    "credit_commitment": (None, None, ("self_report",), "签署信用承诺书"),
    "outstanding_practitioner": (None, "医保字", ("business",), "评为医保好医师（好药师）"),
}
# Responsible persons' kinds → the institution handling they follow from (济 四(五)), with weights.
PQ_CASES = {"pq_agreement_minor": "inst_agreement_handling", "pq_agreement_serious": "inst_agreement_handling",
            "pq_admin_penalty": "inst_admin_penalty", "pq_fraud": "inst_admin_penalty"}
PQ_WEIGHTS = (60, 20, 16, 4)
GOOD_SHARE = {"commendation": 0.02, "verified_report": 0.005, "credit_commitment": 0.10, "outstanding_practitioner": 0.015}
# Files that show the points thresholds at work, points as under the default band mapping
# (一般 = low end, 重要 = middle, 主要 = high end). A step is (year offset, kind, responsibility).
SCENARIOS = (
    ("一年内两次协议处理累计9分，暂停", ((0, "pq_agreement_serious", "主要"), (0, "pq_agreement_minor", "主要"))),
    ("一次行政处罚记9分后又记1分，暂停", ((0, "pq_admin_penalty", "主要"), (0, "pq_agreement_minor", "一般"))),
    ("多点执业，一年内累计12分，终止", ((0, "pq_admin_penalty", "重要"), (0, "pq_agreement_serious", "一般"))),
    ("一次欺诈骗保记12分，终止", ((0, "pq_fraud", "主要"),)),
    ("跨年各记6分，1月1日清零，不暂停", ((-1, "pq_agreement_serious", "主要"), (0, "pq_agreement_serious", "主要"))),
)
MULTI_SITE_SCENARIO = 2
# Fund-loss tier edges in fen (鲁医保发〔2024〕25号 第九条, 第十三条), always present once.
LOSS_EDGES = (9_999_999, 10_000_000, 19_999_999, 20_000_000)


class _Case:
    """A decision shared by several records, numbered once all dates are known."""

    def __init__(self, series: str, on: date):
        self.series, self.on, self.number = series, on, ""


class _Staff(NamedTuple):
    pid: int
    inst: dict
    since: date
    profession: str


class _Demo:
    """Builds every table's rows as dicts ready for a Core insert."""

    def __init__(self, county: County, scale: Scale, seed: int, today: date, username: str, first_ids: dict[str, int],
                 points_from: date = FIRST_DAY):
        self.rng, self.uuid_rng = random.Random(seed), random.Random(f"uuid:{county.code}:{seed}")
        self.scale, self.today, self.user, self.now = scale, today, username, datetime.now(timezone.utc)
        self.code, self.county = county.code, county.name
        self.short = county.name[:-1] if len(county.name) > 2 and county.name[-1] in "县区市旗" else county.name
        self.neighbours = [self.code[:4] + s for s in ("02", "11", "23", "82", "83") if self.code[:4] + s != self.code]
        self.next_id = dict(first_ids)
        self.blank = {m.__tablename__: {c.name: None for c in m.__table__.c} for m in TABLES}
        self.taken: set[tuple[str, str]] = set()  # (subject type, number): unique per type
        self.initials: dict[str, str] = {}
        self.sort_keys: dict[str, str] = {}
        self.role: dict[int, str] = {}  # institution id → hospital / centre / clinic / pharmacy
        self.cases: list[_Case] = []
        self.records: list[dict] = []
        # Scenarios fall where the points rules apply: this year once two months of it are under them.
        starts = max(points_from, FIRST_DAY)
        year = today.year if (today - max(date(today.year, 1, 1), starts)).days >= 60 else today.year - 1
        self.scenario_year, self.scenario_from = year, max(date(year, 1, 1), starts) if starts <= today else date(year, 1, 1)

    # --- identities and dates -----------------------------------------------------------
    def row(self, model, row_id: int | None = None, **values) -> dict:
        table = model.__tablename__
        if row_id is None:
            row_id, self.next_id[table] = self.next_id[table], self.next_id[table] + 1
        return {**self.blank[table], "id": row_id, "uuid": str(uuid.UUID(int=self.uuid_rng.getrandbits(128), version=4)),
                "created_at": self.now, "updated_at": self.now, "sync_pending": True, "origin_county": self.code, **values}

    def reserve(self, model, n: int) -> range:
        """Ids for rows made later (the insured stream), so records can name them now."""
        start = self.next_id[model.__tablename__]
        self.next_id[model.__tablename__] += n
        return range(start, start + n)

    def subject(self, type: str, name: str, initials: str | None = None, row_id: int | None = None, **values) -> dict:
        if name not in self.sort_keys:  # explicit columns: the table's computed defaults do not apply
            self.sort_keys[name] = sort_key_of(name)
        return self.row(Subject, row_id, type=type, name=name, initials=initials or self.initials_of(name),
                        sort_key=self.sort_keys[name], id_number_reversed=reversed_number(values.get("id_number")),
                        **values)

    def initials_of(self, *parts: str) -> str:
        """Cached per part: pypinyin costs ~30 µs a call. For every surname + given name these
        lists can form, the parts' initials equal the whole name's (checked exhaustively with
        pypinyin 0.55; tests compare each demo subject with ``initials_of``)."""
        for part in parts:
            if part not in self.initials:
                self.initials[part] = initials_of(part)
        return "".join(self.initials[p] for p in parts)

    def unique(self, type: str, number: str) -> bool:
        if (type, number) in self.taken:
            return False
        self.taken.add((type, number))
        return True

    def person(self, type: str, min_age: int, max_age: int) -> tuple[dict, date]:
        """Name, GB 11643 ID number with the sex digit matching the name, phone; most are local."""
        rng = self.rng
        male = rng.random() < 0.5
        given = rng.choice(_GIVEN[male]) if rng.random() < 0.4 else rng.choice(_SINGLE[male]) + rng.choice(_SINGLE[male])
        surname = self.surname()
        born = self.today - timedelta(days=rng.randint(min_age * 365 + 1, max_age * 365))
        region = self.code if rng.random() < 0.97 else rng.choice(self.neighbours)
        number = ""
        while not number or not self.unique(type, number):
            body = f"{region}{born:%Y%m%d}{rng.randrange(1 if male else 2, 1000, 2):03d}"  # odd for men
            number = body + ric.calc_check_digit(body + "0")
        return {"name": surname + given, "initials": self.initials_of(surname, given), "id_number": number,
                "phone": self.phone() if rng.random() < 0.8 else None}, born

    def surname(self) -> str:
        return self.rng.choices(_SURNAMES, cum_weights=_SURNAME_CUM)[0]

    def phone(self) -> str:
        return f"1{self.rng.choice('3578')}{self.rng.randrange(10**9):09d}"

    def credit_code(self, prefix: str) -> str:
        """GB 32100: registration type, county code, GB 11714 organisation code, check character."""
        code = ""
        while not code or not self.unique("institution", code):
            org = f"{self.rng.randrange(10**8):08d}"
            check = 11 - sum(int(c) * w for c, w in zip(org, (3, 7, 9, 10, 5, 8, 4, 2))) % 11
            body = prefix + self.code + org + {10: "X", 11: "0"}.get(check, str(check))
            code = body + uscc.calc_check_digit(body)
        return code

    def day_in(self, year: int, first: date = FIRST_DAY) -> date:
        start, end = max(date(year, 1, 1), first), min(date(year, 12, 31), self.today)
        return start + timedelta(days=self.rng.randint(0, max((end - start).days, 0)))

    def per_year(self, n: int, year: int) -> int:
        """``n`` for a full year, fewer for the part of this year that has passed."""
        return max(1, round(n * ((min(date(year, 12, 31), self.today) - date(year, 1, 1)).days + 1) / 365))

    # --- subjects -----------------------------------------------------------------------
    def institutions(self) -> list[dict]:
        rng, s, c = self.rng, self.scale, self.county
        private = [self.short + b + "医院" for b in rng.sample(BRANDS, len(HOSPITAL_WEIGHTS) - len(PUBLIC_HOSPITALS))]
        plan = [(name, "hospital", "12" if i < len(PUBLIC_HOSPITALS) else "52", TOWNS[0])
                for i, name in enumerate(([c + h for h in PUBLIC_HOSPITALS] + private)[: s.hospitals])]
        plan += [(c + t + ("社区卫生服务中心" if t.endswith("街道") else "卫生院"), "centre", "12", t)
                 for t in TOWNS[: s.health_centres]]
        names = {p[0] for p in plan}
        for role, count, prefix in (("clinic", s.clinics, "92"), ("pharmacy", s.pharmacies, "91")):
            for _ in range(count):
                name = ""
                while not name or name in names:
                    town = rng.choice(TOWNS)
                    name = rng.choice(SHOP_NAMES[role]).format(county=c, short=self.short, town=town,
                                                               brand=rng.choice(BRANDS), surname=self.surname())
                names.add(name)
                plan.append((name, role, prefix, town))
        rows, serial = [], {"H": 0, "P": 0}
        for name, role, prefix, town in plan:
            letter = "P" if role == "pharmacy" else "H"  # 医保机构编码: H medical, P pharmacy
            serial[letter] += 1
            rows.append(self.subject(
                "institution", name, credit_code=self.credit_code(prefix),
                insurance_code=f"{letter}{self.code}{serial[letter]:05d}",
                institution_kind="clinic" if role == "centre" else role, township=town, phone=self.phone(),
                address=f"{c}{town}{rng.choice(ROADS)}{rng.randint(1, 300)}号"))
            self.role[rows[-1]["id"]] = role
        return rows

    def practitioners(self, institutions: list[dict]) -> tuple[list[dict], list[_Staff]]:
        """People and where each mainly works: pharmacies and clinics first, the rest by size."""
        rng, n, slots = self.rng, self.scale.practitioners, []
        for inst in institutions:
            role = self.role[inst["id"]]
            if role == "pharmacy":
                slots += [(inst, "主要负责人")] + [(inst, "药师")] * rng.randint(0, 2)
            elif role == "clinic":
                slots += [(inst, "医师")] * rng.randint(1, 3)
        big = [i for i in institutions if self.role[i["id"]] in ("hospital", "centre")]
        weights = [HOSPITAL_WEIGHTS[k] if self.role[i["id"]] == "hospital" else CENTRE_WEIGHT for k, i in enumerate(big)]
        for inst in rng.choices(big, weights, k=max(0, n - len(slots))):
            slots.append((inst, rng.choices(list(HOSPITAL_STAFF), list(HOSPITAL_STAFF.values()))[0]))
        people, staff = [], []
        for serial, (inst, profession) in enumerate(slots[:n], 1):
            fields, born = self.person("practitioner", 24, 60)
            prefix = PRACTICE_PREFIX.get(profession)
            people.append(self.subject("practitioner", **fields, profession=profession,
                                       practice_reg_no=f"{prefix}{self.code}{serial:06d}" if prefix else None))
            qualified = born + timedelta(days=22 * 366)
            early = rng.random() < 0.88 and qualified < FIRST_DAY  # most were registered before 2022
            first_year = max(2012 if early else FIRST_DAY.year, qualified.year)
            since = self.day_in(rng.randint(first_year, 2021 if early else self.today.year), qualified)
            staff.append(_Staff(people[-1]["id"], inst, since, profession))
        return people, staff

    def registrations(self, staff: list[_Staff], institutions: list[dict]) -> tuple[list, list, list, set[int]]:
        """登记备案 with its 正常 status row and mostly a service commitment; ~10 % 多点执业."""
        rng = self.rng
        medical = [i for i in institutions if self.role[i["id"]] != "pharmacy"]
        movable = [p for p in staff if p.profession in ("医师", "护士", "技师") and self.role[p.inst["id"]] != "pharmacy"]
        multi = {p.pid for p in rng.sample(movable, min(len(movable), round(0.1 * len(staff))))}
        regs, statuses, commitments = [], [], []
        for p in staff:
            sites = [(p.inst, p.since)]
            if p.pid in multi:
                for inst in rng.sample([i for i in medical if i is not p.inst], rng.choice((1, 1, 2))):
                    sites.append((inst, p.since + timedelta(days=rng.randint(0, (self.today - p.since).days))))
            for inst, on in sites:
                regs.append(self.row(Registration, practitioner_id=p.pid, institution_id=inst["id"], registered_on=on,
                                     status="正常"))
                statuses.append(self.row(RegistrationStatus, registration_id=regs[-1]["id"], status="正常", effective_on=on,
                                         reason="登记备案", actor=self.user))
                if rng.random() < 0.95:
                    commitments.append(self.row(ServiceCommitment, practitioner_id=p.pid, institution_id=inst["id"],
                                                kind=rng.choice(("个人", "集体")),
                                                signed_on=min(self.today, on + timedelta(days=rng.randint(0, 30)))))
        return regs, statuses, commitments, multi

    def insured(self, ids: range, twins: list[dict]) -> Iterator[dict]:
        """Insured persons, streamed; ``twins`` are practitioners, insured as employees."""
        rng, adult = self.rng, self.today - timedelta(days=18 * 366)
        town_cum = list(accumulate([4, 3] + [1] * (len(TOWNS) - 2)))  # the county seat is the biggest
        mix, mix_cum = list(INSURANCE_MIX), list(accumulate(INSURANCE_MIX.values()))
        self.taken.update(("insured", p["id_number"]) for p in twins)
        for k, sid in enumerate(ids):
            if k < len(twins):
                fields, kind = {f: twins[k][f] for f in ("name", "initials", "id_number", "phone")}, "职工"
            else:
                fields, born = self.person("insured", 0, 90)
                kind = rng.choices(mix, cum_weights=mix_cum)[0] if born < adult else "居民"
            town = rng.choices(TOWNS, cum_weights=town_cum)[0]
            yield self.subject("insured", **fields, row_id=sid, insurance_type=kind, township=town,
                               address=f"{self.county}{town}{self.surname()}{rng.choice(VILLAGE_ENDINGS)}村")

    # --- credit records -----------------------------------------------------------------
    def record(self, subject_id: int, kind: str, on: date, case: _Case | None, **values) -> None:
        dtype, _, sources, note = KINDS[PQ_CASES.get(kind, kind)]
        self.records.append(self.row(
            CreditRecord, subject_id=subject_id, kind=kind, good=kind in GOOD_SHARE, case_no=case or "", decision_date=on,
            decision_type=dtype, entered_by=self.user, **{"source": self.rng.choice(sources), "note": note, **values}))

    def case(self, series: str | None, on: date) -> _Case | None:
        if series:
            self.cases.append(_Case(series, on))
            return self.cases[-1]
        return None

    def institution_case(self, inst: dict, on: date, pq_kind: str, people: list[tuple[int, str]], label: str = "") -> None:
        """An institution's handling and its responsible persons, under one case number."""
        inst_kind = PQ_CASES[pq_kind]
        dtype, series, sources, _ = KINDS[inst_kind]
        case, source = self.case(series, on), self.rng.choice(sources)
        loss = Decimal(self.rng.randint(200_000, 30_000_000)).scaleb(-2)
        self.record(inst["id"], inst_kind, on, case, source=source, amount=loss, note=f"违规使用医保基金{loss}元，已追回")
        for pid, resp in people:
            self.record(pid, pq_kind, on, case, source=source, responsibility=resp, institution_id=inst["id"],
                        note=f"{inst['name']}受{dtype}，认定为{resp}责任人员{label}")

    def credit_records(self, staff: list[_Staff], multi: set[int], insured_ids: range, institutions: list[dict]
                       ) -> list[dict]:
        years = range(FIRST_DAY.year, self.today.year + 1)
        reserved = self.scenarios(staff, multi)
        self.everyday_cases(staff, institutions, reserved, years)
        self.personal_records([p for p in staff if p.pid not in reserved])
        self.insured_records(insured_ids, [i for i in institutions if self.role[i["id"]] != "pharmacy"], years)
        self.institution_commitments(institutions)
        self.number_cases()
        return self.records

    def scenarios(self, staff: list[_Staff], multi: set[int]) -> set[int]:
        """The threshold scenarios, on doctors registered before they start; one of them 多点执业."""
        rng, year = self.rng, self.scenario_year
        settled = [p for p in staff if p.profession == "医师" and p.since < date(year - 1, 12, 1)]
        chosen = rng.sample(settled, min(len(settled), len(SCENARIOS)))
        spare = next((p for p in settled if p.pid in multi and p not in chosen), None)
        if len(chosen) > MULTI_SITE_SCENARIO and chosen[MULTI_SITE_SCENARIO].pid not in multi and spare:
            chosen[MULTI_SITE_SCENARIO] = spare
        for (label, steps), p in zip(SCENARIOS, chosen):
            if any(offset for offset, _, _ in steps):  # across New Year: December, then January
                dates = [date(year - 1, 12, rng.randint(1, 31)), min(self.today, date(year, 1, rng.randint(2, 31)))]
            else:
                dates = sorted(self.day_in(year, self.scenario_from) for _ in steps)
            for (_, kind, resp), on in zip(steps, dates):
                self.institution_case(p.inst, on, kind, [(p.pid, resp)], f"（演示情形：{label}）")
        return {p.pid for p in chosen}

    def everyday_cases(self, staff: list[_Staff], institutions: list[dict], reserved: set[int], years: range) -> None:
        """Handlings of institutions; scenario people stay out so their points are as labelled."""
        rng, by_inst = self.rng, {}
        for p in staff:
            by_inst.setdefault(p.inst["id"], []).append(p)
        for year in years:
            for _ in range(self.per_year(self.scale.cases_per_year, year)):
                inst, on, kind = rng.choice(institutions), self.day_in(year), rng.choices(list(PQ_CASES), PQ_WEIGHTS)[0]
                pool = [p.pid for p in by_inst.get(inst["id"], []) if p.since < on and p.pid not in reserved]
                people = rng.sample(pool, min(len(pool), rng.choice((1, 1, 2, 3))))
                self.institution_case(inst, on, kind, [(pid, "主要" if k == 0 else rng.choice(("重要", "一般")))
                                                        for k, pid in enumerate(people)])

    def personal_records(self, free: list[_Staff]) -> None:
        """Rare bad information and the good information, each after the person's registration."""
        rng = self.rng
        counts = {k: self.scale.rare for k in ("criminal_fraud", "refuse_penalty", "kickback")}
        counts |= {k: max(1, round(share * self.scale.practitioners)) for k, share in GOOD_SHARE.items()}
        for kind, count in counts.items():
            for p in rng.sample(free, min(count, len(free))):
                start = max(p.since, FIRST_DAY)
                on = start + timedelta(days=rng.randint(0, (self.today - start).days))
                self.record(p.pid, kind, on, self.case(KINDS[kind][1], on), institution_id=p.inst["id"])

    def institution_commitments(self, institutions: list[dict]) -> None:
        """About a third of the institutions signed a credit commitment (淮医保发〔2020〕104号 三（一）) this past year,
        which the institution trees count as good information. A generator of its own keeps every other part of the
        county as it was."""
        rng = random.Random(f"institution-commitments-{len(institutions)}")
        for inst in rng.sample(institutions, len(institutions) // 3):
            on = self.today - timedelta(days=rng.randint(0, 300))
            self.records.append(self.row(
                CreditRecord, subject_id=inst["id"], kind="inst_credit_commitment", good=True, case_no="",
                decision_date=on, decision_type=None, entered_by=self.user, source="self_report",
                note="签署定点医药机构信用承诺书"))

    def insured_records(self, ids: range, medical: list[dict], years: range) -> None:
        """Illegal use, most losses small, every tier edge present; the worst go to court."""
        rng, edges, worst = self.rng, list(LOSS_EDGES), []
        for year in years:
            for _ in range(self.per_year(self.scale.insured_cases_per_year, year)):
                fen = edges.pop() if edges else self.loss()
                on, loss, sid = self.day_in(year), Decimal(fen).scaleb(-2), rng.choice(ids)
                self.record(sid, "insured_illegal_use", on, self.case("医保罚", on), amount=loss,
                            institution_id=rng.choice(medical)["id"], note=f"违法使用医保基金，造成基金损失{loss}元，已责令退回")
                worst.append((fen, sid, on))
        for _, sid, on in sorted(worst, reverse=True)[: self.scale.rare]:
            later = min(self.today, on + timedelta(days=rng.randint(30, 180)))
            self.record(sid, "insured_criminal_fraud", later, self.case("court", later))

    def loss(self) -> int:
        """Fen: 85 % under 100,000 元 (log-uniform from 100 元), 10 % up to 200,000 元, 5 % above."""
        r = self.rng.random()
        if r < 0.85:
            return min(int(10 ** self.rng.uniform(4, 7)), 9_999_999)
        return self.rng.randint(10_000_000, 19_999_999) if r < 0.95 else self.rng.randint(20_000_000, 60_000_000)

    def number_cases(self) -> None:
        """Number each register per year in date order, like real 发文字号 and 案号."""
        last: dict[tuple[str, int], int] = {}
        for case in sorted(self.cases, key=lambda c: c.on):
            y, court, key = case.on.year, case.series == "court", (case.series, case.on.year)
            if key not in last:  # a court register holds many other cases: numbers start high and jump
                last[key] = self.rng.randint(20, 200) if court else 0
            last[key] += self.rng.randint(1, 9) if court else 1
            n = last[key]
            case.number = f"（{y}）{PROVINCE_ABBR.get(self.code[:2], '')}{self.code[2:]}刑初{n}号" if court else \
                f"{self.county[0]}{case.series}〔{y}〕{n}号"
        for row in self.records:
            if isinstance(row["case_no"], _Case):
                row["case_no"] = row["case_no"].number


class _Writer:
    """Chunked Core inserts inside the caller's transaction, reporting progress."""

    def __init__(self, session, progress: Progress | None, total: int):
        self.session, self.progress, self.total, self.done = session, progress, total, 0

    def report(self, message: str) -> None:
        if self.progress is not None and self.progress(self.done, self.total, message) is False:
            raise Cancelled("已取消载入演示数据，数据库未作任何改动")

    def put(self, model, rows: Iterable[dict], message: str) -> None:
        statement, it = insert(model.__table__), iter(rows)
        while chunk := list(islice(it, CHUNK)):
            self.session.execute(statement, chunk)
            self.done += len(chunk)
            self.report(f"正在写入{message}")


def fill_demo(db: Database, *, actor: Actor, scale: str = "default", seed: int = 1, progress: Progress | None = None,
              today: date | None = None) -> DemoSummary:
    """Load demo data into an empty database; ``progress`` returning False cancels everything.

    Not the ``service`` decorator, so that the reported time includes the commit.
    """
    require(actor, "demo.load")
    if scale not in SCALES:
        raise ServiceError(f"演示数据规模“{scale}”不存在，可选：{'、'.join(SCALES)}")
    today = today or date.today()
    if not FIRST_DAY < today <= date.today():
        raise ServiceError(f"演示数据的截止日期应晚于 {FIRST_DAY.isoformat()}，且不晚于今天")
    started = time.perf_counter()
    with UnitOfWork(db) as uow:
        counts = _fill(uow, actor, SCALES[scale], seed, progress, today)
        uow.audit(actor, "demo.load", "demo", None, after={"scale": scale, "seed": seed, "today": today, **counts},
                  reason=f"载入演示数据（规模 {scale}，种子 {seed}）")
        uow.commit()
    warnings.refresh_county(db, day=today)  # as after every county-wide run: the warnings follow the standings
    return DemoSummary(scale=scale, seed=seed, **counts, seconds=round(time.perf_counter() - started, 2))


def _fill(uow: UnitOfWork, actor: Actor, scale: Scale, seed: int, progress: Progress | None, today: date) -> dict[str, int]:
    session = uow.session
    if session.scalar(select(Subject.id).limit(1)) is not None:
        raise ServiceError("数据库中已有数据，演示数据只能载入空数据库")
    county = current_county(uow)
    known, points_from = _policy(county.profile)
    demo = _Demo(county, scale, seed, today, actor.username,
                 {m.__tablename__: (session.scalar(select(func.max(m.id))) or 0) + 1 for m in TABLES}, points_from)
    # Everything but the insured persons is planned first, so the progress total is exact.
    institutions = demo.institutions()
    people, staff = demo.practitioners(institutions)
    regs, statuses, commitments, multi = demo.registrations(staff, institutions)
    insured_ids, twins = demo.reserve(Subject, scale.insured), demo.rng.sample(people, len(people) // 2)
    records = [r for r in demo.credit_records(staff, multi, insured_ids, institutions) if known is None or r["kind"] in known]
    plan = ((Subject, institutions, "定点医药机构"), (Subject, people, "医保医（药）师"), (Registration, regs, "登记备案"),
            (RegistrationStatus, statuses, "登记备案状态"), (ServiceCommitment, commitments, "服务承诺"))
    writer = _Writer(session, progress, sum(len(rows) for _, rows, _ in plan) + scale.insured + len(records))
    writer.report("正在生成演示数据")
    for model, rows, message in plan:
        writer.put(model, rows, message)
    writer.put(Subject, demo.insured(insured_ids, twins), "参保人")
    writer.put(CreditRecord, records, "信用信息")
    writer.report("正在计算每个信用主体的信用状况")
    standing.refresh(uow, session.scalars(select(Subject.id)).all(), actor=actor, day=today)
    return {"institutions": len(institutions), "practitioners": len(people), "insured": scale.insured,
            "registrations": len(regs), "registration_status": len(statuses), "service_commitments": len(commitments),
            "credit_records": len(records)}


def _policy(profile: str) -> tuple[set[str] | None, date]:
    """The county catalogue's kinds (the policy engine refuses records of others) and the first
    day its points rules apply. Without a profile file (yet) every kind is written."""
    try:
        loaded = load_profile(profile)
    except PolicyError:
        return None, FIRST_DAY
    starts = [entry.pack.effective_from for entry, _ in loaded.rules("points")]
    return {k.code for k in catalogue(loaded)}, min(starts, default=FIRST_DAY)
