"""The roles a person can have, lowest first.

An official reports for their agency; a manager reads the digests of their scope; an
admin curates the content and the accounts.
"""

from __future__ import annotations

ROLES = ("official", "manager", "admin")
OFFICIAL, MANAGER, ADMIN = ROLES
