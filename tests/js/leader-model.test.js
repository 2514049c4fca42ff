// Unit tests of the leader pass's pure logic (assets/leader/10-model.js), loaded as the browser loads it:
// figures and changes as text, the index's tone, countdowns, scope of live rows, merging answers, the throttle.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const path = require("node:path");

const M = require(path.join(__dirname, "..", "..", "assets", "leader", "10-model.js"));
const format = require(path.join(__dirname, "..", "..", "assets", "shared", "format.js"));
const sla = require(path.join(__dirname, "..", "..", "assets", "shared", "sla.js"));

const STRINGS = {
  "leader.nodata": "暂无数据",
  "leader.same": "持平",
  "leader.unit.pp": "个百分点",
  "leader.unit.cases": "件",
  "leader.left": "剩余 {time}",
  "leader.over": "超时 {time}",
  "leader.no_deadline": "无时限",
  "leader.day": "天",
};
const s = (key, vars) => format.t(STRINGS, key, vars);

test("rates read as percentages, counts as integers, missing figures as no data", () => {
  assert.equal(M.figure("on_time_close_rate", 0.97333, s), "97.3%");
  assert.equal(M.figure("filed", 12, s), "12");
  assert.equal(M.figure("handle_rate", null, s), "暂无数据");
  assert.equal(M.figure("handle_rate", 0, s), "0.0%"); // zero is a figure, not "no data"
});

test("changes: percentage points for rates, cases for counts, nothing without a previous figure", () => {
  assert.deepEqual(M.change("handle_rate", 0.98, 0.965, s), { text: "+1.5 个百分点", dir: "up" });
  assert.deepEqual(M.change("handle_rate", 0.9, 0.95, s), { text: "−5.0 个百分点", dir: "down" });
  assert.deepEqual(M.change("filed", 10, 12, s), { text: "−2 件", dir: "down" });
  assert.deepEqual(M.change("filed", 3, 3, s), { text: "持平", dir: "same" });
  assert.deepEqual(M.change("satisfaction_rate", 0.9, null, s), { text: "", dir: "none" });
});

test("the composite index is on target from 1.0, close within 5 %, below under that", () => {
  assert.equal(M.indexTone(1.02), "good");
  assert.equal(M.indexTone(1), "good");
  assert.equal(M.indexTone(0.96), "warn");
  assert.equal(M.indexTone(0.9), "bad");
  assert.equal(M.indexTone(null), "none");
});

test("countdowns say what is left or how long it is overdue", () => {
  const now = Date.parse("2026-03-02T09:00:00+08:00");
  const left = M.countdown(now + 3600e3 + 61e3, now, s, sla.duration);
  assert.deepEqual(left, { text: "剩余 01:01:01", over: false });
  const over = M.countdown(now - 26 * 3600e3, now, s, sla.duration);
  assert.equal(over.over, true);
  assert.match(over.text, /^超时 1天/);
  assert.deepEqual(M.countdown(null, now, s, sla.duration), { text: "无时限", over: false });
});

test("a live row is in scope by its grid code's prefix; a district sees every row", () => {
  const row = { grid_code: "110112001002003", street_code: "110112001" };
  assert.equal(M.inScope(row, "110112"), true);
  assert.equal(M.inScope(row, "110112001"), true);
  assert.equal(M.inScope(row, "110112001002"), true);
  assert.equal(M.inScope(row, "110112002"), false);
  assert.equal(M.inScope(row, "110112001003"), false);
});

test("a command's answer updates the row but keeps what only the summary knows", () => {
  const item = { id: 7, code: "C1", version: 3, supervision_count: 1, instruction_count: 0, grid_name: "一网格", reasons: ["overdue"] };
  const answer = { id: 7, version: 4, supervision_count: 2, instruction_count: 0, state: "handling", description: "x" };
  const merged = M.merge(item, answer);
  assert.equal(merged.version, 4);
  assert.equal(merged.supervision_count, 2);
  assert.equal(merged.grid_name, "一网格");
  assert.deepEqual(merged.reasons, ["overdue"]);
  assert.equal(merged.description, undefined);
  assert.deepEqual(M.merge(item, { id: 8, version: 9 }), item); // another case's answer changes nothing
});

function fakeClock() {
  const clock = { t: 0, timers: [] };
  clock.now = () => clock.t;
  clock.setTimeout = (fn, ms) => {
    const timer = { fn, at: clock.t + ms };
    clock.timers.push(timer);
    return timer;
  };
  clock.clearTimeout = (timer) => {
    clock.timers = clock.timers.filter((x) => x !== timer);
  };
  clock.advance = async (ms) => {
    clock.t += ms;
    const due = clock.timers.filter((x) => x.at <= clock.t);
    clock.timers = clock.timers.filter((x) => x.at > clock.t);
    due.forEach((x) => x.fn());
    await new Promise((r) => setImmediate(r));
  };
  return clock;
}

test("deltas refetch at most every 2 s; a burst coalesces into one trailing fetch", async () => {
  const clock = fakeClock();
  let runs = 0;
  const f = M.refetcher({ run: () => (runs += 1), minMs: 2000, ...clock });
  f.request();
  await clock.advance(0);
  assert.equal(runs, 1);
  for (let i = 0; i < 10; i++) {
    f.request();
    await clock.advance(100);
  }
  assert.equal(runs, 1); // within the 2 s: waiting
  await clock.advance(1000);
  assert.equal(runs, 2); // one trailing fetch for the whole burst
  await clock.advance(5000);
  assert.equal(runs, 2);
  f.force(); // a tap does not wait
  await clock.advance(0);
  assert.equal(runs, 3);
});

test("a request during a fetch runs once more after it", async () => {
  const clock = fakeClock();
  let release;
  let runs = 0;
  const f = M.refetcher({
    run: () => {
      runs += 1;
      return new Promise((r) => (release = r));
    },
    minMs: 2000,
    ...clock,
  });
  f.force();
  f.request();
  f.request();
  assert.equal(runs, 1);
  release();
  await clock.advance(0);
  await clock.advance(2000);
  assert.equal(runs, 2);
  release();
  await clock.advance(0);
  assert.equal(f.idle(), true);
});
