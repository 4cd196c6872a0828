"""Command line: `bot chat`, `bot ask`, `bot db ...`."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from bot.config import ConfigError, Settings


def _assistant(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from bot.app import build_assistant

    return build_assistant(Settings.from_env())


def cmd_ask(args: argparse.Namespace) -> int:
    from bot.channels.console.chat import ConsoleChannel, ask_lines

    channel = ConsoleChannel(_assistant(args))
    if args.jsonl:
        ask_lines(channel, sys.stdin, sys.stdout)
        return 0
    question = " ".join(args.question)
    if not question:
        print('Hãy nhập câu hỏi, ví dụ: bot ask "Sở Nội vụ phải làm gì?"', file=sys.stderr)
        return 2
    print(channel.render(channel.send(question)))
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    from bot.channels.console.chat import ConsoleChannel, chat

    chat(ConsoleChannel(_assistant(args)))
    return 0


def cmd_db(args: argparse.Namespace) -> int:
    from bot.app import prepare_database

    settings = Settings.from_env()
    prepare_database(settings)
    print(f"Cơ sở dữ liệu đã sẵn sàng: {settings.database_url}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bot", description="Trợ lý Chỉ thị 06/CT-UBND")
    commands = parser.add_subparsers(dest="command", required=True)
    ask = commands.add_parser("ask", help="hỏi một câu (hoặc --jsonl: mỗi dòng stdin một câu)")
    ask.add_argument("question", nargs="*")
    ask.add_argument("--jsonl", action="store_true", help="đọc câu hỏi từ stdin, in JSON từng dòng")
    ask.set_defaults(func=cmd_ask)
    chat = commands.add_parser("chat", help="trò chuyện trong cửa sổ dòng lệnh")
    chat.set_defaults(func=cmd_chat)
    db = commands.add_parser("db", help="tạo/nâng cấp cơ sở dữ liệu và nạp dữ liệu Chỉ thị")
    db.add_argument("action", choices=["upgrade"])
    db.set_defaults(func=cmd_db)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except ConfigError as error:
        print(f"Lỗi cấu hình: {error}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # Console output is Vietnamese whatever the terminal's locale says.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure:
            reconfigure(encoding="utf-8", errors="replace")
    if sys.stdin and hasattr(sys.stdin, "reconfigure"):
        sys.stdin.reconfigure(encoding="utf-8", errors="replace")
    code: int = args.func(args)
    return code
