/* GridCommand big screen: case markers, one DOM icon per held case, classed by level, deadline status and state
 * (14-format.js caseClass). The pane says how it stacks (14-format.js casePane): ordinary markers at the bottom
 * (hidden as a pane at district zoom, where 53-clusters.js draws count badges for them), then overdue markers in a
 * pane that blinks as a whole, A-level markers, A-level overdue markers (blinking), and street names above all.
 */
(function (ns, sc) {
  "use strict";

  var format = ns.screenFormat;
  var live = sc.live;
  var FRESH_MS = 3000; // arrival pulse (two rings, see the screen CSS)

  var CaseMarker = null;
  /**
   * An L.Marker placed with a 2D translate. Leaflet uses translate3d, which gives every one of 2,000 icons its
   * own compositing layer; the wall then spends its main thread re-committing those layers on every animation
   * frame of the ticker and the flashing pane.
   */
  function caseMarker(latlng, options) {
    if (!CaseMarker) {
      CaseMarker = L.Marker.extend({
        _setPos: function (pos) {
          this._icon._leaflet_pos = pos;
          this._icon.style.transform = "translate(" + pos.x + "px," + pos.y + "px)";
          this._zIndex = pos.y + this.options.zIndexOffset;
          this._resetZIndex();
        },
      });
    }
    return new CaseMarker(latlng, options);
  }
  sc.caseMarker = caseMarker; // the cluster badges (53-clusters.js) are placed the same way

  /** Draw held case `entry`; `fresh` (new to the wall) pulses for FRESH_MS. A report not located yet has no
   * point: it is counted (12-state.js `unplaced`) and drawn once it gets one. */
  sc.addMarker = function (entry, fresh) {
    var row = entry.row;
    if (!ns.screenState.placed(row)) return;
    var size = Math.round(26 * live.scale);
    entry.cls = format.caseClass(entry);
    entry.marker = caseMarker([row.lat, row.lon], {
      pane: format.casePane(entry),
      interactive: false,
      keyboard: false,
      icon: L.divIcon({ className: entry.cls, html: "", iconSize: [size, size] }),
    }).addTo(live.map);
    entry.el = entry.marker.getElement();
    entry.el.textContent = row.level || ""; // text: divIcon's `html` would be innerHTML, and levels come from imports
    entry.base = entry.el.className.replace(entry.cls, "").replace(/\s+/g, " ").trim();
    sc.clustersDirty();
    if (fresh) {
      entry.el.classList.add("fresh");
      var target = entry.el;
      setTimeout(function () {
        target.classList.remove("fresh");
      }, FRESH_MS);
    }
  };

  /** Rewrite a marker's class, letter and pane only when they changed. */
  sc.refreshMarker = function (entry) {
    var cls = format.caseClass(entry);
    if (cls === entry.cls || !entry.el) return;
    var fresh = entry.el.classList.contains("fresh");
    var pane = format.casePane(entry);
    if (entry.marker.options.pane !== pane) {
      // Overdue markers live in their own pane, which blinks as a whole (one composited layer, not N animations).
      entry.marker.options.pane = pane;
      live.map.getPane(pane).appendChild(entry.el);
    }
    entry.cls = cls;
    entry.el.className = entry.base + " " + cls + (fresh ? " fresh" : "");
    sc.clustersDirty(); // a badge's colour (or its members, when the case now stands alone) changed
    var letter = entry.row.level || "";
    if (entry.el.textContent !== letter) entry.el.textContent = letter;
  };

  /** A held case moved or changed: follow it on the map (a report just located gets its marker now). */
  sc.updateMarker = function (entry, moved) {
    if (!entry.marker) {
      sc.addMarker(entry, false);
      return;
    }
    if (moved) {
      entry.marker.setLatLng([entry.row.lat, entry.row.lon]);
      sc.clusterMoved(entry);
    }
    sc.refreshMarker(entry);
  };

  sc.dropMarker = function (entry) {
    if (entry.marker) entry.marker.remove();
    entry.marker = null;
    entry.el = null;
    sc.clustersDirty();
  };
})(window.gridcmd, window.gridcmd.screen);
