/* GridCommand big screen: what the wall writes — numbers and rates of the KPI tiles and their change against
 * yesterday, grid fill colours, the header clock, marker classes, board and ticker texts, bench summaries.
 * Pure (no DOM): loaded as a plain script (window.gridcmd.screenFormat) and by `require` under Node
 * (tests/js/screen-format.test.js). `strings` are the page's i18n strings (data-i18n); a missing one shows its key.
 */
(function (root, factory) {
  "use strict";
  if (typeof module !== "undefined" && module.exports) module.exports = factory(require("../shared/format.js"));
  else (root.gridcmd = root.gridcmd || {}).screenFormat = factory(root.gridcmdFormat);
})(typeof self !== "undefined" ? self : this, function (shared) {
  "use strict";

  // Grid fill by open cases per 1,000 residents: none, then one colour per step band (legend in layouts/screen.py).
  var LOAD_NONE = "rgba(40,120,200,0.08)";
  var LOAD_COLORS = [
    "rgba(0,190,220,0.22)",
    "rgba(60,210,150,0.32)",
    "rgba(230,210,50,0.40)",
    "rgba(255,140,40,0.50)",
    "rgba(255,60,60,0.60)",
  ];
  var DELTA = "screen-tile-delta";

  function str(strings, key) {
    return strings[key] || key;
  }

  /** "12,345", or "—" when there is no figure yet. */
  function num(n) {
    return n === null || n === undefined ? "—" : Number(n).toLocaleString("zh-CN");
  }

  /** "312/1,809": a part of a total (grids with open cases of all grids); "—" until the total is known. */
  function ofTotal(part, total) {
    return total ? num(part) + "/" + num(total) : "—";
  }

  /** A rate 0..1 as a percentage with one decimal ("93.5"), or "—". */
  function pct(rate) {
    return rate === null || rate === undefined ? "—" : (rate * 100).toFixed(1);
  }

  /** [text, class] of a count's change since the same time yesterday ("▲ 3", up/down/flat; "" without yesterday). */
  function countDelta(today, then, strings) {
    if (then === null || then === undefined) return ["", DELTA];
    var d = today - then;
    if (d === 0) return [str(strings, "screen.delta.same"), DELTA + " is-flat"];
    return [(d > 0 ? "▲ " : "▼ ") + Math.abs(d).toLocaleString("zh-CN"), DELTA + " " + (d > 0 ? "is-up" : "is-down")];
  }

  /** [text, class] of a rate's change in percentage points; for a rate higher is better (good/bad). */
  function rateDelta(today, then, strings) {
    if (today === null || today === undefined) return ["", DELTA];
    if (then === null || then === undefined) return [str(strings, "screen.delta.none"), DELTA + " is-flat"];
    var d = Math.round((today - then) * 1000) / 10;
    if (d === 0) return [str(strings, "screen.delta.same"), DELTA + " is-flat"];
    return [
      (d > 0 ? "▲ " : "▼ ") + Math.abs(d).toFixed(1) + str(strings, "screen.delta.pts"),
      DELTA + " " + (d > 0 ? "is-good" : "is-bad"),
    ];
  }

  /** Fill of a grid with `open` cases and `pop` residents: its band among `steps` (open cases per 1,000). */
  function loadColor(open, pop, steps) {
    if (!open) return LOAD_NONE;
    var per = (open * 1000) / Math.max(pop || 1000, 1);
    var i = 0;
    while (i < steps.length && per >= steps[i]) i++;
    return LOAD_COLORS[Math.min(i, LOAD_COLORS.length - 1)];
  }

  /**
   * The header clock in the wall's zone (assets/shared/format.js): `.stamp(ms)` is "2026-11-22 星期日 18:48:51",
   * in English "2026-11-22 Sun 18:48:51".
   */
  function headerClock(lang, tz) {
    return shared.clock(lang, tz, { weekday: lang === "en" ? "short" : "long" });
  }

  /** Class of a case marker: its id, level, deadline status and state (screen CSS colours them). */
  function caseClass(entry) {
    var row = entry.row;
    return "case-marker case-" + row.id + " lvl-" + (row.level || "n").toLowerCase() + " sla-" + entry.sla + " st-" + row.state;
  }

  /**
   * The pane of a case marker, bottom to top: ordinary markers (aggregated at district zoom), overdue markers (a
   * pane that blinks as a whole), A-level markers, A-level overdue markers (blinking too). A-level and overdue
   * cases are never aggregated and never drawn under an ordinary one (55-mount.js stacks the panes).
   */
  function casePane(entry) {
    var a = entry.row.level === "A";
    if (entry.sla === "over") return a ? "gc-cases-a-over" : "gc-cases-over";
    return a ? "gc-cases-a" : "gc-cases";
  }

  /** A board row's {cat, where}: category (or source), then state, grid and department names. */
  function describe(row, strings, gridName, departments) {
    var dept = row.department_code ? departments[row.department_code] || row.department_code : "";
    var parts = [str(strings, "state." + row.state), gridName(row.grid_code)];
    if (dept) parts.push(dept);
    return { cat: row.category || str(strings, "source." + row.source), where: parts.join(" · ") };
  }

  /** A ticker item's text: category (or source) and grid name; a 督办 that asks for a reply, by when (local hh:mm
   * of its reply_by, which the server writes in the center's time zone; the date too when it is not today's). */
  function alertText(alert, strings, gridName) {
    var text = (alert.category || str(strings, "source." + alert.source)) + " · " + gridName(alert.grid);
    if (alert.kind === "supervised" && typeof alert.reply_by === "string" && alert.reply_by.length >= 16) {
      var sameDay = alert.reply_by.slice(0, 10) === String(alert.at || "").slice(0, 10);
      var when = sameDay ? alert.reply_by.slice(11, 16) : alert.reply_by.slice(5, 16).replace("T", " ");
      text += " · " + str(strings, "screen.ticker.reply_by").split("{time}").join(when);
    }
    return text;
  }

  /** {n, p50, p95, max} of a list of timings (the bench's view of the wall). */
  function summary(list) {
    var sorted = list.slice().sort(function (a, b) {
      return a - b;
    });
    var at = function (q) {
      return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : null;
    };
    return { n: sorted.length, p50: at(0.5), p95: at(0.95), max: sorted.length ? sorted[sorted.length - 1] : null };
  }

  return {
    LOAD_NONE: LOAD_NONE,
    LOAD_COLORS: LOAD_COLORS,
    num: num,
    ofTotal: ofTotal,
    pct: pct,
    countDelta: countDelta,
    rateDelta: rateDelta,
    loadColor: loadColor,
    headerClock: headerClock,
    caseClass: caseClass,
    casePane: casePane,
    describe: describe,
    alertText: alertText,
    summary: summary,
  };
});
