// Unit tests of which commands a dispatch desk row offers (assets/dispatch/13-actions.js), from the legal-actions
// tables of the page's data-config, plus merge offers, bulk dispatch and routing to departments.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");

const { desk, model, caseRow, STREET, OTHER_STREET } = require("./desk-fixture.js");

const actions = desk("13-actions.js");
const streetDesk = model({ scope: STREET });
const districtDesk = model({ scope: "110112" });
const handlerDesk = model({ role: "handler" });

function detailOf(row, commands = []) {
  return { id: row.id, version: row.version, timeline: commands.map((command) => ({ command })) };
}

test("a fresh report offers filing first, then the other reported-state commands, in the panel's order", () => {
  const r = caseRow({ state: "reported" });
  assert.deepEqual(actions.legal(r, streetDesk, null), ["file", "reject", "escalate", "supervise", "self-handle"]);
});

test("each state offers exactly what its sources allow the role", () => {
  const legal = (state, m = streetDesk, fields = {}) => {
    const r = caseRow({ state, ...fields });
    return actions.legal(r, m, detailOf(r));
  };
  assert.deepEqual(legal("filed"), ["dispatch", "escalate", "supervise", "suspend"]);
  assert.deepEqual(legal("returned"), ["dispatch", "escalate", "supervise", "suspend"]);
  assert.deepEqual(legal("dispatched"), ["escalate", "supervise", "suspend", "extend"]);
  assert.deepEqual(legal("handled"), ["verify", "escalate", "supervise"]);
  assert.deepEqual(legal("suspended"), ["escalate", "supervise", "resume"]);
  assert.deepEqual(legal("closed"), ["visit-back"]);
  assert.deepEqual(legal("merged"), []);
  assert.deepEqual(legal("dispatched", handlerDesk), ["acknowledge", "return"]);
  assert.deepEqual(legal("handling", handlerDesk), ["report-handled"]);
  assert.deepEqual(legal("reported", handlerDesk), []);
});

test("a command missing from the config's sources is never offered", () => {
  const m = model();
  delete m.sources.verify;
  m.sources.file = new Set(["filed"]);
  const handled = caseRow({ state: "handled" });
  assert.deepEqual(actions.legal(handled, m, detailOf(handled)), ["escalate", "supervise"]);
  assert.ok(actions.legal(caseRow({ state: "filed" }), m, null).includes("file"));
  assert.ok(!actions.legal(caseRow({ state: "reported" }), m, null).includes("file"));
});

test("escalated cases: read-only for a street desk; the district desk cannot escalate further", () => {
  const r = caseRow({ state: "filed", tier: "district" });
  assert.deepEqual(actions.legal(r, streetDesk, detailOf(r)), []);
  assert.equal(actions.noneReason(r, streetDesk, detailOf(r)), "dispatch.panel.read_only");
  assert.deepEqual(actions.legal(r, districtDesk, detailOf(r)), ["dispatch", "supervise", "suspend"]);
  assert.ok(!actions.canMerge(caseRow({ state: "reported", tier: "district" }), streetDesk));
  assert.ok(actions.canMerge(caseRow({ state: "reported", tier: "district" }), districtDesk));
});

test("extend (twice) and visit-back (once) wait for the current audit trail and count it", () => {
  const r = caseRow({ state: "handling", version: 4 });
  assert.ok(!actions.legal(r, streetDesk, null).includes("extend"));
  assert.ok(!actions.legal(r, streetDesk, { ...detailOf(r), version: 3 }).includes("extend")); // an older trail
  assert.ok(!actions.legal(r, streetDesk, { ...detailOf(r), id: r.id + 1 }).includes("extend")); // another case's
  assert.ok(actions.legal(r, streetDesk, detailOf(r, ["extend"])).includes("extend"));
  assert.ok(!actions.legal(r, streetDesk, detailOf(r, ["extend", "supervise", "extend"])).includes("extend"));
  const closed = caseRow({ state: "closed" });
  assert.deepEqual(actions.legal(closed, streetDesk, detailOf(closed, ["verify"])), ["visit-back"]);
  assert.deepEqual(actions.legal(closed, streetDesk, detailOf(closed, ["verify", "visit-back"])), []);
  assert.equal(actions.noneReason(closed, streetDesk, detailOf(closed, ["visit-back"])), "dispatch.panel.visited");
  assert.equal(actions.noneReason(closed, streetDesk, null), "dispatch.loading");
  const merged = caseRow({ state: "merged" });
  assert.equal(actions.noneReason(merged, streetDesk, detailOf(merged)), "dispatch.panel.no_actions");
  assert.deepEqual(actions.legal(null, streetDesk, null), []);
});

test("merge offers: whichever of the two is still a fresh report goes into the other", () => {
  const report = caseRow({ state: "reported" });
  const filed = caseRow({ state: "filed" });
  assert.equal(actions.mergeOffer(report, filed, streetDesk), "into");
  assert.equal(actions.mergeOffer(filed, report, streetDesk), "here");
  assert.equal(actions.mergeOffer(filed, caseRow({ state: "handling" }), streetDesk), null);
  assert.equal(actions.mergeOffer(caseRow({ state: "closed" }), report, streetDesk), null);
  assert.equal(actions.mergeOffer(report, filed, handlerDesk), null);
});

test("bulk dispatch takes the dispatchable rows within reach", () => {
  assert.ok(actions.bulkDispatchable(caseRow({ state: "filed" }), streetDesk));
  assert.ok(actions.bulkDispatchable(caseRow({ state: "returned" }), streetDesk));
  assert.ok(!actions.bulkDispatchable(caseRow({ state: "reported" }), streetDesk));
  assert.ok(!actions.bulkDispatchable(caseRow({ state: "filed", tier: "district" }), streetDesk));
  assert.ok(actions.bulkDispatchable(caseRow({ state: "filed", tier: "district" }), districtDesk));
});

test("routing: the catalog's department, JD being the case's own street unit", () => {
  const catalog = new Map([
    ["0101", { code: "0101", department: "CGZF" }],
    ["0102", { code: "0102", department: "JD" }],
    ["0103", { code: "0103", department: "" }],
  ]);
  assert.equal(actions.catalogDept(caseRow({ category_code: "0101" }), catalog), "CGZF");
  assert.equal(actions.catalogDept(caseRow({ category_code: "0102", street_code: OTHER_STREET }), catalog), OTHER_STREET + "ZF");
  assert.equal(actions.catalogDept(caseRow({ category_code: "0103" }), catalog), null);
  assert.equal(actions.catalogDept(caseRow({ category_code: "9999" }), catalog), null);
  assert.equal(actions.catalogDept(caseRow(), catalog), null);
});

test("dispatch targets: the suggested one, the case's street units, then the district's, never JD or other streets", () => {
  const codes = (row, suggested) => actions.deptItems(row, suggested, streetDesk).map((x) => x.value);
  const r = caseRow({ street_code: STREET });
  assert.deepEqual(codes(r, "JTJ"), ["JTJ", STREET + "CG", STREET + "ZF", "CGZF"]);
  assert.deepEqual(codes(r, null), [STREET + "CG", STREET + "ZF", "CGZF", "JTJ"]);
  assert.deepEqual(codes(null, null), ["CGZF", "JTJ"]); // several cases: district departments only
  assert.deepEqual(codes(null, OTHER_STREET + "ZF"), [OTHER_STREET + "ZF", "CGZF", "JTJ"]); // suggested, unlisted
  assert.deepEqual(codes(r, "NOPE"), [STREET + "CG", STREET + "ZF", "CGZF", "JTJ"]);
  const jdDistrict = { ...streetDesk, deptList: streetDesk.deptList.map((d) => (d.code === "JD" ? { ...d, tier: "district" } : d)) };
  assert.ok(!actions.deptItems(r, null, jdDistrict).some((x) => x.value === "JD")); // resolved, never picked itself
  const item = actions.deptItems(r, null, streetDesk)[0];
  assert.equal(item.text, (STREET + "CG 第01街道城市管理办公室").toLowerCase());
  assert.equal(item.dept.name, "第01街道城市管理办公室");
});

test("the file dialog preselects the reported category, else the suggested one, never the catalog's first", () => {
  const catalog = new Map([
    ["01010101", { code: "01010101", major: "社会治安", minor: "矛盾纠纷" }],
    ["02030101", { code: "02030101", major: "市容环境", minor: "垃圾桶满溢" }],
    ["02050101", { code: "02050101", major: "市政设施", minor: "路灯不亮" }],
  ]);
  const reported = caseRow({ category_code: "02030101" });
  const sugg = { category: { code: "02050101", name: "市政设施 › 路灯不亮" } };
  assert.equal(actions.fileChoice(reported, sugg, catalog), "02030101"); // what the reporter said wins
  assert.equal(actions.fileChoice(caseRow(), sugg, catalog), "02050101");
  assert.equal(actions.fileChoice(caseRow(), null, catalog), null); // neither: nothing preselected
  assert.equal(actions.fileChoice(caseRow(), { category: null }, catalog), null);
  assert.equal(actions.fileChoice(caseRow({ category_code: "99999999" }), null, catalog), null); // not in the catalog
  assert.equal(actions.fileChoice(caseRow({ category_code: "99999999" }), sugg, catalog), "02050101");
  assert.equal(actions.fileChoice(null, null, catalog), null);
});

test("批示 is offered to whoever may instruct, on any case, after supervision; its note is required", () => {
  const adminDesk = model({ role: "admin", scope: "110112" });
  const reported = caseRow({ state: "reported" });
  const got = actions.legal(reported, adminDesk, detailOf(reported));
  assert.ok(got.includes("instruct"));
  assert.equal(got.indexOf("instruct"), got.indexOf("supervise") + 1);
  const closed = caseRow({ state: "closed" });
  assert.ok(actions.legal(closed, adminDesk, detailOf(closed)).includes("instruct"));
  assert.ok(!actions.legal(reported, streetDesk, detailOf(reported)).includes("instruct")); // not a dispatcher's
  assert.ok(actions.ORDER.includes("instruct"));
  assert.equal(actions.REASON_REQUIRED.instruct, true);
});

test("回复督办 is offered only while a supervision waits for its answer", () => {
  const pending = caseRow({ state: "handling", supervision_count: 1, supervision_acked_at: null });
  assert.ok(actions.legal(pending, streetDesk, detailOf(pending)).includes("ack-supervision"));
  const answered = caseRow({ state: "handling", supervision_count: 1, supervision_acked_at: "2026-12-03T10:00:00+08:00" });
  assert.ok(!actions.legal(answered, streetDesk, detailOf(answered)).includes("ack-supervision"));
  const never = caseRow({ state: "handling", supervision_count: 0 });
  assert.ok(!actions.legal(never, streetDesk, detailOf(never)).includes("ack-supervision"));
});

// A report the intake could not place (12345 order whose address names none of our areas): grid, point null.
const unlocated = (fields = {}) =>
  caseRow({ state: "reported", tier: "district", grid_code: null, street_code: null, lat: null, lon: null, ...fields });

test("a report without a location offers 标注位置 first, and neither filing nor self-handling before it", () => {
  const r = unlocated();
  assert.deepEqual(actions.legal(r, districtDesk, detailOf(r)), ["locate", "reject", "supervise"]);
  assert.equal(actions.PRIMARY.locate, true);
  // Located, it is an ordinary report: filing comes first again and locate is no longer offered.
  const placed = caseRow({ state: "reported" });
  assert.deepEqual(actions.legal(placed, districtDesk, detailOf(placed)).slice(0, 2), ["file", "reject"]);
  assert.ok(!actions.legal(placed, districtDesk, detailOf(placed)).includes("locate"));
  // A street desk never holds it (no street yet), and a leader may not locate.
  assert.deepEqual(actions.legal(r, streetDesk, detailOf(r)), []);
  assert.ok(!actions.legal(r, model({ role: "leader", scope: "110112" }), detailOf(r)).includes("locate"));
});

test("the locate dialog reads two plain numbers in range, or one pasted pair", () => {
  assert.deepEqual(actions.parsePoint("39.9012345", "116.7"), { lat: 39.901235, lon: 116.7 });
  assert.deepEqual(actions.parsePoint(" 39.91 ", "+116.70"), { lat: 39.91, lon: 116.7 });
  assert.deepEqual(actions.parsePoint("39.91, 116.70", ""), { lat: 39.91, lon: 116.7 });
  assert.deepEqual(actions.parsePoint("39.91，116.70", null), { lat: 39.91, lon: 116.7 });
  for (const [a, b] of [
    ["", ""],
    ["39.9", ""],
    ["91", "116"],
    ["39.9", "181"],
    ["NaN", "116"],
    ["Infinity", "116"],
    ["1e2", "116"],
    ["39.9abc", "116"],
    ["0x10", "116"],
    ["39.9, 116.7, 3", ""],
    ["<img>", "116"],
  ]) {
    assert.equal(actions.parsePoint(a, b), null, `${a} / ${b}`);
  }
});
