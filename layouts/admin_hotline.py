"""Admin tab 12345 回调 (/admin/hotline): the callbacks the 12345 hotline never received, and replaying them.

A dead letter is a verb (签收, 退单, 延期申请, 办结, 回访) that failed every retry; the later callbacks of its order
wait behind it. Each row has a 重发 button (behind a confirmation), and 全部重发 replays them all. Ids, the panel
and the pure function turning service rows into the table live here; callbacks/admin_hotline.py calls the services
(dashboard/services/hotline_callbacks.py), the same ones the admin API's /hotline/callbacks routes call.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dash import dcc, html

from dashboard.services.hotline_callbacks import CallbackRow
from layouts.i18n import t

HOTLINE_PATH = "/admin/hotline"
TAB_HOTLINE = "admin-tab-hotline"
HOTLINE_PANEL = "admin-hotline-panel"
HOTLINE_TABLE = "admin-hotline-table"
HOTLINE_COUNT = "admin-hotline-count"
HOTLINE_MSG = "admin-hotline-msg"
HOTLINE_REFRESH = "admin-hotline-refresh"
HOTLINE_REPLAY_ALL = "admin-hotline-replay-all"
HOTLINE_REPLAY = "admin-hotline-replay"  # pattern id {"type": HOTLINE_REPLAY, "index": callback id}
HOTLINE_VERSION = "admin-hotline-version"  # bumped after a replay so the table re-reads
ERROR_CHARS = 120


def tab_of(pathname: str | None) -> str | None:
    """ "hotline" when the path opens this tab, else None."""
    path = pathname.rstrip("/") if isinstance(pathname, str) else ""
    return "hotline" if path == HOTLINE_PATH else None


def nav_link() -> dcc.Link:
    """The tab's link for the admin header."""
    return dcc.Link(t("admin.tab.hotline"), href=HOTLINE_PATH, id=TAB_HOTLINE, className="admin-tab")


def _short(value: str | None) -> str:
    return value[:19].replace("T", " ") if value else ""


def dead_letter_table(rows: Sequence[CallbackRow]) -> html.Table:
    """The dead letters, one row each, with its 重发 button (text only: errors come from a remote server)."""
    keys = ("order", "case", "verb", "attempts", "error", "time", "held")
    head = html.Thead(html.Tr([html.Th(t(f"admin.hotline.col.{k}")) for k in keys] + [html.Th("")]))
    if not rows:
        empty = html.Tr(html.Td(t("admin.hotline.empty"), colSpan=len(keys) + 1, className="admin-empty"))
        return html.Table([head, html.Tbody(empty)], className="admin-table admin-hotline")
    body = []
    for r in rows:
        error = r.last_error[:ERROR_CHARS] + ("…" if len(r.last_error) > ERROR_CHARS else "")
        replay: Any = dcc.ConfirmDialogProvider(
            html.Button(t("admin.hotline.replay"), className="admin-btn admin-btn--small"),
            id={"type": HOTLINE_REPLAY, "index": r.id},
            message=f"{t('admin.hotline.replay')} {r.order_id} · {r.verb_zh}?",
        )
        body.append(
            html.Tr(
                [
                    html.Td(r.order_id, className="admin-code"),
                    html.Td(r.case_code, className="admin-code"),
                    html.Td(r.verb_zh, title=r.verb),
                    html.Td(str(r.attempts)),
                    html.Td(error, title=r.last_error),
                    html.Td(_short(r.last_attempt_at), className="admin-nowrap"),
                    html.Td(str(r.held)),
                    html.Td(replay),
                ],
                **{"data-callback": str(r.id)},
            )
        )
    return html.Table([head, html.Tbody(body)], className="admin-table admin-hotline")


def count_text(n: int) -> str:
    """'死信 N 条'."""
    return t("admin.hotline.count").format(n=n)


def hotline_panel(*, has_url: bool) -> html.Main:
    """The tab: hint, the no-URL warning when none is configured, replay all, the table."""
    return html.Main(
        id=HOTLINE_PANEL,
        className="admin-panel admin-hotline-panel is-hidden",
        children=[
            dcc.Store(id=HOTLINE_VERSION, data=0),
            html.Section(
                className="admin-card",
                children=[
                    html.H2(t("admin.hotline.title")),
                    html.P(t("admin.hotline.hint"), className="admin-hint"),
                    *([] if has_url else [html.P(t("admin.hotline.no_url"), className="admin-msg is-error")]),
                    html.Div(
                        className="admin-actions",
                        children=[
                            html.Button(
                                t("admin.hotline.refresh"), id=HOTLINE_REFRESH, className="admin-btn", n_clicks=0
                            ),
                            dcc.ConfirmDialogProvider(
                                html.Button(t("admin.hotline.replay_all"), className="admin-btn admin-btn--primary"),
                                id=HOTLINE_REPLAY_ALL,
                                message=f"{t('admin.hotline.replay_all')}?",
                            ),
                            html.Span(id=HOTLINE_COUNT, className="admin-hint"),
                            html.Div(id=HOTLINE_MSG),
                        ],
                    ),
                    html.Div(id=HOTLINE_TABLE),
                ],
            ),
        ],
    )
