/* GridCommand big screen (/screen): live state and map layers, fed by the shared live client.
 *
 * Live state lives here, not in Dash props (Dash keeps an unbounded undo history of prop changes, and the
 * wall runs for weeks). Dash injects every assets/*.js into every page, so nothing runs until dash-leaflet
 * calls gridcmd.attach() from the screen's LayerGroup; attach is idempotent because dash-leaflet calls it again
 * whenever it re-creates the group. Helpers: gridcmd-screen-map.js (patrol painter, streets, auto-tour),
 * gridcmd-screen-sla.js (deadline status, board, ticker), gridcmd-screen-panels.js (tiles and charts).
 *
 * Live protocol (DESIGN.md section 10): gridcmd-live.js connects, buffers, orders, deduplicates and resyncs; this
 * file only renders what it hands over (a snapshot, case rows, patrol frames, the connection state). `patrols`
 * frames carry only the patrols that moved.
 *
 * Everything held is bounded (cases, tombstones, ticker, board pool; the live client bounds its buffer); per
 * second the page does one pass over the held cases for deadline colours and rewrites only the DOM that changed.
 */
(function () {
  "use strict";

  var ns = (window.gridcmd = window.gridcmd || {});

  var TERMINAL = { self_handled: true, rejected: true, merged: true, closed: true };
  var TOMB_MAX = 4096; // versions of recently dropped cases, so a late stale row cannot resurrect one
  var HELD_MAX = 20000; // case markers drawn at most; beyond this the oldest are only counted
  var DAY_MS = 86400000;
  var FRESH_MS = 3000; // arrival pulse (two rings, see gridcmd-screen.css)
  var PERF_MAX = 600; // per-frame timings kept for the bench (a ring)
  // Grid fill by open cases per 1,000 residents: none, then one colour per step band (legend in layouts/screen.py).
  var LOAD_NONE = "rgba(40,120,200,0.08)";
  var LOAD_COLORS = [
    "rgba(0,190,220,0.22)",
    "rgba(60,210,150,0.32)",
    "rgba(230,210,50,0.40)",
    "rgba(255,140,40,0.50)",
    "rgba(255,60,60,0.60)",
  ];

  var live = {
    map: null,
    client: null, // the shared live client (gridcmd-live.js)
    conn: "idle", // idle | connecting | live | reconnecting | offline
    cases: new Map(), // case id -> {row, marker, el, base, cls, deadlineMs, startMs, sla}
    tomb: new Map(), // case id -> version at which it left the open views
    patrols: new Map(), // patrol id -> [lon, lat, status]
    patrolsOnline: 0,
    patrolLayer: null,
    grids: new Map(), // grid code -> {layer, name, street, pop, fill}; kept across remounts (overwritten by code)
    gridOpen: new Map(), // grid code -> open cases held
    dirtyGrids: new Set(), // bounded by the number of grids
    streets: null, // {group, bounds, all} once /api/v1/screen/meta arrived
    streetNames: new Map(),
    departments: {},
    majors: {}, // catalog code -> major class (from /api/v1/screen/meta), for the arrival charts
    haveSnapshot: false,
    maxSeenId: 0,
    today: 0,
    openBeyond: 0, // open cases the snapshot did not carry (it holds the newest N)
    minHeldId: Infinity,
    dayStartMs: 0,
    skewMs: 0, // server clock minus browser clock
    counts: { over: 0, red: 0 },
    boardDirty: true,
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
  };

  // ---------------------------------------------------------------- helpers

  function s(key) {
    return live.strings[key] || key;
  }

  function el(id) {
    return document.getElementById(id);
  }

  function now() {
    return Date.now() + live.skewMs;
  }

  function record(list, value) {
    list.push(value);
    if (list.length > PERF_MAX) list.shift();
  }

  function mark(name) {
    if (!(name in live.marks)) live.marks[name] = performance.now();
  }

  function gridName(code) {
    var g = live.grids.get(code);
    return g ? g.name : code || "";
  }

  // ---------------------------------------------------------------- grid layer (called by dash-leaflet)

  var gridSteps = [0.5, 1, 2, 4];

  /** Open cases per 1,000 residents → a band colour. */
  function loadColor(open, pop) {
    if (!open) return LOAD_NONE;
    var per = (open * 1000) / Math.max(pop || 1000, 1);
    var i = 0;
    while (i < gridSteps.length && per >= gridSteps[i]) i++;
    return LOAD_COLORS[Math.min(i, LOAD_COLORS.length - 1)];
  }

  /** Style of a grid polygon: fill by open cases per 1,000 residents (live counts once a snapshot is in). */
  ns.gridStyle = function (feature, ctx) {
    if (ctx && ctx.hideout && ctx.hideout.steps) gridSteps = ctx.hideout.steps;
    var p = feature.properties;
    var open = live.haveSnapshot ? live.gridOpen.get(p.code) || 0 : p.load || 0;
    return {
      color: "#3d8fd6",
      weight: 0.8,
      opacity: 0.5,
      fillColor: loadColor(open, p.population),
      fillOpacity: 1,
    };
  };

  /** Remember each grid's layer, name and population, so live load restyles just the grids that changed. */
  ns.gridFeature = function (feature, layer) {
    var p = feature.properties;
    // The style function ran just before this: remember its fill, so the snapshot restyles only loaded grids.
    var fill = layer.options.fillColor || "";
    live.grids.set(p.code, { layer: layer, name: p.name, street: p.street_code, pop: p.population, fill: fill });
    mark("gridsLoaded");
    scheduleRender();
    if (!live.namesQueued) {
      // Once all grids are in (this runs once per feature, synchronously): redraw texts that show grid names.
      live.namesQueued = true;
      setTimeout(function () {
        live.namesQueued = false;
        mark("gridsDone");
        maybeAllowCharts();
        live.boardDirty = true;
        if (live.ticker) live.ticker.build();
      }, 0);
    }
  };

  function restyleGrid(code) {
    var g = live.grids.get(code);
    if (!g) return;
    var fill = loadColor(live.gridOpen.get(code) || 0, g.pop);
    if (g.fill === fill) return;
    g.fill = fill;
    g.layer.setStyle({ fillColor: fill });
  }

  function gridAdd(code, delta) {
    var n = (live.gridOpen.get(code) || 0) + delta;
    if (n > 0) live.gridOpen.set(code, n);
    else live.gridOpen.delete(code);
    if (live.grids.has(code)) live.dirtyGrids.add(code);
  }

  // ---------------------------------------------------------------- case markers (one DOM icon per open case)

  function caseClass(entry) {
    var row = entry.row;
    return "case-marker case-" + row.id + " lvl-" + (row.level || "n").toLowerCase() + " sla-" + entry.sla + " st-" + row.state;
  }

  function paneFor(entry) {
    return entry.sla === "over" ? "gc-cases-over" : "gc-cases";
  }

  function timing(entry) {
    var row = entry.row;
    entry.deadlineMs = row.deadline ? Date.parse(row.deadline) : 0;
    entry.startMs = entry.deadlineMs ? ns.screenSla.stageStart(row, entry.deadlineMs) : 0;
    entry.sla = ns.screenSla.status(entry, now());
  }

  var CaseMarker = null;
  /**
   * An L.Marker placed with a 2D translate. Leaflet uses translate3d, which gives every one of 2,000 icons its
   * own compositing layer; the wall then spends its main thread re-committing those layers on every animation
   * frame of the ticker and the flashing pane.
   */
  function caseMarker(latlng, options) {
    if (!CaseMarker) {
      CaseMarker = L.Marker.extend({
        _setPos: function (pos) {
          this._icon._leaflet_pos = pos;
          this._icon.style.transform = "translate(" + pos.x + "px," + pos.y + "px)";
          this._zIndex = pos.y + this.options.zIndexOffset;
          this._resetZIndex();
        },
      });
    }
    return new CaseMarker(latlng, options);
  }

  function addMarker(entry, fresh) {
    var row = entry.row;
    var size = Math.round(26 * live.scale);
    entry.cls = caseClass(entry);
    entry.marker = caseMarker([row.lat, row.lon], {
      pane: paneFor(entry),
      interactive: false,
      keyboard: false,
      icon: L.divIcon({ className: entry.cls, html: "", iconSize: [size, size] }),
    }).addTo(live.map);
    entry.el = entry.marker.getElement();
    entry.el.textContent = row.level || ""; // text: divIcon's `html` would be innerHTML, and levels come from imports
    entry.base = entry.el.className.replace(entry.cls, "").replace(/\s+/g, " ").trim();
    if (fresh) {
      entry.el.classList.add("fresh");
      var target = entry.el;
      setTimeout(function () {
        target.classList.remove("fresh");
      }, FRESH_MS);
    }
  }

  /** Rewrite a marker's class, letter and pane only when they changed. */
  function refreshMarker(entry) {
    var cls = caseClass(entry);
    if (cls === entry.cls || !entry.el) return;
    var fresh = entry.el.classList.contains("fresh");
    var pane = paneFor(entry);
    if (entry.marker.options.pane !== pane) {
      // Overdue markers live in their own pane, which blinks as a whole (one composited layer, not N animations).
      entry.marker.options.pane = pane;
      live.map.getPane(pane).appendChild(entry.el);
    }
    entry.cls = cls;
    entry.el.className = entry.base + " " + cls + (fresh ? " fresh" : "");
    var letter = entry.row.level || "";
    if (entry.el.textContent !== letter) entry.el.textContent = letter;
  }

  function dropMarker(entry) {
    if (entry.marker) entry.marker.remove();
    entry.marker = null;
    entry.el = null;
  }

  function tombstone(id, version) {
    live.tomb.delete(id);
    live.tomb.set(id, version);
    if (live.tomb.size > TOMB_MAX) live.tomb.delete(live.tomb.keys().next().value);
  }

  function holdCase(row, fresh) {
    var entry = { row: row, marker: null, el: null, base: "", cls: "", deadlineMs: 0, startMs: 0, sla: "none" };
    timing(entry);
    live.cases.set(row.id, entry);
    gridAdd(row.grid_code, 1);
    addMarker(entry, fresh);
    live.boardDirty = true;
    if (live.cases.size > HELD_MAX) {
      // Bounded memory over weeks: stop drawing the oldest held case, keep counting it as open.
      var oldestId = live.cases.keys().next().value;
      var oldest = live.cases.get(oldestId);
      live.cases.delete(oldestId);
      gridAdd(oldest.row.grid_code, -1);
      dropMarker(oldest);
      live.openBeyond++;
      live.minHeldId = Math.max(live.minHeldId === Infinity ? 0 : live.minHeldId, oldestId + 1);
    }
  }

  // ---------------------------------------------------------------- alerts (ticker)

  /** Ticker text, built when the ticker is drawn (grid names may arrive after the alert). */
  function alertText(alert) {
    return (alert.category || s("source." + alert.source)) + " · " + gridName(alert.grid);
  }

  function alertFor(kind, row, at) {
    live.ticker.push({
      key: kind + ":" + row.id + (kind === "supervised" ? ":" + row.supervision_count : ""),
      kind: kind,
      id: row.id,
      at: at || row.updated_at || row.reported_at || "",
      category: row.category,
      source: row.source,
      grid: row.grid_code,
    });
  }

  /** Alerts from a change: a case became (or arrived as) level A, was escalated, or was supervised (督办). */
  function alertsFrom(old, row) {
    if (!live.ticker || TERMINAL[row.state]) return;
    if (row.level === "A" && (!old || old.level !== "A")) alertFor("a", row);
    if (row.tier === "district" && old && old.tier !== "district") alertFor("escalated", row);
    if ((row.supervision_count || 0) > ((old && old.supervision_count) || 0)) alertFor("supervised", row);
  }

  /** After a snapshot: the standing alerts among open cases (A level, escalated, supervised). */
  function seedAlerts(rows) {
    if (!live.ticker) return;
    for (var i = 0; i < rows.length; i++) {
      var row = rows[i];
      if (row.level === "A") alertFor("a", row, row.reported_at);
      if (row.tier === "district") alertFor("escalated", row);
      if (row.supervision_count > 0) alertFor("supervised", row);
    }
  }

  // ---------------------------------------------------------------- applying rows

  /** Apply one CASE_ROW from a delta; markers, counters and grids update on the next render. */
  function applyRow(row) {
    var held = live.cases.get(row.id);
    if (held && row.version <= held.row.version) return;
    var gone = live.tomb.get(row.id);
    if (gone !== undefined && row.version <= gone) return;

    var isNew = row.id > live.maxSeenId;
    if (isNew) {
      live.maxSeenId = row.id;
      if (Date.parse(row.reported_at) >= live.dayStartMs) live.today++;
      if (ns.screenPanels) ns.screenPanels.countArrival(row, live.dayStartMs);
    }
    alertsFrom(held ? held.row : null, row);
    // An unknown, older case: one of the open cases the snapshot left out (it carries only the newest N).
    var beyond = !held && !isNew && row.id < live.minHeldId && live.openBeyond > 0;

    if (TERMINAL[row.state]) {
      if (held) {
        live.cases.delete(row.id);
        gridAdd(held.row.grid_code, -1);
        dropMarker(held);
        live.boardDirty = true;
      } else if (beyond) {
        live.openBeyond--;
      }
      tombstone(row.id, row.version);
    } else if (held) {
      if (held.row.grid_code !== row.grid_code) {
        gridAdd(held.row.grid_code, -1);
        gridAdd(row.grid_code, 1);
      }
      if (held.row.lat !== row.lat || held.row.lon !== row.lon) held.marker.setLatLng([row.lat, row.lon]);
      held.row = row;
      timing(held);
      refreshMarker(held);
      live.boardDirty = true;
    } else {
      if (beyond) live.openBeyond--;
      holdCase(row, isNew);
    }
  }

  /** The case rows of one delta, as the live client hands them over (in stream order, deduplicated). */
  function applyCases(rows) {
    var t0 = performance.now();
    for (var i = 0; i < rows.length; i++) applyRow(rows[i]);
    if (ns.screenPanels) ns.screenPanels.noteChange();
    scheduleRender();
    record(live.perf.deltas, performance.now() - t0);
  }

  function applySnapshot(snap) {
    var rows = snap.cases || [];
    var k = snap.kpis || {};
    var keep = new Set();
    live.skewMs = k.server_ms ? k.server_ms - Date.now() : 0;
    live.gridOpen.clear();
    for (var i = 0; i < rows.length; i++) {
      var row = rows[i];
      keep.add(row.id);
      var held = live.cases.get(row.id);
      if (held) {
        live.gridOpen.set(row.grid_code, (live.gridOpen.get(row.grid_code) || 0) + 1);
        if (held.row.lat !== row.lat || held.row.lon !== row.lon) held.marker.setLatLng([row.lat, row.lon]);
        held.row = row;
        timing(held);
        refreshMarker(held);
      } else {
        live.tomb.delete(row.id);
        holdCase(row, false);
      }
    }
    live.cases.forEach(function (entry, id) {
      if (!keep.has(id)) {
        dropMarker(entry);
        live.cases.delete(id);
      }
    });
    live.haveSnapshot = true;
    live.boardDirty = true;
    live.today = k.today_reported || 0;
    live.maxSeenId = Math.max(k.max_case_id || 0, rows.length ? rows[rows.length - 1].id : 0);
    if (ns.screenPanels) ns.screenPanels.noteUncounted(live.maxSeenId); // counted by summaries, not as arrivals
    live.openBeyond = Math.max(0, (k.open || 0) - rows.length);
    live.minHeldId = rows.length ? rows[0].id : Infinity; // rows come oldest first
    live.dayStartMs = k.day_start_ms || 0;
    live.grids.forEach(function (_g, code) {
      live.dirtyGrids.add(code);
    });
    seedAlerts(rows);
    applyPatrolRows(snap.patrols || [], true);
    scheduleRollover();
    scheduleRender();
    mark("snapshot");
    maybeAllowCharts();
  }

  // ---------------------------------------------------------------- patrols (painted off the main thread)

  function applyPatrolRows(rows, full) {
    var t0 = performance.now();
    var keep = full ? new Set() : null;
    for (var i = 0; i < rows.length; i++) {
      var r = rows[i]; // [id, lon, lat, status]
      var p = live.patrols.get(r[0]);
      if (keep) keep.add(r[0]);
      if (!p) {
        live.patrols.set(r[0], [r[1], r[2], r[3]]);
        if (r[3] !== "offline") live.patrolsOnline++;
        continue;
      }
      if (p[2] !== r[3]) live.patrolsOnline += (r[3] !== "offline" ? 1 : 0) - (p[2] !== "offline" ? 1 : 0);
      p[0] = r[1];
      p[1] = r[2];
      p[2] = r[3];
    }
    if (keep) {
      live.patrols.forEach(function (p, id) {
        if (!keep.has(id)) {
          if (p[2] !== "offline") live.patrolsOnline--;
          live.patrols.delete(id);
        }
      });
    }
    if (live.patrolLayer) live.patrolLayer.feed(rows, full);
    scheduleRender();
    record(live.perf.patrols, performance.now() - t0);
  }

  /** The painter starts empty (first mount, or re-created by dash-leaflet): hand it every patrol we hold. */
  function refeedPatrols() {
    var rows = [];
    live.patrols.forEach(function (p, id) {
      rows.push([id, p[0], p[1], p[2]]);
    });
    live.patrolLayer.feed(rows, true);
  }

  // ---------------------------------------------------------------- per-second pass: deadlines, board, clock

  /** Recolour markers whose deadline status changed, count overdue/red, and refresh the board. */
  function tick() {
    var t0 = performance.now();
    var t = now();
    var over = 0;
    var red = 0;
    var dirty = live.boardDirty;
    live.cases.forEach(function (entry) {
      var status = ns.screenSla.status(entry, t);
      if (status !== entry.sla) {
        entry.sla = status;
        refreshMarker(entry);
        dirty = true;
      }
      if (status === "over") over++;
      else if (status === "red") red++;
    });
    live.counts.over = over;
    live.counts.red = red;
    if (dirty) {
      var ordered = [];
      live.cases.forEach(function (entry) {
        if (entry.sla !== "none" && entry.sla !== "paused") ordered.push(entry);
      });
      ordered.sort(function (a, b) {
        return a.deadlineMs - b.deadlineMs || a.row.id - b.row.id;
      });
      live.ordered = ordered;
      live.boardDirty = false;
    }
    if (live.board) live.board.render(live.ordered, over, t);
    writeClock(t);
    render();
    record(live.perf.ticks, performance.now() - t0);
  }

  function describe(entry) {
    var row = entry.row;
    var dept = row.department_code ? live.departments[row.department_code] || row.department_code : "";
    var parts = [s("state." + row.state), gridName(row.grid_code)];
    if (dept) parts.push(dept);
    return { cat: row.category || s("source." + row.source), where: parts.join(" · ") };
  }

  var clockFmt = null;
  function writeClock(t) {
    var node = el("screen-clock");
    if (!node) return;
    if (!clockFmt) {
      clockFmt = new Intl.DateTimeFormat(live.lang === "en" ? "en-GB" : "zh-CN", {
        timeZone: live.tz,
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
        weekday: live.lang === "en" ? "short" : "long",
        hour: "2-digit",
        minute: "2-digit",
        second: "2-digit",
        hourCycle: "h23",
      });
    }
    // "2026-11-22 星期日 18:48:51" whatever the locale's own punctuation.
    var p = {};
    clockFmt.formatToParts(new Date(t)).forEach(function (part) {
      p[part.type] = part.value;
    });
    node.textContent = p.year + "-" + p.month + "-" + p.day + " " + p.weekday + " " + p.hour + ":" + p.minute + ":" + p.second;
  }

  // ---------------------------------------------------------------- counters

  function scheduleRender() {
    if (live.renderQueued) return;
    live.renderQueued = true;
    requestAnimationFrame(render);
  }

  function writeNum(id, value) {
    if (live.shown[id] === value) return;
    live.shown[id] = value;
    var node = el(id);
    if (node) node.textContent = value === null ? "—" : value.toLocaleString("zh-CN");
  }

  function render() {
    live.renderQueued = false;
    var ready = live.haveSnapshot;
    writeNum("screen-kpi-today", ready ? live.today : null);
    writeNum("screen-kpi-open", ready ? live.cases.size + live.openBeyond : null);
    writeNum("screen-kpi-overdue", ready ? live.counts.over : null);
    writeNum("screen-kpi-warning", ready ? live.counts.red : null);
    writeNum("screen-kpi-patrols", ready ? live.patrolsOnline : null);
    writeNum("screen-kpi-grids", live.grids.size || null);
    writeNum("screen-board-overdue", ready ? live.counts.over : null);
    writeNum("screen-board-warning", ready ? live.counts.red : null);
    if (ready && ns.screenPanels) ns.screenPanels.renderTiles();
    if (live.dirtyGrids.size) {
      live.dirtyGrids.forEach(restyleGrid);
      live.dirtyGrids.clear();
    }
  }

  function setConn(state) {
    live.conn = state;
    var node = el("screen-conn");
    if (!node) return;
    node.className = "screen-conn is-" + state;
    var label = node.querySelector(".screen-conn-label");
    var key = { live: "screen.live", reconnecting: "screen.reconnecting", offline: "screen.offline" }[state];
    if (label) label.textContent = s(key || "screen.connecting");
  }

  /** "Today" restarts at local midnight: ask for a fresh snapshot then (jittered, so walls don't stampede). */
  function scheduleRollover() {
    clearTimeout(live.timers.rollover);
    if (!live.dayStartMs) return;
    var wait = live.dayStartMs + DAY_MS - now() + 2000 + Math.random() * 20000;
    live.timers.rollover = setTimeout(resync, Math.max(60000, wait)); // floor: never loop on a skewed clock
  }

  function pastMidnight() {
    return live.dayStartMs && now() >= live.dayStartMs + DAY_MS;
  }

  // ---------------------------------------------------------------- street pressure (auto-tour)

  /** Streets by how pressing their open cases are: overdue weighs most, then red, amber and level A. */
  function streetPressure() {
    var by = new Map();
    live.cases.forEach(function (entry) {
      var code = entry.row.street_code;
      var p = by.get(code);
      if (!p) by.set(code, (p = { code: code, name: live.streetNames.get(code) || code, over: 0, red: 0, amber: 0, a: 0, open: 0 }));
      p.open++;
      if (entry.sla === "over") p.over++;
      else if (entry.sla === "red") p.red++;
      else if (entry.sla === "amber") p.amber++;
      if (entry.row.level === "A") p.a++;
    });
    var list = Array.from(by.values());
    list.forEach(function (p) {
      p.score = p.over * 5 + p.red * 3 + p.amber + p.a * 2 + p.open * 0.2;
    });
    return list.sort(function (a, b) {
      return b.score - a.score;
    });
  }

  // ---------------------------------------------------------------- live client (gridcmd-live.js)

  function resync() {
    if (live.client) live.client.resync(); // not connected: the next connect asks for a snapshot
  }

  function onSynced() {
    if (live.board) tick(); // counters, colours and the board reflect the new state at once, not next second
    if (pastMidnight()) resync(); // we were away over midnight: today's counter needs a fresh base
  }

  function startSocket() {
    if (live.client) {
      live.client.reconnect(); // connects now if the socket gave up
      return;
    }
    live.client = window.gridcmdLiveClient.connect({
      io: window.io,
      view: "screen",
      paused: !live.map, // connected before the map mounted: attach() resumes
      onSnapshot: function (_cases, _kpis, snap) {
        applySnapshot(snap);
      },
      onCases: applyCases,
      onPatrols: function (frame) {
        applyPatrolRows(frame.rows || [], false);
      },
      onSynced: onSynced,
      onState: setConn,
    });
  }

  // ---------------------------------------------------------------- mount / unmount

  function ensurePane(map, name, z) {
    var pane = map.getPane(name) || map.createPane(name);
    pane.style.zIndex = String(z);
    return pane;
  }

  function loadMeta() {
    fetch("/api/v1/screen/meta", { credentials: "same-origin" })
      .then(function (r) {
        if (!r.ok) throw new Error("meta " + r.status);
        return r.json();
      })
      .then(function (meta) {
        if (!live.map) return;
        live.departments = meta.departments || {};
        live.majors = meta.majors || {};
        meta.streets.features.forEach(function (f) {
          live.streetNames.set(f.properties.code, f.properties.name);
        });
        if (live.streets) live.streets.group.remove();
        live.streets = ns.screenMap.drawStreets(live.map, meta.streets, live.scale);
        var district = el("screen-district");
        if (district && meta.district) district.textContent = meta.district.name + " · " + s("screen.subtitle");
        live.boardDirty = true;
        mark("meta");
      })
      .catch(function () {
        setTimeout(function () {
          if (live.map) loadMeta();
        }, 10000);
      });
  }

  function buildLayers(map) {
    ensurePane(map, "gc-streets", 420);
    ensurePane(map, "gc-patrols", 440);
    ensurePane(map, "gc-labels", 445);
    ensurePane(map, "gc-cases", 450);
    ensurePane(map, "gc-cases-over", 455).classList.add("gc-blink-pane");
    live.patrolLayer = ns.screenMap.patrolLayer({
      workerUrl: live.config.workerUrl,
      scale: live.scale,
      clusterBelowZoom: live.config.clusterBelowZoom,
      onDrawn: function (m) {
        record(live.perf.draws, m.ms);
        mark("patrolsDrawn");
      },
    });
    live.patrolLayer.addTo(map);
    refeedPatrols();
  }

  function readConfig() {
    var root = el("screen-root");
    try {
      live.strings = JSON.parse(root.getAttribute("data-i18n") || "{}");
      live.config = JSON.parse(root.getAttribute("data-config") || "{}");
    } catch (_e) {
      live.strings = {};
      live.config = {};
    }
    live.tz = root.getAttribute("data-tz") || live.tz;
    live.lang = root.getAttribute("data-lang") || live.lang;
    live.scale = parseFloat(getComputedStyle(document.documentElement).fontSize) / 16 || 1;
    if (live.config.loadSteps) gridSteps = live.config.loadSteps;
  }

  function readTemplate() {
    try {
      return JSON.parse(el("screen-root").getAttribute("data-chart-template") || "null");
    } catch (_e) {
      return null;
    }
  }

  /**
   * The live map is complete (snapshot applied, grids drawn): once it has been painted, let the charts load
   * Plotly, whose evaluation holds the main thread for a second or more.
   */
  function maybeAllowCharts() {
    if (!live.haveSnapshot || !("gridsDone" in live.marks) || !ns.screenPanels) return;
    requestAnimationFrame(function () {
      requestAnimationFrame(function () {
        mark("mapPainted"); // the frame with the complete map has been produced (first-paint bench)
        setTimeout(ns.screenPanels.allowCharts, 300);
      });
    });
  }

  function startPanels() {
    var board = el("screen-board-list");
    if (board) live.board = new ns.screenSla.Board(board, live.strings, describe);
    var track = el("screen-ticker");
    if (track) live.ticker = new ns.screenSla.Ticker(track, live.strings, live.scale, alertText);
    ns.screenPanels.start({
      strings: live.strings,
      scale: live.scale,
      periodS: live.config.summaryPeriodS || 60,
      template: readTemplate(),
      today: function () {
        return live.today;
      },
      newestId: function () {
        return live.maxSeenId;
      },
      major: function (code) {
        return (live.majors && live.majors[code]) || null;
      },
    });
    live.tour = new ns.screenMap.Tour(live.map, {
      captionId: "screen-tour",
      idleS: live.config.tourIdleS || 60,
      stepS: live.config.tourStepS || 20,
      strings: live.strings,
      streets: function () {
        return live.streets;
      },
      pressure: streetPressure,
    });
    live.tour.start();
    // Align the per-second pass to the wall clock so countdowns tick with the header clock.
    live.timers.tick = setTimeout(function () {
      tick();
      live.timers.tick = setInterval(tick, 1000);
    }, 1000 - (Date.now() % 1000));
    window.addEventListener("resize", onResize);
  }

  function onResize() {
    clearTimeout(live.timers.resize);
    live.timers.resize = setTimeout(function () {
      if (live.board) live.board.fit();
    }, 300);
  }

  function teardown() {
    if (live.client) live.client.close();
    Object.keys(live.timers).forEach(function (k) {
      clearTimeout(live.timers[k]);
      clearInterval(live.timers[k]);
      live.timers[k] = 0;
    });
    window.removeEventListener("resize", onResize);
    if (ns.screenPanels) ns.screenPanels.stop();
    if (live.tour) live.tour.stop();
    if (live.ticker) live.ticker.destroy();
    if (live.patrolLayer) live.patrolLayer.remove();
    live.tour = live.ticker = live.board = live.patrolLayer = live.streets = null;
    live.client = null;
    live.map = null;
    live.cases.clear();
    live.tomb.clear();
    live.patrols.clear();
    live.patrolsOnline = 0;
    live.gridOpen.clear();
    live.dirtyGrids.clear();
    live.ordered = [];
    live.haveSnapshot = false;
    live.shown = {};
    live.conn = "idle";
  }

  /** Mount point: called by dash-leaflet with the LayerGroup as e.target and ctx.map, on every (re)creation. */
  ns.attach = function (e, ctx) {
    var map = (ctx && ctx.map) || (e && e.target && e.target._map);
    if (!map || !el("screen-root")) return; // not the big screen
    if (live.map !== map) {
      if (live.map) teardown(); // a new map (page re-created): start clean, the server sends a snapshot
      live.map = map;
      mark("attach");
      readConfig();
      buildLayers(map);
      loadMeta();
      startPanels();
    }
    startSocket();
    setConn(live.conn);
    live.client.resume(); // what arrived before the map mounted (snapshot, deltas) is drawn now, in order
    scheduleRender();
  };

  /**
   * On the big screen's own URL, start what takes the server longest before Dash has even rendered the map: the
   * socket (its snapshot is held until attach) and the grid polygons (the map's later request is answered from
   * the browser cache with a 304).
   */
  function early() {
    if (location.pathname.indexOf("/screen") !== 0 || typeof window.io !== "function" || live.client) return;
    mark("early");
    fetch("/api/v1/screen/grids", { credentials: "same-origin" })
      .then(function (r) {
        return r.arrayBuffer();
      })
      .catch(function () {});
    startSocket();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", early);
  else early();

  /** dash-leaflet removes the group when it re-creates it (attach follows at once) or leaves the page. */
  ns.detach = function () {
    setTimeout(function () {
      if (live.map && !document.body.contains(live.map.getContainer())) teardown();
    }, 1000);
  };

  function summary(list) {
    var sorted = list.slice().sort(function (a, b) {
      return a - b;
    });
    var at = function (q) {
      return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : null;
    };
    return { n: sorted.length, p50: at(0.5), p95: at(0.95), max: sorted.length ? sorted[sorted.length - 1] : null };
  }

  // Read-only handle for tests and benches; `_socket` lets a test force a disconnect.
  window.gridcmdLive = Object.freeze({
    get lastId() {
      return live.client ? live.client.lastId : null;
    },
    get state() {
      return live.conn;
    },
    get today() {
      return live.today;
    },
    get _socket() {
      return live.client ? live.client.socket : null;
    },
    get _map() {
      return live.map;
    },
    openCount: function () {
      return live.cases.size;
    },
    caseIds: function () {
      return Array.from(live.cases.keys()).sort(function (a, b) {
        return a - b;
      });
    },
    sla: function (id) {
      var entry = live.cases.get(id);
      return entry ? entry.sla : null;
    },
    gridCount: function () {
      return live.grids.size;
    },
    patrolCount: function () {
      return live.patrols.size;
    },
    patrol: function (id) {
      var p = live.patrols.get(id);
      return p ? p.slice() : null;
    },
    patrolLayer: function () {
      return live.patrolLayer ? live.patrolLayer.stats() : null;
    },
    tickerKeys: function () {
      return live.ticker ? live.ticker.text() : "";
    },
    pressure: streetPressure,
    tourNext: function () {
      if (live.tour) {
        live.tour.lastTouch = 0;
        live.tour.next();
      }
    },
    summaryFetches: function () {
      return ns.screenPanels ? ns.screenPanels.fetches() : 0;
    },
    arrivalsCounted: function () {
      return ns.screenPanels ? ns.screenPanels.arrivalsCounted() : 0;
    },
    marks: function () {
      return Object.assign({}, live.marks);
    },
    perf: function (raw) {
      var p = live.perf;
      if (raw) return { patrols: p.patrols.slice(), deltas: p.deltas.slice(), ticks: p.ticks.slice(), draws: p.draws.slice() };
      return { patrols: summary(p.patrols), deltas: summary(p.deltas), ticks: summary(p.ticks), draws: summary(p.draws) };
    },
  });
})();
