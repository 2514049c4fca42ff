/* GridCommand big screen: the patrol layer, a canvas painted off the main thread by assets/screen/workers/patrols.js (or on
 * the main thread by the same painter where there is no OffscreenCanvas). Nothing runs until the screen's mount
 * (55-mount.js) builds it from attach().
 *
 * A Leaflet layer built on L.Renderer for its container handling: during zoom and fly animations Leaflet only
 * transforms the canvas with CSS, and after each move it calls _update, where we tell the painter the new view.
 * The page never touches a patrol on the canvas: it forwards each frame's rows (only the patrols that moved) and
 * the painter redraws once per animation frame.
 */
(function () {
  "use strict";

  var ns = (window.gridcmd = window.gridcmd || {});
  var mapkit = (ns.screenMap = ns.screenMap || {});

  /** The painter in a worker that owns the canvas; false when the browser cannot. */
  function startWorker(layer, canvas, init, onDrawn) {
    if (typeof canvas.transferControlToOffscreen !== "function" || typeof Worker !== "function") return false;
    try {
      var worker = new Worker(layer._opts.workerUrl);
      worker.onmessage = function (e) {
        onDrawn(e.data);
      };
      var off = canvas.transferControlToOffscreen();
      init.canvas = off;
      worker.postMessage(init, [off]);
      layer._worker = worker;
      layer._post = function (msg) {
        worker.postMessage(msg);
      };
      layer._stats.where = "worker";
      return true;
    } catch (_e) {
      return false; // fall back to the main-thread painter
    }
  }

  /** No OffscreenCanvas: the same painter on the main thread, loaded from the worker script. */
  function startOnPage(layer, canvas, init, onDrawn) {
    var queue = [];
    layer._post = function (msg) {
      queue.push(msg);
    };
    layer._stats.where = "main";
    var script = document.createElement("script");
    script.src = layer._opts.workerUrl;
    script.onload = function () {
      var painter = new window.GridcmdPatrolPainter(onDrawn);
      init.canvas = canvas;
      painter.handle(init);
      layer._post = function (msg) {
        painter.handle(msg);
      };
      queue.forEach(layer._post);
      queue = null;
    };
    document.head.appendChild(script);
  }

  var LAYER = {
    options: { padding: 0.1, pane: "gc-patrols" },

    /** `opts`: {workerUrl, scale, clusterBelowZoom, onDrawn(message)}. */
    initialize: function (opts) {
      this._opts = opts;
      L.Renderer.prototype.initialize.call(this);
    },

    _initContainer: function () {
      var canvas = (this._container = document.createElement("canvas"));
      canvas.className = "gc-patrol-canvas";
      this._stats = { draws: 0, lastMs: 0, mode: "", shown: 0 };
      this._startPainter(canvas);
    },

    _startPainter: function (canvas) {
      var self = this;
      var opts = this._opts;
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
      if (!startWorker(this, canvas, init, onDrawn)) startOnPage(this, canvas, init, onDrawn);
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
  };

  var PatrolLayer = null; // made at first use: Leaflet is there by then

  mapkit.patrolLayer = function (opts) {
    if (!PatrolLayer) PatrolLayer = L.Renderer.extend(LAYER);
    return new PatrolLayer(opts);
  };
})();
