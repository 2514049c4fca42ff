/* GridCommand big screen: what the live client hands over, merged into the state (12-state.js) and drawn —
 * markers, alerts on the ticker, arrivals for the charts, patrols for the painter.
 */
(function (ns, sc) {
  "use strict";

  var state = ns.screenState;
  var alerts = ns.screenAlerts;
  var live = sc.live;

  function pushAlerts(list) {
    for (var i = 0; i < list.length; i++) live.ticker.push(list[i]);
  }

  // How merges show on the wall (12-state.js view hooks).
  var view = {
    hold: function (entry, fresh) {
      sc.addMarker(entry, fresh);
    },
    update: function (entry, moved) {
      sc.updateMarker(entry, moved);
    },
    drop: function (entry) {
      sc.dropMarker(entry);
    },
    arrival: function (row) {
      if (ns.screenPanels) ns.screenPanels.countArrival(row, live.dayStartMs);
    },
    alerts: function (old, row) {
      if (live.ticker) pushAlerts(alerts.fromChange(old, row));
    },
    uncounted: function (id) {
      if (ns.screenPanels) ns.screenPanels.noteUncounted(id);
    },
  };

  /** The case rows of one delta, as the live client hands them over (in stream order, deduplicated). */
  sc.applyCases = function (rows) {
    var t0 = performance.now();
    for (var i = 0; i < rows.length; i++) state.applyRow(live, rows[i], view);
    if (ns.screenPanels) ns.screenPanels.noteChange();
    sc.scheduleRender();
    sc.record(live.perf.deltas, performance.now() - t0);
  };

  sc.applySnapshot = function (snap) {
    state.applySnapshot(live, snap, view);
    live.grids.forEach(function (_g, code) {
      live.dirtyGrids.add(code);
    });
    if (live.ticker) pushAlerts(alerts.standing(snap.cases || []));
    sc.applyPatrolRows(snap.patrols || [], true);
    sc.scheduleRollover();
    sc.scheduleRender();
    sc.mark("snapshot");
    sc.maybeAllowCharts();
  };

  // ---------------------------------------------------------------- patrols (painted off the main thread)

  sc.applyPatrolRows = function (rows, full) {
    var t0 = performance.now();
    state.applyPatrols(live, rows, full);
    if (live.patrolLayer) live.patrolLayer.feed(rows, full);
    sc.scheduleRender();
    sc.record(live.perf.patrols, performance.now() - t0);
  };

  /** The painter starts empty (first mount, or re-created by dash-leaflet): hand it every patrol we hold. */
  sc.refeedPatrols = function () {
    live.patrolLayer.feed(state.patrolRows(live), true);
  };
})(window.gridcmd, window.gridcmd.screen);
