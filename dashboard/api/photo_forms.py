"""multipart/form-data with photos (the grid-worker app 社管通): text fields, file parts, limits, checks, storage.

The body limit of the whole server (8 MB, dashboard/api/inputs.py) is raised for these requests only, to every
photo at its limit plus room for the text fields (`Settings.media_request_bytes`); beyond it the answer is 413
naming `photos`. Each file part is checked by its content (dashboard/services/photo_check.py) before anything is
written; the checked photos are stored (fsynced) before the caller opens the transaction that references them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from flask import request
from werkzeug.exceptions import RequestEntityTooLarge

from dashboard.api.registry import per_app, runtime
from dashboard.domain.photos import photo_url
from dashboard.services import validate
from dashboard.services.errors import FieldError, TooLarge
from dashboard.services.media_store import MediaStore, StoredPhoto
from dashboard.services.photo_check import CheckedPhoto, PhotoLimits, check_photo

# One text field (a description is at most 2,000 characters: 6 KB of UTF-8). Werkzeug applies the same limit
# to its undecoded buffer, which it fills 64 KB at a time: anything near 64 KB would refuse plain photos.
MAX_FIELD_BYTES = 256 * 1024
MAX_PARTS = 64  # text fields and file parts of one form
PHOTO_FIELDS = ("photos", "photos_before", "photos_after")


def is_multipart() -> bool:
    """True when the request body is multipart/form-data."""
    return request.mimetype == "multipart/form-data"


def media_store() -> MediaStore:
    """The current app's photo store (MEDIA_DIR)."""
    rt = runtime()
    return per_app("gridcmd_media_store", lambda: MediaStore(rt.settings.media_root()))


@dataclass(frozen=True)
class PhotoForm:
    """A parsed form: its text fields (each given once) and its checked photos per file field."""

    fields: dict[str, str]
    photos: dict[str, list[CheckedPhoto]] = field(default_factory=dict)

    def checked(self, name: str) -> list[CheckedPhoto]:
        """The checked photos of file field `name` (empty when none were sent)."""
        return self.photos.get(name, [])

    def text(self, name: str) -> str | None:
        """A text field, None when absent."""
        return self.fields.get(name)


def read_photo_form(file_fields: Iterable[str]) -> PhotoForm:
    """The request's form with the photos of `file_fields` checked; 413/422 naming the field otherwise."""
    settings = runtime().settings
    limit = settings.media_request_bytes()
    request.max_content_length = limit
    request.max_form_memory_size = MAX_FIELD_BYTES
    request.max_form_parts = MAX_PARTS
    try:
        form, files = request.form, request.files
    except RequestEntityTooLarge as exc:
        length = request.content_length
        if length is None or length > limit:
            raise TooLarge(
                "photos",
                f"the request is larger than {limit // (1024 * 1024)} MB: at most {settings.media_max_photos} "
                f"photos of {settings.media_max_photo_bytes // (1024 * 1024)} MB each",
            ) from exc
        raise TooLarge(
            "body", f"a text field is over {MAX_FIELD_BYTES // 1024} KB, or the form has over {MAX_PARTS} parts"
        ) from exc
    wanted = tuple(file_fields)
    for name in files:
        if name not in wanted:
            raise FieldError(name, f"is not a file field here; photos go in {', '.join(wanted)}")
    fields: dict[str, str] = {}
    for name in form:
        values = form.getlist(name)
        if name in PHOTO_FIELDS:
            raise FieldError(name, "must be file parts (Content-Disposition with a filename), not text")
        if len(values) > 1:
            raise FieldError(name, "is given more than once")
        fields[name] = values[0]
    count = sum(len(files.getlist(name)) for name in wanted)
    if count > settings.media_max_photos:
        raise FieldError("photos", f"at most {settings.media_max_photos} photos per request ({count} sent)")
    limits = PhotoLimits.of(settings)
    photos = {name: _checked(files.getlist(name), name, limits) for name in wanted if files.getlist(name)}
    return PhotoForm(fields=fields, photos=photos)


def _checked(parts: list, name: str, limits: PhotoLimits) -> list[CheckedPhoto]:  # noqa: ANN001 - FileStorage
    checked = []
    for i, part in enumerate(parts):
        data = part.stream.read(limits.max_bytes + 1)  # one byte over tells "too large" without reading it all
        checked.append(check_photo(data, f"{name}[{i}]", limits))
    return checked


def store_all(photos: Iterable[CheckedPhoto]) -> list[StoredPhoto]:
    """Store checked photos (each content once), durably, before the transaction that will name them."""
    store = media_store()
    return [store.store(photo) for photo in photos]


def urls(photos: Iterable[CheckedPhoto]) -> list[str]:
    """The served URLs the photos will have, each once, in order."""
    found: list[str] = []
    for photo in photos:
        url = photo_url(photo.sha256, photo.format.ext)
        if url not in found:
            found.append(url)
    return found


def form_number(form: PhotoForm, name: str, *, low: float, high: float) -> float | None:
    """A number field written in ASCII (no nan, inf or full-width digits), None when absent or empty."""
    raw = form.text(name)
    if raw is None or raw.strip() == "":
        return None
    return validate.number_arg(raw.strip(), name, low=low, high=high)


def form_int(form: PhotoForm, name: str) -> int | None:
    """An integer field in ASCII digits, None when absent or empty."""
    raw = form.text(name)
    return validate.int_arg(
        None if raw is None else raw.strip(), name, low=-validate.INT64_MAX, high=validate.INT64_MAX
    )


def form_flag(form: PhotoForm, name: str) -> bool:
    """A yes/no field: 1/true/yes or 0/false/no (absent: no)."""
    raw = (form.text(name) or "").strip().lower()
    if raw in ("", "0", "false", "no"):
        return False
    if raw in ("1", "true", "yes"):
        return True
    raise FieldError(name, "must be 1 or 0")
