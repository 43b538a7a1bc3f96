"""`backup`, `backup --check`, `restore` and `--version`: the commands an office's IT runs around the data.

``restore`` and ``backup --check`` work on files that may not open as the database in use, and
``--version`` must answer on a PC where the database is broken: they do not go through the usual
open-then-dispatch path. Their arguments are declared in desktop/cli.py, which ``credit-desk gui``
goes through: the database layer this module loads must not delay the sign-in dialog.
"""
from __future__ import annotations

from desktop.cli import CliError, ask_password, print_json
from models.db.database import open_database
from models.db.engine import resolve_url, sqlite_path
from models.services import backup, release, restore


def print_version(db_arg: str | None) -> int:
    print(f"医保信用管理系统（CreditDesk）{release.program_version()}")
    try:
        db = open_database(db_arg)
    except Exception as exc:  # noqa: BLE001 - the version is still worth printing
        print(f"数据库：无法打开（{exc}）")
        return 1
    try:
        info = release.about(db)
    finally:
        db.dispose()
    print(f"数据库结构版本：{info.schema_revision}")
    print(f"本局：{info.county}" + (f"，政策配置 {info.profile}" if info.profile else ""))
    for p in info.packs:
        print(f"{'参考政策包' if p.reference else '现行政策包'}：{p.cite_as}  {p.title}（版本 {p.version}，{p.period}）")
    return 0


def cmd_check(args) -> int:
    report = backup.check_file(args.check)
    if args.json:
        print_json({**report.__dict__, "ok": report.ok})
        return 0 if report.ok else 1
    print(f"备份文件：{report.path}")
    if report.revision:
        print(f"结构版本 {report.revision}；{report.county}；信用主体 {report.subjects}，信用信息 {report.records}，"
              f"操作日志 {report.audit_entries} 条（最后一条 {report.last_audit}）")
    if report.chain:
        print(report.chain)
    for problem in report.problems:
        print(f"问题：{problem}")
    print("检查通过：该备份可以恢复" if report.ok else "检查未通过：不要用该备份恢复")
    return 0 if report.ok else 1


def cmd_backup(args) -> int:
    if args.check:
        return cmd_check(args)
    from desktop.cli_commands import login

    db = open_database(args.db)
    try:
        actor = login(db, args.user)
        info = backup.make_backup(db, actor=actor, dest=args.to or backup.suggested_path(db) or "").value
    finally:
        db.dispose()
    print(f"已备份到 {info.path}（{info.size} 字节，SHA-256 {info.sha256}）")
    return 0


def cmd_restore(args) -> int:
    target = sqlite_path(resolve_url(args.db))
    if target is None:
        raise CliError("恢复：数据库不是本机文件，请由数据库服务器管理员恢复", 1)
    if not args.user:
        raise CliError("操作用户：请用 --user 指定备份中的管理员用户名")
    password = ask_password("CREDIT_DESK_PASSWORD", f"{args.user} 的密码：")
    info = restore.restore(target, backup_file=args.file, username=args.user, password=password, reason=args.reason,
                           sent_packages=tuple(args.sent_package))
    print(f"已用 {info.restored_from} 恢复数据库 {target}")
    if info.kept_previous:
        print(f"被替换的数据库已保存为 {info.kept_previous}" + ("（该文件已损坏，未能读取数据交换记录）" if info.previous_unreadable else ""))
    if info.carried_packages:
        print(f"数据交换：保留了备份之后发出的数据包记录（{'、'.join(info.carried_packages)}），下一个数据包序号与市局衔接；"
              "这些数据包中的记录市局已有，本机恢复后不再有，请核对后重新录入")
    if info.previous_unreadable and not info.carried_packages:
        print("数据交换：被替换的数据库无法读取，未能衔接与市局的数据包序号；如备份之后发出过数据包，"
              "请用 --sent-package 给出最后发出的数据包文件重新恢复，或向市局核对其已导入的最后序号")
    if info.resend_needed:
        print(f"数据交换：备份之后收到的数据包需请对方重新发送后再导入：{'、'.join(info.resend_needed)}")
    return 0


COMMANDS = {"backup": cmd_backup, "restore": cmd_restore}


def run(args) -> int | None:
    """The exit code when the command is one of these, else None for the usual dispatch."""
    if getattr(args, "version", False):
        return print_version(args.db)
    handler = COMMANDS.get(args.command)
    return handler(args) if handler else None
