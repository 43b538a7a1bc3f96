"""Command-line appeals (申诉, 济医保发〔2025〕6号 四（八））: file, refer to expert assessment, conclude, decide, list.

Parsers are added by ``add_parsers`` (called from desktop/cli.py); the work is in ``COMMANDS``.
"""
from __future__ import annotations

import json

from desktop.cli import CliError, iso_date
from desktop.cli_casework import _actions, _files, _out


def add_parsers(sub) -> None:
    actions = _actions(sub, "appeal", "申诉（济医保发〔2025〕6号 四（八））：file 登记；refer 送评估鉴定；conclude 登记鉴定结论；"
                                      "decide 申诉决定；list 查看")
    a = actions.add_parser("file", help="登记对记分、责任认定或医保支付资格处理决定的申诉")
    target = a.add_mutually_exclusive_group(required=True)
    target.add_argument("--record", help="所申诉的记分记录 UUID")
    target.add_argument("--measure", help="所申诉的措施 UUID（measure list 查看）")
    a.add_argument("--matter", choices=["记分管理", "责任认定", "医保支付资格处理", "状态维护"],
                   help="申诉事项（默认：记录为记分管理，措施为医保支付资格处理）")
    a.add_argument("--by-institution", metavar="CODE", help="由所在定点医药机构代为申诉（统一社会信用代码）")
    a.add_argument("--received", type=iso_date, required=True, help="收到申诉的日期")
    a.add_argument("--reason", required=True, help="申诉理由")
    a.add_argument("--materials", default="", help="申诉材料说明")
    a.add_argument("--attach", action="append", help="材料文件（可重复）")
    a = actions.add_parser("refer", help="存在争议的专业问题送第三方专业机构或专家组评估鉴定（审核员/签发人）")
    a.add_argument("appeal", help="申诉 UUID")
    a.add_argument("--to", dest="assessor", required=True, help="评估鉴定机构或专家组")
    a.add_argument("--question", required=True, help="鉴定事项")
    a.add_argument("--on", type=iso_date, help="送鉴定日期（默认今天）")
    a = actions.add_parser("conclude", help="登记评估鉴定结论")
    a.add_argument("appeal", help="申诉 UUID")
    a.add_argument("--conclusion", required=True, help="鉴定结论")
    a.add_argument("--on", type=iso_date, help="结论日期（默认今天）")
    a = actions.add_parser("decide", help="申诉决定：维持、变更或撤销（须由登记人以外的审核员/签发人）")
    a.add_argument("appeal", help="申诉 UUID")
    a.add_argument("--outcome", required=True, choices=["维持", "变更", "撤销"])
    a.add_argument("--answer", required=True, help="答复意见")
    a.add_argument("--basis", required=True, help="决定依据")
    a.add_argument("--change", help="变更记录：更正的字段（JSON 对象，如 {\"responsibility\": \"一般\"}）")
    a.add_argument("--points", type=int, help="变更记录：减免的分值")
    a.add_argument("--months", type=int, help="变更措施：变更后的期限（月）")
    a.add_argument("--on", type=iso_date, help="决定日期（默认今天）")
    a = actions.add_parser("list", help="申诉及其办理期限（本局规定）、状态和结果")
    a.add_argument("--subject", help="只列该信用主体的")
    a.add_argument("--open", action="store_true", help="只列未办结的")
    a.add_argument("--json", action="store_true")


def _list(db, args) -> int:
    from models.services import appeals

    rows = appeals.list_appeals(db, subject=args.subject, open_only=args.open)
    if args.json:
        return _out(rows)
    for r in rows:
        what = r["measure_name"] or "记分"
        print(f"{r['received_on']}  {r['subject']}  {r['matter']}（{what}{'，' + r['case_no'] if r['case_no'] else ''}）"
              f"  期限 {r['deadline']}{'（暂定）' if r['provisional'] else ''}  〔{r['state']}〕"
              f"{'  ' + r['outcome'] if r['outcome'] else ''}  {r['uuid']}")
    if not rows:
        print("没有申诉")
    return 0


def cmd_appeal(db, args) -> int:
    from desktop.cli_commands import login
    from models.services import appeals

    actor = login(db, args.user)
    if args.action == "list":
        return _list(db, args)
    if args.action == "file":
        return _out(appeals.file(db, actor=actor, record=args.record, measure=args.measure, matter=args.matter,
                                 appellant="所在机构" if args.by_institution else "本人",
                                 institution=args.by_institution, received_on=args.received, reason=args.reason,
                                 materials=args.materials, files=_files(args.attach)).value)
    if args.action == "refer":
        return _out(appeals.refer(db, actor=actor, appeal=args.appeal, assessor=args.assessor,
                                  question=args.question, on=args.on).value)
    if args.action == "conclude":
        return _out(appeals.conclude(db, actor=actor, appeal=args.appeal, conclusion=args.conclusion,
                                     on=args.on).value)
    try:
        changes = json.loads(args.change) if args.change else None
    except json.JSONDecodeError as exc:
        raise CliError(f"--change：不是有效的 JSON（{exc.msg}）") from None
    return _out(appeals.decide(db, actor=actor, appeal=args.appeal, outcome=args.outcome, answer=args.answer,
                               basis=args.basis, on=args.on, changes=changes, points=args.points,
                               months=args.months).value)


COMMANDS = {"appeal": cmd_appeal}
