"""argparse in Chinese: its few built-in messages translated, errors as one line."""
from __future__ import annotations

import argparse
import sys

_ZH = {
    "usage: ": "用法：",
    "positional arguments": "位置参数",
    "options": "选项",
    "show this help message and exit": "显示帮助并退出",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选择：%(value)r（可选：%(choices)s）",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "expected one argument": "需要一个值",
    "invalid %(type)s value: %(value)r": "无效的值：%(value)r",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
}
EXIT_INPUT = 2


class CliError(Exception):
    """Bad input on the command line: one Chinese line and this exit code. Defined here, not in cli.py,
    so that ``python -m desktop.cli`` (which runs cli.py as __main__) catches the same class."""

    def __init__(self, message: str, code: int = EXIT_INPUT):
        super().__init__(message)
        self.code = code


argparse._ = lambda text: _ZH.get(text, text)  # argparse looks its messages up through this name


class Parser(argparse.ArgumentParser):
    def error(self, message: str):
        sys.stderr.write(f"参数错误：{message}（运行 {self.prog} --help 查看用法）\n")
        raise SystemExit(2)
