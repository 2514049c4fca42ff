// Unit tests of the desk's cell texts (assets/dispatch/15-cells.js): the queue's description and 批示 cells, the
// panel's clamp of a long description, a suggested patrol by name, and whether the map starts folded.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");

const { desk, caseRow } = require("./desk-fixture.js");

const cells = desk("15-cells.js");

test("the description cell shows the first non-empty line, trimmed, as text", () => {
  assert.equal(cells.firstLine("  井盖缺失  \n详见照片"), "井盖缺失");
  assert.equal(cells.firstLine("\r\n\n  第二行才有字\r\n第三行"), "第二行才有字");
  assert.equal(cells.firstLine("<b>不是标记</b>"), "<b>不是标记</b>"); // text, the grid never parses it
  assert.equal(cells.firstLine(null), "");
  assert.equal(cells.firstLine(undefined), "");
  assert.equal(cells.firstLine(""), "");
});

test("a long description (over 140 characters or 4 lines) is clamped in the panel; a short one is not", () => {
  assert.ok(!cells.isLong("井盖缺失"));
  assert.ok(!cells.isLong(""));
  assert.ok(cells.isLong("路".repeat(2000)));
  assert.ok(cells.isLong("一\n二\n三\n四\n五"));
  assert.ok(!cells.isLong("一\n二\n三\n四"));
});

test("批示×N marks rows with leaders' instructions; none marks nothing", () => {
  assert.equal(cells.instructionMark(caseRow({ instruction_count: 2 }), "批示"), "批示×2");
  assert.equal(cells.instructionMark(caseRow({ instruction_count: 0 }), "批示"), "");
  assert.equal(cells.instructionMark(caseRow({ instruction_count: undefined }), "批示"), "");
  assert.equal(cells.instructionMark(null, "批示"), "");
});

test("a suggested patrol is listed by name, phone and distance; off the roster by its code", () => {
  const named = { id: "110112001001001-02", name: "张伟", phone: "13900001111", distance_m: 120 };
  assert.deepEqual(cells.patrolParts(named, "120米"), {
    name: "张伟",
    code: "110112001001001-02",
    phone: "13900001111",
    distance: "120米",
  });
  assert.equal(cells.patrolLabel(named, "120米"), "张伟 · 13900001111 · 120米");
  const unknown = { id: "XC-007", name: null, phone: null, distance_m: 80 };
  assert.deepEqual(cells.patrolParts(unknown, "80米"), { name: "XC-007", code: "", phone: "", distance: "80米" });
  assert.equal(cells.patrolLabel(unknown, "80米"), "XC-007 · 80米");
  assert.equal(cells.patrolLabel({ id: "XC-8" }, "1.2公里"), "XC-8 · 1.2公里"); // an older server: no name at all
});

test("the map starts folded below 1280 px, unless the dispatcher chose otherwise", () => {
  assert.equal(cells.mapFolded(1920, null), false);
  assert.equal(cells.mapFolded(1366, null), false);
  assert.equal(cells.mapFolded(1024, null), true);
  assert.equal(cells.mapFolded(1024, "0"), false);
  assert.equal(cells.mapFolded(1920, "1"), true);
  assert.equal(cells.mapFolded(1920, "junk"), false);
});

test("a narrow queue leaves out the source and department (below 1600 px), then the report time (below 1280)", () => {
  assert.deepEqual(cells.hiddenColumns(1920), []);
  assert.deepEqual(cells.hiddenColumns(1600), []);
  assert.deepEqual(cells.hiddenColumns(1366), ["source", "department_code"]);
  assert.deepEqual(cells.hiddenColumns(1024), ["source", "department_code", "reported_at"]);
  assert.deepEqual(cells.narrowColumns().sort(), ["department_code", "reported_at", "source"]);
});
