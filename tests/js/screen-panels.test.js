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

test("ranking: only streets with cases due are ranked, with their counts, bottom first for the bar chart", () => {
  const rows = charts.rankingRows([
    { name: "第01街道", rate: 0.97, due: 33, closed_on_time: 32 },
    { name: "第02街道", rate: null, due: 0 },
    { name: "<i>第03镇</i>", rate: 0.8, due: 5, closed_on_time: 4 },
  ]);
  assert.deepEqual(rows.map((r) => r.label), ["2. &lt;i&gt;第03镇&lt;/i&gt;", "1. 第01街道"]);
  const fig = charts.ranking({ streets: [{ name: "A", rate: 0.9, due: 10, closed_on_time: 9 }, { name: "B", rate: null }] }, C);
  assert.deepEqual(fig.data[0].text, ["90.0%  9/10"]);
  assert.deepEqual(fig.data[0].x, [90]);
  assert.deepEqual(fig.data[0].marker.color, ["#ffb02e"]);
  assert.equal(fig.layout.annotations, undefined);
});

test("ranking: with more than ten ranked streets, the best five, a separator and the worst five, true ranks", () => {
  const streets = [];
  for (let i = 1; i <= 15; i++) streets.push({ name: "S" + i, rate: 1 - i / 100, due: 10, closed_on_time: 9 });
  streets.push({ name: "none", rate: null, due: 0 });
  const rows = charts.rankingRows(streets).reverse();
  const labels = rows.map((r) => r.label);
  assert.deepEqual(labels, ["1. S1", "2. S2", "3. S3", "4. S4", "5. S5", charts.GAP, "11. S11", "12. S12", "13. S13", "14. S14", "15. S15"]);
  const fig = charts.ranking({ streets }, C);
  assert.equal(fig.data[0].text[5], ""); // the separator carries no figure
  assert.equal(fig.data[0].x[5], 0);
  const ten = streets.slice(0, 10);
  assert.equal(charts.rankingRows(ten).length, 10); // ten or fewer: all of them, no separator
  assert.ok(!charts.rankingRows(ten).some((r) => r.gap));
});

test("ranking: when nothing is due yet the chart says so instead of rows of nothing", () => {
  const strings = Object.assign({ "screen.chart.none_due": "暂无应结案件" }, C.strings);
  const fig = charts.ranking({ streets: [{ name: "A", rate: null, due: 0 }, { name: "B", rate: null, due: 0 }] }, Object.assign({}, C, { strings }));
  assert.deepEqual(fig.data[0].y, []);
  assert.equal(fig.layout.annotations[0].text, "暂无应结案件");
});

test("major classes: every bar is labelled, in a font that fits one bar", () => {
  const rows = [];
  for (let i = 1; i <= 12; i++) rows.push({ major: "类" + i, count: 20 - i });
  const fig = charts.major(rows, Object.assign({}, C, { scale: 1, height: 200 }));
  const y = fig.layout.yaxis;
  assert.equal(y.tickmode, "array");
  assert.deepEqual(y.tickvals, fig.data[0].y);
  assert.equal(y.tickvals.length, 12);
  assert.ok(y.tickfont.size * 1.2 <= (200 - 16) / 12 + 0.01, "labels overlap: " + y.tickfont.size);
});

test("sources: the centre total is grouped and sized to fit the donut's hole", () => {
  const c = Object.assign({}, C, { scale: 1, width: 300, height: 150 });
  const fig = charts.source([{ source: "wechat", count: 1877 }], c);
  const a = fig.layout.annotations[0];
  assert.equal(a.text, "1,877");
  const hole = 0.6 * Math.min((300 - 12) * 0.5, 150 - 12);
  assert.ok(a.font.size * 0.6 * 4 + a.font.size * 0.3 <= hole, "wider than the hole: " + a.font.size);
  // Centred on the pie's domain centre (Plotly's "auto" would anchor it by its left edge at 0.25).
  assert.deepEqual([a.x, a.y, a.xanchor, a.yanchor, a.xref, a.yref], [0.25, 0.5, "center", "middle", "paper", "paper"]);
  assert.equal(charts.source([{ source: "wechat", count: 5 }], Object.assign({}, C, { scale: 1 })).layout.annotations[0].font.size, 26);
});

test("ranking colours: green from 95 %, amber from 90 %, red below, grey without a rate", () => {
  assert.equal(charts.rateColor(0.95), "#3ee07a");
  assert.equal(charts.rateColor(0.9499), "#ffb02e");
  assert.equal(charts.rateColor(0.9), "#ffb02e");
  assert.equal(charts.rateColor(0.8999), "#ff4d4f");
  assert.equal(charts.rateColor(null), "#5b6b80");
});
