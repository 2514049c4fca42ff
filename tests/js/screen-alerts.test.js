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

test("escalation to the district raises an alert, for a case first seen there too (escalated unseen)", () => {
  assert.deepEqual(kinds(alerts.fromChange(row(), row({ tier: "district" }))), ["escalated"]);
  assert.deepEqual(kinds(alerts.fromChange(null, row({ tier: "district" }))), ["escalated"]);
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

test("a case raised to A when a dispatcher files it alerts, dated by the filing", () => {
  const reported = row({ state: "reported", level: null, updated_at: "2026-11-22T09:00:00+08:00" });
  const filed = row({ state: "filed", level: "A", updated_at: "2026-11-22T09:30:00+08:00" });
  const out = alerts.fromChange(reported, filed);
  assert.deepEqual(kinds(out), ["a"]);
  assert.equal(out[0].at, "2026-11-22T09:30:00+08:00");
  assert.deepEqual(kinds(alerts.fromChange(row({ level: "C" }), row({ level: "A" }))), ["a"]);
});

test("the overdue rule's supervision is an overdue alert, not a person's supervision", () => {
  const rule = row({ overdue_stage: "handling", supervision_count: 1 });
  const out = alerts.fromChange(row(), rule);
  assert.deepEqual(kinds(out), ["overdue"]);
  assert.equal(out[0].key, "overdue:7:1");
  // A person supervises the overdue case: that one is "supervised", numbered on.
  const person = row({ overdue_stage: "handling", supervision_count: 2 });
  assert.deepEqual(kinds(alerts.fromChange(rule, person)), ["supervised"]);
  assert.equal(alerts.fromChange(rule, person)[0].key, "supervised:7:2");
  // The next stage overdue again (after a dispatch reset it) is a new overdue alert.
  const next = row({ overdue_stage: "dispatch", supervision_count: 3 });
  assert.deepEqual(alerts.fromChange(person, next).map((a) => a.key), ["overdue:7:3"]);
  // Unseen before: overdue (and the escalation the rule made of an A case), whoever the wall heard it from.
  const escalated = row({ level: "A", tier: "district", overdue_stage: "dispatch", supervision_count: 1 });
  assert.deepEqual(kinds(alerts.fromChange(null, escalated)), ["a", "overdue", "escalated"]);
  assert.deepEqual(kinds(alerts.fromChange(row({ overdue_stage: "handling" }), row({ overdue_stage: "handling" }))), []);
});

test("a snapshot's standing alerts include overdue cases", () => {
  const list = alerts.standing([row({ id: 4, overdue_stage: "handling", supervision_count: 1 })]);
  assert.deepEqual(list.map((a) => a.key), ["overdue:4:1"]);
});

test("alerts a server rebuilt merge with live ones by key, and date known ones by the server", () => {
  const list = new alerts.List();
  list.push({ key: "a:1", kind: "a", id: 1, at: "2026-11-22T08:00:00+08:00" }); // standing: dated when reported
  list.push({ key: "supervised:2:1", kind: "supervised", id: 2, at: "2026-11-22T09:20:00+08:00" });
  const server = [
    { key: "escalated:3", kind: "escalated", id: 3, at: "2026-11-22T09:25:00+08:00" },
    { key: "supervised:2:1", kind: "supervised", id: 2, at: "2026-11-22T09:20:00+08:00" },
    { key: "a:1", kind: "a", id: 1, at: "2026-11-22T09:10:00+08:00" }, // filed as A at 09:10
  ];
  assert.equal(list.merge(server), true);
  assert.equal(list.text(), "escalated:3 supervised:2 a:1");
  assert.equal(list.items[2].at, "2026-11-22T09:10:00+08:00");
  assert.equal(list.merge(server), false); // nothing new the second time
  assert.equal(list.items.length, 3);
});
