"""A report's evidence photo on Zalo: the channel fetches the URL Zalo gives (against
the fake Zalo API, which serves the photo as Zalo's servers would) when the dialog is at
its evidence step, within EVIDENCE_MAX_BYTES."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import Assistant
from bot.application.dialogs.report import DEFAULT_EVIDENCE_BYTES
from bot.application.messages import IncomingMessage, Response
from bot.application.render import Renderer
from bot.channels.zalo.channel import ZaloChannel
from bot.channels.zalo.client import ZaloClient
from bot.channels.zalo.sender import ZaloSender
from bot.storage.db import session_scope
from bot.storage.models import EvidenceFile
from tests.core.test_dialogs import invite, reports
from tests.support.fake_zalo_api import FakeZaloApi


async def test_a_zalo_photo_is_fetched_from_its_url_and_kept(assistant: Assistant) -> None:
    """Zalo hands the bot a photo's URL: the channel fetches it (within the limit) at
    the evidence step only; too big, the official is told it could not be kept."""
    async with FakeZaloApi() as api, ZaloClient(api.token, base_url=api.base_url) as client:
        channel = ZaloChannel(assistant, ZaloSender(client, Renderer(output="text")))
        photo = b"\xff\xd8\xff\xe0" + b"anh-bien-ban" * 100
        url = api.host_photo("bien-ban.jpg", photo)
        outside = api.message("zalo-user", photo=url)
        await channel.handle({"event_name": "message.image.received", "message": outside})
        assert not assistant_files(assistant)  # outside the dialog: not fetched
        _zalo_send(assistant, f"/start {invite(assistant)}")
        for step in ("/baocao", "1", "Hoàn thành", "Hôm nay", "Bỏ qua"):
            _zalo_send(assistant, step)
        message = api.message("zalo-user", photo=url)
        await channel.handle({"event_name": "message.image.received", "message": message})
        [kept] = assistant_files(assistant)
        assert kept == photo
        confirm = api.calls_of("sendMessage")[-1].params["text"]
        assert "minh-chung-1.jpg (số 1, mở bằng /minhchung 1)" in confirm

        assistant.core.report.evidence_max_bytes = 100
        try:
            _zalo_send(assistant, "Quay lại")
            message = api.message("zalo-user", photo=url)
            await channel.handle({"event_name": "message.image.received", "message": message})
        finally:
            assistant.core.report.evidence_max_bytes = DEFAULT_EVIDENCE_BYTES
        texts = [c.params["text"] for c in api.calls_of("sendMessage")[-2:]]
        assert "Tệp Anh/Chị gửi nặng hơn giới hạn 0,1 KB" in texts[0], texts
        _zalo_send(assistant, "Lưu")
        [report] = reports(assistant)
        assert report.evidence_file_id == url and report.evidence_number is None


def _zalo_send(assistant: Assistant, text: str) -> Response:
    with session_scope(assistant.sessions) as session:
        return assistant.core.handle(session, IncomingMessage("zalo", "zalo-user", text))


def assistant_files(assistant: Assistant) -> list[bytes]:
    with session_scope(assistant.sessions) as session:
        return list(session.scalars(select(EvidenceFile.content).order_by(EvidenceFile.id)))
