/* GridCommand leader pass: the pure geometry of the page's two small drawings (no DOM), shared with the Node tests
 * (tests/js/leader-charts.test.js).
 *
 *   C.spark(values, w, h, pad)        a sparkline of a trend in a w×h box: {segments: [[[x, y]…]…], last: [x, y] | null}
 *                                     (null values break the line; one value alone is a dot; a flat series sits mid-height)
 *   C.sparkText(values, fmt)          the trend as text for screen readers and titles: "97.3% → 98.0% → …"
 *   C.fit(bbox, w, h, pad)            a projector of lon/lat into a w×h canvas keeping the area's shape
 *                                     (x scaled by cos(latitude)): {x(lon), y(lat), scale}
 *   C.dotStatus(dot, nowMs, thr, sla) the SLA status of a map dot [id, lon, lat, deadlineMs, startMs, level]:
 *                                     "none" while no stage clock runs, else gridcmdSla.status (green|amber|red|over)
 *   C.nearest(dots, x, y, radius)     the index of the dot drawn nearest to (x, y) within `radius` px, or -1
 *                                     (dots: [{x, y}…] in canvas pixels; the last drawn wins a tie: it lies on top)
 *   C.tally(statuses)                 {over, red, amber, green, none} counts
 *   C.ORDER                           statuses in drawing order (the most urgent last, on top)
 *
 * Loaded as a plain script (global `gridcmdLeaderCharts`) and by `require` under Node.
 */
(function (root, factory) {
  "use strict";
  var api = factory();
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  else root.gridcmdLeaderCharts = api;
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  var ORDER = ["none", "green", "amber", "red", "over"];

  function isNumber(v) {
    return typeof v === "number" && isFinite(v);
  }

  function round1(v) {
    return Math.round(v * 10) / 10;
  }

  /** The trend's polyline segments inside a w×h box (pad px kept clear at top and bottom for the stroke). */
  function spark(values, w, h, pad) {
    var list = Array.isArray(values) ? values : [];
    var p = isNumber(pad) ? pad : 2;
    var nums = list.filter(isNumber);
    if (!nums.length) return { segments: [], last: null };
    var lo = Math.min.apply(null, nums);
    var hi = Math.max.apply(null, nums);
    var step = list.length > 1 ? w / (list.length - 1) : 0;
    var y = function (v) {
      if (hi === lo) return round1(h / 2);
      return round1(h - p - ((v - lo) / (hi - lo)) * (h - 2 * p));
    };
    var segments = [];
    var run = null;
    var last = null;
    list.forEach(function (v, i) {
      if (!isNumber(v)) {
        run = null;
        return;
      }
      var pt = [round1(list.length > 1 ? i * step : w / 2), y(v)];
      if (!run) {
        run = [];
        segments.push(run);
      }
      run.push(pt);
      if (i === list.length - 1) last = pt;
    });
    return { segments: segments, last: last };
  }

  /** "a → b → c" with `fmt(value)` for each point (fmt says "no data" for null). */
  function sparkText(values, fmt) {
    return (Array.isArray(values) ? values : []).map(fmt).join(" → ");
  }

  /** Project lon/lat into a w×h canvas with `pad` px of margin, the area's shape kept (equirectangular). */
  function fit(bbox, w, h, pad) {
    var p = isNumber(pad) ? pad : 8;
    var minLon = bbox[0];
    var minLat = bbox[1];
    var maxLon = bbox[2];
    var maxLat = bbox[3];
    var k = Math.cos((((minLat + maxLat) / 2) * Math.PI) / 180);
    var spanX = Math.max((maxLon - minLon) * k, 1e-9);
    var spanY = Math.max(maxLat - minLat, 1e-9);
    var scale = Math.min((w - 2 * p) / spanX, (h - 2 * p) / spanY);
    var offX = (w - spanX * scale) / 2;
    var offY = (h - spanY * scale) / 2;
    return {
      scale: scale,
      x: function (lon) {
        return offX + (lon - minLon) * k * scale;
      },
      y: function (lat) {
        return offY + (maxLat - lat) * scale;
      },
    };
  }

  /** A dot's SLA status at `nowMs` by the page's thresholds (`sla` is gridcmdSla): none while no clock runs. */
  function dotStatus(dot, nowMs, thresholds, sla) {
    var deadline = dot[3];
    if (!isNumber(deadline)) return "none";
    var start = isNumber(dot[4]) ? dot[4] : deadline;
    if (!sla.thresholds(thresholds)) return deadline < nowMs ? "over" : "none";
    return sla.status(deadline - nowMs, deadline - start, thresholds);
  }

  /** Index of the dot nearest (x, y) within `radius` px (the later one on a tie: it is drawn on top), or -1. */
  function nearest(dots, x, y, radius) {
    var best = -1;
    var bestD = radius * radius;
    for (var i = 0; i < dots.length; i++) {
      var dx = dots[i].x - x;
      var dy = dots[i].y - y;
      var d = dx * dx + dy * dy;
      if (d <= bestD) {
        bestD = d;
        best = i;
      }
    }
    return best;
  }

  function tally(statuses) {
    var out = { over: 0, red: 0, amber: 0, green: 0, none: 0 };
    statuses.forEach(function (s) {
      out[s] = (out[s] || 0) + 1;
    });
    return out;
  }

  return { ORDER: ORDER, spark: spark, sparkText: sparkText, fit: fit, dotStatus: dotStatus, nearest: nearest, tally: tally };
});
