// Unit tests of the dispatch desk's countdowns (assets/dispatch/12-deadline.js): the text and the SLA colour
// class of a row, the colour decided by the shared rule (assets/shared/sla.js) with the config's thresholds.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");

const { desk, model, caseRow, recordingLog } = require("./desk-fixture.js");

const deadline = desk("12-deadline.js");
const M = model();
const START = Date.parse("2026-11-22T08:00:00+08:00");
const HOUR = 3600000;

/** A handling case whose stage runs from START for `spanH` hours. */
function running(spanH, fields = {}) {
  const due = new Date(START + spanH * HOUR).toISOString();
  const r = caseRow({ state: "handling", stage_start: new Date(START).toISOString(), deadline: due, ...fields });
  return desk("10-queue.js").decorate(r);
}

test("countdown text: minutes, hours, days; overdue; paused; no running clock", () => {
  const r = running(100);
  const at = (ms) => deadline.countdownText(r, r._due - ms, M);
  assert.equal(at(5 * 60000 + 9000), "剩 05:09");
  assert.equal(at(59 * 60000 + 59999), "剩 59:59");
  assert.equal(at(HOUR + 5 * 60000 + 9000), "剩 1:05:09");
  assert.equal(at(23 * HOUR + 59 * 60000), "剩 23:59:00");
  assert.equal(at(2 * 24 * HOUR + 3 * HOUR + 1000), "剩 2天03时");
  assert.equal(at(0), "剩 00:00");
  assert.equal(at(-(12 * 60000 + 30000)), "超 12:30");
  assert.equal(at(-(26 * HOUR)), "超 1天02时");
  assert.equal(deadline.countdownText(running(1, { state: "suspended" }), START, M), "暂停");
  assert.equal(deadline.countdownText(running(1, { state: "closed" }), START, M), "—");
  assert.equal(deadline.countdownText(desk("10-queue.js").decorate(caseRow({ state: "reported" })), START, M), "—");
});

test("countdown words come from the strings (English)", () => {
  const en = { ...M, strings: { ...M.strings, "dispatch.countdown.left": "", "dispatch.countdown.over": "over ",
    "dispatch.unit.day": "d ", "dispatch.unit.hour": "h" } };
  const r = running(100);
  assert.equal(deadline.countdownText(r, r._due - (2 * 24 + 3) * HOUR, en), " 2d 03h");
  assert.equal(deadline.countdownText(r, r._due + 65000, en), "over  01:05");
});

test("colour by the share of the stage left: >50 % ok, <=50 % amber, <=10 % red, past due over", () => {
  const r = running(10); // a 10-hour stage
  const at = (leftH) => deadline.dueClass(r, r._due - leftH * HOUR, M);
  assert.equal(at(10), "due-ok");
  assert.equal(at(5.01), "due-ok");
  assert.equal(at(5), "due-amber");
  assert.equal(at(1.01), "due-amber");
  assert.equal(at(1), "due-red");
  assert.equal(at(0), "due-red");
  assert.equal(deadline.dueClass(r, r._due + 1, M), "due-over");
});

test("the colour follows the thresholds handed over, not built-in ones", () => {
  const strict = { ...M, thresholds: { amber: 0.8, red: 0.4 } };
  const r = running(10);
  assert.equal(deadline.dueClass(r, r._due - 7 * HOUR, M), "due-ok");
  assert.equal(deadline.dueClass(r, r._due - 7 * HOUR, strict), "due-amber");
  assert.equal(deadline.dueClass(r, r._due - 3 * HOUR, strict), "due-red");
  const sla = require("../../assets/shared/sla.js");
  for (const leftH of [9, 6, 4.5, 2, 0.5]) {
    const expected = { green: "due-ok", amber: "due-amber", red: "due-red" }[sla.status(leftH * HOUR, 10 * HOUR, strict.thresholds)];
    assert.equal(deadline.dueClass(r, r._due - leftH * HOUR, strict), expected, String(leftH));
  }
});

test("paused, finished and unstarted clocks have classes of their own", () => {
  assert.equal(deadline.dueClass(running(1, { state: "suspended" }), START, M), "due-paused");
  assert.equal(deadline.dueClass(running(1, { state: "merged" }), START, M), "due-none");
  assert.equal(deadline.dueClass(desk("10-queue.js").decorate(caseRow()), START, M), "due-none");
  const unstarted = running(1, { stage_start: null }); // no share to judge: ok until the deadline passes
  assert.equal(deadline.dueClass(unstarted, unstarted._due - 1, M), "due-ok");
  assert.equal(deadline.dueClass(unstarted, unstarted._due + 1, M), "due-over");
});

test("without thresholds a running clock is uncoloured, overdue still shows", () => {
  const blind = model({}, recordingLog());
  blind.thresholds = null;
  const r = running(10);
  assert.equal(deadline.dueClass(r, r._due - 0.5 * HOUR, blind), "due-unknown");
  assert.equal(deadline.dueClass(r, r._due + 1, blind), "due-over");
});
