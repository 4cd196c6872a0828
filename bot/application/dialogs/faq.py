"""The admin's FAQ dialog: question -> other phrasings -> answer -> clauses -> preview.

Used to add an entry (/faqthem, or from the unanswered inbox with the question
filled in) and to edit one (/faqsua <id>: every step offers "keep"). Saving goes
through `bot.application.admin.content`, which checks the user is an admin and versions it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from bot.application.admin import content, inbox
from bot.application.dialogs import hints
from bot.application.dialogs import state as states
from bot.application.dialogs.report import Labels, Outcome
from bot.application.messages import Button, Reply
from bot.application.qa import directives
from bot.domain.catalog import Catalog
from bot.storage.models import DialogState, FaqEntry, User

NAME = "f"
STEPS = ("question", "alternates", "answer", "clauses", "preview")
OPTIONAL = frozenset({"alternates", "clauses"})


class FaqDialog:
    def __init__(self, catalog: Catalog, labels: Labels) -> None:
        self.catalog = catalog
        self.labels = labels

    def start(
        self,
        session: Session,
        user: User,
        entry: FaqEntry | None = None,
        question: str = "",
        inbox_log_id: int | None = None,
    ) -> Outcome:
        """A new entry (from an unanswered question of the inbox, `inbox_log_id`, whose
        group leaves the inbox when the entry is saved), or an edit of `entry`."""
        data: dict[str, Any] = {"question": question, "alternates": [], "answer": "", "clauses": []}
        if inbox_log_id is not None:
            data["inbox_log_id"] = inbox_log_id
        if entry is not None:
            data = {
                "faq_id": entry.id,
                "question": entry.question,
                "alternates": list(entry.alternates),
                "answer": entry.answer,
                "clauses": list(entry.clauses),
                "directive_id": entry.directive_id or content.ANY_DIRECTIVE,
            }
        step = "alternates" if question and entry is None else "question"
        return self._go(session, user, step, data)

    def press(
        self, session: Session, user: User, state: DialogState, press: states.Press
    ) -> Outcome:
        if press.dialog != NAME or press.token != state.token:
            return Outcome(notice=self.labels.stale)
        data = dict(state.data)
        if press.action == "cancel":
            states.clear(session, user.id)
            return Outcome([Reply("admin/faq_cancelled")], finished=True)
        if press.action == "back":
            return self._go(session, user, STEPS[max(0, STEPS.index(state.step) - 1)], data)
        if press.action in ("skip", "keep") and state.step != "preview":
            if press.action == "skip" and state.step in OPTIONAL:
                data[state.step] = []
            return self._go(session, user, STEPS[STEPS.index(state.step) + 1], data)
        if press.action == "save" and state.step == "preview":
            return self._save(session, user, data)
        if press.action == "scope" and state.step == "preview":
            return self._go(session, user, "preview", {**data, "directive_id": press.arg})
        return Outcome(notice=self.labels.stale)

    def text(self, session: Session, user: User, state: DialogState, text: str) -> Outcome | None:
        value = text.strip()
        if not value or state.step == "preview":
            return None
        data = dict(state.data)
        if state.step == "alternates":
            data["alternates"] = list(content.parse_alternates(value))
        elif state.step == "clauses":
            data["clauses"] = list(content.parse_clauses(value))
        else:
            data[state.step] = value
        return self._go(session, user, STEPS[STEPS.index(state.step) + 1], data)

    def attachment(self, session: Session, user: User, state: DialogState, _: object) -> None:
        return None

    def hint(self, state: DialogState, text: str) -> Reply:
        """What the step takes, for `text` that it did not (shown before the step)."""
        if state.step == "preview":
            return hints.choose(text, len(self.prompt(state).buttons))
        return hints.not_taken(text)

    def prompt(self, state: DialogState) -> Reply:
        data, token = state.data, state.token
        buttons = []
        if state.step == "preview":
            save = states.payload(NAME, token, "save")
            buttons.append(Button(self.labels.save_content, save, "confirm"))
            buttons += self._scopes(token, data.get("directive_id", content.ANY_DIRECTIVE))
        elif state.step in OPTIONAL:
            buttons.append(Button(self.labels.skip, states.payload(NAME, token, "skip"), "skip"))
        if state.step != "preview" and data.get(state.step):
            buttons.append(Button(self.labels.keep, states.payload(NAME, token, "keep"), "keep"))
        if state.step != "question":
            buttons.append(Button(self.labels.back, states.payload(NAME, token, "back"), "back"))
        buttons.append(Button(self.labels.cancel, states.payload(NAME, token, "cancel"), "cancel"))
        view = {**data, "step": state.step, "problems": self._problems(data), **self._scope(data)}
        return Reply(f"admin/faq_{state.step}", view, tuple(buttons), columns=2)

    def _scope(self, data: dict[str, Any]) -> dict[str, Any]:
        """What the preview and the confirmation say of the directive the entry is about:
        only when several are active (with one, it is about that one)."""
        chosen = self.catalog.directives.get(data.get("directive_id") or "")
        return {"several": len(self.catalog.directives) > 1, "directive": chosen}

    def _scopes(self, token: str, current: str) -> list[Button]:
        """With several directives active, a button for each other scope of the entry."""
        if len(self.catalog.directives) < 2:
            return []
        choices = [(d.id, d.name) for d in self.catalog.directives.values()]
        choices.append((content.ANY_DIRECTIVE, self.labels.any_directive))
        return [
            Button(name, states.payload(NAME, token, "scope", directive_id))
            for directive_id, name in choices
            if directive_id != current
        ]

    def _problems(self, data: dict[str, Any]) -> list[str]:
        return self._draft(data).problems(self.catalog.clauses.ids())

    @staticmethod
    def _draft(data: dict[str, Any]) -> content.FaqDraft:
        return content.FaqDraft(
            question=data.get("question", ""),
            answer=data.get("answer", ""),
            alternates=tuple(data.get("alternates", [])),
            clauses=tuple(data.get("clauses", [])),
            directive_id=data.get("directive_id"),
        )

    def _go(self, session: Session, user: User, step: str, data: dict[str, Any]) -> Outcome:
        if step == "preview" and "directive_id" not in data:
            # A new entry is about the directive its question names, or the only one
            # active; else about every one, which the preview shows and lets change.
            data = {**data, "directive_id": directives.about(self.catalog, data["question"])}
        state = states.save(session, user.id, NAME, step, data)
        return Outcome([self.prompt(state)])

    def _save(self, session: Session, user: User, data: dict[str, Any]) -> Outcome:
        try:
            entry = content.save_faq(
                session, user, self._draft(data), self.catalog.clauses.ids(), data.get("faq_id")
            )
        except content.ContentError as error:
            if error.reason == "not_admin":
                states.clear(session, user.id)
                return Outcome([Reply("account/admin_only")], finished=True)
            state = states.save(session, user.id, NAME, "preview", data)
            return Outcome([self.prompt(state)])
        states.clear(session, user.id)
        if "inbox_log_id" in data:  # a group or a "Chưa đúng" now has its FAQ entry
            inbox.dismiss_group(session, user, data["inbox_log_id"])
        saved = {"id": entry.id, **self._scope(data)}
        return Outcome([Reply("admin/faq_saved", saved)], finished=True, changed=True)
