"""The review report: what the importer drafted and what it could not place.

The draft is for a human to review before it is loaded, so the importer's result
carries, beside the draft directive, every duty candidate and one problem line per
thing it could not place ("dòng N: ..."), in reading order. `summary` gives the counts
the command line prints; `report_text` is import_report.txt.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.application.importer.duties import DutyCandidate
from bot.application.importer.reading import preview
from bot.domain.dates import vn_date
from bot.domain.knowledge import Directive, Duty

REPORT_FILE = "import_report.txt"


@dataclass(frozen=True)
class ImportResult:
    """What `import_directive` drafted, and what the reviewer should look at."""

    directive: Directive  # the draft: everything write_draft puts in directive.yaml
    candidates: tuple[DutyCandidate, ...]  # every duty candidate, addressed or not
    # The candidates with no agency, as duties (no addressees) the admin may assign.
    unassigned: tuple[Duty, ...]
    problems: list[str]  # what the importer could not place, "dòng N: ..."
    agencies_matched: tuple[str, ...]  # ids of the known agencies named in the body
    dates_found: int  # calendar dates written in the body
    # What identifies the document and was not found ("số văn bản (...)"): a draft
    # without its number or date has no id worth publishing; the CLI refuses it.
    missing: tuple[str, ...] = ()

    def summary(self) -> list[str]:
        """Counts for the command line and the report (Vietnamese)."""
        d = self.directive
        intro = sum(c.id.startswith("intro.") for c in d.clauses)
        closing = sum(c.id == "closing" for c in d.clauses)
        deadlines = sum(x.timing.kind == "deadline" for x in d.duties)
        recurring = sum(x.timing.kind == "recurring" for x in d.duties)
        unaddressed = len(self.candidates) - len(d.duties)
        return [
            f"Văn bản: {d.doc_type} {d.number} ngày {vn_date(d.issued)} – {d.title}",
            f"Cơ quan ban hành: {d.issuer}; người ký: {d.signer_name} "
            f"({d.signing_capacity}, {d.signer_title})",
            f"Mục: {len(d.clauses)} ({intro} mở đầu, "
            f"{len(d.clauses) - intro - closing} đánh số, {closing} đoạn kết)",
            f"Nhiệm vụ: {len(d.duties)} ghi vào bản nháp / "
            f"{len(self.candidates)} ứng viên ({unaddressed} chưa rõ cơ quan)",
            f"Ngày tháng: {self.dates_found} trong văn bản; gắn vào nhiệm vụ: "
            f"{deadlines} thời hạn, {recurring} định kỳ",
            f"Cơ quan nhận ra (agencies matched): {len(self.agencies_matched)} "
            f"({', '.join(self.agencies_matched)})",
            f"Văn bản dẫn chiếu: {len(d.cites)}; nơi nhận: {len(d.recipients)}",
            f"Vấn đề cần xem (problems): {len(self.problems)}",
        ]


def report_text(result: ImportResult) -> str:
    """import_report.txt: the summary, the problems, every duty candidate."""
    lines = ["# Báo cáo nhập văn bản (bản nháp, cần rà soát)", ""]
    lines += result.summary()
    lines += ["", "## Vấn đề cần xem", ""]
    lines += [f"- {p}" for p in result.problems] or ["(không có)"]
    lines += ["", "## Nhiệm vụ (ứng viên)", ""]
    for c in result.candidates:
        timing = c.timing.kind + (f": {c.timing.text}" if c.timing.text else "")
        who = ", ".join(c.addressees) or "CHƯA RÕ"
        lines.append(f"- [{c.clause}] dòng {c.line} → {who} ({timing}): {preview(c.text, 100)}")
    return "\n".join(lines) + "\n"


def in_reading_order(problems: list[str]) -> list[str]:
    """Problems in reading order: those about the whole document (no line) first."""
    return sorted(problems, key=_problem_line)


def _problem_line(problem: str) -> int:
    m = re.match(r"dòng (\d+)", problem)
    return int(m.group(1)) if m else 0
