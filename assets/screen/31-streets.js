/* GridCommand big screen: street outlines and names on the map, names decluttered at each zoom: no name overlaps
 * another or a box drawn over the map (stats, legend, tour caption). The names' pane is above every case marker
 * and badge (55-mount.js). Drawn by the screen's mount once /api/v1/screen/meta arrived.
 */
(function () {
  "use strict";

  var ns = (window.gridcmd = window.gridcmd || {});
  var mapkit = (ns.screenMap = ns.screenMap || {});

  /**
   * Street outlines (own canvas pane, above the grids) and names (DOM labels); returns bounds per street.
   * `obstacles()` (optional) gives [x0, y0, x1, y1] boxes in map pixels that names must not overlap.
   */
  mapkit.drawStreets = function (map, collection, scale, obstacles) {
    var bounds = new Map();
    var all = null;
    var group = L.layerGroup();
    L.geoJSON(collection, {
      pane: "gc-streets",
      interactive: false,
      style: function () {
        return { color: "#8fe3ff", weight: 2.4 * scale, opacity: 0.85, fill: false, dashArray: null };
      },
      onEachFeature: function (feature, layer) {
        var b = layer.getBounds();
        bounds.set(feature.properties.code, b);
        all = all ? all.extend(b) : L.latLngBounds(b.getSouthWest(), b.getNorthEast());
      },
    }).addTo(group);
    var labels = [];
    collection.features.forEach(function (f) {
      var c = f.properties.center;
      var b = bounds.get(f.properties.code);
      var label = { at: L.latLng(c), span: null, w: 0, h: 0, size: b ? boundsArea(b) : 0 };
      labels.push(label);
      L.marker(c, {
        pane: "gc-labels",
        interactive: false,
        keyboard: false,
        icon: L.divIcon({ className: "street-label", html: "<span></span>", iconSize: null }),
      })
        .on("add", function (e) {
          // textContent, not html: names come from the database.
          label.span = e.target.getElement().firstChild;
          label.span.textContent = f.properties.name;
          label.w = label.h = 0; // measured again at the next declutter
        })
        .addTo(group);
    });
    // Larger streets keep their names first: in the dense town centre the small streets' names would pile up.
    labels.sort(function (a, b) {
      return b.size - a.size;
    });
    var declutter = function () {
      declutterLabels(map, labels, obstacles ? obstacles() : []);
    };
    group.addTo(map);
    map.on("zoomend viewreset resize", declutter);
    declutter();
    return { group: group, bounds: bounds, all: all, declutter: declutter };
  };

  function boundsArea(b) {
    return Math.abs((b.getNorth() - b.getSouth()) * (b.getEast() - b.getWest()));
  }

  /**
   * Hide every street name that would overlap a larger street's name, or one of `blocked` (boxes over the map), at
   * this zoom (names are read from 10 m).
   */
  function declutterLabels(map, labels, blocked) {
    var placed = blocked.slice();
    var gap = 4;
    labels.forEach(function (label) {
      if (!label.span) return;
      if (!label.w) {
        label.span.style.visibility = "";
        label.w = label.span.offsetWidth;
        label.h = label.span.offsetHeight;
      }
      var p = map.latLngToContainerPoint(label.at);
      var box = [p.x - label.w / 2 - gap, p.y - label.h / 2 - gap, p.x + label.w / 2 + gap, p.y + label.h / 2 + gap];
      var clash = placed.some(function (o) {
        return box[0] < o[2] && o[0] < box[2] && box[1] < o[3] && o[1] < box[3];
      });
      label.span.style.visibility = clash ? "hidden" : "";
      if (!clash) placed.push(box);
    });
  }
})();
