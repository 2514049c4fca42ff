/* GridCommand big screen: the live state the wall holds, and how a snapshot, a delta's case rows and a patrol frame
 * merge into it (by id and version). Pure (no DOM): loaded as a plain script (window.gridcmd.screenState) and by
 * `require` under Node (tests/js/screen-state.test.js).
 *
 * Live state lives in the page, not in Dash props (Dash keeps an unbounded undo history of prop changes, and the
 * wall runs for weeks), and everything held is bounded: at most HELD_MAX cases (beyond that the oldest are only
 * counted as open), TOMB_MAX versions of recently dropped cases (so a late stale row cannot resurrect one).
 *
 * What is drawn follows through `view` hooks, called in stream order:
 *   hold(entry, fresh)   a case is now held (fresh: new to the wall, not from a snapshot)
 *   update(entry, moved) a held case's row changed (moved: its position changed)
 *   drop(entry)          a held case is no longer held
 *   arrival(row)         a case new to the wall arrived in a delta (for the arrival charts)
 *   alerts(old, row)     a row changed from `old` (null when not held) — for the ticker
 *   uncounted(id)        after a snapshot: cases up to `id` are known without being counted as arrivals
 * A held case is an entry {row, deadlineMs, startMs, sla} (10-deadlines.js); the view adds its own fields.
 * A report not located yet (grid_code, lat and lon null: 待定位) is held and counted as open, in no grid's count
 * (`unplaced` counts it instead) and on no map (`placed`).
 */
(function (root, factory) {
  "use strict";
  if (typeof module !== "undefined" && module.exports) module.exports = factory(require("./10-deadlines.js"));
  else (root.gridcmd = root.gridcmd || {}).screenState = factory(root.gridcmd.screenDeadlines);
})(typeof self !== "undefined" ? self : this, function (deadlines) {
  "use strict";

  var TOMB_MAX = 4096;
  var HELD_MAX = 20000;
  var NO_VIEW = {};

  /** A fresh state. `thresholds` is the page's SLA thresholds; `clock` (default Date.now) is the browser's clock. */
  function create(thresholds, clock) {
    return {
      thresholds: thresholds,
      clock: clock || null,
      heldMax: HELD_MAX,
      tombMax: TOMB_MAX,
      cases: new Map(), // case id -> entry, oldest first
      tomb: new Map(), // case id -> version at which it left the open views
      patrols: new Map(), // patrol id -> [lon, lat, status]
      patrolsOnline: 0,
      gridOpen: new Map(), // grid code -> open cases held
      unplaced: 0, // open cases held that wait for a location (no grid)
      dirtyGrids: new Set(), // grid codes whose open count changed (bounded by the number of grids)
      haveSnapshot: false,
      maxSeenId: 0,
      today: 0,
      openBeyond: 0, // open cases the snapshot did not carry (it holds the newest N)
      minHeldId: Infinity,
      dayStartMs: 0,
      skewMs: 0, // server clock minus browser clock
      boardDirty: true, // the board's order must be rebuilt
    };
  }

  /** Forget what is held (the map was re-created: the server sends a new snapshot). */
  function reset(st) {
    st.cases.clear();
    st.tomb.clear();
    st.patrols.clear();
    st.patrolsOnline = 0;
    st.gridOpen.clear();
    st.unplaced = 0;
    st.dirtyGrids.clear();
    st.haveSnapshot = false;
  }

  /** Whether a row has a point on the map (a report waiting to be located has lat/lon null). */
  function placed(row) {
    return row.lat !== null && row.lon !== null && row.lat !== undefined && row.lon !== undefined;
  }

  /** The server's time now, in ms. */
  function now(st) {
    return (st.clock ? st.clock() : Date.now()) + st.skewMs;
  }

  function hook(view, name) {
    return (view || NO_VIEW)[name] || function () {};
  }

  function gridAdd(st, code, delta) {
    if (code === null || code === undefined) {
      st.unplaced += delta;
      return;
    }
    var n = (st.gridOpen.get(code) || 0) + delta;
    if (n > 0) st.gridOpen.set(code, n);
    else st.gridOpen.delete(code);
    st.dirtyGrids.add(code);
  }

  function tombstone(st, id, version) {
    st.tomb.delete(id);
    st.tomb.set(id, version);
    if (st.tomb.size > st.tombMax) st.tomb.delete(st.tomb.keys().next().value);
  }

  function release(st, entry, view) {
    st.cases.delete(entry.row.id);
    gridAdd(st, entry.row.grid_code, -1);
    hook(view, "drop")(entry);
    st.boardDirty = true;
  }

  function hold(st, row, fresh, view) {
    var entry = { row: row, deadlineMs: 0, startMs: 0, sla: "none" };
    deadlines.timing(entry, now(st), st.thresholds);
    st.cases.set(row.id, entry);
    gridAdd(st, row.grid_code, 1);
    hook(view, "hold")(entry, fresh);
    st.boardDirty = true;
    if (st.cases.size > st.heldMax) {
      // Bounded memory over weeks: stop drawing the oldest held case, keep counting it as open.
      var oldest = st.cases.values().next().value;
      release(st, oldest, view);
      st.openBeyond++;
      st.minHeldId = Math.max(st.minHeldId === Infinity ? 0 : st.minHeldId, oldest.row.id + 1);
    }
  }

  /** A held case's row replaced by a newer one (grid counts follow a move to another grid). */
  function replace(st, entry, row, view) {
    var moved = entry.row.lat !== row.lat || entry.row.lon !== row.lon;
    entry.row = row;
    deadlines.timing(entry, now(st), st.thresholds);
    hook(view, "update")(entry, moved);
  }

  /** Apply one CASE_ROW of a delta. False when it was stale (an older or equal version than held or dropped). */
  function applyRow(st, row, view) {
    var held = st.cases.get(row.id);
    if (held && row.version <= held.row.version) return false;
    var gone = st.tomb.get(row.id);
    if (gone !== undefined && row.version <= gone) return false;

    var isNew = row.id > st.maxSeenId;
    if (isNew) {
      st.maxSeenId = row.id;
      if (Date.parse(row.reported_at) >= st.dayStartMs) st.today++;
      hook(view, "arrival")(row);
    }
    hook(view, "alerts")(held ? held.row : null, row);
    // An unknown, older case: one of the open cases the snapshot left out (it carries only the newest N).
    var beyond = !held && !isNew && row.id < st.minHeldId && st.openBeyond > 0;

    if (deadlines.TERMINAL[row.state]) {
      if (held) release(st, held, view);
      else if (beyond) st.openBeyond--;
      tombstone(st, row.id, row.version);
    } else if (held) {
      if (held.row.grid_code !== row.grid_code) {
        gridAdd(st, held.row.grid_code, -1);
        gridAdd(st, row.grid_code, 1);
      }
      replace(st, held, row, view);
      st.boardDirty = true;
    } else {
      if (beyond) st.openBeyond--;
      hold(st, row, isNew, view);
    }
    return true;
  }

  /**
   * Replace what is held by a snapshot {cases (oldest first, the newest N open), kpis}: rows are taken as they
   * are (a snapshot is the truth at its stream position), held cases it does not carry are dropped.
   */
  function applySnapshot(st, snap, view) {
    var rows = snap.cases || [];
    var k = snap.kpis || {};
    var keep = new Set();
    st.skewMs = k.server_ms ? k.server_ms - (st.clock ? st.clock() : Date.now()) : 0;
    st.gridOpen.clear();
    st.unplaced = 0;
    for (var i = 0; i < rows.length; i++) {
      var row = rows[i];
      keep.add(row.id);
      var held = st.cases.get(row.id);
      if (held) {
        if (row.grid_code === null || row.grid_code === undefined) st.unplaced++;
        else st.gridOpen.set(row.grid_code, (st.gridOpen.get(row.grid_code) || 0) + 1);
        replace(st, held, row, view);
      } else {
        st.tomb.delete(row.id);
        hold(st, row, false, view);
      }
    }
    st.cases.forEach(function (entry, id) {
      if (!keep.has(id)) {
        hook(view, "drop")(entry);
        st.cases.delete(id);
      }
    });
    st.haveSnapshot = true;
    st.boardDirty = true;
    st.today = k.today_reported || 0;
    st.maxSeenId = Math.max(k.max_case_id || 0, rows.length ? rows[rows.length - 1].id : 0);
    hook(view, "uncounted")(st.maxSeenId); // counted by summaries, not as arrivals
    st.openBeyond = Math.max(0, (k.open || 0) - rows.length);
    st.minHeldId = rows.length ? rows[0].id : Infinity; // rows come oldest first
    st.dayStartMs = k.day_start_ms || 0;
  }

  /** Open cases: those held and those beyond the snapshot. */
  function openCount(st) {
    return st.cases.size + st.openBeyond;
  }

  /**
   * Merge a frame of patrol rows [id, lon, lat, status] (only the patrols that moved); `full` (a snapshot's
   * patrols) replaces everything held. Keeps the count of patrols not offline.
   */
  function applyPatrols(st, rows, full) {
    var keep = full ? new Set() : null;
    for (var i = 0; i < rows.length; i++) {
      var r = rows[i];
      var p = st.patrols.get(r[0]);
      if (keep) keep.add(r[0]);
      if (!p) {
        st.patrols.set(r[0], [r[1], r[2], r[3]]);
        if (r[3] !== "offline") st.patrolsOnline++;
        continue;
      }
      if (p[2] !== r[3]) st.patrolsOnline += (r[3] !== "offline" ? 1 : 0) - (p[2] !== "offline" ? 1 : 0);
      p[0] = r[1];
      p[1] = r[2];
      p[2] = r[3];
    }
    if (keep) {
      st.patrols.forEach(function (p, id) {
        if (!keep.has(id)) {
          if (p[2] !== "offline") st.patrolsOnline--;
          st.patrols.delete(id);
        }
      });
    }
  }

  /** Every patrol held, as rows (to refeed a painter that starts empty). */
  function patrolRows(st) {
    var rows = [];
    st.patrols.forEach(function (p, id) {
      rows.push([id, p[0], p[1], p[2]]);
    });
    return rows;
  }

  return {
    TOMB_MAX: TOMB_MAX,
    HELD_MAX: HELD_MAX,
    create: create,
    reset: reset,
    now: now,
    applyRow: applyRow,
    applySnapshot: applySnapshot,
    applyPatrols: applyPatrols,
    patrolRows: patrolRows,
    openCount: openCount,
    placed: placed,
  };
});
