"""Reading a posted form: URL-encoded, or multipart when a page takes a file (a
directive's text), bounded in size; every text value sanitized as a chat message is
(`sanitize`: no NUL, control or invisible characters, NFC), so what a form saves is what
chat would. Multipart bodies are read whole (they are bounded) and parsed by the
standard library's MIME parser: no parser of our own, no extra dependency."""

from __future__ import annotations

from dataclasses import dataclass
from email import policy
from email.parser import BytesParser
from urllib.parse import parse_qsl

from starlette.requests import Request

from bot.channels.request_body import bounded_body
from nlu.normalize import sanitize

MAX_FORM_BYTES = 256_000  # a FAQ entry at its limits, percent-encoded, is ~70 KB
FORM_TYPE = "application/x-www-form-urlencoded"
MULTIPART_TYPE = "multipart/form-data"
MULTIPART_OVERHEAD = 64_000  # the other fields and the parts' headers around a file


@dataclass(frozen=True)
class Upload:
    """A file sent with a form: the name the browser gave it, and its bytes."""

    file_name: str
    content: bytes


class FormRefused(Exception):
    """A body the portal does not read: too large (413) or not a form (415)."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


async def read_form(
    request: Request, max_upload: int = 0
) -> tuple[dict[str, str], dict[str, Upload]]:
    """The fields of a posted form (the first value of a repeated field) and, where the
    page takes one (`max_upload` bytes at most), its files; an empty body is an empty
    form."""
    limit = MAX_FORM_BYTES + (max_upload + MULTIPART_OVERHEAD if max_upload else 0)
    body = await bounded_body(request, limit)
    if body is None:
        raise FormRefused(413)
    if not body:
        return {}, {}
    content_type = request.headers.get("content-type", "")
    kind = content_type.split(";")[0].strip().lower()
    if kind == MULTIPART_TYPE and max_upload:
        return _multipart(content_type, body, max_upload)
    if kind != FORM_TYPE:
        raise FormRefused(415)
    fields: dict[str, str] = {}
    for name, value in parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True):
        fields.setdefault(name, sanitize(value))
    return fields, {}


def _multipart(
    content_type: str, body: bytes, max_upload: int
) -> tuple[dict[str, str], dict[str, Upload]]:
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = BytesParser(policy=policy.HTTP).parsebytes(head + body)
    if not message.is_multipart():
        raise FormRefused(415)
    fields: dict[str, str] = {}
    uploads: dict[str, Upload] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str) or name in fields or name in uploads:
            continue
        payload = part.get_payload(decode=True)
        content = payload if isinstance(payload, bytes) else b""
        file_name = part.get_filename()
        if file_name is None:
            fields[name] = sanitize(content.decode("utf-8", "replace"))
        elif len(content) > max_upload:
            raise FormRefused(413)
        else:
            uploads[name] = Upload(sanitize(file_name)[:200], content)
    return fields, uploads
