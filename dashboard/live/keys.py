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
        """Hash patrol id → JSON [lon, lat, status, ts_ms] of the latest fix."""
        return f"{self.prefix}patrols:state"

    @property
    def patrol_dirty(self) -> str:
        """Set of patrol ids moved since the last frame."""
        return f"{self.prefix}patrols:dirty"

    @property
    def socketio_channel(self) -> str:
        """Pub/sub channel of Flask-SocketIO's message queue."""
        return f"{self.prefix}socketio"

    def lock(self, name: str) -> str:
        """A leader lock, so one process among several runs a singleton loop (relay, framer)."""
        return f"{self.prefix}lock:{name}"
