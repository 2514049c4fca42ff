/* GridCommand dispatch desk: the map (dash-leaflet's Map, layouts/dispatch.py _map) — one SVG marker per open case
 * in the queue, the open case's ring and lines to its suggested patrols, the grid polygons' style and tooltips, and
 * attaching to the map once dash-leaflet has drawn it. Patrol dots are 51-patrols.js.
 */
window.gridcmdDesk.part(function (D, st) {
  "use strict";

  var SUGGESTED = "#7fb2ff"; // the suggested patrols' lines and rings

  function markerClass(row, t) {
    return "dm-case case-" + row.id + " lvl-" + (row.level || "n").toLowerCase() + " st-" + row.state +
      (D.queue.isOverdue(row, t, st) ? " overdue" : "") + (st.multi.has(row.id) ? " is-multi" : "");
  }

  function onMarkerClick(m, ev) {
    // Picking a point for the locate dialog: a case marker under the cursor is where the dispatcher pointed, not a
    // case to open (markers stop the click reaching the map, so the pick would be lost).
    if (D.pickedOnMap(ev.latlng)) return;
    var o = ev.originalEvent;
    if (o && (o.shiftKey || o.ctrlKey || o.metaKey)) D.toggleMulti(m._dqId);
    else D.select(m._dqId);
  }

  /** Draw (or move and re-class) the marker of `row`; only a changed class touches the DOM. A report without a
   * location (待定位) has no marker until `locate` gives it a point. */
  D.drawMarker = function (row) {
    if (!st.map) return;
    if (!D.config.located(row)) {
      D.dropMarker(row.id);
      return;
    }
    var m = st.markers.get(row.id);
    var cls = markerClass(row, D.now());
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
        onMarkerClick(m, ev);
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
  };

  D.dropMarker = function (id) {
    var m = st.markers.get(id);
    if (m) m.remove();
    st.markers.delete(id);
  };

  function drawOpenCases() {
    st.cases.forEach(function (row) {
      if (row.state !== "closed") D.drawMarker(row);
    });
  }

  /** Deadlines pass without any delta: re-class the markers now and then. */
  D.refreshMarkers = drawOpenCases;

  /** The multi-selection changed: re-class the markers drawn. */
  D.syncMultiMarkers = function () {
    st.markers.forEach(function (_m, id) {
      var row = st.cases.get(id);
      if (row) D.drawMarker(row);
    });
  };

  /** Zoom the map in on the open case (street level), so nearby patrols can be told apart and clicked. */
  D.locate = function () {
    var row = D.currentRow();
    if (!row || !st.map || !D.config.located(row)) return;
    st.map.setView([row.lat, row.lon], Math.max(st.map.getZoom(), 15), { animate: false });
  };

  function drawSuggested(row, p, i) {
    L.polyline([[row.lat, row.lon], [p.lat, p.lon]], {
      pane: "dq-sel",
      color: SUGGESTED,
      weight: 1.5,
      dashArray: "4 4",
      interactive: false,
    }).addTo(st.overlay);
    L.circleMarker([p.lat, p.lon], { pane: "dq-sel", radius: 7, weight: 2, color: SUGGESTED, fill: false, interactive: false })
      // A node, not a string: Leaflet sets a string tooltip as innerHTML, and patrol ids come from feeds.
      .bindTooltip(window.gridcmdText.node("span", null, p.id + " · " + D.metres(p.distance_m)), {
        permanent: i === 0,
        direction: "right",
        className: "dm-tip",
        offset: [8, 0],
      })
      .addTo(st.overlay);
  }

  /** The open case's ring, lines to its suggested patrols; the map pans when the case is near its edge. */
  D.drawSelection = function () {
    if (!st.map || !st.overlay) return;
    st.overlay.clearLayers();
    var row = D.currentRow();
    if (!row || !D.config.located(row)) return;
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
      drawSuggested(row, p, i);
    });
    var bounds = st.map.getBounds();
    if (!bounds.pad(-0.1).contains([row.lat, row.lon])) st.map.panTo([row.lat, row.lon], { animate: false });
  };

  // ---------------------------------------------------------------- grid polygons (called by dash-leaflet)

  D.gridStyle = function (feature) {
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

  D.gridFeature = function (feature, layer) {
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
      D.renderPanelSoon();
    }, 200);
  };

  /** A street desk opens on its own street's grids. */
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

  /** The live layer group's "add" (layouts/dispatch.py): take the map, (re)draw every marker on it. */
  D.attach = function (e, ctx) {
    var map = (ctx && ctx.map) || (e && e.target && e.target._map);
    if (!map || !D.el(D.ROOT_ID)) return;
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
    drawOpenCases();
    D.redrawPatrols();
    map.on("click", D.onMapClick);
    D.drawSelection();
  };

  D.detach = function () {
    /* The desk has one map for the page's lifetime; markers are rebuilt on the next attach. */
  };
});
