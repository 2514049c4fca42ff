"""The 12345 hotline's vocabulary (pure): urgency words, the verbs owed back to it and which command owes which,
and the retry schedule of a callback.

Verbs back to the hotline, and the command that owes each (services/commands_write.py write_case asks `verb_for`):

| verb | 中文 | owed by | carries |
|---|---|---|---|
| accepted | 签收 | `file` (立案: the center takes the order), `merge` (into another case) | category, merged_into |
| returned | 退单 | `reject` (不予立案) | the reason |
| extend_requested | 延期申请 | `extend` | the extension, the new deadline, the reason |
| closed | 办结 | `verify` passed (结案), `self-handle` (fixed on the spot) | the closing notes |
| visit_back | 回访 | `visit-back` | the satisfaction |

签收 is sent when the case is filed rather than when the order arrives: an arrival is acknowledged in the HTTP
answer already, and filing is the center's decision that the order is its own (the alternative, 退单, is a reject).

A merged order (its case a duplicate joined to another, the survivor) is owed the survivor's outcome: 12345
platforms close a duplicate order when the case it joined is done, with the note "并入 <survivor's code>". So when
the survivor is closed (verify passed, self-handle) each order merged into it, directly or through a chain of
merges, gets 办结 with the survivor's notes; when the survivor is rejected, 退单 with its reason (`follower_verb`).
The survivor's other verbs (延期申请, 回访) stay its own order's: a 回访 is the satisfaction of the survivor's caller.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

URGENCY: dict[str, str] = {
    "一般": "normal",
    "普通": "normal",
    "normal": "normal",
    "紧急": "urgent",
    "加急": "urgent",
    "urgent": "urgent",
    "特急": "very_urgent",
    "特别紧急": "very_urgent",
    "very_urgent": "very_urgent",
}
URGENCY_ZH = {"normal": "一般", "urgent": "紧急", "very_urgent": "特急"}

VERBS: dict[str, str] = {
    "accepted": "签收",
    "returned": "退单",
    "extend_requested": "延期申请",
    "closed": "办结",
    "visit_back": "回访",
}


@dataclass(frozen=True)
class Order:
    """A 12345 work order as read and checked by the adapter (feeds/hotline.py parse_order)."""

    order_id: str
    received_at: datetime
    caller: str | None
    phone: str | None
    address: str
    lat: float | None
    lon: float | None
    category: str
    content: str
    urgency: str  # normal | urgent | very_urgent
    urgency_text: str  # as written


# The fields whose values must match for a repeat to be the same order (a changed one is reported, never merged).
COMPARED = ("received_at", "caller", "phone", "address", "lat", "lon", "category", "content", "urgency")


@dataclass(frozen=True)
class Owed:
    """A verb a command owes the hotline and the fields it carries besides the order and the case."""

    verb: str
    fields: dict[str, Any]


def urgency_of(text: str) -> str | None:
    """normal | urgent | very_urgent for the hotline's word (一般/紧急/特急, normal/urgent …), None when unknown."""
    return URGENCY.get(text.strip().lower()) if isinstance(text, str) else None


def verb_for(command: str, *, note: str, payload: dict[str, Any], to_state: str) -> Owed | None:
    """What `command`, just run on a hotline order's case, owes the hotline (None: nothing)."""
    if command == "file":
        return Owed("accepted", {"category_code": payload.get("condition")})
    if command == "merge":
        return Owed("accepted", {"merged_into": payload.get("into_code"), "note": note})
    if command == "reject":
        return Owed("returned", {"reason": note})
    if command == "extend":
        return Owed(
            "extend_requested", {"limit": payload.get("limit"), "deadline": payload.get("deadline"), "reason": note}
        )
    if command == "verify" and to_state == "closed":
        return Owed("closed", {"notes": note, "handled_notes": payload.get("handled_notes", "")})
    if command == "self-handle":
        return Owed("closed", {"notes": note, "handled_notes": ""})
    if command == "visit-back":
        return Owed("visit_back", {"satisfaction": payload.get("satisfaction"), "note": note})
    return None


FINAL_VERBS = ("closed", "returned")  # an order's outcome: owed once, never after another outcome


def merged_note(survivor_code: str, text: str) -> str:
    """ "并入 <code>", then the survivor's own text when it has one."""
    head = f"并入 {survivor_code}"
    return f"{head}：{text}" if text else head


def follower_verb(
    command: str, *, note: str, payload: dict[str, Any], to_state: str, survivor_code: str
) -> Owed | None:
    """What `command`, run on a survivor, owes each order merged into it (None: nothing; see the module docstring)."""
    owed = verb_for(command, note=note, payload=payload, to_state=to_state)
    if owed is None or owed.verb not in FINAL_VERBS:
        return None
    fields = dict(owed.fields)
    text_field = "notes" if owed.verb == "closed" else "reason"
    fields[text_field] = merged_note(survivor_code, str(fields.get(text_field) or ""))
    fields["merged_into"] = survivor_code
    return Owed(owed.verb, fields)


def retry_delay_s(attempts: int, *, base_s: float, cap_s: float, rand: float) -> float:
    """Seconds before the next try after `attempts` failures: base·2^(attempts-1), capped, with equal jitter.

    Half the delay is fixed and half random (`rand` in [0, 1)), so callbacks that failed together (the hotline
    was down) do not all come back in the same second, yet every retry still waits at least half its step.
    """
    step = min(cap_s, base_s * 2 ** min(max(attempts, 1) - 1, 30))
    return step / 2 + step / 2 * min(max(rand, 0.0), 1.0)
