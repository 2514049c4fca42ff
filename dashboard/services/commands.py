"""Case commands (DESIGN.md section 5): one function per command.

Each checks the caller's role and scope, the expected version and the state it starts from (the table of
dashboard/domain/actions.py, which the dispatch desk is handed too), then writes the case with a
compare-and-set on its version, appends the audit row and queues the outbox row, all in the caller's
transaction. Of two racing commands exactly one wins; the other gets `Conflict` naming who acted first.

This module is the index every caller imports from: the table of commands (COMMAND_FUNCTIONS, the body fields
each takes) and the names of each command. The code is split by where a case is in its loop:
- commands_write.py     Ctx, the one write path (load_case, write_case) and the stage-clock helpers
- commands_triage.py    a report: file, reject, merge, self-handle, locate
- commands_handling.py  a filed case: dispatch, acknowledge, return, report-handled, verify, visit-back
- commands_oversight.py any open case: escalate, supervise, ack-supervision, instruct, flag-overdue
- commands_hold.py      a running clock: suspend, resume, extend
"""

from __future__ import annotations

from dashboard.domain.actions import OVERDUE_COMMAND
from dashboard.services.commands_handling import (
    SATISFACTION,
    STREET_UNIT,
    acknowledge_case,
    dispatch_case,
    report_handled,
    resolve_department,
    return_case,
    verify_case,
    visit_back,
)
from dashboard.services.commands_hold import extend_case, resume_case, suspend_case
from dashboard.services.commands_oversight import (
    MAX_REPLY_WITHIN,
    ack_supervision,
    escalate_case,
    flag_overdue,
    instruct_case,
    supervise_case,
)
from dashboard.services.commands_triage import (
    file_case,
    locate_case,
    merge_case,
    reject_case,
    reported_by,
    self_handle,
)
from dashboard.services.commands_write import MAX_NOTE, Ctx, stage_clock, write_case

__all__ = [
    "COMMAND_FIELDS",
    "COMMAND_FUNCTIONS",
    "COMMAND_REQUIRED",
    "MAX_NOTE",
    "MAX_REPLY_WITHIN",
    "SATISFACTION",
    "STREET_UNIT",
    "Ctx",
    "ack_supervision",
    "acknowledge_case",
    "dispatch_case",
    "escalate_case",
    "extend_case",
    "file_case",
    "flag_overdue",
    "instruct_case",
    "locate_case",
    "merge_case",
    "reject_case",
    "report_handled",
    "reported_by",
    "resolve_department",
    "resume_case",
    "return_case",
    "self_handle",
    "stage_clock",
    "supervise_case",
    "suspend_case",
    "verify_case",
    "visit_back",
    "write_case",
]

COMMAND_FUNCTIONS = {
    "file": file_case,
    "dispatch": dispatch_case,
    "acknowledge": acknowledge_case,
    "return": return_case,
    "report-handled": report_handled,
    "verify": verify_case,
    "reject": reject_case,
    "merge": merge_case,
    "self-handle": self_handle,
    "escalate": escalate_case,
    "supervise": supervise_case,
    "ack-supervision": ack_supervision,
    "instruct": instruct_case,
    "suspend": suspend_case,
    "resume": resume_case,
    "extend": extend_case,
    "visit-back": visit_back,
    "locate": locate_case,
    OVERDUE_COMMAND: flag_overdue,  # system role only: the API answers 403 to every user
}


# Body fields each command takes besides expected_version and note (the API passes only these through).
COMMAND_FIELDS: dict[str, tuple[str, ...]] = {
    "supervise": ("reply_by",),
    "file": ("condition",),
    "dispatch": ("department", "patrol"),
    "report-handled": ("photos",),
    "self-handle": ("photos_before", "photos_after"),
    "verify": ("result",),
    "merge": ("into",),
    "extend": ("limit",),
    "visit-back": ("satisfaction",),
    "locate": ("lat", "lon"),
}


COMMAND_REQUIRED: dict[str, tuple[str, ...]] = {
    "file": ("condition",),
    "dispatch": ("department",),
    "verify": ("result",),
    "merge": ("into",),
    "extend": ("limit",),
    "visit-back": ("satisfaction",),
    "locate": ("lat", "lon"),
}
