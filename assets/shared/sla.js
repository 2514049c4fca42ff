/* GridCommand: deadline (SLA) status and countdown text, shared by the big screen and the dispatch desk.
 *
 * Status rule (DESIGN.md section 6 colours): share left = time left / the stage's allowance (deadline - stage
 * start). Overdue once the time left is negative; else red when the share left is <= thresholds.red, amber when
 * <= thresholds.amber, green above. An allowance of 0 (or less) leaves no share: red until the deadline passes.
 *
 * The thresholds are defined once, in Python, and handed to the page (the wall's data-config `sla_thresholds`,
 * {amber: 0.5, red: 0.1}); this file holds no copy of them and refuses to guess when they are missing.
 *
 *   gridcmdSla.status(leftMs, spanMs, thresholds)  // "green" | "amber" | "red" | "over"; throws without thresholds
 *   gridcmdSla.duration(ms, dayWord)               // "03:15:20"; beyond a day "2天03:15" (sign ignored)
 *   gridcmdSla.thresholds(value)                   // {amber, red} when `value` (a page's sla_thresholds) is valid
 *                                                  // (0 <= red <= amber <= 1), else null: the page says so and
 *                                                  // leaves running clocks uncoloured
 *
 * Loaded as a plain script in every view (global `gridcmdSla`, from /static/shared/ before the view's own assets;
 * layouts/dash_app.py) and by `require` under Node (tests/js/sla.test.js).
 */
(function (root, factory) {
  "use strict";
  var api = factory();
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  else root.gridcmdSla = api;
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  function valid(t) {
    return !!t && typeof t.amber === "number" && typeof t.red === "number" && t.red >= 0 && t.red <= t.amber && t.amber <= 1;
  }

  /** {amber, red} from `value` when both are shares with 0 <= red <= amber <= 1, else null. */
  function thresholds(value) {
    return valid(value) ? { amber: value.amber, red: value.red } : null;
  }

  /** "green" | "amber" | "red" | "over" for `leftMs` left of an allowance of `spanMs`. */
  function status(leftMs, spanMs, t) {
    if (!valid(t)) throw new TypeError("gridcmdSla: thresholds must be {amber, red} with 0 <= red <= amber <= 1");
    if (leftMs < 0) return "over";
    var share = spanMs > 0 ? leftMs / spanMs : 0;
    if (share <= t.red) return "red";
    if (share <= t.amber) return "amber";
    return "green";
  }

  function pad(n) {
    return n < 10 ? "0" + n : String(n);
  }

  /** "03:15:20" for a duration in ms (sign ignored); beyond a day "2天03:15" (minutes are precise enough then). */
  function duration(ms, dayWord) {
    var s = Math.floor(Math.abs(ms) / 1000);
    var d = Math.floor(s / 86400);
    s -= d * 86400;
    var hm = pad(Math.floor(s / 3600)) + ":" + pad(Math.floor((s % 3600) / 60));
    return d ? d + dayWord + hm : hm + ":" + pad(s % 60);
  }

  return { status: status, duration: duration, thresholds: thresholds };
});
