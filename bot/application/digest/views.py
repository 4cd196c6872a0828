"""Phone-sized digests: one screen first (a text progress bar, the counts by status,
the blockers and what is late, or the agencies lowest in completion), then details as
choices (by status, by agency, the blockers), a page at a time. The same views serve
`/tonghop` (a manager's scope), `/tiendo` (an official's agency) and the weekly
digest; the choices are buttons on Telegram and numbered on Zalo and the console
(`bot.application.choices`).

Every count comes from the digest's `Tally` (`bot.domain.status`): a screen's total is
the sum of the lines it shows.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.application.digest.model import AgencySummary, Digest, DigestRow, lowest_first
from bot.application.messages import Button, Reply
from bot.domain.status import STATUSES, WORDS, Tally, Trend, text_bar

SUMMARY_AGENCIES = 5  # agencies lowest in completion on the first screen
SUMMARY_ITEMS = 3  # blockers and late rows on the first screen
SUMMARY_CHANGES = 3  # rows whose status changed, on the first screen
PAGE = 10  # rows or agencies per page of details
CUT = 110  # characters of a blocker or a title on the first screen
# The words of a details request ("/tonghop tinhtrang overdue 2"); a status by its key.
BY_STATUS, BY_AGENCY, BLOCKERS = "tinhtrang", "coquan", "vuongmac"


@dataclass(frozen=True)
class Request:
    """What a user asked of a digest: the first screen, or a page of details."""

    view: str = ""  # "", BY_STATUS, BY_AGENCY or BLOCKERS
    status: str = ""  # BY_STATUS: one of STATUSES ("": the list of statuses)
    page: int = 1

    @classmethod
    def read(cls, words: Sequence[str]) -> Request | None:
        """From the words after the command (and the agency); None: not a request."""
        if not words:
            return cls()
        view, rest = words[0].casefold(), list(words[1:])
        if view not in (BY_STATUS, BY_AGENCY, BLOCKERS):
            return None
        status = rest.pop(0) if view == BY_STATUS and rest and rest[0] in STATUSES else ""
        page = int(rest[0]) if rest and rest[0].isdigit() and len(rest[0]) < 5 else 1
        return cls(view, status, max(page, 1))


def cut(text: str, limit: int = CUT) -> str:
    """At most `limit` characters, ending at a whole word with "…"."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def _tally_view(tally: Tally) -> dict[str, Any]:
    return {
        "bar": text_bar(tally.completion),
        "completion": tally.completion,
        "done": tally.done,
        "total": tally.total,
        "late": tally.late,
        "unreported": tally.unreported,
        "counts": [(WORDS[s], tally[s]) for s in STATUSES],
    }


def _row_view(row: DigestRow, digest: Digest) -> dict[str, Any]:
    single = len(digest.agency_ids) == 1
    opened = (digest.generated_at - row.reported_at).days if row.reported_at else 0
    return {
        "agency": "" if single else row.agency,
        "id": row.duty_label or row.duty_id,
        "title": cut(row.title),
        "deadline": row.deadline,
        "note": row.note,
        "status": WORDS[row.status],
        "completed_on": row.completed_on,
        "percent": row.percent,
        "blockers": cut(row.blockers),
        "evidence": row.evidence,
        "evidence_number": row.evidence_number,
        "days": opened,
    }


def summary(
    digest: Digest,
    command: str,
    trend: Trend | None = None,
    attached: bool = False,
    title: str = "Tổng hợp thực hiện",
) -> Reply:
    """The first screen; `command` ("/tonghop", "/tonghop h_que_vo", "/tiendo") is what
    its choices send back, with the view asked for."""
    single = len(digest.agency_ids) == 1
    blocked, late = digest.blocked, digest.late
    lowest = lowest_first(digest.agencies)
    changes = digest.changes
    data = {
        "title": title,
        "subject": digest.subject,
        "scope": digest.scope,
        "at": digest.generated_at,
        "single": single,
        **_tally_view(digest.tally),
        "blocked_total": len(blocked),
        "blocked": [_row_view(r, digest) for r in blocked[:SUMMARY_ITEMS]],
        "late_rows": [_row_view(r, digest) for r in late[:SUMMARY_ITEMS]] if single else [],
        "agencies": [] if single else [_agency_view(digest, a) for a in lowest[:SUMMARY_AGENCIES]],
        "agency_count": len(digest.agencies),
        "trend": trend,
        "changes": None if changes is None else changes[:SUMMARY_CHANGES],
        "more_changes": 0 if changes is None else max(0, len(changes) - SUMMARY_CHANGES),
        "previous_at": digest.previous_at,
        "skipped": [{"title": s.title, "id": s.label or s.duty_id} for s in digest.skipped],
        "unassigned": digest.unassigned,
        "attached": attached,
        "evidence_files": len({r.evidence_number for r in digest.rows if r.evidence_number}),
        "directive_picks": False,  # `/tonghop` over several directives offers each
        "printed": False,  # on paper or a terminal (`bot digest --preview`): no choices
    }
    buttons = [Button("Theo tình trạng", f"{command} {BY_STATUS}")]
    if not single:
        buttons.append(Button("Theo cơ quan", f"{command} {BY_AGENCY}"))
    if blocked:
        buttons.append(Button(f"Vướng mắc ({len(blocked)})", f"{command} {BLOCKERS}"))
    return Reply("digest/summary", data, tuple(buttons), columns=len(buttons))


def _agency_view(digest: Digest, agency: AgencySummary) -> dict[str, Any]:
    blocked = sum(1 for r in digest.blocked if r.agency_id == agency.agency_id)
    return {"name": agency.agency, **_tally_view(agency.tally), "blocked": blocked}


def _pages(count: int) -> int:
    return max(1, math.ceil(count / PAGE))


def _paging(command: str, page: int, pages: int) -> list[Button]:
    buttons = []
    if page > 1:
        buttons.append(Button("Trang trước", f"{command} {page - 1}"))
    if page < pages:
        buttons.append(Button("Trang sau", f"{command} {page + 1}"))
    return buttons


def details(digest: Digest, command: str, request: Request) -> Reply:
    """A page of details: the statuses to choose from, one status's rows, the agencies
    (lowest completion first) or the blockers (newest first)."""
    single = len(digest.agency_ids) == 1
    back = Button("Tóm tắt", command, "back")
    if request.view == BY_STATUS and not request.status:
        choices = [
            Button(f"{WORDS[s]} ({digest.tally[s]})", f"{command} {BY_STATUS} {s}")
            for s in STATUSES
            if digest.tally[s]
        ]
        view = {"scope": digest.scope, **_tally_view(digest.tally)}
        return Reply("digest/statuses", view, (*choices, back))
    if request.view == BY_AGENCY and not single:
        ranked = lowest_first(digest.agencies)
        pages = _pages(len(ranked))
        page = min(request.page, pages)
        shown = ranked[(page - 1) * PAGE : page * PAGE]
        view = {
            "scope": digest.scope,
            "page": page,
            "pages": pages,
            "count": len(ranked),
            "agencies": [_agency_view(digest, a) for a in shown],
        }
        # Each agency's own summary is one choice away (the command names the agency).
        base = command.split()[0]
        choices = [Button(cut(a.agency, 40), f"{base} {a.agency_id}") for a in shown]
        paging = _paging(f"{command} {BY_AGENCY}", page, pages)
        return Reply("digest/agencies", view, (*choices, *paging, back), listed=len(choices))
    if request.view == BLOCKERS:
        rows, heading = digest.blocked, "Khó khăn, vướng mắc"
        more = f"{command} {BLOCKERS}"
    else:
        status = request.status if request.status in STATUSES else "unreported_late"
        rows = [r for r in digest.rows if r.status == status]
        heading, more = WORDS[status], f"{command} {BY_STATUS} {status}"
    pages = _pages(len(rows))
    page = min(request.page, pages)
    view = {
        "scope": digest.scope,
        "heading": heading,
        "page": page,
        "pages": pages,
        "count": len(rows),
        "rows": [_row_view(r, digest) for r in rows[(page - 1) * PAGE : page * PAGE]],
        "history": command.startswith("/tiendo"),
    }
    return Reply("digest/rows", view, (*_paging(more, page, pages), back))
