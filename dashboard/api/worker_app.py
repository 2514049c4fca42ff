"""The grid-worker app's side of the case API (社管通): reports and commands that carry photos.

`POST /cases` takes JSON (photo URLs) or multipart/form-data: the JSON body's fields as text fields plus
`photos` file parts; with `self_handled=1` it is the app's one step 上报并自处置 (report, then self-handle, in one
transaction), taking `photos_before` / `photos_after` too. Without `lat`/`lon` the first photo with EXIF GPS
places the report. `POST /cases/{id}/self-handle` (`photos_before`, `photos_after`) and `/report-handled`
(`photos`) take multipart the same way. Photos are stored before the transaction that references them commits.

A JSON body may name photos of ours already stored (/media/<sha>.<ext>, e.g. from POST /api/v1/media): one on no
case yet, or on a case the caller may read; any other answers as if it were not stored at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import request
from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.api.auth import Principal
from dashboard.api.case_scope import scoped
from dashboard.api.inputs import json_body
from dashboard.api.photo_forms import (
    form_flag,
    form_int,
    form_number,
    is_multipart,
    media_store,
    read_photo_form,
    store_all,
    urls,
)
from dashboard.api.registry import runtime
from dashboard.domain.photos import PhotoKind, parse_photo_url
from dashboard.services import validate
from dashboard.services.commands import MAX_NOTE, Ctx, self_handle
from dashboard.services.errors import FieldError
from dashboard.services.intake import MAX_PHOTOS, Intaken, ReportCase, parse_report
from dashboard.services.photos import attach, our_photos
from dashboard.services.rows import case_row_in
from dashboard.store.models import Case
from dashboard.store.photo_models import CasePhoto

REPORT_TEXT = ("description", "source", "category_code", "reporter", "phone", "occurred_at")
# Commands that take photos, and their file fields.
COMMAND_PHOTOS: dict[str, tuple[str, ...]] = {
    "self-handle": ("photos_before", "photos_after"),
    "report-handled": ("photos",),
}


@dataclass(frozen=True)
class Report:
    """A report as the request sent it, and what to do once its case exists (in the same transaction)."""

    cmd: ReportCase
    principal: Principal = field(repr=False)
    refs: tuple[str, ...] = ()  # a JSON body's photo URLs: those of ours are checked against the caller's reach
    then_self_handle: dict[str, Any] | None = None  # the one-step 自处置: note, photos_before, photos_after

    def complete(self, session: Session, result: Intaken) -> Intaken:
        """Photo rows for the new case and, for the one-step report, the self-handle; the caller commits."""
        check_refs(session, self.principal, self.refs, "photos")
        store = media_store()
        ours = our_photos(self.cmd.photos, name="photos", store=store, session=session)
        case = result.case
        attach(
            session,
            case_id=case.id,
            photos=ours,
            kind=PhotoKind.REPORT,
            uploaded_by=self.cmd.actor,
            now=case.reported_at,
        )
        if self.then_self_handle is None:
            return result
        ctx = Ctx(
            session=session,
            actor=self.principal.actor(),
            cal=runtime().calendar,
            tz=runtime().settings.timezone,
            media=store,
        )
        case = self_handle(ctx, case.id, expected_version=case.version, **self.then_self_handle)
        return Intaken(case, True, case_row_in(case, session=session, tz=ctx.tz))


def read_report(principal: Principal) -> Report:
    """The report of this request, JSON or multipart; FieldError (422) or TooLarge (413) naming the field."""
    key = request.headers.get("Idempotency-Key")
    if not is_multipart():
        cmd = parse_report(json_body(), idempotency_key=key, actor=principal.name)
        return Report(cmd=cmd, refs=cmd.photos, principal=principal)
    form = read_photo_form(("photos", "photos_before", "photos_after"))
    one_step = form_flag(form, "self_handled")
    if not one_step:
        for name in ("photos_before", "photos_after"):
            if form.checked(name):
                raise FieldError(name, "is taken only with self_handled=1 (report and self-handle in one step)")
    body: dict[str, Any] = {name: form.text(name) for name in REPORT_TEXT if form.text(name) is not None}
    lat = form_number(form, "lat", low=-90, high=90)
    lon = form_number(form, "lon", low=-180, high=180)
    every = [*form.checked("photos"), *form.checked("photos_before"), *form.checked("photos_after")]
    if lat is None and lon is None:
        lat, lon = _exif_position(every)
    body.update(lat=lat, lon=lon, photos=urls(form.checked("photos")))
    cmd = parse_report(body, idempotency_key=key, actor=principal.name)
    then = None
    if one_step:
        note = validate.text(form.text("note"), "note", max_len=MAX_NOTE) or ""
        then = {
            "note": note,
            "photos_before": urls(form.checked("photos_before")),
            "photos_after": urls(form.checked("photos_after")),
        }
    store_all(every)  # on disk and fsynced before the case that names them commits
    return Report(cmd=cmd, then_self_handle=then, principal=principal)


def _exif_position(photos: Sequence[Any]) -> tuple[float | None, float | None]:
    """(lat, lon) of the first photo with EXIF GPS; FieldError naming `lat` when none has it."""
    for photo in photos:
        if photo.gps is not None:
            return photo.gps
    if photos:
        raise FieldError("lat", "is required: give lat and lon, or a photo with EXIF GPS (none of these has it)")
    raise FieldError("lat", "is required: give lat and lon (or send a photo with EXIF GPS)")


def command_body(command: str) -> dict[str, Any]:
    """The command's body: JSON as it came, or a multipart form made the same shape (photo fields as URLs)."""
    if not is_multipart() or command not in COMMAND_PHOTOS:
        body = json_body()
        if not isinstance(body, dict):
            raise FieldError("body", "must be a JSON object")
        return body
    form = read_photo_form(COMMAND_PHOTOS[command])
    body: dict[str, Any] = {k: v for k, v in form.fields.items() if k not in ("expected_version",)}
    body["expected_version"] = form_int(form, "expected_version")
    checked = [photo for name in COMMAND_PHOTOS[command] for photo in form.checked(name)]
    for name in COMMAND_PHOTOS[command]:
        if form.checked(name):
            body[name] = urls(form.checked(name))
    store_all(checked)
    return body


def check_command_refs(session: Session, principal: Principal, command: str, body: dict[str, Any]) -> None:
    """check_refs for each photo field of a JSON command body (a multipart form's photos are the caller's own)."""
    if is_multipart():
        return
    for name in COMMAND_PHOTOS.get(command, ()):
        value = body.get(name)
        if isinstance(value, list) and len(value) <= MAX_PHOTOS:  # else the command refuses the list itself
            check_refs(session, principal, value, name)


def check_refs(session: Session, principal: Principal, refs: Sequence[Any], name: str) -> None:
    """Each photo of ours named must be on no case yet, or on a case the caller may read (else: not stored)."""
    for i, url in enumerate(refs):
        ref = parse_photo_url(url)
        if ref is None:
            continue
        holders = select(CasePhoto.case_id).where(CasePhoto.sha256 == ref[0])
        if session.scalar(holders.limit(1)) is None:
            continue  # a fresh upload: whoever holds its hash holds the photo
        visible = scoped(select(Case.id).where(Case.id.in_(holders)), principal)
        if session.scalar(visible.limit(1)) is None:
            raise FieldError(f"{name}[{i}]", "names no photo stored on this server; upload it first")
