/* GridCommand big screen: deadline (SLA) status of held cases, their order on the countdown board, and its paging.
 * Pure functions (no DOM): loaded as a plain script (window.gridcmd.screenDeadlines) and by `require` under Node
 * (tests/js/screen-deadlines.test.js).
 *
 * SLA status rule (DESIGN.md section 6 colours; the rule itself is assets/shared/sla.js, its thresholds come from
 * the page's data-config `sla_thresholds`), computed every second from the case row:
 *   share left = (deadline - now) / (deadline - stage start), both wall-clock; the stage start is the row's
 *   `stage_start` (when the running stage clock started: filing, dispatch, handling report or rework).
 * A suspension moves the deadline by the time on hold when the case resumes, so the share stays honest;
 * while suspended (挂账) or before filing (no deadline yet) a case has no status ("none"/"paused").
 * Rows from a server without `stage_start` fall back to the stage's nominal allowance (dispatch 10 min for level A
 * else 30 min, verification 2 h, handling the span since the case was reported).
 */
(function (root, factory) {
  "use strict";
  if (typeof module !== "undefined" && module.exports) module.exports = factory(require("../shared/sla.js"));
  else (root.gridcmd = root.gridcmd || {}).screenDeadlines = factory(root.gridcmdSla);
})(typeof self !== "undefined" ? self : this, function (sla) {
  "use strict";

  var MIN = 60000;
  var PAGE_MS = 8000; // the board shows each page this long
  // Case states whose stage clock runs, and those that leave the open views.
  var RUNNING = { filed: true, returned: true, dispatched: true, handling: true, handled: true };
  var TERMINAL = { self_handled: true, rejected: true, merged: true, closed: true };

  /** Wall-clock start of the running stage, in ms (see the rule above for rows without stage_start). */
  function stageStart(row, deadlineMs) {
    if (row.stage_start) return Date.parse(row.stage_start);
    if (row.state === "filed" || row.state === "returned") return deadlineMs - (row.level === "A" ? 10 : 30) * MIN;
    if (row.state === "handled") return deadlineMs - 120 * MIN;
    return row.reported_at ? Date.parse(row.reported_at) : deadlineMs - 60 * MIN;
  }

  /**
   * "none" | "paused" | "green" | "amber" | "red" | "over" for a held case {row, deadlineMs, startMs} at `now`.
   * Without thresholds (the page's config lacks them: 55-mount.js has said so) a running clock is "over" once late
   * and "unknown" (uncoloured) before, never coloured by a guessed copy.
   */
  function status(entry, now, thresholds) {
    var state = entry.row.state;
    if (!RUNNING[state] || !entry.deadlineMs) return state === "suspended" ? "paused" : "none";
    var left = entry.deadlineMs - now;
    if (!thresholds) return left < 0 ? "over" : "unknown";
    return sla.status(left, entry.deadlineMs - entry.startMs, thresholds);
  }

  /** Read the deadline and stage start of `entry.row` into the entry, and its status at `now`. */
  function timing(entry, now, thresholds) {
    var row = entry.row;
    entry.deadlineMs = row.deadline ? Date.parse(row.deadline) : 0;
    entry.startMs = entry.deadlineMs ? stageStart(row, entry.deadlineMs) : 0;
    entry.sla = status(entry, now, thresholds);
  }

  /**
   * The per-second pass: each held case's status at `now` (`changed(entry)` for those whose status changed, after
   * it is stored), and how many are overdue and red. `entries` is anything with forEach (a Map of the held cases).
   */
  function tally(entries, now, thresholds, changed) {
    var out = { over: 0, red: 0, changed: 0 };
    entries.forEach(function (entry) {
      var next = status(entry, now, thresholds);
      if (next !== entry.sla) {
        entry.sla = next;
        out.changed++;
        if (changed) changed(entry);
      }
      if (next === "over") out.over++;
      else if (next === "red") out.red++;
    });
    return out;
  }

  /** The cases whose clock runs (neither "none" nor "paused"), soonest deadline first, ties by id. */
  function boardOrder(entries) {
    var ordered = [];
    entries.forEach(function (entry) {
      if (entry.sla !== "none" && entry.sla !== "paused") ordered.push(entry);
    });
    return ordered.sort(function (a, b) {
      return a.deadlineMs - b.deadlineMs || a.row.id - b.row.id;
    });
  }

  /**
   * Which page of the board to show at `now`, for `count` ordered cases of which `overdue` lead, `size` rows a page.
   * Every overdue case is shown (paging when they need more than one page, PAGE_MS a page); the slots left on the
   * last page go to the cases closest to their deadline. `pager` ({page, pageAt}) is kept by the caller and updated.
   * Returns {page, pages, total}: rows `page * size` up to `total` (exclusive) of the order are on the board.
   */
  function paging(pager, overdue, size, count, now) {
    var pages = Math.max(1, Math.ceil(overdue / size));
    var total = Math.min(count, pages * size);
    if (!pager.pageAt) pager.pageAt = now;
    if (now - pager.pageAt >= PAGE_MS) {
      pager.page = (pager.page + 1) % pages;
      pager.pageAt = now;
    }
    if (pager.page >= pages) pager.page = 0;
    return { page: pager.page, pages: pages, total: total };
  }

  /**
   * The texts of one board row at `now`: {cls, id, tag, time, lvl, cat, where}. `strings` are the i18n strings,
   * `place` is {cat, where} of the case (names the caller holds).
   */
  function boardRow(entry, now, strings, place) {
    var left = entry.deadlineMs - now;
    return {
      cls: "bd-row sla-" + entry.sla,
      id: String(entry.row.id),
      tag: left < 0 ? strings["screen.board.late"] : strings["screen.board.left"],
      time: sla.duration(left, strings["screen.board.day"]),
      lvl: entry.row.level || "·",
      cat: place.cat,
      where: place.where,
    };
  }

  /** "2/3" (screen.board.page) when the board pages, else "". */
  function pageLabel(strings, page, pages) {
    return pages > 1 ? strings["screen.board.page"].replace("{page}", page + 1).replace("{pages}", pages) : "";
  }

  return {
    RUNNING: RUNNING,
    TERMINAL: TERMINAL,
    PAGE_MS: PAGE_MS,
    stageStart: stageStart,
    status: status,
    timing: timing,
    tally: tally,
    boardOrder: boardOrder,
    paging: paging,
    boardRow: boardRow,
    pageLabel: pageLabel,
  };
});
