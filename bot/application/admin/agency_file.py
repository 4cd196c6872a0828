"""A file of agency-catalog operations (YAML), applied in order, all or nothing.

    source: Nghị quyết ... (why these changes: shown in the audit log of each)
    effective: 2025-07-01          # informative
    operations:
      - add: ubnd_bac_giang
        name: Ủy ban nhân dân tỉnh Bắc Giang
        short_name: UBND tỉnh Bắc Giang
        kind: committee            # default department
        level: province            # default province
      - merge: [ubnd_bac_giang]
        into: ubnd_tinh            # an existing agency, or a new one with name:
      - rename: sngv
        name: Sở Ngoại vụ
        short_name: Sở NgV
      - deactivate: [h_que_vo, h_tien_du]
        force: true                # even though they hold duties (listed when applied)
      - reactivate: [bao_bac_ninh]

Each operation may carry a `note` (its own legal source), added to the file's source.
The chat's /coquan_* commands run their change through `apply_op` too, so the chat and
the command line do and say the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.orm import Session

from bot.application.admin import agencies
from bot.application.admin.content import ContentError
from bot.application.knowledge.agencies import merged_into, name_of
from bot.storage.models import Agency, User
from nlu.yaml_io import YamlAliasError, load_yaml

OPERATIONS = ("add", "rename", "merge", "deactivate", "reactivate")
# How admins name the operations (the file's keys stay English).
OPERATION_WORDS = {
    "add": "thêm",
    "rename": "đổi tên",
    "merge": "gộp",
    "deactivate": "ngừng hoạt động",
    "reactivate": "mở lại",
}


class AgencyFileError(ValueError):
    """The file cannot be read or applied; `problems` say where, in Vietnamese, or
    `refusal` is why operation `number` was refused (worded by admin/agency_refused)."""

    def __init__(
        self, problems: list[str], refusal: ContentError | None = None, number: int = 0
    ) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems
        self.refusal = refusal
        self.number = number


@dataclass(frozen=True)
class Change:
    """One agency changed, as admins are told: by names, never by codes alone."""

    what: str  # one of OPERATIONS
    agency_id: str
    name: str  # its name now; a merge's: the receiving agency's
    before: tuple[str, ...] = ()  # rename: the old name; merge: the merged agencies'
    # What a forced deactivation left: the duties it held, the agencies merged into it.
    left: tuple[agencies.HeldDuty, ...] = ()
    merged_in: tuple[str, ...] = ()


@dataclass(frozen=True)
class Plan:
    source: str
    operations: tuple[dict[str, Any], ...]


def _ids(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _load(path: Path) -> Any:
    """The file's YAML; aliases refused as in every admin's file (a file can come
    from chat, and a few nested aliases stand for billions of values)."""
    return load_yaml(path.read_text(encoding="utf-8"))[1]


def is_operations_file(path: Path) -> bool:
    """Whether `path` has an operations file's shape (a YAML mapping with
    «operations:»), told from a FAQ or duties file (a YAML list) when an admin sends
    either in chat; one that cannot be read at all is left to those files' checks."""
    if path.suffix.lower() not in (".yaml", ".yml"):
        return False
    try:
        data = _load(path)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return False
    return isinstance(data, dict) and "operations" in data


def read_file(path: Path) -> Plan:
    try:
        data = _load(path)
    except YamlAliasError as error:
        problem = f"dòng {error.line}: tệp dùng neo và bí danh (&…, *…): hãy viết đầy đủ"
        raise AgencyFileError([problem]) from error
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise AgencyFileError([f"không đọc được tệp: {error}"]) from error
    if not isinstance(data, dict) or not isinstance(data.get("operations"), list):
        raise AgencyFileError(["tệp cần có «operations:» là một danh sách thao tác"])
    problems = []
    if not str(data.get("source") or "").strip():
        problems.append("thiếu «source:» (căn cứ của các thay đổi)")
    for number, op in enumerate(data["operations"], 1):
        kinds = [k for k in OPERATIONS if isinstance(op, dict) and k in op]
        if len(kinds) != 1:
            problems.append(f"thao tác {number}: cần đúng một trong {', '.join(OPERATIONS)}")
        elif kinds[0] == "merge" and not op.get("into"):
            problems.append(f"thao tác {number}: «merge» cần «into»")
        elif kinds[0] in ("add", "rename") and not op.get("name"):
            problems.append(f"thao tác {number}: «{kinds[0]}» cần «name»")
    if problems:
        raise AgencyFileError(problems)
    return Plan(str(data["source"]).strip(), tuple(data["operations"]))


def apply_file(session: Session, user: User | None, plan: Plan) -> list[Change]:
    """Apply every operation (each audited, with the source); what was done, in order.
    Raises AgencyFileError at the first that cannot be done (the caller rolls back)."""
    done = []
    for number, op in enumerate(plan.operations, 1):
        source = " — ".join(x for x in (plan.source, str(op.get("note") or "").strip()) if x)
        try:
            done.extend(apply_op(session, user, op, source))
        except ContentError as error:
            where = f"thao tác {number} ({OPERATION_WORDS[_kind(op)]})"
            raise AgencyFileError([where], error, number) from error
    return done


def _kind(op: dict[str, Any]) -> str:
    return next(k for k in OPERATIONS if k in op)


def apply_op(session: Session, user: User | None, op: dict[str, Any], source: str) -> list[Change]:
    """One operation (a dict as in the file); raises ContentError when refused."""
    kind = _kind(op)
    name, short = str(op.get("name") or ""), str(op.get("short_name") or "")
    if kind == "add":
        kind_, level = str(op.get("kind", "department")), str(op.get("level", "province"))
        row = agencies.add(session, user, str(op["add"]), name, short, kind_, level, source)
        return [Change(kind, row.id, name_of(row))]
    if kind == "rename":
        old = _named(session, str(op["rename"]))
        row = agencies.rename(session, user, str(op["rename"]), name, short, source)
        return [Change(kind, row.id, name_of(row), (old,))]
    if kind == "merge":
        ids = list(dict.fromkeys(_ids(op["merge"])))
        merged = tuple(_named(session, a) for a in ids)
        into = str(op["into"])
        row = agencies.merge(session, user, ids, into, name, short, source)
        return [Change(kind, row.id, name_of(row), merged)]
    active, force = kind == "reactivate", op.get("force") is True
    changes = []
    for agency_id in _ids(op[kind]):
        existing = session.get(Agency, agency_id.strip())
        if not active and existing is not None and merged_into(existing):
            # Merged already (a district whose people went to a ward first): gone, as
            # the file wants, with its accounts where they now work.
            continue
        row, left = agencies.set_active(session, user, agency_id, active, source, force)
        name = name_of(row)
        changes.append(Change(kind, row.id, name, left=left.duties, merged_in=left.merged_in))
    return changes


def _named(session: Session, agency_id: str) -> str:
    row = session.get(Agency, agency_id.strip())
    return name_of(row) if row is not None else agency_id
