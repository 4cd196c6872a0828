"""The structured knowledge the assistant answers from.

These frozen dataclasses are the one shape shared by the directive pack loader
(`bot.application.knowledge.pack`), the database (`bot.storage`), the NLU indexes and the Q&A
service. Every field documented as *verbatim* must be an exact substring of the
directive's source text; a test enforces it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Literal

AgencyLevel = Literal["province", "district", "commune", "central"]
# department: a Sở; agency: another provincial body (Văn phòng UBND, Ban ...);
# media: press and broadcasting; district: a district-level People's Committee;
# committee: the provincial People's Committee itself (the directive's issuer, to
# which reports go; not one of "the sở, ban, ngành");
# group: a collective addressee ("every sở, ban, ngành", "every UBND huyện").
AgencyKind = Literal[
    "department", "agency", "media", "district", "commune", "committee", "central", "group"
]
TimingKind = Literal["deadline", "recurring", "continuous"]
# task: something an agency does and reports on; responsibility: a sentence that only
# says who answers for something ("Thủ trưởng ... chịu trách nhiệm cá nhân trước ...",
# the closing "... có trách nhiệm thi hành Chỉ thị này"). Only tasks are reported on,
# nudged and counted in digests.
DutyKind = Literal["task", "responsibility"]
DUTY_KINDS: tuple[DutyKind, ...] = ("task", "responsibility")
Recurrence = Literal["monthly", "quarterly", "annual"]
# How users read a recurrence when the text states none of its own (a corrected draft).
RECURRENCE_WORDS: dict[Recurrence, str] = {
    "monthly": "hàng tháng",
    "quarterly": "hàng quý",
    "annual": "hàng năm",
}
KEY_SEPARATOR = ":"


def scoped_key(directive_id: str, item_id: str) -> str:
    """A clause's or duty's id made unique across directives: "06-CT-UBND-2019:1.a-1"."""
    return f"{directive_id}{KEY_SEPARATOR}{item_id}"


def split_key(key: str) -> tuple[str, str]:
    """(directive id, item id) of a scoped key; ("", key) for a plain id."""
    directive_id, separator, item_id = key.rpartition(KEY_SEPARATOR)
    return (directive_id, item_id) if separator else ("", key)


def short_label(number: str, issued: dt.date) -> str:
    """A directive's short name, "06/2019" (from "06/CT-UBND" issued in 2019): how ids
    are prefixed when several directives are active, and a retired one's always."""
    return f"{number.split('/')[0]}/{issued.year}"


def names_directive(
    word: str, directive_id: str, doc_type: str, number: str, issued: dt.date
) -> bool:
    """Whether what an admin typed names this directive: its id ("06-CT-UBND-2019"), its
    number ("06/CT-UBND", "Chỉ thị 06/CT-UBND") or its short name ("06/2019"); case and
    spaces aside."""
    names = (directive_id, number, f"{doc_type} {number}", short_label(number, issued))
    return word.lower().replace(" ", "") in {n.lower().replace(" ", "") for n in names}


@dataclass(frozen=True)
class Agency:
    """A body the directive (or a user) can name."""

    id: str
    name: str  # official name with diacritics, e.g. "Sở Thông tin và Truyền thông"
    short_name: str  # what officials write, e.g. "Sở TT&TT"
    kind: AgencyKind
    level: AgencyLevel
    # Other spellings: abbreviations, names without the "Sở"/"UBND" prefix, names
    # without diacritics. Matching folds diacritics itself, so only genuinely
    # different strings need listing.
    aliases: tuple[str, ...] = ()
    # For a group: the kinds/levels of agencies it stands for. A group is matched
    # like any agency ("các sở", "UBND cấp huyện") and expands to its members.
    member_levels: tuple[AgencyLevel, ...] = ()
    member_kinds: tuple[AgencyKind, ...] = ()


def members_among(group: Agency, agencies: Iterable[Agency]) -> tuple[Agency, ...]:
    """The concrete agencies of `agencies` a group stands for (the group itself if it
    is not one): none for «UBND cấp xã» while the catalog lists no commune."""
    if group.kind != "group":
        return (group,)
    return tuple(
        a
        for a in agencies
        if a.kind != "group"
        and a.level in group.member_levels
        and (not group.member_kinds or a.kind in group.member_kinds)
    )


@dataclass(frozen=True)
class Timing:
    """When a duty is due."""

    kind: TimingKind
    due: dt.date | None = None  # for "deadline"
    recurrence: Recurrence | None = None  # for "recurring"
    text: str = ""  # verbatim phrase from the source ("trước ngày 31/5/2019", "hàng quý")
    extended_to: dt.date | None = None  # the admins' effective deadline (gia hạn), if set


@dataclass(frozen=True)
class Duty:
    """One thing one or more agencies must do; a bullet may hold several duties."""

    id: str  # "<clause>-<n>", e.g. "2.f-3"
    clause: str  # id of the clause it belongs to, e.g. "2.f"
    title: str  # short curated summary, Vietnamese, for lists and buttons
    text: str  # verbatim sentence(s) from the source
    addressees: tuple[str, ...]  # agency or group ids the duty is addressed to
    lead: tuple[str, ...]  # who leads (chủ trì); usually the addressees
    coordinate: tuple[str, ...] = ()  # who coordinates (phối hợp)
    timing: Timing = field(default_factory=lambda: Timing("continuous"))
    topics: tuple[str, ...] = ()  # topic ids
    # Who is reached through the addressees, e.g. communes via the districts.
    via: tuple[str, ...] = ()
    kind: DutyKind = "task"
    # The directive it belongs to: stamped by `Directive` itself, so a duty taken out of
    # its directive still names it (ids such as "1.a-1" repeat across directives).
    directive_id: str = ""

    @property
    def is_task(self) -> bool:
        return self.kind == "task"

    @property
    def key(self) -> str:
        """Unique across directives: what lookups, reports, nudges and outbox rows use."""
        return scoped_key(self.directive_id, self.id)


@dataclass(frozen=True)
class Clause:
    """A citable part of the directive (a numbered item, a lettered clause, a paragraph)."""

    id: str  # "1", "1.e", "2.b", "intro.results", "intro.shortcomings", "intro.purpose", "closing"
    label: str  # how answers cite it: "Mục 1.e", "Phần mở đầu (kết quả đạt được)"
    title: str  # heading, e.g. "Tăng cường sử dụng chữ ký số"; curated where the text has none
    text: str  # verbatim full text of the part (heading excluded)
    parent: str | None = None
    items: tuple[str, ...] = ()  # verbatim bullets, when the part has them
    topics: tuple[str, ...] = ()
    directive_id: str = ""  # stamped by `Directive`, as a duty's

    @property
    def key(self) -> str:
        return scoped_key(self.directive_id, self.id)


@dataclass(frozen=True)
class Figure:
    """A number the directive states."""

    id: str
    label: str  # curated description: "Số tài khoản thư điện tử đã cấp"
    value: str  # as printed in the source: "9.289", "46%"
    unit: str  # "tài khoản", "văn bản", "%", "camera" ...
    clause: str
    quote: str  # verbatim phrase containing the value
    keywords: tuple[str, ...] = ()  # curated words people use for it ("email", "hộp thư")
    parent: str | None = None  # a breakdown figure points at its total


@dataclass(frozen=True)
class Topic:
    """A subject people ask about ("chữ ký số", "an toàn thông tin")."""

    id: str
    name: str
    aliases: tuple[str, ...] = ()
    clauses: tuple[str, ...] = ()  # clause ids that speak about it


@dataclass(frozen=True)
class CitedDocument:
    """A legal document the directive refers to."""

    number: str  # "43/2011/NĐ-CP"
    doc_type: str  # "Nghị định"
    date: dt.date
    issuer: str
    subject: str  # curated one-line subject
    clause: str  # where the directive cites it
    quote: str  # verbatim phrase citing it


@dataclass(frozen=True)
class FaqEntry:
    """A curated question and answer, editable by admins."""

    id: str
    question: str
    answer: str
    alternates: tuple[str, ...] = ()
    clauses: tuple[str, ...] = ()
    directive_id: str | None = None  # the directive it is about (None: any)


# Where a text states when it takes effect: "Ngày hiệu lực: 19/04/2019" (a portal's
# header), "Chỉ thị này có hiệu lực (thi hành) (kể) từ ngày ký".
_STATES_EFFECTIVE = re.compile(
    r"ngày hiệu lực\s*:|có hiệu lực(?: thi hành)?(?: kể)? từ", re.IGNORECASE
)


@dataclass(frozen=True)
class Directive:
    """One directive with everything the pack states about it."""

    id: str  # stable key, e.g. "06-CT-UBND-2019"
    number: str  # "06/CT-UBND"
    doc_type: str  # "Chỉ thị"
    title: str
    issued: dt.date
    effective: dt.date
    issuer: str
    place: str
    signer_name: str
    signer_title: str  # "Phó Chủ tịch"
    signing_capacity: str  # "KT. Chủ tịch"
    source_text: str
    cites: tuple[CitedDocument, ...] = ()
    recipients: tuple[str, ...] = ()  # verbatim lines of "Nơi nhận"
    clauses: tuple[Clause, ...] = ()
    duties: tuple[Duty, ...] = ()
    figures: tuple[Figure, ...] = ()
    topics: tuple[Topic, ...] = ()

    def __post_init__(self) -> None:
        # Every clause and duty names its directive, whoever built them (pack, database,
        # a test): lookups by `key` then never mix two directives' "1.a".
        for part in ("clauses", "duties"):
            items = getattr(self, part)
            if any(item.directive_id != self.id for item in items):
                stamped = tuple(replace(item, directive_id=self.id) for item in items)
                object.__setattr__(self, part, stamped)

    @property
    def short_label(self) -> str:
        """How ids are prefixed when several directives are active: "06/2019"."""
        return short_label(self.number, self.issued)

    @property
    def name(self) -> str:
        """ "Chỉ thị 06/CT-UBND" """
        return f"{self.doc_type} {self.number}"

    @property
    def effective_from_signing(self) -> bool:
        """Whether the effective date is the signing date because the text states none
        (the importer sets it so, "đặt bằng ngày ban hành"): answers then say the
        directive gives no date of its own rather than state one as the text's."""
        return self.effective == self.issued and not _STATES_EFFECTIVE.search(self.source_text)

    def clause(self, clause_id: str) -> Clause:
        for clause in self.clauses:
            if clause.id == clause_id:
                return clause
        raise KeyError(clause_id)


@dataclass(frozen=True)
class RetiredDirective:
    """A directive kept for history only: asked about by number, the assistant says
    it no longer applies rather than that it does not know it."""

    doc_type: str
    number: str
    issued: dt.date
    title: str
    retired_on: dt.date

    @property
    def name(self) -> str:
        return f"{self.doc_type} {self.number}"


@dataclass(frozen=True)
class FormerAgency:
    """An agency no longer in the catalog: merged into another, or closed. Asked about
    by name, the assistant says what became of it, rather than matching the rest of
    the question's words to some passage."""

    id: str
    name: str
    short_name: str
    aliases: tuple[str, ...] = ()
    merged_into: str = ""  # the name of the agency it went into; "": closed
    # The active agency that holds its duties now (the end of its merges), if any.
    now: str | None = None

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, self.short_name, *self.aliases)


@dataclass(frozen=True)
class KnowledgeBase:
    """Everything the Q&A answers from: directives, agencies and the FAQ."""

    directives: tuple[Directive, ...]
    agencies: tuple[Agency, ...]
    faq: tuple[FaqEntry, ...] = ()
    retired: tuple[RetiredDirective, ...] = ()
    former: tuple[FormerAgency, ...] = ()

    def agency(self, agency_id: str) -> Agency:
        for agency in self.agencies:
            if agency.id == agency_id:
                return agency
        raise KeyError(agency_id)

    def members(self, group: Agency) -> tuple[Agency, ...]:
        """Concrete agencies a group stands for (the group itself if it is not one)."""
        return members_among(group, self.agencies)
