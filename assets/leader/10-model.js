/* GridCommand leader pass: the pure logic of the page (no DOM), shared with the Node tests (tests/js/leader-*).
 *
 *   M.figure(key, value, s)              "97.3%" for rates, "12" for counts, s("leader.nodata") for null
 *   M.change(key, cur, prev, s)          {text, dir: up|down|same|none} against the previous period
 *   M.indexTone(index)                   good (>= 1.0) | warn (>= 0.95) | bad | none
 *   M.countdown(deadlineMs, nowMs, s, duration)  "剩余 03:15:20" / "超时 1天02:00" / "无时限"
 *   M.inScope(row, scope)                a live CASE_ROW inside the scope shown (district: every row)
 *   M.merge(item, answer)                a needs-me row updated from a command's answer (grid name, reasons kept)
 *   M.refetcher({run, minMs, now, setTimeout, clearTimeout})  .request() at most every minMs, .force() now
 *   M.receipt(row, nowMs, s, duration)   the 督办's read receipt: {status: pending|acked|overdue|null, text}
 *   M.offsetOf(iso)                      the UTC offset (minutes) of a local ISO time such as the summary's `at`
 *   M.replyBy(choice, nowMs, offsetMin)  the reply deadline of a 督办 dialog choice (none|2h|today|3d) as ISO, or null
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
  var MERGED = [
    "version",
    "state",
    "tier",
    "level",
    "deadline",
    "stage_start",
    "supervision_count",
    "instruction_count",
    "supervision_reply_by",
    "supervision_acked_at",
    "supervision_acked_by",
  ];
  var HOUR = 3600 * 1000;
  var REPLY_HOURS = { "2h": 2, "3d": 72 };

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
   * The read receipt of the case's open 督办 (as dashboard/domain/leader.py reply_status, but against the page's
   * clock, so a pending reply turns overdue as its countdown runs out): acked "已回复 · who MM-DD hh:mm", overdue
   * "逾期未回复 · 超时 …", pending "督办待回复" with the time left to its deadline; null status when never supervised.
   */
  function receipt(row, nowMs, s, duration) {
    if (!row || !(row.supervision_count > 0)) return { status: null, text: "" };
    if (row.supervision_acked_at) {
      var when = String(row.supervision_acked_at).slice(5, 16).replace("T", " ");
      return { status: "acked", text: s("leader.reply.acked", { who: row.supervision_acked_by || "", time: when }) };
    }
    var due = row.supervision_reply_by ? Date.parse(row.supervision_reply_by) : NaN;
    if (!isNumber(due)) return { status: "pending", text: s("leader.reply.pending") };
    var cd = countdown(due, nowMs, s, duration);
    var status = cd.over ? "overdue" : "pending";
    return { status: status, text: s("leader.reply." + status) + " · " + cd.text };
  }

  /** The UTC offset in minutes of a local ISO time ("…+08:00" → 480, "…Z" → 0); 0 when it names none. */
  function offsetOf(iso) {
    var m = /([+-])(\d{2}):?(\d{2})$/.exec(typeof iso === "string" ? iso : "");
    if (!m) return 0;
    return (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
  }

  function localIso(ms, offsetMin) {
    var sign = offsetMin < 0 ? "-" : "+";
    var abs = Math.abs(offsetMin);
    var pad = function (n) {
      return (n < 10 ? "0" : "") + n;
    };
    var wall = new Date(ms + offsetMin * 60000).toISOString().slice(0, 19);
    return wall + sign + pad(Math.floor(abs / 60)) + ":" + pad(abs % 60);
  }

  /** The `reply_by` of a 督办 dialog choice: 2 hours or 3 days from now, the end of today (local), none: null. */
  function replyBy(choice, nowMs, offsetMin) {
    var off = isNumber(offsetMin) ? offsetMin : 0;
    if (REPLY_HOURS[choice]) return localIso(nowMs + REPLY_HOURS[choice] * HOUR, off);
    if (choice !== "today") return null;
    var wall = new Date(nowMs + off * 60000);
    var endOfDay = Date.UTC(wall.getUTCFullYear(), wall.getUTCMonth(), wall.getUTCDate(), 23, 59, 59) - off * 60000;
    return localIso(endOfDay, off);
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
    receipt: receipt,
    offsetOf: offsetOf,
    replyBy: replyBy,
    isRate: isRate,
  };
});
