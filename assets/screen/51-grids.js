/* GridCommand big screen: the grid polygons' fill, by open cases per 1,000 residents. dash-leaflet calls
 * gridcmd.gridStyle and gridcmd.gridFeature for each polygon (layouts/screen.py); live counts restyle only the
 * grids whose band changed.
 */
(function (ns, sc) {
  "use strict";

  var format = ns.screenFormat;
  var live = sc.live;

  // Band steps (open cases per 1,000 residents); the page's data-config `loadSteps` or the layer's hideout.
  sc.gridSteps = [0.5, 1, 2, 4];

  /** Style of a grid polygon: fill by open cases per 1,000 residents (live counts once a snapshot is in). */
  ns.gridStyle = function (feature, ctx) {
    if (ctx && ctx.hideout && ctx.hideout.steps) sc.gridSteps = ctx.hideout.steps;
    var p = feature.properties;
    var open = live.haveSnapshot ? live.gridOpen.get(p.code) || 0 : p.load || 0;
    return {
      color: "#3d8fd6",
      weight: 0.8,
      opacity: 0.5,
      fillColor: format.loadColor(open, p.population, sc.gridSteps),
      fillOpacity: 1,
    };
  };

  /** Remember each grid's layer, name and population, so live load restyles just the grids that changed. */
  ns.gridFeature = function (feature, layer) {
    var p = feature.properties;
    // The style function ran just before this: remember its fill, so the snapshot restyles only loaded grids.
    var fill = layer.options.fillColor || "";
    live.grids.set(p.code, { layer: layer, name: p.name, street: p.street_code, pop: p.population, fill: fill });
    sc.mark("gridsLoaded");
    sc.scheduleRender();
    if (!live.namesQueued) {
      // Once all grids are in (this runs once per feature, synchronously): redraw texts that show grid names.
      live.namesQueued = true;
      setTimeout(function () {
        live.namesQueued = false;
        sc.mark("gridsDone");
        sc.fitDistrict();
        sc.maybeAllowCharts();
        live.boardDirty = true;
        if (live.ticker) live.ticker.build();
      }, 0);
    }
  };

  /**
   * Fit the district with room for the tiles and the legend floating over the map (16-fit.js): dash-leaflet's
   * zoomToBounds fits the bare map, with the north under the tiles and the south-west under the legend.
   */
  sc.fitDistrict = function () {
    if (!live.map || !live.grids.size || !ns.screenFit || !window.L || live.fitSettled) return;
    var bounds = window.L.latLngBounds([]);
    live.grids.forEach(function (g) {
      if (g.layer.getBounds) bounds.extend(g.layer.getBounds());
    });
    if (!bounds.isValid()) return;
    live.fitting = true; // our own move: not a touch or the tour (keepFitted)
    try {
      live.map.invalidateSize({ animate: false });
      live.map.fitBounds(bounds, ns.screenFit.options(live.map, { animate: false }));
    } finally {
      live.fitting = false;
    }
    keepFitted(live.map);
  };

  var SETTLE_MS = 120000; // the wall's layout has settled long before this (fonts, figures, charts)

  /**
   * Keep the district fitted while the wall settles, until someone or the tour moves the map: the tiles widen as
   * their figures arrive and the panels take their final size after the first fit, and a fit measured before that
   * left the district's north under the tiles and its south-west under the legend on a 4K wall.
   */
  function keepFitted(map) {
    if (live.fitWatch || typeof ResizeObserver !== "function") return;
    var timer = 0;
    var watch = new ResizeObserver(function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        if (live.map === map && live.fitWatch === watch) sc.fitDistrict();
      }, 150);
    });
    live.fitWatch = watch;
    var stop = function () {
      if (live.fitting || live.fitWatch !== watch) return;
      watch.disconnect();
      clearTimeout(timer);
      live.fitWatch = null;
      live.fitSettled = true; // moved on: later resizes are the viewer's or the tour's business
      map.off("movestart", stop);
    };
    watch.observe(map.getContainer());
    var wrap = map.getContainer().parentNode;
    if (wrap && wrap.querySelectorAll) {
      Array.prototype.forEach.call(wrap.querySelectorAll(ns.screenFit.OVERLAYS), function (n) {
        watch.observe(n);
      });
    }
    map.on("movestart", stop);
    setTimeout(function () {
      live.fitting = false;
      stop();
    }, SETTLE_MS);
  }

  /** Repaint grid `code` when its band changed (codes of grids not drawn are ignored). */
  sc.restyleGrid = function (code) {
    var g = live.grids.get(code);
    if (!g) return;
    var fill = format.loadColor(live.gridOpen.get(code) || 0, g.pop, sc.gridSteps);
    if (g.fill === fill) return;
    g.fill = fill;
    g.layer.setStyle({ fillColor: fill });
  };
})(window.gridcmd, window.gridcmd.screen);
