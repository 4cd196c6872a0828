"""Reviewing and correcting a directive's draft before it is published.

The importer's draft (data/drafts/<id>/directive.yaml) is the one thing publishing
reads, so a correction edits it in place: a duty's lead and coordinating agencies, or
its timing (a date, "không có hạn", "hàng tháng" / "hàng quý" / "hàng năm"). Beside it, review.yaml
keeps what the importer could not place, each problem tied to the duty whose lines it
is on and to what it is about (agencies or the deadline), so that a correction of that
duty's agencies or deadline settles it; the checks that only need the draft itself
(agencies no longer in the catalog, deadlines before the directive was issued) are
run again on every view. The duties the importer found no agency for wait in
review.yaml too ("unassigned"), listed with the others as «chưa có cơ quan»; giving
one a lead moves it into the draft (unassigned, it is not published). Duties are shown
by their position in the text ("nhiệm vụ 3"): short to type in chat, stable because a
correction never adds or drops a duty, nor moves one.

`correct` serves the chat (/suanhap), the command line (`bot directive set`) and the
portal's review page alike; each correction is in the audit log (not as a content
change: nothing the assistant answers from changes until the draft is published).
"""

from __future__ import annotations

import difflib
import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.orm import Session

from bot.application.admin.content import agencies_in
from bot.application.importer.reading import line_at
from bot.application.importer.report import ImportResult
from bot.application.knowledge.pack import (
    DIRECTIVE_FILE,
    SOURCE_FILE,
    PackError,
    directive_yaml,
    duty_document,
    load_directive,
    read_duty,
)
from bot.application.messages import Button, Reply
from bot.domain.catalog import agency_names
from bot.domain.dates import Issued, parse_vn_date, vn_date
from bot.domain.knowledge import (
    RECURRENCE_WORDS,
    Agency,
    Directive,
    Duty,
    Recurrence,
    Timing,
    members_among,
)
from bot.storage.models import AuditLog
from nlu.normalize import fold
from nlu.yaml_io import NoAliasDumper, read_yaml

REVIEW_FILE = "review.yaml"
DRAFT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,80}$")
FIELDS = ("lead", "coordinate", "deadline")
# What an admin may type for a duty without a deadline, and for the recurrences the
# importer reads (folded).
NO_DEADLINE = frozenset({"khong co han", "khong han", "khong", "thuong xuyen", "bo"})
NO_AGENCY = frozenset({"", "khong", "khong co", "bo"})
RECURRENCES: dict[str, Recurrence] = {
    "hang thang": "monthly",
    "dinh ky hang thang": "monthly",
    "hang quy": "quarterly",
    "dinh ky hang quy": "quarterly",
    "hang nam": "annual",
    "dinh ky hang nam": "annual",
}
SUGGESTIONS = 3
PROBLEMS_SHOWN = 10
AGENCIES_SHOWN = 8
DROP_WORD = "huy"
DUTIES_SHOWN = 15  # a chat message's page (the portal lists every duty, each with its form)
PAGE_WORD = "trang"  # /suanhap <mã> trang <n>: the duties of page n


# What a refused correction was about, for the hint that goes with it: how to write
# agencies, or how to write a deadline.
AGENCY_HINT, DEADLINE_HINT = "agency", "deadline"


class DraftError(ValueError):
    """A correction that cannot be made; `problems` in Vietnamese, `suggestions` the
    agencies' names an unknown name may have meant, `hints` what the problems are
    about (AGENCY_HINT, DEADLINE_HINT), so that the reply explains that and no more."""

    def __init__(
        self, problems: Sequence[str], suggestions: Sequence[str] = (), hints: Sequence[str] = ()
    ) -> None:
        super().__init__("; ".join(problems))
        self.problems = list(problems)
        self.suggestions = list(suggestions)
        self.hints = list(hints)


@dataclass(frozen=True)
class DraftProblem:
    """One thing the importer could not place, and the duty (and field) it concerns."""

    text: str
    duty: str = ""  # the duty's id, when the problem is on its lines
    about: str = ""  # "lead" (agencies) or "deadline"; "" for anything else


@dataclass(frozen=True)
class DraftDuty:
    number: int  # its position in the draft, from 1: what admins type
    assigned: bool  # has a lead; False: «chưa có cơ quan», not published until given one
    id: str
    title: str
    lead: list[str]  # short names
    coordinate: list[str]
    deadline: str  # as admins read it: "trước 30/6/2021", "hàng quý", "không có hạn"
    lead_text: str  # the forms' values ("Sở KH&CN; Sở Tài chính")
    coordinate_text: str
    deadline_text: str  # "30/6/2021", "hàng quý", "không có hạn"


# ----- at import: the problems tied to duties ------------------------------------------


def _line_of(problem: str) -> int:
    m = re.match(r"dòng (\d+)", problem)
    return int(m.group(1)) if m else 0


def _about(problem: str) -> str:
    """What fixing a duty's field settles the problem: agencies named, or its timing."""
    text = problem.lower()
    if "cơ quan" in text:
        return "lead"
    if any(word in text for word in ("thời hạn", "định kỳ", "ngày")):
        return "deadline"
    return ""


def draft_problems(result: ImportResult) -> list[DraftProblem]:
    """The importer's problems, each tied to the duty on whose lines it is (if any)."""
    source = result.directive.source_text
    # draft_duties: the addressed candidates, then the others, in order.
    candidates = [c for c in result.candidates if c.addressees]
    candidates += [c for c in result.candidates if not c.addressees]
    duties = (*result.directive.duties, *result.unassigned)
    lines = {
        duty.id: (line_at(source, c.span[0]), line_at(source, c.span[1]))
        for duty, c in zip(duties, candidates, strict=True)
    }
    out = []
    for text in result.problems:
        line = _line_of(text)
        duty = next((d for d, (a, b) in lines.items() if line and a <= line <= b), "")
        out.append(DraftProblem(text, duty, _about(text) if duty else ""))
    return out


def write_review(
    folder: Path,
    file_name: str,
    problems: Sequence[DraftProblem],
    unassigned: Sequence[Duty] = (),
) -> None:
    document = {
        "file": file_name,
        "problems": [{"text": p.text, "duty": p.duty, "about": p.about} for p in problems],
        "unassigned": [duty_document(d) for d in unassigned],
    }
    (folder / REVIEW_FILE).write_text(
        yaml.dump(document, Dumper=NoAliasDumper, allow_unicode=True, sort_keys=False),
        encoding="utf-8",
    )


def _read_review(folder: Path) -> tuple[str, list[DraftProblem], tuple[Duty, ...]]:
    """The file name, the open problems and the duties waiting for an agency; a draft
    made by hand has none of them."""
    path = folder / REVIEW_FILE
    if not path.is_file():
        return folder.name, [], ()
    document = read_yaml(path) or {}
    problems = [
        DraftProblem(str(p["text"]), str(p.get("duty", "")), str(p.get("about", "")))
        for p in document.get("problems", ())
    ]
    source = (folder / SOURCE_FILE).read_text(encoding="utf-8")
    unassigned = tuple(
        read_duty(d, f"{path} unassigned[{i}]", source, assigned=False)
        for i, d in enumerate(document.get("unassigned", ()))
    )
    return str(document.get("file", folder.name)), problems, unassigned


# ----- the review -----------------------------------------------------------------------


@dataclass(frozen=True)
class Draft:
    folder: Path
    directive: Directive
    file_name: str
    problems: list[DraftProblem]
    unassigned: tuple[Duty, ...] = ()  # no agency yet: not published until given one

    @property
    def duties(self) -> list[Duty]:
        """Every duty, assigned or not, in the order of the text: what admins number."""
        source = self.directive.source_text
        return sorted((*self.directive.duties, *self.unassigned), key=lambda d: _at(source, d))

    def duty(self, typed: str) -> Duty:
        """The duty an admin names by its number ("3") or its id ("1.a-2")."""
        typed = typed.strip().lower().removeprefix("nv")
        duties = self.duties
        if typed.isdigit() and 1 <= int(typed) <= len(duties):
            return duties[int(typed) - 1]
        for duty in duties:
            if duty.id.lower() == typed:
                return duty
        raise DraftError([f"bản nháp không có nhiệm vụ số «{typed[:20]}» (có 1–{len(duties)})"])


def _at(source: str, duty: Duty) -> tuple[int, str]:
    """Where a duty stands in the text (its verbatim text's first place), then its id."""
    return source.find(duty.text), duty.id


def draft_folder(drafts_dir: Path, draft_id: str) -> Path:
    """The draft's folder; DraftError when there is none (or the id could not be one)."""
    folder = drafts_dir / draft_id
    if not DRAFT_ID.match(draft_id) or not (folder / DIRECTIVE_FILE).is_file():
        raise DraftError([f"không có bản nháp «{draft_id[:80]}»"])
    return folder


def open_draft(folder: Path, agencies: Sequence[Agency], named_by_id: bool = True) -> Draft:
    """The draft as publishing would read it; DraftError when it cannot be read.
    `named_by_id` False: any folder, as the command line publishes one."""
    try:
        directive = load_directive(folder, _known_ids(folder, agencies), named_by_id=named_by_id)
        file_name, problems, unassigned = _read_review(folder)
    except (OSError, PackError) as error:
        raise DraftError([f"bản nháp không đọc được: {error}"]) from error
    return Draft(folder, directive, file_name, problems, unassigned)


def _known_ids(folder: Path, agencies: Sequence[Agency]) -> frozenset[str]:
    """Every id the draft names counts as known while reviewing: one that left the
    catalog since the import is a review problem (`checks`), not an unreadable draft.
    Publishing checks against the catalog alone."""
    document = read_yaml(folder / DIRECTIVE_FILE) or {}
    named = {
        a
        for duty in document.get("duties", ())
        for role in ("addressees", "lead", "coordinate", "via")
        for a in duty.get(role, ())
    }
    return frozenset({a.id for a in agencies} | named)


def checks(draft: Draft, agencies: Sequence[Agency]) -> list[str]:
    """What the draft itself shows is wrong: a duty naming an agency no longer in the
    catalog, a deadline before the directive was issued."""
    directive = draft.directive
    known = {a.id for a in agencies}
    found = []
    for number, duty in enumerate(draft.duties, 1):
        gone = [a for a in (*duty.lead, *duty.coordinate) if a not in known]
        if gone:
            found.append(
                f"nhiệm vụ {number} ({duty.id}): cơ quan «{', '.join(gone)}» không còn "
                "trong danh mục; Anh/Chị chọn cơ quan khác"
            )
        if duty.is_task and duty.lead and not _reporters(duty, agencies):
            groups = ", ".join(_short(a, agencies) for a in duty.addressees)
            found.append(
                f"nhiệm vụ {number} ({duty.id}) giao {groups}: danh mục chưa có cơ quan nào "
                "thuộc nhóm này, nên không ai báo cáo được và không có tin nhắc; Anh/Chị "
                "giao cho cấp trên theo dõi (/suanhap … chutri, ví dụ UBND cấp huyện) "
                "hoặc thêm các cơ quan vào danh mục"
            )
        due = duty.timing.due
        if due is not None and due < directive.issued:
            found.append(
                f"nhiệm vụ {number} ({duty.id}): hạn {vn_date(due)} trước ngày ban hành "
                f"{vn_date(directive.issued)}"
            )
    return found


def _reporters(duty: Duty, agencies: Sequence[Agency]) -> list[Agency]:
    """The concrete agencies that report on `duty` (as `nudges.responsible_agencies`)."""
    groups = [a for a in agencies if a.id in duty.addressees]
    return [m for g in groups for m in members_among(g, agencies)]


def _short(agency_id: str, agencies: Sequence[Agency]) -> str:
    return next((a.short_name for a in agencies if a.id == agency_id), agency_id)


def deadline_words(timing: Timing) -> str:
    """A timing as an admin types it (the portal form's value)."""
    if timing.kind == "deadline" and timing.due is not None:
        return vn_date(timing.due)
    if timing.kind == "recurring" and timing.recurrence is not None:
        return RECURRENCE_WORDS[timing.recurrence]
    return "không có hạn"


def _duty_row(number: int, duty: Duty, names: Mapping[str, Agency]) -> DraftDuty:
    def short(ids: tuple[str, ...]) -> list[str]:
        return [names[a].short_name if a in names else a for a in ids]

    words = deadline_words(duty.timing)
    lead, coordinate = short(duty.lead), short(duty.coordinate)
    return DraftDuty(
        number=number,
        assigned=bool(duty.lead),
        id=duty.id,
        title=duty.title,
        lead=lead,
        coordinate=coordinate,
        deadline=f"trước {words}" if duty.timing.kind == "deadline" else words,
        # ";" between agencies: some names hold commas ("Các sở, ban, ngành").
        lead_text="; ".join(lead),
        coordinate_text="; ".join(coordinate),
        deadline_text=words,
    )


def duty_rows(draft: Draft, agencies: Sequence[Agency]) -> list[DraftDuty]:
    """Every duty of the draft as a row, numbered in the order of the text."""
    names = {a.id: a for a in agencies}
    return [_duty_row(n, d, names) for n, d in enumerate(draft.duties, 1)]


def _buttons(draft_id: str, rows: Sequence[DraftDuty], shown_to: int) -> tuple[Button, ...]:
    """«Công bố» and «Hủy», then «Xem thêm» while duties are left to see: the same
    numbers on every page where a channel numbers the choices (typing «2» on page 2
    meaning «Công bố» once dropped a draft)."""
    more = (
        (Button("Xem thêm", f"/suanhap {draft_id} {PAGE_WORD} {shown_to // DUTIES_SHOWN + 1}"),)
        if shown_to < len(rows)
        else ()
    )
    return (
        Button("Công bố", f"/congbo {draft_id}", "confirm"),
        Button("Hủy", f"/congbo {draft_id} {DROP_WORD}", "cancel"),
        *more,
    )


def review_reply(
    draft: Draft,
    agencies: Sequence[Agency],
    replaces: bool,
    corrected: str = "",
    printed: bool = False,
) -> Reply:
    """The review: counts, the agencies given most, the first page of duties with their
    number, agencies and deadline, and the problems still open (the importer's, then
    the checks'). `printed` (the command line): every duty, and the command line's
    commands."""
    directive = draft.directive
    names = {a.id: a for a in agencies}
    per_agency: dict[str, int] = {}
    for duty in directive.duties:
        for a in dict.fromkeys((*duty.lead, *duty.addressees)):
            per_agency[a] = per_agency.get(a, 0) + 1
    most = sorted(per_agency.items(), key=lambda item: -item[1])[:AGENCIES_SHOWN]
    problems = [p.text for p in draft.problems] + checks(draft, agencies)
    rows = duty_rows(draft, agencies)
    shown = len(rows) if printed else DUTIES_SHOWN
    view: dict[str, Any] = {
        "file": draft.file_name,
        "name": directive.name,
        "issued": directive.issued,
        "title": directive.title,
        "clauses": len(directive.clauses),
        "duties": len(directive.duties),
        "unaddressed": len(draft.unassigned),
        "deadlines": sum(d.timing.kind == "deadline" for d in directive.duties),
        "recurring": sum(d.timing.kind == "recurring" for d in directive.duties),
        "agencies": [(names[a].short_name if a in names else a, n) for a, n in most],
        "duty_rows": rows,
        "problems": problems[:PROBLEMS_SHOWN],
        "more_problems": max(0, len(problems) - PROBLEMS_SHOWN),
        "replaces": replaces,
        "id": directive.id,
        "corrected": corrected,
        "duties_shown": shown,
        "page_word": PAGE_WORD,
        "printed": printed,
    }
    buttons = _buttons(directive.id, rows, shown)
    return Reply("admin/directive_draft", view, buttons, columns=len(buttons))


def page_reply(draft: Draft, agencies: Sequence[Agency], page: int) -> Reply:
    """Page `page` (from 1) of the draft's duties, DUTIES_SHOWN a page, for chat."""
    rows = duty_rows(draft, agencies)
    pages = max(1, -(-len(rows) // DUTIES_SHOWN))
    if not 1 <= page <= pages:
        raise DraftError([f"bản nháp chỉ có {pages} trang nhiệm vụ (1–{pages})"])
    first = (page - 1) * DUTIES_SHOWN
    view = {
        "id": draft.directive.id,
        "rows": rows[first : first + DUTIES_SHOWN],
        "total": len(rows),
        "page": page,
        "pages": pages,
    }
    buttons = _buttons(draft.directive.id, rows, first + DUTIES_SHOWN)
    return Reply("admin/draft_duties", view, buttons, columns=len(buttons))


def correction_reply(draft: Draft, agencies: Sequence[Agency], before: Duty, after: Duty) -> Reply:
    """What a correction changed in one duty, what is still open on it, and how to see
    the whole review again (chat: not the whole review after every correction)."""
    names = {a.id: a for a in agencies}
    number = next(n for n, d in enumerate(draft.duties, 1) if d.id == after.id)
    old, new = _duty_row(number, before, names), _duty_row(number, after, names)
    changes = [
        (label, getattr(old, field) or "chưa có", getattr(new, field) or "không")
        for label, field in (
            ("chủ trì", "lead_text"),
            ("phối hợp", "coordinate_text"),
            ("thời hạn", "deadline"),
        )
        if getattr(old, field) != getattr(new, field)
    ]
    tag = f"nhiệm vụ {number} ({after.id})"
    open_here = [p.text for p in draft.problems if p.duty == after.id]
    open_here += [p for p in checks(draft, agencies) if p.startswith(tag)]
    view = {"id": draft.directive.id, "row": new, "changes": changes, "problems": open_here}
    buttons = _buttons(draft.directive.id, [], 0)
    return Reply("admin/draft_corrected", view, buttons, columns=len(buttons))


# ----- corrections ----------------------------------------------------------------------


def typed_timing(text: str, issued: Issued) -> Timing:
    """A deadline as typed: a date (30/6/2021), "không có hạn", "hàng tháng", "hàng quý",
    "hàng năm".
    No verbatim phrase: the admin's date is not the text's (see pack._timing)."""
    folded = " ".join(fold(text).split())
    if folded in NO_DEADLINE:
        return Timing("continuous")
    if folded in RECURRENCES:
        return Timing("recurring", recurrence=RECURRENCES[folded])
    try:
        return Timing("deadline", due=parse_vn_date(text, issued))
    except ValueError as error:  # the reason, in Vietnamese
        raise DraftError([str(error)], hints=[DEADLINE_HINT]) from error


def suggestions(agencies: Sequence[Agency], unknown: Sequence[str]) -> list[str]:
    """Agencies an unknown name may have meant: names that contain it, or spell like it."""
    by_name = agency_names(agencies)
    names = {a.id: a.short_name for a in agencies}
    found: dict[str, None] = {}
    for typed in unknown:
        key = " ".join(fold(typed).split())
        close = [n for n in by_name if key and key in n]
        close += difflib.get_close_matches(key, list(by_name), n=SUGGESTIONS, cutoff=0.6)
        for name in close:
            found.setdefault(names.get(by_name[name], by_name[name]))
    return list(found)[: SUGGESTIONS * max(1, len(unknown))]


def _agencies(agencies: Sequence[Agency], typed: str, required: bool) -> tuple[str, ...]:
    found, unknown = agencies_in(agency_names(agencies), typed)
    if unknown:
        raise DraftError(
            [f"không nhận ra cơ quan: {', '.join(unknown)}"],
            suggestions(agencies, unknown),
            [AGENCY_HINT],
        )
    if required and not found:
        raise DraftError(["cần ít nhất một cơ quan chủ trì"], hints=[AGENCY_HINT])
    return tuple(found)


def corrected_duty(
    duty: Duty, directive: Directive, agencies: Sequence[Agency], changes: Mapping[str, str]
) -> Duty:
    """`duty` with the typed changes; DraftError listing every one that cannot be made."""
    problems: list[str] = []
    suggested: list[str] = []
    hints: list[str] = []
    fields: dict[str, Any] = {}
    lead = duty.lead
    for field, typed in changes.items():
        try:
            if field == "lead":
                lead = _agencies(agencies, typed, required=True)
                # The importer addresses a duty to its lead; so does a correction.
                fields["lead"] = fields["addressees"] = lead
            elif field == "coordinate":
                none = " ".join(fold(typed).split()) in NO_AGENCY
                fields["coordinate"] = () if none else _agencies(agencies, typed, required=False)
            elif field == "deadline":
                fields["timing"] = typed_timing(typed, Issued.of(directive))
            else:
                raise DraftError([f"không sửa được «{field}»"])
        except DraftError as error:
            problems += error.problems
            suggested += error.suggestions
            hints += error.hints
    if problems:
        raise DraftError(problems, list(dict.fromkeys(suggested)), list(dict.fromkeys(hints)))
    coordinate = fields.get("coordinate", duty.coordinate)
    fields["coordinate"] = tuple(a for a in coordinate if a not in lead)
    return replace(duty, **fields)


def correct(
    session: Session,
    agencies: Sequence[Agency],
    drafts_dir: Path,
    user_id: int | None,
    draft_id: str,
    duty_typed: str,
    changes: Mapping[str, str],
) -> Correction:
    """Correct one duty of a draft (`changes`: field of FIELDS -> what the admin typed),
    write the draft back, settle the problems the correction answers, and audit it
    (`user_id` None: the command line). A duty without an agency given a lead joins
    the draft's duties. DraftError, in Vietnamese, when it cannot."""
    # An empty lead or deadline is "unchanged"; an empty coordination is "none".
    wanted = {f: v for f, v in changes.items() if f in FIELDS and (v.strip() or f == "coordinate")}
    if not wanted:
        raise DraftError(["Anh/Chị chưa ghi cơ quan chủ trì, phối hợp hay thời hạn cần sửa"])
    draft = open_draft(draft_folder(drafts_dir, draft_id), agencies)
    duty = draft.duty(duty_typed)
    fixed = corrected_duty(duty, draft.directive, agencies, wanted)
    others = [d for d in draft.duties if d.id != duty.id]
    source = draft.directive.source_text
    every = sorted((*others, fixed), key=lambda d: _at(source, d))
    directive = replace(draft.directive, duties=tuple(d for d in every if d.lead))
    unassigned = tuple(d for d in every if not d.lead)
    _write(draft.folder, directive)
    settled = {"lead" if f in ("lead", "coordinate") else f for f in wanted}
    open_problems = [p for p in draft.problems if not (p.duty == duty.id and p.about in settled)]
    write_review(draft.folder, draft.file_name, open_problems, unassigned)
    session.add(
        AuditLog(
            user_id=user_id,
            action="draft.correct",
            entity_id=f"{draft_id}/{duty.id}",
            before=_audited(duty),
            after=_audited(fixed),
        )
    )
    session.flush()
    fixed_draft = Draft(draft.folder, directive, draft.file_name, open_problems, unassigned)
    return Correction(fixed_draft, duty, fixed)


@dataclass(frozen=True)
class Correction:
    """A draft after a correction, with the duty before and after it."""

    draft: Draft
    before: Duty
    after: Duty


def _audited(duty: Duty) -> dict[str, Any]:
    return {
        "lead": list(duty.lead),
        "coordinate": list(duty.coordinate),
        "deadline": deadline_words(duty.timing),
    }


def _write(folder: Path, directive: Directive) -> None:
    """directive.yaml again, its header (what the draft is) kept."""
    path = folder / DIRECTIVE_FILE
    lines = path.read_text(encoding="utf-8").splitlines(True)
    header = "".join(itertools.takewhile(lambda line: line.startswith("#"), lines))
    path.write_text(header + "\n" + directive_yaml(directive), encoding="utf-8")
