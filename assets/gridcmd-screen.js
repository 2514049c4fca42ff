/* GridCommand big screen (/screen): the page's own Socket.IO client and map layers.
 *
 * Live state lives here, not in Dash props (Dash keeps an unbounded undo history of prop changes, and the
 * wall runs for weeks). Dash injects every assets/*.js into every page, so nothing runs until dash-leaflet
 * calls gridcmd.attach() from the screen's LayerGroup; attach is idempotent because dash-leaflet calls it again
 * whenever it re-creates the group.
 *
 * Protocol (DESIGN.md section 10): connect with auth {view, since}; the server answers with a `snapshot`, or
 * replays the missed `delta`s and says `synced`. Deltas are buffered until then, applied in stream-id order,
 * deduplicated by stream id and by case version. `patrols` frames carry only the patrols that moved.
 */
(function () {
  "use strict";

  var ns = (window.gridcmd = window.gridcmd || {});

  var TERMINAL = { self_handled: true, rejected: true, merged: true, closed: true };
  var RECENT_MAX = 12;
  var PENDING_MAX = 5000; // deltas buffered before snapshot/synced; past this a fresh snapshot is cheaper
  var TOMB_MAX = 4096; // versions of recently dropped cases, so a late stale row cannot resurrect one
  var HELD_MAX = 20000; // case markers drawn at most; beyond this the oldest are only counted
  var DAY_MS = 86400000;
  var OVERDUE_SWEEP_MS = 30000;
  var LOAD_COLORS = ["rgba(40,120,200,0.10)", "rgba(0,200,200,0.28)", "rgba(250,200,40,0.38)", "rgba(255,90,60,0.50)"];
  var PATROL_COLORS = { available: "#3ee07a", busy: "#ffb02e", offline: "#5b6b80" };

  var live = {
    map: null,
    caseRenderer: null,
    patrolRenderer: null,
    socket: null,
    conn: "idle", // idle | connecting | live | reconnecting | offline
    lastId: null, // stream id of the last applied snapshot or delta
    synced: false,
    pending: [],
    cases: new Map(), // case id -> {row, marker, cls, deadlineMs}
    tomb: new Map(), // case id -> version at which it left the open views
    patrols: new Map(), // patrol id -> {marker, status, lon, lat}
    patrolsOnline: 0,
    grids: new Map(), // grid code -> {layer, name, fill}; kept across remounts (overwritten by code)
    gridOpen: new Map(), // grid code -> open cases held
    dirtyGrids: new Set(), // bounded by the number of grids
    haveSnapshot: false,
    maxSeenId: 0,
    today: 0,
    openBeyond: 0, // open cases the snapshot did not carry (it holds the newest N)
    minHeldId: Infinity,
    dayStartMs: 0,
    skewMs: 0, // server clock minus browser clock
    recent: [], // at most RECENT_MAX rows, newest first
    recentEls: new Map(), // case id -> <li>, same entries as `recent`
    strings: {},
    scale: 1, // marker sizes follow the page's rem (16 px at 1920x1080, 32 px on a 3840x2160 wall)
    tz: "Asia/Shanghai",
    lang: "zh",
    timers: { clock: 0, sweep: 0, rollover: 0, retry: 0 },
    renderQueued: false,
    shown: {}, // last values written to the counters, to skip identical writes
  };

  // ---------------------------------------------------------------- helpers

  function s(key) {
    return live.strings[key] || key;
  }

  function idParts(id) {
    var i = id.indexOf("-");
    return [Number(id.slice(0, i)), Number(id.slice(i + 1))];
  }

  /** Stream ids are "ms-seq": compare numerically, never as strings ("9-0" < "10-0"). */
  function cmpId(a, b) {
    var x = idParts(a);
    var y = idParts(b);
    return x[0] - y[0] || x[1] - y[1];
  }

  function el(id) {
    return document.getElementById(id);
  }

  function hhmmss(iso) {
    // reported_at is ISO with the center's offset (+08:00): the wall clock time is characters 11..19.
    return iso ? iso.slice(11, 19) : "";
  }

  // ---------------------------------------------------------------- grid layer (called by dash-leaflet)

  function loadColor(load, steps) {
    var i = 0;
    while (i < steps.length && load >= steps[i]) i++;
    return LOAD_COLORS[Math.min(i, LOAD_COLORS.length - 1)];
  }

  function steps(ctx) {
    return (ctx && ctx.hideout && ctx.hideout.steps) || [1, 3, 6];
  }

  function gridLoad(code, fallback) {
    return live.haveSnapshot ? live.gridOpen.get(code) || 0 : fallback || 0;
  }

  var gridSteps = [1, 3, 6];

  /** Style of a grid polygon: fill by open cases in it (live counts once a snapshot is in). */
  ns.gridStyle = function (feature, ctx) {
    gridSteps = steps(ctx);
    var load = gridLoad(feature.properties.code, feature.properties.load);
    return {
      className: "gc-grid",
      color: "#3d8fd6",
      weight: 1,
      opacity: 0.55,
      fillColor: loadColor(load, gridSteps),
      fillOpacity: 1,
    };
  };

  /** Remember each grid's layer and name, so live load can restyle just the grids that changed. */
  ns.gridFeature = function (feature, layer) {
    var p = feature.properties;
    live.grids.set(p.code, { layer: layer, name: p.name, fill: "" });
    scheduleRender();
  };

  function restyleGrid(code) {
    var g = live.grids.get(code);
    if (!g) return;
    var load = live.gridOpen.get(code) || 0;
    var fill = loadColor(load, gridSteps);
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

  // ---------------------------------------------------------------- case markers (SVG, one per open case)

  function caseClass(row, overdue) {
    return (
      "case-marker case-" + row.id + " lvl-" + (row.level || "n").toLowerCase() + " st-" + row.state +
      (overdue ? " overdue" : "")
    );
  }

  function isOverdue(entry, now) {
    return entry.deadlineMs > 0 && entry.deadlineMs < now;
  }

  function addMarker(entry, fresh) {
    var row = entry.row;
    entry.cls = caseClass(row, isOverdue(entry, Date.now() + live.skewMs));
    // className is set at creation (Leaflet applies it once); later changes write the path's class directly.
    entry.marker = L.circleMarker([row.lat, row.lon], {
      renderer: live.caseRenderer,
      pane: "gc-cases",
      radius: 7 * live.scale,
      weight: 2 * live.scale,
      interactive: false,
      className: entry.cls + (fresh ? " fresh" : ""),
    }).addTo(live.map);
  }

  function refreshMarker(entry, now) {
    var cls = caseClass(entry.row, isOverdue(entry, now));
    if (cls !== entry.cls) {
      entry.cls = cls;
      var path = entry.marker.getElement();
      if (path) path.setAttribute("class", cls);
    }
  }

  function dropMarker(entry) {
    if (entry.marker) entry.marker.remove();
    entry.marker = null;
  }

  function tombstone(id, version) {
    live.tomb.delete(id);
    live.tomb.set(id, version);
    if (live.tomb.size > TOMB_MAX) live.tomb.delete(live.tomb.keys().next().value);
  }

  function holdCase(row, fresh) {
    var entry = { row: row, marker: null, cls: "", deadlineMs: row.deadline ? Date.parse(row.deadline) : 0 };
    live.cases.set(row.id, entry);
    gridAdd(row.grid_code, 1);
    addMarker(entry, fresh);
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

  /** Apply one CASE_ROW from a delta; returns nothing, marks counters and grids for the next render. */
  function applyRow(row) {
    var held = live.cases.get(row.id);
    if (held && row.version <= held.row.version) return;
    var gone = live.tomb.get(row.id);
    if (gone !== undefined && row.version <= gone) return;

    var isNew = row.id > live.maxSeenId;
    if (isNew) {
      live.maxSeenId = row.id;
      if (Date.parse(row.reported_at) >= live.dayStartMs) live.today++;
      pushRecent(row);
    } else {
      updateRecent(row);
    }
    // An unknown, older case: one of the open cases the snapshot left out (it carries only the newest N).
    var beyond = !held && !isNew && row.id < live.minHeldId && live.openBeyond > 0;

    if (TERMINAL[row.state]) {
      if (held) {
        live.cases.delete(row.id);
        gridAdd(held.row.grid_code, -1);
        dropMarker(held);
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
      held.deadlineMs = row.deadline ? Date.parse(row.deadline) : 0;
      refreshMarker(held, Date.now() + live.skewMs);
    } else {
      if (beyond) live.openBeyond--;
      holdCase(row, true);
    }
  }

  function applyDelta(delta) {
    if (live.lastId !== null && cmpId(delta.id, live.lastId) <= 0) return; // seen already (replay overlap)
    var rows = delta.cases || [];
    for (var i = 0; i < rows.length; i++) applyRow(rows[i]);
    live.lastId = delta.id;
    scheduleRender();
  }

  function applySnapshot(snap) {
    var rows = snap.cases || [];
    var k = snap.kpis || {};
    var keep = new Set();
    live.gridOpen.clear();
    for (var i = 0; i < rows.length; i++) {
      var row = rows[i];
      keep.add(row.id);
      var held = live.cases.get(row.id);
      if (held) {
        live.gridOpen.set(row.grid_code, (live.gridOpen.get(row.grid_code) || 0) + 1);
        if (held.row.lat !== row.lat || held.row.lon !== row.lon) held.marker.setLatLng([row.lat, row.lon]);
        held.row = row;
        held.deadlineMs = row.deadline ? Date.parse(row.deadline) : 0;
        refreshMarker(held, (k.server_ms || Date.now()));
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
    live.lastId = snap.id;
    live.today = k.today_reported || 0;
    live.maxSeenId = Math.max(k.max_case_id || 0, rows.length ? rows[rows.length - 1].id : 0);
    live.openBeyond = Math.max(0, (k.open || 0) - rows.length);
    live.minHeldId = rows.length ? rows[0].id : Infinity; // rows come oldest first
    live.dayStartMs = k.day_start_ms || 0;
    live.skewMs = k.server_ms ? k.server_ms - Date.now() : 0;
    live.grids.forEach(function (_g, code) {
      live.dirtyGrids.add(code);
    });
    mergeRecent(rows);
    applyPatrolRows(snap.patrols || [], true);
    scheduleRollover();
    scheduleRender();
  }

  // ---------------------------------------------------------------- patrols (canvas, moved incrementally)

  function applyPatrolRows(rows, full) {
    var keep = full ? new Set() : null;
    for (var i = 0; i < rows.length; i++) {
      var r = rows[i]; // [id, lon, lat, status]
      var id = r[0];
      var status = r[3];
      if (keep) keep.add(id);
      var p = live.patrols.get(id);
      if (!p) {
        p = {
          marker: L.circleMarker([r[2], r[1]], {
            renderer: live.patrolRenderer,
            pane: "gc-patrols",
            radius: 3 * live.scale,
            stroke: false,
            fillOpacity: 0.9,
            fillColor: PATROL_COLORS[status] || PATROL_COLORS.offline,
            interactive: false,
          }).addTo(live.map),
          status: status,
          lon: r[1],
          lat: r[2],
        };
        live.patrols.set(id, p);
        if (status !== "offline") live.patrolsOnline++;
        continue;
      }
      if (p.lon !== r[1] || p.lat !== r[2]) {
        p.lon = r[1];
        p.lat = r[2];
        p.marker.setLatLng([r[2], r[1]]);
      }
      if (p.status !== status) {
        live.patrolsOnline += (status !== "offline" ? 1 : 0) - (p.status !== "offline" ? 1 : 0);
        p.status = status;
        p.marker.setStyle({ fillColor: PATROL_COLORS[status] || PATROL_COLORS.offline });
      }
    }
    if (keep) {
      live.patrols.forEach(function (p, id) {
        if (!keep.has(id)) {
          p.marker.remove();
          if (p.status !== "offline") live.patrolsOnline--;
          live.patrols.delete(id);
        }
      });
    }
    scheduleRender();
  }

  // ---------------------------------------------------------------- latest reports list

  function recentItem(row) {
    var li = document.createElement("li");
    li.className = "rc-item lvl-" + (row.level || "n").toLowerCase();
    var time = document.createElement("span");
    time.className = "rc-time";
    time.textContent = hhmmss(row.reported_at);
    var cat = document.createElement("span");
    cat.className = "rc-cat";
    cat.textContent = row.category || s("source." + row.source);
    var state = document.createElement("span");
    state.className = "rc-state st-" + row.state;
    state.textContent = s("state." + row.state);
    var grid = document.createElement("span");
    grid.className = "rc-grid";
    var g = live.grids.get(row.grid_code);
    grid.textContent = g ? g.name : row.grid_code || "";
    var desc = document.createElement("div");
    desc.className = "rc-desc";
    desc.textContent = row.description || "";
    var head = document.createElement("div");
    head.className = "rc-head";
    head.append(time, cat, state);
    li.append(head, desc, grid);
    return li;
  }

  function pushRecent(row) {
    var list = el("screen-recent-list");
    live.recent.unshift(row);
    var li = recentItem(row);
    live.recentEls.set(row.id, li);
    if (list) list.prepend(li);
    while (live.recent.length > RECENT_MAX) {
      var old = live.recent.pop();
      var oldLi = live.recentEls.get(old.id);
      live.recentEls.delete(old.id);
      if (oldLi) oldLi.remove();
    }
  }

  function updateRecent(row) {
    var li = live.recentEls.get(row.id);
    if (!li) return;
    for (var i = 0; i < live.recent.length; i++) if (live.recent[i].id === row.id) live.recent[i] = row;
    var state = li.querySelector(".rc-state");
    state.className = "rc-state st-" + row.state;
    state.textContent = s("state." + row.state);
    if (row.category) li.querySelector(".rc-cat").textContent = row.category;
    li.className = "rc-item lvl-" + (row.level || "n").toLowerCase();
  }

  /** After a snapshot: the newest reports among what we showed and what the snapshot holds. */
  function mergeRecent(rows) {
    var byId = new Map();
    live.recent.forEach(function (r) {
      byId.set(r.id, r);
    });
    for (var i = Math.max(0, rows.length - RECENT_MAX); i < rows.length; i++) byId.set(rows[i].id, rows[i]);
    var merged = Array.from(byId.values()).sort(function (a, b) {
      return b.id - a.id;
    });
    live.recent = merged.slice(0, RECENT_MAX);
    live.recentEls.clear();
    var list = el("screen-recent-list");
    if (!list) return;
    var items = live.recent.map(function (r) {
      var li = recentItem(r);
      live.recentEls.set(r.id, li);
      return li;
    });
    list.replaceChildren.apply(list, items);
  }

  // ---------------------------------------------------------------- counters, clock, connection indicator

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
    writeNum("screen-kpi-patrols", ready ? live.patrolsOnline : null);
    writeNum("screen-kpi-grids", live.grids.size || null);
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

  function startClock() {
    if (live.timers.clock) return;
    var fmt = new Intl.DateTimeFormat(live.lang === "en" ? "en-GB" : "zh-CN", {
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
    var tick = function () {
      var node = el("screen-clock");
      if (!node) return;
      // "2026-11-22 星期日 18:48:51" whatever the locale's own punctuation.
      var p = {};
      fmt.formatToParts(new Date(Date.now() + live.skewMs)).forEach(function (part) {
        p[part.type] = part.value;
      });
      node.textContent = p.year + "-" + p.month + "-" + p.day + " " + p.weekday + " " + p.hour + ":" + p.minute + ":" + p.second;
    };
    tick();
    live.timers.clock = setInterval(tick, 1000);
  }

  /** Cases pass their deadline without any delta: re-check now and then, touching only markers that flip. */
  function startOverdueSweep() {
    if (live.timers.sweep) return;
    live.timers.sweep = setInterval(function () {
      var now = Date.now() + live.skewMs;
      live.cases.forEach(function (entry) {
        refreshMarker(entry, now);
      });
    }, OVERDUE_SWEEP_MS);
  }

  /** "Today" restarts at local midnight: ask for a fresh snapshot then (jittered, so walls don't stampede). */
  function scheduleRollover() {
    clearTimeout(live.timers.rollover);
    if (!live.dayStartMs) return;
    var wait = live.dayStartMs + DAY_MS - (Date.now() + live.skewMs) + 2000 + Math.random() * 20000;
    live.timers.rollover = setTimeout(resync, Math.max(60000, wait)); // floor: never loop on a skewed clock
  }

  function pastMidnight() {
    return live.dayStartMs && Date.now() + live.skewMs >= live.dayStartMs + DAY_MS;
  }

  // ---------------------------------------------------------------- socket

  function resync() {
    if (!live.socket || !live.socket.connected) return; // the next connect gets a snapshot or replay anyway
    live.synced = false;
    live.pending = [];
    live.socket.emit("resync");
  }

  function flushPending() {
    var buffered = live.pending;
    live.pending = [];
    buffered.sort(function (a, b) {
      return cmpId(a.id, b.id);
    });
    for (var i = 0; i < buffered.length; i++) applyDelta(buffered[i]);
    live.synced = true;
    setConn("live");
  }

  function startSocket() {
    if (live.socket) {
      if (!live.socket.connected && !live.socket.active) live.socket.connect();
      return;
    }
    setConn("connecting");
    // auth as a function: every (re)connect sends the latest applied stream id, so the server replays the gap.
    var socket = io("/live", {
      transports: ["websocket"],
      auth: function (cb) {
        cb({ view: "screen", since: live.lastId });
      },
      reconnectionDelay: 1000,
      reconnectionDelayMax: 10000,
      randomizationFactor: 0.5,
      timeout: 10000,
    });
    live.socket = socket;
    // socket.io-client delivers events that came with the handshake (our snapshot or replay) *before* it fires
    // "connect", so "connect" must not reset sync state; "disconnect" does that.
    socket.on("connect", function () {
      if (!live.synced) setConn("connecting");
    });
    socket.on("disconnect", function (reason) {
      live.synced = false;
      live.pending = [];
      setConn("reconnecting");
      if (reason === "io server disconnect") {
        // The server closed us on purpose; socket.io does not retry that by itself.
        clearTimeout(live.timers.retry);
        live.timers.retry = setTimeout(function () {
          if (live.socket === socket) socket.connect();
        }, 2000 + Math.random() * 3000);
      }
    });
    socket.on("connect_error", function () {
      setConn("reconnecting");
      if (!socket.active) {
        // Refused by the server (not a network error): socket.io gives up, so retry slowly ourselves.
        clearTimeout(live.timers.retry);
        live.timers.retry = setTimeout(function () {
          if (live.socket === socket) socket.connect();
        }, 5000 + Math.random() * 5000);
      }
    });
    socket.on("snapshot", function (snap) {
      applySnapshot(snap);
      flushPending();
    });
    socket.on("synced", function () {
      flushPending();
      if (pastMidnight()) resync(); // we were away over midnight: today's counter needs a fresh base
    });
    socket.on("delta", function (delta) {
      if (live.synced) {
        applyDelta(delta);
        return;
      }
      if (live.pending.length >= PENDING_MAX) {
        live.pending = [];
        live.socket.emit("resync");
        return;
      }
      live.pending.push(delta);
    });
    socket.on("patrols", function (frame) {
      applyPatrolRows(frame.rows || [], false);
    });
  }

  // ---------------------------------------------------------------- mount / unmount

  function ensurePane(map, name, z) {
    var pane = map.getPane(name) || map.createPane(name);
    pane.style.zIndex = String(z);
    return pane;
  }

  function buildLayers(map) {
    ensurePane(map, "gc-patrols", 440);
    ensurePane(map, "gc-cases", 450);
    live.patrolRenderer = L.canvas({ pane: "gc-patrols", padding: 0.2 });
    live.caseRenderer = L.svg({ pane: "gc-cases", padding: 0.2 });
  }

  function readConfig() {
    var root = el("screen-root");
    try {
      live.strings = JSON.parse(root.getAttribute("data-i18n") || "{}");
    } catch (_e) {
      live.strings = {};
    }
    live.tz = root.getAttribute("data-tz") || live.tz;
    live.lang = root.getAttribute("data-lang") || live.lang;
    live.scale = parseFloat(getComputedStyle(document.documentElement).fontSize) / 16 || 1;
  }

  function teardown() {
    if (live.socket) {
      live.socket.removeAllListeners();
      live.socket.disconnect();
    }
    Object.keys(live.timers).forEach(function (k) {
      clearTimeout(live.timers[k]);
      clearInterval(live.timers[k]);
      live.timers[k] = 0;
    });
    live.socket = null;
    live.map = null;
    live.cases.clear();
    live.tomb.clear();
    live.patrols.clear();
    live.patrolsOnline = 0;
    live.gridOpen.clear();
    live.dirtyGrids.clear();
    live.recent = [];
    live.recentEls.clear();
    live.pending = [];
    live.lastId = null;
    live.synced = false;
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
      readConfig();
      buildLayers(map);
      startClock();
      startOverdueSweep();
    }
    startSocket();
    scheduleRender();
  };

  /** dash-leaflet removes the group when it re-creates it (attach follows at once) or leaves the page. */
  ns.detach = function () {
    setTimeout(function () {
      if (live.map && !document.body.contains(live.map.getContainer())) teardown();
    }, 1000);
  };

  // Read-only handle for tests and the latency bench; `_socket` lets a test force a disconnect.
  window.gridcmdLive = Object.freeze({
    get lastId() {
      return live.lastId;
    },
    get state() {
      return live.conn;
    },
    get today() {
      return live.today;
    },
    get _socket() {
      return live.socket;
    },
    openCount: function () {
      return live.cases.size;
    },
    patrolCount: function () {
      return live.patrols.size;
    },
    patrol: function (id) {
      var p = live.patrols.get(id);
      return p ? [p.lon, p.lat, p.status] : null;
    },
  });
})();
