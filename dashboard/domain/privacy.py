"""Masking of reporters' personal data for every role but dispatchers and admins (pure)."""

from __future__ import annotations


def mask_name(name: str | None) -> str | None:
    """Keep the surname: 张三丰 → 张**."""
    if not name:
        return name
    return name[0] + "*" * max(1, len(name) - 1)


def mask_phone(phone: str | None) -> str | None:
    """Keep the first three and last four digits: 13812345678 → 138****5678."""
    if not phone:
        return phone
    if len(phone) <= 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
