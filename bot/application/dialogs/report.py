"""The progress-report dialog: (directive) -> duty -> status -> percent -> completion
date -> blockers -> evidence -> confirm.

The directive is asked first only when the agency reports on duties of several active
directives: the duty list is then that directive's alone.

Channel-agnostic: it returns `Reply` objects with buttons whose payloads carry the
step's token; typed answers are accepted where a step expects text (a percentage, a
date, blockers, an evidence reference). Back and cancel work at every step. State is a
row in `dialog_states`, so the dialog survives a restart of the bot.

A done report asks the day the work was finished (today, or a typed earlier day):
deadlines are judged on it, not on the day of the report. The percent step is left
out for "done" and "not started", the completion date for anything but "done".

Every step that holds a value (an edit with /sua starts from the user's last report;
going back finds what was answered) offers «Giữ nguyên» to keep it; an optional text
(blockers, evidence) that holds one is emptied only by an explicit «Xóa ...» choice.
«Bỏ qua» is offered only where there is nothing to lose. An edit saves a new report
that names the one it corrects (`replaces_id`): history is kept, and the corrected
report no longer settles a period.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.application import evidence, progress
from bot.application.accounts import can_report_for
from bot.application.commands import small_int
from bot.application.dialogs import hints
from bot.application.dialogs import state as states
from bot.application.file_limits import size_text
from bot.application.messages import Attachment, Button, ButtonKind, Reply
from bot.application.qa.views import timing_view
from bot.config import NudgeSettings
from bot.domain.calendar import TIMEZONE
from bot.domain.catalog import Catalog
from bot.domain.dates import Issued, parse_vn_date, vn_date
from bot.domain.knowledge import Duty
from bot.storage.models import DialogState, EvidenceFile, ProgressReport, User, utcnow
from nlu.normalize import fold_words, has_words, strip_tags

NAME = "r"  # short: it is part of every button payload (64 bytes at most)
PAGE_SIZE = 6
PERCENT_CHOICES = (0, 25, 50, 75, 100)
MAX_TEXT = 2000  # blockers and evidence references are notes, not documents
TEXT_STEPS = ("blockers", "evidence")  # steps whose answer is a text
# Telegram's Bot API hands bots files up to 20 MB: a larger limit would not be reached.
DEFAULT_EVIDENCE_BYTES = 20_000_000
BUTTON_TITLE = 48  # characters of a duty title on a button
STEPS = ("directive", "duty", "status", "percent", "completed", "blockers", "evidence", "confirm")
# What a step holds (an edit starts with the last report's): «Giữ nguyên» keeps it.
# Evidence is a typed reference and a file, either or both: each replaces its own kind.
EVIDENCE_TEXT = ("evidence_ref", "evidence_date")
EVIDENCE_FILE = ("evidence_file_id", "evidence_file_name", "evidence_number")
VALUES = {
    "status": ("status",),
    "percent": ("percent",),
    "completed": ("completed_on",),
    "blockers": ("blockers",),
    "evidence": (*EVIDENCE_TEXT, *EVIDENCE_FILE),
}
_VALUE_KEYS = {key for keys in VALUES.values() for key in keys} | {"percent"}
# Where a file sent is evidence: its step, and the confirmation after it (a file sent
# after the typed reference goes with it, not in its place).
FILE_STEPS = ("evidence", "confirm")
AUTOMATIC_PERCENT = {"done": 100, "not_started": 0}
_PERCENT = re.compile(r"^\s*(\d{1,3})\s*(%|phan tram|phần trăm)?\s*$", re.IGNORECASE)
_DATE = re.compile(r"\b\d{1,2}([/.-])\d{1,2}\1\d{4}\b")
_DAY_WORDS = {"hom nay": 0, "nay": 0, "hom qua": 1}  # typed instead of a date (folded)
_DAY_PREFIX = re.compile(r"^\s*(ngày|ngay)\s+", re.IGNORECASE)
_SPACE = re.compile(r"\s")


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
    clear_blockers: str
    clear_evidence: str
    today: str  # "Hôm nay ({day})"
    keep_value: str  # "Giữ nguyên ({value})"
    save: str
    save_content: str
    keep: str
    create_faq: str
    any_directive: str  # an FAQ entry's scope: every directive
    send: str
    stale: str
    right: str  # under a Q&A answer (`bot.application.feedback`)
    wrong: str
    rated: str  # the notice after a rating
    rated_right: str  # ... after «Đúng», saying so: a number typed by mistake shows


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
    return shorten(text.strip(), MAX_TEXT), when


class ReportDialog:
    def __init__(
        self,
        catalog: Catalog,
        labels: Labels,
        settings: NudgeSettings | None = None,
        evidence_max_bytes: int = DEFAULT_EVIDENCE_BYTES,
    ) -> None:
        self.catalog = catalog
        self.labels = labels
        self.settings = settings or NudgeSettings()  # the periods a done report settles
        # EVIDENCE_MAX_BYTES: the largest evidence file a channel fetches and keeps.
        self.evidence_max_bytes = evidence_max_bytes

    # Entry points (the router calls these).

    def start(
        self,
        session: Session,
        user: User,
        duty_id: str | None = None,
        previous: ProgressReport | None = None,
    ) -> Outcome:
        """A new report (on `duty_id` when given), or an edit of `previous`: its
        values filled in, each step offering to keep them."""
        assert user.agency_id is not None, "the router checks the user is linked"
        data: dict[str, Any] = {"agency_id": user.agency_id, "page": 0}
        if previous is not None:
            data["previous"] = {
                "id": previous.id,
                "duty_id": previous.duty_key,
                "status": previous.status,
                "percent": previous.percent,
                "completed_on": _iso(previous.completed_on),
                "at": previous.created_at.isoformat(),
            }
            data.update(_values_of(previous))
            if previous.evidence_number is not None:  # its name, as the first report showed
                name = session.scalar(
                    select(EvidenceFile.name).where(EvidenceFile.id == previous.evidence_number)
                )
                if name:
                    data["evidence_file_name"] = name
        step = "duty"
        key = None if duty_id is None else progress.find_duty_id(self.catalog, duty_id)
        if key is not None and key in self._duty_ids(user.agency_id):
            data["duty_id"] = key
            step = "status"
        elif len(self._directives(user.agency_id)) > 1:
            data["pick"] = True  # the directive step is part of this dialog (`_steps`)
            step = "directive"
        state = states.save(session, user.id, NAME, step, data)
        return Outcome([self.prompt(state)])

    def press(
        self, session: Session, user: User, state: DialogState, press: states.Press
    ) -> Outcome:
        if press.dialog != NAME or press.token != state.token:
            return Outcome(notice=self.labels.stale)
        data = dict(state.data)
        step, action, arg = state.step, press.action, press.arg
        if action == "cancel":
            return self.cancel(session, user)
        if action == "back":
            return self._go(session, user, self._previous_step(step, data), data)
        held = self._directives(data["agency_id"]) if step == "directive" else []
        if action == "directive" and arg in held:
            return self._go(session, user, "duty", {**data, "directive": arg, "page": 0})
        if step == "duty" and action == "page":
            data["page"] = small_int(arg) or 0
            return self._go(session, user, "duty", data)
        if step == "duty" and action == "duty" and arg in self._duty_ids(data["agency_id"], data):
            return self._go(session, user, "status", _with_duty(data, arg))
        if step == "status" and action == "status" and arg in progress.STATUSES:
            return self._forward(session, user, step, _with_status(data, arg))
        if step == "percent" and action == "percent" and small_int(arg) is not None:
            data["percent"] = min(100, small_int(arg) or 0)
            return self._forward(session, user, step, data)
        if step == "completed" and action == "today":
            data["completed_on"] = _today().isoformat()
            return self._forward(session, user, step, data)
        if action == "keep" and _holds(data, step):
            return self._forward(session, user, step, data)
        if action == "skip" and _skippable(data, step):
            return self._forward(session, user, step, data)
        if action == "clear" and step in ("blockers", "evidence") and _clearable(data, step):
            return self._forward(session, user, step, _without(data, step))
        if step == "confirm" and action == "save":
            return self._save(session, user, data)
        return Outcome(notice=self.labels.stale)

    def text(self, session: Session, user: User, state: DialogState, text: str) -> Outcome | None:
        """A typed answer to the current step, or None when the text is not one (the
        router then treats it as a question and prompts the step again)."""
        data = dict(state.data)
        stripped = text.strip()
        number = small_int(stripped)
        if state.step == "directive" and number is not None:
            held = self._directives(data["agency_id"])
            if 1 <= number <= len(held):
                chosen = {**data, "directive": held[number - 1], "page": 0}
                return self._go(session, user, "duty", chosen)
            return None
        if state.step == "duty" and number is not None:
            # Numbers are those of the page shown, like its buttons.
            duties = self._duties(data["agency_id"], data)
            index = int(data.get("page", 0)) * PAGE_SIZE + number - 1
            if 1 <= number <= PAGE_SIZE and 0 <= index < len(duties):
                return self._go(session, user, "status", _with_duty(data, duties[index].key))
            return None
        if state.step == "percent":
            value = parse_percent(stripped)
            if value is None:
                return None
            if value < 0:
                return Outcome([Reply("dialog/percent_invalid"), self.prompt(state)])
            data["percent"] = value
            return self._forward(session, user, state.step, data)
        if state.step == "completed":
            try:
                day = self._completion_day(stripped, data["duty_id"])
            except ValueError as problem:  # the reason, in Vietnamese (`check_date`)
                invalid = Reply("dialog/date_invalid", {"problem": str(problem)})
                return Outcome([invalid, self.prompt(state)])
            if day is None:
                return None
            data["completed_on"] = day.isoformat()
            return self._forward(session, user, state.step, data)
        if state.step in TEXT_STEPS and stripped and not stripped.endswith("?"):
            # Markup goes verbatim into the .docx and .xlsx: its words are what counts.
            stripped = strip_tags(stripped)
            if not has_words(stripped):  # emoji or punctuation alone: no report content
                return Outcome([Reply("dialog/no_words", {"step": state.step}), self.prompt(state)])
            if state.step == "blockers" and _PERCENT.match(stripped):
                return Outcome([self._number_at_blockers(data), self.prompt(state)])
            if state.step == "blockers":
                data["blockers"] = shorten(stripped, MAX_TEXT)
            else:
                issued = Issued.of(self.catalog.duties[data["duty_id"]][0])
                try:
                    ref, when = parse_evidence(stripped, issued)
                except ValueError as problem:  # the reason, in Vietnamese (`check_date`)
                    invalid = Reply("dialog/date_invalid", {"problem": str(problem)})
                    return Outcome([invalid, self.prompt(state)])
                # A new reference replaces the typed one; a file sent stays with it.
                data = {k: v for k, v in data.items() if k not in EVIDENCE_TEXT}
                data["evidence_ref"], data["evidence_date"] = ref, _iso(when)
            step = state.step  # `_forward` moves the state on
            forward = self._forward(session, user, step, data)
            if len(stripped) > MAX_TEXT:  # said, not done silently: the rest is lost
                forward.replies.insert(
                    0, Reply("dialog/text_cut", {"limit": MAX_TEXT, "step": step})
                )
            return forward
        return None

    def hint(self, state: DialogState, text: str) -> Reply:
        """What the step takes, for `text` that it did not (shown before the step)."""
        if state.step == "percent":
            return Reply("dialog/percent_invalid")
        if state.step == "completed":
            return Reply("dialog/date_hint", {"today": _today()})
        if state.step in TEXT_STEPS:
            return hints.not_taken(text)
        return hints.choose(text, len(self.prompt(state).buttons))

    def _number_at_blockers(self, data: dict[str, Any]) -> Reply:
        """A bare number where the blockers are asked is a percent typed late (or
        again), never a blocker: "100" after «Hoàn thành», which asks none."""
        view = {
            "automatic": data["status"] in AUTOMATIC_PERCENT,
            "status": self.labels.status[data["status"]],
            "percent": data.get("percent"),
            "blocked": data["status"] == "blocked",
        }
        return Reply("dialog/number_at_blockers", view)

    def wants_file(self, state: DialogState | None) -> bool:
        """Whether a file sent now is evidence, so the channel should fetch its bytes."""
        return state is not None and state.dialog == NAME and state.step in FILE_STEPS

    def attachment(
        self, session: Session, user: User, state: DialogState, attachment: Attachment
    ) -> Outcome | None:
        """A file at the evidence step, or at the confirmation after it (with the typed
        reference, which it does not replace): kept, numbered, when the channel brought
        its bytes within `evidence_max_bytes`; otherwise the report still names it (the
        channel's id) and the official is told it could not be kept."""
        if state.step not in FILE_STEPS:
            return None
        data = {k: v for k, v in state.data.items() if k not in EVIDENCE_FILE}
        data["evidence_file_id"] = attachment.file_id
        data["evidence_file_name"] = attachment.file_name
        content = attachment.content
        not_kept = None
        if content is not None and len(content) <= self.evidence_max_bytes:
            kept = evidence.keep(session, user, data["agency_id"], attachment, content)
            data["evidence_number"] = kept.id
            data["evidence_file_name"] = kept.name
        else:
            size = len(content) if content is not None else attachment.size
            too_big = size > self.evidence_max_bytes
            # A channel that stopped reading past the limit says limit + 1: "more than".
            view = {
                "reason": "too_big" if too_big else "failed",
                "size": size_text(size, up=True) if size > self.evidence_max_bytes + 1 else "",
                "limit": size_text(self.evidence_max_bytes),
            }
            not_kept = Reply("dialog/evidence_not_kept", view)
        forward = self._go(session, user, "confirm", data)
        if not_kept is not None:
            forward.replies.insert(0, not_kept)
        return forward

    def cancel(self, session: Session, user: User) -> Outcome:
        states.clear(session, user.id)
        return Outcome([Reply("dialog/cancelled")], finished=True)

    # Steps.

    def _go(self, session: Session, user: User, step: str, data: dict[str, Any]) -> Outcome:
        state = states.save(session, user.id, NAME, step, data)
        return Outcome([self.prompt(state)])

    def _forward(self, session: Session, user: User, step: str, data: dict[str, Any]) -> Outcome:
        """The step is answered: on to the next one that applies."""
        steps = _steps(data)
        return self._go(session, user, steps[steps.index(step) + 1], data)

    @staticmethod
    def _previous_step(step: str, data: dict[str, Any]) -> str:
        steps = _steps(data)
        return steps[max(0, steps.index(step) - 1)]

    def _completion_day(self, text: str, duty_id: str) -> dt.date | None:
        """The day typed at the completion step: a date ("5/10/2026", "ngày 5/10/2026")
        or "hôm nay", "hôm qua"; None for text that is none (a question). ValueError, in
        Vietnamese, for a date `check_date` refuses: after today, before the directive."""
        today = _today()
        words = fold_words(text)
        if words in _DAY_WORDS:
            return today - dt.timedelta(days=_DAY_WORDS[words])
        cleaned = _DAY_PREFIX.sub("", text)
        if text.endswith("?") or not any(c.isdigit() for c in cleaned):
            return None
        issued = Issued.of(self.catalog.duties[duty_id][0])
        return parse_vn_date(cleaned, issued, today)

    def _save(self, session: Session, user: User, data: dict[str, Any]) -> Outcome:
        if not can_report_for(user, data["agency_id"]):
            states.clear(session, user.id)
            return Outcome([Reply("account/not_allowed")], finished=True)
        previous = data.get("previous")
        if previous and self._unchanged(session, previous, data):
            states.clear(session, user.id)
            return Outcome([Reply("dialog/no_change", {"id": previous["id"]})], finished=True)
        report = progress.save(
            session,
            self.catalog,
            self.settings,
            user,
            progress.ReportDraft(
                duty_id=data["duty_id"],
                status=data["status"],
                percent=int(data["percent"]),
                blockers=data.get("blockers", ""),
                evidence_ref=data.get("evidence_ref", ""),
                evidence_date=_date(data.get("evidence_date")),
                evidence_file_id=data.get("evidence_file_id", ""),
                evidence_number=evidence.existing(
                    session, data.get("evidence_number"), user.id, data["agency_id"]
                ),
                completed_on=_date(data.get("completed_on")),
                replaces_id=previous.get("id") if previous else None,
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

    @staticmethod
    def _unchanged(session: Session, previous: dict[str, Any], data: dict[str, Any]) -> bool:
        """An edit that kept every value of the report it edits: saving it would add an
        identical report to the history."""
        number = previous.get("id")  # none in an edit opened before reports had one
        edited = session.get(ProgressReport, number) if number is not None else None
        if edited is None or edited.duty_key != data["duty_id"]:
            return False
        kept = _values_of(edited)
        answered = {k: v for k, v in data.items() if k in kept or k in _VALUE_KEYS}
        answered.pop("evidence_file_name", None)  # shown, never stored
        return {k: v for k, v in answered.items() if v not in (None, "")} == kept

    # Prompts.

    def prompt(self, state: DialogState) -> Reply:
        data = state.data
        token = state.token
        step = state.step

        def button(label: str, action: str, arg: str = "", kind: ButtonKind = "") -> Button:
            return Button(label, states.payload(NAME, token, action, arg), kind)

        back = button(self.labels.back, "back", kind="back")
        cancel = button(self.labels.cancel, "cancel", kind="cancel")
        if step == "directive":
            return self._directive_choice(data, token, cancel)
        if step == "duty":
            back_to = [back] if data.get("pick") else []
            return self._duty_page(data, token, (*back_to, cancel))
        summary = self._summary(data)
        keep = (
            [button(self._keep_label(data, step), "keep", kind="keep")]
            if _holds(data, step)
            else []
        )
        if step == "status":
            buttons = [button(self.labels.status[s], "status", s) for s in progress.STATUSES]
            return Reply(
                "dialog/report_status", {"s": summary}, (*buttons, *keep, back, cancel), columns=2
            )
        if step == "percent":
            buttons = [button(f"{p}%", "percent", str(p)) for p in PERCENT_CHOICES]
            return Reply(
                "dialog/report_percent",
                {"s": summary},
                (*buttons, *keep, back, cancel),
                columns=5,
                numbers_are_values=True,  # "5" is 5%, not the fifth button
            )
        if step == "completed":
            # Today is the default: "bỏ qua" takes it, unless there is a day to keep.
            label = self.labels.today.format(day=vn_date(_today()))
            today = button(label, "today", kind="" if keep else "skip")
            view = {"s": summary, "issued": self.catalog.duties[data["duty_id"]][0].issued}
            return Reply("dialog/report_completed", view, (today, *keep, back, cancel), columns=2)
        if step in ("blockers", "evidence"):
            choices = [*keep]  # something to lose: keep it, or empty it on purpose
            if _clearable(data, step):
                clear = (
                    self.labels.clear_blockers if step == "blockers" else self.labels.clear_evidence
                )
                choices.append(button(clear, "clear", kind="clear"))
            if _skippable(data, step):
                choices.append(button(self.labels.skip, "skip", kind="skip"))
            return Reply(
                f"dialog/report_{step}", {"s": summary}, (*choices, back, cancel), columns=2
            )
        save = button(self.labels.save, "save", kind="confirm")
        return Reply("dialog/report_confirm", {"s": summary}, (save, back, cancel), columns=1)

    def _keep_label(self, data: dict[str, Any], step: str) -> str:
        """«Giữ nguyên», with the value where it is short (a status, a percent, a day)."""
        if step == "status":
            value = self.labels.status.get(data["status"], data["status"])
        elif step == "percent":
            value = f"{data['percent']}%"
        elif step == "completed":
            value = vn_date(_date(data["completed_on"]))
        else:
            return self.labels.keep
        return self.labels.keep_value.format(value=value)

    def _directive_choice(self, data: dict[str, Any], token: str, cancel: Button) -> Reply:
        held = [self.catalog.directives[d] for d in self._directives(data["agency_id"])]
        buttons = [
            Button(directive.name, states.payload(NAME, token, "directive", directive.id))
            for directive in held
        ]
        views = [
            {"n": n, "name": d.name, "year": d.issued.year, "title": d.title}
            for n, d in enumerate(held, 1)
        ]
        agency = self.catalog.agencies[data["agency_id"]].name
        return Reply(
            "dialog/report_directive",
            {"directives": views, "agency": agency},
            (*buttons, cancel),
            listed=len(held),
        )

    def _duty_page(self, data: dict[str, Any], token: str, ending: tuple[Button, ...]) -> Reply:
        duties = self._duties(data["agency_id"], data)
        pages = max(1, -(-len(duties) // PAGE_SIZE))
        page = min(int(data.get("page", 0)), pages - 1)
        shown = duties[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
        buttons = [
            Button(shorten(duty.title, BUTTON_TITLE), states.payload(NAME, token, "duty", duty.key))
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
        buttons += ending
        views = [
            {
                "n": n,
                "title": duty.title,
                "clause": self.catalog.duty_clause_label(duty),
                "timing": timing_view(duty),
            }
            for n, duty in enumerate(shown, 1)
        ]
        agency = self.catalog.agencies[data["agency_id"]].name
        return Reply(
            "dialog/report_duty",
            {"duties": views, "page": page + 1, "pages": pages, "agency": agency},
            tuple(buttons),
            listed=len(shown),  # the text numbers the duties with their full titles
        )

    def _summary(self, data: dict[str, Any]) -> dict[str, Any]:
        duty = self.catalog.duties[data["duty_id"]][1] if data.get("duty_id") else None
        previous = data.get("previous")
        return {
            "agency": self.catalog.agencies[data["agency_id"]].name,
            "duty": duty.title if duty else "",
            "clause": self.catalog.duty_clause_label(duty) if duty else "",
            "timing": timing_view(duty) if duty else None,
            "status": self.labels.status.get(data.get("status", ""), ""),
            "percent": data.get("percent"),
            "completed_on": _date(data.get("completed_on")),
            "blockers": data.get("blockers", ""),
            "evidence_ref": data.get("evidence_ref", ""),
            "evidence_file_name": data.get("evidence_file_name", ""),
            "has_file": bool(data.get("evidence_file_id")),
            "evidence_number": data.get("evidence_number"),
            "previous": self._previous_view(previous),
            "replaces": previous.get("id") if previous else None,
            "blocked": data.get("status") == "blocked",
        }

    def _previous_view(self, previous: dict[str, Any] | None) -> dict[str, Any] | None:
        if not previous:
            return None
        return {
            "id": previous.get("id"),
            "status": self.labels.status.get(previous["status"], previous["status"]),
            "percent": previous["percent"],
            "completed_on": _date(previous.get("completed_on")),
            "at": dt.datetime.fromisoformat(previous["at"]),
        }

    def _duties(self, agency_id: str, data: dict[str, Any] | None = None) -> list[Duty]:
        """The agency's duties, those of the directive chosen in `data` when one was."""
        duties = progress.reportable_duties(self.catalog, agency_id)
        chosen = (data or {}).get("directive")
        return [d for d in duties if d.directive_id == chosen] if chosen else duties

    def _duty_ids(self, agency_id: str, data: dict[str, Any] | None = None) -> set[str]:
        return {d.key for d in self._duties(agency_id, data)}

    def _directives(self, agency_id: str) -> list[str]:
        """The directives the agency has duties to report on, in catalog order."""
        return list(dict.fromkeys(d.directive_id for d in self._duties(agency_id)))


# What a dialog's data holds, step by step (pure helpers on the JSON-able dict).


def _steps(data: dict[str, Any]) -> list[str]:
    """The steps this report goes through: no percent for a status that implies it, no
    completion date unless done."""
    status = data.get("status")
    return [
        step
        for step in STEPS
        if not (step == "directive" and not data.get("pick"))
        and not (step == "percent" and status in AUTOMATIC_PERCENT)
        and not (step == "completed" and status != "done")
    ]


def _skippable(data: dict[str, Any], step: str) -> bool:
    """An optional text step with nothing to lose; never a blocked report's blockers:
    «Gặp vướng mắc» says there is one, and managers read what it is."""
    if step == "blockers" and data.get("status") == "blocked":
        return False
    return step in TEXT_STEPS and not _holds(data, step)


def _clearable(data: dict[str, Any], step: str) -> bool:
    """A text step holding a value may be emptied, but not a blocked report's blocker."""
    return _holds(data, step) and not (step == "blockers" and data.get("status") == "blocked")


def _holds(data: dict[str, Any], step: str) -> bool:
    return any(data.get(key) not in (None, "") for key in VALUES.get(step, ()))


def _without(data: dict[str, Any], step: str) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k not in VALUES[step]}


def _with_duty(data: dict[str, Any], duty_id: str) -> dict[str, Any]:
    """Another duty is another report: what was answered (or an edit's values) goes."""
    # An edit opened before the dialog kept the edited report's duty is on this one.
    edited = (data.get("previous") or {}).get("duty_id", duty_id)
    if data.get("duty_id", duty_id) == duty_id and edited == duty_id:
        return {**data, "duty_id": duty_id}
    kept = ("agency_id", "page", "pick", "directive")
    return {**{k: data[k] for k in kept if k in data}, "duty_id": duty_id}


def _with_status(data: dict[str, Any], status: str) -> dict[str, Any]:
    changed = dict(data, status=status)
    if status in AUTOMATIC_PERCENT:
        changed["percent"] = AUTOMATIC_PERCENT[status]
    elif data.get("status") in AUTOMATIC_PERCENT:
        changed.pop("percent", None)  # 100 or 0 was implied, not answered: nothing to keep
    if status != "done":
        changed.pop("completed_on", None)
    return changed


def _values_of(report: ProgressReport) -> dict[str, Any]:
    """An earlier report's answers, as the dialog holds them. A done report made before
    the completion date was asked was finished, as far as anyone said, the day it was
    made (what the schedule counts too)."""
    completed = report.completed_on
    if report.status == "done" and completed is None:
        completed = report.created_at.astimezone(TIMEZONE).date()
    values = {
        "status": report.status,
        "percent": report.percent,
        "completed_on": _iso(completed) if report.status == "done" else None,
        "blockers": report.blockers,
        "evidence_ref": report.evidence_ref,
        "evidence_date": _iso(report.evidence_date),
        "evidence_file_id": report.evidence_file_id,
        "evidence_number": report.evidence_number,
    }
    return {k: v for k, v in values.items() if v not in (None, "")}


def _today() -> dt.date:
    return utcnow().astimezone(TIMEZONE).date()


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def shorten(text: str, limit: int) -> str:
    """`text` in at most `limit` characters: when longer, cut after its last whole word
    that fits (a word cut in two reads as a typo), with "…" to show it was cut. A word
    longer than half the limit is cut anyway."""
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    space = max((m.start() for m in _SPACE.finditer(head + text[limit - 1])), default=-1)
    if space > limit // 2:
        head = head[:space]
    return head.rstrip(" \t\n,;:-") + "…"
