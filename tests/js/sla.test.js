// Unit tests of the shared deadline helper (assets/shared/sla.js), loaded as the browser loads it:
// `node --test tests/js/` (run by `make test`). Status colours from the share of the allowance left, countdown text.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const path = require("node:path");

const sla = require(path.join(__dirname, "..", "..", "assets", "shared", "sla.js"));

// What layouts/screen.py and layouts/dispatch.py hand the page (dashboard/domain/sla.py SLA_THRESHOLDS).
const T = { amber: 0.5, red: 0.1 };
const MIN = 60000;

test("green above half the allowance left, amber at half or less, red at a tenth or less", () => {
  const span = 100 * MIN;
  assert.equal(sla.status(100 * MIN, span, T), "green");
  assert.equal(sla.status(51 * MIN, span, T), "green");
  assert.equal(sla.status(50 * MIN, span, T), "amber"); // the boundary belongs to the worse colour
  assert.equal(sla.status(11 * MIN, span, T), "amber");
  assert.equal(sla.status(10 * MIN, span, T), "red");
  assert.equal(sla.status(1, span, T), "red");
  assert.equal(sla.status(0, span, T), "red"); // at the deadline: not yet late
});

test("overdue once the time left is negative, however long the allowance", () => {
  assert.equal(sla.status(-1, 100 * MIN, T), "over");
  assert.equal(sla.status(-5 * 86400000, 10 * MIN, T), "over");
  assert.equal(sla.status(-1, 0, T), "over");
});

test("a share is relative: the same minutes left are green on a short clock and red on a long one", () => {
  assert.equal(sla.status(9 * MIN, 10 * MIN, T), "green");
  assert.equal(sla.status(9 * MIN, 120 * MIN, T), "red");
});

test("no allowance (a stage whose deadline is its start) leaves no share: red until late", () => {
  assert.equal(sla.status(5 * MIN, 0, T), "red");
  assert.equal(sla.status(5 * MIN, -MIN, T), "red");
});

test("the thresholds come from the caller, not from this file", () => {
  const span = 100 * MIN;
  assert.equal(sla.status(30 * MIN, span, { amber: 0.25, red: 0.05 }), "green");
  assert.equal(sla.status(20 * MIN, span, { amber: 0.25, red: 0.05 }), "amber");
  assert.equal(sla.status(20 * MIN, span, { amber: 0.8, red: 0.3 }), "red");
});

test("missing or malformed thresholds are refused rather than guessed", () => {
  for (const bad of [undefined, null, {}, { amber: 0.5 }, { red: 0.1 }, { amber: "0.5", red: 0.1 }, { amber: 0.1, red: 0.5 }, { amber: 1.5, red: 0.1 }, { amber: 0.5, red: -0.1 }]) {
    assert.throws(() => sla.status(MIN, 10 * MIN, bad), TypeError, JSON.stringify(bad));
  }
});

test("a page's thresholds: a copy when valid, else null (the page then leaves clocks uncoloured)", () => {
  const given = { amber: 0.5, red: 0.1, extra: 1 };
  const got = sla.thresholds(given);
  assert.deepEqual(got, { amber: 0.5, red: 0.1 });
  assert.notEqual(got, given);
  assert.deepEqual(sla.thresholds({ amber: 0, red: 0 }), { amber: 0, red: 0 });
  assert.deepEqual(sla.thresholds({ amber: 1, red: 1 }), { amber: 1, red: 1 });
  for (const bad of [undefined, null, {}, "0.5", { amber: 0.5 }, { amber: 0.1, red: 0.5 }, { amber: NaN, red: 0.1 }]) {
    assert.equal(sla.thresholds(bad), null, JSON.stringify(bad));
  }
});

test("countdown text: hh:mm:ss under a day, whole seconds, sign ignored", () => {
  assert.equal(sla.duration(0, "天"), "00:00:00");
  assert.equal(sla.duration(999, "天"), "00:00:00");
  assert.equal(sla.duration(1000, "天"), "00:00:01");
  assert.equal(sla.duration((3 * 3600 + 15 * 60 + 20) * 1000, "天"), "03:15:20");
  assert.equal(sla.duration(-(3 * 3600 + 15 * 60 + 20) * 1000, "天"), "03:15:20");
  assert.equal(sla.duration(86400000 - 1000, "天"), "23:59:59");
});

test("countdown text beyond a day: days, then hh:mm (the day word from the page's strings)", () => {
  assert.equal(sla.duration(86400000, "天"), "1天00:00");
  assert.equal(sla.duration((2 * 86400 + 3 * 3600 + 15 * 60 + 59) * 1000, "天"), "2天03:15");
  assert.equal(sla.duration(-(2 * 86400 + 3 * 3600) * 1000, "d "), "2d 03:00");
  assert.equal(sla.duration(12 * 86400000, "天"), "12天00:00");
});

test("exposed as window.gridcmdSla when loaded as a plain script", () => {
  const fs = require("node:fs");
  const src = fs.readFileSync(path.join(__dirname, "..", "..", "assets", "shared", "sla.js"), "utf8");
  const win = {};
  new Function("self", src)(win); // no `module` in scope: the browser branch
  assert.deepEqual(Object.keys(win.gridcmdSla).sort(), ["duration", "status", "thresholds"]);
  assert.equal(win.gridcmdSla.status(-1, MIN, T), "over");
});
