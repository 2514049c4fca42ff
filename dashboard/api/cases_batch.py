"""POST /api/v1/cases/batch: many reports in one request, for channels that deliver many at once (a 12345
platform's push, a gateway relaying grid workers' phones).

Body `{"reports": [REPORT, …]}`, 1 to 500 reports, each what POST /cases takes as JSON plus its own required
`idempotency_key`. Answer 207 with `{"results": [{"index", "status", "case" | "field", "error"}, …]}` in the order
sent: 201 created, 200 the case an earlier request (or an earlier report of this batch) made for that key, 422
with the field as `reports[3].lat`. One transaction for the batch: the valid reports are committed together,
each with its timeline entry, audit row and outbox row; a refused report never blocks the others. The batch
spends one unit of the token's `intake` budget per report.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dashboard.api.auth import Principal, require
from dashboard.api.cases import REPORTERS
from dashboard.api.inputs import json_body
from dashboard.api.photo_forms import media_store
from dashboard.api.rate_limit import rate_limit
from dashboard.api.registry import Route, hooks, runtime
from dashboard.api.worker_app import check_refs
from dashboard.domain.photos import PhotoKind
from dashboard.services.errors import FieldError
from dashboard.services.intake import ReportCase, parse_report
from dashboard.services.intake_batch import MAX_BATCH, ItemResult, report_batch
from dashboard.services.media_store import StoredPhoto
from dashboard.services.photos import attach, our_photos

# A concurrent request with some of the same keys committed first: the batch runs again and finds its cases.
ATTEMPTS = 3


def create_cases_batch() -> tuple[Response, int]:
    """POST /cases/batch: report up to MAX_BATCH cases in one transaction; a result per report, in order."""
    principal = require(*REPORTERS)
    body = json_body()
    if not isinstance(body, dict):
        raise FieldError("body", "must be a JSON object with a `reports` list")
    reports = body.get("reports")
    if not isinstance(reports, list) or not 1 <= len(reports) <= MAX_BATCH:
        raise FieldError("reports", f"must be a list of 1 to {MAX_BATCH} reports")
    rate_limit("intake", principal, cost=len(reports))
    items = [_parse(item, principal) for item in reports]
    rt = runtime()
    for attempt in range(ATTEMPTS):
        try:
            with rt.session() as session:
                answers = _run(session, items, principal)
            break
        except IntegrityError:
            if attempt == ATTEMPTS - 1:
                raise
    if any(a["status"] == 201 for a in answers):
        hooks().after_commit()
    return jsonify({"results": answers}), 207


def _parse(item: Any, principal: Principal) -> ReportCase | FieldError:
    if not isinstance(item, dict):
        return FieldError("body", "must be a JSON object (a report as POST /cases takes it)")
    key = item.get("idempotency_key")
    if key is None:
        return FieldError("idempotency_key", "is required for each report of a batch")
    try:
        return parse_report(item, idempotency_key=key, actor=principal.name)
    except FieldError as exc:
        return exc


def _run(session: Session, items: list[ReportCase | FieldError], principal: Principal) -> list[dict[str, Any]]:
    """The batch in `session` (the caller commits): validate, insert, attach photos of ours; the answers."""
    rt = runtime()
    store = media_store()
    photos: dict[int, list[StoredPhoto]] = {}

    def check(i: int, cmd: ReportCase) -> None:
        # Photos of ours must be stored and within the caller's reach, checked before anything is written.
        check_refs(session, principal, cmd.photos, "photos")
        if ours := our_photos(cmd.photos, name="photos", store=store, session=session):
            photos[i] = ours

    results = report_batch(
        items,
        session=session,
        grids=rt.grid_index(),
        county_code=rt.settings.county_code,
        tz=rt.settings.timezone,
        check=check,
    )
    for i, ours in photos.items():
        case = results[i].case
        if results[i].status == 201 and case is not None:
            attach(
                session,
                case_id=case.id,
                photos=ours,
                kind=PhotoKind.REPORT,
                uploaded_by=principal.name,
                now=case.reported_at,
            )
    return [_answer(i, r) for i, r in enumerate(results)]


def _answer(i: int, result: ItemResult) -> dict[str, Any]:
    if result.row is not None:
        return {"index": i, "status": result.status, "case": result.row}
    field = result.field or "body"
    # `reports[3].lat`; the report's own body errors name the report itself; the key is a body field here.
    named = {"body": "", "Idempotency-Key": ".idempotency_key"}.get(field, f".{field}")
    return {"index": i, "status": result.status, "field": f"reports[{i}]{named}", "error": result.error}


ROUTES: tuple[Route, ...] = (Route("/cases/batch", ("POST",), create_cases_batch),)
