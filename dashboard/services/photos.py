"""Photos on cases: the rows that tie stored files to a case, and the case detail's photo list grouped by kind.

A case's `photos` JSON list stays what it always was, the URLs in the order they came (readers of the list keep
working); each URL of ours (/media/<sha>.<ext>) also has a `case_photos` row per kind, which says when in the
case's life it was taken (上报 / 处置前 / 处置后 / 办结) and is what serving checks. Plain http(s) links that JSON
clients send keep working as links, with no row.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.domain.photos import BY_EXT, PhotoKind, parse_photo_url, photo_url, thumb_url
from dashboard.services.errors import FieldError
from dashboard.services.media_store import MediaStore, StoredPhoto
from dashboard.store.photo_models import CasePhoto


def our_photos(
    urls: Sequence[str], *, name: str, store: MediaStore | None, session: Session, only_ours: bool = False
) -> list[StoredPhoto]:
    """The photos of ours among `urls`, each checked to be stored here; FieldError naming `name[i]` otherwise.

    With `only_ours`, a plain link is refused too (before/after photos are evidence: they must be ours).
    """
    found: list[StoredPhoto] = []
    for i, url in enumerate(urls):
        ref = parse_photo_url(url)
        if ref is None:
            if only_ours:
                raise FieldError(
                    f"{name}[{i}]",
                    "must be a photo stored on this server (/media/<sha>.<ext>): send it as a file part of "
                    "this request or upload it first with POST /api/v1/media",
                )
            continue
        photo = _described(session, store, *ref)
        if photo is None:
            raise FieldError(f"{name}[{i}]", "names no photo stored on this server; upload it first")
        found.append(photo)
    return found


def _described(session: Session, store: MediaStore | None, sha: str, ext: str) -> StoredPhoto | None:
    """What we know of a stored photo: from a row if any case has it, else from its file (header only)."""
    fmt = BY_EXT[ext]
    if store is None or not store.has(sha, ext):
        return None
    row = session.scalar(select(CasePhoto).where(CasePhoto.sha256 == sha, CasePhoto.mime == fmt.mime).limit(1))
    if row is not None:
        return StoredPhoto(sha, ext, row.mime, row.width, row.height, row.bytes)
    path = store.photo_path(sha, ext)
    with Image.open(path, formats=(fmt.pillow,)) as image:  # our own re-encoding: only the header is read
        width, height = image.size
    return StoredPhoto(sha, ext, fmt.mime, width, height, path.stat().st_size)


def attach(
    session: Session,
    *,
    case_id: int,
    photos: Iterable[StoredPhoto],
    kind: PhotoKind,
    uploaded_by: str,
    now: datetime,
) -> int:
    """A row per photo not yet on the case under this kind (the caller's transaction); how many were added."""
    photos = list(photos)
    if not photos:
        return 0  # most reports carry no photo of ours: no query (it also flushed the whole intake early)
    have = set(session.scalars(select(CasePhoto.sha256).where(CasePhoto.case_id == case_id, CasePhoto.kind == kind)))
    added = 0
    for photo in photos:
        if photo.sha256 in have:
            continue
        have.add(photo.sha256)
        session.add(
            CasePhoto(
                sha256=photo.sha256,
                case_id=case_id,
                uploaded_by=uploaded_by,
                kind=kind.value,
                width=photo.width,
                height=photo.height,
                bytes=photo.bytes,
                mime=photo.mime,
                created_at=now,
            )
        )
        added += 1
    return added


def merged_urls(existing: Sequence[str] | None, new: Iterable[str]) -> list[str]:
    """The case's URL list with `new` appended, each URL once."""
    urls = list(existing or [])
    for url in new:
        if url not in urls:
            urls.append(url)
    return urls


def urls_of(photos: Iterable[StoredPhoto]) -> list[str]:
    """The served URLs of stored photos, in order, each once."""
    return merged_urls([], (photo_url(p.sha256, p.ext) for p in photos))


def photo_items(
    session: Session, *, case_id: int, urls: Sequence[str], handled_links: set[str]
) -> list[dict[str, Any]]:
    """The case detail's `photo_items`: one entry per photo and kind, in the order of the case's `photos` list.

    A photo of ours carries its thumbnail, size and kind; a plain link has no thumbnail and takes its kind from
    where it came in (`handled_links`: the links report-handled added; every other link came with the report).
    """
    rows: dict[str, list[CasePhoto]] = {}
    for row in session.scalars(select(CasePhoto).where(CasePhoto.case_id == case_id).order_by(CasePhoto.id)):
        rows.setdefault(row.sha256, []).append(row)
    items: list[dict[str, Any]] = []
    for url in urls:
        ref = parse_photo_url(url)
        for row in rows.get(ref[0], []) if ref else []:
            items.append(
                {
                    "url": url,
                    "thumb": thumb_url(row.sha256),
                    "kind": row.kind,
                    "width": row.width,
                    "height": row.height,
                    "mime": row.mime,
                }
            )
        if ref is None or ref[0] not in rows:
            kind = PhotoKind.HANDLED if isinstance(url, str) and url in handled_links else PhotoKind.REPORT
            items.append({"url": url, "thumb": None, "kind": kind.value, "width": None, "height": None, "mime": None})
    return items
