"""Bounds on a file an admin sends (content files, a directive's text), said in Vietnamese.

A zip container (.xlsx, .docx) is judged from its directory alone: Python's zipfile never
inflates a member past the size its directory declares (it stops there and the CRC check
fails), so the declared sizes are a real bound, and a file whose XML would take too long
to parse, or a "zip bomb", is refused before anything is inflated.
"""

from __future__ import annotations

import math
import zipfile
from pathlib import Path
from typing import IO

from bot.config import ImportLimits


def too_big(size: int, limits: ImportLimits) -> str:
    """Why a file of `size` bytes is refused."""
    return (
        f"tệp nặng {size_text(size, up=True)}, quá giới hạn {size_text(limits.max_bytes)} "
        "(IMPORT_MAX_BYTES)"
    )


def size_text(size: int, *, up: bool = False) -> str:
    """A size as Vietnamese write it ("1,5 MB", "800,0 KB"); `up`: rounded up, so that a
    file just past a limit does not read as the limit itself."""
    unit, scale = ("MB", 1_000_000) if size >= 1_000_000 else ("KB", 1_000)
    tenths = math.ceil(size * 10 / scale) if up else round(size * 10 / scale)
    return f"{tenths / 10:.1f} {unit}".replace(".", ",")


def zip_problem(source: Path | IO[bytes], limits: ImportLimits, what: str) -> str | None:
    """Why the zip `source` (a `what`: "bảng tính", "tệp Word") is refused, or None."""
    with zipfile.ZipFile(source) as archive:
        members = archive.infolist()
    unpacked = sum(m.file_size for m in members)
    packed = sum(m.compress_size for m in members)
    if unpacked > limits.max_unpacked_bytes:
        return (
            f"{what} giải nén ra {size_text(unpacked, up=True)}, quá giới hạn "
            f"{size_text(limits.max_unpacked_bytes)} (IMPORT_MAX_UNPACKED_BYTES)"
        )
    if unpacked > packed * limits.max_ratio:
        return (
            f"{what} nén bất thường (giải nén ra gấp {unpacked // max(packed, 1)} lần, "
            f"giới hạn {limits.max_ratio} lần, IMPORT_MAX_RATIO)"
        )
    return None
