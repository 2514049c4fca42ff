// Unit tests of the leader pass's drawing geometry (assets/leader/11-charts.js): the sparkline of a trend, the map's
// projection, a dot's SLA colour, the tap's hit test and the legend's counts. `node --test tests/js/`.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const path = require("node:path");

const C = require(path.join(__dirname, "..", "..", "assets", "leader", "11-charts.js"));
const sla = require(path.join(__dirname, "..", "..", "assets", "shared", "sla.js"));

const THRESHOLDS = { amber: 0.5, red: 0.1 };
const MIN = 60000;

test("a sparkline spans the box, the lowest value at the bottom, the highest at the top, ending on the last", () => {
  const line = C.spark([0.9, 0.95, 1.0], 100, 24, 2);
  assert.deepEqual(line.segments, [
    [
      [0, 22],
      [50, 12],
      [100, 2],
    ],
  ]);
  assert.deepEqual(line.last, [100, 2]);
});

test("a gap in the trend breaks the line; a flat trend sits mid-height; nothing to draw gives no segment", () => {
  const gap = C.spark([1, null, 3, 4], 30, 20, 0);
  assert.equal(gap.segments.length, 2);
  assert.deepEqual(gap.segments[0], [[0, 20]]);
  assert.deepEqual(gap.segments[1].map((p) => p[0]), [20, 30]);
  assert.deepEqual(C.spark([5, 5, 5], 100, 24).segments[0].map((p) => p[1]), [12, 12, 12]);
  assert.deepEqual(C.spark([null, null], 100, 24), { segments: [], last: null });
  assert.deepEqual(C.spark(undefined, 100, 24), { segments: [], last: null });
  // A last period without data: the line has no end dot (the card says 暂无数据).
  assert.equal(C.spark([1, 2, null], 100, 24).last, null);
  assert.deepEqual(C.spark([7], 100, 24).last, [50, 12]); // one point alone is a dot in the middle
});

test("the trend reads as text in order", () => {
  assert.equal(C.sparkText([1, null, 3], (v) => (v === null ? "—" : String(v))), "1 → — → 3");
});

test("the projection fits the area into the canvas, keeps its shape and puts north up", () => {
  const bbox = [116.0, 39.0, 117.0, 40.0];
  const p = C.fit(bbox, 400, 300, 10);
  const k = Math.cos((39.5 * Math.PI) / 180);
  // A degree of latitude spans the height (less the margins); a degree of longitude is k times as wide.
  assert.ok(Math.abs(p.y(39.0) - p.y(40.0) - 280) < 1e-9);
  assert.ok(Math.abs(p.x(117.0) - p.x(116.0) - 280 * k) < 1e-9);
  assert.ok(p.y(40.0) < p.y(39.0)); // north up
  const cx = (p.x(116.0) + p.x(117.0)) / 2;
  assert.ok(Math.abs(cx - 200) < 1e-9); // centred across
  for (const [lon, lat] of [[116, 39], [117, 40], [116.5, 39.5]]) {
    assert.ok(p.x(lon) >= 10 - 1e-9 && p.x(lon) <= 390 + 1e-9 && p.y(lat) >= 10 - 1e-9 && p.y(lat) <= 290 + 1e-9);
  }
  const wide = C.fit([116.0, 39.0, 118.0, 39.1], 400, 300, 10); // a wide strip: the width limits the scale
  assert.ok(Math.abs(wide.x(118.0) - wide.x(116.0) - 380) < 1e-9);
});

test("a dot is coloured by the share of its stage left, none while no clock runs", () => {
  const now = Date.UTC(2026, 11, 3, 2, 0);
  const dot = (leftMin, spanMin) => [1, 116, 39, now + leftMin * MIN, now + leftMin * MIN - spanMin * MIN, "B"];
  assert.equal(C.dotStatus(dot(20, 30), now, THRESHOLDS, sla), "green");
  assert.equal(C.dotStatus(dot(10, 30), now, THRESHOLDS, sla), "amber");
  assert.equal(C.dotStatus(dot(2, 30), now, THRESHOLDS, sla), "red");
  assert.equal(C.dotStatus(dot(-1, 30), now, THRESHOLDS, sla), "over");
  assert.equal(C.dotStatus([1, 116, 39, null, null, null], now, THRESHOLDS, sla), "none");
  // Without the page's thresholds nothing is guessed: late is still late, the rest uncoloured.
  assert.equal(C.dotStatus(dot(-1, 30), now, null, sla), "over");
  assert.equal(C.dotStatus(dot(20, 30), now, null, sla), "none");
});

test("a tap takes the nearest dot within reach, the one drawn on top on a tie, nothing beyond reach", () => {
  const dots = [
    { x: 10, y: 10, id: 1 },
    { x: 30, y: 10, id: 2 },
    { x: 30, y: 10, id: 3 },
  ];
  assert.equal(C.nearest(dots, 12, 11, 22), 0);
  assert.equal(C.nearest(dots, 28, 10, 22), 2); // 2 and 3 coincide: 3 was drawn later, on top
  assert.equal(C.nearest(dots, 100, 100, 22), -1);
  assert.equal(C.nearest([], 0, 0, 22), -1);
});

test("the legend counts each status; the most urgent is drawn last", () => {
  assert.deepEqual(C.tally(["over", "green", "green", "none"]), { over: 1, red: 0, amber: 0, green: 2, none: 1 });
  assert.equal(C.ORDER[C.ORDER.length - 1], "over");
});
