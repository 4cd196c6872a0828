"""Numbers as Vietnamese write them: "." between thousands ("9.289")."""

from __future__ import annotations


def vn_number(number: int) -> str:
    """A whole number with "." between thousands: 131072 -> "131.072"."""
    return f"{number:,}".replace(",", ".")


def vn_percent(value: float) -> str:
    """A percentage as the Government Office writes it: two decimals after a comma
    ("98,62%", "0,35%"), a whole one without ("0%", "100%")."""
    if value == int(value):
        return f"{int(value)}%"
    return f"{value:.2f}".replace(".", ",") + "%"
