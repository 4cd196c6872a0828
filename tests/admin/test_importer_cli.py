"""`bot directive import|publish` as a user meets them: a draft written anywhere
publishes (SQLite and PostgreSQL), and what cannot be imported is said in Vietnamese."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.cli import main
from tests.admin.test_importer_layouts import AGENCY_HEADINGS, directive

TEXT = directive(AGENCY_HEADINGS.format(colon=""))


def test_a_draft_written_to_any_folder_publishes(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    source = tmp_path / "ct15.txt"
    source.write_text(TEXT, encoding="utf-8")
    draft = tmp_path / "draft_v3"
    assert main(["directive", "import", str(source), "--out", str(draft)]) == 0
    assert main(["directive", "publish", str(draft)]) == 0, capsys.readouterr().err
    assert "Đã công bố Chỉ thị 15/CT-UBND (15-CT-UBND-2021): 4 nhiệm vụ." in capsys.readouterr().out


def test_publishing_duties_without_an_agency_is_refused_unless_forced(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """As chat asks first, the command line names the duties it would leave out and
    how to give them an agency, and publishes without them only with --force."""
    from sqlalchemy import create_engine, text

    monkeypatch.setenv("DATABASE_URL", db_url)
    ct15 = (Path(__file__).parents[1] / "support" / "ct15.txt").read_text(encoding="utf-8")
    section = "9. Trung tâm Dữ liệu tỉnh\nBảo đảm kho dữ liệu dùng chung của tỉnh.\n\n"
    source = tmp_path / "ct15y.txt"
    source.write_text(ct15.replace("9. Tổ chức", section + "10. Tổ chức"), encoding="utf-8")
    draft = tmp_path / "draft"
    assert main(["directive", "import", str(source), "--out", str(draft)]) == 0
    capsys.readouterr()
    assert main(["directive", "publish", str(draft)]) == 2
    err = capsys.readouterr().err
    assert "1 nhiệm vụ chưa có cơ quan chủ trì sẽ không được công bố" in err
    assert "9-1 — Bảo đảm kho dữ liệu dùng chung của tỉnh" in err
    assert f"bot directive publish {draft} --force" in err and "Chưa công bố" in err
    engine = create_engine(db_url)
    with engine.connect() as connection:
        held = connection.execute(
            text("SELECT count(*) FROM directives WHERE id = :i"), {"i": "15-CT-UBND-2021"}
        )
        assert held.scalar() == 0
    engine.dispose()
    assert main(["directive", "publish", str(draft), "--force"]) == 0
    out = capsys.readouterr().out
    assert "16 nhiệm vụ. Không công bố 1 nhiệm vụ chưa có cơ quan chủ trì: 9-1." in out


def refusal(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(["directive", "import", *argv]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    return captured.err


def test_what_cannot_be_imported_is_refused_in_vietnamese(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)  # the agency catalog, for a text that reads
    empty = tmp_path / "empty.txt"
    empty.write_text("\n \n", encoding="utf-8")
    assert refusal(capsys, str(empty)) == f"Tệp {empty} không có nội dung: không có gì để nhập.\n"
    assert refusal(capsys, str(tmp_path / "nope.txt")) == f"Không có tệp {tmp_path / 'nope.txt'}.\n"
    assert refusal(capsys, str(tmp_path)) == f"{tmp_path} là một thư mục, không phải tệp.\n"
    undated = tmp_path / "undated.txt"
    undated.write_text(TEXT.replace("Bắc Ninh, ngày 10 tháng 3 năm 2021", ""), encoding="utf-8")
    said = refusal(capsys, str(undated))
    assert "không tìm thấy ngày ban hành" in said and "số văn bản" not in said
    letter = tmp_path / "letter.txt"
    letter.write_text("Kính gửi Anh/Chị,\nXin cảm ơn.\n", encoding="utf-8")
    said = refusal(capsys, str(letter))
    assert "không tìm thấy số văn bản («Số: ...») và ngày ban hành" in said
    assert not list(tmp_path.glob("**/directive.yaml"))


def test_a_damaged_pdf_gives_one_vietnamese_line_and_no_pypdf_warnings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    damaged = tmp_path / "damaged.pdf"
    damaged.write_bytes(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n")
    with caplog.at_level(logging.WARNING):
        said = refusal(capsys, str(damaged))
    assert said == "Không mở được tệp PDF: tệp hỏng hoặc không phải PDF.\n"
    assert not [r for r in caplog.records if r.name.startswith("pypdf")]


def test_import_reads_the_agencies_admins_keep_in_the_database(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An agency an admin added (chat or `bot agencies add`) is known to the command
    line's import as to the chat's: not only those of data/agencies.yaml."""
    from tests.admin.test_importer_layouts import VERTICAL

    monkeypatch.setenv("DATABASE_URL", db_url)
    out = tmp_path / "draft"
    source = tmp_path / "ct16.txt"
    source.write_text(directive(VERTICAL), encoding="utf-8")
    add = ["agencies", "add", "kbnn", "--name", "Kho bạc Nhà nước tỉnh Bắc Ninh"]
    assert main([*add, "--short-name", "KBNN tỉnh", "--kind", "central", "--source", "x"]) == 0
    assert main(["directive", "import", str(source), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "kbnn" in printed.split("Cơ quan nhận ra")[1].splitlines()[0]
    assert "«Kho bạc Nhà nước tỉnh»" not in printed  # known now
