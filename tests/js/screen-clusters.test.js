// Unit tests of the wall's case aggregation at district zoom (assets/screen/16-clusters.js): which cases stand
// alone, how the others bin into count badges coloured by the worst SLA status inside, and that badges never touch.
// `node --test tests/js/`.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const path = require("node:path");

const SCREEN = path.join(__dirname, "..", "..", "assets", "screen");
const clusters = require(path.join(SCREEN, "16-clusters.js"));
const deadlines = require(path.join(SCREEN, "10-deadlines.js"));

let nextId = 1;
/** A held case at pixel (x, y) — the tests project with the identity. */
function entry(x, y, level = "C", sla = "green") {
  return { row: { id: nextId++, level, x, y }, sla };
}
const project = (e) => [e.row.x, e.row.y];
const CELL = 64;

function held(list) {
  return new Map(list.map((e) => [e.row.id, e]));
}

test("A-level and overdue cases stand alone; everything else is aggregated", () => {
  assert.equal(clusters.alone(entry(0, 0, "A", "green")), true);
  assert.equal(clusters.alone(entry(0, 0, "C", "over")), true);
  assert.equal(clusters.alone(entry(0, 0, "B", "red")), false);
  assert.equal(clusters.alone(entry(0, 0, null, "none")), false);
  const cases = [entry(10, 10, "A"), entry(12, 12, "C", "over"), entry(14, 14), entry(16, 16)];
  const groups = clusters.aggregate(held(cases), project, CELL, 1);
  assert.equal(groups.length, 1);
  assert.equal(groups[0].n, 2);
  assert.equal(groups[0].sla, "green"); // the overdue case is drawn on its own, not counted in the badge
});

test("a badge is coloured by the worst status inside (over > red > amber > green > unknown > paused > none)", () => {
  const order = ["none", "paused", "unknown", "green", "amber", "red", "over"];
  for (let i = 0; i < order.length; i++) {
    for (let j = 0; j < order.length; j++) {
      assert.equal(clusters.worse(order[i], order[j]), order[Math.max(i, j)], `${order[i]} vs ${order[j]}`);
    }
  }
  const mixed = [entry(5, 5, "C", "green"), entry(6, 6, "B", "red"), entry(7, 7, "C", "amber"), entry(8, 8, "C", "none")];
  const [g] = clusters.aggregate(held(mixed), project, CELL, 1);
  assert.deepEqual([g.n, g.sla], [4, "red"]);
  assert.equal(g.one, null);
});

test("a badge sits at its members' centroid; a lone case keeps its entry (drawn with its level letter)", () => {
  const far = [entry(0, 0), entry(20, 40), entry(1000, 1000, "B", "amber")];
  const groups = clusters.aggregate(held(far), project, CELL, 1);
  assert.equal(groups.length, 2);
  assert.deepEqual([groups[0].n, groups[0].x, groups[0].y], [2, 10, 20]); // largest first
  assert.equal(groups[1].n, 1);
  assert.equal(groups[1].one, far[2]);
  assert.equal(groups[1].sla, "amber");
});

test("every aggregated case is in exactly one badge, and no two badges touch", () => {
  // A dense town (1,800 cases in 600x400 px) beside a sparse countryside, with some A-level and overdue ones.
  let seed = 7;
  const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  const statuses = ["none", "green", "amber", "red", "paused"];
  const list = [];
  for (let i = 0; i < 2000; i++) {
    const dense = i < 1800;
    const x = dense ? 300 + rnd() * 600 : rnd() * 1900;
    const y = dense ? 100 + rnd() * 400 : 500 + rnd() * 500;
    const level = rnd() < 0.01 ? "A" : rnd() < 0.3 ? "B" : "C";
    list.push(entry(x, y, level, rnd() < 0.05 ? "over" : statuses[Math.floor(rnd() * statuses.length)]));
  }
  const alone = list.filter(clusters.alone).length;
  for (const scale of [1, 2]) {
    const groups = clusters.aggregate(held(list), (e) => [e.row.x * scale, e.row.y * scale], CELL * scale, scale);
    assert.equal(groups.reduce((n, g) => n + g.n, 0) + alone, list.length);
    assert.equal(new Set(groups.map((g) => g.key)).size, groups.length);
    assert.ok(groups.length < 250, `${groups.length} badges for ${list.length} cases`);
    for (let i = 0; i < groups.length; i++) {
      for (let j = i + 1; j < groups.length; j++) {
        const a = groups[i];
        const b = groups[j];
        const reach = (clusters.size(a.n, scale) + clusters.size(b.n, scale)) / 2;
        assert.ok(Math.hypot(a.x - b.x, a.y - b.y) >= reach, `badges ${a.key} and ${b.key} overlap at scale ${scale}`);
      }
    }
  }
});

test("badges grow with the count and the wall's scale", () => {
  assert.equal(clusters.size(1, 1), 24);
  assert.ok(clusters.size(10, 1) > clusters.size(2, 1));
  assert.ok(clusters.size(1000, 1) <= 48);
  assert.equal(clusters.size(10, 2), 2 * clusters.size(10, 1));
});

test("statuses come from the deadline rule (10-deadlines.js over assets/shared/sla.js), ranked, not recomputed", () => {
  const thresholds = { amber: 0.5, red: 0.1 };
  const now = Date.parse("2026-11-22T10:00:00Z");
  const filed = (minutesLeft) => {
    const e = {
      row: { id: nextId++, state: "filed", level: "C", deadline: new Date(now + minutesLeft * 60000).toISOString(), x: 3, y: 3 },
    };
    e.row.stage_start = new Date(now + minutesLeft * 60000 - 30 * 60000).toISOString();
    deadlines.timing(e, now, thresholds);
    return e;
  };
  const cases = [filed(25), filed(10), filed(2), filed(-1)];
  assert.deepEqual(cases.map((e) => e.sla), ["green", "amber", "red", "over"]);
  const [g] = clusters.aggregate(held(cases), project, CELL, 1);
  assert.deepEqual([g.n, g.sla], [3, "red"]); // the overdue one stands alone
});

test("stable keys: adding a case to a badge keeps the badge's key (the page updates it in place)", () => {
  const base = [entry(100, 100), entry(110, 105), entry(300, 300)];
  const before = clusters.aggregate(held(base), project, CELL, 1).map((g) => g.key);
  const after = clusters.aggregate(held([...base, entry(105, 102, "B", "red")]), project, CELL, 1);
  assert.deepEqual(after.map((g) => g.key), before);
  assert.equal(after[0].sla, "red");
});

test("a report without a location (lat/lon null) is in no badge: it is on no map", () => {
  const waiting = { row: { id: nextId++, level: "C", x: 10, y: 10, lat: null, lon: null }, sla: "none" };
  const cases = [entry(10, 10), entry(12, 12), waiting];
  const groups = clusters.aggregate(held(cases), project, CELL, 1);
  assert.equal(groups.reduce((n, g) => n + g.n, 0), 2);
});
