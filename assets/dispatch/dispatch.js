/* GridCommand dispatch desk (/dispatch): live queue, case panel, actions, map and keyboard.
 *
 * Live state lives here, not in Dash props (DESIGN.md section 11: Dash records prop changes that feed callbacks
 * in an undo history, and a desk stays open for a whole shift). The queue is a dash-ag-grid whose rows this file
 * feeds through the grid's JS API (transactions); the grid has no `rowData` prop at all.
 *
 * Live protocol (DESIGN.md section 10): the shared live client (assets/gridcmd-live.js, as on the big screen)
 * connects, buffers until the snapshot or `synced`, orders by stream id, deduplicates by case version, backs off
 * and resyncs; this file only renders the snapshot, case rows and patrol frames it hands over.
 *
 * Actions are same-origin fetches to POST /api/v1/cases/{id}/{command} carrying the version the dispatcher saw:
 * the server's state machine decides, a lost race comes back as 409 naming who acted first, and the desk says so
 * and refreshes the case instead of overwriting anything.
 *
 * Dash injects every assets/*.js into every page: nothing here runs unless #dispatch-root is on the page.
 */
(function () {
  "use strict";

  var ns = (window.gridcmdDesk = window.gridcmdDesk || {});
  var fns = (window.dashAgGridFunctions = window.dashAgGridFunctions || {});

  var TOMB_MAX = 4096; // versions of recently dropped cases, so a late stale row cannot resurrect one
  var CLOSED_MAX = 200; // closed cases kept for the 已结案 tab (visit-back), newest first
  var NEW_MS = 60000; // how long a new arrival stays highlighted unless opened
  var PATROL_HIT_PX = 9;
  var QUEUE_ROOT = "dispatch-root";
  var GRID_ID = "dispatch-queue";
  var LEVEL_COLORS = { A: "#f0524f", B: "#f59a23", C: "#e8c22c" };
  var PATROL_COLORS = { available: "#34c77b", busy: "#f5a524", offline: "#6b7380" };
  var ACTION_ORDER = [
    "file", "dispatch", "verify", "reject", "escalate", "supervise", "self-handle",
    "suspend", "resume", "extend", "visit-back", "acknowledge", "return", "report-handled",
  ];
  var HOTKEYS = { f: "file", d: "dispatch", e: "escalate", s: "supervise", r: "reject", v: "verify" };
  var PRIMARY = { file: true, dispatch: true, verify: true };
  var REASON_REQUIRED = { reject: true, suspend: true, return: true, extend: true };
  var EXTEND_LIMITS = ["1工作日", "2工作日", "3工作日", "5工作日", "4工作时"];

  var st = {
    ready: false,
    strings: {},
    me: { name: "", role: "", scope: "", district_wide: true },
    commands: new Set(),
    sources: {},
    terminal: new Set(),
    depts: new Map(),
    deptList: [],
    streets: new Map(),
    tz: "Asia/Shanghai",
    lang: "zh",
    tabs: [],
    catalog: [],
    catalogByCode: new Map(),
    gridNames: new Map(),
    gridLayers: new Map(),
    gridFeatures: new Map(), // grid code -> GeoJSON feature (for the panel's mini-map)
    // live
    live: null, // the shared live client (gridcmd-live.js)
    conn: "idle",
    haveSnapshot: false,
    maxSeenId: 0,
    skewMs: 0,
    cases: new Map(), // case id -> row (open cases, plus the newest closed ones)
    closed: [], // ids of held closed cases, oldest first
    tomb: new Map(),
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
    detailTimer: 0,
    dialog: null,
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
    audio: null,
    beeps: 0,
    cues: 0,
    fmt: null,
    timers: { tick: 0, detail: 0, gridNames: 0 },
    renderQueued: false,
    countsShown: {},
  };

  // ---------------------------------------------------------------- helpers

  function s(key, vars) {
    var text = st.strings[key];
    if (text === undefined) text = key;
    if (vars) {
      Object.keys(vars).forEach(function (k) {
        text = text.split("{" + k + "}").join(String(vars[k]));
      });
    }
    return text;
  }

  function el(id) {
    return document.getElementById(id);
  }

  function h(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function now() {
    return Date.now() + st.skewMs;
  }

  function pad(n) {
    return n < 10 ? "0" + n : String(n);
  }

  function parts(ms) {
    var p = {};
    st.fmt.formatToParts(new Date(ms)).forEach(function (x) {
      p[x.type] = x.value;
    });
    return p;
  }

  function hm(ms) {
    var p = parts(ms);
    return p.hour + ":" + p.minute;
  }

  function hms(ms) {
    var p = parts(ms);
    return p.hour + ":" + p.minute + ":" + p.second;
  }

  function mdhm(ms) {
    var p = parts(ms);
    return p.month + "-" + p.day + " " + p.hour + ":" + p.minute;
  }

  function sameDay(a, b) {
    var x = parts(a);
    var y = parts(b);
    return x.year === y.year && x.month === y.month && x.day === y.day;
  }

  function isTerminal(state) {
    return st.terminal.has(state);
  }

  function metres(m) {
    if (m === null || m === undefined) return "";
    return m >= 1000 ? (m / 1000).toFixed(1) + " " + s("dispatch.unit.km") : Math.round(m) + " " + s("dispatch.unit.m");
  }

  function haversine(lon1, lat1, lon2, lat2) {
    var rad = Math.PI / 180;
    var dlat = (lat2 - lat1) * rad;
    var dlon = (lon2 - lon1) * rad;
    var a = Math.sin(dlat / 2) * Math.sin(dlat / 2) +
      Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dlon / 2) * Math.sin(dlon / 2);
    return 6371008.8 * 2 * Math.atan2(Math.sqrt(a), Math.sqrt(1 - a));
  }

  function deptName(code) {
    if (!code) return "";
    var d = st.depts.get(code);
    return d ? d.name : code;
  }

  function gridName(code) {
    return st.gridNames.get(code) || code || "";
  }

  function stateLabel(state) {
    return s("state." + state);
  }

  function cmdLabel(cmd) {
    return s("dispatch.cmd." + cmd);
  }

  /** Audit actors are user names; the scheduler's rules act as "system:<rule>". */
  function actorLabel(actor) {
    return actor && actor.indexOf("system:") === 0 ? s("dispatch.actor.system") : actor || "";
  }

  /** The department a catalog condition names for this case (属地街道 JD = the case's own street unit). */
  function catalogDept(row) {
    var item = row && row.category_code ? st.catalogByCode.get(row.category_code) : null;
    if (!item || !item.department) return null;
    return item.department === "JD" ? row.street_code + "ZF" : item.department;
  }

  function api(method, path, body) {
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
  }

  // ---------------------------------------------------------------- rows and the queue

  function decorate(row) {
    row._due = row.deadline ? Date.parse(row.deadline) : null;
    row._start = row.stage_start ? Date.parse(row.stage_start) : null;
    row._at = row.reported_at ? Date.parse(row.reported_at) : 0;
    return row;
  }

  function tombstone(id, version) {
    st.tomb.delete(id);
    st.tomb.set(id, version);
    if (st.tomb.size > TOMB_MAX) st.tomb.delete(st.tomb.keys().next().value);
  }

  function isOverdue(row, t) {
    return !!row._due && row._due < t && row.state !== "suspended" && !isTerminal(row.state);
  }

  var TAB_TEST = {
    all: function (r) {
      return r.state !== "closed";
    },
    reported: function (r) {
      return r.state === "reported";
    },
    to_dispatch: function (r) {
      return r.state === "filed" || r.state === "returned";
    },
    handling: function (r) {
      return r.state === "dispatched" || r.state === "handling";
    },
    to_verify: function (r) {
      return r.state === "handled";
    },
    overdue: function (r, t) {
      return isOverdue(r, t);
    },
    supervised: function (r) {
      return r.supervision_count > 0 && r.state !== "closed";
    },
    suspended: function (r) {
      return r.state === "suspended";
    },
    closed: function (r) {
      return r.state === "closed";
    },
  };

  function streetPass(r) {
    if (!st.street) return true;
    if (st.street === "district") return r.tier === "district";
    return r.street_code === st.street;
  }

  /**
   * Apply one CASE_ROW; `how` is snapshot | delta | fetch. Collects the grid change in `tx` so a whole delta
   * becomes one grid transaction. Returns true when the row was applied. A snapshot's row is taken whatever
   * its version (`force`): the snapshot is authoritative.
   */
  function upsert(row, how, tx, force) {
    var held = st.cases.get(row.id);
    if (!force) {
      if (held && row.version <= held.version) return false;
      var gone = st.tomb.get(row.id);
      if (gone !== undefined && row.version <= gone) return false;
    }
    decorate(row);
    var arrived = how === "delta" && !held && row.id > st.maxSeenId;
    if (row.id > st.maxSeenId) st.maxSeenId = row.id;

    if (isTerminal(row.state) && row.state !== "closed") {
      if (held) {
        st.cases.delete(row.id);
        st.fresh.delete(row.id);
        txDrop(tx, held);
        dropMarker(row.id);
        st.multi.delete(row.id);
      }
      tombstone(row.id, row.version);
    } else {
      st.cases.set(row.id, row);
      txPut(tx, row, !!held);
      if (row.state === "closed") {
        if (!held || held.state !== "closed") keepClosed(row.id, tx);
        dropMarker(row.id);
        st.multi.delete(row.id);
      } else {
        drawMarker(row);
      }
    }
    if (arrived) {
      st.fresh.set(row.id, Date.now());
      if (row.level === "A") cue();
    } else if (held && how === "delta" && row.level === "A" && held.level !== "A" && !st.own.has(row.id)) {
      cue(); // a colleague (or the overdue rule) just made it an A-level case
    }
    if (row.id === st.primary) onPrimaryChanged(row, held);
    if (st.dialog && st.dialog.ids.indexOf(row.id) >= 0 && how === "delta") markDialogStale(row);
    return true;
  }

  function keepClosed(id, tx) {
    st.closed.push(id);
    while (st.closed.length > CLOSED_MAX) {
      var old = st.closed.shift();
      var row = st.cases.get(old);
      if (row && row.state === "closed" && old !== st.primary) {
        st.cases.delete(old);
        txDrop(tx, row);
        tombstone(old, row.version);
      }
    }
  }

  /** A pending grid transaction keyed by case id: one case changed twice in a delta is one add or update. */
  function newTx() {
    return { add: new Map(), update: new Map(), remove: new Map() };
  }

  function txPut(tx, row, inGrid) {
    if (tx.add.has(row.id) || !inGrid) {
      tx.add.set(row.id, row);
    } else {
      tx.update.set(row.id, row);
    }
  }

  function txDrop(tx, row) {
    if (tx.add.delete(row.id)) return; // added and removed within one batch: the grid never saw it
    tx.update.delete(row.id);
    tx.remove.set(row.id, row);
  }

  function commit(tx) {
    if (st.api && (tx.add.size || tx.update.size || tx.remove.size)) {
      st.api.applyTransaction({
        remove: Array.from(tx.remove.values()),
        update: Array.from(tx.update.values()),
        add: Array.from(tx.add.values()),
      });
    }
    scheduleRender();
  }

  /** The case rows of one delta, as the live client hands them over (in stream order, deduplicated). */
  function applyCases(rows) {
    var tx = newTx();
    for (var i = 0; i < rows.length; i++) upsert(rows[i], "delta", tx);
    commit(tx);
  }

  function applySnapshot(snap) {
    var rows = snap.cases || [];
    var k = snap.kpis || {};
    st.skewMs = k.server_ms ? k.server_ms - Date.now() : 0;
    var keep = new Set();
    var tx = newTx();
    for (var i = 0; i < rows.length; i++) {
      keep.add(rows[i].id);
      var held = st.cases.get(rows[i].id);
      if (held && held.version > rows[i].version) continue; // our own command's answer is newer still
      st.tomb.delete(rows[i].id);
      upsert(rows[i], "snapshot", tx, true);
    }
    // Open cases we held that the snapshot no longer has were closed or left our scope meanwhile.
    st.cases.forEach(function (row, id) {
      if (!keep.has(id) && row.state !== "closed") {
        st.cases.delete(id);
        txDrop(tx, row);
        dropMarker(id);
      }
    });
    st.maxSeenId = Math.max(st.maxSeenId, k.max_case_id || 0);
    var first = !st.haveSnapshot;
    st.haveSnapshot = true;
    if (st.api) {
      if (first) st.api.setGridOption("rowData", Array.from(st.cases.values()));
      else commit(tx);
    }
    applyPatrolRows(snap.patrols || [], true);
    if (first) loadClosed();
    scheduleRender();
  }

  /** The 已结案 tab starts with the newest closed cases (visit-back), then follows the live feed. */
  function loadClosed() {
    api("GET", "/api/v1/cases?state=closed&limit=" + CLOSED_MAX).then(function (res) {
      if (!res.ok || !res.body) return;
      var tx = newTx();
      var rows = (res.body.cases || []).slice().reverse(); // oldest first, so the newest stay
      rows.forEach(function (row) {
        upsert(row, "fetch", tx);
      });
      commit(tx);
    });
  }

  /** Re-read one case (after a conflict, or a command's answer) and apply it like a delta. */
  function refreshCase(id) {
    return api("GET", "/api/v1/cases/" + id).then(function (res) {
      if (!res.ok || !res.body) return null;
      var tx = newTx();
      upsert(rowOf(res.body), "fetch", tx);
      commit(tx);
      if (id === st.primary) takeDetail(id, res.body, null);
      return res.body;
    });
  }

  function rowOf(body) {
    var row = {};
    Object.keys(body).forEach(function (k) {
      if (k !== "timeline" && k !== "photos" && k !== "reporter" && k !== "phone") row[k] = body[k];
    });
    if (row.description && row.description.length > 140) row.description = row.description.slice(0, 140);
    return row;
  }

  // ---------------------------------------------------------------- grid functions (dash-ag-grid)

  fns.dqLevel = function (p) {
    return (p.data && p.data.level) || s("dispatch.unrated");
  };
  fns.dqLevelClass = function (p) {
    return "dq-lvl dq-lvl-" + ((p.data && p.data.level) || "n").toLowerCase();
  };
  fns.dqTime = function (p) {
    if (!p.data || !p.data._at || !st.fmt) return "";
    return sameDay(p.data._at, now()) ? hms(p.data._at) : mdhm(p.data._at);
  };
  fns.dqSource = function (p) {
    return p.data ? s("source." + p.data.source) : "";
  };
  fns.dqGrid = function (p) {
    return p.data ? gridName(p.data.grid_code) : "";
  };
  fns.dqCategory = function (p) {
    return (p.data && p.data.category) || s("dispatch.uncategorised");
  };
  fns.dqState = function (p) {
    return p.data ? stateLabel(p.data.state) : "";
  };
  fns.dqStateClass = function (p) {
    return "dq-state dq-st-" + (p.data ? p.data.state : "");
  };
  fns.dqDept = function (p) {
    return p.data ? deptName(p.data.department_code) : "";
  };
  fns.dqSupervision = function (p) {
    return p.data && p.data.supervision_count ? "×" + p.data.supervision_count : "";
  };
  fns.dqCountdown = function (p) {
    return p.data ? countdownText(p.data, now()) : "";
  };
  fns.dqCountdownClass = function (p) {
    return p.data ? "dq-due " + dueClass(p.data, now()) : "dq-due";
  };
  /** Report time to the second, then case id: reports in the same second keep their arrival order. */
  fns.dqCompareReported = function (_a, _b, na, nb) {
    var x = na && na.data;
    var y = nb && nb.data;
    if (!x || !y) return 0;
    return x._at - y._at || x.id - y.id;
  };
  /** Deadline sort: soonest first, cases without a running clock last whichever way. */
  fns.dqCompareDue = function (a, b, _na, _nb, desc) {
    if (a === b) return 0;
    if (a === null || a === undefined) return desc ? -1 : 1;
    if (b === null || b === undefined) return desc ? 1 : -1;
    return a - b;
  };
  fns.dqQuickText = function (p) {
    if (!p.data) return "";
    var f = p.colDef.field;
    if (f === "source") return s("source." + p.data.source);
    if (f === "grid_code") return gridName(p.data.grid_code) + " " + p.data.grid_code;
    if (f === "state") return stateLabel(p.data.state);
    if (f === "department_code") return deptName(p.data.department_code);
    return String(p.value || "");
  };
  fns.dqTip = function (p) {
    if (!p.data) return "";
    var f = p.colDef.field;
    if (f === "grid_code") return gridName(p.data.grid_code) + " · " + p.data.grid_code;
    if (f === "department_code") return deptName(p.data.department_code);
    return p.valueFormatted || p.value || "";
  };
  fns.dqIsPrimary = function (p) {
    return !!p.data && p.data.id === st.primary;
  };
  fns.dqIsMulti = function (p) {
    return !!p.data && st.multi.has(p.data.id);
  };
  fns.dqIsNew = function (p) {
    return !!p.data && st.fresh.has(p.data.id);
  };
  fns.dqFilterPresent = function () {
    return true;
  };
  fns.dqFilterPass = function (node) {
    var r = node.data;
    if (!r) return false;
    var test = TAB_TEST[st.tab] || TAB_TEST.all;
    return test(r, now()) && streetPass(r);
  };

  function durText(ms) {
    var sec = Math.floor(ms / 1000);
    var d = Math.floor(sec / 86400);
    var hh = Math.floor((sec % 86400) / 3600);
    var mm = Math.floor((sec % 3600) / 60);
    var ss = sec % 60;
    if (d > 0) return d + s("dispatch.unit.day") + pad(hh) + s("dispatch.unit.hour");
    if (hh > 0) return hh + ":" + pad(mm) + ":" + pad(ss);
    return pad(mm) + ":" + pad(ss);
  }

  function countdownText(row, t) {
    if (row.state === "suspended") return s("dispatch.countdown.paused");
    if (!row._due || isTerminal(row.state)) return s("dispatch.countdown.none");
    var left = row._due - t;
    return left >= 0
      ? s("dispatch.countdown.left") + " " + durText(left)
      : s("dispatch.countdown.over") + " " + durText(-left);
  }

  /** DESIGN.md section 6: green > 50 % of the stage left, amber <= 50 %, red <= 10 %, flashing when overdue. */
  function dueClass(row, t) {
    if (row.state === "suspended") return "due-paused";
    if (!row._due || isTerminal(row.state)) return "due-none";
    var left = row._due - t;
    if (left < 0) return "due-over";
    if (!row._start || row._due <= row._start) return "due-ok";
    var share = left / (row._due - row._start);
    return share <= 0.1 ? "due-red" : share <= 0.5 ? "due-amber" : "due-ok";
  }

  function nodeOf(id) {
    var row = st.cases.get(id);
    return row && st.api ? st.api.getRowNode(row.code) : null;
  }

  function redraw(ids) {
    if (!st.api) return;
    var nodes = [];
    ids.forEach(function (id) {
      var node = nodeOf(id);
      if (node) nodes.push(node);
    });
    if (nodes.length) st.api.redrawRows({ rowNodes: nodes });
  }

  function refilter() {
    if (st.api) st.api.onFilterChanged();
    scheduleRender();
  }

  // ---------------------------------------------------------------- counters, tabs, clock

  function scheduleRender() {
    if (st.renderQueued) return;
    st.renderQueued = true;
    requestAnimationFrame(render);
  }

  function render() {
    st.renderQueued = false;
    var t = now();
    var counts = {};
    st.tabs.forEach(function (k) {
      counts[k] = 0;
    });
    var open = 0;
    st.cases.forEach(function (r) {
      if (!streetPass(r)) return;
      if (r.state !== "closed") open++;
      for (var i = 0; i < st.tabs.length; i++) if (TAB_TEST[st.tabs[i]](r, t)) counts[st.tabs[i]]++;
    });
    st.tabs.forEach(function (k) {
      if (st.countsShown[k] === counts[k]) return;
      st.countsShown[k] = counts[k];
      var node = el("dispatch-count-" + k);
      if (node) {
        node.textContent = String(counts[k]);
        node.parentNode.classList.toggle("has-items", counts[k] > 0);
      }
    });
    var total = el("dispatch-total");
    if (total && st.api) {
      total.textContent = s("dispatch.total", { shown: st.api.getDisplayedRowCount(), open: open });
    }
    renderBulk();
  }

  function setConn(state) {
    st.conn = state;
    var node = el("dispatch-conn");
    if (!node) return;
    node.className = "desk-conn is-" + state;
    var label = node.querySelector(".lbl");
    var key = {
      live: "dispatch.conn.live",
      reconnecting: "dispatch.conn.reconnecting",
      offline: "dispatch.conn.offline",
    }[state];
    if (label) label.textContent = s(key || "dispatch.conn.connecting");
  }

  /** One 1 Hz tick: clock, visible countdowns, the panel's countdown, highlight expiry, the 超时 tab. */
  function tick() {
    var t = now();
    var clock = el("dispatch-clock");
    if (clock && st.fmt) {
      var p = parts(t);
      clock.textContent = p.year + "-" + p.month + "-" + p.day + " " + p.weekday + " " + p.hour + ":" + p.minute + ":" + p.second;
    }
    if (st.api) st.api.refreshCells({ columns: ["deadline"], force: true }); // rendered rows only
    var due = document.querySelector("#dispatch-panel .pn-due");
    var row = st.primary !== null ? st.cases.get(st.primary) : null;
    if (due && row) {
      due.textContent = countdownText(row, t);
      due.className = "pn-due " + dueClass(row, t);
    }
    var expired = [];
    st.fresh.forEach(function (at, id) {
      if (Date.now() - at > NEW_MS) expired.push(id);
    });
    expired.forEach(function (id) {
      st.fresh.delete(id);
    });
    if (expired.length) redraw(expired);
    st.own.forEach(function (at, id) {
      if (Date.now() - at > 10000) st.own.delete(id);
    });
    if (t % 5000 < 1000) {
      // Cases cross their deadline without any delta: the 超时 tab and the counts follow every 5 s.
      if (st.tab === "overdue") refilter();
      else scheduleRender();
      refreshMarkers();
    }
  }

  // ---------------------------------------------------------------- sound cue

  function cue() {
    st.cues++;
    if (st.muted) return;
    try {
      if (!st.audio) {
        var Ctx = window.AudioContext || window.webkitAudioContext;
        if (!Ctx) return;
        st.audio = new Ctx();
      }
      var ctx = st.audio;
      if (ctx.state === "suspended") ctx.resume();
      // Two short high tones: distinct from a phone ring, audible over a busy hall.
      [0, 0.22].forEach(function (offset) {
        var osc = ctx.createOscillator();
        var gain = ctx.createGain();
        osc.type = "sine";
        osc.frequency.value = 1046;
        var t0 = ctx.currentTime + offset;
        gain.gain.setValueAtTime(0.0001, t0);
        gain.gain.exponentialRampToValueAtTime(0.25, t0 + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, t0 + 0.16);
        osc.connect(gain).connect(ctx.destination);
        osc.start(t0);
        osc.stop(t0 + 0.18);
      });
      st.beeps++;
    } catch (_e) {
      /* no audio device: the highlight still shows */
    }
  }

  function setMuted(muted) {
    st.muted = muted;
    try {
      localStorage.setItem("gridcmd.dispatch.muted", muted ? "1" : "0");
    } catch (_e) {
      /* private mode */
    }
    var btn = el("dispatch-mute");
    if (btn) {
      btn.textContent = s(muted ? "dispatch.sound.off" : "dispatch.sound.on");
      btn.classList.toggle("is-muted", muted);
    }
  }

  // ---------------------------------------------------------------- selection

  function select(id, opts) {
    opts = opts || {};
    var before = st.primary;
    var changed = [];
    if (!opts.keepMulti && st.multi.size) {
      st.multi.forEach(function (m) {
        changed.push(m);
      });
      st.multi.clear();
      syncMultiMarkers();
    }
    st.primary = id;
    if (before !== null) changed.push(before);
    if (id !== null) changed.push(id);
    if (id !== null && st.fresh.delete(id)) changed.push(id);
    if (before !== id) {
      st.alert = null;
      st.detail = null;
      st.sugg = null;
    }
    redraw(changed);
    if (id !== null && opts.scroll !== false) {
      var node = nodeOf(id);
      if (node && node.displayed) st.api.ensureNodeVisible(node);
    }
    drawSelection();
    renderPanel();
    renderBulk();
    if (id !== null && (before !== id || opts.reload)) loadDetail(id);
  }

  function toggleMulti(id) {
    if (!st.multi.size && st.primary !== null && st.primary !== id) st.multi.add(st.primary);
    if (st.multi.has(id)) st.multi.delete(id);
    else st.multi.add(id);
    if (st.fresh.delete(id)) redraw([id]);
    redraw(Array.from(st.multi).concat([id]));
    syncMultiMarkers();
    if (!st.multi.has(st.primary) && st.multi.size) {
      var first = st.multi.values().next().value;
      select(first, { keepMulti: true, scroll: false });
    }
    renderBulk();
  }

  function clearMulti() {
    var ids = Array.from(st.multi);
    st.multi.clear();
    redraw(ids);
    syncMultiMarkers();
    renderBulk();
  }

  function step(dir) {
    if (!st.api) return;
    var n = st.api.getDisplayedRowCount();
    if (!n) return;
    var idx = -1;
    var node = st.primary !== null ? nodeOf(st.primary) : null;
    if (node && node.displayed && node.rowIndex !== null) idx = node.rowIndex;
    var next = idx < 0 ? (dir > 0 ? 0 : n - 1) : Math.min(n - 1, Math.max(0, idx + dir));
    var target = st.api.getDisplayedRowAtIndex(next);
    if (target && target.data) select(target.data.id);
  }

  function onPrimaryChanged(row, held) {
    if (!held || held.version !== row.version) {
      // Someone (maybe us) changed the open case: the timeline and suggestions follow shortly.
      clearTimeout(st.timers.detail);
      st.timers.detail = setTimeout(function () {
        if (st.primary === row.id) loadDetail(row.id);
      }, 120);
    }
    renderPanelSoon();
  }

  var panelQueued = false;
  function renderPanelSoon() {
    if (panelQueued) return;
    panelQueued = true;
    requestAnimationFrame(function () {
      panelQueued = false;
      renderPanel();
      drawSelection();
    });
  }

  // ---------------------------------------------------------------- detail and suggestions

  function loadDetail(id) {
    var seq = ++st.detailSeq;
    var detail = api("GET", "/api/v1/cases/" + id);
    var sugg = api("GET", "/api/v1/cases/" + id + "/suggestions");
    Promise.all([detail, sugg]).then(function (res) {
      if (seq !== st.detailSeq || st.primary !== id) return; // a newer selection won
      takeDetail(id, res[0].ok ? res[0].body : null, res[1].ok ? res[1].body : null);
    });
  }

  function takeDetail(id, detail, sugg) {
    if (st.primary !== id) return;
    if (detail) {
      st.detail = detail;
      var held = st.cases.get(id);
      if (held && detail.version > held.version) {
        var tx = newTx();
        upsert(rowOf(detail), "fetch", tx);
        commit(tx);
      }
    }
    if (sugg) st.sugg = sugg;
    renderPanel();
    drawSelection();
  }

  function timelineCount(cmd) {
    var n = 0;
    if (st.detail && st.detail.timeline) {
      st.detail.timeline.forEach(function (e) {
        if (e.command === cmd) n++;
      });
    }
    return n;
  }

  /** Exactly the commands the server would accept now, from the tables the page was given (layouts/dispatch.py). */
  function legalCommands(row) {
    if (!row) return [];
    // A street center's reach ends where escalation begins (dashboard/domain/actors.py in_scope).
    if (!st.me.district_wide && row.tier === "district") return [];
    var detailFresh = st.detail && st.detail.id === row.id && st.detail.version === row.version;
    var out = [];
    ACTION_ORDER.forEach(function (cmd) {
      if (!st.commands.has(cmd)) return;
      var from = st.sources[cmd];
      if (!from || !from.has(row.state)) return;
      if (cmd === "escalate" && row.tier !== "street") return;
      // Counted from the audit trail: shown only once that trail is the current one.
      if (cmd === "extend" && (!detailFresh || timelineCount("extend") >= 2)) return;
      if (cmd === "visit-back" && (!detailFresh || timelineCount("visit-back") >= 1)) return;
      out.push(cmd);
    });
    return out;
  }

  function canMerge(row) {
    return !!row && st.commands.has("merge") && st.sources.merge.has(row.state) &&
      (st.me.district_wide || row.tier !== "district");
  }

  // ---------------------------------------------------------------- the case panel

  var pn = {}; // panel elements, built once

  function buildPanel() {
    var root = el("dispatch-panel");
    if (!root || root.getAttribute("data-built")) return;
    root.setAttribute("data-built", "1");
    pn.empty = h("div", "pn-empty", s("dispatch.empty"));
    pn.body = h("div", "pn-body");
    pn.head = h("div", "pn-head");
    pn.level = h("span", "pn-lvl");
    pn.code = h("span", "pn-code");
    pn.state = h("span", "pn-state");
    pn.tier = h("span", "pn-tier", s("dispatch.panel.tier_district"));
    pn.sup = h("span", "pn-supc");
    pn.cat = h("span", "pn-cat");
    pn.due = h("span", "pn-due");
    pn.locate = h("button", "pn-locate", s("dispatch.panel.locate"));
    pn.locate.type = "button";
    pn.locate.title = "Z";
    pn.locate.addEventListener("click", locate);
    pn.head.append(pn.level, pn.code, pn.state, pn.tier, pn.sup, pn.cat, pn.due, pn.locate);
    pn.alert = h("div", "pn-alert");
    pn.alert.id = "dispatch-alert";
    pn.alert.setAttribute("role", "alert");
    pn.actions = h("div", "pn-actions");
    pn.actions.id = "dispatch-actions";
    pn.cols = h("div", "pn-cols");
    var main = h("div", "pn-col pn-col--main");
    pn.desc = h("p", "pn-desc");
    pn.facts = h("dl", "pn-facts");
    pn.photos = h("div", "pn-photos");
    pn.minimap = h("div", "pn-minimap");
    pn.minimap.id = "dispatch-minimap";
    main.append(
      h("h3", "pn-h", s("dispatch.panel.description")), pn.desc, pn.facts,
      h("h3", "pn-h", s("dispatch.panel.photos")), pn.photos, pn.minimap
    );
    var aside = h("div", "pn-col pn-col--aside");
    pn.sugg = h("div", "pn-sugg");
    pn.sugg.id = "dispatch-sugg";
    pn.timeline = h("ol", "pn-timeline");
    pn.timeline.id = "dispatch-timeline";
    aside.append(
      h("h3", "pn-h", s("dispatch.panel.suggestions")), pn.sugg,
      h("h3", "pn-h", s("dispatch.panel.timeline")), pn.timeline
    );
    pn.cols.append(main, aside);
    pn.body.append(pn.head, pn.alert, pn.actions, pn.cols);
    root.append(pn.empty, pn.body);
  }

  function fact(label, value, cls) {
    var dt = h("dt", null, label);
    var dd = h("dd", cls || null, value === null || value === undefined || value === "" ? "—" : value);
    return [dt, dd];
  }

  function currentRow() {
    if (st.primary === null) return null;
    var row = st.cases.get(st.primary);
    if (row) return row;
    if (st.detail && st.detail.id === st.primary) return decorate(rowOf(st.detail));
    return null;
  }

  function renderPanel() {
    buildPanel();
    if (!pn.body) return;
    var row = currentRow();
    var root = el("dispatch-panel");
    root.classList.toggle("has-case", !!row);
    if (!row) {
      pn.empty.textContent = st.primary === null ? s("dispatch.empty") : s("dispatch.loading");
      return;
    }
    root.setAttribute("data-case", String(row.id));
    root.setAttribute("data-state", row.state);
    var d = st.detail && st.detail.id === row.id ? st.detail : null;
    var t = now();

    pn.level.textContent = row.level || "—";
    pn.level.className = "pn-lvl dq-lvl-" + (row.level || "n").toLowerCase();
    pn.code.textContent = row.code;
    pn.state.textContent = stateLabel(row.state);
    pn.state.className = "pn-state dq-st-" + row.state;
    pn.state.id = "dispatch-panel-state";
    pn.tier.hidden = row.tier !== "district";
    pn.sup.hidden = !row.supervision_count;
    pn.sup.textContent = s("dispatch.cmd.supervise") + " ×" + (row.supervision_count || 0);
    pn.cat.textContent = row.category || s("dispatch.uncategorised");
    pn.due.textContent = countdownText(row, t);
    pn.due.className = "pn-due " + dueClass(row, t);

    pn.alert.textContent = st.alert && st.alert.id === row.id ? st.alert.text : "";
    pn.alert.hidden = !(st.alert && st.alert.id === row.id);

    renderActions(row);

    pn.desc.textContent = d ? d.description : row.description || "";
    var facts = [];
    facts = facts.concat(fact(s("dispatch.panel.source"), s("source." + row.source)));
    facts = facts.concat(fact(s("dispatch.panel.reported"), row._at ? mdhm(row._at) + ":" + parts(row._at).second : ""));
    facts = facts.concat(fact(s("dispatch.panel.grid"), gridName(row.grid_code) + " · " + row.grid_code));
    facts = facts.concat(fact(s("dispatch.panel.department"), deptName(row.department_code)));
    facts = facts.concat(fact(s("dispatch.panel.reporter"), d ? d.reporter : "", "pn-pii"));
    facts = facts.concat(fact(s("dispatch.panel.phone"), d ? d.phone : "", "pn-pii pn-mono"));
    pn.facts.replaceChildren.apply(pn.facts, facts);

    var photos = (d && d.photos) || [];
    if (!photos.length) {
      pn.photos.replaceChildren(h("span", "pn-none", s("dispatch.panel.no_photos")));
    } else {
      pn.photos.replaceChildren.apply(
        pn.photos,
        photos.slice(0, 9).map(function (raw) {
          // Only an http(s) URL or a path of ours becomes a link; anything else (javascript:, data:) stays text.
          var url = window.gridcmdText.url(raw);
          if (!url) {
            var shown = h("span", "pn-photo pn-photo--text", String(raw));
            shown.title = String(raw); // an attribute set as a property is text too
            return shown;
          }
          var a = h("a", "pn-photo");
          a.href = url;
          a.target = "_blank";
          a.rel = "noopener noreferrer";
          var img = h("img");
          img.src = url;
          img.alt = "";
          img.loading = "lazy";
          a.append(img);
          return a;
        })
      );
    }
    renderSuggestions(row);
    renderTimeline(d);
    updateMinimap(row);
  }

  function renderActions(row) {
    var cmds = legalCommands(row);
    var keyOf = {};
    Object.keys(HOTKEYS).forEach(function (k) {
      keyOf[HOTKEYS[k]] = k;
    });
    var buttons = cmds.map(function (cmd) {
      var b = h("button", "pn-act" + (PRIMARY[cmd] ? " pn-act--primary" : "") + (cmd === "reject" ? " pn-act--warn" : ""));
      b.type = "button";
      b.setAttribute("data-cmd", cmd);
      b.append(document.createTextNode(cmdLabel(cmd)));
      if (keyOf[cmd]) b.append(h("kbd", null, keyOf[cmd].toUpperCase()));
      b.addEventListener("click", function () {
        openAction(cmd);
      });
      return b;
    });
    if (!buttons.length) {
      var fresh = st.detail && st.detail.id === row.id && st.detail.version === row.version;
      var why = "dispatch.panel.no_actions";
      if (!st.me.district_wide && row.tier === "district") why = "dispatch.panel.read_only";
      else if (!fresh) why = "dispatch.loading"; // some commands depend on the audit trail being read
      else if (row.state === "closed" && timelineCount("visit-back")) why = "dispatch.panel.visited";
      buttons = [h("span", "pn-none", s(why))];
    }
    pn.actions.replaceChildren.apply(pn.actions, buttons);
  }

  function renderSuggestions(row) {
    var sg = st.sugg;
    var out = [];
    var deptRow = h("div", "sg-row");
    deptRow.append(h("span", "sg-k", s("dispatch.panel.sugg_department")));
    var deptCode = (sg && sg.department && sg.department.code) || catalogDept(row);
    deptRow.append(h("b", "sg-v", deptCode ? deptName(deptCode) : s("dispatch.panel.no_department")));
    out.push(deptRow);

    out.push(h("div", "sg-sub", s("dispatch.panel.patrols")));
    var patrols = (sg && sg.patrols) || [];
    var dispatchable = legalCommands(row).indexOf("dispatch") >= 0;
    if (!patrols.length) out.push(h("div", "pn-none", sg ? s("dispatch.panel.no_patrols") : s("dispatch.loading")));
    patrols.forEach(function (p) {
      var line = h("div", "sg-patrol");
      line.setAttribute("data-patrol", p.id);
      line.append(h("i", "sg-dot st-" + p.status), h("span", "sg-pid", p.id), h("span", "sg-dist", metres(p.distance_m)));
      if (dispatchable) {
        var b = h("button", "sg-btn", s("dispatch.panel.assign"));
        b.type = "button";
        b.addEventListener("click", function () {
          openAction("dispatch", { patrol: p.id, distance: p.distance_m });
        });
        line.append(b);
      }
      out.push(line);
    });

    out.push(h("div", "sg-sub", s("dispatch.panel.duplicates")));
    var dups = ((sg && sg.duplicates) || []).filter(function (x) {
      return x.open;
    });
    if (!dups.length) out.push(h("div", "pn-none", sg ? s("dispatch.panel.no_duplicates") : s("dispatch.loading")));
    dups.slice(0, 5).forEach(function (dup) {
      var line = h("div", "sg-dup");
      line.setAttribute("data-dup", String(dup.id));
      var head = h("div", "sg-dup-head");
      head.append(h("span", "sg-code", dup.code), h("span", "dq-st-" + dup.state + " sg-state", stateLabel(dup.state)),
        h("span", "sg-dist", metres(dup.distance_m)));
      var link = h("button", "sg-link");
      link.type = "button";
      link.append(head, h("div", "sg-desc", dup.description));
      link.addEventListener("click", function () {
        if (st.cases.has(dup.id)) select(dup.id);
      });
      line.append(link);
      // One click merges whichever of the two is still a fresh report into the other.
      if (canMerge(row)) {
        line.append(mergeButton(s("dispatch.panel.merge_into"), row.id, row.version, dup));
      } else if (dup.state === "reported" && st.commands.has("merge") && !isTerminal(row.state)) {
        line.append(mergeButton(s("dispatch.panel.merge_here"), dup.id, dup.version, row));
      }
      out.push(line);
    });
    pn.sugg.replaceChildren.apply(pn.sugg, out);
  }

  function mergeButton(label, caseId, version, into) {
    var b = h("button", "sg-btn sg-btn--merge", label);
    b.type = "button";
    b.setAttribute("data-merge", caseId + ">" + into.id);
    b.addEventListener("click", function () {
      openDialog("merge", { caseId: caseId, version: version, into: into });
    });
    return b;
  }

  function renderTimeline(d) {
    if (!d || !d.timeline) {
      var row = currentRow();
      // The API hides an escalated case from a street desk: say why instead of loading forever.
      var away = row && !st.me.district_wide && row.tier === "district";
      pn.timeline.replaceChildren(h("li", "pn-none", s(away ? "dispatch.panel.read_only" : "dispatch.loading")));
      return;
    }
    var items = d.timeline.slice().reverse().map(function (e) {
      var li = h("li", "tl-item tl-" + e.command);
      li.setAttribute("data-command", e.command);
      var at = Date.parse(e.at);
      var head = h("div", "tl-head");
      head.append(
        h("span", "tl-time", mdhm(at) + ":" + parts(at).second),
        h("b", "tl-cmd", cmdLabel(e.command)),
        h("span", "tl-actor", actorLabel(e.actor))
      );
      li.append(head);
      if (e.from && e.to && e.from !== e.to) li.append(h("div", "tl-move", stateLabel(e.from) + " → " + stateLabel(e.to)));
      else if (!e.from && e.to) li.append(h("div", "tl-move", "→ " + stateLabel(e.to)));
      if (e.note) li.append(h("div", "tl-note", e.note));
      return li;
    });
    pn.timeline.replaceChildren.apply(pn.timeline, items);
  }

  // ---------------------------------------------------------------- bulk bar

  function renderBulk() {
    var bar = el("dispatch-bulk");
    if (!bar) return;
    var n = st.multi.size;
    var key = n > 1 ? "n" + n : "hint";
    if (bar.getAttribute("data-key") === key) return;
    bar.setAttribute("data-key", key);
    if (n < 2) {
      bar.className = "desk-bulk";
      bar.replaceChildren(h("span", "desk-hint", s("dispatch.bulk.hint")));
      return;
    }
    bar.className = "desk-bulk is-active";
    var go = h("button", "desk-btn desk-btn--primary", s("dispatch.bulk.dispatch"));
    go.type = "button";
    go.id = "dispatch-bulk-go";
    go.addEventListener("click", openBulk);
    var clear = h("button", "desk-btn desk-btn--ghost", s("dispatch.bulk.clear"));
    clear.type = "button";
    clear.addEventListener("click", clearMulti);
    bar.replaceChildren(h("b", null, s("dispatch.bulk.selected", { n: n })), go, clear);
  }

  // ---------------------------------------------------------------- dialogs

  function openAction(cmd, extra) {
    var row = currentRow();
    if (!row || legalCommands(row).indexOf(cmd) < 0) return false;
    openDialog(cmd, Object.assign({ caseId: row.id, version: row.version }, extra || {}));
    return true;
  }

  function closeDialog() {
    var modal = el("dispatch-modal");
    if (modal) {
      modal.replaceChildren();
      modal.classList.remove("is-open");
    }
    st.dialog = null;
  }

  function markDialogStale(row) {
    var dlg = st.dialog;
    // While our own command is in flight its delta may arrive before its answer: that is not someone else.
    if (!dlg || !dlg.stale || dlg.busy) return;
    var version = dlg.versions[row.id];
    if (version !== undefined && row.version > version) {
      dlg.stale.hidden = false;
      dlg.stale.textContent = s("dispatch.stale") + "（" + stateLabel(row.state) + "）";
    }
  }

  /**
   * A modal for one command on one case (or several, for bulk dispatch). `spec.build(body, dlg)` fills the form
   * and returns collect() → {fields} | {error}. Enter confirms, Esc cancels.
   */
  function openDialog(cmd, opts) {
    closeDialog();
    var modal = el("dispatch-modal");
    if (!modal) return;
    var row = st.cases.get(opts.caseId) || currentRow();
    var ids = opts.bulk ? opts.bulk.map(function (r) {
      return r.id;
    }) : [opts.caseId];
    var versions = {};
    if (opts.bulk) {
      opts.bulk.forEach(function (r) {
        versions[r.id] = r.version;
      });
    } else {
      versions[opts.caseId] = opts.version;
    }
    var box = h("div", "dlg");
    box.id = "dispatch-dialog";
    box.setAttribute("data-cmd", cmd);
    box.setAttribute("role", "dialog");
    var title = h("div", "dlg-title");
    title.append(
      h("b", null, opts.bulk ? s("dispatch.dlg.bulk", { n: opts.bulk.length }) : cmdLabel(cmd)),
      h("span", "dlg-code", opts.bulk ? "" : row ? row.code : "")
    );
    var stale = h("div", "dlg-stale");
    stale.hidden = true;
    var body = h("div", "dlg-body");
    var error = h("div", "dlg-error");
    error.id = "dispatch-dialog-error";
    error.hidden = true;
    var foot = h("div", "dlg-foot");
    var hint = h("span", "dlg-keys", s("dispatch.dlg.keys"));
    var cancel = h("button", "desk-btn desk-btn--ghost", s("dispatch.dlg.cancel"));
    cancel.type = "button";
    cancel.id = "dispatch-dialog-cancel";
    var ok = h("button", "desk-btn desk-btn--primary", cmdLabel(cmd === "merge" ? "merge" : cmd));
    ok.type = "button";
    ok.id = "dispatch-dialog-confirm";
    foot.append(hint, cancel, ok);
    box.append(title, stale, body, error, foot);
    modal.replaceChildren(box);
    modal.classList.add("is-open");

    var dlg = { cmd: cmd, opts: opts, ids: ids, versions: versions, stale: stale, error: error, ok: ok, busy: false };
    st.dialog = dlg;
    var builder = BUILDERS[cmd] || buildNote;
    dlg.collect = builder(body, dlg, row);
    dlg.confirm = function () {
      if (dlg.busy) return;
      var got = dlg.collect();
      if (got.error) {
        error.hidden = false;
        error.textContent = got.error;
        return;
      }
      dlg.busy = true;
      ok.disabled = true;
      if (opts.bulk) bulkDispatch(opts.bulk, got.fields);
      else submit(opts.caseId, cmd, opts.version, got.fields, dlg);
    };
    cancel.addEventListener("click", closeDialog);
    ok.addEventListener("click", dlg.confirm);
    modal.onclick = function (ev) {
      if (ev.target === modal) closeDialog();
    };
    // The row may have changed between the click and now.
    ids.forEach(function (id) {
      var cur = st.cases.get(id);
      if (cur) markDialogStale(cur);
    });
    // Focus now, not on a timer: keys typed right after the shortcut must land in the dialog.
    (box.querySelector("[data-autofocus]") || ok).focus();
  }

  function field(label, input) {
    var wrap = h("label", "dlg-field");
    wrap.append(h("span", "dlg-label", label), input);
    return wrap;
  }

  function noteInput(required) {
    var ta = h("textarea", "dlg-note");
    ta.rows = 2;
    ta.maxLength = 2000;
    ta.placeholder = s(required ? "dispatch.dlg.reason" : "dispatch.dlg.note");
    ta.id = "dispatch-dialog-note";
    return ta;
  }

  function buildNote(body, dlg) {
    var required = !!REASON_REQUIRED[dlg.cmd];
    var ta = noteInput(required);
    ta.setAttribute("data-autofocus", "");
    body.append(field(s(required ? "dispatch.dlg.reason" : "dispatch.dlg.note"), ta));
    return function () {
      var note = ta.value.trim();
      if (required && !note) return { error: s("dispatch.dlg.required") };
      return { fields: { note: note } };
    };
  }

  /** A filtered, keyboard-driven pick list: an input above, ↑/↓ move, the highlighted item is the answer. */
  function pickList(items, opts) {
    var wrap = h("div", "pk");
    var input = h("input", "pk-search");
    input.type = "search";
    input.placeholder = opts.placeholder;
    input.autocomplete = "off";
    input.setAttribute("data-autofocus", "");
    input.id = opts.id + "-search";
    var list = h("div", "pk-list");
    list.id = opts.id + "-list";
    list.setAttribute("role", "listbox");
    wrap.append(input, list);
    var shown = [];
    var active = 0;

    function paint() {
      var nodes = shown.map(function (item, i) {
        var node = opts.render(item);
        node.classList.add("pk-item");
        if (i === active) node.classList.add("is-active");
        node.setAttribute("data-value", item.value);
        node.addEventListener("mousedown", function (ev) {
          ev.preventDefault();
          active = i;
          paint();
        });
        node.addEventListener("dblclick", function () {
          active = i;
          if (opts.onPick) opts.onPick();
        });
        return node;
      });
      if (!nodes.length) nodes = [h("div", "pn-none", opts.empty)];
      list.replaceChildren.apply(list, nodes);
      var cur = list.querySelector(".is-active");
      if (cur && cur.scrollIntoView) cur.scrollIntoView({ block: "nearest" });
      if (opts.onChange) opts.onChange(shown[active] || null);
    }

    function filter() {
      var words = input.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
      shown = items.filter(function (item) {
        return words.every(function (w) {
          return item.text.indexOf(w) >= 0;
        });
      });
      var pre = opts.preferred ? shown.findIndex(function (x) {
        return x.value === opts.preferred;
      }) : -1;
      active = pre >= 0 && !words.length ? pre : 0;
      paint();
    }

    input.addEventListener("input", filter);
    input.addEventListener("keydown", function (ev) {
      if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
        ev.preventDefault();
        if (!shown.length) return;
        active = (active + (ev.key === "ArrowDown" ? 1 : -1) + shown.length) % shown.length;
        paint();
      }
    });
    filter();
    return {
      node: wrap,
      input: input,
      value: function () {
        return shown[active] ? shown[active].value : null;
      },
    };
  }

  function buildFile(body, dlg) {
    var items = st.catalog.map(function (c) {
      return {
        value: c.code,
        item: c,
        text: [c.code, c.major, c.minor, c.condition, deptName(c.department)].join(" ").toLowerCase(),
      };
    });
    var info = h("div", "fl-info");
    var pick = pickList(items, {
      id: "dispatch-file",
      placeholder: s("dispatch.dlg.file_search"),
      empty: s("dispatch.dlg.file_none"),
      onPick: function () {
        dlg.confirm();
      },
      render: function (x) {
        var c = x.item;
        var node = h("div", "fl-item");
        var top = h("div", "fl-top");
        top.append(
          h("span", "fl-lvl dq-lvl-" + c.level.toLowerCase(), c.level),
          h("b", null, c.major + " › " + c.minor),
          h("span", "fl-limit", c.time_limit),
          h("span", "fl-code", c.code)
        );
        node.append(top, h("div", "fl-cond", c.condition));
        return node;
      },
      onChange: function (x) {
        if (!x) {
          info.replaceChildren();
          return;
        }
        var c = x.item;
        var dept = c.department === "JD" ? deptName("JD") : deptName(c.department);
        info.replaceChildren(
          h("span", null, s("dispatch.dlg.level") + " "), h("b", "dq-lvl-" + c.level.toLowerCase(), c.level),
          h("span", null, " · " + s("dispatch.dlg.limit") + " "), h("b", null, c.time_limit),
          h("span", null, " · " + s("dispatch.dlg.dept") + " "), h("b", null, dept || "—")
        );
      },
    });
    var ta = noteInput(false);
    body.append(pick.node, info, field(s("dispatch.dlg.note"), ta));
    return function () {
      var code = pick.value();
      if (!code) return { error: s("dispatch.dlg.file_pick") };
      return { fields: { condition: code, note: ta.value.trim() } };
    };
  }

  function deptItems(row, suggested) {
    var street = row ? row.street_code : "";
    var list = st.deptList.filter(function (d) {
      if (d.code === "JD") return false; // resolved to the case's own street unit below
      return d.tier === "district" || (street && d.code.indexOf(street) === 0);
    });
    list.sort(function (a, b) {
      var sa = a.code === suggested ? 0 : street && a.code.indexOf(street) === 0 ? 1 : 2;
      var sb = b.code === suggested ? 0 : street && b.code.indexOf(street) === 0 ? 1 : 2;
      return sa - sb || (a.code < b.code ? -1 : 1);
    });
    if (suggested && !list.some(function (d) {
      return d.code === suggested;
    }) && st.depts.has(suggested)) {
      list.unshift(st.depts.get(suggested));
    }
    return list.map(function (d) {
      return { value: d.code, dept: d, text: (d.code + " " + d.name).toLowerCase() };
    });
  }

  function buildDispatch(body, dlg, row) {
    var bulk = !!dlg.opts.bulk;
    var suggested = bulk
      ? dlg.opts.suggested
      : (st.sugg && st.sugg.department && st.primary === dlg.opts.caseId && st.sugg.department.code) ||
        catalogDept(row);
    // Several cases may lie in several streets: offer the district departments (and the suggested one).
    var pick = pickList(deptItems(bulk ? null : row, suggested), {
      id: "dispatch-dept",
      placeholder: s("dispatch.dlg.dept_search"),
      empty: "—",
      preferred: suggested,
      onPick: function () {
        dlg.confirm();
      },
      render: function (x) {
        var node = h("div", "dp-item");
        node.append(h("b", null, x.dept.name), h("span", "dp-code", x.dept.code));
        if (x.value === suggested) node.append(h("span", "dp-tag", s("dispatch.dlg.suggested")));
        return node;
      },
    });
    body.append(field(s("dispatch.dlg.department"), pick.node));

    // Patrol: none, the suggested nearest ones, or the one clicked on the map.
    var options = [{ id: "", label: s("dispatch.dlg.no_patrol") }];
    var sugg = st.sugg && st.primary === dlg.opts.caseId ? st.sugg.patrols || [] : [];
    sugg.forEach(function (p) {
      options.push({ id: p.id, label: p.id + " · " + metres(p.distance_m) });
    });
    if (dlg.opts.patrol && !sugg.some(function (p) {
      return p.id === dlg.opts.patrol;
    })) {
      options.push({ id: dlg.opts.patrol, label: dlg.opts.patrol + " · " + metres(dlg.opts.distance) + "（" + s("dispatch.dlg.map_patrol") + "）" });
    }
    var group = h("div", "dlg-radios");
    group.id = "dispatch-patrol-choice";
    options.forEach(function (o) {
      var lab = h("label", "dlg-radio");
      var input = h("input");
      input.type = "radio";
      input.name = "dispatch-patrol";
      input.value = o.id;
      input.checked = o.id === (dlg.opts.patrol || "");
      lab.append(input, h("span", null, o.label));
      group.append(lab);
    });
    var ta = noteInput(false);
    if (!bulk) body.append(field(s("dispatch.dlg.patrol"), group));
    body.append(field(s("dispatch.dlg.note"), ta));
    return function () {
      var dept = pick.value();
      if (!dept) return { error: s("dispatch.dlg.department") };
      var chosen = group.querySelector("input:checked");
      var fields = { department: dept, note: ta.value.trim() };
      if (chosen && chosen.value) fields.patrol = chosen.value;
      return { fields: fields };
    };
  }

  function radios(name, values, labelKey) {
    var group = h("div", "dlg-radios");
    values.forEach(function (v, i) {
      var lab = h("label", "dlg-radio");
      var input = h("input");
      input.type = "radio";
      input.name = name;
      input.value = v;
      input.checked = i === 0;
      if (i === 0) input.setAttribute("data-autofocus", "");
      lab.append(input, h("span", null, labelKey(v)));
      group.append(lab);
    });
    return group;
  }

  function buildVerify(body) {
    var group = radios("dispatch-verify", ["pass", "fail"], function (v) {
      return s(v === "pass" ? "dispatch.dlg.verify_pass" : "dispatch.dlg.verify_fail");
    });
    var ta = noteInput(false);
    body.append(group, field(s("dispatch.dlg.note"), ta));
    group.addEventListener("change", function () {
      var fail = group.querySelector("input:checked").value === "fail";
      ta.placeholder = s(fail ? "dispatch.dlg.reason" : "dispatch.dlg.note");
    });
    return function () {
      var result = group.querySelector("input:checked").value;
      var note = ta.value.trim();
      if (result === "fail" && !note) return { error: s("dispatch.dlg.required") };
      return { fields: { result: result, note: note } };
    };
  }

  function buildVisit(body) {
    var group = radios("dispatch-satisfaction", ["satisfied", "basically_satisfied", "dissatisfied"], function (v) {
      return s("dispatch.satisfaction." + v);
    });
    var ta = noteInput(false);
    body.append(group, field(s("dispatch.dlg.note"), ta));
    return function () {
      return { fields: { satisfaction: group.querySelector("input:checked").value, note: ta.value.trim() } };
    };
  }

  function buildExtend(body) {
    var group = radios("dispatch-extend", EXTEND_LIMITS, function (v) {
      return v;
    });
    var ta = noteInput(true);
    body.append(field(s("dispatch.dlg.extend_by"), group), field(s("dispatch.dlg.reason"), ta));
    return function () {
      var note = ta.value.trim();
      if (!note) return { error: s("dispatch.dlg.required") };
      return { fields: { limit: group.querySelector("input:checked").value, note: note } };
    };
  }

  function buildMerge(body, dlg) {
    var into = dlg.opts.into;
    body.append(h("div", "dlg-merge", s("dispatch.dlg.merge_target", { code: into.code })));
    if (into.description) body.append(h("div", "dlg-quote", into.description));
    var ta = noteInput(false);
    ta.setAttribute("data-autofocus", "");
    body.append(field(s("dispatch.dlg.note"), ta));
    return function () {
      return { fields: { into: into.id, note: ta.value.trim() } };
    };
  }

  var BUILDERS = {
    file: buildFile,
    dispatch: buildDispatch,
    verify: buildVerify,
    "visit-back": buildVisit,
    extend: buildExtend,
    merge: buildMerge,
  };

  // ---------------------------------------------------------------- sending commands

  function conflictText(body) {
    var cur = (body && body.current) || {};
    var state = cur.state ? stateLabel(cur.state) : "?";
    if (!cur.last_actor || !cur.last_at) return s("dispatch.conflict_unknown", { state: state });
    return s("dispatch.conflict", {
      actor: actorLabel(cur.last_actor),
      time: hm(Date.parse(cur.last_at)),
      verb: cmdLabel(cur.last_command),
      state: state,
    });
  }

  function send(caseId, cmd, version, fields) {
    st.own.set(caseId, Date.now());
    return api("POST", "/api/v1/cases/" + caseId + "/" + cmd, Object.assign({ expected_version: version }, fields));
  }

  function submit(caseId, cmd, version, fields, dlg) {
    send(caseId, cmd, version, fields).then(
      function (res) {
        if (res.ok) {
          closeDialog();
          var tx = newTx();
          upsert(res.body, "fetch", tx); // our desk shows it now; the delta that follows is a duplicate
          commit(tx);
          toast(s("dispatch.done", { code: res.body.code, verb: cmdLabel(cmd) }), "ok");
          if (caseId === st.primary) {
            st.alert = null;
            loadDetail(caseId);
          }
          return;
        }
        if (res.status === 409 || (res.status === 422 && res.body && res.body.field === "state")) {
          // Lost a race (or the case moved on): say who did what, then show the case as it is now.
          closeDialog();
          var text = res.status === 409 ? conflictText(res.body) : s("dispatch.refused", { error: res.body.error });
          st.alert = { id: caseId, text: text };
          toast(text, "warn");
          refreshCase(caseId).then(function () {
            renderPanel();
          });
          renderPanel();
          return;
        }
        dlg.busy = false;
        dlg.ok.disabled = false;
        dlg.error.hidden = false;
        dlg.error.textContent = res.status === 422 || res.status === 403 || res.status === 404
          ? s("dispatch.refused", { error: (res.body && res.body.error) || res.status })
          : s("dispatch.failed", { status: res.status });
      },
      function () {
        dlg.busy = false;
        dlg.ok.disabled = false;
        dlg.error.hidden = false;
        dlg.error.textContent = s("dispatch.failed", { status: "network" });
      }
    );
  }

  function openBulk() {
    var rows = [];
    st.multi.forEach(function (id) {
      var r = st.cases.get(id);
      if (r && st.sources.dispatch.has(r.state) && (st.me.district_wide || r.tier !== "district")) rows.push(r);
    });
    if (!rows.length) {
      toast(s("dispatch.bulk.none"), "warn");
      return;
    }
    var depts = new Set(rows.map(catalogDept));
    var only = depts.size === 1 ? depts.values().next().value : null;
    openDialog("dispatch", { bulk: rows, caseId: rows[0].id, version: rows[0].version, suggested: only });
  }

  function bulkDispatch(rows, fields) {
    var ok = 0;
    var failed = [];
    var chain = Promise.resolve();
    rows.forEach(function (r) {
      chain = chain.then(function () {
        return send(r.id, "dispatch", r.version, fields).then(function (res) {
          if (res.ok) {
            ok++;
            var tx = newTx();
            upsert(res.body, "fetch", tx);
            commit(tx);
          } else {
            failed.push(r.code + "：" + (res.status === 409 ? conflictText(res.body) : (res.body && res.body.error) || res.status));
          }
        });
      });
    });
    chain.then(function () {
      closeDialog();
      clearMulti();
      toast(s("dispatch.bulk.result", { ok: ok, fail: failed.length }) + (failed.length ? "\n" + failed.join("\n") : ""),
        failed.length ? "warn" : "ok");
      if (st.primary !== null) loadDetail(st.primary);
    });
  }

  function toast(text, kind) {
    var box = el("dispatch-toasts");
    if (!box) return;
    var t = h("div", "toast toast--" + (kind || "info"), text);
    box.prepend(t);
    while (box.children.length > 4) box.lastChild.remove();
    setTimeout(function () {
      t.classList.add("is-gone");
      setTimeout(function () {
        t.remove();
      }, 400);
    }, kind === "warn" ? 8000 : 3500);
  }

  // ---------------------------------------------------------------- map

  function markerClass(row, t) {
    return "dm-case case-" + row.id + " lvl-" + (row.level || "n").toLowerCase() + " st-" + row.state +
      (isOverdue(row, t) ? " overdue" : "") + (st.multi.has(row.id) ? " is-multi" : "");
  }

  function drawMarker(row) {
    if (!st.map) return;
    var m = st.markers.get(row.id);
    var cls = markerClass(row, now());
    if (!m) {
      m = L.circleMarker([row.lat, row.lon], {
        renderer: st.caseRenderer,
        pane: "dq-cases",
        radius: row.level === "A" ? 7 : 6,
        weight: 1.5,
        className: cls,
        bubblingMouseEvents: false,
      }).addTo(st.map);
      m._dqClass = cls;
      m._dqId = row.id;
      m.on("click", function (ev) {
        var shift = ev.originalEvent && (ev.originalEvent.shiftKey || ev.originalEvent.ctrlKey || ev.originalEvent.metaKey);
        if (shift) toggleMulti(m._dqId);
        else select(m._dqId);
      });
      st.markers.set(row.id, m);
      return;
    }
    var ll = m.getLatLng();
    if (ll.lat !== row.lat || ll.lng !== row.lon) m.setLatLng([row.lat, row.lon]);
    if (m._dqClass !== cls) {
      m._dqClass = cls;
      var path = m.getElement();
      if (path) path.setAttribute("class", cls + " leaflet-interactive");
    }
  }

  function dropMarker(id) {
    var m = st.markers.get(id);
    if (m) m.remove();
    st.markers.delete(id);
  }

  /** Deadlines pass without any delta: re-class the markers now and then (only changed ones touch the DOM). */
  function refreshMarkers() {
    st.cases.forEach(function (row) {
      if (row.state !== "closed") drawMarker(row);
    });
  }

  function syncMultiMarkers() {
    st.markers.forEach(function (m, id) {
      var row = st.cases.get(id);
      if (row) drawMarker(row);
    });
  }

  function applyPatrolRows(rows, full) {
    var keep = full ? new Set() : null;
    for (var i = 0; i < rows.length; i++) {
      var r = rows[i]; // [id, lon, lat, status]
      if (keep) keep.add(r[0]);
      var p = st.patrols.get(r[0]);
      if (!p) {
        p = { lon: r[1], lat: r[2], status: r[3], marker: null };
        st.patrols.set(r[0], p);
        if (st.map) p.marker = patrolMarker(p);
        continue;
      }
      if (p.lon !== r[1] || p.lat !== r[2]) {
        p.lon = r[1];
        p.lat = r[2];
        if (p.marker) p.marker.setLatLng([r[2], r[1]]);
      }
      if (p.status !== r[3]) {
        p.status = r[3];
        if (p.marker) p.marker.setStyle({ fillColor: PATROL_COLORS[p.status] || PATROL_COLORS.offline });
      }
    }
    if (keep) {
      st.patrols.forEach(function (p, id) {
        if (!keep.has(id)) {
          if (p.marker) p.marker.remove();
          st.patrols.delete(id);
        }
      });
    }
  }

  function patrolMarker(p) {
    return L.circleMarker([p.lat, p.lon], {
      renderer: st.patrolRenderer,
      pane: "dq-patrols",
      radius: 4,
      weight: 1,
      color: "#0d1117",
      fillOpacity: 0.95,
      fillColor: PATROL_COLORS[p.status] || PATROL_COLORS.offline,
      interactive: false,
    }).addTo(st.map);
  }

  /** Patrol dots are canvas and not interactive: hit-test the click ourselves (well under 1 ms for 10k). */
  function onMapClick(ev) {
    var pt = ev.containerPoint;
    var best = null;
    var bestD = PATROL_HIT_PX * PATROL_HIT_PX;
    st.patrols.forEach(function (p, id) {
      var q = st.map.latLngToContainerPoint([p.lat, p.lon]);
      var d = (q.x - pt.x) * (q.x - pt.x) + (q.y - pt.y) * (q.y - pt.y);
      if (d <= bestD) {
        bestD = d;
        best = id;
      }
    });
    if (best === null) return;
    proposePatrol(best);
  }

  function proposePatrol(pid) {
    var row = currentRow();
    if (!row) {
      toast(s("dispatch.map.pick_case"), "info");
      return;
    }
    if (legalCommands(row).indexOf("dispatch") < 0) {
      toast(s("dispatch.map.not_dispatchable", { code: row.code, state: stateLabel(row.state) }), "warn");
      return;
    }
    var p = st.patrols.get(pid);
    var distance = p ? haversine(row.lon, row.lat, p.lon, p.lat) : null;
    openAction("dispatch", { patrol: pid, distance: distance });
  }

  /** Zoom the map in on the open case (street level), so nearby patrols can be told apart and clicked. */
  function locate() {
    var row = currentRow();
    if (!row || !st.map) return;
    st.map.setView([row.lat, row.lon], Math.max(st.map.getZoom(), 15), { animate: false });
  }

  function drawSelection() {
    if (!st.map || !st.overlay) return;
    st.overlay.clearLayers();
    var row = currentRow();
    if (!row) return;
    L.circleMarker([row.lat, row.lon], {
      pane: "dq-sel",
      radius: 13,
      weight: 2.5,
      color: "#ffffff",
      fill: false,
      className: "dm-ring",
      interactive: false,
    }).addTo(st.overlay);
    var patrols = (st.sugg && st.detail && st.detail.id === row.id && st.sugg.patrols) || [];
    patrols.forEach(function (p, i) {
      L.polyline([[row.lat, row.lon], [p.lat, p.lon]], {
        pane: "dq-sel",
        color: "#7fb2ff",
        weight: 1.5,
        dashArray: "4 4",
        interactive: false,
      }).addTo(st.overlay);
      L.circleMarker([p.lat, p.lon], {
        pane: "dq-sel",
        radius: 7,
        weight: 2,
        color: "#7fb2ff",
        fill: false,
        interactive: false,
      })
        // A node, not a string: Leaflet sets a string tooltip as innerHTML, and patrol ids come from feeds.
        .bindTooltip(window.gridcmdText.node("span", null, p.id + " · " + metres(p.distance_m)), {
          permanent: i === 0,
          direction: "right",
          className: "dm-tip",
          offset: [8, 0],
        })
        .addTo(st.overlay);
    });
    var bounds = st.map.getBounds();
    if (!bounds.pad(-0.1).contains([row.lat, row.lon])) st.map.panTo([row.lat, row.lon], { animate: false });
  }

  // ---------------------------------------------------------------- mini-map in the case panel

  function updateMinimap(row) {
    if (!pn.minimap || typeof L === "undefined") return;
    if (!st.minimap) {
      st.minimap = L.map(pn.minimap, {
        zoomControl: false,
        attributionControl: false,
        dragging: false,
        scrollWheelZoom: false,
        doubleClickZoom: false,
        boxZoom: false,
        keyboard: false,
        touchZoom: false,
        preferCanvas: true,
      });
      st.minimap.setView([row.lat, row.lon], 15);
    }
    if (!st.minimapGrids && st.gridFeatures.size) {
      st.minimapGrids = L.geoJSON(
        { type: "FeatureCollection", features: Array.from(st.gridFeatures.values()) },
        {
          style: function () {
            return { color: "#5d7290", weight: 1, fillColor: "#222a35", fillOpacity: 0.6 };
          },
          interactive: false,
        }
      ).addTo(st.minimap);
      st.minimapByCode = new Map();
      st.minimapGrids.eachLayer(function (layer) {
        st.minimapByCode.set(layer.feature.properties.code, layer);
      });
    }
    if (st.minimapGrids) {
      var code = row.grid_code;
      if (st.minimapGrid !== code) {
        var was = st.minimapByCode.get(st.minimapGrid);
        if (was) was.setStyle({ color: "#5d7290", weight: 1, fillColor: "#222a35", fillOpacity: 0.6 });
        var mine = st.minimapByCode.get(code);
        if (mine) mine.setStyle({ color: "#7fb2ff", weight: 2, fillColor: "#1f3550", fillOpacity: 0.8 });
        st.minimapGrid = code;
      }
    }
    if (!st.minimapMarker) {
      st.minimapMarker = L.circleMarker([row.lat, row.lon], {
        radius: 6,
        weight: 2,
        color: "#ffffff",
        fillColor: LEVEL_COLORS[row.level] || "#3fa7f5",
        fillOpacity: 1,
      }).addTo(st.minimap);
    } else {
      st.minimapMarker.setLatLng([row.lat, row.lon]);
      st.minimapMarker.setStyle({ fillColor: LEVEL_COLORS[row.level] || "#3fa7f5" });
    }
    st.minimap.invalidateSize(false);
    // Frame the case's own grid: the dispatcher sees where in the grid it lies and what borders it.
    var own = st.minimapByCode ? st.minimapByCode.get(row.grid_code) : null;
    if (own) st.minimap.fitBounds(own.getBounds(), { padding: [18, 18], maxZoom: 17, animate: false });
    else st.minimap.setView([row.lat, row.lon], 15, { animate: false });
  }

  // ---------------------------------------------------------------- grid polygons (called by dash-leaflet)

  ns.gridStyle = function (feature) {
    var mine = st.me.district_wide || feature.properties.street_code === st.me.scope;
    return {
      color: mine ? "#4f6482" : "#333a45",
      weight: 1,
      opacity: mine ? 0.9 : 0.5,
      fillColor: mine ? "#1c2430" : "#14171c",
      fillOpacity: 0.85,
      className: "dq-grid",
    };
  };

  ns.gridFeature = function (feature, layer) {
    var p = feature.properties;
    st.gridNames.set(p.code, p.name);
    st.gridLayers.set(p.code, layer);
    st.gridFeatures.set(p.code, feature); // keyed: a reloaded grid layer must not duplicate them
    layer.bindTooltip(window.gridcmdText.node("span", null, p.name), { sticky: true, className: "dm-tip", direction: "top" });
    // Grid names arrive after the first rows: relabel the queue once they are all in.
    clearTimeout(st.timers.gridNames);
    st.timers.gridNames = setTimeout(function () {
      if (st.api) st.api.refreshCells({ columns: ["grid_code"], force: true });
      if (!st.me.district_wide) fitStreet();
      renderPanelSoon();
    }, 200);
  };

  function fitStreet() {
    var group = [];
    st.gridLayers.forEach(function (layer) {
      if (layer.feature && layer.feature.properties.street_code === st.me.scope) group.push(layer);
    });
    if (group.length && st.map) st.map.fitBounds(L.featureGroup(group).getBounds(), { padding: [10, 10] });
  }

  function ensurePane(map, name, z) {
    var pane = map.getPane(name) || map.createPane(name);
    pane.style.zIndex = String(z);
    // The pane's own <svg>/<canvas> must not swallow clicks meant for markers in the panes below it;
    // interactive paths opt back in (Leaflet's .leaflet-interactive sets pointer-events: auto).
    pane.style.pointerEvents = "none";
    return pane;
  }

  ns.attach = function (e, ctx) {
    var map = (ctx && ctx.map) || (e && e.target && e.target._map);
    if (!map || !el(QUEUE_ROOT)) return;
    if (st.map === map) return;
    st.map = map;
    ensurePane(map, "dq-patrols", 440);
    ensurePane(map, "dq-cases", 450);
    ensurePane(map, "dq-sel", 460);
    st.patrolRenderer = L.canvas({ pane: "dq-patrols", padding: 0.2 });
    st.caseRenderer = L.svg({ pane: "dq-cases", padding: 0.2 });
    st.overlay = L.layerGroup().addTo(map);
    st.markers.forEach(function (m) {
      m.remove();
    });
    st.markers.clear();
    st.cases.forEach(function (row) {
      if (row.state !== "closed") drawMarker(row);
    });
    st.patrols.forEach(function (p) {
      if (p.marker) p.marker.remove();
      p.marker = patrolMarker(p);
    });
    map.on("click", onMapClick);
    drawSelection();
  };

  ns.detach = function () {
    /* The desk has one map for the page's lifetime; markers are rebuilt on the next attach. */
  };

  // ---------------------------------------------------------------- live client (gridcmd-live.js)

  function startSocket() {
    if (st.live) return;
    st.live = window.gridcmdLiveClient.connect({
      io: window.io,
      view: "dispatch",
      onSnapshot: function (_cases, _kpis, snap) {
        applySnapshot(snap);
      },
      onCases: applyCases,
      onPatrols: function (frame) {
        applyPatrolRows(frame.rows || [], false);
      },
      onState: setConn,
    });
  }

  // ---------------------------------------------------------------- keyboard

  function typing(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }

  function onKey(ev) {
    if (ev.ctrlKey || ev.altKey || ev.metaKey) return;
    wakeAudio();
    if (st.dialog) {
      if (ev.key === "Escape") {
        ev.preventDefault();
        closeDialog();
      } else if (ev.key === "Enter" && !(ev.target.tagName === "TEXTAREA" && ev.shiftKey)) {
        if (ev.target.tagName === "BUTTON" && ev.target.id === "dispatch-dialog-cancel") return;
        ev.preventDefault();
        st.dialog.confirm();
      }
      return;
    }
    var help = el("dispatch-keys");
    if (help && ev.key === "Escape") {
      help.remove();
      return;
    }
    if (typing(ev.target)) {
      if (ev.key === "Escape") ev.target.blur();
      if (ev.key === "Enter" && ev.target.id === "dispatch-search") {
        ev.target.blur();
        step(1);
      }
      return;
    }
    var key = ev.key;
    if (key === "j" || key === "ArrowDown") {
      ev.preventDefault();
      step(1);
    } else if (key === "k" || key === "ArrowUp") {
      ev.preventDefault();
      step(-1);
    } else if (HOTKEYS[key]) {
      if (key === "d" && st.multi.size > 1) {
        ev.preventDefault();
        openBulk();
      } else if (openAction(HOTKEYS[key])) {
        ev.preventDefault();
      }
    } else if (key === "/") {
      ev.preventDefault();
      var search = el("dispatch-search");
      if (search) search.focus();
    } else if (key >= "1" && key <= "9") {
      var tab = st.tabs[Number(key) - 1];
      if (tab) setTab(tab);
    } else if (key === "z") {
      locate();
    } else if (key === "m") {
      setMuted(!st.muted);
    } else if (key === "?") {
      showKeys();
    } else if (key === "Escape") {
      if (st.multi.size) clearMulti();
    }
  }

  function showKeys() {
    var old = el("dispatch-keys");
    if (old) {
      old.remove();
      return;
    }
    var box = h("div", "desk-keys");
    box.id = "dispatch-keys";
    box.append(h("b", null, s("dispatch.keys.title")));
    [
      ["J / K", "dispatch.keys.jk"], ["F", "dispatch.keys.f"], ["D", "dispatch.keys.d"], ["E", "dispatch.keys.e"],
      ["S", "dispatch.keys.s"], ["R", "dispatch.keys.r"], ["V", "dispatch.keys.v"], ["/", "dispatch.keys.search"],
      ["Z", "dispatch.keys.z"], ["1–9", "dispatch.keys.tabs"], ["Enter", "dispatch.keys.enter"], ["Esc", "dispatch.keys.esc"],
    ].forEach(function (pair) {
      var line = h("div", "desk-keys-row");
      line.append(h("kbd", null, pair[0]), h("span", null, s(pair[1])));
      box.append(line);
    });
    box.addEventListener("click", function () {
      box.remove();
    });
    document.body.append(box);
  }

  function wakeAudio() {
    // Browsers start audio only after a gesture: open the context on the first key or click.
    if (st.audio || st.muted) return;
    try {
      var Ctx = window.AudioContext || window.webkitAudioContext;
      if (Ctx) st.audio = new Ctx();
    } catch (_e) {
      st.audio = null;
    }
  }

  function setTab(tab) {
    st.tab = tab;
    document.querySelectorAll("#dispatch-tabs .desk-tab").forEach(function (b) {
      b.classList.toggle("is-active", b.getAttribute("data-tab") === tab);
    });
    refilter();
  }

  // ---------------------------------------------------------------- start

  function readConfig(root) {
    var cfg = {};
    try {
      cfg = JSON.parse(root.getAttribute("data-config") || "{}");
    } catch (_e) {
      cfg = {};
    }
    st.strings = cfg.i18n || {};
    st.me = cfg.me || st.me;
    st.commands = new Set(cfg.commands || []);
    st.sources = {};
    Object.keys(cfg.sources || {}).forEach(function (cmd) {
      st.sources[cmd] = new Set(cfg.sources[cmd]);
    });
    st.terminal = new Set(cfg.terminal || []);
    st.deptList = cfg.departments || [];
    st.deptList.forEach(function (d) {
      st.depts.set(d.code, d);
    });
    (cfg.streets || []).forEach(function (x) {
      st.streets.set(x.code, x.name);
    });
    st.tabs = cfg.tabs || Object.keys(TAB_TEST);
    st.tz = cfg.tz || st.tz;
    st.lang = cfg.lang || st.lang;
    st.fmt = new Intl.DateTimeFormat(st.lang === "en" ? "en-GB" : "zh-CN", {
      timeZone: st.tz,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      weekday: "short",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
    });
  }

  function wireChrome() {
    document.querySelectorAll("#dispatch-tabs .desk-tab").forEach(function (b) {
      b.addEventListener("click", function () {
        setTab(b.getAttribute("data-tab"));
      });
    });
    var search = el("dispatch-search");
    if (!search) {
      search = h("input", "desk-search");
      search.id = "dispatch-search";
      search.type = "search";
      search.autocomplete = "off";
      search.spellcheck = false;
      search.placeholder = s("dispatch.search");
      el("dispatch-search-box").append(search);
    }
    var timer = 0;
    search.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        st.search = search.value.trim();
        if (st.api) st.api.setGridOption("quickFilterText", st.search);
        scheduleRender();
      }, 120);
    });
    el("dispatch-street").addEventListener("change", function (ev) {
      st.street = ev.target.value;
      st.countsShown = {};
      refilter();
    });
    el("dispatch-mute").addEventListener("click", function () {
      setMuted(!st.muted);
    });
    el("dispatch-help").addEventListener("click", showKeys);
    document.addEventListener("keydown", onKey);
    document.addEventListener("pointerdown", wakeAudio, { once: true });
  }

  function attachGrid() {
    if (!window.dash_ag_grid || !window.dash_ag_grid.getApiAsync) {
      setTimeout(attachGrid, 100);
      return;
    }
    window.dash_ag_grid.getApiAsync(GRID_ID).then(function (gridApi) {
      st.api = gridApi;
      gridApi.setGridOption("rowData", st.haveSnapshot ? Array.from(st.cases.values()) : []);
      gridApi.setGridOption("overlayNoRowsTemplate", "<span class='dq-empty'>—</span>");
      gridApi.addEventListener("rowClicked", function (e) {
        if (!e.data) return;
        var ev = e.event || {};
        if (ev.shiftKey || ev.ctrlKey || ev.metaKey) toggleMulti(e.data.id);
        else select(e.data.id, { scroll: false });
      });
      gridApi.addEventListener("modelUpdated", scheduleRender);
      scheduleRender();
    });
  }

  function start() {
    var root = el(QUEUE_ROOT);
    if (!root || st.ready) return;
    st.ready = true;
    readConfig(root);
    var muted = false;
    try {
      muted = localStorage.getItem("gridcmd.dispatch.muted") === "1";
    } catch (_e) {
      muted = false;
    }
    setMuted(muted);
    wireChrome();
    buildPanel();
    renderBulk();
    attachGrid();
    api("GET", "/api/v1/catalog").then(function (res) {
      if (!res.ok || !res.body) return;
      st.catalog = res.body.conditions || [];
      st.catalog.forEach(function (c) {
        st.catalogByCode.set(c.code, c);
      });
    });
    startSocket();
    tick();
    st.timers.tick = setInterval(tick, 1000);
  }

  // Dash renders the layout after the assets load: wait for the desk's root to appear, then start once.
  function waitForRoot() {
    if (el(QUEUE_ROOT)) {
      start();
      return;
    }
    if (!document.body) {
      document.addEventListener("DOMContentLoaded", waitForRoot);
      return;
    }
    var obs = new MutationObserver(function () {
      if (el(QUEUE_ROOT)) {
        obs.disconnect();
        start();
      }
    });
    obs.observe(document.body, { childList: true, subtree: true });
  }
  // Only under /dispatch/: other views load this file too and must not pay for an observer.
  if (location.pathname.indexOf("/dispatch") === 0) waitForRoot();

  // Read-only handle for tests and the sync bench.
  window.gridcmdDispatch = Object.freeze({
    get state() {
      return st.conn;
    },
    get lastId() {
      return st.live ? st.live.lastId : null;
    },
    get _socket() {
      return st.live ? st.live.socket : null; // lets a test drop the connection
    },
    get primary() {
      return st.primary;
    },
    get tab() {
      return st.tab;
    },
    get beeps() {
      return st.beeps;
    },
    get cues() {
      return st.cues;
    },
    get dialog() {
      return st.dialog ? st.dialog.cmd : null;
    },
    get gridReady() {
      return !!st.api;
    },
    get catalogReady() {
      return st.catalog.length > 0;
    },
    row: function (id) {
      var r = st.cases.get(id);
      return r
        ? {
            id: r.id,
            code: r.code,
            state: r.state,
            version: r.version,
            level: r.level,
            tier: r.tier,
            street_code: r.street_code,
            supervision_count: r.supervision_count,
          }
        : null;
    },
    rows: function () {
      var out = [];
      st.cases.forEach(function (r) {
        out.push([r.id, r.state, r.version]);
      });
      return out.sort(function (a, b) {
        return a[0] - b[0];
      });
    },
    displayedIds: function () {
      var out = [];
      if (st.api) {
        st.api.forEachNodeAfterFilterAndSort(function (n) {
          if (n.data) out.push(n.data.id);
        });
      }
      return out;
    },
    isNew: function (id) {
      return st.fresh.has(id);
    },
    legal: function () {
      return legalCommands(currentRow());
    },
    select: function (id) {
      select(id);
    },
    setTab: setTab,
    proposePatrol: proposePatrol,
    multi: function () {
      return Array.from(st.multi);
    },
    patrol: function (id) {
      var p = st.patrols.get(id);
      return p ? [p.lon, p.lat, p.status] : null;
    },
    /** Page coordinates of a patrol dot on the map (for a test's mouse click). */
    screenPoint: function (id) {
      var p = st.patrols.get(id);
      if (!p || !st.map) return null;
      var q = st.map.latLngToContainerPoint([p.lat, p.lon]);
      var rect = st.map.getContainer().getBoundingClientRect();
      return [rect.left + q.x, rect.top + q.y];
    },
  });
})();
