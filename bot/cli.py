"""Command line: `bot chat`, `bot ask`, `bot db ...`."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

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


def cmd_nlu_eval(args: argparse.Namespace) -> int:
    from bot.nlu_eval import run_eval, write_calibration
    from nlu.evaluate import markdown_report

    settings = Settings.from_env()
    results = run_eval(
        settings,
        folds=args.folds,
        rasa_url=args.rasa_url,
        rasa_pid=args.rasa_pid,
        out_dir=Path(args.out),
    )
    print(markdown_report(results))
    if args.write_calibration:
        write_calibration(settings.data_dir / "nlu" / "calibration.yaml", results["thresholds"])
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
    nlu = commands.add_parser("nlu", help="NLU tools").add_subparsers(dest="nlu", required=True)
    evaluate = nlu.add_parser("eval", help="evaluate the NLU backends (like rasa test nlu)")
    evaluate.add_argument("--folds", type=int, default=5)
    evaluate.add_argument("--rasa-url", help="also score a running Rasa server")
    evaluate.add_argument("--rasa-pid", type=int, help="the Rasa server's pid, for its memory")
    evaluate.add_argument("--out", default="bench/results", help="folder for the .md and .json")
    evaluate.add_argument(
        "--write-calibration",
        action="store_true",
        help="save the calibrated thresholds to data/nlu/calibration.yaml",
    )
    evaluate.set_defaults(func=cmd_nlu_eval)
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
