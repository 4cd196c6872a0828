"""Reading a posted form: URL-encoded only (the portal's forms upload no files),
bounded in size, and every value sanitized as a chat message is (`sanitize`: no NUL,
control or invisible characters, NFC), so what a form saves is what chat would."""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.requests import Request

from nlu.normalize import sanitize

MAX_FORM_BYTES = 256_000  # a FAQ entry at its limits, percent-encoded, is ~70 KB
FORM_TYPE = "application/x-www-form-urlencoded"


class FormRefused(Exception):
    """A body the portal does not read: too large (413) or not a form (415)."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


async def read_form(request: Request) -> dict[str, str]:
    """The fields of a posted form (the first value of a repeated field); an empty body
    is an empty form."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_FORM_BYTES:
        raise FormRefused(413)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise FormRefused(413)
    if not body:
        return {}
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != FORM_TYPE:
        raise FormRefused(415)
    fields: dict[str, str] = {}
    for name, value in parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True):
        fields.setdefault(name, sanitize(value))
    return fields
