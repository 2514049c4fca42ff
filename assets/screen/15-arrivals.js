/* GridCommand big screen: new cases between two summaries, added to the summary's arrival figures (sources, major
 * classes, today's 24-hour trend) so the charts follow the live "reported" tile.
 * Pure (no DOM): loaded as a plain script (window.gridcmd.screenArrivals) and by `require` under Node
 * (tests/js/screen-panels.test.js). The panels (41-panels.js) keep the list and the summary.
 *
 * A summary (GET /api/v1/screen/summary) counts every case up to its `max_case_id`; an arrival is
 * {id, source, major, hour} of a case above it, reported today (`hour` of the wall's local day).
 */
(function (root, factory) {
  "use strict";
  if (typeof module !== "undefined" && module.exports) module.exports = factory();
  else (root.gridcmd = root.gridcmd || {}).screenArrivals = factory();
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  var HOUR_MS = 3600000;

  /** The newest case id summary `data` counts (Infinity when it does not say: then it counts everything). */
  function upTo(data) {
    return typeof data.max_case_id === "number" ? data.max_case_id : Infinity;
  }

  /** Whether summary `data` (null before the first) is known to count case `id` already. */
  function covered(data, id) {
    return !!data && typeof data.max_case_id === "number" && id <= data.max_case_id;
  }

  /**
   * The arrival of case `row` (a CASE_ROW) for a day starting at `dayStartMs`, or null when it was not reported
   * that day (a summary's days are its own). `majorOf(category_code)` names its major class (or null).
   */
  function arrival(row, dayStartMs, majorOf) {
    var offset = Date.parse(row.reported_at) - dayStartMs;
    if (!(offset >= 0 && offset < 24 * HOUR_MS)) return null;
    var major = row.category_code ? majorOf(row.category_code) : null;
    return { id: row.id, source: row.source, major: major, hour: Math.floor(offset / HOUR_MS) };
  }

  /** Count one more of `value` in `rows` ([{<key>: value, count}]), kept in the server's order. */
  function bump(rows, key, value) {
    var hit = null;
    for (var i = 0; i < rows.length; i++) {
      if (rows[i][key] === value) {
        hit = rows[i];
        break;
      }
    }
    if (hit) hit.count++;
    else {
      hit = { count: 1 };
      hit[key] = value;
      rows.push(hit);
    }
    // The server's order: largest first, ties by name (no name last among equals, as "" sorts first there).
    rows.sort(function (a, b) {
      var ka = a[key] || "";
      var kb = b[key] || "";
      return b.count - a.count || (ka < kb ? -1 : ka > kb ? 1 : 0);
    });
  }

  /** Add arrival `a` to summary `data` (its sources, major classes and today's hourly counts). */
  function add(data, a) {
    bump(data.sources, "source", a.source);
    bump(data.by_major, "major", a.major);
    var today = data.hourly.today;
    while (today.length <= a.hour) today.push(0);
    today[a.hour]++;
  }

  /**
   * A fresh summary `data` counts every case up to its max_case_id: the arrivals beyond it are added to it and
   * returned (the list to keep); the others are dropped.
   */
  function merge(data, arrivals) {
    var keep = upTo(data);
    var beyond = arrivals.filter(function (a) {
      return a.id > keep;
    });
    beyond.forEach(function (a) {
      add(data, a);
    });
    return beyond;
  }

  return { HOUR_MS: HOUR_MS, upTo: upTo, covered: covered, arrival: arrival, bump: bump, add: add, merge: merge };
});
