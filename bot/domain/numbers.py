"""Numbers as Vietnamese write them: "." between thousands ("9.289")."""

from __future__ import annotations


def vn_number(number: int) -> str:
    """A whole number with "." between thousands: 131072 -> "131.072"."""
    return f"{number:,}".replace(",", ".")
