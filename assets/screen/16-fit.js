/* GridCommand big screen: the padding that keeps the district clear of the panels floating over the map (the
 * tiles across the top, the legend in the south-west corner), for Leaflet's fitBounds / flyToBounds. The overlays
 * are measured, so the padding follows the wall's size. `padding` is pure (tests/js/screen-fit.test.js); `options`
 * reads the page (window.gridcmd.screenFit).
 */
(function (root, factory) {
  "use strict";
  if (typeof module !== "undefined" && module.exports) module.exports = factory();
  else (root.gridcmd = root.gridcmd || {}).screenFit = factory();
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  var OVERLAYS = ".screen-stats, .screen-legend"; // floating over the map (layouts/screen.py)

  /**
   * Leaflet padding {paddingTopLeft: [l, t], paddingBottomRight: [r, b]} keeping `overlays` (page rectangles
   * {left, top, right, bottom}) off the part of the map `map` (a rectangle) the bounds are fitted into. Each
   * overlay pushes the view away from the map edge nearest to it, by the side that costs the least of the map
   * (a wide strip across the top pads the top, a corner box the side it is thinner along), plus `margin` px.
   */
  function padding(map, overlays, margin) {
    var m = margin === undefined ? 12 : margin;
    var pad = { l: m, t: m, r: m, b: m };
    var w = map.right - map.left;
    var h = map.bottom - map.top;
    (overlays || []).forEach(function (o) {
      if (o.right <= map.left || o.left >= map.right || o.bottom <= map.top || o.top >= map.bottom) return;
      var vertical = (o.top + o.bottom) / 2 < map.top + h / 2 ? ["t", o.bottom - map.top] : ["b", map.bottom - o.top];
      var horizontal = (o.left + o.right) / 2 < map.left + w / 2 ? ["l", o.right - map.left] : ["r", map.right - o.left];
      var pick = vertical[1] / h <= horizontal[1] / w ? vertical : horizontal;
      pad[pick[0]] = Math.max(pad[pick[0]], pick[1] + m);
    });
    return { paddingTopLeft: [pad.l, pad.t], paddingBottomRight: [pad.r, pad.b] };
  }

  /** The fit options for Leaflet map `map`, measured now, with `extra` (duration, maxZoom…) on top. */
  function options(map, extra) {
    var box = map.getContainer().getBoundingClientRect();
    var el = map.getContainer();
    var wrap = el.closest ? el.closest(".screen-map-wrap") || el.parentNode : el.parentNode;
    var nodes = wrap && wrap.querySelectorAll ? Array.prototype.slice.call(wrap.querySelectorAll(OVERLAYS)) : [];
    var rects = nodes
      .filter(function (n) {
        return n.offsetParent !== null;
      })
      .map(function (n) {
        return n.getBoundingClientRect();
      });
    return Object.assign(padding(box, rects), extra || {});
  }

  return { padding: padding, options: options, OVERLAYS: OVERLAYS };
});
