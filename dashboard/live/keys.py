"""The one place that names Redis streams, keys and channels; payloads are plain JSON."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Keys:
    """Redis names under one prefix, so tests and several apps can share a server."""

    prefix: str

    @property
    def case_stream(self) -> str:
        """Stream of committed case changes: one entry per relayed batch, fields `cases` (JSON list of CASE_ROW)
        and `outbox` (the batch's outbox ids as ranges, `"3-7,9"`, so a batch is never published twice)."""
        return f"{self.prefix}stream:cases"

    @property
    def patrol_geo(self) -> str:
        """GEO set of the latest patrol positions."""
        return f"{self.prefix}patrols:geo"

    @property
    def patrol_state(self) -> str:
        """Hash patrol id → the latest fix as text, `lon,lat,status,ts_ms`."""
        return f"{self.prefix}patrols:state"

    @property
    def patrol_track(self) -> str:
        """Hash patrol id → binary track record: today's distance and time outside, grid, own grid or not, trail
        and GEO bookkeeping (dashboard/live/patrol_scripts.py RECORD)."""
        return f"{self.prefix}patrols:track"

    @property
    def patrol_seen(self) -> str:
        """Sorted set patrol id → time of its last framed fix, so the frame loop sees who went silent."""
        return f"{self.prefix}patrols:seen"

    def patrol_trail(self, patrol_id: str) -> str:
        """List of one patrol's accepted fixes `lon,lat,status,ts_ms`, oldest first, cut back to the trail length."""
        return f"{self.patrol_trail_prefix}{patrol_id}"

    @property
    def patrol_trail_prefix(self) -> str:
        """Key prefix of the per-patrol trail streams (the ingest script appends the patrol id)."""
        return f"{self.prefix}patrols:trail:"

    @property
    def patrol_dirty(self) -> str:
        """Set of patrol ids moved since the last frame."""
        return f"{self.prefix}patrols:dirty"

    @property
    def socketio_channel(self) -> str:
        """Pub/sub channel of Flask-SocketIO's message queue."""
        return f"{self.prefix}socketio"

    @property
    def relay_wake(self) -> str:
        """Pub/sub channel on which a process that committed a case change wakes the elected outbox relay."""
        return f"{self.prefix}relay:wake"

    def lock(self, name: str) -> str:
        """A leader lock, so one process among several runs a singleton loop (relay, framer)."""
        return f"{self.prefix}lock:{name}"
