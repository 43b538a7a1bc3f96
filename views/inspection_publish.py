"""“一公开”: a draw as a printable, publishable table (print preview or PDF) and as an Excel file.

The printed result is for publication: people's ID numbers are partly hidden whoever prints it;
the Excel export is for the bureau's own work and follows the user's right to see full numbers.
"""
from __future__ import annotations

import html
from datetime import date

from PySide6.QtGui import QPageLayout, QPageSize, QTextDocument
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QWidget

from models.services import county, inspections
from models.services.base import Actor
from models.services.subjects import mask_id
from reports.xlsx import write_table


def export_draw(db, *, actor: Actor, draw: str, path: str, progress=None) -> int:
    """Runs on the worker: the whole selection into an xlsx file, ID numbers as text."""
    info = inspections.get_draw(db, draw=draw)
    items = inspections.draw_items(db, actor=actor, draw=draw)
    return write_table(path, inspections.ITEM_COLUMNS, items, sheet=info.number,
                       title=f"{info.title}（抽查编号 {info.number}，随机种子 {info.seed}）", progress=progress,
                       total=len(items))


def publication(db, *, actor: Actor, draw: str) -> dict:
    """Runs on the worker: what the published result shows."""
    info = inspections.get_draw(db, draw=draw)
    people = info.subject_type != "institution"
    items = [(pos, name, mask_id(ident) if people else ident, grade, prob, team, certs)
             for pos, name, ident, grade, prob, team, certs, _uuid in inspections.draw_items(db, actor=actor, draw=draw)]
    return {"county": county.get_county(db).name, "info": info, "items": items,
            "by_grade": inspections.selected_by_grade(db, draw=draw)}


def publication_html(data: dict) -> str:
    info, e = data["info"], html.escape
    facts = [("抽查编号", info.number), ("抽查范围", info.scope_text),
             ("抽取时间", f"{info.drawn_at.astimezone():%Y年%m月%d日 %H:%M}"),
             ("候选对象", f"{info.population} 个；抽中 {info.selected} 个"),
             ("按信用等级", "；".join(f"{g} {c} 个中抽中 {s} 个" for g, (c, s) in data["by_grade"].items())),
             ("基础抽查比例", f"{info.ratio_text}（各等级按比例折算）"), ("每个对象选派执法人员", f"{info.per_subject} 人"),
             ("随机种子", info.seed), ("候选名单校验值（SHA-256）", info.candidates_sha256),
             ("依据", "；".join(info.basis))]
    rows = "".join(
        "<tr>" + "".join(f"<td>{e(str(v))}</td>" for v in (pos, name, ident, grade, prob, f"{team}（{certs}）")) + "</tr>"
        for pos, name, ident, grade, prob, team, certs in data["items"])
    ident = "统一社会信用代码" if info.subject_type == "institution" else "身份证号（部分隐藏）"
    return f"""
<h2 align="center">{e(info.title)}</h2>
<p align="center">“双随机、一公开”抽查结果</p>
<table cellspacing="0" cellpadding="3">{''.join(f'<tr><td><b>{e(k)}：</b></td><td>{e(v)}</td></tr>' for k, v in facts)}</table>
<p></p>
<table border="1" cellspacing="0" cellpadding="4" width="100%">
<tr><th>序号</th><th>检查对象</th><th>{ident}</th><th>信用等级</th><th>抽中概率</th><th>检查人员（执法证号）</th></tr>
{rows or '<tr><td colspan="6">本次未抽中检查对象</td></tr>'}
</table>
<p>按上述随机种子、候选名单（校验值见上）和执法人员名录，可复算得到同一结果。</p>
<p align="right">{e(data['county'])}医疗保障局<br/>{date.today():%Y年%m月%d日}</p>
"""


def document(data: dict, font) -> QTextDocument:
    doc = QTextDocument()
    doc.setDefaultFont(font)  # the application's font has the Chinese glyphs
    doc.setHtml(publication_html(data))
    return doc


def a4_printer(mode=QPrinter.PrinterMode.HighResolution) -> QPrinter:
    printer = QPrinter(mode)
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    printer.setPageOrientation(QPageLayout.Orientation.Portrait)
    return printer


def save_pdf(doc: QTextDocument, path: str) -> None:
    printer = a4_printer()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(path)
    doc.print_(printer)


def print_preview(doc: QTextDocument, parent: QWidget) -> QPrintPreviewDialog:
    printer = a4_printer()
    dialog = QPrintPreviewDialog(printer, parent)
    # The dialog keeps only a C++ pointer to the printer and reads the document when painting:
    # both must live as long as it does.
    dialog.kept_printer, dialog.document = printer, doc
    dialog.setWindowTitle("打印预览 — 抽查结果")
    dialog.paintRequested.connect(doc.print_)
    return dialog
