/* GridCommand dispatch desk: patrol dots on the map (one canvas for thousands, from the live client's patrol
 * frames) and clicking one to propose it for the open case's dispatch.
 */
window.gridcmdDesk.part(function (D, st, _h, s) {
  "use strict";

  var HIT_PX = 9; // how near a click must fall to a dot
  var COLORS = { available: "#34c77b", busy: "#f5a524", offline: "#6b7380" };

  function colorOf(status) {
    return COLORS[status] || COLORS.offline;
  }

  function patrolMarker(p) {
    return L.circleMarker([p.lat, p.lon], {
      renderer: st.patrolRenderer,
      pane: "dq-patrols",
      radius: 4,
      weight: 1,
      color: "#0d1117",
      fillOpacity: 0.95,
      fillColor: colorOf(p.status),
      interactive: false,
    }).addTo(st.map);
  }

  function update(p, r) {
    if (p.lon !== r[1] || p.lat !== r[2]) {
      p.lon = r[1];
      p.lat = r[2];
      if (p.marker) p.marker.setLatLng([r[2], r[1]]);
    }
    if (p.status !== r[3]) {
      p.status = r[3];
      if (p.marker) p.marker.setStyle({ fillColor: colorOf(p.status) });
    }
  }

  /** Patrol rows [id, lon, lat, status]; `full` (a snapshot): patrols not listed are gone. */
  D.applyPatrolRows = function (rows, full) {
    var keep = full ? new Set() : null;
    for (var i = 0; i < rows.length; i++) {
      var r = rows[i];
      if (keep) keep.add(r[0]);
      var p = st.patrols.get(r[0]);
      if (p) {
        update(p, r);
        continue;
      }
      p = { lon: r[1], lat: r[2], status: r[3], marker: null };
      st.patrols.set(r[0], p);
      if (st.map) p.marker = patrolMarker(p);
    }
    if (!keep) return;
    st.patrols.forEach(function (q, id) {
      if (keep.has(id)) return;
      if (q.marker) q.marker.remove();
      st.patrols.delete(id);
    });
  };

  /** Every patrol's dot drawn anew (a new map). */
  D.redrawPatrols = function () {
    st.patrols.forEach(function (p) {
      if (p.marker) p.marker.remove();
      p.marker = patrolMarker(p);
    });
  };

  /** Patrol dots are canvas and not interactive: hit-test the click ourselves (well under 1 ms for 10k). */
  D.onMapClick = function (ev) {
    if (D.pickedOnMap(ev.latlng)) return; // the locate dialog asked for a point (48-dialog-locate.js)
    var pt = ev.containerPoint;
    var best = null;
    var bestD = HIT_PX * HIT_PX;
    st.patrols.forEach(function (p, id) {
      var q = st.map.latLngToContainerPoint([p.lat, p.lon]);
      var d = (q.x - pt.x) * (q.x - pt.x) + (q.y - pt.y) * (q.y - pt.y);
      if (d <= bestD) {
        bestD = d;
        best = id;
      }
    });
    if (best !== null) D.proposePatrol(best);
  };

  /** Metres between two points (haversine). */
  function metresBetween(lon1, lat1, lon2, lat2) {
    var rad = Math.PI / 180;
    var dlat = (lat2 - lat1) * rad;
    var dlon = (lon2 - lon1) * rad;
    var a = Math.sin(dlat / 2) * Math.sin(dlat / 2) +
      Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dlon / 2) * Math.sin(dlon / 2);
    return 6371008.8 * 2 * Math.atan2(Math.sqrt(a), Math.sqrt(1 - a));
  }

  /** Offer patrol `pid` for the open case: the dispatch dialog with it chosen, or a toast saying why not. */
  D.proposePatrol = function (pid) {
    var row = D.currentRow();
    if (!row) {
      D.toast(s("dispatch.map.pick_case"), "info");
      return;
    }
    if (D.legal(row).indexOf("dispatch") < 0) {
      var why = { code: row.code, state: D.config.stateLabel(st, row.state) };
      D.toast(s("dispatch.map.not_dispatchable", why), "warn");
      return;
    }
    var p = st.patrols.get(pid);
    var distance = p ? metresBetween(row.lon, row.lat, p.lon, p.lat) : null;
    D.openAction("dispatch", { patrol: pid, distance: distance });
  };
});
