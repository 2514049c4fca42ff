/* GridCommand dispatch desk: which commands a case row offers, which merges its duplicates offer, and where a case
 * is routed. Pure (no DOM).
 *
 * Exactly the commands the server would accept now, from the tables the page was given (data-config `commands`:
 * what the role may run; `sources`: the states each command starts from, dashboard/domain/actions.py), plus the
 * command functions' flag rules the tables do not carry: escalate only from street tier, extend at most twice and
 * visit-back once (counted from the audit trail, so offered only once the trail read is the row's current one),
 * and a report without a location (待定位) offers `locate` first and cannot be filed or self-handled before it.
 *
 * `model` is the page's state or a model from 05-config.js; `detail` the case detail last read (GET
 * /api/v1/cases/{id}: its id, version and timeline), or null.
 *
 * Loaded as a plain script (gridcmdDesk.actions) and by `require` under Node (tests/js/desk-actions.test.js).
 */
(function (root, factory) {
  "use strict";
  var api = factory();
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  else (root.gridcmdDesk = root.gridcmdDesk || {}).actions = api;
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  // The order of the panel's buttons: the usual next step first.
  var ORDER = [
    "locate", "file", "dispatch", "verify", "reject", "escalate", "supervise", "instruct", "self-handle",
    "suspend", "resume", "extend", "visit-back", "acknowledge", "ack-supervision", "return", "report-handled",
  ];
  var PRIMARY = { locate: true, file: true, dispatch: true, verify: true }; // drawn as the panel's primary buttons
  var NEEDS_LOCATION = { file: true, "self-handle": true }; // refused by the server (field `location`) until located
  var REASON_REQUIRED = { reject: true, suspend: true, return: true, extend: true, instruct: true };
  var TIER = { escalate: "street" }; // the district has nowhere higher
  var AT_MOST = { extend: 2, "visit-back": 1 }; // per case, counted in its audit trail

  /** 回复督办 answers a supervision not yet acknowledged (the server refuses it otherwise, naming `supervision`). */
  function supervisionPending(row) {
    return (row.supervision_count || 0) > 0 && !row.supervision_acked_at;
  }

  /** Whether the row has its location (grid and point); an unplaced report waits for `locate`. */
  function hasLocation(row) {
    return row.grid_code !== null && row.grid_code !== undefined;
  }

  function from(model, cmd, state) {
    var states = model.sources[cmd];
    return !!states && states.has(state);
  }

  /** A street center's reach ends where escalation begins (dashboard/domain/actors.py in_scope). */
  function outOfReach(row, model) {
    return !model.me.district_wide && row.tier === "district";
  }

  /** Whether `detail` is the current audit trail of `row` (same case, same version). */
  function detailFresh(row, detail) {
    return !!detail && detail.id === row.id && detail.version === row.version;
  }

  /** How many times `cmd` stands in `detail`'s timeline. */
  function timelineCount(detail, cmd) {
    var n = 0;
    if (detail && detail.timeline) {
      detail.timeline.forEach(function (e) {
        if (e.command === cmd) n++;
      });
    }
    return n;
  }

  /** The commands `row` offers now, in the panel's order. */
  function legal(row, model, detail) {
    if (!row || outOfReach(row, model)) return [];
    var fresh = detailFresh(row, detail);
    return ORDER.filter(function (cmd) {
      if (!model.commands.has(cmd) || !from(model, cmd, row.state)) return false;
      if (TIER[cmd] && row.tier !== TIER[cmd]) return false;
      if (cmd === "ack-supervision" && !supervisionPending(row)) return false;
      // 标注位置 is offered where it is needed: a report that has no location (the server also moves placed ones).
      if (cmd === "locate" && hasLocation(row)) return false;
      if (NEEDS_LOCATION[cmd] && !hasLocation(row)) return false;
      if (AT_MOST[cmd] && (!fresh || timelineCount(detail, cmd) >= AT_MOST[cmd])) return false;
      return true;
    });
  }

  /** Why a row offers no command: the i18n key the panel shows instead of buttons. */
  function noneReason(row, model, detail) {
    if (outOfReach(row, model)) return "dispatch.panel.read_only";
    if (!detailFresh(row, detail)) return "dispatch.loading"; // some commands depend on the audit trail being read
    if (row.state === "closed" && timelineCount(detail, "visit-back")) return "dispatch.panel.visited";
    return "dispatch.panel.no_actions";
  }

  /** Whether `row` itself may be merged into another case. */
  function canMerge(row, model) {
    return !!row && model.commands.has("merge") && from(model, "merge", row.state) && !outOfReach(row, model);
  }

  /**
   * The merge a duplicate `dup` of the open case `row` offers: "into" (merge the open case into the duplicate),
   * "here" (the duplicate, a fresh report, into the open case) or null. Whichever of the two is still a fresh
   * report goes into the other.
   */
  function mergeOffer(row, dup, model) {
    if (canMerge(row, model)) return "into";
    if (dup.state === "reported" && model.commands.has("merge") && !model.terminal.has(row.state)) return "here";
    return null;
  }

  /** Whether a multi-selected row can take part in a bulk dispatch. */
  function bulkDispatchable(row, model) {
    return from(model, "dispatch", row.state) && !outOfReach(row, model);
  }

  /** The department a catalog condition names for `row` (属地街道 JD = the case's own street unit), or null. */
  function catalogDept(row, catalogByCode) {
    var item = row && row.category_code ? catalogByCode.get(row.category_code) : null;
    if (!item || !item.department) return null;
    return item.department === "JD" ? row.street_code + "ZF" : item.department;
  }

  /**
   * The catalog condition the file (立案) dialog preselects: the category the case was reported under, else the
   * one the suggestions (GET /api/v1/cases/{id}/suggestions `category`) propose, when the catalog holds it; else
   * null (nothing preselected: Enter files nothing until the dispatcher picks).
   */
  function fileChoice(row, sugg, catalogByCode) {
    var reported = row && row.category_code;
    if (reported && catalogByCode.has(reported)) return reported;
    var proposed = sugg && sugg.category && sugg.category.code;
    return proposed && catalogByCode.has(proposed) ? proposed : null;
  }

  function rank(code, suggested, street) {
    if (code === suggested) return 0;
    return street && code.indexOf(street) === 0 ? 1 : 2;
  }

  /**
   * The departments a case may be dispatched to, as pick-list items {value, dept, text}: district departments and
   * the units of the case's street (none of its street for several cases, `row` null), the suggested one first,
   * then the street's own, then by code.
   */
  function deptItems(row, suggested, model) {
    var street = row ? row.street_code : "";
    var list = model.deptList.filter(function (d) {
      if (d.code === "JD") return false; // resolved to the case's own street unit
      return d.tier === "district" || (street && d.code.indexOf(street) === 0);
    });
    list.sort(function (a, b) {
      return rank(a.code, suggested, street) - rank(b.code, suggested, street) || (a.code < b.code ? -1 : 1);
    });
    var listed = list.some(function (d) {
      return d.code === suggested;
    });
    if (suggested && !listed && model.depts.has(suggested)) list.unshift(model.depts.get(suggested));
    return list.map(function (d) {
      return { value: d.code, dept: d, text: (d.code + " " + d.name).toLowerCase() };
    });
  }

  var NUMBER = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)$/;

  /**
   * The point typed into the locate dialog: {lat, lon} (WGS-84, six decimals) or null when either is not a plain
   * number in range. "39.91, 116.70" pasted whole into the latitude box (and the longitude box empty) counts too.
   */
  function parsePoint(latText, lonText) {
    var a = String(latText === null || latText === undefined ? "" : latText).trim();
    var b = String(lonText === null || lonText === undefined ? "" : lonText).trim();
    if (!b && /[,，\s]/.test(a)) {
      var parts = a.split(/[,，\s]+/).filter(Boolean);
      if (parts.length !== 2) return null;
      a = parts[0];
      b = parts[1];
    }
    if (!NUMBER.test(a) || !NUMBER.test(b)) return null;
    var lat = Number(a);
    var lon = Number(b);
    if (!(lat >= -90 && lat <= 90) || !(lon >= -180 && lon <= 180)) return null;
    return { lat: Math.round(lat * 1e6) / 1e6, lon: Math.round(lon * 1e6) / 1e6 };
  }

  return {
    ORDER: ORDER,
    parsePoint: parsePoint,
    PRIMARY: PRIMARY,
    REASON_REQUIRED: REASON_REQUIRED,
    detailFresh: detailFresh,
    timelineCount: timelineCount,
    legal: legal,
    noneReason: noneReason,
    canMerge: canMerge,
    mergeOffer: mergeOffer,
    bulkDispatchable: bulkDispatchable,
    catalogDept: catalogDept,
    fileChoice: fileChoice,
    deptItems: deptItems,
  };
});
