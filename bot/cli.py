"""Command line: `bot chat`, `bot ask`, `bot db ...`."""

from __future__ import annotations

import argparse
import logging
import os
import re
import shutil
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from bot import logs
from bot.config import ConfigError, Settings, masked_url
from bot.domain.knowledge import Agency
from bot.domain.roles import can_belong_to, role_named

if TYPE_CHECKING:  # imported where used: a command pays only for what it runs
    from bot.application.admin.drafts import DraftDuty

log = logging.getLogger(__name__)


def _assistant(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from bot.app import build_assistant

    return build_assistant(Settings.from_env())


def cmd_ask(args: argparse.Namespace) -> int:
    from bot.channels.console.chat import ConsoleChannel, ask_lines

    # Each question on its own: not a follow-up of `bot chat` (same console user) nor
    # of the line before it (the evaluation sets are independent questions).
    channel = ConsoleChannel(_assistant(args), standalone=True)
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

    chat(ConsoleChannel(_assistant(args), user_id=args.user_id))
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    """Serve every channel that has a token (Zalo, Telegram), with the scheduler."""
    from bot.app import build_assistant
    from bot.runner import run

    return run(Settings.from_env(), build_assistant, args.channel)


def cmd_web(args: argparse.Namespace) -> int:
    """`bot web`: serve the portal alone; `bot web link`: a login link for an account."""
    from bot.app import build_assistant
    from bot.runner import run_web

    settings = Settings.from_env()
    if args.web_action == "link":
        return _web_link(settings, args.channel, args.user_id)
    return run_web(settings, build_assistant)


def _web_link(settings: Settings, channel: str, user_id: str) -> int:
    """A one-time login link for a chat account (the command line is trusted), e.g. for
    the first admin before any chat channel runs."""
    from bot.app import prepare_database
    from bot.application.accounts import menu_role
    from bot.application.portal import login
    from bot.storage.db import session_scope
    from bot.storage.models import utcnow
    from bot.storage.repositories import UserRepo

    if not settings.public_url:
        print("Chưa khai báo WEB_PUBLIC_URL: chưa tạo được liên kết.", file=sys.stderr)
        return 2
    sessions = prepare_database(settings)
    with session_scope(sessions) as session:
        user = UserRepo(session).get(channel, user_id)
        if user is None or menu_role(user) is None:
            print(
                f"Tài khoản {channel}:{user_id} chưa liên kết với cơ quan nào "
                "(bot invite, bot admin).",
                file=sys.stderr,
            )
            return 2
        url = login.create_link(session, user, settings.public_url, utcnow())
    print(f"Liên kết đăng nhập (dùng một lần, trong {login.LINK_MINUTES} phút): {url}")
    return 0


def cmd_db(args: argparse.Namespace) -> int:
    from bot.app import prepare_database

    settings = Settings.from_env()
    prepare_database(settings)
    print(f"Cơ sở dữ liệu đã sẵn sàng: {masked_url(settings.database_url)}")
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
        rasa_cv=Path(args.rasa_cv) if args.rasa_cv else None,
    )
    print(markdown_report(results))
    if args.write_calibration:
        write_calibration(settings.data_dir / "nlu" / "calibration.yaml", results["thresholds"])
    return 0


MAX_INVITE_DAYS = 365  # a code on paper should not stay usable for years
NOT_JOINABLE = (
    "Không mời vào «{name}» được: mã mời chỉ dành cho một cơ quan của tỉnh "
    "(không phải một nhóm cơ quan hay cơ quan trung ương)."
)


def cmd_invite(args: argparse.Namespace) -> int:
    """Create a one-time invite code (the command line is trusted: no inviter)."""
    from bot.app import prepare_database
    from bot.application import accounts
    from bot.application.messages import Reply
    from bot.application.render import Renderer
    from bot.domain.dates import vn_datetime
    from bot.storage.db import session_scope
    from bot.storage.models import Agency
    from nlu.yaml_io import read_yaml

    role = role_named(args.role)
    if role is None:
        print(
            f"Không có vai trò «{args.role}»: chọn canbo (cán bộ), lanhdao (lãnh đạo) "
            "hoặc quantri (quản trị viên).",
            file=sys.stderr,
        )
        return 2
    if not 1 <= args.days <= MAX_INVITE_DAYS:
        print(
            f"Số ngày hiệu lực của mã mời phải từ 1 đến {MAX_INVITE_DAYS}, không phải {args.days}.",
            file=sys.stderr,
        )
        return 2
    settings = Settings.from_env()
    sessions = prepare_database(settings)
    with session_scope(sessions) as session:
        agency = session.get(Agency, args.agency) if args.agency else None
        if args.agency and (agency is None or not can_belong_to(agency.kind, agency.level)):
            if agency is None:
                print(f"Không có cơ quan «{args.agency}».", file=sys.stderr)
            else:
                print(NOT_JOINABLE.format(name=agency.name), file=sys.stderr)
            print("Mã các cơ quan (--agency):", file=sys.stderr)
            for row in session.scalars(
                select(Agency).where(Agency.active).order_by(Agency.position)
            ):
                if can_belong_to(row.kind, row.level):
                    print(f"  {row.id} — {row.short_name}", file=sys.stderr)
            return 2
        try:
            invite = accounts.create_invite(session, args.agency, role, days=args.days)
        except accounts.AccountError as error:  # the reason, worded as in chat
            refusal = Reply("account/code_error", {"reason": error.reason})
            print(Renderer(settings.templates_dir).render(refusal), file=sys.stderr)
            return 2
        where = agency.name if agency is not None else "toàn tỉnh"
    label = read_yaml(settings.templates_dir / "labels.yaml")["role"][role]
    print(
        f"Mã mời: {invite.code} ({label}, {where}), hết hạn lúc {vn_datetime(invite.expires_at)} "
        f"(giờ Việt Nam). Người dùng gõ cho bot: /start {invite.code}"
    )
    return 0


def cmd_admin(args: argparse.Namespace) -> int:
    """Make a chat account an admin: how the first admin is created."""
    from bot.app import prepare_database
    from bot.application import accounts
    from bot.storage.db import session_scope

    sessions = prepare_database(Settings.from_env())
    with session_scope(sessions) as session:
        user = accounts.bootstrap_admin(session, args.channel, args.user_id, args.name)
        print(f"Tài khoản {args.channel}:{args.user_id} (id {user.id}) là quản trị viên.")
    return 0


def cmd_directive_import(args: argparse.Namespace) -> int:
    """Draft a directive pack from its text, .txt, .docx or .pdf (for review, not loaded)."""
    from bot.application.admin.drafts import draft_problems, write_review
    from bot.application.importer.documents import UnreadableDocument, document_text
    from bot.application.importer.draft import write_draft
    from bot.application.importer.pipeline import import_directive

    settings = Settings.from_env()
    path = Path(args.file)
    # pypdf warns in English about every damaged structure it meets ("EOF marker not
    # found"); the user gets one Vietnamese line instead (LOG_LEVEL=DEBUG shows them).
    if not logging.getLogger().isEnabledFor(logging.DEBUG):
        logging.getLogger("pypdf").setLevel(logging.CRITICAL)
    try:
        text = document_text(path.name, path.read_bytes(), settings.imports)
    except UnreadableDocument as error:
        print(error, file=sys.stderr)
        return 2
    except OSError as error:
        print(_unreadable_file(path, error), file=sys.stderr)
        return 2
    if not text.strip():
        print(f"Tệp {path} không có nội dung: không có gì để nhập.", file=sys.stderr)
        return 2
    result = import_directive(text, _agency_catalog(settings))
    if result.missing:
        print(
            f"Không nhập {path}: không tìm thấy {' và '.join(result.missing)}. "
            "Tệp có phải là một văn bản chỉ đạo không?",
            file=sys.stderr,
        )
        return 2
    out = Path(args.out) if args.out else settings.data_dir / "drafts" / result.directive.id
    write_draft(result, out)
    # What the importer could not place, tied to duties: `bot directive set` settles it.
    write_review(out, path.name, draft_problems(result), result.unassigned)
    print("\n".join(result.summary()))
    for problem in result.problems[:20]:
        print(f"  - {problem}")
    if len(result.problems) > 20:
        print(f"  ... (+{len(result.problems) - 20}, xem import_report.txt)")
    print(f"Bản nháp: {out} (directive.yaml, source.txt, import_report.txt)")
    return 0


def _agency_catalog(settings: Settings) -> tuple[Agency, ...]:
    """The agencies as admins keep them in the database (added, renamed, merged): the
    catalog a directive sent in chat is read against, not data/agencies.yaml."""
    from bot.app import prepare_database
    from bot.application.knowledge.seed import load_knowledge_from_db
    from bot.storage.db import session_scope

    with session_scope(prepare_database(settings)) as session:
        return load_knowledge_from_db(session).agencies


def _unreadable_file(path: Path, error: OSError) -> str:
    """Why a file could not be read, in Vietnamese (not "[Errno 2] ...")."""
    if isinstance(error, FileNotFoundError):
        return f"Không có tệp {path}."
    if isinstance(error, IsADirectoryError):
        return f"{path} là một thư mục, không phải tệp."
    if isinstance(error, PermissionError):
        return f"Không có quyền đọc tệp {path}."
    return f"Không đọc được tệp {path}."


def cmd_directive_publish(args: argparse.Namespace) -> int:
    """Publish a draft pack into the database: answers and nudges use it from the
    next start (a running assistant reloads its indexes on its own)."""
    from bot.application.knowledge import publishing

    settings = Settings.from_env()
    folder = Path(args.draft)
    if not folder.is_dir():
        folder = settings.data_dir / "drafts" / args.draft

    def publish(session: Session) -> str:
        left_out = _left_out(session, folder)
        if left_out and not args.force:  # as chat asks first (admin/directive_confirm)
            in_drafts = folder.resolve().parent == (settings.data_dir / "drafts").resolve()
            view = {
                "id": args.draft,
                "retired": False,
                "left_out": left_out,
                "cli": True,
                "settable": folder.name if in_drafts else "",  # `bot directive set` reads those
            }
            raise publishing.PublishError(_render(settings, "admin/directive_confirm", view))
        try:
            directive = publishing.publish(session, folder, revive=args.revive)
        except publishing.RetiredDirective as error:
            raise publishing.PublishError(
                f"{error} Để công bố lại: bot directive publish {args.draft} --revive"
            ) from error
        done = f"Đã công bố {directive.name} ({directive.id}): {len(directive.duties)} nhiệm vụ."
        if left_out:
            ids = ", ".join(d.id for d in left_out)
            done += f" Không công bố {len(left_out)} nhiệm vụ chưa có cơ quan chủ trì: {ids}."
        return done

    done = _directive_change(settings, publish)
    if done == 0 and folder.resolve().parent == (settings.data_dir / "drafts").resolve():
        # Published, a draft of data/drafts is gone, as in chat: a leftover cannot
        # publish the directive again (once retired, it would come back unasked).
        shutil.rmtree(folder)
    return done


def _left_out(session: Session, folder: Path) -> list[DraftDuty]:
    """The draft's duties with no lead, which publishing leaves out (none when the
    folder is no draft: publishing says what is wrong with it)."""
    from bot.application.admin import drafts
    from bot.application.knowledge.seed import load_knowledge_from_db

    agencies = load_knowledge_from_db(session).agencies
    try:
        draft = drafts.open_draft(folder, agencies, named_by_id=False)
    except drafts.DraftError:
        return []
    return [row for row in drafts.duty_rows(draft, agencies) if not row.assigned]


def _render(settings: Settings, template: str, view: dict[str, Any]) -> str:
    from bot.application.messages import Reply
    from bot.application.render import Renderer

    return Renderer(settings.templates_dir, "text").render(Reply(template, view)).strip()


def cmd_directive_set(args: argparse.Namespace) -> int:
    """Correct a duty of a draft before publishing it: its lead or coordinating agencies,
    its deadline; prints the updated review (as chat and the portal show it)."""
    from bot.app import prepare_database
    from bot.application.admin import drafts
    from bot.application.knowledge.seed import load_knowledge_from_db
    from bot.application.render import Renderer
    from bot.storage.db import session_scope

    settings = Settings.from_env()
    sessions = prepare_database(settings)
    given = {"lead": args.lead, "coordinate": args.coordinate, "deadline": args.deadline}
    changes = {field: value for field, value in given.items() if value is not None}
    drafts_dir = settings.data_dir / "drafts"
    try:
        with session_scope(sessions) as session:
            kb = load_knowledge_from_db(session)
            fixed = drafts.correct(
                session, kb.agencies, drafts_dir, None, args.draft, args.duty, changes
            )
            held = any(d.id == fixed.draft.directive.id for d in kb.directives)
    except drafts.DraftError as error:
        print(f"Chưa sửa được bản nháp «{args.draft}»:", file=sys.stderr)
        for line in error.problems:
            print(f"  - {line}", file=sys.stderr)
        if error.suggestions:
            print(f"  Có phải: {', '.join(error.suggestions)}?", file=sys.stderr)
        return 2
    reply = drafts.review_reply(fixed.draft, kb.agencies, held, fixed.after.id, printed=True)
    print(Renderer(settings.templates_dir, "text").render(reply))
    return 0


def cmd_directive_retire(args: argparse.Namespace) -> int:
    from bot.application.knowledge import publishing
    from bot.storage.models import utcnow

    def retire(session: Session) -> str:
        row = publishing.retire(session, args.id, utcnow())
        name = f"{row.doc_type} {row.number}"
        return f"Đã ngừng áp dụng {name} (giữ lại lịch sử báo cáo, không nhắc việc nữa)."

    return _directive_change(Settings.from_env(), retire)


def _directive_change(settings: Settings, change: Callable[[Session], str]) -> int:
    """Run a publish or retire in one transaction; print what was done, or why not."""
    from bot.app import prepare_database
    from bot.application.knowledge import publishing
    from bot.storage.db import session_scope

    sessions = prepare_database(settings)
    try:
        with session_scope(sessions) as session:
            done = change(session)
    except publishing.PublishError as error:
        print(error, file=sys.stderr)
        return 2
    print(done)
    return 0


def cmd_directive_list(args: argparse.Namespace) -> int:
    from bot.app import prepare_database
    from bot.application.knowledge import publishing
    from bot.storage.db import session_scope

    sessions = prepare_database(Settings.from_env())
    with session_scope(sessions) as session:
        for d in publishing.listed(session):
            state = "đang áp dụng" if d.active else "ngừng áp dụng"
            origin = "công bố" if d.origin == "published" else "gói dữ liệu"
            print(f"{d.id}\t{d.name}\t{d.issued:%d/%m/%Y}\t{state}\t{origin}\t{d.duties} nhiệm vụ")
    return 0


def cmd_content_file(args: argparse.Namespace) -> int:
    """`bot faq|duties export|import FILE` (YAML, CSV or XLSX by the file's suffix)."""
    from bot.app import prepare_database
    from bot.application.admin import files
    from bot.storage.db import session_scope
    from bot.storage.models import Clause

    settings = Settings.from_env()
    sessions = prepare_database(settings)
    path = Path(args.file)
    try:
        with session_scope(sessions) as session:
            if args.action == "export":
                export = files.export_faq if args.kind == "faq" else files.export_duties
                count = export(session, path)
                print(f"Đã xuất {count} mục ra {path}")
                return 0
            if args.kind == "faq":
                clauses = set(session.scalars(select(Clause.id)))
                report = files.import_faq(session, None, path, clauses, settings.imports)
            else:
                report = files.import_duties(session, None, path, settings.imports)
    except files.FileProblems as problems:
        print(f"Không nhập tệp {path} (không có gì thay đổi):", file=sys.stderr)
        for line in problems.problems:
            print(f"  - {line}", file=sys.stderr)
        return 2
    print(
        f"Đã nhập {path}: {len(report.created)} mục mới, {len(report.updated)} mục sửa, "
        f"{len(report.unchanged)} mục không đổi. Bot đang chạy sẽ dùng nội dung mới "
        "trong vòng vài chục giây."
    )
    return 0


def cmd_agencies(args: argparse.Namespace) -> int:
    """`bot agencies list|add|rename|merge|deactivate|reactivate|apply`: the agency
    catalog's admins' layer; each change goes through an operations file's code path
    and is told in the chat's words (admin/agency_changed, admin/agency_refused)."""
    from bot.app import prepare_database
    from bot.application.admin import agencies
    from bot.application.admin.agency_file import AgencyFileError, Plan, apply_file, read_file
    from bot.application.messages import Reply
    from bot.application.render import Renderer
    from bot.storage.db import session_scope

    settings = Settings.from_env()
    sessions = prepare_database(settings)
    render = Renderer(settings.templates_dir).render
    try:
        if args.action == "apply":
            plan = read_file(Path(args.file))
        elif args.action != "list":
            plan = Plan(args.source, (_agency_op(args),))
        with session_scope(sessions) as session:
            if args.action == "list":
                for view in agencies.catalog(session):
                    state = (
                        f"đã gộp vào {view.merged_into}"
                        if view.merged_into
                        else ("đang hoạt động" if view.active else "ngừng hoạt động")
                    )
                    print(f"{view.id}\t{view.short_name}\t{state}\t{view.people} tài khoản")
                return 0
            done = apply_file(session, None, plan)
    except AgencyFileError as error:
        print("Không thay đổi danh mục cơ quan (không có gì được ghi):", file=sys.stderr)
        for line in error.problems:
            print(f"  - {line}{':' if error.refusal else ''}", file=sys.stderr)
        if error.refusal is not None:
            refusal = {
                "reason": error.refusal.reason,
                "cli": True,
                "in_file": args.action == "apply",
                **error.refusal.data,
            }
            print(render(Reply("admin/agency_refused", refusal)), file=sys.stderr)
        return 2
    print(render(Reply("admin/agency_changed", {"changes": done, "cli": True})))
    return 0


def _agency_op(args: argparse.Namespace) -> dict[str, object]:
    """One operation, as an operations file writes it, from the command's arguments;
    `deactivate A --into C` is a merge (the duties, accounts and reports go to C)."""
    action = args.action
    if action == "deactivate" and args.into:
        action = "merge"
    op: dict[str, object] = {action: args.id if action in ("add", "rename") else args.ids}
    for key in ("into", "name", "short_name", "kind", "level", "force"):
        if value := getattr(args, key, ""):
            op[key] = value
    return op


def cmd_stats(args: argparse.Namespace) -> int:
    """What admins get with /thongke: questions, refusals and ratings per week."""
    from bot.app import prepare_database
    from bot.application.admin import stats
    from bot.application.messages import Reply
    from bot.application.render import Renderer
    from bot.storage.db import session_scope

    settings = Settings.from_env()
    if not 1 <= args.weeks <= stats.MAX_WEEKS:
        print(f"--weeks: từ 1 đến {stats.MAX_WEEKS} tuần.", file=sys.stderr)
        return 2
    sessions = prepare_database(settings)
    with session_scope(sessions) as session:
        view = {"stats": stats.weekly(session, args.weeks)}
        print(Renderer(settings.templates_dir).render(Reply("admin/stats", view)))
    return 0


class _VietnameseFormatter(argparse.HelpFormatter):
    def add_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, "Cách dùng: " if prefix is None else prefix)


# argparse's own messages (Python 3.10-3.12), as printed, and how admins read them.
# argparse words them through gettext at import time with no Vietnamese catalog, so
# they are translated where they are printed (`error`); one not listed keeps its words.
_ARGPARSE_ERRORS = (
    (r"the following arguments are required: (.+)", "thiếu tham số bắt buộc: {0}"),
    (r"unrecognized arguments: (.+)", "không hiểu các tham số: {0}"),
    (
        r"argument (.+?): invalid choice: (.+?) \(choose from (.+)\)",
        "tham số {0}: không có lựa chọn {1} (chọn một trong: {2})",
    ),
    (r"argument (.+?): invalid (\w+) value: (.+)", "tham số {0}: giá trị {2} không hợp lệ"),
    (r"argument (.+?): expected one argument", "tham số {0} cần một giá trị"),
    (r"argument (.+?): expected at least one argument", "tham số {0} cần ít nhất một giá trị"),
    (r"argument (.+?): expected at most one argument", "tham số {0} nhận nhiều nhất một giá trị"),
    (r"argument (.+?): not allowed with argument (.+)", "tham số {0} không dùng cùng {1}"),
    (r"one of the arguments (.+) is required", "cần một trong các tham số {0}"),
    (r"ambiguous option: (.+?) could match (.+)", "tùy chọn {0} không rõ: có thể là {1}"),
    (r"argument (.+?): (.+)", "tham số {0}: {1}"),  # a type's own (Vietnamese) reason
)


def vietnamese_error(message: str) -> str:
    """An argparse error message in Vietnamese (the argument names stay as typed)."""
    for pattern, words in _ARGPARSE_ERRORS:
        if found := re.fullmatch(pattern, message):
            return words.format(*found.groups())
    return message


class VietnameseParser(argparse.ArgumentParser):
    """An ArgumentParser whose usage, help headings and errors are Vietnamese; its
    subcommands' parsers are made by it too (argparse makes them of the parent's class)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _VietnameseFormatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = "tham số"
        self._optionals.title = "tùy chọn"
        self.add_argument("-h", "--help", action="help", help="in hướng dẫn này rồi thoát")

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: lỗi: {vietnamese_error(message)}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = VietnameseParser(prog="bot", description="Trợ lý thực hiện chỉ thị của UBND tỉnh")
    commands = parser.add_subparsers(dest="command", required=True, metavar="LỆNH")
    ask = commands.add_parser("ask", help="hỏi một câu (hoặc --jsonl: mỗi dòng stdin một câu)")
    ask.add_argument("question", nargs="*", metavar="CÂU_HỎI", help="câu hỏi")
    ask.add_argument(
        "--jsonl",
        action="store_true",
        help=(
            "đọc câu hỏi từ stdin, mỗi dòng một câu (chữ thường hoặc JSON có khóa «text»), "
            "in JSON từng dòng"
        ),
    )
    ask.set_defaults(func=cmd_ask)
    chat = commands.add_parser("chat", help="trò chuyện trong cửa sổ dòng lệnh")
    chat.add_argument(
        "--user-id",
        default="local",
        metavar="MÃ",
        help="tài khoản dòng lệnh (mặc định local): mỗi mã là một người, để thử nhiều vai",
    )
    chat.set_defaults(func=cmd_chat)
    run = commands.add_parser(
        "run", help="chạy trợ lý trên mọi kênh đã có token (Zalo, Telegram) và bộ nhắc việc"
    )
    run.add_argument("--channel", choices=["zalo", "telegram"], help="chỉ chạy một kênh")
    run.set_defaults(func=cmd_run)
    web = commands.add_parser(
        "web", help="chạy riêng trang web (tổng hợp, quản trị), không có kênh chat và bộ nhắc việc"
    )
    web_actions = web.add_subparsers(dest="web_action", metavar="VIỆC")
    web_link = web_actions.add_parser(
        "link", help="in liên kết đăng nhập một lần cho một tài khoản"
    )
    web_link.add_argument(
        "--channel", choices=["zalo", "telegram", "console"], default="zalo", help="kênh"
    )
    web_link.add_argument(
        "--user-id", required=True, metavar="ID", help="id người dùng trên kênh chat"
    )
    web.set_defaults(func=cmd_web, web_action=None)
    db = commands.add_parser("db", help="tạo/nâng cấp cơ sở dữ liệu và nạp dữ liệu Chỉ thị")
    db.add_argument("action", choices=["upgrade"], help="upgrade: tạo hoặc nâng cấp")
    db.set_defaults(func=cmd_db)
    invite = commands.add_parser("invite", help="tạo mã mời một lần cho một cơ quan và vai trò")
    invite.add_argument(
        "--agency", metavar="MÃ_CƠ_QUAN", help="mã cơ quan (xem: bot agencies list)"
    )
    invite.add_argument(
        "--role",
        metavar="VAI_TRÒ",
        default="canbo",
        help="canbo (cán bộ, mặc định), lanhdao (lãnh đạo) hoặc quantri (quản trị viên); "
        "hoặc official, manager, admin",
    )
    invite.add_argument(
        "--days",
        type=int,
        default=7,
        metavar="SỐ_NGÀY",
        help=f"số ngày mã còn hiệu lực (1-{MAX_INVITE_DAYS})",
    )
    invite.set_defaults(func=cmd_invite)
    admin = commands.add_parser("admin", help="đặt một tài khoản chat làm quản trị viên")
    admin.add_argument(
        "--channel",
        choices=["zalo", "telegram", "console"],
        default="zalo",
        help="kênh của tài khoản (mặc định: zalo)",
    )
    admin.add_argument(
        "--user-id", required=True, metavar="ID", help="id người dùng trên kênh chat"
    )
    admin.add_argument("--name", default="", metavar="TÊN", help="tên hiển thị")
    admin.set_defaults(func=cmd_admin)
    stats_parser = commands.add_parser(
        "stats", help="thống kê câu hỏi, từ chối, đánh giá theo tuần (như /thongke)"
    )
    stats_parser.add_argument(
        "--weeks", type=int, default=4, metavar="SỐ_TUẦN", help="số tuần gần nhất (1-26)"
    )
    stats_parser.set_defaults(func=cmd_stats)
    directive = commands.add_parser(
        "directive", help="văn bản chỉ đạo: nhập bản nháp, công bố, ngừng áp dụng, danh sách"
    )
    directive_commands = directive.add_subparsers(dest="directive", required=True, metavar="VIỆC")
    directive_import = directive_commands.add_parser(
        "import", help="tạo bản nháp gói dữ liệu từ văn bản (.txt, .docx hoặc .pdf có lớp chữ)"
    )
    directive_import.add_argument("file", metavar="TỆP", help="tệp văn bản")
    directive_import.add_argument(
        "--out", metavar="THƯ_MỤC", help="thư mục ghi (mặc định data/drafts/<mã>/)"
    )
    directive_import.set_defaults(func=cmd_directive_import)
    directive_publish = directive_commands.add_parser(
        "publish", help="công bố một bản nháp (thư mục, hoặc mã trong data/drafts/)"
    )
    directive_publish.add_argument("draft", metavar="BẢN_NHÁP", help="thư mục hoặc mã bản nháp")
    directive_publish.add_argument(
        "--revive",
        action="store_true",
        help="công bố lại một văn bản đã ngừng áp dụng (trả lời, nhắc việc trở lại)",
    )
    directive_publish.add_argument(
        "--force",
        action="store_true",
        help="vẫn công bố khi có nhiệm vụ chưa có cơ quan chủ trì (các nhiệm vụ đó bị bỏ qua)",
    )
    directive_publish.set_defaults(func=cmd_directive_publish)
    directive_set = directive_commands.add_parser(
        "set", help="sửa cơ quan, thời hạn của một nhiệm vụ trong bản nháp (trước khi công bố)"
    )
    directive_set.add_argument("draft", metavar="BẢN_NHÁP", help="thư mục hoặc mã bản nháp")
    directive_set.add_argument("duty", metavar="NHIỆM_VỤ", help="số thứ tự (3) hoặc mã (1.a-2)")
    directive_set.add_argument(
        "--lead", metavar="CƠ_QUAN", help="cơ quan chủ trì, cách nhau bằng «;»"
    )
    directive_set.add_argument(
        "--coordinate", metavar="CƠ_QUAN", help="cơ quan phối hợp («không»: bỏ hết)"
    )
    directive_set.add_argument(
        "--deadline",
        metavar="HẠN",
        help="30/6/2021, «không có hạn», «hàng tháng», «hàng quý», «hàng năm»",
    )
    directive_set.set_defaults(func=cmd_directive_set)
    directive_retire = directive_commands.add_parser(
        "retire", help="ngừng áp dụng một văn bản (giữ lịch sử, không nhắc việc nữa)"
    )
    directive_retire.add_argument(
        "id", metavar="VĂN_BẢN", help="mã (06-CT-UBND-2019), số (06/CT-UBND) hoặc 06/2019"
    )
    directive_retire.set_defaults(func=cmd_directive_retire)
    directive_list = directive_commands.add_parser("list", help="các văn bản đã nạp")
    directive_list.set_defaults(func=cmd_directive_list)
    for kind, help_text in (("faq", "mục hỏi đáp"), ("duties", "hạn (gia hạn) của nhiệm vụ")):
        group = commands.add_parser(kind, help=f"xuất/nhập {help_text} (YAML, CSV, XLSX)")
        actions = group.add_subparsers(dest="action", required=True, metavar="VIỆC")
        for action, word in (("export", "xuất ra TỆP"), ("import", "nhập từ TỆP")):
            command = actions.add_parser(action, help=word)
            command.add_argument("file", metavar="TỆP", help=".yaml, .csv hoặc .xlsx")
            command.set_defaults(func=cmd_content_file, kind=kind)
    _agencies_parser(commands)
    nlu = commands.add_parser("nlu", help="công cụ hiểu câu hỏi (NLU)").add_subparsers(
        dest="nlu", required=True, metavar="VIỆC"
    )
    evaluate = nlu.add_parser("eval", help="đánh giá các bộ NLU (như rasa test nlu)")
    evaluate.add_argument(
        "--folds", type=int, default=5, metavar="SỐ_PHẦN", help="số phần kiểm tra chéo"
    )
    evaluate.add_argument("--rasa-url", metavar="URL", help="chấm thêm một máy chủ Rasa đang chạy")
    evaluate.add_argument(
        "--rasa-pid", type=int, metavar="PID", help="pid của máy chủ Rasa, để đo bộ nhớ"
    )
    evaluate.add_argument(
        "--out", default="bench/results", metavar="THƯ_MỤC", help="thư mục ghi .md và .json"
    )
    evaluate.add_argument(
        "--rasa-cv",
        metavar="THƯ_MỤC",
        help="thư mục kết quả kiểm tra chéo của Rasa (scripts/rasa_cv.sh): "
        "hiệu chỉnh ngưỡng của bộ rasa",
    )
    evaluate.add_argument(
        "--write-calibration",
        action="store_true",
        help="lưu các ngưỡng đã hiệu chỉnh vào data/nlu/calibration.yaml",
    )
    evaluate.set_defaults(func=cmd_nlu_eval)
    from bot.nudges_cli import register as register_scheduler

    register_scheduler(commands)  # bot calendar, bot nudges, bot digest
    return parser


def _agencies_parser(commands: Any) -> None:
    group = commands.add_parser(
        "agencies", help="danh mục cơ quan: xem, thêm, đổi tên, gộp, ngừng hoạt động"
    )
    actions = group.add_subparsers(dest="action", required=True, metavar="VIỆC")
    actions.add_parser("list", help="các cơ quan, kể cả đã gộp, ngừng hoạt động")
    apply = actions.add_parser("apply", help="áp dụng một tệp thao tác (YAML)")
    apply.add_argument("file", metavar="TỆP", help="ví dụ data/reorganisations/2025-07-01.yaml")
    add = actions.add_parser("add", help="thêm cơ quan: MÃ --name TÊN [--short-name TÊN_TẮT]")
    add.add_argument("id", metavar="MÃ", help="mã cơ quan mới (chữ không dấu, số, _)")
    add.add_argument("--kind", default="department", metavar="LOẠI", help="mặc định department")
    add.add_argument("--level", default="province", metavar="CẤP", help="mặc định province")
    rename = actions.add_parser("rename", help="đổi tên: MÃ --name TÊN (tên cũ vẫn được hiểu)")
    rename.add_argument("id", metavar="MÃ", help="mã cơ quan")
    merge = actions.add_parser(
        "merge", help="gộp: MÃ [MÃ ...] --into MÃ_NHẬN [--name TÊN nếu cơ quan nhận là mới]"
    )
    merge.add_argument("ids", nargs="+", metavar="MÃ", help="các cơ quan được gộp")
    merge.add_argument("--into", required=True, metavar="MÃ_NHẬN", help="cơ quan tiếp nhận")
    deactivate = actions.add_parser(
        "deactivate",
        help="ngừng hoạt động: MÃ [MÃ ...]; cơ quan còn nhiệm vụ cần --into hoặc --force",
    )
    deactivate.add_argument("ids", nargs="+", metavar="MÃ", help="mã cơ quan")
    deactivate.add_argument(
        "--into", metavar="MÃ_NHẬN", help="gộp vào cơ quan này (nhiệm vụ, tài khoản chuyển theo)"
    )
    deactivate.add_argument(
        "--force",
        action="store_true",
        help="vẫn ngừng hoạt động dù cơ quan còn nhiệm vụ (các nhiệm vụ được liệt kê)",
    )
    reactivate = actions.add_parser("reactivate", help="mở lại: MÃ [MÃ ...]")
    reactivate.add_argument("ids", nargs="+", metavar="MÃ", help="mã cơ quan")
    for name, command in actions.choices.items():
        command.set_defaults(func=cmd_agencies)
        if name in ("add", "rename", "merge"):
            command.add_argument(
                "--name", required=name != "merge", default="", metavar="TÊN", help="tên đầy đủ"
            )
            command.add_argument(
                "--short-name",
                dest="short_name",
                default="",
                metavar="TÊN_TẮT",
                help="tên viết tắt",
            )
        if name not in ("list", "apply"):
            command.add_argument(
                "--source", required=True, metavar="CĂN_CỨ", help="căn cứ (văn bản) của thay đổi"
            )


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except ConfigError as error:
        print(f"Lỗi cấu hình: {error}", file=sys.stderr)
        return 2
    logs.configure(settings.log_level, settings.secrets)
    # Console output is Vietnamese whatever the terminal's locale says.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure:
            reconfigure(encoding="utf-8", errors="replace")
    if sys.stdin and hasattr(sys.stdin, "reconfigure"):
        sys.stdin.reconfigure(encoding="utf-8", errors="replace")
    try:
        code: int = args.func(args)
    except OperationalError as error:  # the database is not there: say so, not a traceback
        log.debug("the database could not be used", exc_info=error)
        url = masked_url(settings.database_url)
        print(
            DATABASE_UNREACHABLE.format(url=url, reason=_database_problem(error)), file=sys.stderr
        )
        return 1
    except BrokenPipeError:
        # The reader went away (`bot ask … | head`): nothing more to say to it, and no
        # traceback when Python flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    return code


DATABASE_UNREACHABLE = (
    "Không dùng được cơ sở dữ liệu {url}: {reason}. Hãy kiểm tra DATABASE_URL và máy chủ "
    "cơ sở dữ liệu, rồi chạy lại (LOG_LEVEL=DEBUG để xem chi tiết).\n"
)


def _database_problem(error: OperationalError) -> str:
    """The driver's reason in Vietnamese, for the usual ones; its text is never printed
    (it may name the host and user, and it is English)."""
    text = str(error.orig).lower() if error.orig is not None else ""
    if "does not exist" in text:
        return "cơ sở dữ liệu chưa được tạo (createdb)"
    if "password authentication failed" in text or "authentication" in text:
        return "sai tên người dùng hoặc mật khẩu"
    if "unable to open database file" in text:
        return "không mở được tệp (thư mục chưa có, hoặc không có quyền ghi)"
    if "connection refused" in text or "could not connect" in text or "connection failed" in text:
        return "không kết nối được tới máy chủ (sai địa chỉ, cổng, hoặc máy chủ chưa chạy)"
    return "lỗi kết nối"
