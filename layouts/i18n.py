"""Every UI string in one place: Simplified Chinese first, English available (LANG=en)."""

from __future__ import annotations

from dashboard.config import get_settings

STRINGS: dict[str, dict[str, str]] = {
    "app.title": {"zh": "网格联动指挥", "en": "GridCommand"},
    "app.subtitle": {"zh": "网格化社会治理指挥中心", "en": "Grid governance command center"},
    "login.title": {"zh": "登录", "en": "Sign in"},
    "login.name": {"zh": "用户名", "en": "User name"},
    "login.password": {"zh": "密码", "en": "Password"},
    "login.submit": {"zh": "登 录", "en": "Sign in"},
    "login.failed": {"zh": "用户名或密码错误", "en": "Wrong user name or password"},
    "login.locked": {
        "zh": "登录失败次数过多，请 {minutes} 分钟后再试",
        "en": "Too many failed sign-ins; try again in {minutes} min",
    },
    "login.expired": {"zh": "页面已过期，请重新登录", "en": "The page expired; please sign in again"},
    "home.screen": {"zh": "指挥大屏", "en": "Big screen"},
    "home.screen.desc": {"zh": "指挥大厅实时态势", "en": "Live picture for the command hall"},
    "home.api": {"zh": "网格数据接口", "en": "Grid API"},
    "home.api.desc": {"zh": "GeoJSON 网格图层", "en": "Grids as GeoJSON"},
    "screen.title": {"zh": "网格化社会治理指挥大屏", "en": "Grid Governance Command Screen"},
    "screen.today": {"zh": "今日上报", "en": "Reported today"},
    "screen.open": {"zh": "在办案件", "en": "Open cases"},
    "screen.patrols": {"zh": "在线巡查", "en": "Patrols online"},
    "screen.grids": {"zh": "网格数", "en": "Grids"},
    "screen.recent": {"zh": "最新上报", "en": "Latest reports"},
    "screen.live": {"zh": "实时", "en": "LIVE"},
    "screen.connecting": {"zh": "连接中", "en": "Connecting"},
    "screen.reconnecting": {"zh": "重连中", "en": "Reconnecting"},
    "screen.subtitle": {"zh": "实时态势", "en": "Live situation"},
    "screen.offline": {"zh": "已断开", "en": "Disconnected"},
    "screen.empty": {"zh": "暂无上报", "en": "No reports yet"},
    "screen.unit.cases": {"zh": "件", "en": ""},
    "screen.unit.patrols": {"zh": "人", "en": ""},
    "screen.unit.grids": {"zh": "个", "en": ""},
    "screen.legend.cases": {"zh": "案件等级", "en": "Case level"},
    "screen.legend.level_a": {"zh": "A级", "en": "Level A"},
    "screen.legend.level_b": {"zh": "B级", "en": "Level B"},
    "screen.legend.level_c": {"zh": "C级", "en": "Level C"},
    "screen.legend.level_none": {"zh": "待分级", "en": "Unrated"},
    "screen.legend.overdue": {"zh": "超期", "en": "Overdue"},
    "screen.legend.patrols": {"zh": "巡查力量", "en": "Patrols"},
    "screen.legend.available": {"zh": "空闲", "en": "Available"},
    "screen.legend.busy": {"zh": "处置中", "en": "Busy"},
    "screen.legend.load": {"zh": "网格在办负荷", "en": "Open cases per grid"},
    "screen.legend.load_low": {"zh": "低", "en": "low"},
    "screen.legend.load_high": {"zh": "高", "en": "high"},
    "state.reported": {"zh": "待受理", "en": "Reported"},
    "state.self_handled": {"zh": "自处置", "en": "Self-handled"},
    "state.rejected": {"zh": "不予立案", "en": "Rejected"},
    "state.merged": {"zh": "已合并", "en": "Merged"},
    "state.filed": {"zh": "已立案", "en": "Filed"},
    "state.dispatched": {"zh": "已派遣", "en": "Dispatched"},
    "state.returned": {"zh": "已退回", "en": "Returned"},
    "state.handling": {"zh": "处置中", "en": "Handling"},
    "state.handled": {"zh": "待核查", "en": "Awaiting verification"},
    "state.closed": {"zh": "已结案", "en": "Closed"},
    "state.suspended": {"zh": "挂账", "en": "Suspended"},
    "source.grid_worker": {"zh": "网格员", "en": "Grid worker"},
    "source.hotline_12345": {"zh": "12345热线", "en": "12345 hotline"},
    "source.wechat": {"zh": "微信", "en": "WeChat"},
    "source.video": {"zh": "视频巡查", "en": "Video"},
    "source.open311": {"zh": "Open311", "en": "Open311"},
    "source.leader": {"zh": "领导交办", "en": "Leader"},
}


def t(key: str, lang: str | None = None) -> str:
    """The string for `key` in `lang` (default: the configured UI language); the key itself if missing."""
    entry = STRINGS.get(key)
    if entry is None:
        return key
    return entry.get(lang or get_settings().lang) or entry["zh"]


def bundle(prefixes: tuple[str, ...], lang: str | None = None) -> dict[str, str]:
    """Strings whose keys start with any of `prefixes`, for handing to the page's JavaScript."""
    return {k: t(k, lang) for k in STRINGS if k.startswith(prefixes)}
