// Unit tests of the big screen's alert selection (assets/screen/11-alerts.js): which changes raise a ticker alert,
// the standing alerts of a snapshot, and the bounded newest-first list. `node --test tests/js/`.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const path = require("node:path");

const alerts = require(path.join(__dirname, "..", "..", "assets", "screen", "11-alerts.js"));

const ROW = {
  id: 7,
  state: "filed",
  level: "B",
  tier: "street",
  supervision_count: 0,
  category: "占道经营",
  source: "hotline_12345",
  grid_code: "G001",
  reported_at: "2026-11-22T09:00:00+08:00",
  updated_at: "2026-11-22T09:05:00+08:00",
};
const row = (over) => Object.assign({}, ROW, over);
const kinds = (list) => list.map((a) => a.kind);

test("an alert carries the case's category, source and grid, dated by its last change", () => {
  assert.deepEqual(alerts.make("a", row({ level: "A" })), {
    key: "a:7",
    kind: "a",
    id: 7,
    at: "2026-11-22T09:05:00+08:00",
    category: "占道经营",
    source: "hotline_12345",
    grid: "G001",
  });
  assert.equal(alerts.make("a", row({ updated_at: undefined })).at, ROW.reported_at);
  assert.equal(alerts.make("a", row({ updated_at: undefined, reported_at: undefined })).at, "");
  assert.equal(alerts.make("a", row(), "2026-01-01T00:00:00Z").at, "2026-01-01T00:00:00Z");
});

test("each supervision is an alert of its own; level A and escalation once per case", () => {
  assert.equal(alerts.make("supervised", row({ supervision_count: 2 })).key, "supervised:7:2");
  assert.equal(alerts.make("escalated", row({ supervision_count: 2 })).key, "escalated:7");
});

test("a case that arrives as level A, or becomes level A, raises an alert; staying A does not", () => {
  assert.deepEqual(kinds(alerts.fromChange(null, row({ level: "A" }))), ["a"]);
  assert.deepEqual(kinds(alerts.fromChange(row(), row({ level: "A" }))), ["a"]);
  assert.deepEqual(kinds(alerts.fromChange(row({ level: "A" }), row({ level: "A", version: 3 }))), []);
  assert.deepEqual(kinds(alerts.fromChange(null, row())), []);
});

test("escalation to the district raises an alert only as a change, not for a case first seen there", () => {
  assert.deepEqual(kinds(alerts.fromChange(row(), row({ tier: "district" }))), ["escalated"]);
  assert.deepEqual(kinds(alerts.fromChange(null, row({ tier: "district" }))), []);
  assert.deepEqual(kinds(alerts.fromChange(row({ tier: "district" }), row({ tier: "district" }))), []);
});

test("a supervision raises an alert when the count grows", () => {
  assert.deepEqual(kinds(alerts.fromChange(row(), row({ supervision_count: 1 }))), ["supervised"]);
  assert.deepEqual(kinds(alerts.fromChange(null, row({ supervision_count: 1 }))), ["supervised"]);
  assert.deepEqual(kinds(alerts.fromChange(row({ supervision_count: 2 }), row({ supervision_count: 2 }))), []);
  assert.deepEqual(kinds(alerts.fromChange(row({ supervision_count: 2 }), row({ supervision_count: undefined }))), []);
});

test("one change can raise all three, in a fixed order", () => {
  const next = row({ level: "A", tier: "district", supervision_count: 1 });
  assert.deepEqual(kinds(alerts.fromChange(row(), next)), ["a", "escalated", "supervised"]);
});

test("a closed case raises nothing, whatever changed", () => {
  for (const state of ["closed", "self_handled", "rejected", "merged"]) {
    const next = row({ state, level: "A", tier: "district", supervision_count: 3 });
    assert.deepEqual(alerts.fromChange(row(), next), [], state);
  }
});

test("a snapshot's standing alerts: level A (dated when reported), escalated, supervised", () => {
  const rows = [
    row({ id: 1 }),
    row({ id: 2, level: "A" }),
    row({ id: 3, tier: "district", supervision_count: 2 }),
  ];
  const list = alerts.standing(rows);
  assert.deepEqual(
    list.map((a) => a.key),
    ["a:2", "escalated:3", "supervised:3:2"]
  );
  assert.equal(list[0].at, ROW.reported_at);
  assert.equal(list[1].at, ROW.updated_at);
});

test("the list keeps the newest first, each key once", () => {
  const list = new alerts.List();
  const at = (id, t) => ({ key: "a:" + id, kind: "a", id, at: t });
  assert.equal(list.push(at(1, "2026-11-22T09:00:00")), true);
  assert.equal(list.push(at(2, "2026-11-22T09:10:00")), true);
  assert.equal(list.push(at(3, "2026-11-22T08:00:00")), true);
  assert.equal(list.push(at(2, "2026-11-22T11:00:00")), false); // known key: ignored, order unchanged
  assert.equal(list.text(), "a:2 a:1 a:3");
});

test("equal times keep the order they came in", () => {
  const list = new alerts.List();
  for (const id of [4, 5, 6]) list.push({ key: "a:" + id, kind: "a", id, at: "2026-11-22T09:00:00" });
  assert.equal(list.text(), "a:4 a:5 a:6");
});

test("the list is bounded: the oldest leave, and may come back as new", () => {
  const list = new alerts.List(3);
  for (let i = 1; i <= 5; i++) list.push({ key: "a:" + i, kind: "a", id: i, at: "2026-11-22T09:0" + i });
  assert.equal(list.text(), "a:5 a:4 a:3");
  assert.equal(list.keys.size, 3);
  assert.equal(list.push({ key: "a:1", kind: "a", id: 1, at: "2026-11-22T09:09" }), true);
  assert.equal(list.text(), "a:1 a:5 a:4");
  assert.equal(new alerts.List().max, alerts.MAX);
  list.clear();
  assert.equal(list.text(), "");
  assert.equal(list.push({ key: "a:5", kind: "a", id: 5, at: "x" }), true);
});
