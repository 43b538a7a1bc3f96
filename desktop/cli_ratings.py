"""Command-line 年度信用评价结果: draft → review → sign-off → publish, list, show and Excel export.

    credit-desk rating draft --year 2025 [--type institution] [--as-of DATE] [--note TEXT]
    credit-desk rating review|signoff UUID
    credit-desk rating publish UUID [--on DATE] [--from DATE] [--to DATE]
    credit-desk rating list [--json]; credit-desk rating show UUID [--json] [--xlsx FILE]

Parsers are added by ``add_parsers`` (called from desktop/cli.py); the work is in ``COMMANDS``.
"""
from __future__ import annotations

from desktop.cli_args import Parser
from desktop.cli import iso_date, print_json


def add_parsers(sub) -> None:
    s = sub.add_parser("rating", help="年度信用评价结果：draft 起草；review 复核；signoff 签发；publish 发布；list；show")
    actions = s.add_subparsers(dest="action", metavar="操作", parser_class=Parser, required=True)
    a = actions.add_parser("draft", help="按评价日的信用状况确定某年度的评价结果（录入员）")
    a.add_argument("--year", type=int, required=True, help="年度，如 2025")
    a.add_argument("--type", default="institution", choices=("institution", "practitioner"),
                   help="评价对象：institution 定点医药机构（默认）、practitioner 医保医（药）师")
    a.add_argument("--as-of", type=iso_date, help="评价日期（默认该年12月31日）")
    a.add_argument("--note", default="", help="说明")
    for name, text in (("review", "复核（审核员，起草人以外）"), ("signoff", "签发（签发人，起草人和复核人以外）")):
        a = actions.add_parser(name, help=text)
        a.add_argument("rating", help="评价结果编号（UUID）")
    a = actions.add_parser("publish", help="发布已签发的评价结果并确定有效期（签发人）")
    a.add_argument("rating", help="评价结果编号（UUID）")
    a.add_argument("--on", type=iso_date, help="发布日期（默认今天）")
    a.add_argument("--from", dest="valid_from", type=iso_date, help="有效期起（默认发布日期）")
    a.add_argument("--to", dest="valid_to", type=iso_date, help="有效期止（默认一年）")
    a = actions.add_parser("list", help="全部年度评价结果及其状态")
    a.add_argument("--json", action="store_true", help="以 JSON 输出")
    a = actions.add_parser("show", help="一份年度评价结果的名单")
    a.add_argument("rating", help="评价结果编号（UUID）")
    a.add_argument("--json", action="store_true", help="以 JSON 输出")
    a.add_argument("--xlsx", help="同时导出为 Excel 文件")


def _line(info) -> str:
    grades = "、".join(f"{g} {n}" for g, n in info.by_grade.items())
    valid = f"，有效期 {info.valid_from} 至 {info.valid_to}" if info.valid_from else ""
    return f"{info.uuid}  {info.title}  评价日 {info.as_of}  {info.state}  {info.subjects} 个（{grades}）{valid}"


def _info_json(info) -> dict:
    return {**info.__dict__, "title": info.title}


def cmd_rating(db, args) -> int:
    from desktop.cli_commands import login
    from models.services import ratings

    if args.action == "list":
        rows = ratings.list_ratings(db)
        print_json([_info_json(r) for r in rows]) if args.json else [print(_line(r)) for r in rows]
        return 0
    if args.action == "show":
        info, lines = ratings.show(db, rating=args.rating)
        if args.xlsx:
            from reports.xlsx import write_table

            write_table(args.xlsx, ratings.RATING_HEADERS, lines, sheet=f"{info.year}年度",
                        title=f"{info.title}（评价日 {info.as_of}，{info.state}；依据 {ratings.BASIS}）")
        if args.json:
            print_json({**_info_json(info), "lines": [dict(zip(ratings.RATING_HEADERS, x)) for x in lines]})
        else:
            print(_line(info))
            for x in lines:
                print("  " + "  ".join("" if v is None else str(v) for v in x))
        return 0
    actor = login(db, args.user)
    if args.action == "draft":
        info = ratings.draft(db, actor=actor, year=args.year, subject_type=args.type, as_of=args.as_of,
                             note=args.note).value
    elif args.action == "review":
        info = ratings.review(db, actor=actor, rating=args.rating).value
    elif args.action == "signoff":
        info = ratings.sign_off(db, actor=actor, rating=args.rating).value
    else:
        info = ratings.publish(db, actor=actor, rating=args.rating, on=args.on, valid_from=args.valid_from,
                               valid_to=args.valid_to).value
    print(_line(info))
    return 0


COMMANDS = {"rating": cmd_rating}
