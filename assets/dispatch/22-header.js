/* GridCommand dispatch desk: the chrome around the queue — tab counts and the total, switching tabs, the connection
 * light, the clock and the 1 Hz tick, the sound cue for A-level cases and muting it.
 */
window.gridcmdDesk.part(function (D, st, _h, s) {
  "use strict";

  var CONN_KEYS = {
    live: "dispatch.conn.live",
    reconnecting: "dispatch.conn.reconnecting",
    offline: "dispatch.conn.offline",
  };
  var MAP_KEY = "gridcmd.dispatch.mapFolded";
  var MUTED_KEY = "gridcmd.dispatch.muted";

  D.scheduleRender = function () {
    if (st.renderQueued) return;
    st.renderQueued = true;
    requestAnimationFrame(render);
  };

  /** Tab counts (only the changed ones touch the DOM), the shown/open total, the bulk bar. */
  function render() {
    st.renderQueued = false;
    var got = D.queue.counts(st.cases, st.tabs, st.street, D.now(), st);
    st.tabs.forEach(function (k) {
      var n = got.counts[k];
      if (st.countsShown[k] === n) return;
      st.countsShown[k] = n;
      var node = D.el("dispatch-count-" + k);
      if (node) {
        node.textContent = String(n);
        node.parentNode.classList.toggle("has-items", n > 0);
      }
    });
    var total = D.el("dispatch-total");
    if (total && st.api) {
      total.textContent = s("dispatch.total", { shown: st.api.getDisplayedRowCount(), open: got.open });
    }
    D.renderBulk();
  }

  D.setTab = function (tab) {
    st.tab = tab;
    document.querySelectorAll("#dispatch-tabs .desk-tab").forEach(function (b) {
      b.classList.toggle("is-active", b.getAttribute("data-tab") === tab);
    });
    D.refilter();
  };

  /** The connection light: connecting | live | reconnecting | offline (the live client's states). */
  D.setConn = function (state) {
    st.conn = state;
    var node = D.el("dispatch-conn");
    if (!node) return;
    node.className = "desk-conn is-" + state;
    var label = node.querySelector(".lbl");
    if (label) label.textContent = s(CONN_KEYS[state] || "dispatch.conn.connecting");
  };

  function forgetOld(map, ms) {
    var expired = [];
    map.forEach(function (at, id) {
      if (Date.now() - at > ms) expired.push(id);
    });
    expired.forEach(function (id) {
      map.delete(id);
    });
    return expired;
  }

  /** One 1 Hz tick: clock, visible countdowns, the panel's countdown, highlight expiry, the 超时 tab. */
  D.tick = function () {
    var t = D.now();
    var clock = D.el("dispatch-clock");
    if (clock && st.clock) clock.textContent = st.clock.stamp(t);
    // Rendered rows only: the countdowns, and the 督办 cells (a reply deadline passes without any delta).
    if (st.api) st.api.refreshCells({ columns: ["deadline", "supervision_count"], force: true });
    D.renderPanelDue(t);
    var expired = forgetOld(st.fresh, D.NEW_MS);
    if (expired.length) D.redraw(expired);
    forgetOld(st.own, D.OWN_MS);
    if (t % 5000 < 1000) {
      // Cases cross their deadline without any delta: the 超时 tab and the counts follow every 5 s.
      if (st.tab === "overdue") D.refilter();
      else D.scheduleRender();
      D.refreshMarkers();
    }
  };

  function audioContext() {
    var Ctx = window.AudioContext || window.webkitAudioContext;
    return Ctx ? new Ctx() : null;
  }

  function beep(ctx, offset) {
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
  }

  /** The cue for a new (or newly) A-level case: two short high tones, distinct from a phone ring. */
  D.cue = function () {
    st.cues++;
    if (st.muted) return;
    try {
      if (!st.audio) {
        st.audio = audioContext();
        if (!st.audio) return;
      }
      var ctx = st.audio;
      if (ctx.state === "suspended") ctx.resume();
      beep(ctx, 0);
      beep(ctx, 0.22);
      st.beeps++;
    } catch (_e) {
      /* no audio device: the highlight still shows */
    }
  };

  /** Browsers start audio only after a gesture: open the context on the first key or click. */
  D.wakeAudio = function () {
    if (st.audio || st.muted) return;
    try {
      st.audio = audioContext();
    } catch (_e) {
      st.audio = null;
    }
  };

  D.setMuted = function (muted) {
    st.muted = muted;
    try {
      localStorage.setItem(MUTED_KEY, muted ? "1" : "0");
    } catch (_e) {
      /* private mode */
    }
    var btn = D.el("dispatch-mute");
    if (btn) {
      btn.textContent = s(muted ? "dispatch.sound.off" : "dispatch.sound.on");
      btn.classList.toggle("is-muted", muted);
    }
  };

  /** Fold the map away (the queue and the panel take its room) or bring it back; remembered in this browser. */
  D.setMapFolded = function (folded, remember) {
    st.mapFolded = folded;
    if (remember) {
      try {
        localStorage.setItem(MAP_KEY, folded ? "1" : "0");
      } catch (_e) {
        /* private mode */
      }
    }
    var root = D.el(D.ROOT_ID);
    if (root) root.classList.toggle("is-map-folded", folded);
    var btn = D.el("dispatch-map-toggle");
    if (btn) {
      btn.textContent = s(folded ? "dispatch.map.show" : "dispatch.map.hide");
      btn.setAttribute("aria-pressed", folded ? "true" : "false");
    }
    // Leaflet measured a hidden container as 0×0: measure again once it is shown.
    if (!folded && st.map) setTimeout(function () { st.map.invalidateSize(); }, 0);
  };

  /** Whether the map starts folded: the dispatcher's saved choice, else by the window's width (15-cells.js). */
  D.initialMapFolded = function () {
    var saved = null;
    try {
      saved = localStorage.getItem(MAP_KEY);
    } catch (_e) {
      /* private mode */
    }
    return D.cells.mapFolded(window.innerWidth, saved);
  };

  D.storedMuted = function () {
    try {
      return localStorage.getItem(MUTED_KEY) === "1";
    } catch (_e) {
      return false;
    }
  };
});
