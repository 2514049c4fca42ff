// Unit tests of the big screen's deadline logic (assets/screen/10-deadlines.js): a held case's status from its
// row, the per-second tally, the countdown board's order, paging and row texts. `node --test tests/js/`.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const path = require("node:path");

const dl = require(path.join(__dirname, "..", "..", "assets", "screen", "10-deadlines.js"));

const T = { amber: 0.5, red: 0.1 };
const MIN = 60000;
const NOW = Date.parse("2026-11-22T10:00:00Z");
const iso = (ms) => new Date(ms).toISOString();
const STRINGS = {
  "screen.board.late": "超时",
  "screen.board.left": "剩余",
  "screen.board.day": "天",
  "screen.board.page": "{page}/{pages}",
};

/** A held entry for `row` timed at NOW. */
function held(row) {
  const entry = { row: Object.assign({ id: 1, state: "filed", level: "B" }, row) };
  dl.timing(entry, NOW, T);
  return entry;
}

test("stage start: the row's stage_start when it has one", () => {
  const start = NOW - 7 * MIN;
  assert.equal(dl.stageStart({ state: "dispatched", stage_start: iso(start) }, NOW + MIN), start);
});

test("stage start without stage_start: the stage's nominal allowance before the deadline", () => {
  const due = NOW + 5 * MIN;
  assert.equal(dl.stageStart({ state: "filed", level: "A" }, due), due - 10 * MIN);
  assert.equal(dl.stageStart({ state: "filed", level: "B" }, due), due - 30 * MIN);
  assert.equal(dl.stageStart({ state: "returned", level: "C" }, due), due - 30 * MIN);
  assert.equal(dl.stageStart({ state: "handled" }, due), due - 120 * MIN);
  assert.equal(dl.stageStart({ state: "handling", reported_at: iso(NOW - 3 * MIN) }, due), NOW - 3 * MIN);
  assert.equal(dl.stageStart({ state: "handling" }, due), due - 60 * MIN);
});

test("a running clock is coloured by the share of its stage left", () => {
  const start = NOW - 20 * MIN;
  const at = (leftMin) => held({ stage_start: iso(start), deadline: iso(NOW + leftMin * MIN) }).sla;
  assert.equal(at(80), "green"); // 80 of 100 minutes left
  assert.equal(at(20), "amber"); // 20 of 40
  assert.equal(at(2), "red"); // 2 of 22
  assert.equal(at(-1), "over");
});

test("timing reads the deadline and the stage start into the entry", () => {
  const entry = held({ state: "dispatched", stage_start: iso(NOW - 10 * MIN), deadline: iso(NOW + 30 * MIN) });
  assert.equal(entry.deadlineMs, NOW + 30 * MIN);
  assert.equal(entry.startMs, NOW - 10 * MIN);
  assert.equal(entry.sla, "green");
});

test("no status before filing, after handling's clocks stop, or while suspended", () => {
  assert.equal(held({ state: "reported", deadline: iso(NOW + MIN) }).sla, "none");
  assert.equal(held({ state: "filed" }).sla, "none"); // no deadline yet
  assert.equal(held({ state: "suspended", deadline: iso(NOW - MIN) }).sla, "paused");
  assert.equal(held({ state: "suspended" }).sla, "paused");
  const entry = held({ state: "filed", deadline: iso(NOW + MIN) });
  assert.equal(entry.startMs, NOW + MIN - 30 * MIN);
  assert.equal(held({ state: "reported" }).startMs, 0);
});

test("every running state has a status", () => {
  for (const state of ["filed", "returned", "dispatched", "handling", "handled"]) {
    assert.equal(held({ state, stage_start: iso(NOW - MIN), deadline: iso(NOW - 1) }).sla, "over", state);
  }
});

test("the per-second tally counts overdue and red, and reports only the cases whose status changed", () => {
  const cases = new Map();
  const add = (id, leftMin) =>
    cases.set(id, held({ id, stage_start: iso(NOW - 10 * MIN), deadline: iso(NOW + leftMin * MIN) }));
  add(1, 50); // green
  add(2, 1); // red (1 of 11)
  add(3, -2); // over
  add(4, 0.5); // red
  cases.set(5, held({ id: 5, state: "suspended" }));
  const changed = [];
  let n = dl.tally(cases, NOW, T, (e) => changed.push([e.row.id, e.sla]));
  assert.deepEqual([n.over, n.red, n.changed], [1, 2, 0]);
  assert.deepEqual(changed, []);
  // Two minutes later case 2 and 4 are late, case 1 is still green.
  n = dl.tally(cases, NOW + 2 * MIN, T, (e) => changed.push([e.row.id, e.sla]));
  assert.deepEqual([n.over, n.red, n.changed], [3, 0, 2]);
  assert.deepEqual(changed, [[2, "over"], [4, "over"]]);
  assert.equal(cases.get(2).sla, "over"); // stored before the callback
});

test("the board holds the running clocks, soonest deadline first, ties by id", () => {
  const entries = [
    { row: { id: 7 }, sla: "green", deadlineMs: 300 },
    { row: { id: 3 }, sla: "over", deadlineMs: 100 },
    { row: { id: 9 }, sla: "none", deadlineMs: 0 },
    { row: { id: 2 }, sla: "amber", deadlineMs: 300 },
    { row: { id: 4 }, sla: "paused", deadlineMs: 50 },
    { row: { id: 5 }, sla: "red", deadlineMs: 200 },
  ];
  const ids = dl.boardOrder(new Map(entries.map((e) => [e.row.id, e]))).map((e) => e.row.id);
  assert.deepEqual(ids, [3, 5, 2, 7]);
});

test("paging: one page while the overdue cases fit; the rest of the page goes to the soonest deadlines", () => {
  const pager = { page: 0, pageAt: 0 };
  assert.deepEqual(dl.paging(pager, 3, 6, 20, NOW), { page: 0, pages: 1, total: 6 });
  assert.deepEqual(dl.paging(pager, 0, 6, 4, NOW + 60000), { page: 0, pages: 1, total: 4 });
  assert.deepEqual(dl.paging(pager, 0, 6, 0, NOW), { page: 0, pages: 1, total: 0 });
});

test("paging: every overdue case is shown, a page each PAGE_MS, round and round", () => {
  const pager = { page: 0, pageAt: 0 };
  // 14 overdue, 6 rows: 3 pages, the last one's free slots go to the next deadlines (18 rows of 30).
  assert.deepEqual(dl.paging(pager, 14, 6, 30, NOW), { page: 0, pages: 3, total: 18 });
  assert.equal(dl.paging(pager, 14, 6, 30, NOW + dl.PAGE_MS - 1).page, 0);
  assert.equal(dl.paging(pager, 14, 6, 30, NOW + dl.PAGE_MS).page, 1);
  assert.equal(dl.paging(pager, 14, 6, 30, NOW + 2 * dl.PAGE_MS).page, 2);
  assert.equal(dl.paging(pager, 14, 6, 30, NOW + 3 * dl.PAGE_MS).page, 0);
  // The overdue cases shrink to one page: back to the first.
  pager.page = 2;
  assert.deepEqual(dl.paging(pager, 2, 6, 30, NOW + 3 * dl.PAGE_MS + 1), { page: 0, pages: 1, total: 6 });
});

test("a board row: late or left, the countdown, level, and the caller's names", () => {
  const place = { cat: "治安隐患", where: "已立案 · 第01网格" };
  const late = dl.boardRow({ row: { id: 42, level: "A" }, sla: "over", deadlineMs: NOW - 125000 }, NOW, STRINGS, place);
  assert.deepEqual(late, {
    cls: "bd-row sla-over",
    id: "42",
    tag: "超时",
    time: "00:02:05",
    lvl: "A",
    cat: "治安隐患",
    where: "已立案 · 第01网格",
  });
  const left = dl.boardRow({ row: { id: 5 }, sla: "green", deadlineMs: NOW + 2 * 86400000 + 3600000 }, NOW, STRINGS, place);
  assert.equal(left.tag, "剩余");
  assert.equal(left.time, "2天01:00");
  assert.equal(left.lvl, "·"); // no level
  assert.equal(left.cls, "bd-row sla-green");
});

test("the page label shows only when the board pages", () => {
  assert.equal(dl.pageLabel(STRINGS, 0, 1), "");
  assert.equal(dl.pageLabel(STRINGS, 0, 3), "1/3");
  assert.equal(dl.pageLabel(STRINGS, 2, 3), "3/3");
});

test("no thresholds, no colours: a running clock is unknown until late, never coloured by a guess", () => {
  const entry = { row: { id: 1, state: "filed", level: "A", deadline: iso(NOW + MIN) } };
  dl.timing(entry, NOW, null);
  assert.equal(entry.sla, "unknown");
  assert.equal(dl.status(entry, NOW + 2 * MIN, null), "over");
  assert.equal(dl.status({ row: { state: "suspended" }, deadlineMs: NOW }, NOW, null), "paused");
  assert.equal(dl.status({ row: { state: "filed" }, deadlineMs: 0 }, NOW, null), "none");
});
