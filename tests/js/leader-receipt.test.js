// Unit tests of the 督办 read receipt in the leader pass's pure logic (assets/leader/10-model.js): pending with its
// countdown, answered (who, when), overdue once the deadline passes unanswered; the dialog's reply-by choices.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const path = require("node:path");

const M = require(path.join(__dirname, "..", "..", "assets", "leader", "10-model.js"));
const format = require(path.join(__dirname, "..", "..", "assets", "shared", "format.js"));
const sla = require(path.join(__dirname, "..", "..", "assets", "shared", "sla.js"));

const STRINGS = {
  "leader.left": "剩余 {time}",
  "leader.over": "超时 {time}",
  "leader.no_deadline": "无时限",
  "leader.day": "天",
  "leader.reply.pending": "督办待回复",
  "leader.reply.acked": "已回复 · {who} {time}",
  "leader.reply.overdue": "逾期未回复",
};
const s = (key, vars) => format.t(STRINGS, key, vars);
const NOW = Date.parse("2026-12-03T15:00:00+08:00");
const row = (extra) => ({ id: 1, supervision_count: 1, supervision_reply_by: null, supervision_acked_at: null, ...extra });

test("a case never supervised has no receipt", () => {
  assert.deepEqual(M.receipt(row({ supervision_count: 0 }), NOW, s, sla.duration), { status: null, text: "" });
  assert.equal(M.receipt(undefined, NOW, s, sla.duration).status, null);
});

test("a pending reply counts down to its deadline, and without one just waits", () => {
  const due = row({ supervision_reply_by: "2026-12-03T17:00:00+08:00" });
  const r = M.receipt(due, NOW, s, sla.duration);
  assert.equal(r.status, "pending");
  assert.ok(r.text.startsWith("督办待回复 · 剩余 "), r.text);
  assert.match(r.text, /02:00/);
  assert.deepEqual(M.receipt(row(), NOW, s, sla.duration), { status: "pending", text: "督办待回复" });
});

test("past its deadline unanswered the reply is overdue; answered it says who and when, late or not", () => {
  const late = row({ supervision_reply_by: "2026-12-03T14:30:00+08:00" });
  const r = M.receipt(late, NOW, s, sla.duration);
  assert.equal(r.status, "overdue");
  assert.ok(r.text.startsWith("逾期未回复 · 超时 "), r.text);
  const answered = { ...late, supervision_acked_at: "2026-12-03T14:45:10+08:00", supervision_acked_by: "城管委-张" };
  assert.deepEqual(M.receipt(answered, NOW, s, sla.duration), { status: "acked", text: "已回复 · 城管委-张 12-03 14:45" });
});

test("the summary's offset is read from its local time", () => {
  assert.equal(M.offsetOf("2026-12-03T15:00:00+08:00"), 480);
  assert.equal(M.offsetOf("2026-07-01T09:00:00-04:30"), -270);
  assert.equal(M.offsetOf("2026-12-03T07:00:00Z"), 0);
  assert.equal(M.offsetOf(undefined), 0);
});

test("reply-by choices: 2 hours, the end of the local day, 3 days, or none", () => {
  assert.equal(M.replyBy("none", NOW, 480), null);
  assert.equal(M.replyBy("bogus", NOW, 480), null);
  assert.equal(M.replyBy("2h", NOW, 480), "2026-12-03T17:00:00+08:00");
  assert.equal(M.replyBy("today", NOW, 480), "2026-12-03T23:59:59+08:00");
  assert.equal(M.replyBy("3d", NOW, 480), "2026-12-06T15:00:00+08:00");
  // 01:30 local is still the day before in UTC: "today" is the center's day, not UTC's.
  const early = Date.parse("2026-12-04T01:30:00+08:00");
  assert.equal(M.replyBy("today", early, 480), "2026-12-04T23:59:59+08:00");
  assert.equal(Date.parse(M.replyBy("2h", NOW, 480)), NOW + 2 * 3600 * 1000);
});

test("a command's answer carries the receipt fields into the needs-me row", () => {
  const item = { id: 1, version: 3, grid_name: "一网格", reasons: ["reply_overdue"], supervision_acked_at: null };
  const answer = { id: 1, version: 4, supervision_acked_at: "2026-12-03T15:01:00+08:00", supervision_acked_by: "h" };
  const merged = M.merge(item, answer);
  assert.equal(merged.supervision_acked_at, answer.supervision_acked_at);
  assert.equal(merged.supervision_acked_by, "h");
  assert.equal(merged.grid_name, "一网格");
});
