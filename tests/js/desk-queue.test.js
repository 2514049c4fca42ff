// Unit tests of the dispatch desk's queue model (assets/dispatch/10-queue.js): which rows each tab shows, the
// street filter, the tab counts, the orderings and what quick search matches.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");

const { desk, model, caseRow, STREET, OTHER_STREET } = require("./desk-fixture.js");

const queue = desk("10-queue.js");
const M = model();
const NOW = Date.parse("2026-11-22T10:00:00+08:00");

function row(fields) {
  return queue.decorate(caseRow(fields));
}

const late = { deadline: "2026-11-22T09:59:00+08:00", stage_start: "2026-11-22T09:00:00+08:00" };

test("each tab shows the states a dispatcher works there", () => {
  const want = {
    reported: ["reported"],
    to_dispatch: ["filed", "returned"],
    handling: ["dispatched", "handling"],
    to_verify: ["handled"],
    suspended: ["suspended"],
    closed: ["closed"],
    all: ["reported", "filed", "dispatched", "returned", "handling", "handled", "suspended"],
  };
  const states = ["reported", "filed", "dispatched", "returned", "handling", "handled", "suspended", "closed"];
  for (const [tab, shown] of Object.entries(want)) {
    const got = states.filter((state) => queue.shows(row({ state }), tab, "", NOW, M));
    assert.deepEqual(got, shown, tab);
  }
  assert.ok(queue.shows(row({ state: "handled" }), "no-such-tab", "", NOW, M)); // shows what "all" shows
  assert.ok(!queue.shows(row({ state: "closed" }), "no-such-tab", "", NOW, M));
});

test("overdue: past the deadline with the clock running, not suspended, not finished", () => {
  assert.ok(queue.shows(row({ state: "handling", ...late }), "overdue", "", NOW, M));
  assert.ok(!queue.shows(row({ state: "handling", ...late }), "overdue", "", Date.parse(late.deadline) - 1, M));
  assert.ok(!queue.shows(row({ state: "suspended", ...late }), "overdue", "", NOW, M));
  assert.ok(!queue.shows(row({ state: "closed", ...late }), "overdue", "", NOW, M));
  assert.ok(!queue.shows(row({ state: "handling" }), "overdue", "", NOW, M)); // no deadline
});

test("supervised shows open cases supervised at least once", () => {
  assert.ok(queue.shows(row({ state: "filed", supervision_count: 1 }), "supervised", "", NOW, M));
  assert.ok(!queue.shows(row({ state: "filed", supervision_count: 0 }), "supervised", "", NOW, M));
  assert.ok(!queue.shows(row({ state: "closed", supervision_count: 2 }), "supervised", "", NOW, M));
});

test("the street filter: every row, escalated ones, or one street's", () => {
  const mine = row({ street_code: STREET });
  const theirs = row({ street_code: OTHER_STREET });
  const escalated = row({ street_code: OTHER_STREET, tier: "district" });
  assert.deepEqual([mine, theirs, escalated].map((r) => queue.streetPass(r, "")), [true, true, true]);
  assert.deepEqual([mine, theirs, escalated].map((r) => queue.streetPass(r, "district")), [false, false, true]);
  assert.deepEqual([mine, theirs, escalated].map((r) => queue.streetPass(r, STREET)), [true, false, false]);
  assert.ok(!queue.shows(theirs, "reported", STREET, NOW, M));
});

test("counts per tab and open cases, under the street filter", () => {
  const rows = new Map(
    [
      row({ state: "reported" }),
      row({ state: "reported", street_code: OTHER_STREET }),
      row({ state: "filed", supervision_count: 1 }),
      row({ state: "handling", ...late }),
      row({ state: "closed" }),
    ].map((r) => [r.id, r])
  );
  const all = queue.counts(rows, M.tabs, "", NOW, M);
  assert.deepEqual(all.counts, {
    reported: 2, to_dispatch: 1, handling: 1, to_verify: 0, overdue: 1, supervised: 1, suspended: 0, closed: 1, all: 4,
  });
  assert.equal(all.open, 4);
  const street = queue.counts(rows, M.tabs, STREET, NOW, M);
  assert.equal(street.counts.reported, 1);
  assert.equal(street.open, 3);
});

test("decorate parses the row's times once", () => {
  const r = row({ deadline: "2026-11-22T12:00:00+08:00", stage_start: null, reported_at: "2026-11-22T08:00:00+08:00" });
  assert.equal(r._due, Date.parse("2026-11-22T04:00:00Z"));
  assert.equal(r._start, null);
  assert.equal(r._at, Date.parse("2026-11-22T00:00:00Z"));
  assert.equal(row({ reported_at: null })._at, 0);
});

test("by report time: same-second reports keep their arrival (id) order", () => {
  const a = row({ id: 501, reported_at: "2026-11-22T08:00:05+08:00" });
  const b = row({ id: 502, reported_at: "2026-11-22T08:00:05+08:00" });
  const c = row({ id: 400, reported_at: "2026-11-22T08:00:06+08:00" });
  assert.deepEqual([c, b, a].sort(queue.compareReported).map((r) => r.id), [501, 502, 400]);
  assert.equal(queue.compareReported(a, undefined), 0);
});

test("by deadline: soonest first, cases without a running clock last in both directions", () => {
  const dues = [300, null, 100, undefined, 200];
  // AG Grid sorts ascending with the comparator and descending with its result negated.
  const asc = dues.slice().sort((a, b) => queue.compareDue(a, b, false));
  const desc = dues.slice().sort((a, b) => -queue.compareDue(a, b, true));
  assert.deepEqual(asc.slice(0, 3), [100, 200, 300]);
  assert.deepEqual(desc.slice(0, 3), [300, 200, 100]);
  assert.ok(asc.slice(3).every((d) => d == null) && desc.slice(3).every((d) => d == null));
});

test("quick search matches names as shown, and a grid's code too", () => {
  const m = { ...M, gridNames: new Map([[STREET + "001001", "幸福里网格"]]) };
  const r = row({ department_code: STREET + "ZF", state: "handled" });
  assert.equal(queue.searchText(r, "source", r.source, m), "网格员");
  assert.equal(queue.searchText(r, "grid_code", r.grid_code, m), "幸福里网格 " + STREET + "001001");
  assert.equal(queue.searchText(r, "state", r.state, m), "待核查");
  assert.equal(queue.searchText(r, "department_code", r.department_code, m), "第01街道综合执法队");
  assert.equal(queue.searchText(r, "description", "井盖缺失", m), "井盖缺失");
  assert.equal(queue.searchText(r, "level", null, m), "");
  assert.equal(queue.tooltip(r, "grid_code", r.grid_code, "幸福里网格", m), "幸福里网格 · " + STREET + "001001");
  assert.equal(queue.tooltip(r, "category", "x", "井盖", m), "井盖");
});

test("the description cell's tooltip is the whole description, not only its first line", () => {
  const text = "东门井盖缺失\n夜间无照明，已有行人绊倒\n请尽快处置";
  const r = row({ description: text });
  assert.equal(queue.tooltip(r, "description", text, "东门井盖缺失", M), text);
  assert.equal(queue.tooltip(row({ description: null }), "description", null, "", M), "");
});

test("a report without a location reads 待定位 in the queue, its search text and its tooltip", () => {
  const r = row({ grid_code: null, street_code: null, lat: null, lon: null, tier: "district" });
  assert.equal(queue.searchText(r, "grid_code", null, M), "待定位");
  assert.equal(queue.tooltip(r, "grid_code", null, "", M), "待定位");
  assert.ok(queue.shows(r, "reported", "", NOW, M)); // in the 待受理 tab like any report
  assert.ok(queue.shows(r, "reported", "district", NOW, M)); // and under 区级, where it belongs until located
  assert.ok(!queue.shows(r, "reported", STREET, NOW, M));
});
