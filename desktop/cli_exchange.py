"""Command-line data exchange: keys, packages, receipts, city questions, Excel rosters and violation lists.

Parsers are added by ``add_parsers`` (called from desktop/cli.py); the work is in ``COMMANDS``.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from desktop.cli import CliError, print_json
from models.validation import decode_text


def _actions(sub, name: str, help_: str):
    from desktop.cli_args import Parser

    return sub.add_parser(name, help=help_).add_subparsers(dest="action", metavar="操作", parser_class=Parser,
                                                           required=True)


def add_parsers(sub) -> None:
    from desktop.cli_args import Parser

    actions = _actions(sub, "sync", "与市局交换数据：keys 密钥；export 导出；import 导入；receipt 回执；status；history")
    keys = actions.add_parser("keys", help="数据交换密钥：make 生成；show 查看指纹；export 导出公钥；import 导入对方公钥")
    k = keys.add_subparsers(dest="keys_action", metavar="操作", parser_class=Parser, required=True)
    k.add_parser("make", help="生成本局的新密钥（旧密钥停用但保留，用于打开发给它的数据包）")
    a = k.add_parser("show", help="本局和已导入的对方公钥指纹")
    a.add_argument("--json", action="store_true")
    a = k.add_parser("export", help="导出本局公钥文件，交给对方导入")
    a.add_argument("--to", required=True, help="公钥文件路径")
    a = k.add_parser("import", help="导入对方（市局或县局）的公钥文件")
    a.add_argument("file")
    a.add_argument("--fingerprint", default="", help="电话核对过的对方指纹（空格可省略）；不一致则拒绝导入")

    a = actions.add_parser("export", help="导出上次确认以来待发送的全部记录为签名、加密的数据包")
    a.add_argument("--to", required=True, help="数据包保存到的文件夹")
    a.add_argument("--receiver", help="接收方行政区划代码（只导入过一个对方公钥时可省略）")
    a.add_argument("--calendar", type=int, action="append", default=[], help="随包发送某年的节假日安排（可重复）")
    a.add_argument("--policy-pack", action="append", default=[], help="随包发送的政策包 JSON 文件（可重复）")
    a = actions.add_parser("import", help="验证并导入数据包或回执；--dry-run 只显示将要发生的变化")
    a.add_argument("file")
    a.add_argument("--dry-run", action="store_true", help="只核对并显示变化，不写入")
    a.add_argument("--json", action="store_true", help="以 JSON 输出结果")
    a = actions.add_parser("receipt", help="为最近导入的对方数据包生成回执")
    a.add_argument("--for", dest="partner", required=True, help="对方行政区划代码")
    a.add_argument("--to", required=True, help="回执保存到的文件夹")
    a = actions.add_parser("status", help="密钥、对方、待发送记录数和最近的序号")
    a.add_argument("--json", action="store_true")
    a = actions.add_parser("history", help="发出和收到的数据包、回执")
    a.add_argument("--json", action="store_true")
    a = actions.add_parser("resend", help="把本局发出的某个数据包原样再保存一次（文件丢失时）")
    a.add_argument("package", help="数据包 UUID（sync history 查看）")
    a.add_argument("--to", required=True, help="保存到的文件夹")

    actions = _actions(sub, "city", "市局汇总（--db postgresql://…）：points 跨县记分；counties 各县交换情况")
    a = actions.add_parser("points", help="一名医保医（药）师在各县的记分合计")
    a.add_argument("id_number", help="身份证号")
    a.add_argument("--year", type=int, help="年度（默认本年）")
    a.add_argument("--json", action="store_true")
    a = actions.add_parser("counties", help="各县的数据包、回执和记录数")
    a.add_argument("--json", action="store_true")

    actions = _actions(sub, "excel", "Excel 导入：template 下载模板；import 导入名册或违规清单")
    a = actions.add_parser("template", help="下载导入模板（身份证号等列为文本格式）")
    a.add_argument("kind", choices=["roster", "violations"], help="roster：执业人员名册；violations：违规清单")
    a.add_argument("--to", required=True, help="模板文件路径（.xlsx）")
    a = actions.add_parser("import", help="逐行核对并导入；有错误时默认不导入任何一行")
    a.add_argument("kind", choices=["roster", "violations"])
    a.add_argument("file", help=".xlsx 文件")
    a.add_argument("--valid-only", action="store_true", help="只导入核对无误的行（同一事务）")
    a.add_argument("--report", help="把逐行错误报告写入此 .xlsx 文件")
    a.add_argument("--json", action="store_true")


def _read(path: str, what: str) -> bytes:
    from models.validation import MAX_FILE, read_input

    return read_input(path, what, MAX_FILE)


def cmd_sync(db, args) -> int:
    from desktop.cli_commands import _progress, login
    from models.services.exchange import export, history, importer, keys, receipts

    actor = login(db, args.user)
    if args.action == "keys":
        return _keys(db, actor, args)
    if args.action == "export":
        packs = tuple(export.parse_policy_pack(_read(p, "政策包文件").decode("utf-8-sig"), Path(p).name)
                      for p in args.policy_pack)
        info = export.export_package(db, actor=actor, to_dir=args.to, receiver=args.receiver,
                                     calendar_years=tuple(args.calendar), policy_packs=packs, progress=_progress).value
        sys.stderr.write("\n")
        print(f"已导出第{info.sequence}号数据包（发往 {info.receiver}）：{info.path}")
        print("  " + "，".join(f"{k} {v}" for k, v in info.counts.items()))
        print(f"  清单摘要 SHA-256 {info.manifest_sha256}；记录在收到对方回执前保持待发送状态")
        return 0
    if args.action == "import":
        data = _read(args.file, "数据包")
        fn = importer.preview if args.dry_run else importer.import_package
        out = fn(db, actor=actor, data=data, filename=Path(args.file).name, progress=_progress)
        sys.stderr.write("\n")
        report = out if args.dry_run else out.value
        return _print_report(report, args.json)
    if args.action == "receipt":
        info = receipts.make_receipt(db, actor=actor, partner=args.partner, to_dir=args.to).value
        print(f"已生成回执（确认 {info.partner} 的第{info.sequence}号数据包）：{info.path}")
        return 0
    if args.action == "status":
        st = history.status(db)
        if args.json:
            print_json(st.__dict__ | {"own_key": st.own_key.__dict__ if st.own_key else None,
                                      "partners": [p.__dict__ for p in st.partners]})
            return 0
        print(f"本局：{st.name}（{st.code}，{keys.ROLE_NAMES[st.role]}）")
        print(f"本局密钥指纹：{st.own_key.shown if st.own_key else '尚未生成'}")
        for p in st.partners:
            out_seq, acked = st.last_out.get(p.code, (0, False))
            print(f"对方：{p.name}（{p.code}）指纹 {p.shown}；已发出至第{out_seq}号"
                  f"{'（已确认）' if acked or not out_seq else '（待回执）'}，已导入对方至第{st.last_in.get(p.code, 0)}号")
        print("待发送记录：" + ("，".join(f"{k} {v}" for k, v in st.pending.items()) or "无"))
        for p in st.policy_packs:
            end = p["effective_to"] or "长期"
            print(f"收到的政策包：{p['pack']} 第{p['version']}版 {p['document_number'] or ''} "
                  f"{p['effective_from']} 至 {end}（{p['installed_at']:%Y-%m-%d} 安装）")
        return 0
    if args.action == "history":
        rows = history.packages(db)
        if args.json:
            print_json([r.__dict__ | {"state": r.state} for r in rows])
        for r in [] if args.json else rows:
            print(f"{r.handled_at:%Y-%m-%d %H:%M}  {history.DIRECTION_NAMES[r.direction]}{history.KIND_NAMES[r.kind]}"
                  f"  {r.sender}→{r.receiver} 第{r.sequence}号  {r.records}条  {r.state}  {r.uuid}")
        return 0
    print(f"已保存：{history.save_again(db, package_uuid=args.package, to_dir=args.to)}")
    return 0


def _keys(db, actor, args) -> int:
    from models.services.base import require
    from models.services.exchange import keys

    if args.keys_action == "make":
        info = keys.make_keys(db, actor=actor).value
        print(f"已生成本局数据交换密钥。指纹：{info.shown}")
        print("请用 credit-desk sync keys export 导出公钥文件交给对方，并通过电话与对方核对指纹")
    elif args.keys_action == "show":
        own, partners = keys.own_key(db), keys.partners(db)
        if args.json:
            print_json({"own": own.__dict__ if own else None, "partners": [p.__dict__ for p in partners]})
            return 0
        print(f"本局（{own.name} {own.code}）指纹：{own.shown}" if own else "本局尚未生成密钥")
        for p in partners:
            print(f"{keys.ROLE_NAMES[p.role]} {p.name}（{p.code}）指纹：{p.shown}  导入于 {p.created_at:%Y-%m-%d} 由 {p.by}")
    elif args.keys_action == "export":
        require(actor, "exchange.manage")
        Path(args.to).write_text(keys.public_key_file(db), encoding="utf-8")
        print(f"已导出本局公钥：{args.to}（指纹 {keys.own_key(db).shown}）")
    else:
        info = keys.import_partner_key(db, actor=actor, text=decode_text(_read(args.file, "公钥文件"), "公钥文件"),
                                       expect_fingerprint=args.fingerprint).value
        print(f"已导入 {info.name}（{info.code}）的公钥。指纹：{info.shown}")
        if not args.fingerprint:
            print("请务必通过电话与对方核对以上指纹；不一致时请重新生成并交换密钥")
    return 0


def _print_report(report, as_json: bool) -> int:
    from models.services.base import jsonable

    if as_json:
        print_json(jsonable(report.__dict__))
        return 0
    head = {"applied": "已导入", "preview": "试导入（未写入）", "resend": "重复发送", "receipt": "回执"}[report.status]
    print(f"{head}：{report.sender_name}（{report.sender}）第{report.sequence}号"
          f"{'数据包' if report.kind == 'data' else '回执'}，生成于 {report.created_at[:19]}")
    if report.message:
        print(f"  {report.message}")
    for line in report.lines():
        print(f"  {line}")
    for c in report.conflicts[:20]:
        print(f"  冲突：{c['type_name']} {c['uuid']}：{c['reason']}")
    if len(report.conflicts) > 20:
        print(f"  ……另有 {len(report.conflicts) - 20} 条冲突（用 --json 查看全部）")
    ack = report.acknowledged or {}
    if ack.get("acknowledged") and report.status != "receipt":
        print(f"  对方已确认收到本局第{ack['acknowledged']}号数据包")
    return 0


def cmd_city(db, args) -> int:
    from desktop.cli_commands import login
    from models.services.exchange import city

    actor = login(db, args.user)
    if args.action == "counties":
        rows = city.counties(db)
        if args.json:
            print_json(rows)
        for r in [] if args.json else rows:
            print(f"{r['county']} {r['name']}：已收至第{r['received_up_to']}号，已发至第{r['sent_up_to']}号"
                  f"（已确认第{r['acknowledged_up_to']}号），信用主体 {r['subjects']}，信用信息 {r['records']}")
        return 0
    data = city.points_across(db, actor=actor, id_number=args.id_number, year=args.year)
    if args.json:
        print_json(data)
        return 0
    s = data["subject"]
    print(f"{s['name']} {s.get('id_number') or ''}  {data['year']}年记分合计 {data['total']}"
          f"（档案所在：{'、'.join(c['name'] for c in data['counties'])}）")
    for c in data["by_county"]:
        print(f"  {c['name']}（{c['county']}）：{c['points']} 分")
    for e in data["entries"]:
        print(f"    {e['decision_date'] if 'decision_date' in e else e.get('date')}  {e['county_name']}  {e['points']}分  {e['basis']}")
    for m in data["measures"]:
        print(f"  措施：{m['name']}〔{m['status_text']}〕 依据 {m['basis']}")
    return 0


def _writable(path: Path) -> None:
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir() or not folder.is_dir() or not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise CliError(f"错误报告：无法写入 {path}（文件夹不存在、没有写权限或是一个文件夹），未导入任何数据")


def cmd_excel(db, args) -> int:
    from desktop.cli_commands import _progress, login
    from models.services import excel_import
    from reports.xlsx import write_table

    if args.action == "template":
        try:
            excel_import.write_template(args.kind, args.to)
        except OSError as exc:
            raise CliError(f"模板：无法写入 {args.to}（{exc.strerror}）") from None
        print(f"已保存模板：{args.to}")
        return 0
    actor = login(db, args.user)
    if args.report:
        _writable(Path(args.report))  # a report that cannot be written fails before anything is committed
    data = _read(args.file, "Excel 文件")
    result = excel_import.import_file(db, actor=actor, kind=args.kind, data=data, filename=Path(args.file).name,
                                      valid_only=args.valid_only, progress=_progress)
    sys.stderr.write("\n")
    outcome = result.value
    if outcome.message:
        print(outcome.message, file=sys.stderr)
    if args.report:
        write_table(args.report, excel_import.REPORT_HEADERS, outcome.report_rows(), sheet="错误报告")
    if args.json:
        print_json(outcome.__dict__)
    else:
        print(f"共 {outcome.rows} 行，核对无误 {outcome.valid} 行，有错误 {outcome.invalid} 行；已导入 {outcome.imported} 行")
        for e in outcome.errors[:20]:
            print(f"  第{e['row']}行 {e['field']}：{e['problem']}")
        if len(outcome.errors) > 20:
            print(f"  ……另有 {len(outcome.errors) - 20} 条错误" + ("，见错误报告" if args.report else "（用 --report 保存全部）"))
    if outcome.invalid and not args.valid_only:
        print("有错误行，未导入任何数据：请改正后重新导入，或加 --valid-only 只导入无误的行", file=sys.stderr)
        return 2
    return 0


COMMANDS = {"sync": cmd_sync, "city": cmd_city, "excel": cmd_excel}
