"""The directive pack (data/) <-> a `KnowledgeBase`: loaded and validated, and a
directive written back as directive.yaml (`directive_yaml`, for the importer's drafts).

Layout of the data folder::

    agencies.yaml                    list of Agency records
    faq.yaml                         list of FaqEntry records
    directives/<id>/directive.yaml   one Directive (everything but source_text)
    directives/<id>/source.txt       the directive's verbatim text

The loader is strict on purpose: the pack is edited by hand, and a typo in an id
or a quote that drifted from the source must stop the bot at start-up with a
message that names the file and the record, not surface later as a wrong answer.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, cast, get_args

import yaml

from bot.config import PROJECT_ROOT
from bot.domain.knowledge import (
    DUTY_KINDS,
    Agency,
    AgencyKind,
    AgencyLevel,
    CitedDocument,
    Clause,
    Directive,
    Duty,
    DutyKind,
    FaqEntry,
    Figure,
    KnowledgeBase,
    Recurrence,
    Timing,
    TimingKind,
    Topic,
)
from nlu.normalize import fold_words as fold
from nlu.yaml_io import NoAliasDumper, read_yaml

AGENCIES_FILE = "agencies.yaml"
FAQ_FILE = "faq.yaml"
DIRECTIVES_DIR = "directives"
DIRECTIVE_FILE = "directive.yaml"
SOURCE_FILE = "source.txt"

_AGENCY_LEVELS: frozenset[str] = frozenset(get_args(AgencyLevel))
_AGENCY_KINDS: frozenset[str] = frozenset(get_args(AgencyKind))
_TIMING_KINDS: frozenset[str] = frozenset(get_args(TimingKind))
_RECURRENCES: frozenset[str] = frozenset(get_args(Recurrence))


class PackError(ValueError):
    """The pack on disk is malformed or inconsistent; the message says where and why."""


def default_data_dir() -> Path:
    """The repository's data/ folder."""
    return PROJECT_ROOT / "data"


def load_knowledge(data_dir: Path) -> KnowledgeBase:
    """Read and validate every file of the pack under `data_dir`."""
    agencies = load_agencies(data_dir / AGENCIES_FILE)
    agency_ids = frozenset(a.id for a in agencies)

    directives_root = data_dir / DIRECTIVES_DIR
    folders = (
        sorted(p for p in directives_root.iterdir() if p.is_dir())
        if (directives_root.is_dir())
        else []
    )
    directives = tuple(
        load_directive(folder, agency_ids)
        for folder in folders
        if (folder / DIRECTIVE_FILE).is_file()
    )
    if not directives:
        raise PackError(f"{directives_root}: không có tệp */{DIRECTIVE_FILE} nào")
    _check_unique([d.id for d in directives], "văn bản", str(directives_root))

    clause_ids = frozenset(c.id for d in directives for c in d.clauses)
    faq = load_faq(data_dir / FAQ_FILE, clause_ids, frozenset(d.id for d in directives))
    return KnowledgeBase(directives=directives, agencies=agencies, faq=faq)


# ---------------------------------------------------------------------------
# Agencies


def load_agencies(path: Path) -> tuple[Agency, ...]:
    """Agency records from `path`; ids and folded names/aliases must be unique."""
    rows = _as_list(_read_yaml(path), str(path))
    agencies = tuple(
        _agency(_as_map(row, _place(path, "", i)), _place(path, "", i))
        for i, row in enumerate(rows)
    )
    _check_unique([a.id for a in agencies], "cơ quan", str(path))
    _check_agency_names(agencies, str(path))
    return agencies


def _agency(m: Mapping[str, Any], where: str) -> Agency:
    _check_keys(
        m,
        where,
        required={"id", "name", "short_name", "kind", "level"},
        optional={"aliases", "member_levels", "member_kinds"},
    )
    where = f"{where} (cơ quan {m.get('id')!r})"
    kind = cast(AgencyKind, _choice(m, "kind", _AGENCY_KINDS, where))
    member_levels = cast(
        tuple[AgencyLevel, ...], _choice_tuple(m, "member_levels", _AGENCY_LEVELS, where)
    )
    member_kinds = cast(
        tuple[AgencyKind, ...], _choice_tuple(m, "member_kinds", _AGENCY_KINDS, where)
    )
    if kind == "group" and not member_levels:
        raise PackError(f"{where}: nhóm cơ quan (kind: group) cần có member_levels")
    if kind != "group" and (member_levels or member_kinds):
        raise PackError(
            f"{where}: chỉ nhóm cơ quan (kind: group) mới có member_levels, member_kinds"
        )
    return Agency(
        id=_str(m, "id", where),
        name=_str(m, "name", where),
        short_name=_str(m, "short_name", where),
        kind=kind,
        level=cast(AgencyLevel, _choice(m, "level", _AGENCY_LEVELS, where)),
        aliases=_str_tuple(m, "aliases", where),
        member_levels=member_levels,
        member_kinds=member_kinds,
    )


def _check_agency_names(agencies: Iterable[Agency], where: str) -> None:
    """No folded name, short name or alias may point at two different agencies."""
    owner: dict[str, tuple[str, str]] = {}
    for agency in agencies:
        for spelling in (agency.name, agency.short_name, *agency.aliases):
            key = fold(spelling)
            if not key:
                raise PackError(
                    f"{where}: cơ quan {agency.id!r} có tên hoặc tên khác (aliases) để trống"
                )
            other = owner.setdefault(key, (agency.id, spelling))
            if other[0] != agency.id:
                raise PackError(
                    f"{where}: tên {spelling!r} của cơ quan {agency.id!r} (bỏ dấu) trùng với "
                    f"{other[1]!r} của cơ quan {other[0]!r}; mỗi tên chỉ gọi một cơ quan"
                )


# ---------------------------------------------------------------------------
# FAQ


def load_faq(
    path: Path, clause_ids: frozenset[str], directive_ids: frozenset[str] = frozenset()
) -> tuple[FaqEntry, ...]:
    """FAQ entries from `path`; cited clauses must exist in some directive, and the
    directive an entry names (`directive`, optional: none means any) must be loaded."""
    rows = _as_list(_read_yaml(path), str(path))
    entries: list[FaqEntry] = []
    for i, row in enumerate(rows):
        where = _place(path, "", i)
        m = _as_map(row, where)
        _check_keys(
            m,
            where,
            required={"id", "question", "answer"},
            optional={"alternates", "clauses", "directive"},
        )
        where = f"{path} (câu hỏi {m.get('id')!r})"
        entry = FaqEntry(
            id=_str(m, "id", where),
            question=_str(m, "question", where),
            answer=_str(m, "answer", where),
            alternates=_str_tuple(m, "alternates", where),
            clauses=_str_tuple(m, "clauses", where),
            directive_id=_str(m, "directive", where) if "directive" in m else None,
        )
        _check_refs(entry.clauses, clause_ids, "mục", where)
        if entry.directive_id is not None:
            _check_refs((entry.directive_id,), directive_ids, "văn bản", where)
        entries.append(entry)
    _check_unique([e.id for e in entries], "câu hỏi", str(path))
    return tuple(entries)


# ---------------------------------------------------------------------------
# Directive


def load_directive(
    folder: Path, agency_ids: frozenset[str], *, named_by_id: bool = True
) -> Directive:
    """One directive from `folder`/directive.yaml and `folder`/source.txt.

    A pack under data/directives is named by its id (`named_by_id`); a draft being
    published may sit in any folder, since it is stored in the database by its id."""
    path = folder / DIRECTIVE_FILE
    source_path = folder / SOURCE_FILE
    try:
        source = source_path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PackError(
            f"{source_path}: không đọc được văn bản gốc ({exc.strerror or exc})"
        ) from exc
    if not source.strip():
        raise PackError(f"{source_path}: văn bản gốc không có nội dung")
    source = unicodedata.normalize("NFC", source)

    m = _as_map(_read_yaml(path), str(path))
    _check_keys(
        m,
        str(path),
        required={
            "id",
            "number",
            "doc_type",
            "title",
            "issued",
            "effective",
            "issuer",
            "place",
            "signer_name",
            "signer_title",
            "signing_capacity",
        },
        optional={"cites", "recipients", "clauses", "duties", "figures", "topics"},
    )
    where = str(path)
    directive_id = _str(m, "id", where)
    if named_by_id and directive_id != folder.name:
        raise PackError(f"{where}: mã (id) {directive_id!r} khác tên thư mục {folder.name!r}")

    verbatim = _Verbatim(source, where)
    clauses = tuple(
        _clause(_as_map(r, _place(where, "clauses", i)), _place(where, "clauses", i), verbatim)
        for i, r in enumerate(_list_field(m, "clauses", where))
    )
    duties = tuple(
        _duty(_as_map(r, _place(where, "duties", i)), _place(where, "duties", i), verbatim)
        for i, r in enumerate(_list_field(m, "duties", where))
    )
    figures = tuple(
        _figure(_as_map(r, _place(where, "figures", i)), _place(where, "figures", i), verbatim)
        for i, r in enumerate(_list_field(m, "figures", where))
    )
    topics = tuple(
        _topic(_as_map(r, _place(where, "topics", i)), _place(where, "topics", i))
        for i, r in enumerate(_list_field(m, "topics", where))
    )
    cites = tuple(
        _cite(_as_map(r, _place(where, "cites", i)), _place(where, "cites", i), verbatim)
        for i, r in enumerate(_list_field(m, "cites", where))
    )
    recipients = _str_tuple(m, "recipients", where)
    for line in recipients:
        verbatim.check(line, "nơi nhận")

    directive = Directive(
        id=directive_id,
        number=_str(m, "number", where),
        doc_type=_str(m, "doc_type", where),
        title=_str(m, "title", where),
        issued=_date(m, "issued", where),
        effective=_date(m, "effective", where),
        issuer=_str(m, "issuer", where),
        place=_str(m, "place", where),
        signer_name=_str(m, "signer_name", where),
        signer_title=_str(m, "signer_title", where),
        signing_capacity=_str(m, "signing_capacity", where),
        source_text=source,
        cites=cites,
        recipients=recipients,
        clauses=clauses,
        duties=duties,
        figures=figures,
        topics=topics,
    )
    _check_directive_refs(directive, agency_ids, where)
    return directive


# --- and back: the directive as directive.yaml holds it


class _PackDumper(NoAliasDumper):
    """Block style for multi-line text, as in the hand-written pack."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_PackDumper.add_representer(str, _represent_str)


def directive_document(directive: Directive) -> dict[str, Any]:
    """The directive as the mapping directive.yaml holds (no source_text)."""
    d = directive
    return {
        "id": d.id,
        "number": d.number,
        "doc_type": d.doc_type,
        "title": d.title,
        "issued": d.issued,
        "effective": d.effective,
        "issuer": d.issuer,
        "place": d.place,
        "signer_name": d.signer_name,
        "signer_title": d.signer_title,
        "signing_capacity": d.signing_capacity,
        "cites": [
            {
                "number": c.number,
                "doc_type": c.doc_type,
                "date": c.date,
                "issuer": c.issuer,
                "subject": c.subject,
                "clause": c.clause,
                "quote": c.quote,
            }
            for c in d.cites
        ],
        "recipients": list(d.recipients),
        "clauses": [
            {
                "id": c.id,
                "label": c.label,
                "title": c.title,
                **({"parent": c.parent} if c.parent else {}),
                "text": c.text,
                **({"items": list(c.items)} if c.items else {}),
                "topics": list(c.topics),
            }
            for c in d.clauses
        ],
        "duties": [_duty_document(x) for x in d.duties],
        "figures": [],
        "topics": [
            {
                "id": t.id,
                "name": t.name,
                **({"aliases": list(t.aliases)} if t.aliases else {}),
                "clauses": list(t.clauses),
            }
            for t in d.topics
        ],
    }


def duty_document(duty: Duty) -> dict[str, Any]:
    """A duty as directive.yaml writes it (`read_duty` reads it back)."""
    return _duty_document(duty)


def read_duty(raw: object, where: str, source: str, *, assigned: bool = True) -> Duty:
    """A duty written by `duty_document`, its text checked against `source`; one not
    `assigned` may have no agency yet (a draft's duty waiting for the admin's choice)."""
    verbatim = _Verbatim(unicodedata.normalize("NFC", source), where)
    return _duty(_as_map(raw, where), where, verbatim, assigned=assigned)


def _duty_document(duty: Duty) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": duty.id,
        "clause": duty.clause,
        "title": duty.title,
        "text": duty.text,
        "addressees": list(duty.addressees),
        "lead": list(duty.lead),
    }
    if duty.coordinate:
        out["coordinate"] = list(duty.coordinate)
    if duty.topics:
        out["topics"] = list(duty.topics)
    if not duty.is_task:
        out["kind"] = duty.kind
    timing = duty.timing
    if timing.kind != "continuous":
        out["timing"] = {
            "kind": timing.kind,
            **({"due": timing.due} if timing.due else {}),
            **({"recurrence": timing.recurrence} if timing.recurrence else {}),
            "text": timing.text,
        }
    return out


def directive_yaml(directive: Directive) -> str:
    """directive.yaml for `directive` (the inverse of `load_directive`, without the
    curated figures a reviewer adds)."""
    return yaml.dump(
        directive_document(directive),
        Dumper=_PackDumper,
        allow_unicode=True,
        sort_keys=False,
        width=4096,
    )


class _Verbatim:
    """Checks that a field is an exact substring of the directive's source text."""

    def __init__(self, source: str, where: str) -> None:
        self.source = source
        self.where = where

    def check(self, text: str, what: str, *, allow_empty: bool = False) -> None:
        if not text and allow_empty:
            return
        if not text:
            raise PackError(f"{self.where}: {what} để trống")
        if unicodedata.normalize("NFC", text) not in self.source:
            raise PackError(
                f"{self.where}: {what} không khớp nguyên văn với {SOURCE_FILE}: {_preview(text)!r}"
            )


def _clause(m: Mapping[str, Any], where: str, verbatim: _Verbatim) -> Clause:
    _check_keys(
        m, where, required={"id", "label", "title", "text"}, optional={"parent", "items", "topics"}
    )
    where = f"{where} (mục {m.get('id')!r})"
    clause = Clause(
        id=_str(m, "id", where),
        label=_str(m, "label", where),
        title=_str(m, "title", where),
        text=_str(m, "text", where, allow_empty=True),
        parent=_opt_str(m, "parent", where),
        items=_str_tuple(m, "items", where),
        topics=_str_tuple(m, "topics", where),
    )
    # A heading with no body of its own (e.g. "2) Nhiệm vụ cụ thể") has empty text.
    verbatim.check(clause.text, f"nội dung (text) của mục {clause.id!r}", allow_empty=True)
    for n, item in enumerate(clause.items, 1):
        verbatim.check(item, f"ý thứ {n} (items) của mục {clause.id!r}")
    return clause


def _duty(m: Mapping[str, Any], where: str, verbatim: _Verbatim, *, assigned: bool = True) -> Duty:
    _check_keys(
        m,
        where,
        required={"id", "clause", "title", "text", "addressees", "lead"},
        optional={"coordinate", "timing", "topics", "via", "kind"},
    )
    where = f"{where} (nhiệm vụ {m.get('id')!r})"
    duty = Duty(
        id=_str(m, "id", where),
        clause=_str(m, "clause", where),
        title=_str(m, "title", where),
        text=_str(m, "text", where),
        addressees=_str_tuple(m, "addressees", where),
        lead=_str_tuple(m, "lead", where),
        coordinate=_str_tuple(m, "coordinate", where),
        timing=_timing(m.get("timing"), where),
        topics=_str_tuple(m, "topics", where),
        via=_str_tuple(m, "via", where),
        kind=_duty_kind(m.get("kind", "task"), where),
    )
    if not re.fullmatch(re.escape(duty.clause) + r"-\d+", duty.id):
        raise PackError(f"{where}: mã nhiệm vụ phải có dạng «<mục>-<số>» với mục {duty.clause!r}")
    if assigned and (not duty.addressees or not duty.lead):
        raise PackError(f"{where}: nhiệm vụ cần có cơ quan nhận (addressees) và chủ trì (lead)")
    verbatim.check(duty.text, f"nội dung (text) của nhiệm vụ {duty.id!r}")
    verbatim.check(
        duty.timing.text, f"câu thời hạn (timing text) của nhiệm vụ {duty.id!r}", allow_empty=True
    )
    if duty.timing.text and duty.timing.text not in duty.text:
        raise PackError(
            f"{where}: câu thời hạn {duty.timing.text!r} không nằm trong nội dung nhiệm vụ"
        )
    return duty


def _duty_kind(raw: object, where: str) -> DutyKind:
    for kind in DUTY_KINDS:
        if raw == kind:
            return kind
    raise PackError(f"{where}: kind phải là một trong {', '.join(DUTY_KINDS)}, không phải {raw!r}")


def _timing(raw: object, where: str) -> Timing:
    if raw is None:
        return Timing("continuous")
    m = _as_map(raw, f"{where}, timing")
    _check_keys(m, f"{where}, timing", required={"kind"}, optional={"due", "recurrence", "text"})
    kind = cast(TimingKind, _choice(m, "kind", _TIMING_KINDS, where))
    due = _date(m, "due", where) if m.get("due") is not None else None
    recurrence = (
        cast(Recurrence, _choice(m, "recurrence", _RECURRENCES, where))
        if m.get("recurrence") is not None
        else None
    )
    text = _str(m, "text", where, allow_empty=True) if "text" in m else ""
    if kind == "deadline" and due is None:
        raise PackError(f"{where}: thời hạn (kind: deadline) cần có ngày (due date)")
    if kind != "deadline" and due is not None:
        raise PackError(
            f"{where}: chỉ thời hạn (kind: deadline) mới có ngày (due date); kind là {kind!r}"
        )
    if kind == "recurring" and recurrence is None:
        raise PackError(f"{where}: định kỳ (kind: recurring) cần có recurrence")
    if kind != "recurring" and recurrence is not None:
        raise PackError(
            f"{where}: chỉ định kỳ (kind: recurring) mới có recurrence; kind là {kind!r}"
        )
    # No verbatim phrase is needed: a deadline an admin corrected in a draft (the text
    # misread, or silent) has none; answers then state the date itself.
    return Timing(kind=kind, due=due, recurrence=recurrence, text=text)


def _figure(m: Mapping[str, Any], where: str, verbatim: _Verbatim) -> Figure:
    _check_keys(
        m,
        where,
        required={"id", "label", "value", "unit", "clause", "quote"},
        optional={"keywords", "parent"},
    )
    where = f"{where} (số liệu {m.get('id')!r})"
    figure = Figure(
        id=_str(m, "id", where),
        label=_str(m, "label", where),
        value=_str(m, "value", where),
        unit=_str(m, "unit", where),
        clause=_str(m, "clause", where),
        quote=_str(m, "quote", where),
        keywords=_str_tuple(m, "keywords", where),
        parent=_opt_str(m, "parent", where),
    )
    verbatim.check(figure.quote, f"câu trích (quote) của số liệu {figure.id!r}")
    if figure.value not in figure.quote:
        raise PackError(
            f"{where}: giá trị {figure.value!r} không có trong câu trích {figure.quote!r}"
        )
    return figure


def _topic(m: Mapping[str, Any], where: str) -> Topic:
    _check_keys(m, where, required={"id", "name"}, optional={"aliases", "clauses"})
    where = f"{where} (chủ đề {m.get('id')!r})"
    return Topic(
        id=_str(m, "id", where),
        name=_str(m, "name", where),
        aliases=_str_tuple(m, "aliases", where),
        clauses=_str_tuple(m, "clauses", where),
    )


def _cite(m: Mapping[str, Any], where: str, verbatim: _Verbatim) -> CitedDocument:
    _check_keys(
        m, where, required={"number", "doc_type", "date", "issuer", "subject", "clause", "quote"}
    )
    where = f"{where} (văn bản dẫn chiếu {m.get('number')!r})"
    cite = CitedDocument(
        number=_str(m, "number", where),
        doc_type=_str(m, "doc_type", where),
        date=_date(m, "date", where),
        issuer=_str(m, "issuer", where),
        subject=_str(m, "subject", where),
        clause=_str(m, "clause", where),
        quote=_str(m, "quote", where),
    )
    verbatim.check(cite.quote, f"câu trích (quote) của văn bản dẫn chiếu {cite.number!r}")
    return cite


def _check_directive_refs(d: Directive, agency_ids: frozenset[str], where: str) -> None:
    _check_unique([c.id for c in d.clauses], "mục", where)
    _check_unique([x.id for x in d.duties], "nhiệm vụ", where)
    _check_unique([f.id for f in d.figures], "số liệu", where)
    _check_unique([t.id for t in d.topics], "chủ đề", where)
    _check_unique([c.number for c in d.cites], "văn bản dẫn chiếu", where)

    clause_ids = frozenset(c.id for c in d.clauses)
    topic_ids = frozenset(t.id for t in d.topics)
    figure_ids = frozenset(f.id for f in d.figures)
    for c in d.clauses:
        at = f"{where} (mục {c.id!r})"
        if c.parent is not None:
            _check_refs([c.parent], clause_ids - {c.id}, "mục cha (parent)", at)
        _check_refs(c.topics, topic_ids, "chủ đề", at)
    for x in d.duties:
        at = f"{where} (nhiệm vụ {x.id!r})"
        _check_refs([x.clause], clause_ids, "mục", at)
        for role in ("addressees", "lead", "coordinate", "via"):
            _check_refs(getattr(x, role), agency_ids, f"cơ quan ({role})", at)
        _check_refs(x.topics, topic_ids, "chủ đề", at)
    for f in d.figures:
        at = f"{where} (số liệu {f.id!r})"
        _check_refs([f.clause], clause_ids, "mục", at)
        if f.parent is not None:
            _check_refs([f.parent], figure_ids - {f.id}, "số liệu cha (parent)", at)
    for t in d.topics:
        _check_refs(t.clauses, clause_ids, "mục", f"{where} (chủ đề {t.id!r})")
    for cite in d.cites:
        _check_refs(
            [cite.clause], clause_ids, "mục", f"{where} (văn bản dẫn chiếu {cite.number!r})"
        )


# ---------------------------------------------------------------------------
# Small typed readers for YAML data


def _read_yaml(path: Path) -> object:
    try:
        return read_yaml(path)
    except OSError as exc:
        raise PackError(f"{path}: không đọc được tệp ({exc.strerror or exc})") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" ở dòng {mark.line + 1}, cột {mark.column + 1}" if mark is not None else ""
        raise PackError(f"{path}: sai cú pháp YAML{at} ({getattr(exc, 'problem', '')})") from exc


def _place(where: object, key: str, index: int) -> str:
    """Where a record is, as an admin finds it: "…/directive.yaml, duties thứ 3"."""
    return f"{where}, {key + ' ' if key else 'mục '}thứ {index + 1}"


_SHAPES = {"dict": "các cặp «khóa: giá trị»", "list": "một danh sách", "str": "chữ"}


def _shape(value: object) -> str:
    name = type(value).__name__
    return _SHAPES.get(name, "trống" if value is None else name)


def _as_list(value: object, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise PackError(f"{where}: cần một danh sách (list), không phải {_shape(value)}")
    return value


def _as_map(value: object, where: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise PackError(
            f"{where}: cần các cặp «khóa: giá trị» (mapping), không phải {_shape(value)}"
        )
    return value


def _list_field(m: Mapping[str, Any], key: str, where: str) -> list[Any]:
    value = m.get(key)
    return [] if value is None else _as_list(value, f"{where}, {key}")


def _check_keys(
    m: Mapping[str, Any], where: str, *, required: set[str], optional: set[str] | None = None
) -> None:
    missing = sorted(required - m.keys())
    if missing:
        raise PackError(f"{where}: thiếu trường {', '.join(missing)}")
    unknown = sorted(set(m) - required - (optional or set()))
    if unknown:
        raise PackError(f"{where}: trường không có trong mẫu: {', '.join(map(str, unknown))}")


def _str(m: Mapping[str, Any], key: str, where: str, *, allow_empty: bool = False) -> str:
    value = m.get(key)
    if not isinstance(value, str):
        raise PackError(f"{where}: {key} phải là chữ, không phải {value!r}")
    if not value.strip() and not allow_empty:
        raise PackError(f"{where}: {key} để trống")
    return unicodedata.normalize("NFC", value)


def _opt_str(m: Mapping[str, Any], key: str, where: str) -> str | None:
    return None if m.get(key) is None else _str(m, key, where)


def _str_tuple(m: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    values = _list_field(m, key, where)
    out: list[str] = []
    for i, value in enumerate(values):
        if not isinstance(value, str) or not value.strip():
            raise PackError(f"{where}: {key}[{i}] phải là chữ, không để trống; đang là {value!r}")
        out.append(unicodedata.normalize("NFC", value))
    return tuple(out)


def _choice(m: Mapping[str, Any], key: str, allowed: frozenset[str], where: str) -> str:
    value = _str(m, key, where)
    if value not in allowed:
        raise PackError(
            f"{where}: {key} {value!r} không phải một trong {', '.join(sorted(allowed))}"
        )
    return value


def _choice_tuple(
    m: Mapping[str, Any], key: str, allowed: frozenset[str], where: str
) -> tuple[str, ...]:
    values = _str_tuple(m, key, where)
    bad = [v for v in values if v not in allowed]
    if bad:
        raise PackError(f"{where}: {key} {bad} không phải một trong {', '.join(sorted(allowed))}")
    return values


def _date(m: Mapping[str, Any], key: str, where: str) -> dt.date:
    value = m.get(key)
    if isinstance(value, dt.datetime):
        raise PackError(f"{where}: {key} phải là một ngày, không kèm giờ ({value!r})")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise PackError(f"{where}: {key} phải là ngày dạng YYYY-MM-DD, không phải {value!r}")


def _check_unique(ids: Iterable[str], what: str, where: str) -> None:
    dupes = sorted(i for i, n in Counter(ids).items() if n > 1)
    if dupes:
        raise PackError(f"{where}: mã {what} lặp lại: {', '.join(dupes)}")


def _check_refs(refs: Iterable[str], known: frozenset[str], what: str, where: str) -> None:
    unknown = [r for r in refs if r not in known]
    if unknown:
        raise PackError(f"{where}: không có {what} nào mang mã {', '.join(unknown)}")


def _preview(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[:limit] + "…"
