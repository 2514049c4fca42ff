"""The photo files: content-addressed under MEDIA_DIR, written atomically and durably, swept when orphaned.

`<root>/<ab>/<cd>/<sha>.<ext>` is the served copy and `<root>/<ab>/<cd>/<sha>.thumb.webp` its thumbnail (`ab`,
`cd`: the hash's first two byte pairs). A file is written to a temporary name in its own folder, fsynced,
renamed over the final name and the folder fsynced: a reader never sees half a file, and once `store` returns
the file survives a crash. Requests store their files before they commit the rows that point at them, so a
failed commit leaves at most a file no row names; `sweep_orphans` (`gridcmd media-sweep`) deletes those once
they are older than a grace period, which also spares uploads whose transaction is still running.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.domain.photos import BY_EXT, THUMB, is_sha256, shard
from dashboard.services.photo_check import CheckedPhoto
from dashboard.store.photo_models import CasePhoto

THUMB_SUFFIX = f".thumb.{THUMB.ext}"
ORPHAN_GRACE_S = 24 * 3600  # an unreferenced file younger than this may belong to a transaction still running


@dataclass(frozen=True)
class StoredPhoto:
    """A photo on disk, as a case row records it."""

    sha256: str
    ext: str
    mime: str
    width: int
    height: int
    bytes: int


@dataclass(frozen=True)
class MediaStore:
    """The folder holding every photo and thumbnail."""

    root: Path

    def folder(self, sha: str) -> Path:
        first, second = shard(sha)
        return self.root / first / second

    def photo_path(self, sha: str, ext: str) -> Path:
        """Where the served copy of `sha` lives."""
        return self.folder(sha) / f"{sha}.{ext}"

    def thumb_path(self, sha: str) -> Path:
        """Where the thumbnail of `sha` lives."""
        return self.folder(sha) / f"{sha}{THUMB_SUFFIX}"

    def store(self, photo: CheckedPhoto) -> StoredPhoto:
        """Write the photo and its thumbnail unless they are there already (the same content is kept once)."""
        ext = photo.format.ext
        target, thumb = self.photo_path(photo.sha256, ext), self.thumb_path(photo.sha256)
        for path, data in ((thumb, photo.thumb), (target, photo.served)):  # the photo last: it marks "complete"
            if path.exists():
                # Touched: a sweep must not take an old orphan that this request is about to reference.
                with contextlib.suppress(FileNotFoundError):
                    os.utime(path)
            else:
                write_atomic(path, data)
        return StoredPhoto(
            sha256=photo.sha256,
            ext=ext,
            mime=photo.format.mime,
            width=photo.width,
            height=photo.height,
            bytes=target.stat().st_size,
        )

    def has(self, sha: str, ext: str) -> bool:
        """True when both the served copy and the thumbnail of `sha` are on disk."""
        return self.photo_path(sha, ext).is_file() and self.thumb_path(sha).is_file()

    def files(self) -> Iterator[tuple[str, Path]]:
        """(sha, path) of every photo and thumbnail file, temporary files left by a crash included."""
        if not self.root.is_dir():
            return
        for path in self.root.glob("??/??/*"):
            if path.is_file():
                yield path.name.lstrip(".").split(".", 1)[0], path


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` via a temporary file in the same folder, fsynced, renamed, folder fsynced."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    # The rename is durable only once the folder's entry is on disk too.
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def stored_ext(store: MediaStore, sha: str) -> str | None:
    """The extension `sha` is stored under, None when it is not stored (complete) at all."""
    if not is_sha256(sha):
        return None
    return next((ext for ext in BY_EXT if store.has(sha, ext)), None)


@dataclass(frozen=True)
class Sweep:
    """What a sweep found and did."""

    kept: int
    removed: list[Path]


def sweep_orphans(
    store: MediaStore, *, session: Session, older_than_s: float = ORPHAN_GRACE_S, dry_run: bool = False
) -> Sweep:
    """Delete files that no case photo row names and that are older than `older_than_s` (or list them).

    Orphans come from a commit that failed after its files were written, from uploads never attached to a case
    (POST /api/v1/media) and from temporary files a crash left behind.
    """
    referenced = set(session.scalars(select(CasePhoto.sha256).distinct()))
    cutoff = time.time() - older_than_s
    removed: list[Path] = []
    kept = 0
    for sha, path in store.files():
        try:
            young = path.stat().st_mtime > cutoff
        except FileNotFoundError:
            continue
        temporary = path.name.startswith(".")  # a write that never reached its rename
        if young or (sha in referenced and not temporary):
            kept += 1
            continue
        removed.append(path)
        if not dry_run:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
    return Sweep(kept=kept, removed=removed)
