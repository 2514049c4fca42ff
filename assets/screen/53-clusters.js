/* GridCommand big screen: case markers aggregated at district zoom (the grouping is 16-clusters.js).
 *
 * Below the page's `caseClusterBelowZoom` the map container carries `gc-clustered`: the pane of ordinary markers
 * (gc-cases) is hidden as a whole (its icons stay in the DOM, so nothing is rebuilt when the zoom crosses the
 * threshold) and a few count badges in the gc-clusters pane stand for them. A-level and overdue markers have panes
 * of their own above the badges; street names are above every marker (55-mount.js sets the panes' z-index).
 *
 * Badges are recomputed at most once an animation frame and only when something that moves them changed: a case
 * held, dropped or moved, a status change in the per-second pass, a zoom. Each recompute is one pass over the held
 * cases (their pixel positions are cached per zoom) and writes only the badges whose text, class, size or place
 * changed; the DOM of a badge whose group survives is reused.
 */
(function (ns, sc) {
  "use strict";

  var clusters = ns.screenClusters;
  var format = ns.screenFormat;
  var live = sc.live;
  var CELL_PX = 64; // bin size at scale 1 (doubled on a 4K wall with its 32 px rem)
  var DEFAULT_BELOW_ZOOM = 13;

  var layer = { map: null, group: null, pool: new Map(), queued: false, on: null, zoom: null, stats: null };

  function belowZoom() {
    var z = live.config.caseClusterBelowZoom;
    return typeof z === "number" ? z : DEFAULT_BELOW_ZOOM;
  }

  /** Is the map at district zoom (aggregated)? */
  sc.clustered = function () {
    return !!layer.map && layer.map.getZoom() < belowZoom();
  };

  /** A case's absolute pixel position at `zoom`, cached on the entry until it moves or the zoom changes. */
  function projector(map, zoom) {
    return function (entry) {
      if (entry.pz !== zoom) {
        var p = map.project([entry.row.lat, entry.row.lon], zoom);
        entry.px = p.x;
        entry.py = p.y;
        entry.pz = zoom;
      }
      return [entry.px, entry.py];
    };
  }

  /** Something that moves the badges changed: recompute them once, at the next animation frame. */
  sc.clustersDirty = function () {
    if (layer.queued || !layer.map) return;
    layer.queued = true;
    requestAnimationFrame(draw);
  };

  /** A held case moved: its cached pixel position is stale. */
  sc.clusterMoved = function (entry) {
    entry.pz = null;
    sc.clustersDirty();
  };

  function setMode(on) {
    if (layer.on === on) return;
    layer.on = on;
    layer.map.getContainer().classList.toggle("gc-clustered", on);
  }

  function badge(g, zoom) {
    var latlng = layer.map.unproject([g.x, g.y], zoom);
    var d = clusters.size(g.n, live.scale);
    var b = layer.pool.get(g.key);
    if (!b) {
      b = { marker: null, el: null, base: "", cls: "", text: "", d: 0, x: NaN, y: NaN };
      b.marker = sc
        .caseMarker(latlng, {
          pane: "gc-clusters",
          interactive: false,
          keyboard: false,
          icon: L.divIcon({ className: "case-cluster", html: "", iconSize: [d, d] }),
        })
        .addTo(layer.group);
      b.el = b.marker.getElement();
      b.base = b.el.className.replace("case-cluster", "").replace(/\s+/g, " ").trim(); // Leaflet's own classes
      b.d = d;
      layer.pool.set(g.key, b);
    } else if (Math.abs(b.x - g.x) > 0.5 || Math.abs(b.y - g.y) > 0.5) {
      b.marker.setLatLng(latlng);
    }
    b.x = g.x;
    b.y = g.y;
    write(b, g, d);
  }

  function write(b, g, d) {
    var level = g.one ? (g.one.row.level || "n").toLowerCase() : "";
    var cls = "case-cluster sla-" + g.sla + (g.one ? " is-one lvl-" + level : "");
    var text = g.one ? g.one.row.level || "" : format.num(g.n);
    if (b.cls !== cls) b.el.className = b.base + " " + (b.cls = cls);
    if (b.text !== text) b.el.textContent = b.text = text; // text, not html: levels come from imports
    if (b.d !== d) {
      var s = b.el.style;
      s.width = s.height = d + "px";
      s.marginLeft = s.marginTop = -d / 2 + "px";
      b.d = d;
    }
  }

  function clear() {
    layer.pool.forEach(function (b) {
      b.marker.remove();
    });
    layer.pool.clear();
  }

  function draw() {
    layer.queued = false;
    if (!layer.map) return;
    var t0 = performance.now();
    var on = sc.clustered();
    setMode(on);
    var zoom = layer.map.getZoom();
    if (zoom !== layer.zoom) {
      clear(); // bins are pixel cells of one zoom: a new zoom makes new groups
      layer.zoom = zoom;
    }
    if (!on) {
      clear();
      layer.stats = { groups: 0, cases: 0, ms: performance.now() - t0 };
      return;
    }
    var cell = CELL_PX * live.scale;
    var groups = clusters.aggregate(live.cases, projector(layer.map, zoom), cell, live.scale);
    var seen = new Set();
    var cases = 0;
    for (var i = 0; i < groups.length; i++) {
      seen.add(groups[i].key);
      cases += groups[i].n;
      badge(groups[i], zoom);
    }
    layer.pool.forEach(function (b, key) {
      if (!seen.has(key)) {
        b.marker.remove();
        layer.pool.delete(key);
      }
    });
    layer.stats = { groups: groups.length, cases: cases, ms: performance.now() - t0 };
  }

  /** Mount on `map` (55-mount.js, after the panes exist); idempotent per map. */
  sc.mountClusters = function (map) {
    if (layer.map === map) return;
    sc.unmountClusters();
    layer.map = map;
    layer.group = L.layerGroup().addTo(map);
    map.on("zoomend viewreset", sc.clustersDirty);
    sc.clustersDirty();
  };

  sc.unmountClusters = function () {
    if (!layer.map) return;
    layer.map.off("zoomend viewreset", sc.clustersDirty);
    layer.map.getContainer().classList.remove("gc-clustered");
    clear();
    layer.group.remove();
    layer.map = layer.group = null;
    layer.on = layer.zoom = null;
    layer.queued = false;
  };

  /** {on, groups, cases, ms} of the last recompute (the test handle and the bench read it). */
  sc.clusterStats = function () {
    return Object.assign({ on: !!layer.on }, layer.stats || { groups: 0, cases: 0, ms: 0 });
  };
})(window.gridcmd, window.gridcmd.screen);
