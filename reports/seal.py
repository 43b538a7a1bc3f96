"""The bureau's red seal, drawn as vectors from the template in resources/seal/seal.json: a ring, a
five-pointed star in the centre and the organ's name along the upper arc, left to right.

It is drawn on the page of an issued document, over the organ's name and the date (GB/T 9704 7.3.5.1),
so every viewer and printer shows it exactly as signed; the digital signature (reports/signing.py)
protects the whole file, seal included. Drafts show a dashed ring in its place instead.
"""
from __future__ import annotations

import json
import math
from functools import lru_cache
from importlib import resources

from reportlab.lib.colors import Color
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from reports.fonts import FontSet


@lru_cache(maxsize=1)
def template() -> dict:
    return json.loads((resources.files("resources") / "seal" / "seal.json").read_text(encoding="utf-8"))


def draw_seal(c: Canvas, cx: float, cy: float, organ: str, fonts: FontSet) -> None:
    t = template()
    r = t["diameter_mm"] * mm / 2
    red = Color(*t["color"])
    c.saveState()
    c.setStrokeColor(red)
    c.setFillColor(red)
    c.setLineWidth(t["ring_mm"] * mm)
    c.circle(cx, cy, r - t["ring_mm"] * mm / 2, stroke=1, fill=0)
    star = t["star_mm"] * mm / 2
    points = []
    for k in range(10):
        radius = star if k % 2 == 0 else star * 0.382
        angle = math.pi / 2 + k * math.pi / 5
        points.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    path = c.beginPath()
    path.moveTo(*points[0])
    for p in points[1:]:
        path.lineTo(*p)
    path.close()
    c.drawPath(path, stroke=0, fill=1)
    font = fonts["song"].name
    size = t["text_size_pt"]
    text_r = t["text_radius_mm"] * mm
    span = math.radians(t["arc_degrees"])
    n = len(organ)
    for i, ch in enumerate(organ):
        # from upper left to upper right, centred on the top of the circle
        angle = math.pi / 2 + span / 2 - (span * (i + 0.5) / n)
        c.saveState()
        c.translate(cx + text_r * math.cos(angle), cy + text_r * math.sin(angle))
        c.rotate(math.degrees(angle) - 90)
        c.setFont(font, size)
        c.drawString(-stringWidth(ch, font, size) / 2, -size * 0.35, ch)
        c.restoreState()
    # Text extractors (poppler) keep the last characters' rotation until the font changes: end upright.
    c.setFont(fonts["song"].name, size)
    c.drawString(cx, cy, " ")
    c.restoreState()
