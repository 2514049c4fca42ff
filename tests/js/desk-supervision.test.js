// Unit tests of the desk's 督办 answer (assets/dispatch/15-cells.js): the queue's 督办 cell and its class, and the
// panel's line — waiting for the answer (with its deadline), answered (who, when), or flagged once its reply
// deadline passed unanswered, against the desk's clock as the leader pass reads it. `node --test tests/js/`.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const path = require("node:path");

const { desk, caseRow } = require("./desk-fixture.js");
const format = require(path.join(__dirname, "..", "..", "assets", "shared", "format.js"));

const cells = desk("15-cells.js");
const WORDS = { pending: "待复", acked: "已复", overdue: "逾期" };
const STRINGS = {
  "dispatch.reply.pending": "督办待回复",
  "dispatch.reply.pending_by": "督办待回复 · 限 {time}",
  "dispatch.reply.overdue": "督办逾期未回复 · 限 {time}",
  "dispatch.reply.acked": "督办已回复 · {who} {time}",
};
const s = (key, vars) => format.t(STRINGS, key, vars);
const NOW = Date.parse("2026-12-03T10:00:00+08:00");
const hm = (ms) => new Date(ms + 8 * 3600e3).toISOString().slice(11, 16);

const asked = (over) =>
  caseRow(Object.assign({ supervision_count: 2, supervision_reply_by: "2026-12-03T14:30:00+08:00" }, over));

test("never supervised: no mark, no class of its own, no line", () => {
  const row = caseRow({ supervision_count: 0 });
  assert.equal(cells.supervisionMark(row, NOW, WORDS), "");
  assert.equal(cells.supervisionClass(row, NOW), "dq-sup");
  assert.equal(cells.replyText(row, NOW, s, hm), "");
  assert.equal(cells.supervisionReply(row, NOW).status, null);
});

test("a supervision without a reply deadline shows its count only in the row, 待回复 in the panel", () => {
  const row = caseRow({ supervision_count: 1, supervision_reply_by: null });
  assert.equal(cells.supervisionMark(row, NOW, WORDS), "×1");
  assert.equal(cells.supervisionClass(row, NOW), "dq-sup");
  assert.equal(cells.replyText(row, NOW, s, hm), "督办待回复");
});

test("a reply asked by a deadline waits for it, then turns overdue as the deadline passes (no delta needed)", () => {
  const row = asked();
  assert.equal(cells.supervisionMark(row, NOW, WORDS), "×2 待复");
  assert.equal(cells.supervisionClass(row, NOW), "dq-sup dq-sup-pending");
  assert.equal(cells.replyText(row, NOW, s, hm), "督办待回复 · 限 14:30");
  const later = Date.parse("2026-12-03T14:30:01+08:00");
  assert.equal(cells.supervisionMark(row, later, WORDS), "×2 逾期");
  assert.equal(cells.supervisionClass(row, later), "dq-sup dq-sup-overdue");
  assert.equal(cells.replyText(row, later, s, hm), "督办逾期未回复 · 限 14:30");
});

test("an answer shows who answered when, whether or not a deadline was asked, and is never overdue", () => {
  const acked = { supervision_acked_at: "2026-12-03T09:12:00+08:00", supervision_acked_by: "handler-cgw" };
  const late = Date.parse("2026-12-04T09:00:00+08:00");
  assert.equal(cells.supervisionMark(asked(acked), late, WORDS), "×2 已复");
  assert.equal(cells.supervisionClass(asked(acked), late), "dq-sup dq-sup-acked");
  assert.equal(cells.replyText(asked(acked), late, s, hm), "督办已回复 · handler-cgw 09:12");
  const plain = caseRow(Object.assign({ supervision_count: 1, supervision_reply_by: null }, acked));
  assert.equal(cells.supervisionMark(plain, late, WORDS), "×1 已复");
});

test("a garbled reply deadline is no deadline (the row still counts the supervision)", () => {
  const row = asked({ supervision_reply_by: "tomorrow" });
  assert.equal(cells.supervisionMark(row, NOW, WORDS), "×2");
  assert.equal(cells.supervisionReply(row, NOW).status, "pending");
});
