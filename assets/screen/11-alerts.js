/* GridCommand big screen: which changes raise an alert on the ticker, and the bounded list of alerts it scrolls.
 * Pure (no DOM): loaded as a plain script (window.gridcmd.screenAlerts) and by `require` under Node
 * (tests/js/screen-alerts.test.js). The ticker that draws the list is 21-ticker.js.
 *
 * An alert is {key, kind, id, at, category, source, grid}: kind "a" (the case is, or became, level A — filed as A
 * or raised to A when a dispatcher files it), "overdue" (the overdue rule supervised it: its stage ran out),
 * "escalated" (its tier became the district's), "supervised" (督办 by a person; one alert per supervision, with
 * `reply_by` when it asks for a reply by then), "instructed" (a leader's 批示; one per instruction) or "acked" (the
 * department answered the open 督办, 回复督办; one per supervision answered).
 * Whoever made the change (simulator, dispatcher, the scheduler as system:overdue-rule) the row shows it. The key
 * (kind and case, plus the supervision number for overdue/supervised) makes each alert once: a case already on
 * the ticker as level A is not listed again by a later change, and the alerts a reloaded wall fetches from
 * GET /api/v1/screen/alerts (the same shape and keys) merge with the live ones.
 */
(function (root, factory) {
  "use strict";
  if (typeof module !== "undefined" && module.exports) module.exports = factory(require("./10-deadlines.js"));
  else (root.gridcmd = root.gridcmd || {}).screenAlerts = factory(root.gridcmd.screenDeadlines);
})(typeof self !== "undefined" ? self : this, function (deadlines) {
  "use strict";

  var MAX = 24; // alerts on the ticker at most, the newest
  // Kinds with one alert per event, numbered by the row's count of them: each supervision (a person's or the rule's)
  // and its answer, each instruction.
  var NUMBERED = {
    overdue: "supervision_count",
    supervised: "supervision_count",
    acked: "supervision_count",
    instructed: "instruction_count",
  };

  /** The alert of `kind` for case `row`, dated `at` (default: the row's last change). */
  function make(kind, row, at) {
    var alert = {
      key: kind + ":" + row.id + (NUMBERED[kind] ? ":" + (row[NUMBERED[kind]] || 0) : ""),
      kind: kind,
      id: row.id,
      at: at || row.updated_at || row.reported_at || "",
      category: row.category,
      source: row.source,
      grid: row.grid_code,
    };
    if (kind === "supervised" && row.supervision_reply_by) alert.reply_by = row.supervision_reply_by;
    return alert;
  }

  /**
   * Alerts raised by a change from `old` (null: a case the wall did not hold) to `row`; none once a case is closed.
   * A supervision that comes with a newly set overdue stage is the overdue rule's: "overdue", not "supervised".
   */
  function fromChange(old, row) {
    var out = [];
    if (deadlines.TERMINAL[row.state]) return out;
    if (row.level === "A" && (!old || old.level !== "A")) out.push(make("a", row));
    var overdue = !!row.overdue_stage && (!old || old.overdue_stage !== row.overdue_stage);
    if (overdue) out.push(make("overdue", row));
    // A case first seen at the district's tier was escalated while the wall did not hold it (intake files at the
    // street's): still news. The key keeps it to once per case.
    if (row.tier === "district" && (!old || old.tier !== "district")) out.push(make("escalated", row));
    var count = row.supervision_count || 0;
    if (count > ((old && old.supervision_count) || 0) && !(overdue && (!old || count === old.supervision_count + 1))) {
      out.push(make("supervised", row));
    }
    if ((row.instruction_count || 0) > ((old && old.instruction_count) || 0)) out.push(make("instructed", row));
    // The answer to the open supervision: acked now and not before (a new supervision clears the old answer).
    if (row.supervision_acked_at && (!old || old.supervision_acked_at !== row.supervision_acked_at)) out.push(make("acked", row));
    return out;
  }

  /** After a snapshot: the standing alerts among its open cases (level A, overdue, escalated, supervised,
   * instructed; an answer is news only when it arrives). */
  function standing(rows) {
    var out = [];
    for (var i = 0; i < rows.length; i++) {
      var row = rows[i];
      if (row.level === "A") out.push(make("a", row, row.reported_at));
      if (row.overdue_stage) out.push(make("overdue", row));
      if (row.tier === "district") out.push(make("escalated", row));
      if (row.supervision_count > 0 && !row.overdue_stage) out.push(make("supervised", row));
      if (row.instruction_count > 0) out.push(make("instructed", row));
    }
    return out;
  }

  function newestFirst(a, b) {
    return b.at < a.at ? -1 : b.at > a.at ? 1 : 0;
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
    this.items.sort(newestFirst);
    while (this.items.length > this.max) this.keys.delete(this.items.pop().key);
    return true;
  };

  /**
   * Merge the alerts a server rebuilt (GET /api/v1/screen/alerts): new keys are added; a key already listed (a
   * snapshot's standing alert, dated by the row) takes the server's date, the time the change happened. True when
   * the list changed.
   */
  List.prototype.merge = function (list) {
    var changed = false;
    var byKey = new Map();
    this.items.forEach(function (a) {
      byKey.set(a.key, a);
    });
    for (var i = 0; i < list.length; i++) {
      var known = byKey.get(list[i].key);
      if (!known) changed = this.push(list[i]) || changed;
      else if (known.at !== list[i].at && list[i].at) {
        known.at = list[i].at;
        changed = true;
      }
    }
    if (changed) this.items.sort(newestFirst);
    return changed;
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

  return { MAX: MAX, NUMBERED: NUMBERED, make: make, fromChange: fromChange, standing: standing, List: List };
});
