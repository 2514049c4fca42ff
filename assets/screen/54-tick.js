/* GridCommand big screen: the per-second pass (deadline colours, the board, the header clock), the connection
 * indicator, and the rollover of "today" at local midnight.
 */
(function (ns, sc) {
  "use strict";

  var deadlines = ns.screenDeadlines;
  var format = ns.screenFormat;
  var live = sc.live;
  var DAY_MS = 86400000;
  var CONN_KEYS = { live: "screen.live", reconnecting: "screen.reconnecting", offline: "screen.offline" };

  /** Recolour markers whose deadline status changed, count overdue/red, and refresh the board. */
  sc.tick = function () {
    var t0 = performance.now();
    var t = sc.now();
    var dirty = live.boardDirty;
    var n = deadlines.tally(live.cases, t, live.thresholds, sc.refreshMarker);
    live.counts.over = n.over;
    live.counts.red = n.red;
    if (dirty || n.changed) {
      live.ordered = deadlines.boardOrder(live.cases);
      live.boardDirty = false;
    }
    if (live.board) live.board.render(live.ordered, n.over, t);
    writeClock(t);
    sc.render();
    sc.record(live.perf.ticks, performance.now() - t0);
  };

  /** A board row's {cat, where} from the names the wall holds. */
  sc.describe = function (entry) {
    return format.describe(entry.row, live.strings, sc.gridName, live.departments);
  };

  /** Ticker text, built when the ticker is drawn (grid names may arrive after the alert). */
  sc.alertText = function (alert) {
    return format.alertText(alert, live.strings, sc.gridName);
  };

  var clock = null;
  function writeClock(t) {
    var node = sc.el("screen-clock");
    if (!node) return;
    if (!clock) clock = format.headerClock(live.lang, live.tz);
    node.textContent = clock.stamp(t);
  }

  sc.setConn = function (conn) {
    live.conn = conn;
    var node = sc.el("screen-conn");
    if (!node) return;
    node.className = "screen-conn is-" + conn;
    var label = node.querySelector(".screen-conn-label");
    if (label) label.textContent = sc.s(CONN_KEYS[conn] || "screen.connecting");
  };

  /** "Today" restarts at local midnight: ask for a fresh snapshot then (jittered, so walls don't stampede). */
  sc.scheduleRollover = function () {
    clearTimeout(live.timers.rollover);
    if (!live.dayStartMs) return;
    var wait = live.dayStartMs + DAY_MS - sc.now() + 2000 + Math.random() * 20000;
    live.timers.rollover = setTimeout(sc.resync, Math.max(60000, wait)); // floor: never loop on a skewed clock
  };

  sc.pastMidnight = function () {
    return live.dayStartMs && sc.now() >= live.dayStartMs + DAY_MS;
  };
})(window.gridcmd, window.gridcmd.screen);
