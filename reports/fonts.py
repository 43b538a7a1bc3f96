"""Fonts for official documents: the office PC's own 仿宋/宋体/黑体/楷体 where present, else the bundled
open-licensed TrueType font (resources/fonts, SIL OFL 1.1).

reportlab embeds TrueType outlines only (Noto CJK's CFF outlines fail) and embeds each font as a
subset of the characters used. A character a chosen font lacks is drawn in the bundled font
instead (``runs``), so a rare character in a name never prints as a box.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

BUNDLED = "LXGWWenKai-Regular.ttf"
BUNDLED_NAME = "霞鹜文楷（内置，SIL OFL 1.1）"

# Role → candidate files in the Windows font folder, best first. 小标宋 is not part of Windows; offices
# that follow GB/T 9704 usually install 方正小标宋简体, otherwise 宋体 stands in for it.
WINDOWS_FILES: dict[str, tuple[tuple[str, int], ...]] = {
    "fangsong": (("simfang.ttf", 0), ("STFANGSO.TTF", 0)),
    "song": (("simsun.ttc", 0), ("simsun.ttf", 0), ("STSONG.TTF", 0)),
    "title": (("FZXBSJW.TTF", 0), ("方正小标宋简体.ttf", 0), ("FZXiaoBiaoSong-B05S.ttf", 0), ("simsun.ttc", 0)),
    "hei": (("simhei.ttf", 0), ("STHEITI.TTF", 0)),
    "kai": (("simkai.ttf", 0), ("STKAITI.TTF", 0)),
}
ROLE_NAMES = {"fangsong": "仿宋", "song": "宋体", "title": "小标宋", "hei": "黑体", "kai": "楷体"}


def windows_font_dirs() -> list[Path]:
    """The system font folder and the per-user one (fonts installed "for this user only")."""
    dirs = []
    if os.environ.get("WINDIR"):
        dirs.append(Path(os.environ["WINDIR"]) / "Fonts")
    dirs.append(Path("C:/Windows/Fonts"))
    if os.environ.get("LOCALAPPDATA"):
        dirs.append(Path(os.environ["LOCALAPPDATA"]) / "Microsoft" / "Windows" / "Fonts")
    return dirs


def font_dirs() -> tuple[Path, ...]:
    """``CREDIT_DESK_FONT_DIR`` (a folder holding simfang.ttf etc.) first, then Windows' folders."""
    extra = os.environ.get("CREDIT_DESK_FONT_DIR")
    return tuple(([Path(extra)] if extra else []) + windows_font_dirs())


def bundled_path() -> Path:
    return Path(str(resources.files("resources") / "fonts" / BUNDLED))


@dataclass(frozen=True)
class FontChoice:
    role: str
    name: str  # the name registered with reportlab
    path: Path
    index: int
    bundled: bool

    @property
    def emboldened(self) -> bool:
        """黑体 and 小标宋 drawn with the bundled regular font get a thin outline stroke to read as heavy."""
        return self.bundled and self.role in ("hei", "title")


@dataclass(frozen=True)
class FontSet:
    choices: dict[str, FontChoice]
    fallback: str  # registered name of the bundled font

    def __getitem__(self, role: str) -> FontChoice:
        return self.choices[role]

    def describe(self) -> str:
        return "；".join(f"{ROLE_NAMES[r]}：{c.path.name}{'（内置）' if c.bundled else ''}" for r, c in self.choices.items())

    def fallback_text(self) -> str:
        """For the settings: which GB/T 9704 fonts this PC lacks and what prints instead."""
        missing = [f"{ROLE_NAMES[r]}（{WINDOWS_FILES[r][0][0]}）" for r, c in self.choices.items() if c.bundled]
        used = "、".join(f"{ROLE_NAMES[r]}用{c.path.name}" for r, c in self.choices.items() if not c.bundled)
        if not missing:
            return f"公文字体均使用本机字体：{used}。"
        return (f"本机未找到{'、'.join(missing)}，以程序自带的{BUNDLED_NAME}代替"
                + (f"；{used}" if used else "") + "。安装上述字体后重新启动即按国家标准字体印制。")


def _register(name: str, path: Path, index: int) -> None:
    if name not in pdfmetrics.getRegisteredFontNames():
        font = TTFont(name, str(path), subfontIndex=index)
        # Subsetting copies whole tables (the CJK glyf table is megabytes) out of the file for every document.
        font.face.get_table = lru_cache(maxsize=None)(font.face.get_table)
        pdfmetrics.registerFont(font)


def _find(role: str, dirs: tuple[Path, ...]) -> tuple[Path, int] | None:
    for folder in dirs:
        for filename, index in WINDOWS_FILES[role]:
            path = folder / filename
            if path.is_file():
                return path, index
    return None


@lru_cache(maxsize=8)
def font_set(dirs: tuple[Path, ...] | None = None) -> FontSet:
    """Resolve and register every role once per set of folders."""
    dirs = font_dirs() if dirs is None else dirs
    _register("CD-Bundled", bundled_path(), 0)
    choices = {}
    for role in WINDOWS_FILES:
        found = _find(role, dirs)
        if found is None:
            choices[role] = FontChoice(role, "CD-Bundled", bundled_path(), 0, True)
            continue
        path, index = found
        name = f"CD-{path.stem}-{index}"
        try:
            _register(name, path, index)
        except Exception:  # a damaged or CFF-outline file: the bundled font still prints correctly
            choices[role] = FontChoice(role, "CD-Bundled", bundled_path(), 0, True)
            continue
        choices[role] = FontChoice(role, name, path, index, False)
    return FontSet(choices, "CD-Bundled")


def has_glyph(font_name: str, ch: str) -> bool:
    face = pdfmetrics.getFont(font_name).face
    return ord(ch) in face.charToGlyph or ch in " \n"


def missing_glyphs(text: str, font_name: str) -> str:
    """Characters of ``text`` the font cannot draw (each once, in order)."""
    return "".join(dict.fromkeys(ch for ch in text if not has_glyph(font_name, ch)))


def runs(text: str, font_name: str, fallback: str) -> list[tuple[str, str]]:
    """Split ``text`` into (font, text) runs: characters the font lacks go to the fallback font."""
    out: list[tuple[str, str]] = []
    for ch in text:
        name = font_name if font_name == fallback or has_glyph(font_name, ch) else fallback
        if out and out[-1][0] == name:
            out[-1] = (name, out[-1][1] + ch)
        else:
            out.append((name, ch))
    return out
