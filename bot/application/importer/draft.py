"""Writing the draft: the folder a reviewer edits and then moves under data/directives/.

directive.yaml is written in the layout of the hand-written pack (same keys, same order,
multi-line text as YAML blocks) so that the reviewer compares like with like and the
folder loads with `bot.application.knowledge.pack` once placed; source.txt is the
normalized text every verbatim field is a slice of; import_report.txt is the review
report.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bot.application.importer.report import REPORT_FILE, ImportResult, report_text
from bot.application.knowledge.pack import DIRECTIVE_FILE, SOURCE_FILE
from bot.domain.knowledge import Directive, Duty


class _DraftDumper(yaml.SafeDumper):
    """Block style for multi-line text, as in the hand-written pack."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_DraftDumper.add_representer(str, _represent_str)


def draft_document(directive: Directive) -> dict[str, Any]:
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
        "topics": [],
    }


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
    timing = duty.timing
    if timing.kind != "continuous":
        out["timing"] = {
            "kind": timing.kind,
            **({"due": timing.due} if timing.due else {}),
            **({"recurrence": timing.recurrence} if timing.recurrence else {}),
            "text": timing.text,
        }
    return out


def write_draft(result: ImportResult, out_dir: Path) -> Path:
    """Write directive.yaml, source.txt and import_report.txt into `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    d = result.directive
    header = (
        f"# BẢN NHÁP do `bot directive import` tạo từ {SOURCE_FILE}: cần rà soát trước khi dùng.\n"
        f"# Tiêu đề mục, tiêu đề nhiệm vụ, chủ đề, số liệu là bản nháp; xem {REPORT_FILE}.\n"
        f"# Để nạp: chuyển thư mục này thành data/directives/{d.id}/.\n\n"
    )
    body = yaml.dump(
        draft_document(d),
        Dumper=_DraftDumper,
        allow_unicode=True,
        sort_keys=False,
        width=4096,
    )
    (out_dir / DIRECTIVE_FILE).write_text(header + body, encoding="utf-8")
    (out_dir / SOURCE_FILE).write_text(d.source_text, encoding="utf-8")
    (out_dir / REPORT_FILE).write_text(report_text(result), encoding="utf-8")
    return out_dir
