"""The progress-report dialog: duty -> status -> percent -> blockers -> evidence -> confirm.

Channel-agnostic: it returns `Reply` objects with buttons whose payloads carry the
step's token; typed answers are accepted where a step expects text (a percentage,
blockers, an evidence reference). Back and cancel work at every step. State is a
row in `dialog_states`, so the dialog survives a restart of the bot.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from bot.application import progress
from bot.application.accounts import can_report_for
from bot.application.commands import small_int
from bot.application.dialogs import state as states
from bot.application.messages import Attachment, Button, Reply
from bot.application.qa.views import timing_view
from bot.domain.catalog import Catalog
from bot.domain.dates import Issued, parse_vn_date
from bot.domain.knowledge import Duty
from bot.storage.models import DialogState, User

NAME = "r"  # short: it is part of every button payload (64 bytes at most)
PAGE_SIZE = 6
PERCENT_CHOICES = (0, 25, 50, 75, 100)
MAX_TEXT = 2000  # blockers and evidence references are notes, not documents
BUTTON_TITLE = 48  # characters of a duty title on a button
STEPS = ("duty", "status", "percent", "blockers", "evidence", "confirm")
_PERCENT = re.compile(r"^\s*(\d{1,3})\s*(%|phan tram|phần trăm)?\s*$", re.IGNORECASE)
_DATE = re.compile(r"\b\d{1,2}([/.-])\d{1,2}\1\d{4}\b")


@dataclass(frozen=True)
class Labels:
    """Button texts and status names (templates/labels.yaml)."""

    status: dict[str, str]
    role: dict[str, str]
    previous_page: str
    next_page: str
    back: str
    cancel: str
    skip: str
    save: str
    save_content: str
    keep: str
    create_faq: str
    send: str
    stale: str


@dataclass
class Outcome:
    replies: list[Reply] = field(default_factory=list)
    notice: str = ""  # a toast for the button press, if any
    finished: bool = False
    changed: bool = False  # content changed: the core reloads its indexes


def parse_percent(text: str) -> int | None:
    match = _PERCENT.match(text)
    if not match:
        return None
    value = int(match.group(1))
    return value if 0 <= value <= 100 else -1


def parse_evidence(text: str, issued: Issued | None = None) -> tuple[str, dt.date | None]:
    """ "Công văn 123/STTTT ngày 15/5/2019" -> (the text, 2019-05-15); the date, when
    there is one, must pass `check_date` (ValueError, in Vietnamese, if it does not)."""
    match = _DATE.search(text)
    when = parse_vn_date(match[0], issued) if match else None
    return text.strip()[:MAX_TEXT], when


class ReportDialog:
    def __init__(self, catalog: Catalog, labels: Labels) -> None:
        self.catalog = catalog
        self.labels = labels

    # Entry points (the router calls these).

    def start(
        self, session: Session, user: User, duty_id: str | None = None, previous: Any = None
    ) -> Outcome:
        assert user.agency_id is not None, "the router checks the user is linked"
        data: dict[str, Any] = {"agency_id": user.agency_id, "page": 0}
        if previous is not None:
            data["previous"] = {
                "status": previous.status,
                "percent": previous.percent,
                "at": previous.created_at.isoformat(),
            }
        step = "duty"
        if duty_id is not None and duty_id in self._duty_ids(user.agency_id):
            data["duty_id"] = duty_id
            step = "status"
        state = states.save(session, user.id, NAME, step, data)
        return Outcome([self.prompt(state)])

    def press(
        self, session: Session, user: User, state: DialogState, press: states.Press
    ) -> Outcome:
        if press.dialog != NAME or press.token != state.token:
            return Outcome(notice=self.labels.stale)
        data = dict(state.data)
        action, arg = press.action, press.arg
        if action == "cancel":
            return self.cancel(session, user)
        if action == "back":
            return self._go(session, user, self._previous_step(state.step, data), data)
        if state.step == "duty" and action == "page":
            data["page"] = small_int(arg) or 0
            return self._go(session, user, "duty", data)
        if state.step == "duty" and action == "duty" and arg in self._duty_ids(data["agency_id"]):
            data["duty_id"] = arg
            return self._go(session, user, "status", data)
        if state.step == "status" and action == "status" and arg in progress.STATUSES:
            data["status"] = arg
            if arg in ("done", "not_started"):
                data["percent"] = 100 if arg == "done" else 0
                return self._go(session, user, "blockers", data)
            return self._go(session, user, "percent", data)
        if state.step == "percent" and action == "percent" and small_int(arg) is not None:
            data["percent"] = min(100, small_int(arg) or 0)
            return self._go(session, user, "blockers", data)
        if state.step in ("blockers", "evidence") and action == "skip":
            return self._go(session, user, self._next_step(state.step), data)
        if state.step == "confirm" and action == "save":
            return self._save(session, user, data)
        return Outcome(notice=self.labels.stale)

    def text(self, session: Session, user: User, state: DialogState, text: str) -> Outcome | None:
        """A typed answer to the current step, or None when the text is not one (the
        router then treats it as a question and prompts the step again)."""
        data = dict(state.data)
        stripped = text.strip()
        number = small_int(stripped)
        if state.step == "duty" and number is not None:
            # Numbers are those of the page shown, like its buttons.
            duties = self._duties(data["agency_id"])
            index = int(data.get("page", 0)) * PAGE_SIZE + number - 1
            if 1 <= number <= PAGE_SIZE and 0 <= index < len(duties):
                data["duty_id"] = duties[index].id
                return self._go(session, user, "status", data)
            return None
        if state.step == "percent":
            value = parse_percent(stripped)
            if value is None:
                return None
            if value < 0:
                return Outcome([Reply("dialog/percent_invalid"), self.prompt(state)])
            data["percent"] = value
            return self._go(session, user, "blockers", data)
        if state.step in ("blockers", "evidence") and stripped and not stripped.endswith("?"):
            if state.step == "blockers":
                data["blockers"] = stripped[:MAX_TEXT]
            else:
                issued = Issued.of(self.catalog.duties[data["duty_id"]][0])
                try:
                    data["evidence_ref"], when = parse_evidence(stripped, issued)
                except ValueError as problem:  # the reason, in Vietnamese (`check_date`)
                    invalid = Reply("dialog/date_invalid", {"problem": str(problem)})
                    return Outcome([invalid, self.prompt(state)])
                data["evidence_date"] = when.isoformat() if when else None
            return self._go(session, user, self._next_step(state.step), data)
        return None

    def attachment(
        self, session: Session, user: User, state: DialogState, attachment: Attachment
    ) -> Outcome | None:
        if state.step != "evidence":
            return None
        data = dict(state.data)
        data["evidence_file_id"] = attachment.file_id
        data["evidence_file_name"] = attachment.file_name
        return self._go(session, user, "confirm", data)

    def cancel(self, session: Session, user: User) -> Outcome:
        states.clear(session, user.id)
        return Outcome([Reply("dialog/cancelled")], finished=True)

    # Steps.

    def _go(self, session: Session, user: User, step: str, data: dict[str, Any]) -> Outcome:
        state = states.save(session, user.id, NAME, step, data)
        return Outcome([self.prompt(state)])

    @staticmethod
    def _next_step(step: str) -> str:
        return STEPS[STEPS.index(step) + 1]

    @staticmethod
    def _previous_step(step: str, data: dict[str, Any]) -> str:
        if step == "blockers" and data.get("status") in ("done", "not_started"):
            return "status"  # the percent step was skipped
        return STEPS[max(0, STEPS.index(step) - 1)]

    def _save(self, session: Session, user: User, data: dict[str, Any]) -> Outcome:
        if not can_report_for(user, data["agency_id"]):
            states.clear(session, user.id)
            return Outcome([Reply("account/not_allowed")], finished=True)
        evidence_date = data.get("evidence_date")
        report = progress.save(
            session,
            self.catalog,
            user,
            progress.ReportDraft(
                duty_id=data["duty_id"],
                status=data["status"],
                percent=int(data["percent"]),
                blockers=data.get("blockers", ""),
                evidence_ref=data.get("evidence_ref", ""),
                evidence_date=dt.date.fromisoformat(evidence_date) if evidence_date else None,
                evidence_file_id=data.get("evidence_file_id", ""),
            ),
        )
        states.clear(session, user.id)
        summary = self._summary(data)
        return Outcome(
            [
                Reply(
                    "dialog/report_saved", {"s": summary, "id": report.id, "at": report.created_at}
                )
            ],
            finished=True,
        )

    # Prompts.

    def prompt(self, state: DialogState) -> Reply:
        data = state.data
        token = state.token
        back = Button(self.labels.back, states.payload(NAME, token, "back"), "back")
        cancel = Button(self.labels.cancel, states.payload(NAME, token, "cancel"), "cancel")
        if state.step == "duty":
            return self._duty_page(data, token, cancel)
        summary = self._summary(data)
        if state.step == "status":
            buttons = tuple(
                Button(self.labels.status[s], states.payload(NAME, token, "status", s))
                for s in progress.STATUSES
            )
            return Reply(
                "dialog/report_status", {"s": summary}, (*buttons, back, cancel), columns=2
            )
        if state.step == "percent":
            buttons = tuple(
                Button(f"{p}%", states.payload(NAME, token, "percent", str(p)))
                for p in PERCENT_CHOICES
            )
            return Reply(
                "dialog/report_percent",
                {"s": summary},
                (*buttons, back, cancel),
                columns=5,
                numbers_are_values=True,  # "5" is 5%, not the fifth button
            )
        if state.step in ("blockers", "evidence"):
            skip = Button(self.labels.skip, states.payload(NAME, token, "skip"), "skip")
            return Reply(
                f"dialog/report_{state.step}", {"s": summary}, (skip, back, cancel), columns=3
            )
        save = Button(self.labels.save, states.payload(NAME, token, "save"), "confirm")
        return Reply("dialog/report_confirm", {"s": summary}, (save, back, cancel), columns=1)

    def _duty_page(self, data: dict[str, Any], token: str, cancel: Button) -> Reply:
        duties = self._duties(data["agency_id"])
        pages = max(1, -(-len(duties) // PAGE_SIZE))
        page = min(int(data.get("page", 0)), pages - 1)
        shown = duties[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
        buttons = [
            Button(shorten(duty.title, BUTTON_TITLE), states.payload(NAME, token, "duty", duty.id))
            for duty in shown
        ]
        if page > 0:
            buttons.append(
                Button(
                    self.labels.previous_page, states.payload(NAME, token, "page", str(page - 1))
                )
            )
        if page < pages - 1:
            buttons.append(
                Button(self.labels.next_page, states.payload(NAME, token, "page", str(page + 1)))
            )
        buttons.append(cancel)
        views = [
            {
                "n": n,
                "title": duty.title,
                "clause": self.catalog.clauses[duty.clause][1].label,
                "timing": timing_view(duty),
            }
            for n, duty in enumerate(shown, 1)
        ]
        agency = self.catalog.agencies[data["agency_id"]].name
        return Reply(
            "dialog/report_duty",
            {"duties": views, "page": page + 1, "pages": pages, "agency": agency},
            tuple(buttons),
        )

    def _summary(self, data: dict[str, Any]) -> dict[str, Any]:
        duty = self.catalog.duties[data["duty_id"]][1] if data.get("duty_id") else None
        return {
            "agency": self.catalog.agencies[data["agency_id"]].name,
            "duty": duty.title if duty else "",
            "clause": self.catalog.clauses[duty.clause][1].label if duty else "",
            "timing": timing_view(duty) if duty else None,
            "status": self.labels.status.get(data.get("status", ""), ""),
            "percent": data.get("percent"),
            "blockers": data.get("blockers", ""),
            "evidence_ref": data.get("evidence_ref", ""),
            "evidence_file_name": data.get("evidence_file_name", ""),
            "has_file": bool(data.get("evidence_file_id")),
            "previous": self._previous_view(data.get("previous")),
        }

    def _previous_view(self, previous: dict[str, Any] | None) -> dict[str, Any] | None:
        if not previous:
            return None
        return {
            "status": self.labels.status.get(previous["status"], previous["status"]),
            "percent": previous["percent"],
            "at": dt.datetime.fromisoformat(previous["at"]),
        }

    def _duties(self, agency_id: str) -> list[Duty]:
        return progress.reportable_duties(self.catalog, agency_id)

    def _duty_ids(self, agency_id: str) -> set[str]:
        return {d.id for d in self._duties(agency_id)}


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
