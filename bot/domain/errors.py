"""The one way the core's services say no."""

from __future__ import annotations


class Refused(Exception):
    """An action that cannot be done. `reason` names what is wrong (often the template
    that explains it to the user); `data` holds what the explanation needs."""

    def __init__(self, reason: str, **data: object) -> None:
        super().__init__(reason)
        self.reason = reason
        self.data = data
