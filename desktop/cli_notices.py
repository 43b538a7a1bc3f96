"""Command line for official notices (`notice …`) and the bureau's signing certificate (`cert …`).

The certificate password comes from CREDIT_DESK_CERT_PASSWORD or a prompt; it is never stored.
`notice verify` exits 0 for a genuine, unaltered document of this bureau and 1 otherwise.
"""
from __future__ import annotations

import functools
import sys
from pathlib import Path

from desktop.cli import EXIT_REFUSED, CliError, ask_password, iso_date, print_json

TYPES = "credit_result 信用结果告知书, points_notice 记分告知书, pq_suspend/pq_terminate 暂停/终止医保支付资格告知书, " \
        "settlement_suspend 暂停联网结算告知书, credit_report 信用报告, public_list 信用名单公告"


def add_parsers(sub) -> None:
    from desktop.cli_casework import _actions

    actions = _actions(sub, "notice", "告知书：draft 起草；review 审核；sign-off 签发；issue 印发；void 作废；deliver 送达；"
                                      "list/show 登记簿；preview/export 导出PDF；verify 核验文件；code 查验证码；form 空白表格；settings 发文字号")
    a = actions.add_parser("draft", help=f"起草告知书。类型：{TYPES}")
    a.add_argument("type")
    a.add_argument("--subject", help="信用主体（credit_result、credit_report）")
    a.add_argument("--record", help="记录 UUID（points_notice、pq_suspend、pq_terminate、settlement_suspend）")
    a.add_argument("--as-of", type=iso_date, help="评价日期（默认今天）")
    a.add_argument("--list", choices=["red", "black"], help="public_list：red 红名单，black 黑名单")
    for name, help_ in (("review", "审核（审核员，非起草人）"), ("sign-off", "签发（签发人，非起草人、审核人）")):
        a = actions.add_parser(name, help=help_)
        a.add_argument("notice", help="告知书 UUID")
        a.add_argument("--return", dest="returned", action="store_true", help="退回（须写明理由）")
        a.add_argument("--note", default="", help="意见或退回理由")
    a = actions.add_parser("issue", help="印发：编号、盖章（数字签名）并存入登记簿；可一次印发多份（全部成功或全部不印发）")
    a.add_argument("notices", nargs="+", help="告知书 UUID")
    a.add_argument("--date", type=iso_date, help="成文日期（默认今天）")
    a.add_argument("--backdate-reason", default="", help="倒签理由（成文日期早于今天超过设置天数时必填）")
    a = actions.add_parser("void", help="作废已印发的告知书（保留文号和理由；签发人）")
    a.add_argument("notice")
    a.add_argument("--reason", required=True)
    a = actions.add_parser("deliver", help="登记送达（送达日期起算异议或申诉期限）")
    a.add_argument("notice")
    a.add_argument("--on", type=iso_date, required=True, help="送达日期")
    a.add_argument("--method", required=True, help="直接送达、留置送达、邮寄送达、电子送达、委托送达、公告送达")
    a.add_argument("--recipient", default="", help="签收人")
    a.add_argument("--note", default="")
    a.add_argument("--correct", action="store_true", help="更正此前登记的送达（原记录保留）")
    a = actions.add_parser("list", help="发文登记簿")
    a.add_argument("--type", help="文书类型")
    a.add_argument("--state", help="draft/reviewed/signed_off/issued/returned/voided")
    a.add_argument("--year", type=int)
    a.add_argument("--text", default="", help="姓名、文号或验证码")
    a.add_argument("--json", action="store_true")
    a = actions.add_parser("show", help="一份告知书的办理过程、文号、送达")
    a.add_argument("notice")
    a = actions.add_parser("preview", help="导出草稿预览（带“草稿”水印）或已印发的PDF")
    a.add_argument("notice")
    a.add_argument("--out", required=True, help="PDF 文件")
    a = actions.add_parser("export", help="导出已印发的签章PDF（电子送达用）")
    a.add_argument("notice")
    a.add_argument("--out", required=True)
    a = actions.add_parser("verify", help="核验PDF是否为本局印发且未被改动（签名有效、与登记簿一致）")
    a.add_argument("file")
    a.add_argument("--json", action="store_true")
    a = actions.add_parser("code", help="按验证码查登记簿；或核验扫描二维码所得文字（CD2|…，用对方的数据交换公钥离线核验）")
    a.add_argument("code")
    a = actions.add_parser("form", help="空白申请表：objection_form 异议信息处理申请表（附件1），repair_form 信用修复申请表（附件3）")
    a.add_argument("form", choices=["objection_form", "repair_form"])
    a.add_argument("--subject", help="预先填入该信用主体的信息")
    a.add_argument("--out", required=True)
    a = actions.add_parser("settings", help="发文字号代字、申诉期限、经办人电话（不带参数则显示）")
    a.add_argument("--prefix", help="县局代字，如 宁医保")
    a.add_argument("--series", action="append", help="类型代字，如 credit_result=信（可重复）")
    a.add_argument("--appeal-days", help="申诉期限（工作日；文件未规定时由本局设置；none 表示不设）")
    a.add_argument("--phone", help="经办人电话")
    a.add_argument("--address", help="受理异议、申诉的地点（印在告知书上）")
    a.add_argument("--backdate-days", help="成文日期最多可早于今天的天数（超过须填写倒签理由）")
    a.add_argument("--timestamp-url", help="RFC 3161 时间戳服务地址（留空表示不加时间戳）")
    a.add_argument("--appeal-handling-days", help="本局规定的申诉办理期限（工作日，默认15；文件未规定）")
    a.add_argument("--choice-days", help="本局规定的确定处理期限的办理时限（工作日，默认10；文件未规定）")
    a.add_argument("--reason", help="变更原因")

    actions = _actions(sub, "cert", "签章证书：make-test 生成试用证书；install 安装；list 查看")
    a = actions.add_parser("make-test", help="生成试用的根证书（CA:TRUE）和签章证书（PKCS#12），仅供试用")
    a.add_argument("--out", required=True, help="输出目录：ca.pem 和 signer.p12")
    a.add_argument("--organ", help="机关名称（默认本局名称）")
    a = actions.add_parser("install", help="安装本局签章证书（PKCS#12，含证书链；管理员）")
    a.add_argument("file")
    a.add_argument("--test", action="store_true", help="标记为试用证书")
    actions.add_parser("list", help="已安装的签章证书")


def _login(db, args):
    from desktop.cli_commands import login

    return login(db, args.user)


def _write(path: str, data: bytes) -> None:
    try:
        Path(path).write_bytes(data)
    except OSError as exc:
        raise CliError(f"输出文件：无法写入 {path}（{exc.strerror}）") from None


def cmd_notice(db, args) -> int:
    from models.services import notice_register as reg, notices

    act = args.action
    if act == "verify":
        return _verify(db, args)
    if act == "code":
        from models.services import notice_code

        if notice_code.is_payload(args.code):  # the scanned QR text: checked offline with the partner's key
            verdict = notice_code.check(db, text=args.code)
            print(verdict.text())
            return 0 if verdict.genuine else EXIT_REFUSED
        entry = reg.lookup(db, code=args.code)
        if entry is None:
            raise CliError(f"验证码：登记簿中没有“{args.code}”", EXIT_REFUSED)
        print_json(entry)
        return 0
    if act == "form":
        from reports.issuing import blank_form

        _write(args.out, blank_form(db, form=args.form, subject=args.subject))
        print(f"已生成 {args.out}")
        return 0
    actor = _login(db, args)
    if act == "draft":
        value = notices.draft(db, actor=actor, type=args.type, subject=args.subject, record=args.record,
                              as_of=args.as_of, list=args.list).value
    elif act in ("review", "sign-off"):
        fn = notices.review if act == "review" else notices.sign_off
        value = fn(db, actor=actor, notice=args.notice, approve=not args.returned, note=args.note).value
    elif act == "issue":
        from reports.issuing import produce

        password = ask_password("CREDIT_DESK_CERT_PASSWORD", "本局签章证书密码：")
        value = notices.issue(db, actor=actor, notices=args.notices, password=password, produce=produce,
                              issued_on=args.date, backdate_reason=args.backdate_reason, progress=_waiting).value
    elif act == "void":
        value = notices.void(db, actor=actor, notice=args.notice, reason=args.reason).value
    elif act == "deliver":
        value = notices.deliver(db, actor=actor, notice=args.notice, delivered_on=args.on, method=args.method,
                                recipient=args.recipient, note=args.note, correcting=args.correct).value
    elif act == "list":
        rows = reg.page(db, filter=reg.RegisterFilter(args.type, args.state, args.year, args.text), limit=100000)
        if args.json:
            print_json([r.__dict__ for r in rows])
        for r in [] if args.json else rows:
            print("\t".join(str(v or "") for v in (r.doc_number or "（未编号）", r.type_name, r.subject, r.state_name,
                                                    r.issued_on, r.verify_code, r.delivered_on, r.uuid)))
        return 0
    elif act == "show":
        value = reg.detail(db, notice=args.notice)
    elif act == "preview":
        from reports.issuing import preview

        _write(args.out, preview(db, notice=args.notice))
        print(f"已导出 {args.out}")
        return 0
    elif act == "export":
        number, data = reg.pdf(db, notice=args.notice)
        _write(args.out, data)
        print(f"已导出 {number} 到 {args.out}")
        return 0
    else:
        return _settings(db, actor, args)
    print_json([v.__dict__ for v in value] if isinstance(value, list) else value if isinstance(value, dict)
               else value.__dict__)
    return 0


def _waiting(done: int, total: int, message: str) -> bool:
    """Only the wait for another office's issuing is worth telling on the command line."""
    if done == 0:
        print(message, file=sys.stderr, flush=True)
    return True


def _verify(db, args) -> int:
    from models.validation import read_input
    from reports.issuing import MAX_PDF, verify_pdf

    verdict = verify_pdf(db, read_input(args.file, "文件", MAX_PDF))
    if args.json:
        c = verdict.signature
        print_json({"genuine": verdict.genuine, "reasons": verdict.reasons, "sha256": verdict.sha256,
                    "entry": verdict.entry, "signature": {"present": c.present, "intact": c.intact, "valid": c.valid,
                                                          "trusted": c.trusted, "whole_file": c.covers_whole_file,
                                                          "signer": c.signer_name, "signed_at": c.signed_at,
                                                          "judged_at": c.judged_at, "timestamped": c.timestamped,
                                                          "revocation_embedded": c.revocation_embedded}})
    else:
        print(verdict.text())
    return 0 if verdict.genuine else EXIT_REFUSED


def _settings(db, actor, args) -> int:
    from models.services import notices

    changes = {}
    if args.prefix is not None:
        changes["prefix"] = args.prefix
    if args.series:
        try:
            changes["series"] = dict(item.split("=", 1) for item in args.series)
        except ValueError:
            raise CliError("类型代字：应写作 类型=代字，如 credit_result=信") from None
    if args.appeal_days is not None:
        changes["appeal_days"] = None if args.appeal_days.lower() == "none" else args.appeal_days
    for key in ("phone", "address", "backdate_days", "timestamp_url", "appeal_handling_days", "choice_days"):
        if getattr(args, key) is not None:
            changes[key] = getattr(args, key)
    if not changes:
        print_json(notices.get_settings(db))
        return 0
    print_json(notices.set_settings(db, actor=actor, changes=changes, reason=args.reason or "").value)
    return 0


def cmd_cert(db, args) -> int:
    from models.services import signing

    if args.action == "list":
        print_json([c.__dict__ for c in signing.certificates(db)])
        return 0
    actor = _login(db, args)
    if args.action == "install":
        from models.validation import read_input

        p12 = read_input(args.file, "证书文件", signing.MAX_P12)
        password = ask_password("CREDIT_DESK_CERT_PASSWORD", "证书密码：")
        print_json(signing.install(db, actor=actor, p12=p12, password=password, test_only=args.test).value.__dict__)
        return 0
    from models.services.base import require
    from models.services.county import get_county
    from reports.signing import make_test_certificates

    require(actor, "cert.manage")
    county = get_county(db)
    organ = args.organ or (f"{county.name}医疗保障局" if county else "医疗保障局")
    password = ask_password("CREDIT_DESK_CERT_PASSWORD", "为试用证书设置密码：", confirm=True)
    ca, p12 = make_test_certificates(organ, password)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    _write(str(out / "ca.pem"), ca)
    _write(str(out / "signer.p12"), p12)
    print(f"已生成试用证书（仅供试用，不得用于正式文书）：{out / 'ca.pem'}（根证书），{out / 'signer.p12'}（签章证书）")
    return 0


def _guarded(command):
    """Every notice path ends in a Chinese sentence: a busy database is waited for by the services that write
    numbers; anything unforeseen is logged (type and code location only, no personal data) and explained."""
    @functools.wraps(command)
    def run(db, args) -> int:
        # Imported when a command runs, as everywhere in the command line: building the parser, which
        # `credit-desk gui` does too, must not load the database layer before the sign-in dialog.
        from sqlalchemy.exc import OperationalError

        from models.services.base import ServiceError
        from models.services.notice_numbering import log, where
        from models.validation import ValidationError

        try:
            return command(db, args)
        except (CliError, ValidationError, ServiceError, KeyboardInterrupt):
            raise
        except OperationalError as exc:
            log.error("notice command %s %s: %s", args.command, getattr(args, "action", ""), where(exc))
            raise CliError("数据库正忙或无法写入（其他用户正在保存），本次未作任何更改；请稍后重试", EXIT_REFUSED) from None
        except Exception as exc:  # noqa: BLE001 -- the user reads a sentence, the log keeps the details
            log.error("notice command %s %s: %s", args.command, getattr(args, "action", ""), where(exc))
            raise CliError(f"{args.command} {getattr(args, 'action', '')}：处理时出错，本次未作任何更改；"
                           "详细情况已记入日志，请联系管理员", EXIT_REFUSED) from None

    return run


COMMANDS = {"notice": _guarded(cmd_notice), "cert": _guarded(cmd_cert)}
