// Unit tests of what the big screen writes (assets/screen/14-format.js) and which streets its tour shows
// (assets/screen/13-pressure.js): KPI numbers and deltas, grid fills, the clock, marker classes, board and ticker
// texts, bench summaries, street pressure and tour captions. `node --test tests/js/`.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const path = require("node:path");

const SCREEN = path.join(__dirname, "..", "..", "assets", "screen");
const format = require(path.join(SCREEN, "14-format.js"));
const pressure = require(path.join(SCREEN, "13-pressure.js"));

const STRINGS = {
  "screen.delta.same": "持平",
  "screen.delta.none": "昨日同时无数据",
  "screen.delta.pts": "个百分点",
  "state.filed": "已立案",
  "source.hotline_12345": "12345热线",
  "screen.tour": "自动巡览",
  "screen.tour.overview": "全域",
  "screen.tour.pressure": "超期 {over} · 临期 {red} · 在办 {open}",
};

test("numbers: grouped digits, a dash before there is a figure", () => {
  assert.equal(format.num(0), "0");
  assert.equal(format.num(1234567), "1,234,567");
  assert.equal(format.num("42"), "42");
  assert.equal(format.num(null), "—");
  assert.equal(format.num(undefined), "—");
});

test("rates: percent with one decimal, a dash without", () => {
  assert.equal(format.pct(0.9351), "93.5");
  assert.equal(format.pct(1), "100.0");
  assert.equal(format.pct(0), "0.0");
  assert.equal(format.pct(null), "—");
});

test("a count against yesterday: up, down, the same, or nothing without yesterday", () => {
  assert.deepEqual(format.countDelta(12, 9, STRINGS), ["▲ 3", "screen-tile-delta is-up"]);
  assert.deepEqual(format.countDelta(1000, 3500, STRINGS), ["▼ 2,500", "screen-tile-delta is-down"]);
  assert.deepEqual(format.countDelta(4, 4, STRINGS), ["持平", "screen-tile-delta is-flat"]);
  assert.deepEqual(format.countDelta(4, null, STRINGS), ["", "screen-tile-delta"]);
  assert.deepEqual(format.countDelta(4, undefined, STRINGS), ["", "screen-tile-delta"]);
});

test("a rate against yesterday in points: higher is good, lower bad", () => {
  assert.deepEqual(format.rateDelta(0.95, 0.9, STRINGS), ["▲ 5.0个百分点", "screen-tile-delta is-good"]);
  assert.deepEqual(format.rateDelta(0.9, 0.925, STRINGS), ["▼ 2.5个百分点", "screen-tile-delta is-bad"]);
  assert.deepEqual(format.rateDelta(0.9, 0.9004, STRINGS), ["持平", "screen-tile-delta is-flat"]); // under 0.05 pts
  assert.deepEqual(format.rateDelta(0.9, null, STRINGS), ["昨日同时无数据", "screen-tile-delta is-flat"]);
  assert.deepEqual(format.rateDelta(null, 0.9, STRINGS), ["", "screen-tile-delta"]);
  assert.deepEqual(format.rateDelta(0.9, 0.8, {}), ["▲ 10.0screen.delta.pts", "screen-tile-delta is-good"]);
});

test("grid fill: no open case, then one band per step of open cases per 1,000 residents", () => {
  const steps = [0.5, 1, 2, 4];
  const [b0, b1, b2, b3, b4] = format.LOAD_COLORS;
  assert.equal(format.loadColor(0, 2000, steps), format.LOAD_NONE);
  assert.equal(format.loadColor(1, 4000, steps), b0); // 0.25 per 1,000
  assert.equal(format.loadColor(1, 2000, steps), b1); // 0.5: the step belongs to the band above
  assert.equal(format.loadColor(3, 2000, steps), b2); // 1.5
  assert.equal(format.loadColor(4, 2000, steps), b3); // 2
  assert.equal(format.loadColor(8, 2000, steps), b4); // 4
  assert.equal(format.loadColor(80, 2000, steps), b4);
  assert.equal(format.loadColor(1, 0, steps), b2); // no population: taken as 1,000
  assert.equal(format.loadColor(1, 1000, [5, 10, 20, 40, 80, 160]), b0); // more steps than colours: capped
  assert.equal(format.loadColor(1000, 1000, [5, 10, 20, 40, 80, 160]), b4);
});

test("the header clock: date, weekday and time in the wall's zone, whatever the locale's punctuation", () => {
  const t = Date.parse("2026-11-22T10:48:51Z");
  assert.equal(format.headerClock("zh", "Asia/Shanghai").stamp(t), "2026-11-22 星期日 18:48:51");
  assert.equal(format.headerClock("en", "Asia/Shanghai").stamp(t), "2026-11-22 Sun 18:48:51");
  assert.equal(format.headerClock("zh", "UTC").stamp(Date.parse("2026-11-22T00:00:05Z")), "2026-11-22 星期日 00:00:05");
});

test("marker class and pane: id, level, status, state; overdue in a blinking pane, A-level above the others", () => {
  const entry = { row: { id: 17, level: "A", state: "dispatched" }, sla: "over" };
  assert.equal(format.caseClass(entry), "case-marker case-17 lvl-a sla-over st-dispatched");
  assert.equal(format.casePane(entry), "gc-cases-a-over");
  assert.equal(format.casePane({ row: { id: 18, level: "C", state: "filed" }, sla: "over" }), "gc-cases-over");
  assert.equal(format.casePane({ row: { id: 19, level: "A", state: "filed" }, sla: "green" }), "gc-cases-a");
  const plain = { row: { id: 3, state: "reported" }, sla: "none" };
  assert.equal(format.caseClass(plain), "case-marker case-3 lvl-n sla-none st-reported");
  assert.equal(format.casePane(plain), "gc-cases");
});

test("a board row's names: category or source, then state, grid and department", () => {
  const gridName = (code) => ({ G1: "第01网格" })[code] || code || "";
  const depts = { D1: "城管执法局" };
  const row = { state: "filed", grid_code: "G1", category: "占道经营", department_code: "D1", source: "wechat" };
  assert.deepEqual(format.describe(row, STRINGS, gridName, depts), { cat: "占道经营", where: "已立案 · 第01网格 · 城管执法局" });
  const bare = { state: "filed", grid_code: "G9", source: "hotline_12345", department_code: "D7" };
  assert.deepEqual(format.describe(bare, STRINGS, gridName, depts), { cat: "12345热线", where: "已立案 · G9 · D7" });
  assert.equal(format.describe({ state: "x", grid_code: "G1" }, STRINGS, gridName, depts).where, "state.x · 第01网格");
});

test("a ticker item's text: category or source, and grid name", () => {
  const gridName = (code) => "网格" + code;
  assert.equal(format.alertText({ category: "违章停车", grid: "7" }, STRINGS, gridName), "违章停车 · 网格7");
  assert.equal(format.alertText({ source: "hotline_12345", grid: "8" }, STRINGS, gridName), "12345热线 · 网格8");
});

test("bench summaries: count, median, 95th percentile and maximum", () => {
  assert.deepEqual(format.summary([]), { n: 0, p50: null, p95: null, max: null });
  const list = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
  assert.deepEqual(format.summary(list), { n: 10, p50: 6, p95: 10, max: 10 });
  assert.deepEqual(list, [5, 1, 4, 2, 3, 10, 9, 8, 7, 6]); // not sorted in place
});

test("street pressure: overdue weighs most, then red, level A, amber, open cases; most pressing first", () => {
  const cases = new Map();
  let id = 0;
  const add = (street, sla, level) => cases.set(++id, { row: { street_code: street, level: level || "B" }, sla });
  add("S1", "green");
  add("S1", "green");
  add("S1", "amber");
  add("S2", "over");
  add("S3", "red", "A");
  add("S3", "green");
  add("S4", "none");
  const list = pressure.streets(cases, new Map([["S1", "第01街道"], ["S3", "第03镇"]]));
  assert.deepEqual(
    list.map((p) => [p.code, p.name, Math.round(p.score * 10) / 10]),
    [
      ["S3", "第03镇", 5.4], // red 3 + level A 2 + two open
      ["S2", "S2", 5.2], // overdue 5 + one open
      ["S1", "第01街道", 1.6], // amber 1 + three open
      ["S4", "S4", 0.2],
    ]
  );
  assert.deepEqual(list[0], { code: "S3", name: "第03镇", over: 0, red: 1, amber: 0, a: 1, open: 2, score: 5.4 });
  assert.deepEqual(pressure.streets(new Map(), new Map()), []);
});

test("tour captions: the street and its figures, or the whole district", () => {
  const pick = { name: "第01街道", over: 2, red: 1, open: 5 };
  assert.equal(pressure.focusCaption(STRINGS, pick), "自动巡览 · 第01街道 · 超期 2 · 临期 1 · 在办 5");
  assert.equal(pressure.overviewCaption(STRINGS), "自动巡览 · 全域");
  assert.equal(pressure.overviewCaption({}), " · ");
});

test("a part of a total: grids with open cases of all grids, a dash until known", () => {
  assert.equal(format.ofTotal(312, 1809), "312/1,809");
  assert.equal(format.ofTotal(0, 1809), "0/1,809");
  assert.equal(format.ofTotal(null, 1809), "—/1,809");
  assert.equal(format.ofTotal(5, 0), "—");
});

test("street pressure leaves out a report without a location (the tour cannot fly to it)", () => {
  const cases = new Map([
    [1, { row: { street_code: null, level: "A" }, sla: "over" }],
    [2, { row: { street_code: "S1", level: "C" }, sla: "green" }],
  ]);
  assert.deepEqual(pressure.streets(cases, new Map()).map((p) => p.code), ["S1"]);
});
