/* GridCommand leader pass: start-up, fetching the summary, taps, the live client and waking from sleep.
 *
 * The first view is GET /api/v1/leader/summary only. The live client (assets/shared/live.js) then connects with
 * `since` = the summary's `live_since`, so the server replays what changed after it instead of sending a snapshot
 * of every open case; a case delta inside the scope shown refetches the summary (at most every 2 s). A phone
 * that sleeps and wakes refetches at once, and the live client replays exactly what it missed.
 */
(function (L) {
  "use strict";

  var M = window.gridcmdLeaderModel;
  var st = L.st;
  var s = L.s;
  var fetcher = null;
  var retry = null;

  function url() {
    var q = "?window=" + encodeURIComponent(st.window);
    if (st.scope) q += "&scope=" + encodeURIComponent(st.scope);
    return st.config.summaryUrl + q;
  }

  function failed(status) {
    var box = L.el("leader-status");
    box.className = "leader-status tone-bad";
    box.textContent = s("leader.load_failed", { status: status });
    clearTimeout(retry);
    retry = setTimeout(function () {
      fetcher.request();
    }, st.config.retryMs);
  }

  // The first view's summary is asked for as soon as this script runs, before Dash has fetched and rendered the
  // layout (which took 1.5–2.5 s of a phone's cold load): the page's first fetch takes this answer when it asks for
  // the same URL (the district or the leader's own street, today), as bench/leader_load.py measures.
  var EARLY_URL = "/api/v1/leader/summary?window=today";
  var early = location.pathname.indexOf("/leader") === 0 ? L.api("GET", EARLY_URL) : null;

  function fetchSummary(path) {
    var pre = early;
    early = null; // used once: every later fetch is fresh
    return pre && path === EARLY_URL ? pre : L.api("GET", path);
  }

  function load() {
    st.fetches += 1;
    var asked = st.scope;
    return fetchSummary(url()).then(
      function (res) {
        if (!res.ok) return failed(res.status);
        if (asked !== st.scope) return; // the leader drilled on meanwhile: the next fetch is on its way
        st.summary = res.body;
        st.scope = res.body.scope;
        L.renderAll();
        if (st.drawnAt === undefined) {
          // The first complete view (status, cards, rankings, needs): what bench/leader_load.py times.
          st.drawnAt = performance.now();
          if (performance.mark) performance.mark("leader-summary-drawn");
        }
        startLive(res.body.live_since);
      },
      function () {
        failed("network");
      }
    );
  }

  /** Fetch now (a tap), or throttled (a delta). */
  L.refresh = function (now) {
    if (now) fetcher.force();
    else fetcher.request();
  };

  function connLabel(state) {
    var el = L.el("leader-conn");
    el.className = "leader-conn is-" + state;
    el.textContent = s("leader.conn." + state);
  }

  function onCases(rows) {
    for (var i = 0; i < rows.length; i++) {
      if (M.inScope(rows[i], st.scope)) return L.refresh(false);
    }
  }

  function startLive(since) {
    if (st.client || !window.gridcmdLiveClient || !window.io) return;
    st.client = window.gridcmdLiveClient.connect({
      io: window.io,
      view: "leader",
      since: since || null,
      onSnapshot: function () {
        L.refresh(false); // a fresh picture (after a long sleep or a server restart): the figures may have moved
      },
      onCases: onCases,
      onState: connLabel,
    });
  }

  function wake() {
    if (document.visibilityState !== "visible") return;
    L.refresh(true);
    if (st.client && st.client.state !== "live") st.client.reconnect();
  }

  /** Drill into a child or back up the breadcrumb. */
  function go(code) {
    st.scope = code;
    st.flash = null;
    L.refresh(true);
    window.scrollTo(0, 0);
  }

  function onClick(e) {
    var t = e.target.closest ? e.target.closest("button") : null;
    if (!t || !L.el("leader-root").contains(t)) return;
    if (t.classList.contains("leader-toggle-btn")) {
      st.window = t.getAttribute("data-window");
      L.renderCards();
      L.renderStatus();
      L.refresh(true); // the rankings follow the window
    } else if (t.classList.contains("leader-tab")) {
      if (t.hasAttribute("data-by")) st.rankBy = t.getAttribute("data-by");
      if (t.hasAttribute("data-of")) st.rankOf = t.getAttribute("data-of");
      L.renderRank();
    } else if (t.classList.contains("leader-rank-row") || t.classList.contains("leader-crumb")) {
      go(t.getAttribute("data-code"));
    } else if (t.classList.contains("leader-act")) {
      L.openDialog(t.getAttribute("data-cmd"), Number(t.getAttribute("data-id")), t);
    }
  }

  function boot() {
    var root = L.el("leader-root");
    if (!root) return false;
    try {
      st.strings = JSON.parse(root.getAttribute("data-i18n") || "{}");
      st.config = JSON.parse(root.getAttribute("data-config") || "{}");
    } catch (_e) {
      st.strings = {};
      st.config = {};
    }
    st.window = (st.config.windows || ["today"])[0];
    fetcher = M.refetcher({ run: load, minMs: st.config.refetchMinMs || 2000 });
    root.addEventListener("click", onClick);
    document.addEventListener("visibilitychange", wake);
    window.addEventListener("pageshow", function (e) {
      if (e.persisted) wake();
    });
    setInterval(L.tick, 1000);
    fetcher.force();
    return true;
  }

  // Dash renders the layout after the scripts load: wait for the root to appear.
  (function wait() {
    if (!boot()) setTimeout(wait, 50);
  })();

  // Read-only handle for tests.
  window.gridcmdLeaderView = Object.freeze({
    fetches: function () {
      return st.fetches;
    },
    summary: function () {
      return st.summary;
    },
    get scope() {
      return st.scope;
    },
    get conn() {
      return st.client ? st.client.state : null;
    },
    idle: function () {
      return fetcher ? fetcher.idle() : false;
    },
    /** ms from navigation start to the first complete view, or null before it. */
    drawnAt: function () {
      return st.drawnAt === undefined ? null : st.drawnAt;
    },
    /** The map's dots as drawn ({id, x, y} in CSS px of the canvas), and how many times it was drawn. */
    mapDots: function () {
      return L.map.dots.map(function (d) {
        return { id: d.id, x: d.x, y: d.y };
      });
    },
    mapDraws: function () {
      return L.map.drawn;
    },
  });
})(window.gridcmdLeader);
