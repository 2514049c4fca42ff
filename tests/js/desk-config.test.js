// Unit tests of the dispatch desk's config reader (assets/dispatch/05-config.js): the page's data-config into the
// desk's model, the SLA thresholds taken only from it, and the names shown for codes.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");

const { desk, pageConfig, model, recordingLog, STREET } = require("./desk-fixture.js");

const config = desk("05-config.js");

test("the data-config becomes sets and maps the desk looks things up in", () => {
  const log = recordingLog();
  const m = model({ scope: STREET }, log);
  assert.deepEqual(log.errors, []);
  assert.ok(m.commands.has("file") && !m.commands.has("acknowledge"));
  assert.ok(m.sources.dispatch.has("returned") && !m.sources.dispatch.has("handled"));
  assert.ok(m.terminal.has("merged") && !m.terminal.has("suspended"));
  assert.deepEqual(m.thresholds, { amber: 0.5, red: 0.1 });
  assert.equal(m.depts.get(STREET + "ZF").name, "第01街道综合执法队");
  assert.equal(m.streets.get(STREET), "第01街道");
  assert.equal(m.tabs[0], "reported");
  assert.equal(m.me.district_wide, false);
  assert.equal(m.tz, "Asia/Shanghai");
});

test("thresholds are whatever the config says, never a copy of the defaults", () => {
  const cfg = pageConfig();
  cfg.sla_thresholds = { amber: 0.3, red: 0.05 };
  assert.deepEqual(config.read(cfg, recordingLog()).thresholds, { amber: 0.3, red: 0.05 });
});

test("missing or malformed thresholds are reported in the console and left null", () => {
  const bad = [undefined, null, {}, { amber: 0.5 }, { amber: "0.5", red: 0.1 }, { amber: 0.1, red: 0.5 }, { amber: 2, red: 0.1 }];
  for (const t of bad) {
    const cfg = pageConfig();
    if (t === undefined) delete cfg.sla_thresholds;
    else cfg.sla_thresholds = t;
    const log = recordingLog();
    assert.equal(config.read(JSON.stringify(cfg), log).thresholds, null, JSON.stringify(t));
    assert.equal(log.errors.length, 1, JSON.stringify(t));
    assert.match(log.errors[0][0], /sla_thresholds/);
  }
});

test("an unreadable data-config leaves an empty desk, not an exception", () => {
  const log = recordingLog();
  const m = config.read("{not json", log);
  assert.equal(m.commands.size, 0);
  assert.deepEqual(m.sources, {});
  assert.equal(m.tabs, null); // the page then shows every tab of the queue model
  assert.equal(m.me.district_wide, true);
  assert.equal(log.errors.length, 1); // and says the thresholds are missing
});

test("names for codes, falling back to the code", () => {
  const m = model();
  m.gridNames = new Map([["G1", "幸福里网格"]]);
  assert.equal(config.deptName(m, "CGZF"), "区城管执法局");
  assert.equal(config.deptName(m, "NOPE"), "NOPE");
  assert.equal(config.deptName(m, null), "");
  assert.equal(config.gridName(m, "G1"), "幸福里网格");
  assert.equal(config.gridName(m, "G2"), "G2");
  assert.equal(config.gridName(m, null), "");
  assert.equal(config.stateLabel(m, "handled"), "待核查");
  assert.equal(config.cmdLabel(m, "dispatch"), "派遣");
  assert.equal(config.actorLabel(m, "system:overdue"), "系统（超时规则）");
  assert.equal(config.actorLabel(m, "disp1"), "disp1");
  assert.equal(config.actorLabel(m, null), "");
});

test("where a row is: its grid's name, or 待定位 while it has no location", () => {
  const m = { ...model(), gridNames: new Map([[STREET + "001001", "幸福里网格"]]) };
  assert.equal(config.located({ grid_code: STREET + "001001" }), true);
  assert.equal(config.located({ grid_code: null }), false);
  assert.equal(config.placeLabel(m, { grid_code: STREET + "001001" }), "幸福里网格");
  assert.equal(config.placeLabel(m, { grid_code: null }), "待定位");
});
