"""Command-line casework: findings, measures' lifecycle, objections, repairs, tick, todo, good records.

Parsers are added by ``add_parsers`` (called from desktop/cli.py); the work is in ``COMMANDS``.
Results print as JSON, refusals as one Chinese line (desktop/cli.py).
"""
from __future__ import annotations

import json
from pathlib import Path

from desktop.cli import CliError, iso_date, print_json, read_json


def _files(paths: list[str] | None) -> list[tuple[str, bytes]]:
    from models.services.records import MAX_ATTACHMENT
    from models.validation import read_input

    out = []
    for p in paths or []:
        out.append((Path(p).name, read_input(p, "附件", MAX_ATTACHMENT)))
    return out


def _actions(sub, name: str, help_: str):
    from desktop.cli_args import Parser

    return sub.add_parser(name, help=help_).add_subparsers(dest="action", metavar="操作", parser_class=Parser,
                                                           required=True)


def add_measure_actions(actions) -> None:
    """Extra actions of `measure` besides `choose`."""
    a = actions.add_parser("list", help="一个信用主体的措施及其状态（生效/期满/修复提前结束/撤销）")
    a.add_argument("subject", help="身份证号、统一社会信用代码或 UUID")
    a.add_argument("--json", action="store_true")
    a = actions.add_parser("shorten", help="信用修复缩减暂停期限（济医保发〔2025〕6号 四（七）；审核员/签发人，非录入人）")
    a.add_argument("measure", help="措施 UUID（measure list 查看）")
    a.add_argument("--months", type=int, required=True, help="缩减后的期限（月）")
    a.add_argument("--reason", required=True, help="理由")
    a.add_argument("--on", type=iso_date, help="决定日期（默认今天）")
    a = actions.add_parser("rectify", help="登记纠正失信行为并作出修复承诺（鲁医保发〔2024〕25号 第十二条）")
    a.add_argument("record", help="记录 UUID")
    a.add_argument("--on", type=iso_date, required=True, help="纠正日期")
    a.add_argument("--commitment", required=True, help="修复承诺内容")
    a = actions.add_parser("impose", help="按等级可以采取的措施：warning_talk 警示约谈并限期整改；key_supervision 重点监控"
                                          "（磐医保〔2021〕43号 第二十条；审核员/签发人）")
    a.add_argument("subject", help="身份证号、统一社会信用代码或 UUID")
    a.add_argument("--kind", required=True, choices=["warning_talk", "key_supervision"])
    a.add_argument("--start", type=iso_date, help="起始日期（默认今天）")
    a.add_argument("--end", type=iso_date, required=True, help="整改或监控期限")
    a.add_argument("--reason", required=True, help="理由")
    a = actions.add_parser("lift", help="提前结束本局决定的措施（由决定人以外的审核员/签发人办理）")
    a.add_argument("measure", help="措施 UUID（measure list 查看）")
    a.add_argument("--reason", required=True, help="理由")
    a.add_argument("--on", type=iso_date, help="结束日期（默认今天）")


def add_parsers(sub) -> None:
    actions = _actions(sub, "finding", "违规认定：add 录入；person 认定责任人员；confirm 审核确认；show 查看")
    a = actions.add_parser("add", help="录入对定点医药机构的违规认定（JSON：institution, case_no, decision_type, "
                                       "decision_date, amount, article, source, note, institution_kind）")
    a.add_argument("--json", dest="json_file", help="JSON 文件（省略则读标准输入）")
    a = actions.add_parser("person", help="认定一名责任人员（须在该机构登记备案）")
    a.add_argument("finding", help="违规认定 UUID")
    a.add_argument("--person", required=True, help="身份证号或 UUID")
    a.add_argument("--responsibility", required=True, help="主要、重要或一般")
    a.add_argument("--kind", required=True, help="信息类别（决定记分分档，见 catalog）")
    a.add_argument("--note", default="", help="备注")
    a = actions.add_parser("confirm", help="审核确认（须由录入人以外的审核员）：生成信用信息、记分、措施并通知各执业机构")
    a.add_argument("finding", help="违规认定 UUID")
    a = actions.add_parser("show", help="查看违规认定、责任人员和记分通知")
    a.add_argument("finding", help="违规认定 UUID")

    actions = _actions(sub, "objection", "异议：file 登记；decide 复核决定")
    a = actions.add_parser("file", help="登记异议申请（超过提出期限的不予受理）")
    a.add_argument("--subject", required=True, help="提出异议的信用主体")
    a.add_argument("--record", help="有异议的信用信息 UUID（省略则为最新评价结果）")
    a.add_argument("--delivered", type=iso_date, help="信用结果告知书送达日期（省略则取已登记的送达记录）")
    a.add_argument("--received", type=iso_date, required=True, help="收到异议申请的日期")
    a.add_argument("--reason", required=True, help="异议理由")
    a.add_argument("--attach", action="append", help="证明材料文件（可重复）")
    a.add_argument("--indicator", help="针对最新评价结果中的单项三级指标（代码，如 A1a）")
    a = actions.add_parser("decide", help="复核决定：维持或变更（须由录入人以外的审核员/签发人）")
    a.add_argument("objection", help="异议 UUID")
    a.add_argument("--outcome", required=True, choices=["维持", "变更"])
    a.add_argument("--answer", required=True, help="复核意见（写入附件2反馈单）")
    a.add_argument("--change", help="变更时更正的字段（JSON 对象，如 {\"responsibility\": \"一般\"}）")
    a.add_argument("--record", help="对评价结果的异议：变更所更正的信用信息 UUID")
    a.add_argument("--on", type=iso_date, help="复核日期（默认今天）")
    a.add_argument("--line-points", help="针对单项指标的异议：变更该项增减的分值，如 +30")

    actions = _actions(sub, "repair", "信用修复：apply 申请；extend 延长；decide 决定；reduce 减免记分")
    a = actions.add_parser("apply", help="受理信用修复申请（附件3），显示是否符合修复条件")
    a.add_argument("record", help="要修复的不良信息 UUID")
    a.add_argument("--applied", type=iso_date, help="申请（受理）日期，默认今天")
    a.add_argument("--materials", required=True, help="申请材料（纠正失信行为的证明）")
    a.add_argument("--commitment", required=True, help="信用修复承诺")
    a.add_argument("--attach", action="append", help="材料文件（可重复）")
    a = actions.add_parser("extend", help="情况复杂的，延长处理期限（一次）")
    a.add_argument("repair", help="申请 UUID")
    a.add_argument("--reason", required=True)
    a = actions.add_parser("decide", help="予以修复（进入公示）或不予修复（附件4）；须由受理人以外的人员")
    a.add_argument("repair", help="申请 UUID")
    group = a.add_mutually_exclusive_group(required=True)
    group.add_argument("--grant", action="store_true", help="予以修复")
    group.add_argument("--refuse", action="store_true", help="不予修复")
    a.add_argument("--reason", required=True, help="决定理由")
    a.add_argument("--on", type=iso_date, help="决定日期（默认今天）")
    a = actions.add_parser("reduce", help="减免记分（济医保发〔2025〕6号 四（七））")
    a.add_argument("record", help="记分记录 UUID")
    a.add_argument("--points", type=int, required=True, help="减免分值")
    a.add_argument("--reason", required=True)
    a.add_argument("--on", type=iso_date, help="决定日期（默认今天）")

    s = sub.add_parser("tick", help="按日期处理到期事项：措施期满、登记状态恢复、自动修复、公示期满")
    s.add_argument("--today", type=iso_date, help="处理日期（默认今天）")
    s = sub.add_parser("todo", help="待办：全部在办事项及其期限、剩余工作日、是否逾期、是否暂定")
    s.add_argument("--today", type=iso_date, help="以该日计算（默认今天）")
    s.add_argument("--json", action="store_true")
    s = sub.add_parser("notices", help="告知书草稿（异议反馈单、不予修复告知书、修复确认通知书）")
    s.add_argument("--subject", help="只列该信用主体的")
    s.add_argument("--json", action="store_true")

    actions = _actions(sub, "good", "守信信息：add 录入举报经查实、表彰奖励、信用承诺等")
    a = actions.add_parser("add", help="录入一条守信信息")
    a.add_argument("subject", help="身份证号、统一社会信用代码或 UUID")
    a.add_argument("--kind", required=True, help="类别代码或名称，如 verified_report、commendation、credit_commitment")
    a.add_argument("--date", type=iso_date, required=True, help="决定（表彰、查实、承诺）日期")
    a.add_argument("--source", default="supervision", help="信息来源")
    a.add_argument("--note", default="", help="说明")


def _out(value) -> int:
    from dataclasses import asdict, is_dataclass

    print_json(asdict(value) if is_dataclass(value) else value)
    return 0


def cmd_finding(db, args) -> int:
    from desktop.cli_commands import login
    from models.services import findings

    actor = login(db, args.user)  # a finding names people: reading it needs a signed-in user like a credit file
    if args.action == "show":
        return _out(findings.show_finding(db, finding=args.finding))
    if args.action == "add":
        return _out(findings.add_finding(db, actor=actor, data=read_json(args.json_file)).value)
    if args.action == "person":
        return _out(findings.add_person(db, actor=actor, finding=args.finding, person=args.person,
                                        responsibility=args.responsibility, kind=args.kind, note=args.note).value)
    return _out(findings.confirm_finding(db, actor=actor, finding=args.finding).value)


def cmd_measure(db, args) -> int:
    from desktop.cli_commands import login
    from desktop.cli_policy import cmd_measure as choose
    from models.services import lifecycle, repairs

    if args.action == "choose":
        return choose(db, args)
    actor = login(db, args.user)
    if args.action == "list":
        rows = lifecycle.measures_of(db, subject=args.subject)
        if args.json:
            return _out(rows)
        for m in rows:
            print(f"{m['measure']}  {m['name']}  {m['start']}至{m['planned_end'] or '—'}  "
                  f"〔{m['state']}〕  依据 {m['basis']}")
        return 0
    if args.action in ("impose", "lift"):
        from models.services import discretionary

        if args.action == "impose":
            return _out({"measure": discretionary.impose(db, actor=actor, subject=args.subject, kind=args.kind,
                                                         start=args.start, end=args.end, reason=args.reason).value})
        return _out({"measure": discretionary.lift(db, actor=actor, measure=args.measure, reason=args.reason,
                                                   on=args.on).value})
    if args.action == "shorten":
        return _out(repairs.shorten_measure(db, actor=actor, measure=args.measure, months=args.months,
                                            reason=args.reason, on=args.on).value)
    return _out({"rectification": repairs.rectify(db, actor=actor, record=args.record, corrected_on=args.on,
                                                  commitment=args.commitment).value})


def cmd_objection(db, args) -> int:
    from desktop.cli_commands import login
    from models.services import objections

    actor = login(db, args.user)
    if args.action == "file":
        return _out(objections.file(db, actor=actor, subject=args.subject, record=args.record,
                                    delivered_on=args.delivered, received_on=args.received, reason=args.reason,
                                    files=_files(args.attach), indicator=args.indicator).value)
    try:
        changes = json.loads(args.change) if args.change else None
    except json.JSONDecodeError as exc:
        raise CliError(f"--change：不是有效的 JSON（{exc.msg}）") from None
    return _out(objections.decide(db, actor=actor, objection=args.objection, outcome=args.outcome, answer=args.answer,
                                  changes=changes, record=args.record, on=args.on,
                                  line_points=args.line_points).value)


def cmd_repair(db, args) -> int:
    from desktop.cli_commands import login
    from models.services import repairs

    actor = login(db, args.user)
    if args.action == "apply":
        value = repairs.apply(db, actor=actor, record=args.record, applied_on=args.applied, materials=args.materials,
                              commitment=args.commitment, files=_files(args.attach)).value
    elif args.action == "extend":
        value = repairs.extend(db, actor=actor, repair=args.repair, reason=args.reason).value
    elif args.action == "decide":
        value = repairs.decide(db, actor=actor, repair=args.repair, grant=args.grant, reason=args.reason,
                               on=args.on).value
    else:
        value = repairs.reduce_points(db, actor=actor, record=args.record, points=args.points, reason=args.reason,
                                      on=args.on).value
    return _out(value)


def cmd_tick(db, args) -> int:
    from desktop.cli_commands import login
    from models.services import tick

    run = tick.tick(db, actor=login(db, args.user), today=args.today).value
    print(f"{run.today}：处理 {run.subjects} 个信用主体；新生效措施 {run.imposed}，期满 {run.expired}，"
          f"撤销或提前结束 {run.ended}，自动修复 {run.restored}，登记状态变更 {run.registrations}，"
          f"公示期满修复 {run.repairs_finished}")
    return 0


def cmd_todo(db, args) -> int:
    from dataclasses import asdict

    from desktop.cli_commands import login
    from models.services import todo

    login(db, args.user)
    items = todo.work_list(db, today=args.today)
    if args.json:
        return _out([asdict(i) for i in items])
    for i in items:
        due = "无法定期限" if i.deadline is None else (
            f"期限 {i.deadline}{'（暂定）' if i.provisional else ''}，"
            + (f"已逾期{-i.workdays_left}个工作日" if i.overdue else f"剩余{i.workdays_left}个工作日"))
        print(f"{'【逾期】' if i.overdue else ''}{i.title}：{i.next_step}；{due}  {i.case}")
    if not items:
        print("没有在办事项")
    return 0


def cmd_notices(db, args) -> int:
    from desktop.cli_commands import login
    from models.services.cases import notice_drafts

    login(db, args.user)
    rows = notice_drafts(db, subject=args.subject)
    if args.json:
        return _out(rows)
    for n in rows:
        print(f"{n['created_at']}  {n['type_name']}  {n['subject']}  〔{n['state']}〕  案件 {n['case']}")
    return 0


# The short names the bureau uses for good information (DOMAIN §2), besides the catalogue's full names.
GOOD_ALIASES = {"举报经查实": "verified_report", "表彰奖励": "commendation", "信用承诺": "credit_commitment",
                "机构信用承诺": "inst_credit_commitment", "医保好医师": "outstanding_practitioner",
                "医保好药师": "outstanding_practitioner"}


def cmd_good(db, args) -> int:
    from desktop.cli_commands import login
    from models.services import catalogue, county, records

    profile = county.get_county(db).profile
    by_name = GOOD_ALIASES | {k.name: k.code for k in catalogue.kinds(profile).values() if k.good}
    data = {"subject": args.subject, "kind": by_name.get(args.kind, args.kind), "decision_date": args.date,
            "source": args.source, "note": args.note}
    if not catalogue.kind_spec(profile, data["kind"]).good:
        raise CliError("信息类别：不是守信信息类别，不良信息请用 record add 或 finding 录入")
    return _out(records.add_record(db, actor=login(db, args.user), data=data).value)


COMMANDS = {"finding": cmd_finding, "measure": cmd_measure, "objection": cmd_objection, "repair": cmd_repair,
            "tick": cmd_tick, "todo": cmd_todo, "notices": cmd_notices, "good": cmd_good}
