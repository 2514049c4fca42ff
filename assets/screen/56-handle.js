/* GridCommand big screen: window.gridcmdLive, the read-only handle tests and benches read the wall through. */
(function (ns, sc) {
  "use strict";

  var format = ns.screenFormat;
  var live = sc.live;

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
    /** The page rectangle {left, top, right, bottom} of every grid's bounds as drawn now (null before the map). */
    districtBox: function () {
      var map = live.map;
      if (!map || !live.grids.size) return null;
      var box = map.getContainer().getBoundingClientRect();
      var r = { left: Infinity, top: Infinity, right: -Infinity, bottom: -Infinity };
      live.grids.forEach(function (g) {
        var b = g.layer.getBounds();
        var nw = map.latLngToContainerPoint(b.getNorthWest());
        var se = map.latLngToContainerPoint(b.getSouthEast());
        r.left = Math.min(r.left, box.left + nw.x);
        r.top = Math.min(r.top, box.top + nw.y);
        r.right = Math.max(r.right, box.left + se.x);
        r.bottom = Math.max(r.bottom, box.top + se.y);
      });
      return r;
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
    tickerTexts: function () {
      return live.ticker ? live.ticker.texts() : [];
    },
    pressure: sc.pressure,
    /** {on, groups, cases, ms}: district zoom aggregates ordinary cases into badges (53-clusters.js). */
    clusters: sc.clusterStats,
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
      var sum = format.summary;
      return { patrols: sum(p.patrols), deltas: sum(p.deltas), ticks: sum(p.ticks), draws: sum(p.draws) };
    },
  });
})(window.gridcmd, window.gridcmd.screen);
