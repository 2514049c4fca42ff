/* GridCommand dispatch desk (/dispatch): live queue, case panel, actions, map and keyboard.
 *
 * Live state lives in this page's JS, not in Dash props (DESIGN.md section 11: Dash records prop changes that feed
 * callbacks in an undo history, and a desk stays open for a whole shift). The queue is a dash-ag-grid fed through
 * the grid's JS API (transactions); the grid has no `rowData` prop at all. Actions are same-origin fetches to
 * POST /api/v1/cases/{id}/{command} carrying the version the dispatcher saw: the server's state machine decides, a
 * lost race comes back as 409 naming who acted first, and the desk says so and refreshes the case.
 *
 * The desk's files (Dash loads assets/dispatch/ in name order, after assets/shared/):
 *   00-state.js      this file: the namespace `gridcmdDesk`, the desk's one state object, small DOM helpers, fetch
 *   05-config.js     pure: the page's data-config read into the desk's model (tables, strings, SLA thresholds)
 *   10-queue.js      pure: the queue model — which row each tab shows, the street filter, counts, ordering, search
 *   11-merge.js      pure: snapshot and delta rows merged into the queue's rows by id and version
 *   12-deadline.js   pure: countdown text and SLA colour of a row (shared/sla.js decides the colour)
 *   13-actions.js    pure: which commands a row offers (the data-config's tables), merge offers, routing
 *   14-keys.js       pure: the key map (a table) and what a key press does
 *   15-cells.js      pure: text of the description and 批示 cells, the panel's clamp, patrols; the map's fold
 *   16-photos.js     pure: the panel's photos grouped 上报 / 处置前 / 处置后, thumbnail and link of each
 *   20-rows.js       merged rows onto the grid, the map and the panel; the queue's fetches
 *   21-grid.js       AG Grid wiring (cell functions, redraws, filter changes)
 *   22-header.js     tab counts, connection light, clock, the 1 Hz tick, sound cue, mute, folding the map
 *   30-select.js     selection, multi-selection, the open case's detail and suggestions
 *   31-panel.js      the case panel;  32-suggestions.js its suggestions (department, patrols, duplicates)
 *   33-bulk.js       the multi-selection bar and bulk dispatch
 *   40-dialog.js     the dialog frame, its form parts and the note/reason dialog; 41–46, 48 one file per dialog
 *                    (48-dialog-locate.js: 标注位置 of a report without a location, typed or picked on the map)
 *   47-commands.js   sending a command, conflicts, toasts
 *   50-map.js        case markers, selection overlay, grid polygons, attaching to dash-leaflet
 *   51-patrols.js    patrol dots and clicking them;  52-minimap.js the panel's mini-map
 *   60-keyboard.js   the key handler and the key help
 *   70-live.js       the shared live client (shared/live.js) wired to the merge
 *   90-boot.js       starting once #dispatch-root is on the page, the chrome's events, the test handle
 *
 * The pure files also load under Node (`require`, tests/js/desk-*.test.js); the others run in the page only.
 */
(function () {
  "use strict";

  var D = (window.gridcmdDesk = window.gridcmdDesk || {});

  D.ROOT_ID = "dispatch-root";
  D.GRID_ID = "dispatch-queue";
  D.NEW_MS = 60000; // how long a new arrival stays highlighted unless opened
  D.OWN_MS = 10000; // how long our own command keeps a case's level change from sounding the cue

  var st = (D.st = {
    ready: false,
    // from the page's data-config (05-config.js)
    strings: {},
    me: { name: "", role: "", scope: "", district_wide: true },
    commands: new Set(),
    sources: {},
    terminal: new Set(),
    thresholds: null,
    depts: new Map(),
    deptList: [],
    streets: new Map(),
    tz: "Asia/Shanghai",
    lang: "zh",
    tabs: [],
    clock: null, // gridcmdFormat.clock in the district's zone
    // reference data loaded later
    catalog: [],
    catalogByCode: new Map(),
    gridNames: new Map(),
    gridLayers: new Map(),
    gridFeatures: new Map(), // grid code -> GeoJSON feature (for the panel's mini-map)
    // live
    live: null, // the shared live client (shared/live.js)
    conn: "idle",
    haveSnapshot: false,
    maxSeenId: 0,
    skewMs: 0,
    cases: new Map(), // case id -> row (open cases, plus the newest closed ones)
    closed: [], // ids of held closed cases, oldest first
    tomb: new Map(), // case id -> version of recently dropped cases
    fresh: new Map(), // case id -> time it arrived (new-arrival highlight)
    own: new Map(), // case id -> time of our own last command (no sound cue for our own filing)
    patrols: new Map(), // patrol id -> {lon, lat, status, marker}
    // ui
    tab: "reported",
    street: "",
    search: "",
    primary: null,
    multi: new Set(),
    detail: null,
    sugg: null,
    detailSeq: 0,
    dialog: null,
    picking: null, // {caseId}: the locate dialog stepped aside, the next map click is that case's point
    alert: null, // {id, text}
    api: null,
    map: null,
    caseRenderer: null,
    patrolRenderer: null,
    markers: new Map(),
    overlay: null,
    minimap: null,
    minimapGrids: null,
    minimapMarker: null,
    minimapGrid: null,
    minimapByCode: null,
    muted: false,
    mapFolded: false, // the map folded away (22-header.js setMapFolded): the queue and the panel take its room
    audio: null,
    beeps: 0,
    cues: 0,
    timers: { tick: 0, detail: 0, gridNames: 0 },
    renderQueued: false,
    countsShown: {},
  });

  /** A UI string, placeholders filled in (shared/format.js). */
  D.s = function (key, vars) {
    return window.gridcmdFormat.t(st.strings, key, vars);
  };

  D.el = function (id) {
    return document.getElementById(id);
  };

  /** A new element holding `text` as text. */
  D.h = function (tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  };

  /**
   * Run one of the desk's page files (20-…90-): `body(D, st, h, s)` gets the namespace, the state, and the two
   * helpers nearly every file uses. (The pure files 05–14 are UMD modules instead, so that Node can load them.)
   */
  D.part = function (body) {
    body(D, st, D.h, D.s);
  };

  /** The server's clock (the snapshot tells the skew): deadlines are the server's. */
  D.now = function () {
    return Date.now() + st.skewMs;
  };

  D.metres = function (m) {
    return window.gridcmdFormat.distance(m, D.s("dispatch.unit.m"), D.s("dispatch.unit.km"));
  };

  /** A same-origin JSON call: resolves to {status, ok, body}; a 401 sends the desk back to the login. */
  D.api = function (method, path, body) {
    var init = { method: method, credentials: "same-origin", headers: { Accept: "application/json" } };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(path, init).then(function (resp) {
      if (resp.status === 401) {
        // The session ended (idle timeout, sign-out elsewhere): back to the login, then to the desk.
        location.href = "/login?next=/dispatch/";
      }
      return resp.text().then(function (text) {
        var data = null;
        try {
          data = text ? JSON.parse(text) : null;
        } catch (_e) {
          data = { error: text };
        }
        return { status: resp.status, ok: resp.ok, body: data };
      });
    });
  };
})();
