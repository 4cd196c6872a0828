"""Writing the draft: the folder a reviewer edits and then moves under data/directives/.

directive.yaml is written in the layout of the hand-written pack (same keys, same order,
multi-line text as YAML blocks) so that the reviewer compares like with like and the
folder loads with `bot.application.knowledge.pack` once placed; source.txt is the
normalized text every verbatim field is a slice of; import_report.txt is the review
report.
"""

from __future__ import annotations

from pathlib import Path

from bot.application.importer.report import REPORT_FILE, ImportResult, report_text
from bot.application.knowledge.pack import DIRECTIVE_FILE, SOURCE_FILE, directive_yaml


def write_draft(result: ImportResult, out_dir: Path) -> Path:
    """Write directive.yaml, source.txt and import_report.txt into `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    d = result.directive
    header = (
        f"# BẢN NHÁP do `bot directive import` tạo từ {SOURCE_FILE}: cần rà soát trước khi dùng.\n"
        f"# Tiêu đề mục, tiêu đề nhiệm vụ, chủ đề, số liệu là bản nháp; xem {REPORT_FILE}.\n"
        f"# Để nạp: chuyển thư mục này thành data/directives/{d.id}/.\n\n"
    )
    body = directive_yaml(d)
    (out_dir / DIRECTIVE_FILE).write_text(header + body, encoding="utf-8")
    (out_dir / SOURCE_FILE).write_text(d.source_text, encoding="utf-8")
    (out_dir / REPORT_FILE).write_text(report_text(result), encoding="utf-8")
    return out_dir
