"""Audit rows and service errors as the admin reads them, in the UI language (strings in layouts/i18n.py).

The services speak English to scripts (`FieldError(field, "must be at most 64 characters")`); this module maps
each field and kind of message to a sentence in the UI language, and turns an audit row's action id and JSON
detail into a label and "key: value" text. Everything returned is plain text: Dash renders it as text, never
markup. Pure (no request, no database): unit-tested without a browser.
"""

from __future__ import annotations

import json
import re
from typing import Any

from dashboard.services.errors import FieldError, NotFound
from layouts.i18n import STRINGS, t

# (field or "*" for any, the service's English message, the i18n key under admin.err.) – first match wins. Named
# groups become the sentence's {placeholders}. A message no row matches reads as admin.err.invalid.
MESSAGES: tuple[tuple[str, str, str], ...] = (
    ("name", r"2[–-]64 letters, digits, dot, dash or underscore", "name_shape"),
    ("name", r"user .* already exists", "name_taken"),
    ("role", r"must be one of .*", "role"),
    ("scope", r"must be (?:a 6-digit county code|the district) .*", "scope"),
    ("department", r"a handler acts for one department", "department_needed"),
    ("department", r"only handlers act for a department", "department_handlers_only"),
    ("department", r"unknown department .*", "department_unknown"),
    ("active", r"an admin cannot deactivate their own account", "own_account"),
    ("active", r"the last active admin cannot be deactivated", "last_admin"),
    ("user", r"account .* is deactivated.*", "user_inactive"),
    ("to", r"must be later than from", "date_order"),
    ("notice", r"is empty.*", "notice_empty"),
    ("notice", r"(?P<day>[0-9-]{10}) is already entered with the (?P<year>[0-9]{4}) notice", "notice_taken"),
    ("file", r"is not an uploaded file|is not valid base64 data", "file_unreadable"),
    ("file", r"is larger than (?P<n>[0-9]+) MB", "file_too_large"),
    ("*", r"is required", "required"),
    ("*", r"(?:must be )?at most (?P<n>[0-9]+)(?: printable)? characters", "too_long"),
    ("*", r"must be at least (?P<n>[0-9]+) characters", "too_short"),
    ("*", r"must be text", "not_text"),
    ("*", r"contains (?:a lone surrogate|NUL or control characters).*", "bad_chars"),
    ("*", r"must be a code of 1[–-](?P<n>[0-9]+) .*", "code"),
    ("*", r"must be an integer from (?P<low>-?[0-9]+) to (?P<high>[0-9]+).*", "integer"),
    ("*", r"must (?:be an ISO 8601 time|lie between|be a date-time).*|needs a UTC offset.*", "date"),
)
_COMPILED = tuple((field, re.compile(pattern), key) for field, pattern, key in MESSAGES)
# The first blank followed by a Latin letter, after some CJK text: where "中文说明 English text" turns English.
_SPLIT = re.compile(r"[\u3000-\u9fff\uff00-\uffef][^A-Za-z]*?(\s+)(?=[A-Za-z])")
# Details shown first, in this order; other keys follow alphabetically.
_DETAIL_ORDER = ("from", "to", "user", "role", "scope", "department", "label", "source", "note", "condition")
_VALUE_LABELS = {"from": "state", "to": "state", "role": "admin.role", "source": "source"}


def _has(key: str) -> bool:
    return key in STRINGS


def field_label(field: str) -> str:
    """A form field's name in the UI language (the field id when it has none)."""
    return t(f"admin.field.{field}") if _has(f"admin.field.{field}") else field


def field_message(exc: FieldError) -> str:
    """What is wrong with the field, in the UI language."""
    cause = exc.__cause__
    if exc.field == "notice" and cause is not None and hasattr(cause, "line_number"):
        return notice_message(cause)
    for field, pattern, key in _COMPILED:
        if field in ("*", exc.field) and (match := pattern.fullmatch(exc.message)):
            return t(f"admin.err.{key}").format(**match.groupdict())
    return t("admin.err.invalid")


def notice_message(exc: Any) -> str:
    """A holiday notice that cannot be read (domain.holiday_notice.NoticeError): the line and why."""
    reason = bilingual(str(getattr(exc, "reason", "")))
    number = getattr(exc, "line_number", 0)
    where = t("admin.err.notice_line").format(n=number) if number else t("admin.field.notice")
    line = str(getattr(exc, "line", "")).strip()[:80]
    return f"{where}{t('admin.detail.kv')}{reason}" + (f" — {line}" if line else "")


def bilingual(text: str, lang: str | None = None) -> str:
    """The UI language's half of a "中文 English" message as the domain writes them (the whole text if it has
    no Chinese half; admin.err.invalid for Chinese when it has none).
    """
    match = _SPLIT.search(text)
    chinese = t("admin.error", "zh") == t("admin.error", lang)
    if match is None:
        has_cjk = re.search(r"[\u3000-\u9fff]", text) is not None
        return text if has_cjk or not chinese else t("admin.err.invalid")
    cut = match.start(1)
    return text[:cut].strip() if chinese else text[cut:].strip()


def error_text(exc: Exception, *, filename: str = "") -> str:
    """A service error for a person: the field's name, then the cause, both in the UI language."""
    failed = f"{t('admin.error')}{t('admin.detail.kv')}"
    if isinstance(exc, FieldError):
        return f"{failed}{field_label(exc.field)} — {field_message(exc)}"
    if isinstance(exc, NotFound):
        return f"{failed}{t('admin.err.not_found')}"
    text = str(exc)
    if filename and text.startswith(f"{filename}: "):
        return f"{failed}{filename} — {bilingual(text[len(filename) + 2 :])}"
    return f"{failed}{bilingual(text)}"


# ---- audit rows ---------------------------------------------------------------------------------------------


def action_label(action: str) -> str:
    """An audit action in the UI language: its own label, a case command's name, or the id itself."""
    if _has(f"admin.action.{action}"):
        return t(f"admin.action.{action}")
    family, _, rest = action.partition(":")
    if family == "case" and _has(f"dispatch.cmd.{rest}"):
        return t(f"dispatch.cmd.{rest}")  # the desk's name of the command (派遣, 督办 …)
    if rest and _has(f"admin.action.{family}:"):
        return f"{t(f'admin.action.{family}:')} · {rest}"
    return action


def _value(key: str, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return t("admin.detail.yes" if value else "admin.detail.no")
    if isinstance(value, list | tuple):
        return t("admin.detail.list_sep").join(_value("", v) for v in value) or "—"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    prefix = _VALUE_LABELS.get(key)
    if prefix and isinstance(value, str) and _has(f"{prefix}.{value}"):
        return t(f"{prefix}.{value}")
    return str(value)


def _detail_label(key: str, case: bool) -> str:
    for name in (f"admin.detail.{key}", f"admin.field.{key}") if not case else (f"admin.detail.{key}",):
        if _has(name):
            return t(name)
    return key


def detail_text(detail: dict[str, Any] | None, action: str = "") -> str:
    """An audit row's detail as "字段：值；字段：值"; a case command's state change reads 状态：待受理 → 已立案."""
    if not isinstance(detail, dict) or not detail:
        return ""
    case = action.startswith("case:")
    keys = [k for k in _DETAIL_ORDER if k in detail] + sorted(str(k) for k in detail if k not in _DETAIL_ORDER)
    kv, parts = t("admin.detail.kv"), []
    if case and "from" in detail and "to" in detail:
        keys = [k for k in keys if k not in ("from", "to")]
        change = f"{_value('from', detail['from'])} → {_value('to', detail['to'])}"
        parts.append(f"{t('admin.detail.state')}{kv}{change}")
    for key in keys:
        value = _value(key if case or key not in ("from", "to") else "", detail[key])
        parts.append(f"{_detail_label(key, case)}{kv}{value}")
    return t("admin.detail.sep").join(parts)
