"""The work behind each command-line command (imported only once arguments parsed)."""
from __future__ import annotations

import sys
from pathlib import Path

from desktop.cli import CliError, ask_password, print_json, read_json
from models.db.database import Database, open_database
from models.services import county, records, subjects, users
from models.services.audit import check_at_start
from models.services.base import Actor, jsonable, run_batch


def login(db: Database, username: str | None) -> Actor:
    if not username:
        raise CliError("操作用户：请用 --user 指定用户名")
    return users.authenticate(db, username=username, password=ask_password("CREDIT_DESK_PASSWORD", f"{username} 的密码："))


def cmd_init(db: Database, args) -> int:
    password = ask_password("CREDIT_DESK_ADMIN_PASSWORD", f"设置管理员 {args.admin} 的密码：", confirm=True)
    info, _admin = county.initialise(db, code=args.county_code, name=args.county_name, profile=args.profile,
                                     admin_username=args.admin, admin_password=password).value
    print(f"已初始化：{info.name}（{info.code}），政策配置 {info.profile}，管理员 {args.admin}；数据库 {db.url}")
    return 0


def _progress(done: int, total: int, message: str) -> bool:
    sys.stderr.write(f"\r{message} {done * 100 // max(total, 1):3d}%".ljust(40))  # pad over a longer message
    sys.stderr.flush()
    return True


def cmd_demo(db: Database, args) -> int:
    from models.services import demo

    if county.get_county(db) is None:
        password = ask_password("CREDIT_DESK_ADMIN_PASSWORD", "设置管理员 admin 的密码：", confirm=True)
        actor = county.initialise(db, code="370921", name="宁阳县", profile="shandong",
                                  admin_username="admin", admin_password=password).value[1]
    else:
        actor = login(db, args.user)
    summary = demo.fill_demo(db, actor=actor, scale=args.scale, seed=args.seed, progress=_progress)
    sys.stderr.write("\n")
    print_json(summary)
    return 0


def _add(db: Database, args, fn, data) -> int:
    actor = login(db, args.user)
    if isinstance(data, list):
        result = run_batch(db, fn=fn, items=data, actor=actor)
        for note in result.notes:
            print(note, file=sys.stderr)
        print_json([v.__dict__ for v in result.value])
    else:
        print_json(fn(db, actor=actor, data=data).value.__dict__)
    return 0


def read_attachments(data: dict, json_file: str | None) -> list[tuple[str, bytes]]:
    """`attachments`: file names inside the JSON file's folder (the working directory for stdin)."""
    return records.files_beside(data.pop("attachments", None) or [], Path(json_file).parent if json_file else Path.cwd())


def cmd_subject(db: Database, args) -> int:
    return _add(db, args, subjects.add_subject, read_json(args.json_file))


def cmd_record(db: Database, args) -> int:
    if args.action == "add":
        data = read_json(args.json_file)
        if isinstance(data, dict) and "attachments" in data:
            files = read_attachments(data, args.json_file)
            print_json(records.add_record(db, actor=login(db, args.user), data=data, files=files).value.__dict__)
            return 0
        return _add(db, args, records.add_record, data)
    actor = login(db, args.user)
    data = read_json(args.json_file) if args.json_file else {}
    if not isinstance(data, dict):
        raise CliError("输入：更正内容应为一个 JSON 对象")
    print_json(records.correct_record(db, actor=actor, record=args.uuid, data=data, reason=args.reason).value.__dict__)
    return 0


def cmd_show(db: Database, args) -> int:
    from desktop.cli_policy import print_evaluation
    from desktop.cli_show import print_file
    from models.queries.credit_file import credit_file
    from models.services.standing import explain

    actor = login(db, args.user)
    data = credit_file(db, subject=args.subject, actor=actor)
    result = explain(db, subject=args.subject, actor=actor)
    if args.json:
        print_json({**result, **data})
    else:
        print_file(data)
        print_evaluation(result)
    return 0


def cmd_users(db: Database, args) -> int:
    actor = login(db, args.user)
    if args.action == "add":
        password = ask_password("CREDIT_DESK_NEW_PASSWORD", f"设置 {args.username} 的密码：", confirm=True)
        info = users.add_user(db, actor=actor, username=args.username, display_name=args.name or args.username,
                              password=password, roles=args.roles).value
        print(f"已新增用户 {info.username}（{info.display_name}），角色：{info.role_names}")
    elif args.action == "list":
        rows = users.list_users(db, actor=actor)
        if args.json:
            print_json([jsonable(r.__dict__) for r in rows])
        for r in [] if args.json else rows:
            print(f"{r.username}\t{r.display_name}\t{r.role_names}\t{'启用' if r.active else '停用'}")
    else:
        name = args.username or actor.username
        password = ask_password("CREDIT_DESK_NEW_PASSWORD", f"{name} 的新密码：", confirm=True)
        users.change_password(db, actor=actor, username=name, new_password=password)
        print(f"已修改 {name} 的密码")
    return 0


def cmd_audit(db: Database, args) -> int:
    from models.services import audit

    login(db, args.user)
    report = audit.verify(db)
    for note in report.notes:
        print(note)
    if not report.ok:
        for problem in report.problems():
            print(f"封存链断开：{problem}", file=sys.stderr)
        return 1
    print("封存链完整：审计日志、信用主体、信用信息、违规与责任认定、措施、异议、修复、告知书及发文登记、送达、"
          "双随机抽查和登记备案等有法律效力的记录均与写入时一致，封存链末端与本机记录相符")
    return 0


COMMANDS = {
    "audit": cmd_audit, "init": cmd_init, "demo": cmd_demo, "subject": cmd_subject, "record": cmd_record, "show": cmd_show,
    "users": cmd_users,
}


def dispatch(args) -> int:
    from desktop.cli_appeals import COMMANDS as APPEAL_COMMANDS
    from desktop.cli_casework import COMMANDS as CASEWORK_COMMANDS
    from desktop.cli_exchange import COMMANDS as EXCHANGE_COMMANDS
    from desktop.cli_inspection import COMMANDS as INSPECTION_COMMANDS
    from desktop.cli_notices import COMMANDS as NOTICE_COMMANDS
    from desktop.cli_policy import COMMANDS as POLICY_COMMANDS
    from desktop.cli_warnings import COMMANDS as WARNING_COMMANDS
    from desktop.cli_ratings import COMMANDS as RATING_COMMANDS

    db = open_database(args.db)
    try:
        warning = None if args.command == "audit" else check_at_start(db)
        if warning:
            print(f"警告：{warning}", file=sys.stderr)
        return {**COMMANDS, **POLICY_COMMANDS, **CASEWORK_COMMANDS, **INSPECTION_COMMANDS, **EXCHANGE_COMMANDS,
                **NOTICE_COMMANDS, **WARNING_COMMANDS, **RATING_COMMANDS, **APPEAL_COMMANDS}[args.command](db, args)
    finally:
        db.dispose()
