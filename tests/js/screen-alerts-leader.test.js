// Unit tests of the wall's ticker for the leaders' acts (assets/screen/11-alerts.js, 14-format.js): a 批示 and a
// 督办 both reach the ticker, a 督办 with a reply deadline says by when, and the department's answer (回复督办) is
// news of its own — each once, keyed as GET /api/v1/screen/alerts keys them. `node --test tests/js/`.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const path = require("node:path");

const alerts = require(path.join(__dirname, "..", "..", "assets", "screen", "11-alerts.js"));
const format = require(path.join(__dirname, "..", "..", "assets", "screen", "14-format.js"));

const ROW = {
  id: 9,
  state: "dispatched",
  level: "B",
  tier: "street",
  supervision_count: 0,
  instruction_count: 0,
  supervision_reply_by: null,
  supervision_acked_at: null,
  category: "路灯不亮",
  source: "wechat",
  grid_code: "G9",
  reported_at: "2026-12-03T09:00:00+08:00",
  updated_at: "2026-12-03T10:00:00+08:00",
};
const row = (over) => Object.assign({}, ROW, over);
const keys = (list) => list.map((a) => a.key);
const STRINGS = { "screen.ticker.reply_by": "限{time}前回复" };
const gridName = (code) => "网格" + code;

test("a 批示 raises an alert per instruction, numbered by the instruction count", () => {
  assert.deepEqual(keys(alerts.fromChange(row(), row({ instruction_count: 1 }))), ["instructed:9:1"]);
  assert.deepEqual(keys(alerts.fromChange(row({ instruction_count: 1 }), row({ instruction_count: 2 }))), ["instructed:9:2"]);
  assert.deepEqual(alerts.fromChange(row({ instruction_count: 2 }), row({ instruction_count: 2, version: 5 })), []);
  assert.deepEqual(keys(alerts.fromChange(null, row({ instruction_count: 1 }))), ["instructed:9:1"]);
});

test("a 督办 by a leader is on the ticker too, with its reply deadline when one was asked", () => {
  const next = row({ supervision_count: 1, supervision_reply_by: "2026-12-03T14:30:00+08:00" });
  const [alert] = alerts.fromChange(row(), next);
  assert.equal(alert.key, "supervised:9:1");
  assert.equal(alert.reply_by, "2026-12-03T14:30:00+08:00");
  assert.equal(format.alertText(alert, STRINGS, gridName), "路灯不亮 · 网格G9 · 限14:30前回复");
  const plain = alerts.fromChange(row(), row({ supervision_count: 1 }))[0];
  assert.ok(!("reply_by" in plain));
  assert.equal(format.alertText(plain, STRINGS, gridName), "路灯不亮 · 网格G9");
  // A deadline on another day names the day.
  const tomorrow = Object.assign({}, alert, { reply_by: "2026-12-04T09:00:00+08:00" });
  assert.equal(format.alertText(tomorrow, STRINGS, gridName), "路灯不亮 · 网格G9 · 限12-04 09:00前回复");
});

test("the department's answer to a 督办 is announced once per supervision answered", () => {
  const asked = row({ supervision_count: 1, supervision_reply_by: "2026-12-03T14:30:00+08:00" });
  const answered = Object.assign({}, asked, { supervision_acked_at: "2026-12-03T10:20:00+08:00", version: 6 });
  assert.deepEqual(keys(alerts.fromChange(asked, answered)), ["acked:9:1"]);
  assert.deepEqual(alerts.fromChange(answered, Object.assign({}, answered, { version: 7 })), []);
  // A second supervision clears the answer; its own answer is a new alert.
  const again = row({ supervision_count: 2 });
  assert.deepEqual(keys(alerts.fromChange(answered, again)), ["supervised:9:2"]);
  const reanswered = Object.assign({}, again, { supervision_acked_at: "2026-12-03T11:00:00+08:00" });
  assert.deepEqual(keys(alerts.fromChange(again, reanswered)), ["acked:9:2"]);
});

test("a snapshot lists instructed cases among the standing alerts; an answer is not standing news", () => {
  const rows = [
    row({ id: 1, instruction_count: 2 }),
    row({ id: 2, supervision_count: 1, supervision_acked_at: "2026-12-03T10:20:00+08:00" }),
  ];
  assert.deepEqual(keys(alerts.standing(rows)), ["instructed:1:2", "supervised:2:1"]);
});

test("a closed case raises no 批示 or answer alert", () => {
  const next = row({ state: "closed", instruction_count: 1, supervision_count: 1, supervision_acked_at: "x" });
  assert.deepEqual(alerts.fromChange(row(), next), []);
});
