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
      - reactivate: [bao_bac_ninh]

Each operation may carry a `note` (its own legal source), added to the file's source.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.orm import Session

from bot.application.admin import agencies
from bot.application.admin.content import ContentError
from bot.storage.models import Agency, User

OPERATIONS = ("add", "rename", "merge", "deactivate", "reactivate")


class AgencyFileError(ValueError):
    """The file cannot be read or applied; `problems` say where, in Vietnamese."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Plan:
    source: str
    operations: tuple[dict[str, Any], ...]


def _ids(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def read_file(path: Path) -> Plan:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
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


def apply_file(session: Session, user: User | None, plan: Plan) -> list[str]:
    """Apply every operation (each audited, with the source); what was done, in order.
    Raises AgencyFileError at the first that cannot be done (the caller rolls back)."""
    done = []
    for number, op in enumerate(plan.operations, 1):
        source = " — ".join(x for x in (plan.source, str(op.get("note") or "").strip()) if x)
        try:
            for row in _run(session, user, op, source):
                done.append(f"{_kind(op)} {row.id}")
        except ContentError as error:
            problems = error.data.get("problems")
            detail = (
                "; ".join(map(str, problems))
                if isinstance(problems, list)
                else ", ".join(f"{k}={v}" for k, v in error.data.items())
            )
            raise AgencyFileError(
                [f"thao tác {number} ({_kind(op)}): {error.reason} {detail}".strip()]
            ) from error
    return done


def _kind(op: dict[str, Any]) -> str:
    return next(k for k in OPERATIONS if k in op)


def _run(session: Session, user: User | None, op: dict[str, Any], source: str) -> list[Agency]:
    kind = _kind(op)
    name, short = str(op.get("name") or ""), str(op.get("short_name") or "")
    if kind == "add":
        kind_, level = str(op.get("kind", "department")), str(op.get("level", "province"))
        return [agencies.add(session, user, str(op["add"]), name, short, kind_, level, source)]
    if kind == "rename":
        return [agencies.rename(session, user, str(op["rename"]), name, short, source)]
    if kind == "merge":
        into = str(op["into"])
        return [agencies.merge(session, user, _ids(op["merge"]), into, name, short, source)]
    active = kind == "reactivate"
    return [agencies.set_active(session, user, a, active, source) for a in _ids(op[kind])]
