"""`credit-desk` command line. Never imports Qt: only the `gui` command loads it.

Bad input exits non-zero with a one-line Chinese message and writes nothing.
"""
from __future__ import annotations

import argparse
import getpass
import json
import os
import sys

from desktop.cli_args import EXIT_INPUT, CliError, Parser

EXIT_REFUSED, EXIT_FAILED = 1, 3


def build_parser() -> Parser:
    from desktop import cli_casework, cli_inspection  # import this module; loaded once the module is complete

    p = Parser(prog="credit-desk", description="医保信用管理系统（CreditDesk）命令行")
    p.add_argument("--db", help="数据库文件路径或 SQLAlchemy URL（默认：用户数据目录；也可用环境变量 CREDIT_DESK_DB）")
    p.add_argument("--user", help="操作用户名（密码取自环境变量 CREDIT_DESK_PASSWORD 或提示输入）")
    p.add_argument("--version", action="store_true", help="显示程序版本、数据库结构版本和现行政策包")
    sub = p.add_subparsers(dest="command", metavar="命令", parser_class=Parser)

    s = sub.add_parser("init", help="初始化本局数据库并创建管理员")
    s.add_argument("--county-code", required=True, help="行政区划代码（6位，如 370921）")
    s.add_argument("--county-name", required=True, help="县（区）名称，如 宁阳县")
    s.add_argument("--profile", default="shandong", help="政策配置：shandong 或 panan（默认 shandong）")
    s.add_argument("--admin", default="admin", help="管理员用户名（默认 admin；密码取自 CREDIT_DESK_ADMIN_PASSWORD 或提示输入）")

    s = sub.add_parser("demo", help="向空数据库载入演示县数据")
    s.add_argument("--scale", choices=["default", "small"], default="default", help="default：约20万参保人；small：测试用小规模")
    s.add_argument("--seed", type=int, default=1, help="随机种子，相同种子生成相同数据")

    for name, what in (("subject", "信用主体"), ("record", "信用信息")):
        s = sub.add_parser(name, help=f"{what}：add 新增" + ("；correct 更正" if name == "record" else ""))
        actions = s.add_subparsers(dest="action", metavar="操作", parser_class=Parser, required=True)
        a = actions.add_parser("add", help=f"新增{what}（JSON 对象或数组，来自 --json 文件或标准输入）")
        a.add_argument("--json", dest="json_file", help="JSON 文件（省略则读标准输入）")
        if name == "record":
            c = actions.add_parser("correct", help="以新记录更正一条信用信息（原记录保留）")
            c.add_argument("uuid", help="被更正记录的 UUID")
            c.add_argument("--reason", required=True, help="更正原因")
            c.add_argument("--json", dest="json_file", help="要更改的字段（JSON 对象）")

    s = sub.add_parser("show", help="显示一个信用主体的完整信用档案")
    s.add_argument("subject", help="身份证号、统一社会信用代码或 UUID")
    s.add_argument("--json", action="store_true", help="以 JSON 输出")

    s = sub.add_parser("backup", help="备份数据库文件；--check 检查一个备份能否恢复")
    s.add_argument("--to", help="备份文件路径（默认：数据目录下 backups/）")
    s.add_argument("--check", metavar="FILE", help="试恢复：在临时副本上检查完整性、操作日志和能否以本版本打开（不改动该文件）")
    s.add_argument("--json", action="store_true", help="--check 的结果以 JSON 输出")
    s = sub.add_parser("restore", help="用备份替换正在使用的数据库（管理员；原文件先保存到 backups/）")
    s.add_argument("file", help="备份文件")
    s.add_argument("--reason", required=True, help="恢复原因（记入操作日志）")
    s.add_argument("--sent-package", action="append", default=[], metavar="ZIP",
                   help="备份之后本局发出的数据包文件（正在使用的数据库已损坏或丢失时，用它衔接与市局的序号；可多次给出）")

    s = sub.add_parser("users", help="用户管理：add / list / passwd")
    actions = s.add_subparsers(dest="action", metavar="操作", parser_class=Parser, required=True)
    a = actions.add_parser("add", help="新增用户（密码取自 CREDIT_DESK_NEW_PASSWORD 或提示输入）")
    a.add_argument("username")
    a.add_argument("--name", help="姓名")
    a.add_argument("--roles", required=True, help="角色，逗号分隔：录入员,审核员,签发人,管理员")
    a = actions.add_parser("list", help="列出用户")
    a.add_argument("--json", action="store_true")
    a = actions.add_parser("passwd", help="修改密码（新密码取自 CREDIT_DESK_NEW_PASSWORD 或提示输入）")
    a.add_argument("username", nargs="?", help="用户名（省略则为当前用户）")

    s = sub.add_parser("audit", help="数据完整性：verify 校验所有有法律效力的记录的封存链，报告每张表的第一处断开")
    actions = s.add_subparsers(dest="action", required=True, metavar="verify")
    actions.add_parser("verify", help="逐行校验封存链（发现在本程序之外的改动、插入和删除）")
    s = sub.add_parser("catalog", help="本局政策配置的信息类别目录")
    s.add_argument("--json", action="store_true", help="以 JSON 输出")

    s = sub.add_parser("explain", help="信用评价结果及其依据（记分、信用分、等级、措施、名单）")
    s.add_argument("subject", help="身份证号、统一社会信用代码或 UUID")
    s.add_argument("--as-of", type=iso_date, help="评价日期 YYYY-MM-DD（默认今天）")
    s.add_argument("--json", action="store_true", help="以 JSON 输出")

    s = sub.add_parser("evaluate", help="对全部信用主体进行信用评价并保存结果")
    s.add_argument("--as-of", type=iso_date, help="评价日期 YYYY-MM-DD（默认今天）")

    s = sub.add_parser("measure", help="处理措施：choose 确定期限；list 查看；shorten 缩减；rectify 登记纠正与承诺")
    actions = s.add_subparsers(dest="action", metavar="操作", parser_class=Parser, required=True)
    a = actions.add_parser("choose", help="为一条记录触发的措施确定期限（月）并写明理由")
    a.add_argument("record", help="触发措施的记录 UUID")
    a.add_argument("--months", type=int, required=True, help="期限（月）")
    a.add_argument("--reason", required=True, help="理由")
    a.add_argument("--start", type=iso_date, help="起始日期（默认为决定日期）")
    cli_casework.add_measure_actions(actions)

    s = sub.add_parser("workdays", help="工作日：add 计算期限；load 载入节假日安排；years 已载入的年份")
    actions = s.add_subparsers(dest="action", metavar="操作", parser_class=Parser, required=True)
    a = actions.add_parser("add", help="从某日起算 N 个工作日的期限")
    a.add_argument("--from", dest="start", type=iso_date, required=True, help="起算日期 YYYY-MM-DD（从次日开始计算）")
    a.add_argument("--days", type=int, required=True, help="工作日数")
    a.add_argument("--json", action="store_true", help="以 JSON 输出")
    a = actions.add_parser("load", help="载入某年的节假日安排文件（格式见 docs/policy-packs.md）")
    a.add_argument("file")
    a.add_argument("--source", default="", help="来源，如 国务院办公厅关于2027年部分节假日安排的通知")
    actions.add_parser("years", help="列出已载入节假日安排的年份")

    s = sub.add_parser("indicators", help="信用评价指标体系：export 导出；load 载入本局制定的指标体系（管理员）")
    actions = s.add_subparsers(dest="action", metavar="操作", parser_class=Parser, required=True)
    a = actions.add_parser("export", help="导出当前生效的指标体系（JSON）")
    a.add_argument("--to", help="输出文件（省略则打印）")
    a.add_argument("--kind", default="practitioner", choices=("practitioner", "medical", "pharmacy"),
                   help="医保医（药）师 practitioner、定点医疗机构 medical、定点零售药店 pharmacy")
    a.add_argument("--on", type=iso_date, help="导出该日生效的版本（默认今天）")
    a = actions.add_parser("versions", help="列出各类指标体系的全部版本及施行日期")
    a.add_argument("--json", action="store_true")
    a = actions.add_parser("load", help="载入指标体系（JSON，格式同导出）")
    a.add_argument("file")
    a.add_argument("--reason", required=True, help="变更原因")

    s = sub.add_parser("profile", help="政策配置：show 查看；set 变更（管理员）")
    actions = s.add_subparsers(dest="action", metavar="操作", parser_class=Parser, required=True)
    actions.add_parser("show", help="当前政策配置及其政策包")
    a = actions.add_parser("set", help="变更本局的政策配置")
    a.add_argument("name", help="shandong 或 panan")
    a.add_argument("--reason", required=True, help="变更原因")

    cli_casework.add_parsers(sub)
    from desktop import cli_appeals

    cli_appeals.add_parsers(sub)
    from desktop import cli_exchange

    cli_exchange.add_parsers(sub)
    cli_inspection.add_parsers(sub)
    from desktop import cli_notices

    cli_notices.add_parsers(sub)
    from desktop import cli_warnings

    cli_warnings.add_parsers(sub)
    from desktop import cli_ratings

    cli_ratings.add_parsers(sub)
    sub.add_parser("gui", help="启动图形界面（默认）")
    return p


def iso_date(text: str):
    from datetime import date

    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}”不是有效日期，应写作 YYYY-MM-DD") from None


def ask_password(env: str, prompt: str, *, confirm: bool = False) -> str:
    value = os.environ.get(env)
    if value:
        return value
    if not sys.stdin.isatty():
        raise CliError(f"密码：未提供，请设置环境变量 {env} 或在终端中运行以便输入")
    first = getpass.getpass(prompt)
    if confirm and getpass.getpass("再次输入：") != first:
        raise CliError("密码：两次输入不一致")
    return first


def read_json(path: str | None):
    from models.validation import decode_text, read_input

    try:
        if path:
            text = decode_text(read_input(path, "输入文件", 256 * 2**20), "输入文件")
        else:  # a terminal's own encoding, or bytes piped from a file saved by Notepad
            text = decode_text(sys.stdin.buffer.read(), "标准输入") if hasattr(sys.stdin, "buffer") else sys.stdin.read()
    except OSError as exc:
        raise CliError(f"输入文件：无法读取 {path}（{exc.strerror}）") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise CliError(f"输入：不是有效的 JSON（第{exc.lineno}行第{exc.colno}列：{exc.msg}）") from None
    except RecursionError:
        raise CliError("输入：JSON 嵌套层数过深，不是本程序可用的输入格式") from None


def print_json(value) -> None:
    from models.services.base import jsonable

    print(json.dumps(jsonable(value), ensure_ascii=False, indent=2))


def gui_database(argv: list[str]) -> tuple[str | None] | None:
    """``(PATH,)`` for ``credit-desk [--db PATH] [gui]``, the way a shortcut starts the program, else None.

    For start-up time: building the whole parser (some sixty sub-commands) costs about 0.2 s before the
    sign-in dialog could paint. Any other command line, ``--help`` included, goes through the parser.
    """
    rest, db = list(argv), None
    if len(rest) >= 2 and rest[0] == "--db" and not rest[1].startswith("-"):
        db, rest = rest[1], rest[2:]
    elif rest and rest[0].startswith("--db=") and len(rest[0]) > len("--db="):
        db, rest = rest[0].removeprefix("--db="), rest[1:]
    return (db,) if rest in ([], ["gui"]) else None


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    gui = gui_database(argv)
    if gui is not None:
        from desktop.gui import run

        return run(*gui)
    args = build_parser().parse_args(argv)
    if args.command in (None, "gui") and not args.version:
        from desktop.gui import run

        return run(args.db)
    from desktop import cli_backup, cli_commands
    from models import errors
    from models.db.engine import setup_logging_for
    from models.db.migrate import MigrationFailed
    from models.services.base import ServiceError
    from models.validation import ValidationError

    setup_logging_for(args.db)
    try:
        code = cli_backup.run(args)
        return cli_commands.dispatch(args) if code is None else code
    except (CliError, ValidationError, ServiceError, MigrationFailed) as exc:
        code = exc.code if isinstance(exc, CliError) else EXIT_INPUT if isinstance(exc, ValidationError) else EXIT_REFUSED
        print(f"错误：{exc}", file=sys.stderr)
        return code
    except KeyboardInterrupt:
        print("已取消，未写入任何数据", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - no traceback reaches a user: the log has it, the user an incident number
        print(f"错误：{errors.message(exc, f'credit-desk {args.command}')}", file=sys.stderr)
        return EXIT_FAILED


if __name__ == "__main__":
    raise SystemExit(main())
