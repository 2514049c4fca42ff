// The dispatch desk's data-config as layouts/dispatch.py page_config() writes it (tables from
// dashboard/domain/actions.py for a street dispatcher and a district dispatcher, real strings from layouts/i18n.py),
// and CASE_ROWs as the live protocol carries them (dashboard/services/rows.py case_row). Not a test file itself.
"use strict";

const path = require("node:path");

const ASSETS = path.join(__dirname, "..", "..", "assets");
const desk = (name) => require(path.join(ASSETS, "dispatch", name));

const OPEN = ["dispatched", "filed", "handled", "handling", "reported", "returned", "suspended"];

// command_sources() of dashboard/domain/actions.py.
const SOURCES = {
  file: ["reported"],
  reject: ["reported"],
  merge: ["reported"],
  "self-handle": ["reported"],
  dispatch: ["filed", "returned"],
  acknowledge: ["dispatched"],
  return: ["dispatched"],
  "report-handled": ["handling"],
  verify: ["handled"],
  escalate: OPEN,
  supervise: OPEN,
  suspend: ["dispatched", "filed", "handling", "returned"],
  resume: ["suspended"],
  extend: ["dispatched", "handling"],
  "visit-back": ["closed"],
  instruct: [...OPEN, "closed", "merged", "rejected", "self_handled"].sort(), // 批示: on any case
  "ack-supervision": OPEN, // 回复督办: while a supervision waits for its answer
  locate: ["reported"], // 标注位置: offered to a report without a location
};

// role_commands() per role.
const COMMANDS = {
  dispatcher: ["file", "reject", "merge", "self-handle", "dispatch", "verify", "escalate", "supervise",
    "ack-supervision", "suspend", "resume", "extend", "visit-back", "locate"],
  handler: ["acknowledge", "return", "report-handled", "ack-supervision"],
  leader: ["supervise", "instruct"],
  admin: ["file", "reject", "merge", "self-handle", "dispatch", "acknowledge", "return", "report-handled", "verify",
    "escalate", "supervise", "ack-supervision", "instruct", "suspend", "resume", "extend", "visit-back", "locate"],
};

const I18N = {
  "state.reported": "待受理", "state.self_handled": "自处置", "state.rejected": "不予立案", "state.merged": "已合并",
  "state.filed": "已立案", "state.dispatched": "已派遣", "state.returned": "已退回", "state.handling": "处置中",
  "state.handled": "待核查", "state.closed": "已结案", "state.suspended": "挂账",
  "source.grid_worker": "网格员", "source.hotline_12345": "12345热线",
  "dispatch.total": "显示 {shown} / 在办 {open}",
  "dispatch.countdown.left": "剩", "dispatch.countdown.over": "超", "dispatch.countdown.paused": "暂停",
  "dispatch.countdown.none": "—",
  "dispatch.unit.m": "米", "dispatch.unit.km": "公里", "dispatch.unit.day": "天", "dispatch.unit.hour": "时",
  "dispatch.cmd.file": "立案", "dispatch.cmd.dispatch": "派遣", "dispatch.cmd.supervise": "督办",
  "dispatch.cmd.instruct": "批示",
  "dispatch.actor.system": "系统（超时规则）",
  "dispatch.loading": "加载中…", "dispatch.panel.no_actions": "当前状态无可执行操作",
  "dispatch.panel.read_only": "该案件已上报区级，由区指挥中心处置", "dispatch.panel.visited": "已回访",
  "dispatch.unlocated": "待定位",
};

const STREET = "110112001";
const OTHER_STREET = "110112002";

/** page_config() for a dispatcher: scope a street code (9 digits) or the district (6: district_wide). */
function pageConfig({ role = "dispatcher", scope = STREET } = {}) {
  return {
    me: { name: "disp1", display: "调度员甲", role, scope, district_wide: scope.length === 6 },
    commands: COMMANDS[role] || [],
    sources: JSON.parse(JSON.stringify(SOURCES)),
    terminal: ["closed", "merged", "rejected", "self_handled"],
    sla_thresholds: { amber: 0.5, red: 0.1 },
    tabs: ["reported", "to_dispatch", "handling", "to_verify", "overdue", "supervised", "suspended", "closed", "all"],
    departments: [
      { code: "CGZF", name: "区城管执法局", tier: "district" },
      { code: "JTJ", name: "区交通局", tier: "district" },
      { code: "JD", name: "属地街道（乡镇）", tier: "street" },
      { code: STREET + "CG", name: "第01街道城市管理办公室", tier: "street" },
      { code: STREET + "ZF", name: "第01街道综合执法队", tier: "street" },
      { code: OTHER_STREET + "ZF", name: "第02街道综合执法队", tier: "street" },
    ],
    streets: [
      { code: STREET, name: "第01街道" },
      { code: OTHER_STREET, name: "第02街道" },
    ],
    district: "通州区",
    tz: "Asia/Shanghai",
    lang: "zh",
    i18n: { ...I18N },
  };
}

/** The desk's model read from that config, as the page reads data-config (JSON text). */
function model(options, log) {
  return desk("05-config.js").read(JSON.stringify(pageConfig(options)), log);
}

let nextId = 1;

/** A CASE_ROW (times as the server writes them: local ISO with offset). */
function caseRow(fields = {}) {
  const id = fields.id ?? nextId++;
  return {
    id,
    code: "TZ2026112200" + String(id).padStart(4, "0"),
    state: "reported",
    version: 1,
    tier: "street",
    source: "grid_worker",
    grid_code: STREET + "001001",
    street_code: STREET,
    lat: 39.9,
    lon: 116.65,
    level: null,
    category_code: null,
    category: null,
    department_code: null,
    deadline: null,
    stage_start: null,
    reported_at: "2026-11-22T08:00:00+08:00",
    updated_at: "2026-11-22T08:00:00+08:00",
    description: "井盖缺失",
    supervision_count: 0,
    instruction_count: 0,
    ...fields,
  };
}

/** A console stand-in that records error() calls. */
function recordingLog() {
  const errors = [];
  return { errors, error: (...args) => errors.push(args) };
}

module.exports = { ASSETS, desk, pageConfig, model, caseRow, recordingLog, STREET, OTHER_STREET };
