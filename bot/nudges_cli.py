"""`bot calendar ...`, `bot nudges ...`, `bot digest ...`: the scheduler's command line.

Registered by `bot.cli.build_parser` through `register(commands)`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.config import Settings
from bot.domain.calendar import TIMEZONE
from bot.domain.dates import check_date, padded_datetime, parse_vn_date

if TYPE_CHECKING:
    from bot.application.scheduler.policy import Skipped


def _vietnam_today() -> dt.date:
    """Today in Vietnam: at 06:00 there it is still yesterday in UTC, and the preview
    showed the day before."""
    return dt.datetime.now(TIMEZONE).date()


def _date(text: str) -> dt.date:
    try:
        return parse_vn_date(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _moment(text: str) -> dt.datetime:
    """`--now`: an ISO date and time, whose day passes the check every typed date does."""
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"Không đọc được thời điểm «{text[:40]}»: Anh/Chị vui lòng ghi theo dạng "
            "yyyy-mm-ddThh:mm, ví dụ 2026-12-07T08:30"
        ) from None
    try:
        check_date(moment.date())
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return moment


def _weekday(day: dt.date) -> str:
    return "Chủ nhật" if day.isoweekday() == 7 else f"thứ {day.isoweekday() + 1}"


def _assistant() -> Any:
    from bot.app import build_assistant

    return build_assistant(Settings.from_env())


# --- bot calendar ----------------------------------------------------------------------


def cmd_calendar(args: argparse.Namespace) -> int:
    from bot.app import prepare_database
    from bot.application import calendar
    from bot.storage.db import session_scope

    app_settings = Settings.from_env()
    settings = app_settings.nudges
    sessions = prepare_database(app_settings)
    with session_scope(sessions) as session:
        if args.action in ("add-workday", "add-dayoff"):
            kind = "workday" if args.action == "add-workday" else "dayoff"
            calendar.set_day(session, args.date, kind, args.note)
            label = "ngày làm việc bù" if kind == "workday" else "ngày nghỉ thêm"
            print(f"Đã khai báo {args.date:%d/%m/%Y} là {label}.")
            return 0
        if args.action == "remove":
            removed = calendar.remove_day(session, args.date)
            print("Đã xóa." if removed else f"{args.date:%d/%m/%Y} không có trong lịch riêng.")
            return 0 if removed else 1
        cal = calendar.load_calendar(session, settings)
        year = args.year or _vietnam_today().year
        print(f"Lịch làm việc năm {year}: {cal.description}.")
        day = dt.date(year, 1, 1)
        while day.year == year:
            reason = cal.why_not_working(day)
            if day in cal.extra_workdays:
                print(f"  {day:%d/%m/%Y} ({_weekday(day)}): làm việc bù (quản trị viên)")
            elif reason and day.weekday() < 5:
                print(f"  {day:%d/%m/%Y} ({_weekday(day)}): nghỉ — {reason}")
            elif cal.is_working_day(day) and day.weekday() >= 5:
                print(f"  {day:%d/%m/%Y} ({_weekday(day)}): làm việc bù")
            day += dt.timedelta(days=1)
    return 0


# --- bot nudges ------------------------------------------------------------------------


def cmd_nudges(args: argparse.Namespace) -> int:
    if args.action == "preview":
        return nudges_preview(args)
    if args.action == "demo-shift":
        return nudges_demo_shift(args)
    if args.action == "tick":
        return nudges_tick(args)
    return nudges_status(args)


def nudges_preview(args: argparse.Namespace) -> int:
    """What would go out on a day, and why, per recipient (or per agency with nobody linked)."""
    from bot.application.scheduler.policy import due_messages
    from bot.application.scheduler.world import load_world
    from bot.storage.db import session_scope

    assistant = _assistant()
    settings = assistant.settings.nudges
    catalog = assistant.core.qa.catalog
    names = {a.id: a.short_name for a in catalog.kb.agencies}
    role_label = assistant.core.services.role_label  # "admin" -> "quản trị viên"
    day: dt.date = args.date or _vietnam_today()
    with session_scope(assistant.sessions) as session:
        world = load_world(session, catalog, settings)
    cal = world.calendar
    now = cal.start_of(day)
    print(f"Nhắc việc ngày {day:%d/%m/%Y} ({cal.description}).")
    extended = [p for p in world.plans if p.extended]
    if extended:
        print(
            f"Lưu ý: {len(extended)} nhiệm vụ dùng hạn đã điều chỉnh (effective_due), "
            "không phải hạn gốc năm 2019 của Chỉ thị."
        )
    reason = cal.why_not_working(day)
    if reason:
        print(f"Ngày {day:%d/%m/%Y} là {reason}: không gửi tin nào trong ngày này.")
        return 0
    result = due_messages(
        now, world.plans, world.reports, world.users, world.snoozes, cal, settings, catch_up=0
    )
    _print_skipped(result.skipped)
    agency = args.agency
    unassigned = [p for p in world.plans if not p.agencies]
    if unassigned and agency is None:  # said first: no day's list would name them
        print(
            f"{len(unassigned)} nhiệm vụ không có người nhận (giao cho nhóm chưa có cơ quan "
            "nào trong danh mục: không ai báo cáo, không có tin nhắc):"
        )
        for plan in unassigned:
            print(f"    {plan.shown_id} {plan.title[:60]} — {plan.timing_text or plan.due}")
    nudges = [n for n in result.nudges if agency is None or agency in n.agencies]
    messages = [m for m in result.messages if agency is None or agency in m.nudge.agencies]
    if not nudges:
        print("Không có tin nhắc nào đến hạn trong ngày này.")
        return 0
    linked = [u for u in world.users if u.holds("official", "manager")]
    if not linked:
        print(
            "Chưa có người dùng nào được liên kết với cơ quan (bot invite ...), nên không có "
            "tin nào thực sự được gửi. Nếu có, mỗi cơ quan sẽ nhận:"
        )
    if messages:
        print(f"\n{len(messages)} tin sẽ gửi (từ {messages[0].not_before:%H:%M}):")
        by_user: dict[int, list[Any]] = defaultdict(list)
        for message in messages:
            by_user[message.recipient.user_id].append(message)
        for items in by_user.values():
            who = items[0].recipient
            print(
                f"- {who.name or who.address} ({role_label(who.role)}, "
                f"{names.get(who.agency_id or '', '')}, "
                f"{who.channel}:{who.address}):"
            )
            for m in items:
                print(f"    {m.nudge.plan.shown_id} {m.nudge.plan.title[:60]} — {m.reason}")
    for nudge, user, until in result.snoozed:
        if agency is None or agency in nudge.agencies:
            print(
                f"- hoãn: {user.name}, {nudge.plan.shown_id} đến {padded_datetime(until)}"
            )  # Vietnam time
    unreached = [n for n in result.unreached if agency is None or agency in n.agencies]
    if unreached:
        print(f"\n{len(unreached)} tin không có người nhận (cơ quan chưa có ai liên kết):")
        by_agency: dict[str, list[Any]] = defaultdict(list)
        for nudge in unreached:
            key = (
                "lãnh đạo UBND tỉnh"
                if nudge.audience == "province"
                else names.get(nudge.agencies[0], nudge.agencies[0])
            )
            if nudge.audience == "managers":
                key = f"lãnh đạo {key}"
            by_agency[key].append(nudge)
        for name, items in by_agency.items():
            print(f"- {name}:")
            for n in items:
                print(f"    {n.plan.shown_id} {n.plan.title[:60]} — {n.reason}")
    return 0


DEMO_REFUSED = (
    "Không chạy chế độ trình diễn: cơ sở dữ liệu {url} có dữ liệu thật ({reasons}). "
    "Chế độ trình diễn ghi đè hạn điều chỉnh, nên chỉ chạy trên một bản sao, ví dụ: "
    "DATABASE_URL=sqlite:///data/demo.sqlite3 bot db upgrade, rồi chạy lại lệnh với "
    "DATABASE_URL đó. Không có gì thay đổi.\n"
    "(demo-shift refused: this database holds real data; run it on a copy. Nothing changed.)"
)


def nudges_demo_shift(args: argparse.Namespace) -> int:
    """Move the pack's 2019 deadlines so the earliest falls `--days` from today (on a
    database without real work: `bot.application.demo`)."""
    from bot.app import prepare_database
    from bot.application import demo
    from bot.config import masked_url
    from bot.storage.db import session_scope

    settings = Settings.from_env()
    sessions = prepare_database(settings)
    with session_scope(sessions) as session:
        if args.reset:
            cleared, kept = demo.reset(session)
            print(
                f"Đã bỏ hạn trình diễn của {len(cleared)} nhiệm vụ: dùng lại hạn gốc của Chỉ thị."
            )
            if kept:
                print(f"Giữ nguyên hạn điều chỉnh của quản trị viên: {', '.join(kept)}.")
            return 0
        try:
            shifted = demo.shift(session, args.days, _vietnam_today())
        except demo.RealData as refused:
            url = masked_url(settings.database_url)
            print(DEMO_REFUSED.format(url=url, reasons="; ".join(refused.reasons)), file=sys.stderr)
            return 2
        if not shifted:
            print("Không có nhiệm vụ nào có hạn cụ thể.")
            return 1
        offset = (shifted[0].shown - shifted[0].due).days
        print(
            f"CHẾ ĐỘ TRÌNH DIỄN: dời hạn của {len(shifted)} nhiệm vụ thêm {offset} ngày "
            "và lưu vào effective_due (hạn điều chỉnh), để thấy tin nhắc việc. "
            "Hạn gốc trong Chỉ thị không đổi; xóa bằng: bot nudges demo-shift --reset"
        )
        for item in shifted:
            print(f"  {item.duty_id}: {item.due:%d/%m/%Y} -> {item.shown:%d/%m/%Y}")
    return 0


def nudges_tick(args: argparse.Namespace) -> int:
    """Run one tick: enqueue what is due now (nothing is sent: `bot run` sends)."""
    from bot.application.scheduler.service import NudgeService

    service = NudgeService(_assistant(), [])
    now: dt.datetime | None = args.now
    if now is not None and now.tzinfo is None:
        now = now.replace(tzinfo=TIMEZONE)
    result = service.tick(now)
    print(
        f"{result.due} tin đến hạn, {result.inserted} tin mới vào hàng đợi, "
        f"{result.digests} bản tổng hợp tuần."
    )
    _print_skipped(result.policy.skipped)
    return 0


def _print_skipped(skipped: Sequence[Skipped]) -> None:
    """The duties a tick leaves out, and why (the tick also tells the admins, once)."""
    if skipped:
        print(f"{len(skipped)} nhiệm vụ không tính được lịch nhắc nên bị bỏ qua:")
    for item in skipped:
        print(f"- {item.label or item.duty_id} {item.title[:60]}: {item.problem}.")


def nudges_status(args: argparse.Namespace) -> int:
    from bot.application.outbox import OutboxStore

    counts = OutboxStore(_assistant().sessions).counts()
    print("Hàng đợi gửi tin: " + (", ".join(f"{k}: {v}" for k, v in counts.items()) or "trống"))
    return 0


# --- bot digest ------------------------------------------------------------------------


def cmd_digest(args: argparse.Namespace) -> int:
    from bot.application.digest.builder import DigestBuilder
    from bot.application.digest.xlsx import to_xlsx
    from bot.storage.db import session_scope
    from bot.storage.models import utcnow

    if not args.preview and not args.xlsx and not args.docx and not args.png:
        print(
            "Dùng --preview (in bản tổng hợp), --xlsx TỆP, --png TỆP và/hoặc --docx TỆP.",
            file=sys.stderr,
        )
        return 2
    assistant = _assistant()
    catalog = assistant.core.qa.catalog
    builder = DigestBuilder(catalog, assistant.settings.templates_dir, assistant.settings.nudges)
    if args.agency and args.agency not in catalog.agencies:
        print(f"Không có cơ quan mã {args.agency!r}.", file=sys.stderr)
        return 2
    with session_scope(assistant.sessions) as session:
        if args.agency:
            scope = [args.agency], catalog.agencies[args.agency].short_name
        else:
            scope = builder.all_agencies(), "toàn tỉnh"
        digest = builder.build(session, utcnow(), scope[0], scope[1])
    if args.preview:
        reply = builder.reply(digest)
        # Printed, the summary offers no choices to pick: it says how to get the details.
        printed = {**reply.data, "printed": True, "attached": bool(args.xlsx)}
        print(assistant.renderer.render(replace(reply, data=printed)))
    if args.xlsx:
        Path(args.xlsx).write_bytes(to_xlsx(digest, builder.status_labels))
        print(f"Đã ghi {args.xlsx} ({len(digest.rows)} dòng chi tiết).")
    if args.png:
        from bot.application.digest.chart import chart_data, to_png

        chart = chart_data(digest)
        Path(args.png).write_bytes(to_png(chart))
        shown = f"{len(chart.bars)} cơ quan"
        if chart.hidden:
            shown += f"; {chart.hidden} cơ quan khác, từ {chart.hidden_from}% trở lên, không vẽ"
        print(f"Đã ghi biểu đồ {args.png} ({shown}).")
    if args.docx:
        from bot.application.digest.commands import reporter
        from bot.application.digest.quarterly import local_day, quarter_of, to_docx

        year, quarter = quarter_of(local_day(digest.generated_at))
        author = reporter(catalog, assistant.settings.nudges, None)
        Path(args.docx).write_bytes(to_docx(digest, year, quarter, "", author))
        print(f"Đã ghi dự thảo báo cáo quý {quarter}/{year} của {author.short_name}: {args.docx}.")
    return 0


def register(commands: Any) -> None:
    """Add the scheduler's subcommands to `bot`'s parser."""
    cal = commands.add_parser("calendar", help="lịch làm việc: ngày làm bù, ngày nghỉ thêm")
    cal.add_argument(
        "action",
        choices=["add-workday", "add-dayoff", "remove", "list"],
        help="thêm ngày làm bù, thêm ngày nghỉ, bỏ một ngày, liệt kê",
    )
    cal.add_argument("date", nargs="?", type=_date, metavar="NGÀY", help="YYYY-MM-DD")
    cal.add_argument("--note", default="", metavar="GHI_CHÚ", help="ghi chú (ví dụ: số văn bản)")
    cal.add_argument("--year", type=int, metavar="NĂM", help="năm cần liệt kê (list)")
    cal.set_defaults(func=_calendar_checked)
    nudges = commands.add_parser("nudges", help="nhắc việc: xem trước, chạy một lượt, trạng thái")
    nudges.add_argument(
        "action",
        choices=["preview", "demo-shift", "tick", "status"],
        help="xem trước, dời hạn để trình diễn, chạy một lượt, trạng thái",
    )
    nudges.add_argument(
        "--date", type=_date, metavar="NGÀY", help="preview: ngày cần xem (YYYY-MM-DD)"
    )
    nudges.add_argument("--agency", metavar="MÃ_CƠ_QUAN", help="preview: chỉ một cơ quan")
    nudges.add_argument(
        "--days", type=int, default=14, metavar="N", help="demo-shift: hạn sớm nhất sau N ngày"
    )
    nudges.add_argument("--reset", action="store_true", help="demo-shift: bỏ mọi hạn điều chỉnh")
    nudges.add_argument(
        "--now",
        type=_moment,
        metavar="THỜI_ĐIỂM",
        help="tick: thời điểm giả định (ISO), mặc định bây giờ",
    )
    nudges.set_defaults(func=cmd_nudges)
    digest = commands.add_parser("digest", help="bản tổng hợp cho lãnh đạo")
    digest.add_argument("--preview", action="store_true", help="in bản tổng hợp")
    digest.add_argument(
        "--agency", metavar="MÃ_CƠ_QUAN", help="chỉ một cơ quan (mặc định: toàn tỉnh)"
    )
    digest.add_argument("--xlsx", metavar="TỆP", help="ghi bảng chi tiết ra tệp .xlsx")
    digest.add_argument(
        "--png", metavar="TỆP", help="ghi biểu đồ tỷ lệ hoàn thành theo cơ quan ra tệp .png"
    )
    digest.add_argument(
        "--docx", metavar="TỆP", help="ghi dự thảo báo cáo quý của Sở TT&TT ra tệp .docx"
    )
    digest.set_defaults(func=cmd_digest)


def _calendar_checked(args: argparse.Namespace) -> int:
    if args.action != "list" and args.date is None:
        print(f"bot calendar {args.action} cần một ngày YYYY-MM-DD.", file=sys.stderr)
        return 2
    return cmd_calendar(args)
