"""Command-line commands around the policy engine: catalogue, evaluation, measures, working days."""
from __future__ import annotations

import json
from pathlib import Path

from desktop.cli import print_json
from desktop.cli_commands import login
from models.db.database import Database
from models.services import county, deadlines, evaluation, measures, standing, workdays
from models.services.base import ServiceError
from models.validation import read_text_file


def cmd_catalog(db: Database, args) -> int:
    rows = evaluation.catalogue(db)
    if args.json:
        print_json(rows)
    for r in [] if args.json else rows:
        band = f"  记{r['band'][0]}–{r['band'][1]}分" if r["band"] else ""
        print(f"{r['code']:<28}{'守信' if r['good'] else '不良'}  {r['name']}{band}  〔{r['basis']}〕")
    return 0


def print_evaluation(data: dict) -> None:
    pts = data["points"]
    print(f"评价日期 {data['as_of']}  {data['points']['year']}年记分 {pts['total']}  "
          f"信用分 {data['score'] or '—'}  等级 {data['grade'] or '—'}")
    for m in data["measures"]:
        span = f" {m['start'] or ''}至{m['end'] or ''}" if m["start"] or m["end"] else ""
        print(f"  措施：{m['name']}{span}〔{m['status_text']}〕 依据 {m['basis']}")
    for li in data["lists"]:
        print(f"  名单：{li['list_name']} 自 {li['since']} 依据 {li['basis']}")
    if data["rule_status"]["status"] != "in_force":
        print("  注意：部分记录的决定日期没有有效政策规定（见下方说明）")
    for text in data["explanations"]:
        print(f"  · {text}")


def cmd_explain(db: Database, args) -> int:
    result = standing.explain(db, actor=login(db, args.user), subject=args.subject, as_of=args.as_of)
    print_json(result) if args.json else print_evaluation(result)
    return 0


def cmd_evaluate(db: Database, args) -> int:
    from desktop.cli_commands import _progress
    import sys

    run = standing.evaluate_all(db, actor=login(db, args.user), as_of=args.as_of, progress=_progress).value
    sys.stderr.write("\n")
    print(f"全县 {run.county} 个信用主体中 {run.subjects} 个需要更新（评价日期 {run.as_of}），"
          f"其中 {run.changed} 个结果有变化并已保存；其余在有效期内，无需重算")
    return 0


def _rules_changed(db: Database, actor) -> None:
    """The rules changed: bring every standing up to date now, with progress on the terminal."""
    from desktop.cli_commands import _progress
    import sys

    run = standing.refresh_due(db, actor=actor, progress=_progress)
    sys.stderr.write("\n")
    print(f"已按新的规则重新计算 {run.subjects} 个信用主体的信用状况，其中 {run.changed} 个结果有变化")


def cmd_measure(db: Database, args) -> int:
    measures.choose_measure(db, actor=login(db, args.user), record=args.record, months=args.months,
                            reason=args.reason, start=args.start)
    print(f"已确定期限 {args.months} 个月")
    return 0


def cmd_workdays(db: Database, args) -> int:
    if args.action == "add":
        deadline = workdays.add_workdays(db, start=args.start, days=args.days)
        if args.json:
            print_json({"from": args.start, "days": args.days, "deadline": deadline.date,
                        "provisional": deadline.provisional, "missing_years": list(deadline.missing_years)})
        else:
            print(deadline.text())
    elif args.action == "load":
        text = read_text_file(args.file, "节假日安排文件")
        loaded = deadlines.load_schedule(db, actor=login(db, args.user), text=text,
                                        source=args.source or Path(args.file).name).value
        print(f"已载入 {'、'.join(map(str, loaded))} 年的节假日安排")
    else:
        for y in workdays.years(db):
            print(f"{y.year}  放假 {y.holidays} 天  调休上班 {y.workdays} 天  来源 {y.source}（{y.loaded_by}）")
    return 0


def cmd_profile(db: Database, args) -> int:
    if args.action == "set":
        actor = login(db, args.user)
        info = county.change_profile(db, actor=actor, profile=args.name, reason=args.reason).value
        print(f"政策配置已变更为 {info.profile}")
        _rules_changed(db, actor)
        return 0
    info = county.get_county(db)
    if info is None:
        raise ServiceError("数据库尚未初始化，请先运行 credit-desk init")
    prof = evaluation.profile(info.profile)
    print(f"{info.name}（{info.code}）政策配置：{info.profile}（{prof.name}）")
    for pack in prof.packs:
        print(f"  {pack.cite_as}  {pack.title}  {pack.period_text()}")
    return 0


def cmd_indicators(db: Database, args) -> int:
    from models.services import indicators

    if args.action == "versions":
        rows = indicators.versions(db, profile=evaluation.profile(county.get_county(db).profile))
        if args.json:
            print(json.dumps(rows, ensure_ascii=False, indent=2))
        for r in [] if args.json else rows:
            print(f"{r['kind_name']}  {r['title'] or r['id']}  第{r['version']}版  "
                  f"{r['effective_from'] or '—'} 至 {r['effective_to'] or '长期'}{'  示例' if r['sample'] else ''}")
        return 0
    if args.action == "export":
        data = indicators.export(db, profile=evaluation.profile(county.get_county(db).profile), kind=args.kind,
                                 on=args.on)
        text = json.dumps(data, ensure_ascii=False, indent=2)
        Path(args.to).write_text(text, encoding="utf-8") if args.to else print(text)
        return 0
    text = read_text_file(args.file, "指标体系文件")
    actor = login(db, args.user)
    parsed = indicators.load(db, actor=actor, text=text, reason=args.reason).value
    print(f"已载入指标体系“{parsed.id}”第{parsed.version}版（{len(parsed.leaves())}个三级指标），"
          f"自{parsed.effective_from}起施行{'，仍标为示例' if parsed.sample else ''}")
    _rules_changed(db, actor)
    return 0


COMMANDS = {"catalog": cmd_catalog, "indicators": cmd_indicators, "explain": cmd_explain, "evaluate": cmd_evaluate, "measure": cmd_measure,
            "workdays": cmd_workdays, "profile": cmd_profile}
