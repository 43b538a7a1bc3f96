"""Command-line “双随机、一公开” inspections: the inspector roster, draws, showing and re-checking a draw.

    credit-desk inspection draw --ratio 0.1 --type practitioner [--seed N] [--json]
    credit-desk inspection show DRAW [--json] [--xlsx FILE]

Parsers are added by ``add_parsers`` (called from desktop/cli.py); the work is in ``COMMANDS``.
"""
from __future__ import annotations


from desktop.cli import CliError, iso_date, print_json


def add_parsers(sub) -> None:
    from desktop.cli_args import Parser

    s = sub.add_parser("inspection", help="双随机抽查：draw 抽取；show 查看；list 列表；verify 按种子复核；inspector 执法人员名录")
    actions = s.add_subparsers(dest="action", metavar="操作", parser_class=Parser, required=True)
    a = actions.add_parser("draw", help="按信用等级比例随机抽取检查对象和检查人员（审核员/签发人），结果登记备查")
    a.add_argument("--ratio", required=True, help="基础抽查比例，如 0.1 或 10%%（各等级按磐医保〔2021〕43号 第十八条折算）")
    a.add_argument("--type", required=True, help="抽查对象：practitioner、insured、institution 或中文名称")
    a.add_argument("--title", default="", help="抽查事项（默认：某年某类主体“双随机、一公开”抽查）")
    a.add_argument("--institution", action="append", default=[], help="限定定点医药机构（统一社会信用代码，可重复）")
    a.add_argument("--township", help="限定乡镇（街道）")
    a.add_argument("--seed", help="随机种子（省略则随机生成并登记）；相同种子和参数得到相同结果")
    a.add_argument("--inspectors", type=int, default=2, help="每个检查对象选派的执法人员数（默认2，不少于2）")
    a.add_argument("--note", default="", help="备注")
    a.add_argument("--json", action="store_true", help="以 JSON 输出")
    a = actions.add_parser("show", help="查看一次抽查：参数、随机种子、抽中对象和检查人员")
    a.add_argument("draw", help="抽查编号（如 2026-001）或 UUID")
    a.add_argument("--json", action="store_true", help="以 JSON 输出")
    a.add_argument("--xlsx", help="同时导出为 Excel 文件")
    a = actions.add_parser("list", help="已登记的抽查")
    a.add_argument("--json", action="store_true", help="以 JSON 输出")
    a = actions.add_parser("verify", help="按登记的种子、候选名单和人员名录复算，核对结果是否一致")
    a.add_argument("draw", help="抽查编号或 UUID")
    a = actions.add_parser("inspector", help="执法检查人员名录：add 增加；list 列出；off 停止选派；on 恢复选派")
    a.add_argument("op", choices=["add", "list", "off", "on"], help="add / list / off / on")
    a.add_argument("name", nargs="?", help="add：姓名；off/on：执法证号")
    a.add_argument("--cert", help="add：执法证号")
    a.add_argument("--unit", default="", help="add：所在单位或科室")
    a.add_argument("--reason", default="", help="off/on：原因")
    a.add_argument("--json", action="store_true", help="list：以 JSON 输出")
    a = actions.add_parser("outcome", help="登记一个检查对象的检查结果（录入员）；不合格、违规记入其信用档案")
    a.add_argument("draw", help="抽查编号或 UUID")
    a.add_argument("position", type=int, help="检查对象序号")
    a.add_argument("--result", required=True, choices=("合格", "不合格", "违规"), help="检查结果")
    a.add_argument("--on", type=iso_date, required=True, help="检查日期")
    a.add_argument("--kind", help="不合格/违规时记入的信息类别（机构默认 inst_agreement_handling）")
    a.add_argument("--case-no", help="决定或案件编号（默认：抽查编号和序号）")
    a.add_argument("--amount", help="基金损失（元，两位小数）")
    a.add_argument("--note", default="", help="检查情况")
    a = actions.add_parser("outcomes", help="一次抽查的检查结果登记情况")
    a.add_argument("draw", help="抽查编号或 UUID")
    a.add_argument("--json", action="store_true", help="以 JSON 输出")
    a = actions.add_parser("risk", help="机构风险等级规则：export 导出现行规则；set 载入本局规则（签发人/管理员）")
    a.add_argument("op", choices=["export", "set"], help="export / set")
    a.add_argument("file", nargs="?", help="set：规则文件（JSON，格式同导出）")
    a.add_argument("--reason", default="", help="set：变更原因")


def _draw_json(info, items: list[tuple], by_grade: dict) -> dict:
    """``items`` are rows in the order of ``inspections.ITEM_COLUMNS``."""
    return {
        "number": info.number, "uuid": info.uuid, "title": info.title, "subject_type": info.subject_type,
        "filters": info.filters, "base_ratio": info.base_ratio, "seed": info.seed, "as_of": info.as_of,
        "profile": info.profile, "per_subject": info.per_subject, "population": info.population,
        "selected": info.selected, "candidates_sha256": info.candidates_sha256, "pool": list(info.pool),
        "basis": list(info.basis), "note": info.note, "drawn_by": info.drawn_by, "drawn_at": info.drawn_at,
        "by_grade": {g: {"candidates": c, "selected": s} for g, (c, s) in by_grade.items()},
        "items": [{"position": p, "name": n, "id": i, "grade": g, "probability": pr, "inspectors": team.split("、"),
                   "certificates": certs.split("、"), "uuid": u} for p, n, i, g, pr, team, certs, u in items],
    }


def _print_draw(info, items: list[tuple], by_grade: dict) -> None:
    print(f"抽查编号 {info.number}  {info.title}")
    print(f"  范围：{info.scope_text}；候选 {info.population} 个，抽中 {info.selected} 个；基础比例 {info.ratio_text}；"
          f"每组 {info.per_subject} 人")
    print(f"  随机种子 {info.seed}；候选名单校验值 {info.candidates_sha256}")
    print(f"  抽取人 {info.drawn_by}  时间 {info.drawn_at.astimezone():%Y-%m-%d %H:%M}  依据 {'；'.join(info.basis)}")
    print("  按等级：" + "；".join(f"{g} {c} 个中抽 {s} 个（{c and round(100 * s / c)}%）"
                                 for g, (c, s) in by_grade.items()))
    for p, name, ident, grade, prob, team, certs, _uuid in items:
        print(f"  {p:>4}  {name}  {ident}  {grade}  {prob}  {team}（{certs}）")


def _show(db, actor, key: str, args) -> int:
    from models.services import inspections

    info = inspections.get_draw(db, draw=key)
    items = inspections.draw_items(db, actor=actor, draw=key)
    by_grade = inspections.selected_by_grade(db, draw=key)
    if getattr(args, "xlsx", None):
        from reports.xlsx import write_table

        write_table(args.xlsx, inspections.ITEM_COLUMNS, items, sheet=info.number,
                    title=f"{info.title}（抽查编号 {info.number}，随机种子 {info.seed}）")
    print_json(_draw_json(info, items, by_grade)) if args.json else _print_draw(info, items, by_grade)
    return 0


def cmd_inspection(db, args) -> int:
    from desktop.cli_commands import login
    from models.services import inspections

    if args.action == "list":
        rows = inspections.list_draws(db)
        if args.json:
            print_json([{"number": d.number, "title": d.title, "subject_type": d.subject_type, "seed": d.seed,
                         "population": d.population, "selected": d.selected, "drawn_by": d.drawn_by,
                         "drawn_at": d.drawn_at} for d in rows])
        for d in [] if args.json else rows:
            print(f"{d.number}  {d.drawn_at.astimezone():%Y-%m-%d}  {d.title}  候选 {d.population} 抽中 {d.selected}  种子 {d.seed}")
        return 0
    if args.action == "verify":
        check = inspections.verify(db, draw=args.draw)
        print(check.message)
        return 0 if check.same else 1
    if args.action == "outcomes":
        return _outcomes(db, args)
    if args.action == "risk" and args.op == "export":
        from models.services import risk

        print_json(risk.export_rules(db))
        return 0
    actor = login(db, args.user)
    if args.action == "outcome":
        from models.services import inspection_outcomes

        o = inspection_outcomes.record_outcome(
            db, actor=actor, draw=args.draw, position=args.position, outcome=args.result, inspected_on=args.on,
            note=args.note, kind=args.kind, case_no=args.case_no, amount=args.amount).value
        print(f"已登记：抽查 {o.draw} 第{o.position}个 {o.subject_name} 检查结果 {o.outcome}"
              + (f"，已记入信用档案（信用信息 {o.record}）" if o.record else ""))
        return 0
    if args.action == "risk":
        from models.services import risk

        if not args.file:
            raise CliError("规则文件：请写明要载入的 JSON 文件")
        from models.validation import read_text_file

        text = read_text_file(args.file, "规则文件")
        rules = risk.set_rules(db, actor=actor, text=text, reason=args.reason).value
        print(f"已启用风险等级规则“{rules.id}”：{'、'.join(lv.level for lv in (*rules.levels, rules.otherwise))}")
        return 0
    if args.action == "draw":
        info = inspections.draw(db, actor=actor, subject_type=args.type, base_ratio=args.ratio, title=args.title,
                                institutions=args.institution, township=args.township, seed=args.seed,
                                per_subject=args.inspectors, note=args.note).value
        return _show(db, actor, info.number, args)
    if args.action == "show":
        return _show(db, actor, args.draw, args)
    return _inspector(db, actor, args)


def _outcomes(db, args) -> int:
    from models.services import inspection_outcomes

    rows = inspection_outcomes.outcomes(db, draw=args.draw)
    if args.json:
        print_json([r.__dict__ for r in rows])
        return 0
    for r in rows:
        state = f"{r.outcome}（{r.inspected_on}）" if r.outcome else "未登记"
        print(f"{r.position:>4}  {r.subject_name}  {r.grade or '无等级'}  {state}" + (f"  信用信息 {r.record}" if r.record else ""))
    return 0


def _inspector(db, actor, args) -> int:
    from models.services import inspections

    if args.op == "add":
        if not args.name or not args.cert:
            raise CliError("执法人员：请写明姓名和 --cert 执法证号")
        i = inspections.add_inspector(db, actor=actor, name=args.name, certificate_no=args.cert, unit=args.unit).value
        print(f"已加入名录：{i.name}（执法证号 {i.certificate_no}）")
    elif args.op == "list":
        rows = inspections.list_inspectors(db)
        if args.json:
            print_json([r.__dict__ for r in rows])
        for r in [] if args.json else rows:
            print(f"{r.certificate_no}\t{r.name}\t{r.unit}\t{'在岗' if r.active else '停止选派'}")
    else:
        if not args.name:
            raise CliError("执法证号：请写明要停止或恢复选派的人员的执法证号")
        i = inspections.set_inspector_active(db, actor=actor, certificate_no=args.name, active=args.op == "on",
                                             reason=args.reason).value
        print(f"{i.name}（{i.certificate_no}）：{'在岗，可选派' if i.active else '已停止选派'}")
    return 0


COMMANDS = {"inspection": cmd_inspection}
