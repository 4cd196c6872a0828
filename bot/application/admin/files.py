"""FAQ and duty deadlines as files: YAML, CSV and XLSX, exported and imported.

Import is all or nothing: every row is checked first, and any problem is reported
with its row (or line) number and nothing is applied. Applied rows go through
`bot.application.admin.content`, so they are versioned like edits made in chat.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.application.admin import content
from bot.application.file_limits import too_big, zip_problem
from bot.config import ImportLimits
from bot.domain.dates import Issued, check_date, parse_vn_date, vn_date
from bot.domain.knowledge import names_directive
from bot.domain.numbers import vn_number
from bot.storage.models import Directive, Duty, FaqEntry, User
from nlu.normalize import sanitize
from nlu.yaml_io import NoAliasDumper, YamlAliasError, load_yaml

FAQ_COLUMNS = ("id", "question", "alternates", "answer", "clauses")
# Optional in an imported file: the directive an entry is about, ANY_DIRECTIVE_WORD for
# every one (what the export writes for an entry about none in particular).
FAQ_DIRECTIVE_COLUMN = "directive"
ANY_DIRECTIVE_WORD = "*"
DUTY_COLUMNS = ("directive_id", "id", "clause", "title", "due", "effective_due")
LIST_SEPARATOR = " | "  # alternates and clauses inside one CSV/XLSX cell
FORMATS = (".yaml", ".yml", ".csv", ".xlsx")
EMPTY_FILE = "tệp không có dòng dữ liệu nào (cần dòng tiêu đề và ít nhất một dòng nội dung)"
Rows = list[tuple[int, dict[str, Any]]]  # (line or row number, record)
DEFAULT_LIMITS = ImportLimits()
# Columns read from a spreadsheet's header: ours have at most 6; any further right are ignored.
MAX_XLSX_COLUMNS = 50
EXCEL_MAX_ROWS = 1_048_576  # Excel's last row
# A YAML file of none of the shapes an admin may send (bot.application.admin.agency_file
# reads the operations file).
YAML_SHAPES = (
    "tệp YAML không đúng dạng nào được nhận: tệp hỏi đáp hoặc tệp nhiệm vụ là một danh "
    "sách các mục (dạng tệp /xuat tạo ra); tệp thao tác danh mục cơ quan có «source:» "
    "(căn cứ) và «operations:» (danh sách thao tác add, rename, merge, deactivate, "
    "reactivate), như data/reorganisations/2025-07-01.yaml"
)


class FileProblems(ValueError):
    """The file was not applied; `problems` says where and why (Vietnamese)."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = list(problems)


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


# Reading and writing rows, whatever the format.


def _check_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise FileProblems(
            [f"định dạng {suffix or '(không có)'} không hỗ trợ; dùng {', '.join(FORMATS)}"]
        )
    return suffix


def read_rows(path: Path, limits: ImportLimits = DEFAULT_LIMITS) -> Rows:
    """(line or row number, row) for each record of the file, its texts `sanitize`d as
    a message's are; FileProblems when the file cannot be read at all (another
    encoding, a damaged spreadsheet) or is past one of `limits` (checked before parsing
    wherever the file tells its size)."""
    try:
        rows = [(number, _sanitized(row)) for number, row in _read_rows(path, limits)]
        if not rows:  # "0 mục mới, 0 mục sửa" would read as a success
            raise FileProblems([EMPTY_FILE])
        return rows
    except UnicodeDecodeError:
        raise FileProblems(
            ["tệp không ở dạng UTF-8: trong Excel, lưu bằng «CSV UTF-8» hoặc dùng .xlsx"]
        ) from None
    except FileProblems:
        raise
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise FileProblems(
            [f"không đọc được tệp {path.suffix}: tệp hỏng hoặc sai định dạng"]
        ) from None


def _read_rows(path: Path, limits: ImportLimits) -> Rows:
    suffix = _check_format(path)
    size = path.stat().st_size
    if size > limits.max_bytes:
        raise FileProblems([too_big(size, limits)])
    if suffix in (".yaml", ".yml"):
        return _yaml_rows(path, limits)
    if suffix == ".csv":
        return _csv_rows(path, limits)
    return _xlsx_rows(path, limits)


def _too_many_rows(limits: ImportLimits) -> FileProblems:
    return FileProblems(
        [f"tệp có hơn {vn_number(limits.max_rows)} dòng dữ liệu (giới hạn IMPORT_MAX_ROWS)"]
    )


def _yaml_rows(path: Path, limits: ImportLimits) -> Rows:
    try:
        node, data = load_yaml(path.read_text(encoding="utf-8"))
    except YamlAliasError as error:
        raise FileProblems(
            [
                f"dòng {error.line}: tệp YAML dùng neo và bí danh (&…, *…), không được hỗ "
                "trợ: hãy viết đầy đủ từng mục"
            ]
        ) from None
    except yaml.YAMLError as error:
        raise FileProblems([f"YAML không hợp lệ: {error}"]) from None
    if not isinstance(data, list) or not isinstance(node, yaml.SequenceNode):
        raise FileProblems([YAML_SHAPES])
    if len(data) > limits.max_rows:
        raise _too_many_rows(limits)
    _refuse_repeated_keys(node.value)
    lines = [item.start_mark.line + 1 for item in node.value]
    return [
        (line, row if isinstance(row, dict) else {}) for line, row in zip(lines, data, strict=True)
    ]


class _FirstSeen:
    """Where each key of a file was first given, so that one given again (a dict, or
    an import applying rows in turn, would silently keep the last) is reported with
    both lines."""

    def __init__(self, what: str) -> None:
        self.what = what  # "mã", "khóa", ...
        self.lines: dict[str, int] = {}

    def repeated(self, line: int, key: str) -> str | None:
        """The problem if `key` was given before; None (and remembered) the first time."""
        if key not in self.lines:
            self.lines[key] = line
            return None
        return f"{self.what} «{key}» lặp lại (đã có ở dòng {self.lines[key]})"


def _refuse_repeated_keys(items: Iterable[yaml.Node]) -> None:
    """FileProblems for a key given twice in one YAML item (the loader keeps the last)."""
    problems = []
    for item in items:
        if isinstance(item, yaml.MappingNode):
            keys = _FirstSeen("khóa")
            for key, _ in item.value:
                line = key.start_mark.line + 1
                problem = keys.repeated(line, sanitize(str(key.value)).strip())
                problems += [f"dòng {line}: {problem}"] if problem else []
    if problems:
        raise FileProblems(problems)


def _refuse_repeated_columns(header: Sequence[str]) -> None:
    """FileProblems for a column given twice (a row would keep the last one's cell)."""
    names = [sanitize(name).strip() for name in header]
    repeated = sorted({n for n in names if n and names.count(n) > 1})
    if repeated:
        raise FileProblems([f"dòng 1: cột «{name}» lặp lại" for name in repeated])


def _sanitized(value: Any) -> Any:
    """Every text in a cell (keys and lists of YAML too); dates and numbers as they are."""
    if isinstance(value, str):
        return sanitize(value)
    if isinstance(value, list):
        return [_sanitized(v) for v in value]
    if isinstance(value, dict):
        return {_sanitized(k): _sanitized(v) for k, v in value.items()}
    return value


def _csv_rows(path: Path, limits: ImportLimits) -> Rows:
    # The limit is the csv module's, for the whole process: every import sets the same.
    csv.field_size_limit(limits.max_cell_chars)
    reader = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig")))
    rows: Rows = []
    try:
        _refuse_repeated_columns(reader.fieldnames or ())
        for n, row in enumerate(reader, start=2):
            if len(rows) == limits.max_rows:
                raise _too_many_rows(limits)
            rows.append((n, dict(row)))
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            chars = vn_number(limits.max_cell_chars)
            problem = f"một ô dài quá {chars} ký tự (giới hạn IMPORT_MAX_CELL_CHARS)"
        else:
            problem = "dòng CSV không hợp lệ (có ký tự lạ hoặc dấu ngoặc kép không đóng)"
        # The csv reader's own count: DictReader's is updated only after a row is read.
        raise FileProblems([f"dòng {reader.reader.line_num}: {problem}"]) from None
    return rows


def _xlsx_rows(path: Path, limits: ImportLimits) -> Rows:
    _check_archive(path, limits)
    from openpyxl import load_workbook  # imported here: only XLSX needs it

    book = load_workbook(path, read_only=True)
    try:
        sheet = book.worksheets[0]
        # A sheet's declared dimension (a few bytes of its XML) can claim a million rows
        # and 16,384 columns, which openpyxl would pad with blanks: it is ignored, and
        # only the header's columns are read.
        sheet.reset_dimensions()
        first = sheet.iter_rows(max_row=1, max_col=MAX_XLSX_COLUMNS, values_only=True)
        header = [str(h or "").strip() for h in next(first, ())]
        _refuse_repeated_columns(header)
        width = max((i + 1 for i, h in enumerate(header) if h), default=0)
        if width == 0:
            return []
        records: Rows = []
        rows = sheet.iter_rows(min_row=2, max_col=width, values_only=True)
        # Blank rows cost little but are not counted; rows past Excel's last one mean
        # a crafted file (openpyxl would pad the gap up to any number it names).
        for n, row in enumerate(rows, start=2):
            if n > EXCEL_MAX_ROWS:
                raise FileProblems(
                    [f"bảng tính có dòng sau dòng {vn_number(EXCEL_MAX_ROWS)}, dòng cuối của Excel"]
                )
            if not any(v not in (None, "") for v in row):
                continue
            if len(records) == limits.max_rows:
                raise _too_many_rows(limits)
            records.append(
                (n, {h: ("" if v is None else v) for h, v in zip(header, row, strict=False)})
            )
        return records
    finally:
        book.close()


def _check_archive(path: Path, limits: ImportLimits) -> None:
    if problem := zip_problem(path, limits, "bảng tính"):
        raise FileProblems([problem])


def import_file(
    session: Session,
    user: User | None,
    path: Path,
    known_clauses: set[str],
    limits: ImportLimits = DEFAULT_LIMITS,
) -> tuple[str, ImportReport]:
    """A FAQ or a duties file, told apart by its columns: ("faq" | "duties", report)."""
    rows = read_rows(path, limits)
    kind = _kind_of(rows)
    if kind == "faq":
        return kind, _import_faq_rows(session, user, rows, path.name, known_clauses)
    return kind, _import_duty_rows(session, user, rows, path.name)


def _kind_of(rows: Rows) -> str:
    """ "faq" or "duties", from the columns of the file's first record."""
    columns = set(rows[0][1]) if rows else set()
    if {"question", "answer"} <= columns:
        return "faq"
    if {"directive_id", "id", "effective_due"} <= columns:
        return "duties"
    raise FileProblems(
        [
            "không nhận ra loại tệp: tệp hỏi đáp cần các cột "
            + ", ".join(FAQ_COLUMNS)
            + "; tệp nhiệm vụ cần các cột "
            + ", ".join(DUTY_COLUMNS)
        ]
    )


def write_rows(path: Path, columns: Sequence[str], rows: Sequence[dict[str, Any]]) -> None:
    suffix = _check_format(path)
    if suffix in (".yaml", ".yml"):
        path.write_text(
            yaml.dump(
                list(rows), Dumper=NoAliasDumper, allow_unicode=True, sort_keys=False, width=100
            ),
            encoding="utf-8",
        )
        return
    flat = [{c: _cell(row.get(c)) for c in columns} for row in rows]
    if suffix == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(columns))
            writer.writeheader()
            writer.writerows(flat)
        return
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(columns))
    for row in flat:
        sheet.append([row[c] for c in columns])
    book.save(path)


def _cell(value: Any) -> str:
    if isinstance(value, list | tuple):
        return LIST_SEPARATOR.join(str(v) for v in value)
    return "" if value is None else str(value)


def _list(value: Any) -> tuple[str, ...]:
    if isinstance(value, list | tuple):
        return tuple(str(v).strip() for v in value if str(v).strip())
    return tuple(p.strip() for p in str(value or "").split("|") if p.strip())


# FAQ.


def export_faq(session: Session, path: Path) -> int:
    entries = session.scalars(select(FaqEntry).where(FaqEntry.active).order_by(FaqEntry.position))
    rows = [
        {
            "id": e.id,
            "question": e.question,
            "alternates": list(e.alternates),
            "answer": e.answer,
            "clauses": list(e.clauses),
            FAQ_DIRECTIVE_COLUMN: e.directive_id or ANY_DIRECTIVE_WORD,
        }
        for e in entries
    ]
    write_rows(path, (*FAQ_COLUMNS, FAQ_DIRECTIVE_COLUMN), rows)
    return len(rows)


def import_faq(
    session: Session,
    user: User | None,
    path: Path,
    known_clauses: set[str],
    limits: ImportLimits = DEFAULT_LIMITS,
) -> ImportReport:
    """Add or replace FAQ entries from a file; nothing is applied if any row is wrong."""
    return _import_faq_rows(session, user, read_rows(path, limits), path.name, known_clauses)


def _import_faq_rows(
    session: Session, user: User | None, rows: Rows, name: str, known_clauses: set[str]
) -> ImportReport:
    if user is not None:
        content.require_admin(session, user, "faq.import", name)
    drafts: list[tuple[str | None, content.FaqDraft]] = []
    problems: list[str] = []
    ids = _FirstSeen("mã")
    active = list(session.scalars(select(Directive).where(Directive.active)))
    for number, row in rows:
        faq_id = str(row.get("id") or "").strip() or None
        typed = row.get(FAQ_DIRECTIVE_COLUMN)
        directive_id, unknown = _faq_directive(session, active, faq_id, typed)
        draft = content.FaqDraft(
            question=str(row.get("question") or ""),
            answer=str(row.get("answer") or ""),
            alternates=_list(row.get("alternates")),
            clauses=_list(row.get("clauses")),
            directive_id=directive_id,
        )
        row_problems = draft.problems(known_clauses) + unknown
        repeated = ids.repeated(number, faq_id) if faq_id else None
        row_problems += [repeated] if repeated else []
        problems += [f"dòng {number}: {p}" for p in row_problems]
        drafts.append((faq_id, draft))
    if problems:
        raise FileProblems(problems)
    report = ImportReport()
    for faq_id, draft in drafts:
        existing = session.get(FaqEntry, faq_id) if faq_id else None
        if existing is not None and existing.active and _same(existing, draft):
            report.unchanged.append(existing.id)
            continue
        entry = content.save_faq(session, user, draft, known_clauses, faq_id)
        (report.updated if existing is not None else report.created).append(entry.id)
    return report


def _faq_directive(
    session: Session, active: Sequence[Directive], faq_id: str | None, typed: object
) -> tuple[str | None, list[str]]:
    """The directive a row's entry is about, and what is wrong with its "directive"
    column: the one it names ("15/2021", "Chỉ thị 15/CT-UBND", an id; "*" for every
    one); left empty, a new entry is about the only directive active, or about every
    one when several are, and an entry already saved keeps its own."""
    word = str(typed or "").strip()
    if word == ANY_DIRECTIVE_WORD:
        return content.ANY_DIRECTIVE, []
    if word:
        for d in active:
            if names_directive(word, d.id, d.doc_type, d.number, d.issued):
                return d.id, []
        return None, [f"không có chỉ thị «{word[:40]}» đang áp dụng"]
    if faq_id is not None and session.get(FaqEntry, faq_id) is not None:
        return None, []
    return (active[0].id if len(active) == 1 else content.ANY_DIRECTIVE), []


def _same(entry: FaqEntry, draft: content.FaqDraft) -> bool:
    scope = entry.directive_id or content.ANY_DIRECTIVE
    return (
        draft.directive_id in (None, scope)
        and entry.question == draft.question.strip()
        and entry.answer == draft.answer.strip()
        and tuple(entry.alternates) == draft.alternates
        and tuple(entry.clauses) == draft.clauses
    )


# Duties: their effective deadlines (gia hạn) are what admins change in files.


def export_duties(session: Session, path: Path) -> int:
    duties = session.scalars(
        select(Duty).where(Duty.active).order_by(Duty.directive_id, Duty.position)
    )
    rows = [
        {
            "directive_id": d.directive_id,
            "id": d.id,
            "clause": d.clause,
            "title": d.title,
            "due": vn_date(d.timing_due),
            "effective_due": vn_date(d.effective_due),
        }
        for d in duties
    ]
    write_rows(path, DUTY_COLUMNS, rows)
    return len(rows)


def import_duties(
    session: Session, user: User | None, path: Path, limits: ImportLimits = DEFAULT_LIMITS
) -> ImportReport:
    """Set duties' effective deadlines from a file (other columns are for reading)."""
    return _import_duty_rows(session, user, read_rows(path, limits), path.name)


def _import_duty_rows(session: Session, user: User | None, rows: Rows, name: str) -> ImportReport:
    if user is not None:
        content.require_admin(session, user, "duty.import", name)
    changes: list[tuple[Duty, dt.date | None]] = []
    problems: list[str] = []
    ids = _FirstSeen("nhiệm vụ")
    for number, row in rows:
        key = (str(row.get("directive_id") or "").strip(), str(row.get("id") or "").strip())
        duty = session.get(Duty, key)
        if duty is None:
            problems.append(f"dòng {number}: không có nhiệm vụ {key[1] or '(trống)'}")
            continue
        repeated = ids.repeated(number, f"{key[1]} ({key[0]})")
        if repeated:
            problems.append(f"dòng {number}: {repeated}")
            continue
        directive = session.get(Directive, duty.directive_id)
        assert directive is not None, "a duty's directive is a foreign key"
        issued = Issued.of(directive)
        try:
            changes.append((duty, parse_date(row.get("effective_due"), issued)))
        except ValueError as problem:  # the reason, in Vietnamese (`check_date`)
            problems.append(f"dòng {number} (cột effective_due): {problem}")
    if problems:
        raise FileProblems(problems)
    report = ImportReport()
    for duty, due in changes:
        if duty.effective_due == due:
            report.unchanged.append(duty.id)
            continue
        content.set_effective_due(session, user, duty.directive_id, duty.id, due)
        report.updated.append(duty.id)
    return report


def parse_date(value: Any, issued: Issued | None = None) -> dt.date | None:
    """A cell or a typed word: a date (a spreadsheet's or YAML's) or a typed one
    (`parse_vn_date`), checked by `check_date` either way, or empty (None); ValueError,
    in Vietnamese, for anything else."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return check_date(value, issued)
    text = str(value or "").strip()
    return parse_vn_date(text, issued) if text else None
