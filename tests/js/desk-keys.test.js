// Unit tests of the dispatch desk's key map (assets/dispatch/14-keys.js): what each key does on the queue, in a
// dialog, in a text field and with the key help open.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");

const { desk } = require("./desk-fixture.js");

const keys = desk("14-keys.js");
const TABS = ["reported", "to_dispatch", "handling", "to_verify", "overdue", "supervised", "suspended", "closed", "all"];
const QUEUE = { dialog: false, help: false, multi: 0, tabs: TABS };
const BODY = { tagName: "BODY", id: "" };

function press(key, ctx = {}, target = BODY, mods = {}) {
  return keys.resolve({ key, target, ...mods }, { ...QUEUE, ...ctx });
}

test("on the queue: moving, commands, search, tabs, map, sound, help", () => {
  assert.deepEqual(press("j"), { run: "step", arg: 1, prevent: true });
  assert.deepEqual(press("ArrowDown"), { run: "step", arg: 1, prevent: true });
  assert.deepEqual(press("k"), { run: "step", arg: -1, prevent: true });
  assert.deepEqual(press("ArrowUp"), { run: "step", arg: -1, prevent: true });
  const commands = ["f", "d", "e", "s", "r", "v"].map((k) => press(k));
  assert.deepEqual(commands.map((a) => a.arg), ["file", "dispatch", "escalate", "supervise", "reject", "verify"]);
  assert.ok(commands.every((a) => a.run === "command" && !a.prevent)); // prevented only if the dialog opens
  assert.deepEqual(press("/"), { run: "focusSearch", prevent: true });
  assert.deepEqual(press("1"), { run: "tab", arg: "reported" });
  assert.deepEqual(press("9"), { run: "tab", arg: "all" });
  assert.equal(press("3", { tabs: ["reported", "all"] }), null); // no third tab
  assert.equal(press("0"), null);
  assert.deepEqual(press("z"), { run: "locate" });
  assert.deepEqual(press("m"), { run: "mute" });
  assert.deepEqual(press("?"), { run: "help" });
  for (const k of ["x", "F", "Enter", "Tab", " ", "constructor", "toString"]) assert.equal(press(k), null, k);
});

test("d with several cases selected is bulk dispatch; Esc clears a multi-selection", () => {
  assert.deepEqual(press("d", { multi: 2 }), { run: "bulk", prevent: true });
  assert.equal(press("d", { multi: 1 }).run, "command");
  assert.deepEqual(press("Escape", { multi: 3 }), { run: "clearMulti" });
  assert.equal(press("Escape", { multi: 0 }), null);
});

test("modified keys are the browser's", () => {
  for (const mods of [{ ctrlKey: true }, { altKey: true }, { metaKey: true }]) {
    assert.equal(press("f", {}, BODY, mods), null);
    assert.equal(press("Escape", { dialog: true }, BODY, mods), null);
  }
  assert.ok(keys.modified({ ctrlKey: true }) && !keys.modified({ shiftKey: true }));
});

test("in a dialog: Enter confirms, Esc cancels, nothing else is a shortcut", () => {
  const dialog = { dialog: true };
  const input = { tagName: "INPUT", id: "dispatch-dept-search" };
  const note = { tagName: "TEXTAREA", id: "dispatch-dialog-note" };
  assert.deepEqual(press("Enter", dialog, input), { run: "confirm", prevent: true });
  assert.deepEqual(press("Enter", dialog, note), { run: "confirm", prevent: true });
  assert.equal(press("Enter", dialog, note, { shiftKey: true }), null); // a new line in the note
  assert.deepEqual(press("Enter", dialog, input, { shiftKey: true }), { run: "confirm", prevent: true });
  assert.equal(press("Enter", dialog, { tagName: "BUTTON", id: "dispatch-dialog-cancel" }), null);
  assert.deepEqual(press("Enter", dialog, { tagName: "BUTTON", id: "dispatch-dialog-confirm" }), { run: "confirm", prevent: true });
  assert.deepEqual(press("Escape", dialog, note), { run: "closeDialog", prevent: true });
  for (const k of ["j", "f", "d", "1", "/", "?"]) assert.equal(press(k, dialog), null, k);
});

test("in a text field keys are text; Esc leaves it, Enter in the search opens the first match", () => {
  const search = { tagName: "INPUT", id: "dispatch-search" };
  for (const target of [search, { tagName: "SELECT", id: "dispatch-street" }, { tagName: "DIV", isContentEditable: true }]) {
    for (const k of ["j", "f", "1", "/", "?"]) assert.equal(press(k, {}, target), null, target.tagName + " " + k);
    assert.deepEqual(press("Escape", {}, target), { run: "blur" });
  }
  assert.deepEqual(press("Enter", {}, search), { run: "searchNext" });
  assert.equal(press("Enter", {}, { tagName: "SELECT", id: "dispatch-street" }), null);
});

test("with the key help open, Esc closes it first", () => {
  assert.deepEqual(press("Escape", { help: true, multi: 2 }), { run: "closeHelp" });
  assert.deepEqual(press("j", { help: true }).run, "step");
});

test("the panel's buttons show the letters the key map uses; the help lists them", () => {
  assert.equal(keys.hotkeyOf("file"), "f");
  assert.equal(keys.hotkeyOf("verify"), "v");
  assert.equal(keys.hotkeyOf("extend"), undefined);
  const shown = keys.HELP.map((row) => row[0]);
  for (const letter of Object.keys(keys.COMMAND_KEYS)) assert.ok(shown.includes(letter.toUpperCase()), letter);
});
