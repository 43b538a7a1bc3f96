"""Rendering notices: documents per second for 1,000 信用结果告知书 from a demo county, against plain reportlab
drawing the same text with the same font in the same run (one drawString per 28 characters, 22 lines a
page: what a hand-written report would do without the GB/T 9704 grid, header, tables, seal place, QR code).

    .venv/bin/python bench/bench_notices.py [--count 1000] [--sign 1000] [--scale default|small] [--copy-of DEMO.sqlite3]

``--sign N`` issues N of them: rendered with the seal and the signature's place reserved, signed over the byte
ranges with a test certificate (chain and CRL embedded), stored with their register rows.
"""
from __future__ import annotations

import argparse
import io
import json
import time
from datetime import date
from pathlib import Path

from common import demo_database, peak_rss_mib

from reports import gbt9704 as g
from reports.documents import BUILDERS, Stamp, render
from reports.fonts import font_set
from reports.story import Story


def gather_facts(db, count: int) -> list[dict]:
    """Facts for up to ``count`` subjects with records (cycled to ``count``), through the real gathering code."""
    from sqlalchemy import select

    from models.db.tables import CreditRecord, Subject
    from models.db.tables_casework import Notice
    from models.services.base import ServiceError, UnitOfWork
    from models.services.notice_facts import gather

    with UnitOfWork(db) as uow:
        ids = list(uow.session.scalars(select(CreditRecord.subject_id).distinct().limit(count)))
        facts = []
        for s in uow.session.scalars(select(Subject).where(Subject.id.in_(ids))):
            notice = Notice(type="credit_result", subject=s, case_uuid="bench", created_by="bench",
                            payload=json.dumps({"as_of": date.today().isoformat()}))
            try:
                facts.append(gather(uow, notice))
            except ServiceError:  # no rule in force fixes the objection period: such a draft is refused
                continue
    return [facts[i % len(facts)] for i in range(count)]


def document_text(doc_type: str, facts: dict) -> list[str]:
    """The paragraphs the document prints, as the builder produces them."""
    story = Story(font_set())
    spec = BUILDERS[doc_type](story, {**facts, "_stamp": None, "_geometry": g.Geometry()}, "宁医保信〔2026〕1号")
    spec.body(story)
    return [facts["organ"], "宁医保信〔2026〕1号", spec.title] + [getattr(i, "text", "") for i in story.items
                                                             if getattr(i, "text", "")]


def plain(paragraphs: list[str], font: str) -> bytes:
    from reportlab.pdfgen.canvas import Canvas

    out = io.BytesIO()
    c = Canvas(out, pagesize=(g.PAGE_W, g.PAGE_H), initialFontName=font)
    line = 0
    for para in paragraphs:
        for start in range(0, max(len(para), 1), g.CHARS):
            if line == g.LINES:
                c.showPage()
                line = 0
            c.setFont(font, g.BODY)
            c.drawString(g.LEFT, g.PAGE_H - g.TOP - (line + 1) * g.LINE, para[start:start + g.CHARS])
            line += 1
    c.showPage()
    c.save()
    return out.getvalue()


class Issuer:
    """What ``notices.issue`` does per notice once the facts are gathered: render with the seal and the signature's
    place, sign the byte ranges, store the blob and the register row (in one transaction per block)."""

    def __init__(self):
        import tempfile
        from types import SimpleNamespace

        from models.db.database import open_database
        from reports.signing import make_test_pki

        pki = make_test_pki("宁阳县医疗保障局", "bench1234")
        self.key = SimpleNamespace(p12=pki.p12, password="bench1234")
        self.store = open_database(str(Path(tempfile.mkdtemp(prefix="creditdesk-issue-")) / "issue.sqlite3"))
        self.n = 0

    def issue(self, facts: list[dict]) -> int:
        import hashlib

        from sqlalchemy import text

        from models.db.tables import Blob
        from models.db.tables_notices import NoticeIssue
        from models.services.base import UnitOfWork
        from models.services.notices import IssueStamp
        from reports.issuing import produce

        pages = 0
        with UnitOfWork(self.store) as uow:
            uow.session.execute(text("PRAGMA foreign_keys=OFF"))  # register rows without the notices they belong to
            for f in facts:
                self.n += 1
                i = self.n
                stamp = IssueStamp(f"宁医保信〔2026〕{i}号", date.today(), f"B{i:03d}-{i:04d}", "370921")
                pdf, n_pages = produce("credit_result", f, stamp, self.key)
                pages += n_pages
                digest = hashlib.sha256(pdf).hexdigest()
                uow.session.add(Blob(sha256=digest, size=len(pdf), data=pdf))
                uow.session.add(NoticeIssue(
                    notice_id=i, doc_type="credit_result", title="信用结果告知书", prefix="宁医保信", year=2026, number=i,
                    doc_number=stamp.number, issued_on=stamp.issued_on, verify_code=stamp.verify_code, sha256=digest,
                    size=len(pdf), pages=n_pages, cert_fingerprint="bench", issued_by="bench",
                    facts=json.dumps(f, ensure_ascii=False, default=str)))
            uow.session.flush()
            uow.commit()
        return pages


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--sign", type=int, default=1000, help="how many to issue (render, sign, register)")
    parser.add_argument("--scale", choices=("default", "small"), default="default",
                        help="the demo county issuing (default: county scale, 200,000 insured persons)")
    parser.add_argument("--copy-of", help="an existing demo database to copy (instead of making one)")
    args = parser.parse_args()

    db, _admin, path = demo_database(args.scale, copy_of=args.copy_of)
    from models.services import standing

    standing.evaluate_all(db, actor=_admin)
    t0 = time.perf_counter()
    facts = gather_facts(db, args.count)
    gather_s = time.perf_counter() - t0
    unique = len({f["subject"]["uuid"] for f in facts})
    fonts = font_set()
    texts = [document_text("credit_result", f) for f in facts]

    # The three run interleaved in blocks of 50, so that whatever else the machine does weighs on each alike.
    issuer = Issuer()
    issuer.issue(facts[:1])  # unlock the key, fetch nothing (no CRL point), warm the font caches
    plain_s = render_s = issue_s = 0.0
    plain_bytes = pages = 0
    block = 50
    for start in range(0, len(facts), block):
        chunk, chunk_texts = facts[start:start + block], texts[start:start + block]
        t0 = time.perf_counter()
        plain_bytes += sum(len(plain(t, fonts["fangsong"].name)) for t in chunk_texts)
        t1 = time.perf_counter()
        for i, f in enumerate(chunk, start + 1):
            render("credit_result", f, Stamp(f"宁医保信〔2026〕{i}号", date.today(), "ABCD-EFGH", "370921"), fonts=fonts)
        t2 = time.perf_counter()
        pages += issuer.issue(chunk[: max(0, min(block, args.sign - start))])
        t3 = time.perf_counter()
        plain_s, render_s, issue_s = plain_s + t1 - t0, render_s + t2 - t1, issue_s + t3 - t2
    issued = min(args.sign, len(facts))

    print(f"documents: {len(facts)} 信用结果告知书 ({pages} pages issued) for {unique} subjects with records, cycled")
    print(f"gathering facts (evaluation, basis, deadlines): {unique / gather_s:8.1f} documents/s")
    print(f"plain reportlab, same text and font:           {len(facts) / plain_s:8.1f} documents/s "
          f"({plain_bytes / len(facts) / 1024:.0f} KiB each)")
    print(f"GB/T 9704 notices, rendered only:               {len(facts) / render_s:8.1f} documents/s "
          f"= {plain_s / render_s:.2f}x the plain baseline")
    if issued:
        print(f"issued (render with seal and signature place, sign byte ranges, register): {issued / issue_s:8.1f} "
              f"documents/s = {(issued / issue_s) / (len(facts) / plain_s):.2f}x the plain baseline")
    print(f"peak memory: {peak_rss_mib():.0f} MiB; database {path}")
    db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
