/* GridCommand big screen (/screen): live state and map layers, fed by the shared live client.
 *
 * Dash loads this folder's scripts in name order, after the component libraries and after the shared helpers
 * (/static/shared/: the live client, format.js, sla.js, text.js); the numbers make that order explicit:
 *   10-deadlines 11-alerts 12-state 13-pressure 14-format 15-arrivals
 *   16-clusters                                                        pure logic (no DOM; tests/js/screen-*)
 *   20-board 21-ticker                                                 the countdown board and alert ticker
 *   30-patrols 31-streets 32-tour                                      map layers and the auto-tour
 *   40-charts (pure figures) 41-panels                                 KPI tiles and charts from summaries
 *   50-core 51-grids 52-markers 53-apply 53-clusters 54-tick 55-mount 56-handle   the wall itself, this first
 * Each file reads what an earlier one defined when it loads (window.gridcmd.screen*), never a later one.
 *
 * Live state lives here, not in Dash props (Dash keeps an unbounded undo history of prop changes, and the
 * wall runs for weeks). Nothing runs until dash-leaflet calls gridcmd.attach() from the screen's LayerGroup
 * (55-mount.js); attach is idempotent because dash-leaflet calls it again whenever it re-creates the group.
 *
 * Live protocol (DESIGN.md section 10): the shared live client (assets/shared/live.js) connects, buffers, orders,
 * deduplicates and resyncs; the wall only renders what it hands over (a snapshot, case rows, patrol frames, the
 * connection state). `patrols` frames carry only the patrols that moved.
 *
 * Everything held is bounded (cases, tombstones, ticker, board pool; the live client bounds its buffer); per
 * second the page does one pass over the held cases for deadline colours and rewrites only the DOM that changed.
 */
(function () {
  "use strict";

  var ns = (window.gridcmd = window.gridcmd || {});
  var state = ns.screenState;
  var format = ns.screenFormat;
  var PERF_MAX = 600; // per-frame timings kept for the bench (a ring)

  // The merged state (12-state.js: cases, tombstones, patrols, grid counts, counters) and what the page draws it with.
  var live = Object.assign(state.create(null), {
    map: null,
    client: null, // the shared live client (assets/shared/live.js)
    conn: "idle", // idle | connecting | live | reconnecting | offline
    patrolLayer: null,
    grids: new Map(), // grid code -> {layer, name, street, pop, fill}; kept across remounts (overwritten by code)
    streets: null, // {group, bounds, all} once /api/v1/screen/meta arrived
    streetNames: new Map(),
    departments: {},
    majors: {}, // catalog code -> major class (from /api/v1/screen/meta), for the arrival charts
    counts: { over: 0, red: 0 },
    ordered: [], // running cases sorted by deadline (rebuilt when boardDirty)
    board: null,
    ticker: null,
    tour: null,
    strings: {},
    config: {},
    scale: 1, // sizes follow the page's rem (16 px at 1920x1080, 32 px on a 3840x2160 wall)
    tz: "Asia/Shanghai",
    lang: "zh",
    timers: { tick: 0, rollover: 0, resize: 0 },
    renderQueued: false,
    namesQueued: false,
    shown: {}, // last values written to the counters, to skip identical writes
    perf: { patrols: [], deltas: [], ticks: [], draws: [] },
    marks: {}, // milestones for the first-paint bench (performance.now())
  });

  // The wall's parts share `live` and these helpers; later files add theirs to the same object.
  var sc = (ns.screen = { live: live });

  /** An i18n string of the page (its key when missing). */
  sc.s = function (key) {
    return live.strings[key] || key;
  };

  sc.el = function (id) {
    return document.getElementById(id);
  };

  /** The server's time now, in ms. */
  sc.now = function () {
    return state.now(live);
  };

  sc.record = function (list, value) {
    list.push(value);
    if (list.length > PERF_MAX) list.shift();
  };

  sc.mark = function (name) {
    if (!(name in live.marks)) live.marks[name] = performance.now();
  };

  sc.gridName = function (code) {
    if (code === null || code === undefined) return sc.s("screen.unlocated"); // a report not located yet
    var g = live.grids.get(code);
    return g ? g.name : code || "";
  };

  // ---------------------------------------------------------------- counters

  sc.scheduleRender = function () {
    if (live.renderQueued) return;
    live.renderQueued = true;
    requestAnimationFrame(render);
  };

  function writeNum(id, value) {
    if (live.shown[id] === value) return;
    live.shown[id] = value;
    var node = sc.el(id);
    if (node) node.textContent = format.num(value);
  }

  function writeText(id, text) {
    if (live.shown[id] === text) return;
    live.shown[id] = text;
    var node = sc.el(id);
    if (node) node.textContent = text;
  }

  /** Counters, tiles and the grids whose load changed; at most once a frame. */
  function render() {
    live.renderQueued = false;
    var ready = live.haveSnapshot;
    writeNum("screen-kpi-today", ready ? live.today : null);
    writeNum("screen-kpi-open", ready ? state.openCount(live) : null);
    writeNum("screen-kpi-overdue", ready ? live.counts.over : null);
    writeNum("screen-kpi-warning", ready ? live.counts.red : null);
    writeNum("screen-kpi-patrols", ready ? live.patrolsOnline : null);
    writeText("screen-kpi-grids", format.ofTotal(ready ? live.gridOpen.size : null, live.grids.size)); // 有案网格
    writeNum("screen-unplaced", ready ? live.unplaced : null); // 待定位: open, counted, on no map
    writeNum("screen-board-overdue", ready ? live.counts.over : null);
    writeNum("screen-board-warning", ready ? live.counts.red : null);
    if (ready && ns.screenPanels) ns.screenPanels.renderTiles();
    if (live.dirtyGrids.size) {
      live.dirtyGrids.forEach(sc.restyleGrid);
      live.dirtyGrids.clear();
    }
  }
  sc.render = render;
})();
