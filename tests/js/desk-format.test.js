// Unit tests of the shared formatting helpers (assets/shared/format.js), loaded as the browser loads them:
// `node --test tests/js/*.test.js`. Placeholders, the district's wall clock whatever the process's zone, distances.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const path = require("node:path");

const fmt = require(path.join(__dirname, "..", "..", "assets", "shared", "format.js"));

test("t() fills every placeholder, leaves unknown ones, and shows a missing string's key", () => {
  const strings = { total: "显示 {shown} / 在办 {open}", twice: "{n} + {n}", empty: "" };
  assert.equal(fmt.t(strings, "total", { shown: 3, open: 12 }), "显示 3 / 在办 12");
  assert.equal(fmt.t(strings, "twice", { n: 2 }), "2 + 2");
  assert.equal(fmt.t(strings, "total", { shown: 0 }), "显示 0 / 在办 {open}");
  assert.equal(fmt.t(strings, "dispatch.nope"), "dispatch.nope");
  assert.equal(fmt.t(strings, "empty"), ""); // an empty string (English "剩") is a string, not missing
  assert.equal(fmt.t(strings, "toString"), "toString"); // not Object.prototype's
  assert.equal(fmt.t({ a: "{x}" }, "a", { x: "$&" }), "$&"); // values are text, not replacement patterns
});

test("pad2 and distance", () => {
  assert.equal(fmt.pad2(0), "00");
  assert.equal(fmt.pad2(9), "09");
  assert.equal(fmt.pad2(10), "10");
  assert.equal(fmt.distance(849.6, "米", "公里"), "850 米");
  assert.equal(fmt.distance(999, "m", "km"), "999 m");
  assert.equal(fmt.distance(1000, "m", "km"), "1.0 km");
  assert.equal(fmt.distance(12345, "m", "km"), "12.3 km");
  assert.equal(fmt.distance(0, "m", "km"), "0 m");
  assert.equal(fmt.distance(null, "m", "km"), "");
  assert.equal(fmt.distance(undefined, "m", "km"), "");
});

test("the clock reads the district's zone, two digits a field, 24 h", () => {
  const clock = fmt.clock("zh", "Asia/Shanghai");
  const t = Date.parse("2026-11-21T16:05:09Z"); // 00:05:09 on the 22nd in Beijing
  assert.equal(clock.stamp(t), "2026-11-22 周日 00:05:09");
  assert.equal(clock.hm(t), "00:05");
  assert.equal(clock.hms(t), "00:05:09");
  assert.equal(clock.mdhm(t), "11-22 00:05");
  assert.equal(clock.mdhms(t), "11-22 00:05:09");
  assert.deepEqual(
    [clock.parts(t).year, clock.parts(t).month, clock.parts(t).day, clock.parts(t).hour],
    ["2026", "11", "22", "00"]
  );
  const afternoon = Date.parse("2026-11-22T07:30:00Z"); // 15:30 in Beijing
  assert.equal(clock.hms(afternoon), "15:30:00");
  assert.equal(fmt.clock("en", "Asia/Shanghai").stamp(t), "2026-11-22 Sun 00:05:09");
  assert.equal(fmt.clock("zh", "Asia/Shanghai", { weekday: "long" }).stamp(t), "2026-11-22 星期日 00:05:09");
  assert.equal(fmt.clock("zh", "UTC").stamp(t), "2026-11-21 周六 16:05:09");
});

test("sameDay compares the district's calendar days, not UTC's", () => {
  const clock = fmt.clock("zh", "Asia/Shanghai");
  const justBefore = Date.parse("2026-11-21T15:59:59Z"); // 23:59:59 on the 21st in Beijing
  const justAfter = Date.parse("2026-11-21T16:00:00Z"); // 00:00:00 on the 22nd
  assert.equal(clock.sameDay(justBefore, justAfter), false);
  assert.equal(clock.sameDay(justAfter, Date.parse("2026-11-22T15:59:59Z")), true);
  assert.equal(fmt.clock("zh", "UTC").sameDay(justBefore, justAfter), true);
});
