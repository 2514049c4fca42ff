/* GridCommand dispatch desk: starting. Dash renders the layout after the assets load: wait for #dispatch-root,
 * then read its data-config, wire the chrome (tabs, search, street, mute, help, keys), build the panel, attach the
 * grid, load the catalog, connect and tick — once. Last, the read-only handle tests and the sync bench use.
 */
window.gridcmdDesk.part(function (D, st, h, s) {
  "use strict";

  var SEARCH_DELAY_MS = 120;

  function readConfig(root) {
    var model = D.config.read(root.getAttribute("data-config"));
    model.tabs = model.tabs || D.queue.TAB_NAMES.slice();
    Object.assign(st, model);
    st.clock = window.gridcmdFormat.clock(st.lang, st.tz);
  }

  /** The quick-search box (JS-owned: an uncontrolled input, no Dash prop traffic), filtering as one types. */
  function wireSearch() {
    var search = D.el("dispatch-search");
    if (!search) {
      search = h("input", "desk-search");
      search.id = "dispatch-search";
      search.type = "search";
      search.autocomplete = "off";
      search.spellcheck = false;
      search.placeholder = s("dispatch.search");
      D.el("dispatch-search-box").append(search);
    }
    var timer = 0;
    search.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        st.search = search.value.trim();
        if (st.api) st.api.setGridOption("quickFilterText", st.search);
        D.scheduleRender();
      }, SEARCH_DELAY_MS);
    });
  }

  function wireChrome() {
    document.querySelectorAll("#dispatch-tabs .desk-tab").forEach(function (b) {
      b.addEventListener("click", function () {
        D.setTab(b.getAttribute("data-tab"));
      });
    });
    wireSearch();
    D.el("dispatch-street").addEventListener("change", function (ev) {
      st.street = ev.target.value;
      st.countsShown = {};
      D.refilter();
    });
    D.el("dispatch-mute").addEventListener("click", function () {
      D.setMuted(!st.muted);
    });
    D.el("dispatch-help").addEventListener("click", D.showKeys);
    D.el("dispatch-map-toggle").addEventListener("click", function () {
      D.setMapFolded(!st.mapFolded, true);
    });
    document.addEventListener("keydown", D.onKey);
    document.addEventListener("pointerdown", D.wakeAudio, { once: true });
  }

  function loadCatalog() {
    D.api("GET", "/api/v1/catalog").then(function (res) {
      if (!res.ok || !res.body) return;
      st.catalog = res.body.conditions || [];
      st.catalog.forEach(function (c) {
        st.catalogByCode.set(c.code, c);
      });
    });
  }

  function start() {
    var root = D.el(D.ROOT_ID);
    if (!root || st.ready) return;
    st.ready = true;
    readConfig(root);
    D.setMuted(D.storedMuted());
    D.setMapFolded(D.initialMapFolded(), false);
    wireChrome();
    D.buildPanel();
    D.renderBulk();
    D.attachGrid();
    loadCatalog();
    D.startLive();
    D.tick();
    st.timers.tick = setInterval(D.tick, 1000);
  }

  function waitForRoot() {
    if (D.el(D.ROOT_ID)) {
      start();
      return;
    }
    if (!document.body) {
      document.addEventListener("DOMContentLoaded", waitForRoot);
      return;
    }
    var obs = new MutationObserver(function () {
      if (D.el(D.ROOT_ID)) {
        obs.disconnect();
        start();
      }
    });
    obs.observe(document.body, { childList: true, subtree: true });
  }
  // Only under /dispatch/ (the desk's assets load on its page alone; the check keeps an observer off elsewhere).
  if (location.pathname.indexOf("/dispatch") === 0) waitForRoot();

  function rowSummary(r) {
    return {
      id: r.id,
      code: r.code,
      state: r.state,
      version: r.version,
      level: r.level,
      tier: r.tier,
      street_code: r.street_code,
      supervision_count: r.supervision_count,
      instruction_count: r.instruction_count,
    };
  }

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
    get mapFolded() {
      return !!st.mapFolded;
    },
    get gridReady() {
      return !!st.api;
    },
    get catalogReady() {
      return st.catalog.length > 0;
    },
    row: function (id) {
      var r = st.cases.get(id);
      return r ? rowSummary(r) : null;
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
      return D.legal(D.currentRow());
    },
    select: function (id) {
      D.select(id);
    },
    setTab: D.setTab,
    proposePatrol: D.proposePatrol,
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
});
