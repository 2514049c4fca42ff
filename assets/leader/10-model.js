/* GridCommand leader pass: the pure logic of the page (no DOM), shared with the Node tests (tests/js/leader-*).
 *
 *   M.figure(key, value, s)              "97.3%" for rates, "12" for counts, s("leader.nodata") for null
 *   M.change(key, cur, prev, s)          {text, dir: up|down|same|none} against the previous period
 *   M.indexTone(index)                   good (>= 1.0) | warn (>= 0.95) | bad | none
 *   M.countdown(deadlineMs, nowMs, s, duration)  "剩余 03:15:20" / "超时 1天02:00" / "无时限"
 *   M.inScope(row, scope)                a live CASE_ROW inside the scope shown (district: every row)
 *   M.merge(item, answer)                a needs-me row updated from a command's answer (grid name, reasons kept)
 *   M.refetcher({run, minMs, now, setTimeout, clearTimeout})  .request() at most every minMs, .force() now
 *
 * `s(key, vars)` is the page's string lookup (gridcmdFormat.t over the bundle of layouts/i18n.py).
 * Loaded as a plain script (global `gridcmdLeaderModel`) and by `require` under Node.
 */
(function (root, factory) {
  "use strict";
  var api = factory();
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  else root.gridcmdLeaderModel = api;
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  var COUNTS = { filed: true, closed: true, due: true };
  var MERGED = ["version", "state", "tier", "level", "deadline", "stage_start", "supervision_count", "instruction_count"];

  function isRate(key) {
    return !COUNTS[key];
  }

  function isNumber(v) {
    return typeof v === "number" && isFinite(v);
  }

  /** A figure as text: rates as a percentage with one decimal, counts as integers, no data as its word. */
  function figure(key, value, s) {
    if (!isNumber(value)) return s("leader.nodata");
    return isRate(key) ? (value * 100).toFixed(1) + "%" : String(Math.round(value));
  }

  /** The change against the previous period: percentage points for rates, cases for counts. */
  function change(key, cur, prev, s) {
    if (!isNumber(cur) || !isNumber(prev)) return { text: "", dir: "none" };
    var rate = isRate(key);
    var diff = rate ? Math.round((cur - prev) * 1000) / 10 : Math.round(cur - prev);
    if (diff === 0) return { text: s("leader.same"), dir: "same" };
    var sign = diff > 0 ? "+" : "−";
    var unit = rate ? s("leader.unit.pp") : s("leader.unit.cases");
    var amount = rate ? Math.abs(diff).toFixed(1) : String(Math.abs(diff));
    return { text: sign + amount + (unit ? " " + unit : ""), dir: diff > 0 ? "up" : "down" };
  }

  /** How the composite index reads: on target (1.0 and above), close (within 5 %), below, or no data. */
  function indexTone(index) {
    if (!isNumber(index)) return "none";
    if (index >= 1) return "good";
    return index >= 0.95 ? "warn" : "bad";
  }

  /** The time left to a deadline, or past it, as text; `duration(ms, dayWord)` is gridcmdSla.duration. */
  function countdown(deadlineMs, nowMs, s, duration) {
    if (!isNumber(deadlineMs)) return { text: s("leader.no_deadline"), over: false };
    var left = deadlineMs - nowMs;
    var time = duration(Math.abs(left), s("leader.day"));
    return left >= 0 ? { text: s("leader.left", { time: time }), over: false } : { text: s("leader.over", { time: time }), over: true };
  }

  /** True when a live case row lies inside `scope` (a district code: every row; else by the grid code's prefix). */
  function inScope(row, scope) {
    if (!row || typeof scope !== "string" || scope.length <= 6) return !!row;
    var grid = typeof row.grid_code === "string" ? row.grid_code : "";
    var street = typeof row.street_code === "string" ? row.street_code : "";
    return grid.indexOf(scope) === 0 || (scope.length === 9 && street === scope);
  }

  /** `item` (a needs-me row) with the fields a command's answer carries; what only the summary knows is kept. */
  function merge(item, answer) {
    var out = Object.assign({}, item);
    if (!answer || answer.id !== item.id) return out;
    MERGED.forEach(function (k) {
      if (Object.prototype.hasOwnProperty.call(answer, k)) out[k] = answer[k];
    });
    return out;
  }

  /**
   * A fetch scheduler: `request()` runs `run` (which returns a promise) at most once every `minMs`, later calls
   * coalescing into one trailing run; a request during a run runs once more after it. `force()` runs now (a
   * tap), or right after the run in flight.
   */
  function refetcher(o) {
    var now = o.now || Date.now;
    var set = o.setTimeout || setTimeout;
    var clear = o.clearTimeout || clearTimeout;
    var last = -Infinity;
    var timer = null;
    var busy = false;
    var again = false;
    var runs = 0;

    function fire() {
      timer = null;
      busy = true;
      again = false;
      last = now();
      runs += 1;
      var result;
      try {
        result = Promise.resolve(o.run());
      } catch (e) {
        result = Promise.reject(e);
      }
      result.then(done, done);
    }

    function done() {
      busy = false;
      if (again) request();
    }

    function request() {
      if (busy) {
        again = true;
        return;
      }
      if (timer !== null) return;
      var wait = last + o.minMs - now();
      if (wait <= 0) fire();
      else timer = set(fire, wait);
    }

    function force() {
      if (timer !== null) {
        clear(timer);
        timer = null;
      }
      if (busy) {
        last = -Infinity;
        again = true;
        return;
      }
      fire();
    }

    return {
      request: request,
      force: force,
      runs: function () {
        return runs;
      },
      idle: function () {
        return !busy && timer === null;
      },
    };
  }

  return {
    figure: figure,
    change: change,
    indexTone: indexTone,
    countdown: countdown,
    inScope: inScope,
    merge: merge,
    refetcher: refetcher,
    isRate: isRate,
  };
});
