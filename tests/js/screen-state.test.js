// Unit tests of the big screen's live-state merge (assets/screen/12-state.js): a snapshot and a delta's case rows
// applied by id and version, tombstones, the cases beyond the snapshot, bounds, grid counts, and patrol frames.
// `node --test tests/js/`.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const path = require("node:path");

const state = require(path.join(__dirname, "..", "..", "assets", "screen", "12-state.js"));

const T = { amber: 0.5, red: 0.1 };
const NOW = Date.parse("2026-11-22T10:00:00Z");
const DAY_START = Date.parse("2026-11-21T16:00:00Z"); // local midnight in Asia/Shanghai
const iso = (ms) => new Date(ms).toISOString();

function caseRow(id, over) {
  return Object.assign(
    {
      id,
      version: 1,
      state: "filed",
      level: "B",
      grid_code: "G1",
      street_code: "S1",
      lat: 39.9,
      lon: 116.6,
      reported_at: iso(NOW - 60000),
      stage_start: iso(NOW - 60000),
      deadline: iso(NOW + 29 * 60000),
    },
    over
  );
}

/** A view recording every hook call. */
function recorder() {
  const calls = [];
  const view = {};
  for (const name of ["hold", "update", "drop", "arrival", "alerts", "uncounted"]) {
    view[name] = (a, b) => {
      if (name === "hold") calls.push([name, a.row.id, b]);
      else if (name === "update") calls.push([name, a.row.id, b]);
      else if (name === "drop") calls.push([name, a.row.id]);
      else if (name === "arrival") calls.push([name, a.id]);
      else if (name === "alerts") calls.push([name, a ? a.version : null, b.version]);
      else calls.push([name, a]);
    };
  }
  return { calls, view };
}

function fresh() {
  const st = state.create(T, () => NOW);
  st.dayStartMs = DAY_START;
  return st;
}

function snapshot(st, rows, kpis, view) {
  state.applySnapshot(st, { cases: rows, kpis: Object.assign({ day_start_ms: DAY_START }, kpis) }, view);
}

test("a new case is held, timed, counted for today and in its grid, and drawn fresh", () => {
  const st = fresh();
  const { calls, view } = recorder();
  assert.equal(state.applyRow(st, caseRow(5), view), true);
  const entry = st.cases.get(5);
  assert.equal(entry.sla, "green");
  assert.equal(entry.deadlineMs, NOW + 29 * 60000);
  assert.deepEqual([st.today, st.maxSeenId, st.gridOpen.get("G1")], [1, 5, 1]);
  assert.ok(st.dirtyGrids.has("G1"));
  assert.equal(st.boardDirty, true);
  assert.deepEqual(calls, [["arrival", 5], ["alerts", null, 1], ["hold", 5, true]]);
});

test("a case reported before today is held but not counted as today's", () => {
  const st = fresh();
  state.applyRow(st, caseRow(5, { reported_at: iso(DAY_START - 1) }));
  assert.equal(st.cases.size, 1);
  assert.equal(st.today, 0);
});

test("rows of a version already held are ignored; a newer one replaces the row", () => {
  const st = fresh();
  state.applyRow(st, caseRow(5));
  const { calls, view } = recorder();
  assert.equal(state.applyRow(st, caseRow(5, { level: "A" }), view), false);
  assert.equal(state.applyRow(st, caseRow(5, { version: 0 }), view), false);
  assert.deepEqual(calls, []);
  const before = st.cases.get(5);
  assert.equal(state.applyRow(st, caseRow(5, { version: 2, state: "dispatched", deadline: iso(NOW - 1) }), view), true);
  assert.equal(st.cases.get(5), before); // the same entry, updated in place
  assert.equal(before.row.version, 2);
  assert.equal(before.sla, "over");
  assert.deepEqual(calls, [["alerts", 1, 2], ["update", 5, false]]); // not new: no arrival
  assert.equal(st.today, 1);
});

test("a case that moves reports it, and its grid counts follow it", () => {
  const st = fresh();
  state.applyRow(st, caseRow(5));
  state.applyRow(st, caseRow(6));
  st.dirtyGrids.clear();
  const { calls, view } = recorder();
  state.applyRow(st, caseRow(5, { version: 2, grid_code: "G2", lat: 39.95 }), view);
  assert.deepEqual(calls.at(-1), ["update", 5, true]);
  assert.deepEqual([st.gridOpen.get("G1"), st.gridOpen.get("G2")], [1, 1]);
  assert.deepEqual([...st.dirtyGrids].sort(), ["G1", "G2"]);
});

test("a closed case is dropped and tombstoned: a late, older row cannot bring it back", () => {
  const st = fresh();
  state.applyRow(st, caseRow(5));
  const { calls, view } = recorder();
  state.applyRow(st, caseRow(5, { version: 3, state: "closed" }), view);
  assert.equal(st.cases.size, 0);
  assert.equal(st.gridOpen.has("G1"), false);
  assert.equal(st.tomb.get(5), 3);
  assert.deepEqual(calls, [["alerts", 1, 3], ["drop", 5]]);
  assert.equal(state.applyRow(st, caseRow(5, { version: 2 })), false);
  assert.equal(state.applyRow(st, caseRow(5, { version: 3 })), false);
  assert.equal(st.cases.size, 0);
  assert.equal(state.applyRow(st, caseRow(5, { version: 4, state: "returned" })), true); // reopened later
  assert.equal(st.cases.size, 1);
});

test("tombstones are bounded: the oldest is forgotten first", () => {
  const st = fresh();
  st.tombMax = 3;
  for (let id = 1; id <= 5; id++) state.applyRow(st, caseRow(id, { state: "closed" }));
  assert.deepEqual([...st.tomb.keys()], [3, 4, 5]);
  state.applyRow(st, caseRow(3, { version: 2, state: "rejected" })); // refreshed: now the newest
  assert.deepEqual([...st.tomb.keys()], [4, 5, 3]);
});

test("a snapshot replaces what is held and sets the counters from its KPIs", () => {
  const st = fresh();
  state.applyRow(st, caseRow(1));
  state.applyRow(st, caseRow(2));
  const kept = st.cases.get(2);
  state.applyRow(st, caseRow(9, { state: "closed" })); // tombstoned
  const { calls, view } = recorder();
  snapshot(st, [caseRow(2, { version: 2 }), caseRow(9, { version: 1, grid_code: "G3" }), caseRow(12)], {
    today_reported: 40,
    max_case_id: 15,
    open: 10,
    server_ms: NOW + 5000,
  }, view);
  assert.deepEqual([...st.cases.keys()].sort((a, b) => a - b), [2, 9, 12]);
  assert.equal(st.cases.get(2), kept);
  assert.equal(st.tomb.has(9), false); // the snapshot is the truth at its stream position
  assert.deepEqual(
    [st.haveSnapshot, st.today, st.maxSeenId, st.openBeyond, st.minHeldId, st.skewMs],
    [true, 40, 15, 7, 2, 5000]
  );
  assert.equal(state.now(st), NOW + 5000);
  assert.equal(state.openCount(st), 10);
  assert.deepEqual([st.gridOpen.get("G1"), st.gridOpen.get("G3")], [2, 1]);
  assert.deepEqual(calls, [
    ["update", 2, false],
    ["hold", 9, false],
    ["hold", 12, false],
    ["drop", 1],
    ["uncounted", 15],
  ]);
});

test("a snapshot without KPIs: the newest row's id is the newest seen, nothing beyond", () => {
  const st = fresh();
  state.applySnapshot(st, { cases: [caseRow(3), caseRow(8)] });
  assert.deepEqual([st.maxSeenId, st.openBeyond, st.minHeldId, st.today, st.skewMs], [8, 0, 3, 0, 0]);
  state.applySnapshot(st, {});
  assert.deepEqual([st.cases.size, st.maxSeenId, st.minHeldId], [0, 0, Infinity]);
});

test("cases beyond the snapshot: an older unknown case is one of them, counted once", () => {
  const st = fresh();
  snapshot(st, [caseRow(10), caseRow(11)], { open: 5, max_case_id: 11 });
  assert.equal(st.openBeyond, 3);
  // An older open case changes: now held, no longer only counted.
  state.applyRow(st, caseRow(4, { version: 2 }));
  assert.deepEqual([st.cases.size, st.openBeyond, state.openCount(st)], [3, 2, 5]);
  // An older case closes without ever being held.
  state.applyRow(st, caseRow(3, { version: 5, state: "closed" }));
  assert.deepEqual([st.cases.size, st.openBeyond, state.openCount(st)], [3, 1, 4]);
  // A new case is not one of them.
  state.applyRow(st, caseRow(12));
  assert.deepEqual([st.openBeyond, state.openCount(st)], [1, 5]);
  assert.equal(st.today, 1);
});

test("held cases are bounded: beyond the limit the oldest is only counted as open", () => {
  const st = fresh();
  st.heldMax = 3;
  const { calls, view } = recorder();
  for (let id = 1; id <= 5; id++) state.applyRow(st, caseRow(id, { grid_code: "G" + id }), view);
  assert.deepEqual([...st.cases.keys()], [3, 4, 5]);
  assert.deepEqual([st.openBeyond, st.minHeldId, state.openCount(st)], [2, 3, 5]);
  assert.equal(st.gridOpen.has("G1"), false);
  assert.deepEqual(
    calls.filter((c) => c[0] === "drop"),
    [["drop", 1], ["drop", 2]]
  );
  // A later change of an evicted case counts it back in as held.
  state.applyRow(st, caseRow(2, { version: 2 }));
  assert.deepEqual([st.openBeyond, state.openCount(st)], [2, 5]);
});

test("reset forgets what is held", () => {
  const st = fresh();
  snapshot(st, [caseRow(1)], {});
  state.applyPatrols(st, [["p1", 116.6, 39.9, "idle"]], true);
  state.reset(st);
  assert.deepEqual([st.cases.size, st.patrols.size, st.patrolsOnline, st.gridOpen.size, st.haveSnapshot], [0, 0, 0, 0, false]);
});

test("patrol frames: a full frame replaces, a partial frame moves only the patrols it carries", () => {
  const st = fresh();
  state.applyPatrols(st, [["p1", 1, 2, "idle"], ["p2", 3, 4, "offline"], ["p3", 5, 6, "busy"]], true);
  assert.deepEqual([st.patrols.size, st.patrolsOnline], [3, 2]);
  const p1 = st.patrols.get("p1");
  state.applyPatrols(st, [["p1", 1.5, 2.5, "offline"], ["p2", 3, 4, "idle"], ["p4", 7, 8, "idle"]], false);
  assert.equal(st.patrols.get("p1"), p1); // moved in place
  assert.deepEqual(p1, [1.5, 2.5, "offline"]);
  assert.deepEqual([st.patrols.size, st.patrolsOnline], [4, 3]);
  state.applyPatrols(st, [["p3", 5, 6, "busy"]], true);
  assert.deepEqual([[...st.patrols.keys()], st.patrolsOnline], [["p3"], 1]);
  assert.deepEqual(state.patrolRows(st), [["p3", 5, 6, "busy"]]);
});

test("a report without a location is held and counted open, in no grid, and counted as unplaced until located", () => {
  const st = fresh();
  const { calls, view } = recorder();
  const waiting = { state: "reported", grid_code: null, street_code: null, lat: null, lon: null, deadline: null };
  state.applyRow(st, caseRow(7, waiting), view);
  assert.equal(state.openCount(st), 1);
  assert.equal(state.placed(st.cases.get(7).row), false);
  assert.deepEqual([st.gridOpen.size, st.unplaced, st.dirtyGrids.size], [0, 1, 0]); // 有案网格 does not count it
  // Located (the desk's 标注位置): it joins its grid, leaves the unplaced count, and the view is told it moved.
  state.applyRow(st, caseRow(7, { ...waiting, version: 2, grid_code: "G4", street_code: "S1", lat: 39.9, lon: 116.6 }), view);
  assert.deepEqual([st.gridOpen.get("G4"), st.unplaced], [1, 0]);
  assert.deepEqual(calls.at(-1), ["update", 7, true]);
  assert.equal(state.placed(st.cases.get(7).row), true);
  // A snapshot recounts it; a rejected unplaced report leaves the count.
  snapshot(st, [caseRow(8, waiting), caseRow(9)], { open: 2 });
  assert.deepEqual([st.unplaced, st.gridOpen.get("G1")], [1, 1]);
  state.applyRow(st, caseRow(8, { ...waiting, version: 2, state: "rejected" }));
  assert.equal(st.unplaced, 0);
  state.reset(st);
  assert.equal(st.unplaced, 0);
});
