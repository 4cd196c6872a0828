"""A small hand-made KnowledgeBase covering every dataclass field the storage keeps."""

from __future__ import annotations

import datetime as dt

from bot.domain.knowledge import (
    Agency,
    CitedDocument,
    Clause,
    Directive,
    Duty,
    FaqEntry,
    Figure,
    KnowledgeBase,
    Timing,
    Topic,
)

DIRECTIVE_ID = "06-CT-UBND-2019"


def sample_kb() -> KnowledgeBase:
    stttt = Agency(
        id="stttt",
        name="Sở Thông tin và Truyền thông",
        short_name="Sở TT&TT",
        kind="department",
        level="province",
        aliases=("TT&TT", "Sở Thông tin Truyền thông", "STTTT"),
    )
    cac_so = Agency(
        id="cac-so",
        name="Các sở, ban, ngành tỉnh",
        short_name="Các sở, ban, ngành",
        kind="group",
        level="province",
        aliases=("các sở", "sở ban ngành"),
        member_levels=("province",),
        member_kinds=("department", "agency"),
    )
    ubnd_huyen = Agency(
        id="ubnd-huyen",
        name="UBND các huyện, thị xã, thành phố",
        short_name="UBND cấp huyện",
        kind="group",
        level="district",
        member_levels=("district",),
    )
    clauses = (
        Clause(
            id="1",
            label="Mục 1",
            title="Các sở, ban, ngành",
            text="Các sở, ban, ngành tỉnh: ...",
            topics=("van-ban-dien-tu",),
        ),
        Clause(
            id="1.e",
            label="Mục 1.e",
            title="Tăng cường sử dụng chữ ký số",
            text="Tăng cường sử dụng chữ ký số trong gửi, nhận văn bản điện tử.",
            parent="1",
            items=("Ký số văn bản đi;", "Báo cáo định kỳ hàng quý."),
            topics=("chu-ky-so",),
        ),
    )
    duties = (
        Duty(
            id="1.e-1",
            clause="1.e",
            title="Ký số 100% văn bản đi",
            text="Ký số văn bản đi trước ngày 31/5/2019.",
            addressees=("cac-so",),
            lead=("cac-so",),
            coordinate=("stttt",),
            timing=Timing("deadline", due=dt.date(2019, 5, 31), text="trước ngày 31/5/2019"),
            topics=("chu-ky-so",),
        ),
        Duty(
            id="1.e-2",
            clause="1.e",
            title="Báo cáo kết quả hàng quý",
            text="Báo cáo định kỳ hàng quý.",
            addressees=("cac-so", "ubnd-huyen"),
            lead=("stttt",),
            timing=Timing("recurring", recurrence="quarterly", text="hàng quý"),
            via=("ubnd-huyen",),
        ),
    )
    directive = Directive(
        id=DIRECTIVE_ID,
        number="06/CT-UBND",
        doc_type="Chỉ thị",
        title="Về việc tăng cường ứng dụng công nghệ thông tin",
        issued=dt.date(2019, 4, 12),
        effective=dt.date(2019, 4, 12),
        issuer="Ủy ban nhân dân tỉnh Bắc Ninh",
        place="Bắc Ninh",
        signer_name="Nguyễn Văn A",
        signer_title="Phó Chủ tịch",
        signing_capacity="KT. Chủ tịch",
        source_text="CHỈ THỊ ... đã cấp 9.289 tài khoản thư điện tử ...",
        cites=(
            CitedDocument(
                number="43/2011/NĐ-CP",
                doc_type="Nghị định",
                date=dt.date(2011, 6, 13),
                issuer="Chính phủ",
                subject="Cung cấp thông tin và dịch vụ công trực tuyến",
                clause="intro.purpose",
                quote="Nghị định số 43/2011/NĐ-CP",
            ),
        ),
        recipients=("- Như trên;", "- Lưu: VT."),
        clauses=clauses,
        duties=duties,
        figures=(
            Figure(
                id="email-accounts",
                label="Số tài khoản thư điện tử đã cấp",
                value="9.289",
                unit="tài khoản",
                clause="1",
                quote="đã cấp 9.289 tài khoản thư điện tử",
                keywords=("email", "hộp thư"),
            ),
        ),
        topics=(
            Topic(
                id="chu-ky-so",
                name="Chữ ký số",
                aliases=("CKS", "ký số"),
                clauses=("1.e",),
            ),
        ),
    )
    return KnowledgeBase(
        directives=(directive,),
        agencies=(stttt, cac_so, ubnd_huyen),
        faq=(
            FaqEntry(
                id="faq-cks",
                question="Chữ ký số dùng để làm gì?",
                answer="Để ký văn bản điện tử (Mục 1.e).",
                alternates=("cks de lam gi", "ky so la gi"),
                clauses=("1.e",),
            ),
        ),
    )
