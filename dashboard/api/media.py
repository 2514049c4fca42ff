"""Case photos over HTTP: `GET /media/<sha>.<ext>`, `GET /media/<sha>/thumb`, and `POST /api/v1/media` (upload).

A photo is served only to a caller who may read a case it is on (the rule of the case list, case_scope.scoped):
another street's dispatcher, a channel that did not report the case, or a photo on no case at all get 404
exactly as for a hash that does not exist, so hashes cannot be probed; screen accounts get 403 (the wall shows
no photos), nobody signed in 401 (dashboard/api/auth.py). What is served is our own re-encoding with no metadata,
under its stored type, `nosniff`, `inline`, and `Cache-Control: private` (never in a shared cache).
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, send_file
from sqlalchemy import select

from dashboard.api.auth import require
from dashboard.api.case_scope import scoped
from dashboard.api.photo_forms import media_store, read_photo_form, store_all
from dashboard.api.rate_limit import rate_limit
from dashboard.api.registry import Route, make_blueprint, runtime
from dashboard.domain.photos import BY_EXT, THUMB, is_sha256, photo_url, thumb_url
from dashboard.services.errors import FieldError, NotFound
from dashboard.store.models import Case
from dashboard.store.photo_models import CasePhoto

# Who may see photos (each only on the cases `scoped` lets them read); screens never.
VIEWERS = ("dispatcher", "leader", "admin", "handler", "worker", "channel")
UPLOADERS = ("dispatcher", "leader", "admin", "handler", "worker", "channel")
CACHE = "private, max-age=86400"  # content-addressed: the bytes under a name never change


def photo(name: str) -> Response:
    """GET /media/<sha>.<ext>: the photo, metadata-free, to those who may read a case it is on."""
    sha, _, ext = name.partition(".")
    fmt = BY_EXT.get(ext)
    if fmt is None or not is_sha256(sha):
        raise NotFound("no such photo")
    return _serve(sha, fmt.mime, lambda: media_store().photo_path(sha, ext), download=f"{sha}.{ext}")


def thumb(sha: str) -> Response:
    """GET /media/<sha>/thumb: the photo's thumbnail (WebP), to the same callers."""
    if not is_sha256(sha):
        raise NotFound("no such photo")
    return _serve(sha, None, lambda: media_store().thumb_path(sha), download=f"{sha}-thumb.{THUMB.ext}")


def _serve(sha: str, mime: str | None, path_of, *, download: str) -> Response:  # noqa: ANN001 - () -> Path
    principal = require(*VIEWERS)
    rate_limit("media", principal)
    rt = runtime()
    query = select(CasePhoto.mime).join(Case, Case.id == CasePhoto.case_id).where(CasePhoto.sha256 == sha)
    if mime is not None:
        query = query.where(CasePhoto.mime == mime)
    with rt.session() as session:
        visible = session.scalar(scoped(query, principal).limit(1))
    path = path_of()
    if visible is None or not path.is_file():
        raise NotFound("no such photo")  # missing, out of reach, or on no case: one answer
    response = send_file(path, mimetype=mime or THUMB.mime, conditional=True, etag=sha, max_age=None)
    response.headers["Cache-Control"] = CACHE
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Disposition"] = f'inline; filename="{download}"'
    return response


def upload() -> tuple[Response, int]:
    """POST /api/v1/media: store photos (`photos` file parts) for a later JSON report or command to name.

    Nothing is shown to anyone until a case names the photo; a photo never named is swept (gridcmd media-sweep).
    """
    principal = require(*UPLOADERS)
    rate_limit("media", principal)
    form = read_photo_form(("photos",))
    checked = form.checked("photos")
    if not checked:
        raise FieldError("photos", "is required: one or more file parts")
    stored = store_all(checked)
    body = [
        {
            "url": photo_url(p.sha256, p.ext),
            "thumb": thumb_url(p.sha256),
            "sha256": p.sha256,
            "mime": p.mime,
            "width": p.width,
            "height": p.height,
            "bytes": p.bytes,
        }
        for p in stored
    ]
    return jsonify({"photos": body}), 201


MEDIA_ROUTES: tuple[Route, ...] = (
    Route("/<sha>/thumb", ("GET",), thumb),
    Route("/<name>", ("GET",), photo),
)
# Served under /api/v1 (routes.py), beside the cases.
API_ROUTES: tuple[Route, ...] = (Route("/media", ("POST",), upload),)


def blueprint() -> Blueprint:
    """The /media blueprint (photos and thumbnails)."""
    return make_blueprint("media", __name__, MEDIA_ROUTES, url_prefix="/media")
