"""A credit file as readable text for the terminal."""
from __future__ import annotations

TYPE_NAMES = {"practitioner": "医保医（药）师", "insured": "参保人", "institution": "定点医药机构"}


def print_file(data: dict) -> None:
    s = data["subject"]
    print(f"【{TYPE_NAMES[s['type']]}】{s['name']}  {s.get('id_number') or s.get('credit_code') or ''}  UUID {s['uuid']}")
    for reg in data["registrations"]:
        other = reg["institution"] or reg["practitioner"]
        print(f"  登记备案：{other['name']}  自 {reg['registered_on']}  状态 {reg['status']}"
              + (f"  服务承诺（{reg['service_commitment']['kind']}）" if reg["service_commitment"] else "  未作服务承诺"))
    print(f"  信用信息 {len(data['records'])} 条：")
    for r in data["records"]:
        tag = "守信" if r["good"] else "不良"
        extra = "".join(
            f"  {label}{r[key]}" for key, label in (("amount", "金额 "), ("responsibility", "责任 "), ("case_no", "")) if r[key]
        )
        print(f"    {r['decision_date']} [{tag}] {r['kind_name']}{extra}  〔{r['status']}〕")
