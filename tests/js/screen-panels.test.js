// Unit tests of the big screen's panel data: arrivals between summaries (assets/screen/15-arrivals.js) and the
// chart figures (assets/screen/40-charts.js). `node --test tests/js/`.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const path = require("node:path");

const SCREEN = path.join(__dirname, "..", "..", "assets", "screen");
const arrivals = require(path.join(SCREEN, "15-arrivals.js"));
const charts = require(path.join(SCREEN, "40-charts.js"));

const DAY_START = Date.parse("2026-11-21T16:00:00Z");
const HOUR = 3600000;
const iso = (ms) => new Date(ms).toISOString();
const MAJORS = { C01: "市容环境", C02: "街面秩序" };
const majorOf = (code) => MAJORS[code] || null;

function summary(over) {
  return Object.assign(
    {
      max_case_id: 100,
      sources: [
        { source: "grid_worker", count: 5 },
        { source: "wechat", count: 2 },
      ],
      by_major: [
        { major: "街面秩序", count: 3 },
        { major: null, count: 3 },
      ],
      hourly: { today: [1, 0, 2], yesterday: new Array(24).fill(1) },
    },
    over
  );
}

test("an arrival: its source, major class and hour of the wall's day", () => {
  const row = { id: 101, source: "wechat", category_code: "C01", reported_at: iso(DAY_START + 9.5 * HOUR) };
  assert.deepEqual(arrivals.arrival(row, DAY_START, majorOf), { id: 101, source: "wechat", major: "市容环境", hour: 9 });
  assert.equal(arrivals.arrival(Object.assign({}, row, { category_code: null }), DAY_START, majorOf).major, null);
  assert.equal(arrivals.arrival(Object.assign({}, row, { category_code: "C99" }), DAY_START, majorOf).major, null);
  assert.equal(arrivals.arrival(Object.assign({}, row, { reported_at: iso(DAY_START) }), DAY_START, majorOf).hour, 0);
});

test("cases not reported on the wall's day are not arrivals", () => {
  const at = (ms) => arrivals.arrival({ id: 1, source: "wechat", reported_at: iso(ms) }, DAY_START, majorOf);
  assert.equal(at(DAY_START - 1), null);
  assert.equal(at(DAY_START + 24 * HOUR), null);
  assert.notEqual(at(DAY_START + 24 * HOUR - 1), null);
  assert.equal(arrivals.arrival({ id: 1, reported_at: "not a date" }, DAY_START, majorOf), null);
});

test("a summary covers the cases up to its max_case_id", () => {
  assert.equal(arrivals.covered(summary(), 100), true);
  assert.equal(arrivals.covered(summary(), 101), false);
  assert.equal(arrivals.covered(null, 1), false); // no summary yet: count it
  assert.equal(arrivals.covered(summary({ max_case_id: undefined }), 1), false);
  assert.equal(arrivals.upTo(summary()), 100);
  assert.equal(arrivals.upTo(summary({ max_case_id: undefined })), Infinity);
});

test("counting keeps the server's order: largest first, ties by name, no name last among equals", () => {
  const rows = [
    { source: "grid_worker", count: 2 },
    { source: "wechat", count: 2 },
  ];
  arrivals.bump(rows, "source", "wechat");
  assert.deepEqual(rows.map((r) => [r.source, r.count]), [["wechat", 3], ["grid_worker", 2]]);
  arrivals.bump(rows, "source", "video");
  arrivals.bump(rows, "source", "open311");
  assert.deepEqual(rows.map((r) => r.source), ["wechat", "grid_worker", "open311", "video"]);
  const majors = [{ major: "B", count: 1 }];
  arrivals.bump(majors, "major", null);
  arrivals.bump(majors, "major", "A");
  assert.deepEqual(majors.map((r) => r.major), [null, "A", "B"]); // "" sorts first, as on the server
});

test("an arrival is added to the sources, the major classes and today's hours", () => {
  const data = summary();
  arrivals.add(data, { id: 101, source: "wechat", major: null, hour: 5 });
  assert.deepEqual(data.sources.map((r) => [r.source, r.count]), [["grid_worker", 5], ["wechat", 3]]);
  assert.deepEqual(data.by_major.map((r) => [r.major, r.count]), [[null, 4], ["街面秩序", 3]]);
  assert.deepEqual(data.hourly.today, [1, 0, 2, 0, 0, 1]);
  arrivals.add(data, { id: 102, source: "video", major: "街面秩序", hour: 1 });
  assert.deepEqual(data.hourly.today, [1, 1, 2, 0, 0, 1]);
  assert.deepEqual(data.by_major.map((r) => [r.major, r.count]), [[null, 4], ["街面秩序", 4]]);
});

test("a fresh summary keeps only the arrivals beyond it, added on top of it", () => {
  const list = [
    { id: 99, source: "wechat", major: null, hour: 0 },
    { id: 100, source: "wechat", major: null, hour: 0 },
    { id: 101, source: "wechat", major: null, hour: 2 },
  ];
  const data = summary();
  const kept = arrivals.merge(data, list);
  assert.deepEqual(kept.map((a) => a.id), [101]);
  assert.deepEqual(data.hourly.today, [1, 0, 3]);
  assert.equal(data.sources.find((r) => r.source === "wechat").count, 3);
  // A summary that does not say what it counts counts everything.
  assert.deepEqual(arrivals.merge(summary({ max_case_id: undefined }), list), []);
});

const C = { scale: 2, strings: { "screen.chart.uncategorised": "待分类", "screen.chart.no_due": "无应结案", "source.wechat": "微信" }, template: { layout: {} } };

test("every chart's figure shares the wall's layout, sized by its scale", () => {
  const data = summary({ ranking: { streets: [] } });
  for (const [name, pick, figure] of charts.CHARTS) {
    const fig = figure(pick(data), C);
    assert.ok(Array.isArray(fig.data) && fig.data.length >= 1, name);
    assert.equal(fig.layout.template, C.template, name);
    assert.equal(fig.layout.font.size, 30, name);
  }
  assert.deepEqual(charts.CHARTS.map((c) => c[0]), ["major", "source", "trend", "ranking"]);
});

test("major classes: largest at the top, no class shown as uncategorised, names escaped for Plotly", () => {
  const fig = charts.major([{ major: "<b>市容</b>", count: 9 }, { major: null, count: 3 }], C);
  assert.deepEqual(fig.data[0].y, ["待分类", "&lt;b&gt;市容&lt;/b&gt;"]);
  assert.deepEqual(fig.data[0].x, [3, 9]);
  assert.deepEqual(fig.data[0].text, ["3", "9"]);
});

test("sources: legend with counts, the total in the middle", () => {
  const fig = charts.source([{ source: "wechat", count: 4 }, { source: "leader", count: 1 }], C);
  assert.deepEqual(fig.data[0].labels, ["微信 4", "source.leader 1"]);
  assert.deepEqual(fig.data[0].marker.colors, ["#3ee07a", "#ff6b6b"]);
  assert.equal(fig.layout.annotations[0].text, "5");
});

test("trend: yesterday's 24 hours, today's so far", () => {
  const fig = charts.trend({ yesterday: new Array(24).fill(2), today: [1, 4, 0] }, C);
  assert.equal(fig.data[0].x.length, 24);
  assert.deepEqual(fig.data[1].x, [0, 1, 2]);
  assert.deepEqual(fig.data[1].y, [1, 4, 0]);
});

test("ranking: ranked streets numbered, the unranked after them, bottom first for the bar chart", () => {
  const rows = charts.rankingRows([
    { name: "第01街道", rate: 0.97 },
    { name: "第02街道", rate: null },
    { name: "<i>第03镇</i>", rate: 0.8 },
  ]);
  assert.deepEqual(rows.map((r) => r.label), ["第02街道", "2. &lt;i&gt;第03镇&lt;/i&gt;", "1. 第01街道"]);
  const fig = charts.ranking({ streets: [{ name: "A", rate: 0.9 }, { name: "B", rate: null }] }, C);
  assert.deepEqual(fig.data[0].text, ["无应结案", "90.0%"]);
  assert.deepEqual(fig.data[0].x, [0, 90]);
  assert.deepEqual(fig.data[0].marker.color, ["#5b6b80", "#ffb02e"]);
});

test("ranking: with more than ten ranked streets, the best five and the last five", () => {
  const streets = [];
  for (let i = 1; i <= 14; i++) streets.push({ name: "S" + i, rate: 1 - i / 100 });
  streets.push({ name: "none", rate: null });
  const labels = charts.rankingRows(streets).map((r) => r.label).reverse();
  assert.deepEqual(labels, ["1. S1", "2. S2", "3. S3", "4. S4", "5. S5", "10. S10", "11. S11", "12. S12", "13. S13", "14. S14"]);
  const few = [];
  for (let i = 1; i <= 9; i++) few.push({ name: "S" + i, rate: 0.9 });
  few.push({ name: "n1", rate: null }, { name: "n2", rate: null });
  assert.equal(charts.rankingRows(few).length, 10); // ranked first, then unranked up to ten
  assert.equal(charts.rankingRows(few)[0].label, "n1");
});

test("ranking colours: green from 95 %, amber from 90 %, red below, grey without a rate", () => {
  assert.equal(charts.rateColor(0.95), "#3ee07a");
  assert.equal(charts.rateColor(0.9499), "#ffb02e");
  assert.equal(charts.rateColor(0.9), "#ffb02e");
  assert.equal(charts.rateColor(0.8999), "#ff4d4f");
  assert.equal(charts.rateColor(null), "#5b6b80");
});
