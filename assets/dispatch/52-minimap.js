/* GridCommand dispatch desk: the case panel's mini-map — the open case's own grid framed, its neighbours around it,
 * the case as a dot in its level's colour. A still map (no dragging or zooming); the big map is for that.
 */
window.gridcmdDesk.part(function (D, st) {
  "use strict";

  var LEVEL_COLORS = { A: "#f0524f", B: "#f59a23", C: "#e8c22c" };
  var UNRATED = "#3fa7f5";
  var GRID = { color: "#5d7290", weight: 1, fillColor: "#222a35", fillOpacity: 0.6 };
  var OWN_GRID = { color: "#7fb2ff", weight: 2, fillColor: "#1f3550", fillOpacity: 0.8 };

  function createMap(node, row) {
    var map = L.map(node, {
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
    map.setView([row.lat, row.lon], 15);
    return map;
  }

  /** The grid polygons, once the big map's layer has delivered them (keyed by grid code). */
  function addGrids() {
    st.minimapGrids = L.geoJSON(
      { type: "FeatureCollection", features: Array.from(st.gridFeatures.values()) },
      {
        style: function () {
          return GRID;
        },
        interactive: false,
      }
    ).addTo(st.minimap);
    st.minimapByCode = new Map();
    st.minimapGrids.eachLayer(function (layer) {
      st.minimapByCode.set(layer.feature.properties.code, layer);
    });
  }

  function highlightGrid(code) {
    if (st.minimapGrid === code) return;
    var was = st.minimapByCode.get(st.minimapGrid);
    if (was) was.setStyle(GRID);
    var mine = st.minimapByCode.get(code);
    if (mine) mine.setStyle(OWN_GRID);
    st.minimapGrid = code;
  }

  function placeCase(row) {
    var fill = LEVEL_COLORS[row.level] || UNRATED;
    if (!st.minimapMarker) {
      st.minimapMarker = L.circleMarker([row.lat, row.lon], {
        radius: 6,
        weight: 2,
        color: "#ffffff",
        fillColor: fill,
        fillOpacity: 1,
      }).addTo(st.minimap);
    } else {
      st.minimapMarker.setLatLng([row.lat, row.lon]);
      st.minimapMarker.setStyle({ fillColor: fill });
    }
  }

  D.updateMinimap = function (row) {
    if (!D.pn.minimap || typeof L === "undefined") return;
    D.pn.minimap.hidden = !D.config.located(row); // a report without a location has nothing to frame yet
    if (D.pn.minimap.hidden) return;
    if (!st.minimap) st.minimap = createMap(D.pn.minimap, row);
    if (!st.minimapGrids && st.gridFeatures.size) addGrids();
    if (st.minimapGrids) highlightGrid(row.grid_code);
    placeCase(row);
    st.minimap.invalidateSize(false);
    // Frame the case's own grid: the dispatcher sees where in the grid it lies and what borders it.
    var own = st.minimapByCode ? st.minimapByCode.get(row.grid_code) : null;
    if (own) st.minimap.fitBounds(own.getBounds(), { padding: [18, 18], maxZoom: 17, animate: false });
    else st.minimap.setView([row.lat, row.lon], 15, { animate: false });
  };
});
