/* GridCommand big screen: which changes raise an alert on the ticker, and the bounded list of alerts it scrolls.
 * Pure (no DOM): loaded as a plain script (window.gridcmd.screenAlerts) and by `require` under Node
 * (tests/js/screen-alerts.test.js). The ticker that draws the list is 21-ticker.js.
 *
 * An alert is {key, kind, id, at, category, source, grid}: kind "a" (the case is, or became, level A),
 * "escalated" (its tier became the district's) or "supervised" (督办; one alert per supervision). The key makes
 * each alert once: a case already on the ticker as level A is not listed again by a later change.
 */
(function (root, factory) {
  "use strict";
  if (typeof module !== "undefined" && module.exports) module.exports = factory(require("./10-deadlines.js"));
  else (root.gridcmd = root.gridcmd || {}).screenAlerts = factory(root.gridcmd.screenDeadlines);
})(typeof self !== "undefined" ? self : this, function (deadlines) {
  "use strict";

  var MAX = 24; // alerts on the ticker at most, the newest

  /** The alert of `kind` for case `row`, dated `at` (default: the row's last change). */
  function make(kind, row, at) {
    return {
      key: kind + ":" + row.id + (kind === "supervised" ? ":" + row.supervision_count : ""),
      kind: kind,
      id: row.id,
      at: at || row.updated_at || row.reported_at || "",
      category: row.category,
      source: row.source,
      grid: row.grid_code,
    };
  }

  /** Alerts raised by a change from `old` (null: a case new to the wall) to `row`; none once a case is closed. */
  function fromChange(old, row) {
    var out = [];
    if (deadlines.TERMINAL[row.state]) return out;
    if (row.level === "A" && (!old || old.level !== "A")) out.push(make("a", row));
    if (row.tier === "district" && old && old.tier !== "district") out.push(make("escalated", row));
    if ((row.supervision_count || 0) > ((old && old.supervision_count) || 0)) out.push(make("supervised", row));
    return out;
  }

  /** After a snapshot: the standing alerts among its open cases (level A, escalated, supervised). */
  function standing(rows) {
    var out = [];
    for (var i = 0; i < rows.length; i++) {
      var row = rows[i];
      if (row.level === "A") out.push(make("a", row, row.reported_at));
      if (row.tier === "district") out.push(make("escalated", row));
      if (row.supervision_count > 0) out.push(make("supervised", row));
    }
    return out;
  }

  /** The newest `max` alerts (default MAX), newest first by `at`, each key once. */
  function List(max) {
    this.max = max || MAX;
    this.items = [];
    this.keys = new Set();
  }

  /** Add `alert` unless its key is known; true when the list changed (then the ticker redraws). */
  List.prototype.push = function (alert) {
    if (this.keys.has(alert.key)) return false;
    this.keys.add(alert.key);
    this.items.push(alert);
    this.items.sort(function (a, b) {
      return b.at < a.at ? -1 : b.at > a.at ? 1 : 0;
    });
    while (this.items.length > this.max) this.keys.delete(this.items.pop().key);
    return true;
  };

  /** "kind:id kind:id …" in the order shown (the test handle's view of the ticker). */
  List.prototype.text = function () {
    return this.items
      .map(function (a) {
        return a.kind + ":" + a.id;
      })
      .join(" ");
  };

  List.prototype.clear = function () {
    this.items = [];
    this.keys.clear();
  };

  return { MAX: MAX, make: make, fromChange: fromChange, standing: standing, List: List };
});
