"""Command-line 信用预警: the open warnings, acknowledging one with a note, the county's warning rules.

    credit-desk warnings list [--subject S] [--all] [--level 警示] [--json]
    credit-desk warnings ack UUID --note TEXT
    credit-desk warnings rules [--json] | rules --load FILE --reason TEXT

Parsers are added by ``add_parsers`` (called from desktop/cli.py); the work is in ``COMMANDS``.
"""
from __future__ import annotations

from desktop.cli import print_json


def add_parsers(sub) -> None:
    from desktop.cli_args import Parser

    s = sub.add_parser("warnings", help="信用预警：list 列出；ack 确认并记录处理意见；rules 预警规则")
    actions = s.add_subparsers(dest="action", metavar="操作", parser_class=Parser, required=True)
    a = actions.add_parser("list", help="未解除的预警（级别高、日期新的在前）")
    a.add_argument("--subject", help="只列一个信用主体的预警：身份证号、统一社会信用代码或 UUID")
    a.add_argument("--all", action="store_true", help="包括已解除的预警")
    a.add_argument("--level", choices=["提示", "关注", "警示"], help="只列该级别")
    a.add_argument("--json", action="store_true", help="以 JSON 输出")
    a = actions.add_parser("ack", help="确认一条预警并记录处理意见（审核员/签发人）")
    a.add_argument("warning", help="预警 UUID")
    a.add_argument("--note", required=True, help="处理意见，如：已电话提醒本人，要求自查整改")
    a = actions.add_parser("rules", help="本局现行的预警规则及其依据；--load 载入本局规则（管理员）")
    a.add_argument("--load", help="预警规则文件（JSON，格式同 --json 输出）")
    a.add_argument("--reason", help="--load：变更原因")
    a.add_argument("--json", action="store_true", help="以 JSON 输出")


def _warning_json(w) -> dict:
    return {"uuid": w.uuid, "subject": {"uuid": w.subject_uuid, "name": w.subject, "type": w.subject_type},
            "rule": w.rule, "rule_name": w.rule_name, "level": w.level, "text": w.text, "basis": w.basis,
            "source": w.source, "raised_on": w.raised_on, "cleared_on": w.cleared_on, "state": w.state,
            "acknowledged_by": w.acknowledged_by, "acknowledged_at": w.acknowledged_at, "note": w.note}


def _rules(db, actor_for, args) -> int:
    from desktop.cli_args import CliError
    from models.services import warnings

    if args.load:
        if not args.reason:
            raise CliError("原因：载入预警规则须写明 --reason")
        from models.validation import read_text_file

        text = read_text_file(args.load, "预警规则文件")
        n = warnings.set_rules(db, actor=actor_for(), text=text, reason=args.reason).value
        print(f"已载入本局预警规则 {n} 条；处理到期事项（tick）时按新规则重新核查")
        return 0
    content = warnings.export_rules(db)
    if args.json:
        print_json(content)
        return 0
    print(content["note"] or ("示例预警规则" if content["sample"] else "本局预警规则"))
    for r in content["rules"]:
        state = "" if r["enabled"] else "（停用）"
        print(f"  {r['level']}  {r['name']}{state}  参数 {r['params']}\n      {r['explain']}\n      依据：{r['basis']}")
    return 0


def cmd_warnings(db, args) -> int:
    from desktop.cli_commands import login
    from models.services import warnings

    if args.action == "rules":
        return _rules(db, lambda: login(db, args.user), args)
    if args.action == "ack":
        w = warnings.acknowledge(db, actor=login(db, args.user), warning=args.warning, note=args.note).value
        print(f"已确认：{w.subject} {w.level} {w.rule_name}（{w.text}）；处理意见：{w.note}")
        return 0
    rows = warnings.list_warnings(db, subject=args.subject, open_only=not args.all, level=args.level)
    if args.json:
        print_json([_warning_json(w) for w in rows])
        return 0
    for w in rows:
        print(f"{w.raised_on}  {w.level}  {w.state}  {w.subject}  {w.rule_name}：{w.text}  {w.uuid}")
    if not rows:
        print("没有未解除的信用预警" if not args.all else "没有信用预警")
    return 0


COMMANDS = {"warnings": cmd_warnings}
