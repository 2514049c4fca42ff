"""Strings more than one view shows: the app's name, role names, case states and intake sources."""

from __future__ import annotations

# One name per role in every view (the desk's header, admin's user list and audit log): 调度员, never 派单员.
ROLE_LABELS: dict[str, dict[str, str]] = {
    "screen": {"zh": "大屏显示", "en": "Screen"},
    "dispatcher": {"zh": "调度员", "en": "Dispatcher"},
    "handler": {"zh": "处置部门", "en": "Department handler"},
    "worker": {"zh": "网格员", "en": "Grid worker"},
    "channel": {"zh": "接入渠道", "en": "Intake channel"},
    "leader": {"zh": "领导", "en": "Leader"},
    "admin": {"zh": "管理员", "en": "Admin"},
}


# The app's own name (every page's title) and the home page's links.
APP: dict[str, dict[str, str]] = {
    "app.title": {"zh": "网格联动指挥", "en": "GridCommand"},
    "app.subtitle": {"zh": "网格化社会治理指挥中心", "en": "Grid governance command center"},
    "home.screen": {"zh": "指挥大屏", "en": "Big screen"},
    "home.screen.desc": {"zh": "指挥大厅实时态势", "en": "Live picture for the command hall"},
    "home.api": {"zh": "网格数据接口", "en": "Grid API"},
    "home.api.desc": {"zh": "GeoJSON 网格图层", "en": "Grids as GeoJSON"},
}

# Case states (DESIGN.md section 5) and intake channels: the wall, the desk and the leader pass all show them.
CASES: dict[str, dict[str, str]] = {
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
    "source.open311": {"zh": "市民服务平台", "en": "Open311"},
    "source.leader": {"zh": "领导交办", "en": "Leader"},
}
