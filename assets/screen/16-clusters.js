/* GridCommand big screen: case aggregation at district zoom — which held cases stand alone, and how the others
 * group into count badges. Pure (no DOM, no Leaflet): loaded as a plain script (window.gridcmd.screenClusters) and
 * by `require` under Node (tests/js/screen-clusters.test.js); the map layer is 53-clusters.js.
 *
 * A real district holds 500-2,000 open cases; drawn one icon each at district zoom they become a solid wall over the
 * urban streets, and an A-level case disappears among C-level ones. So below the page's `caseClusterBelowZoom`:
 *   - A-level cases and overdue cases always stand alone (their own markers, in panes above every other marker);
 *   - every other case is binned by a pixel grid of `cell` px (absolute pixel coordinates at the map's zoom, so
 *     panning does not regroup), then groups whose badges would touch are merged, largest first, until none do;
 *   - a group's badge shows its count, coloured by the worst SLA status inside (RANK), sized by the count.
 * The SLA status of each case is the one 10-deadlines.js computes from assets/shared/sla.js and the page's
 * thresholds; this file only ranks them.
 */
(function (root, factory) {
  "use strict";
  if (typeof module !== "undefined" && module.exports) module.exports = factory();
  else (root.gridcmd = root.gridcmd || {}).screenClusters = factory();
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  // Worse statuses rank higher; a group takes the worst of its members.
  var RANK = { none: 0, paused: 1, unknown: 2, green: 3, amber: 4, red: 5, over: 6 };
  var BASE_PX = 24; // badge diameter of one case, at scale 1 (16 px rem)
  var GROW_PX = 7; // more per decade of cases: 31 px for 10, 38 for 100, 45 for 1,000
  var GAP_PX = 4; // badges closer than this (edge to edge) merge

  /** A-level and overdue cases are always drawn on their own (and on top), never inside a badge. */
  function alone(entry) {
    return entry.row.level === "A" || entry.sla === "over";
  }

  /** A report waiting to be located (its row's lat/lon null: 待定位) is on no map, in no badge. */
  function placed(entry) {
    return entry.row.lat !== null && entry.row.lon !== null;
  }

  /** The worse of two SLA statuses. */
  function worse(a, b) {
    return (RANK[b] || 0) > (RANK[a] || 0) ? b : a;
  }

  /** Badge diameter in px for `n` cases at `scale`. */
  function size(n, scale) {
    return Math.round((BASE_PX + GROW_PX * Math.log10(Math.max(1, n))) * (scale || 1));
  }

  function bin(entries, project, cell) {
    var bins = new Map();
    entries.forEach(function (entry) {
      if (alone(entry) || !placed(entry)) return;
      var p = project(entry);
      var cx = Math.floor(p[0] / cell);
      var cy = Math.floor(p[1] / cell);
      var key = cx + ":" + cy;
      var b = bins.get(key);
      if (!b) {
        b = { key: key, cx: cx, cy: cy, n: 0, sx: 0, sy: 0, sla: "none", first: entry };
        bins.set(key, b);
      }
      b.n++;
      b.sx += p[0];
      b.sy += p[1];
      b.sla = worse(b.sla, entry.sla);
    });
    return bins;
  }

  function touching(g, b, scale) {
    var dx = g.sx / g.n - b.sx / b.n;
    var dy = g.sy / g.n - b.sy / b.n;
    var reach = (size(g.n, scale) + size(b.n, scale)) / 2 + GAP_PX * scale;
    return dx * dx + dy * dy < reach * reach;
  }

  function absorb(g, b) {
    g.n += b.n;
    g.sx += b.sx;
    g.sy += b.sy;
    g.sla = worse(g.sla, b.sla);
  }

  function largestFirst(a, b) {
    return b.n - a.n || (a.key < b.key ? -1 : 1);
  }

  /** One pass: each group, largest first, is merged into a placed group it touches, else placed. */
  function mergePass(groups, cell, scale) {
    groups.sort(largestFirst);
    var hash = new Map(); // "cx:cy" of a placed group's centroid -> the groups placed there
    var out = [];
    for (var i = 0; i < groups.length; i++) {
      var b = groups[i];
      var cx = Math.floor(b.sx / b.n / cell);
      var cy = Math.floor(b.sy / b.n / cell);
      var into = null;
      for (var dx = -1; dx <= 1 && !into; dx++) {
        for (var dy = -1; dy <= 1 && !into; dy++) {
          var near = hash.get(cx + dx + ":" + (cy + dy)) || [];
          for (var k = 0; k < near.length && !into; k++) if (touching(near[k], b, scale)) into = near[k];
        }
      }
      if (into) {
        absorb(into, b);
        continue;
      }
      var at = cx + ":" + cy;
      if (!hash.has(at)) hash.set(at, []);
      hash.get(at).push(b);
      out.push(b);
    }
    return out;
  }

  /**
   * Groups of the held cases that do not stand alone. `entries` has forEach (the Map of held cases);
   * `project(entry)` is its [x, y] in absolute pixels at the current zoom; `cell` the bin size in px (larger than
   * the biggest badge); `scale` the page's rem scale (badge sizes). Returns [{key, n, x, y, sla, one}] — `one` is
   * the entry when n is 1 — largest first, no two badges touching. A group keeps the key of its largest bin, so
   * keys are stable while the contents move little and the page updates its badges in place.
   */
  function aggregate(entries, project, cell, scale) {
    var groups = Array.from(bin(entries, project, cell).values());
    // Merging moves a group's centroid, which can make it touch another: repeat until a pass merges nothing.
    for (var pass = 0; pass < 32; pass++) {
      var before = groups.length;
      groups = mergePass(groups, cell, scale);
      if (groups.length === before) break;
    }
    return groups.map(function (g) {
      return { key: g.key, n: g.n, x: g.sx / g.n, y: g.sy / g.n, sla: g.sla, one: g.n === 1 ? g.first : null };
    });
  }

  return { RANK: RANK, alone: alone, worse: worse, size: size, aggregate: aggregate };
});
