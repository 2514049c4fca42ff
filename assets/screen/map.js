/* GridCommand big screen: map helpers — the patrol layer (painted off the main thread), street outlines and
 * names, and the auto-tour. Loaded on every Dash page (Dash injects all of assets/); nothing here runs until the
 * screen's core (gridcmd-screen.js) calls it from attach().
 */
(function () {
  "use strict";

  var ns = (window.gridcmd = window.gridcmd || {});
  var mapkit = (ns.screenMap = {});

  // ---------------------------------------------------------------- patrol layer

  /**
   * A Leaflet layer whose canvas is painted by layouts/screen_worker.js. Built on L.Renderer for its container
   * handling: during zoom and fly animations Leaflet only transforms the canvas with CSS, and after each move it
   * calls _update, where we tell the painter the new view. The page never touches a patrol on the canvas: it
   * forwards each frame's rows (only the patrols that moved) and the painter redraws once per animation frame.
   */
  mapkit.patrolLayer = function (opts) {
    var PatrolLayer = L.Renderer.extend({
      options: { padding: 0.1, pane: "gc-patrols" },

      _initContainer: function () {
        var canvas = (this._container = document.createElement("canvas"));
        canvas.className = "gc-patrol-canvas";
        this._stats = { draws: 0, lastMs: 0, mode: "", shown: 0 };
        this._startPainter(canvas);
      },

      _startPainter: function (canvas) {
        var self = this;
        var init = { t: "init", dpr: window.devicePixelRatio || 1, scale: opts.scale, clusterBelowZoom: opts.clusterBelowZoom };
        var onDrawn = function (m) {
          if (m && m.t === "drawn") {
            self._stats.draws++;
            self._stats.lastMs = m.ms;
            self._stats.mode = m.mode;
            self._stats.shown = m.shown;
            if (opts.onDrawn) opts.onDrawn(m);
          }
        };
        if (typeof canvas.transferControlToOffscreen === "function" && typeof Worker === "function") {
          try {
            var worker = new Worker(opts.workerUrl);
            worker.onmessage = function (e) {
              onDrawn(e.data);
            };
            var off = canvas.transferControlToOffscreen();
            init.canvas = off;
            worker.postMessage(init, [off]);
            this._worker = worker;
            this._post = function (msg) {
              worker.postMessage(msg);
            };
            this._stats.where = "worker";
            return;
          } catch (_e) {
            // fall through to the main-thread painter
          }
        }
        // No OffscreenCanvas: the same painter on the main thread, loaded from the worker script.
        var queue = [];
        this._post = function (msg) {
          queue.push(msg);
        };
        this._stats.where = "main";
        var script = document.createElement("script");
        script.src = opts.workerUrl;
        script.onload = function () {
          var painter = new window.GridcmdPatrolPainter(onDrawn);
          init.canvas = canvas;
          painter.handle(init);
          self._post = function (msg) {
            painter.handle(msg);
          };
          queue.forEach(self._post);
          queue = null;
        };
        document.head.appendChild(script);
      },

      _destroyContainer: function () {
        if (this._worker) this._worker.terminate();
        this._worker = null;
        L.DomUtil.remove(this._container);
        delete this._container;
      },

      onRemove: function () {
        this._destroyContainer();
        this.off("update", this._updatePaths, this);
      },

      _updatePaths: function () {},

      _update: function () {
        if (this._map._animatingZoom && this._bounds) return;
        L.Renderer.prototype._update.call(this);
        var b = this._bounds;
        var size = b.getSize();
        L.DomUtil.setPosition(this._container, b.min);
        this._container.style.width = size.x + "px";
        this._container.style.height = size.y + "px";
        var origin = this._map.getPixelOrigin().add(b.min);
        this._post({ t: "view", w: size.x, h: size.y, ox: origin.x, oy: origin.y, z: this._map.getZoom() });
      },

      /** Forward a frame of patrol rows; `full` replaces everything the painter holds (a snapshot). */
      feed: function (rows, full) {
        if (this._post) this._post({ t: "rows", rows: rows, full: !!full });
      },

      stats: function () {
        return this._stats;
      },
    });
    return new PatrolLayer();
  };

  // ---------------------------------------------------------------- streets

  /** Street outlines (own canvas pane, above the grids) and names (DOM labels); returns bounds per street. */
  mapkit.drawStreets = function (map, collection, scale) {
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
      declutterLabels(map, labels);
    };
    group.addTo(map);
    map.on("zoomend viewreset resize", declutter);
    declutter();
    return { group: group, bounds: bounds, all: all, declutter: declutter };
  };

  function boundsArea(b) {
    return Math.abs((b.getNorth() - b.getSouth()) * (b.getEast() - b.getWest()));
  }

  /** Hide every street name that would overlap a larger street's name at this zoom (names are read from 10 m). */
  function declutterLabels(map, labels) {
    var placed = [];
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

  // ---------------------------------------------------------------- auto-tour

  /**
   * When nobody has touched the map for `idleS`, alternate every `stepS` between the whole district and the street
   * under the most pressure (rotating through the top three), flying slowly. Any touch stops it until idle again.
   */
  mapkit.Tour = function (map, opts) {
    this.map = map;
    this.opts = opts;
    this.lastTouch = Date.now();
    this.step = 0;
    this.timer = 0;
    this.caption = document.getElementById(opts.captionId);
    var self = this;
    this.onTouch = function () {
      self.lastTouch = Date.now();
      self.show("");
    };
    var el = map.getContainer();
    ["pointerdown", "wheel", "keydown", "touchstart"].forEach(function (type) {
      el.addEventListener(type, self.onTouch, { passive: true });
    });
  };

  mapkit.Tour.prototype.start = function () {
    var self = this;
    if (this.timer) return;
    this.timer = setInterval(function () {
      self.next();
    }, this.opts.stepS * 1000);
  };

  mapkit.Tour.prototype.stop = function () {
    clearInterval(this.timer);
    this.timer = 0;
    var el = this.map.getContainer();
    var self = this;
    ["pointerdown", "wheel", "keydown", "touchstart"].forEach(function (type) {
      el.removeEventListener(type, self.onTouch);
    });
  };

  mapkit.Tour.prototype.show = function (text) {
    if (!this.caption) return;
    if (this.caption.textContent !== text) this.caption.textContent = text;
    this.caption.classList.toggle("is-on", !!text);
  };

  mapkit.Tour.prototype.next = function () {
    if (Date.now() - this.lastTouch < this.opts.idleS * 1000) return;
    var streets = this.opts.streets();
    if (!streets || !streets.all) return;
    var s = this.opts.strings;
    var focus = this.step % 2 === 0;
    var pressing = focus ? this.opts.pressure().slice(0, 3) : [];
    this.step++;
    if (focus && pressing.length) {
      var pick = pressing[Math.floor(this.step / 2) % pressing.length];
      var b = streets.bounds.get(pick.code);
      if (b) {
        this.map.flyToBounds(b, { duration: 3, padding: [40, 40], maxZoom: 15 });
        var detail = (s["screen.tour.pressure"] || "")
          .replace("{over}", pick.over)
          .replace("{red}", pick.red)
          .replace("{open}", pick.open);
        this.show((s["screen.tour"] || "") + " · " + pick.name + " · " + detail);
        return;
      }
    }
    this.map.flyToBounds(streets.all, { duration: 3, padding: [20, 20] });
    this.show((s["screen.tour"] || "") + " · " + (s["screen.tour.overview"] || ""));
  };
})();
