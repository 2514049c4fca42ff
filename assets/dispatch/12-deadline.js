/* GridCommand dispatch desk: a row's countdown text ("剩 1:05:09", "超 12:30", "暂停") and its colour class. Pure
 * (no DOM).
 *
 * The colour is the shared rule (shared/sla.js, DESIGN.md section 6) with the thresholds the page was given
 * (`model.thresholds`, from data-config `sla_thresholds`): due-ok | due-amber | due-red | due-over, plus the desk's
 * own due-paused (suspended) and due-none (no running clock). A row without a stage start has no share to judge:
 * due-ok until its deadline passes. Without thresholds (05-config.js has logged why) a running clock is
 * due-unknown: uncoloured, never a guessed copy of the thresholds.
 *
 * Loaded as a plain script (gridcmdDesk.deadline) and by `require` under Node (tests/js/desk-deadline.test.js).
 */
(function (root, factory) {
  "use strict";
  var node = typeof module !== "undefined" && module.exports;
  var api = node
    ? factory(require("../shared/sla.js"), require("../shared/format.js"))
    : factory(root.gridcmdSla, root.gridcmdFormat);
  if (node) module.exports = api;
  else (root.gridcmdDesk = root.gridcmdDesk || {}).deadline = api;
})(typeof self !== "undefined" ? self : this, function (sla, fmt) {
  "use strict";

  var CLASS = { green: "due-ok", amber: "due-amber", red: "due-red", over: "due-over" };

  function word(model, key) {
    return fmt.t(model.strings, key);
  }

  /** "1:05:09", "05:09" under an hour; from a day on "2天03时" (the day and hour words from the strings). */
  function durationText(ms, model) {
    var sec = Math.floor(ms / 1000);
    var d = Math.floor(sec / 86400);
    var hh = Math.floor((sec % 86400) / 3600);
    var mm = Math.floor((sec % 3600) / 60);
    var ss = sec % 60;
    if (d > 0) return d + word(model, "dispatch.unit.day") + fmt.pad2(hh) + word(model, "dispatch.unit.hour");
    if (hh > 0) return hh + ":" + fmt.pad2(mm) + ":" + fmt.pad2(ss);
    return fmt.pad2(mm) + ":" + fmt.pad2(ss);
  }

  function running(row, model) {
    return !!row._due && !model.terminal.has(row.state);
  }

  /** The countdown of `row` at server time `t`. */
  function countdownText(row, t, model) {
    if (row.state === "suspended") return word(model, "dispatch.countdown.paused");
    if (!running(row, model)) return word(model, "dispatch.countdown.none");
    var left = row._due - t;
    return left >= 0
      ? word(model, "dispatch.countdown.left") + " " + durationText(left, model)
      : word(model, "dispatch.countdown.over") + " " + durationText(-left, model);
  }

  /** The colour class of `row`'s countdown at server time `t`. */
  function dueClass(row, t, model) {
    if (row.state === "suspended") return "due-paused";
    if (!running(row, model)) return "due-none";
    var left = row._due - t;
    if (left < 0) return "due-over";
    if (!row._start || row._due <= row._start) return "due-ok";
    if (!model.thresholds) return "due-unknown";
    return CLASS[sla.status(left, row._due - row._start, model.thresholds)];
  }

  return { durationText: durationText, countdownText: countdownText, dueClass: dueClass };
});
