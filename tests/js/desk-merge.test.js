// Unit tests of the dispatch desk's live-state merge (assets/dispatch/11-merge.js): snapshot and delta rows applied
// to the queue's rows by case id and version, tombstones, the closed list, and the grid transaction they make.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");

const { desk, caseRow } = require("./desk-fixture.js");

const merge = desk("11-merge.js");
const TERMINAL = new Set(["closed", "merged", "rejected", "self_handled"]);

function store() {
  return { cases: new Map(), closed: [], tomb: new Map(), maxSeenId: 0, haveSnapshot: false, terminal: TERMINAL };
}

function ids(rows) {
  return rows.map((r) => r.id);
}

test("a delta is taken only when newer than what is held", () => {
  const s = store();
  const tx = merge.newTx();
  assert.ok(merge.apply(s, caseRow({ id: 1, version: 2 }), "delta", tx));
  assert.equal(merge.apply(s, caseRow({ id: 1, version: 2, state: "filed" }), "delta", tx), null);
  assert.equal(merge.apply(s, caseRow({ id: 1, version: 1, state: "filed" }), "delta", tx), null);
  assert.equal(s.cases.get(1).state, "reported");
  const res = merge.apply(s, caseRow({ id: 1, version: 3, state: "filed" }), "delta", tx);
  assert.equal(res.held.version, 2);
  assert.equal(s.cases.get(1).state, "filed");
  assert.equal(s.cases.get(1)._at, Date.parse("2026-11-22T08:00:00+08:00")); // decorated
});

test("a case that left the queue stays gone: a late stale row cannot bring it back", () => {
  const s = store();
  merge.apply(s, caseRow({ id: 7, version: 1 }), "delta", merge.newTx());
  const tx = merge.newTx();
  const res = merge.apply(s, caseRow({ id: 7, version: 2, state: "merged" }), "delta", tx);
  assert.ok(res.left);
  assert.ok(!s.cases.has(7));
  assert.deepEqual(ids(merge.payload(tx).remove), [7]);
  assert.equal(merge.apply(s, caseRow({ id: 7, version: 1 }), "fetch", merge.newTx()), null); // late fetch answer
  assert.equal(merge.apply(s, caseRow({ id: 7, version: 2 }), "delta", merge.newTx()), null);
  assert.ok(merge.apply(s, caseRow({ id: 7, version: 3 }), "delta", merge.newTx())); // a real later version
});

test("a terminal row never held is only buried, and the grid does not hear of it", () => {
  const s = store();
  const tx = merge.newTx();
  const res = merge.apply(s, caseRow({ id: 3, version: 4, state: "rejected" }), "delta", tx);
  assert.ok(res && !res.left && !res.closed);
  assert.ok(merge.isEmpty(tx));
  assert.equal(s.tomb.get(3), 4);
});

test("closed cases stay (for visit-back), the oldest going past the cap, never the open one", () => {
  const s = store();
  const tx = merge.newTx();
  for (let id = 1; id <= merge.CLOSED_MAX; id++) merge.apply(s, caseRow({ id, state: "closed" }), "fetch", tx);
  assert.equal(s.cases.size, merge.CLOSED_MAX);
  merge.apply(s, caseRow({ id: 1000, state: "closed" }), "delta", tx, { keepId: 1 });
  assert.ok(s.cases.has(1), "the open case is kept");
  merge.apply(s, caseRow({ id: 1001, state: "closed" }), "delta", tx, { keepId: 1 });
  assert.ok(!s.cases.has(2), "the oldest other closed case went");
  assert.equal(s.tomb.get(2), 1);
  assert.ok(s.cases.has(1000) && s.cases.has(1001));
  // A closed row updated (its visit-back) is not listed twice.
  const before = s.closed.length;
  merge.apply(s, caseRow({ id: 1001, version: 2, state: "closed" }), "delta", merge.newTx());
  assert.equal(s.closed.length, before);
});

test("arrival is a new case, live, above every id seen; upgrade is a live change to level A", () => {
  const s = store();
  const tx = merge.newTx();
  assert.equal(merge.apply(s, caseRow({ id: 10 }), "delta", tx).arrived, true);
  assert.equal(s.maxSeenId, 10);
  assert.equal(merge.apply(s, caseRow({ id: 5 }), "delta", tx).arrived, false); // older id: catching up, not new
  assert.equal(merge.apply(s, caseRow({ id: 11 }), "fetch", tx).arrived, false);
  const up = merge.apply(s, caseRow({ id: 10, version: 2, level: "A" }), "delta", tx);
  assert.equal(up.arrived, false);
  assert.equal(up.upgraded, true);
  assert.equal(merge.apply(s, caseRow({ id: 10, version: 3, level: "A" }), "delta", tx).upgraded, false); // already A
  assert.equal(merge.apply(s, caseRow({ id: 5, version: 2, level: "A" }), "fetch", tx).upgraded, false);
});

test("one batch is one grid transaction: add then update is an add, add then remove is nothing", () => {
  const s = store();
  merge.apply(s, caseRow({ id: 1 }), "delta", merge.newTx()); // already in the grid
  const tx = merge.newTx();
  merge.apply(s, caseRow({ id: 2, version: 1 }), "delta", tx);
  merge.apply(s, caseRow({ id: 2, version: 2, state: "filed" }), "delta", tx);
  merge.apply(s, caseRow({ id: 3, version: 1 }), "delta", tx);
  merge.apply(s, caseRow({ id: 3, version: 2, state: "self_handled" }), "delta", tx);
  merge.apply(s, caseRow({ id: 1, version: 2, state: "filed" }), "delta", tx);
  const p = merge.payload(tx);
  assert.deepEqual(ids(p.add), [2]);
  assert.equal(p.add[0].state, "filed");
  assert.deepEqual(ids(p.update), [1]);
  assert.deepEqual(ids(p.remove), []);
});

test("a snapshot is authoritative, but our own command's newer answer survives it", () => {
  const s = store();
  const tx0 = merge.newTx();
  merge.apply(s, caseRow({ id: 1, version: 5, state: "filed" }), "fetch", tx0); // our command's answer
  merge.apply(s, caseRow({ id: 2, version: 3 }), "delta", tx0); // will be missing from the snapshot
  merge.apply(s, caseRow({ id: 3, version: 2, state: "closed" }), "delta", tx0); // closed: kept
  merge.apply(s, caseRow({ id: 4, version: 9, state: "rejected" }), "delta", tx0); // buried at 9
  const taken = [];
  const tx = merge.newTx();
  const snap = {
    cases: [caseRow({ id: 1, version: 4 }), caseRow({ id: 4, version: 2 }), caseRow({ id: 8, version: 1 })],
    kpis: { max_case_id: 20 },
  };
  const done = merge.snapshot(s, snap, tx, null, (res) => taken.push(res.row.id));
  assert.equal(done.first, true);
  assert.deepEqual(taken, [4, 8]); // 4 comes back: the snapshot says it is open at version 2
  assert.equal(s.cases.get(1).version, 5);
  assert.equal(s.cases.get(4).version, 2);
  assert.deepEqual(done.removed, [2]);
  assert.ok(s.cases.has(3));
  assert.equal(s.maxSeenId, 20);
  assert.deepEqual(ids(merge.payload(tx).remove), [2]);
  assert.equal(merge.snapshot(s, { cases: [] }, merge.newTx(), null).first, false);
});

test("a detail becomes a queue row without timeline, photos or personal data", () => {
  const row = merge.rowOf({ id: 1, version: 2, description: "x".repeat(300), timeline: [], photos: [], reporter: "王", phone: "1" });
  assert.deepEqual(Object.keys(row).sort(), ["description", "id", "version"]);
  assert.equal(row.description.length, 140);
});
