/* GridCommand big screen: the patrol painter.
 *
 * Runs in a dedicated Web Worker that owns an OffscreenCanvas (the page transfers control of its patrol canvas),
 * so projecting, clustering and drawing 10,000 moving patrols costs the page's main thread nothing but a
 * postMessage per frame (DESIGN.md section 11: 5.9 ms p50 in a worker vs 66 ms on the main thread). Where
 * OffscreenCanvas is missing the page loads this same file as a plain script and drives a Painter directly.
 *
 * Served from the view's assets as /screen/assets/workers/patrols.js, but never injected into the page: the screen's
 * Dash app ignores the workers/ folder (assets_path_ignore, layouts/screen.py).
 *
 * Messages in:  {t: "init", canvas, dpr, scale, clusterBelowZoom}
 *               {t: "view", w, h, ox, oy, z}      canvas size (CSS px) and the absolute pixel of its top-left
 *               {t: "rows", rows, full}           [id, lon, lat, status] rows; full = a snapshot (drop the rest)
 * Messages out: {t: "drawn", ms, n, shown, clusters, mode}
 */
(function (scope) {
  "use strict";

  var STATUS = { available: 0, busy: 1, offline: 2 };
  var DOT = ["#3ee07a", "#ffb02e", "#5b6b80"];
  var CELL_PX = 64; // cluster cell at 1080p (scaled with the wall)

  function Painter(post) {
    this.post = post;
    this.canvas = null;
    this.ctx = null;
    this.dpr = 1;
    this.scale = 1;
    this.clusterBelowZoom = 12.5;
    this.view = null;
    this.ids = new Map(); // patrol id -> slot
    this.cap = 0;
    this.n = 0;
    this.mx = new Float64Array(0); // Web Mercator x in 0..1 (projected once per fix, not per draw)
    this.my = new Float64Array(0);
    this.st = new Uint8Array(0);
    this.queued = false;
    // Cluster bins, reused between draws while the canvas size stays the same.
    this.binW = 0;
    this.binH = 0;
    this.count = null;
    this.busy = null;
    this.sx = null;
    this.sy = null;
  }

  Painter.prototype.handle = function (msg) {
    if (msg.t === "init") {
      this.canvas = msg.canvas;
      this.ctx = this.canvas.getContext("2d");
      this.dpr = msg.dpr || 1;
      this.scale = msg.scale || 1;
      if (msg.clusterBelowZoom) this.clusterBelowZoom = msg.clusterBelowZoom;
    } else if (msg.t === "view") {
      this.view = msg;
      var w = Math.max(1, Math.round(msg.w * this.dpr));
      var h = Math.max(1, Math.round(msg.h * this.dpr));
      if (this.canvas && (this.canvas.width !== w || this.canvas.height !== h)) {
        this.canvas.width = w;
        this.canvas.height = h;
      }
    } else if (msg.t === "rows") {
      if (msg.full) this.reset();
      this.apply(msg.rows);
    }
    this.schedule();
  };

  Painter.prototype.reset = function () {
    this.ids.clear();
    this.n = 0;
  };

  Painter.prototype.grow = function (need) {
    if (need <= this.cap) return;
    var cap = Math.max(1024, this.cap * 2, need);
    var mx = new Float64Array(cap);
    var my = new Float64Array(cap);
    var st = new Uint8Array(cap);
    mx.set(this.mx.subarray(0, this.n));
    my.set(this.my.subarray(0, this.n));
    st.set(this.st.subarray(0, this.n));
    this.mx = mx;
    this.my = my;
    this.st = st;
    this.cap = cap;
  };

  Painter.prototype.apply = function (rows) {
    this.grow(this.n + rows.length);
    for (var i = 0; i < rows.length; i++) {
      var r = rows[i];
      var slot = this.ids.get(r[0]);
      if (slot === undefined) {
        slot = this.n++;
        this.ids.set(r[0], slot);
      }
      var lat = (r[2] * Math.PI) / 180;
      this.mx[slot] = (r[1] + 180) / 360;
      this.my[slot] = (1 - Math.log(Math.tan(lat) + 1 / Math.cos(lat)) / Math.PI) / 2;
      this.st[slot] = STATUS[r[3]] === undefined ? 2 : STATUS[r[3]];
    }
  };

  Painter.prototype.schedule = function () {
    if (this.queued) return;
    this.queued = true;
    var self = this;
    // Several messages in one frame (a view change and a frame of rows) cost one draw.
    var raf = scope.requestAnimationFrame || function (f) { return setTimeout(f, 16); };
    raf(function () {
      self.queued = false;
      self.draw();
    });
  };

  Painter.prototype.draw = function () {
    var v = this.view;
    var ctx = this.ctx;
    if (!v || !ctx) return;
    var t0 = performance.now();
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.clearRect(0, 0, v.w, v.h);
    var world = 256 * Math.pow(2, v.z);
    var out;
    if (v.z < this.clusterBelowZoom) out = this.drawClusters(ctx, v, world);
    else out = this.drawDots(ctx, v, world);
    this.post({ t: "drawn", ms: performance.now() - t0, n: this.n, shown: out.shown, clusters: out.clusters, mode: out.mode });
  };

  Painter.prototype.drawDots = function (ctx, v, world) {
    var r = 2.8 * this.scale;
    var shown = 0;
    // One path per status colour: three fills for all 10,000 dots.
    for (var s = 2; s >= 0; s--) {
      ctx.beginPath();
      for (var i = 0; i < this.n; i++) {
        if (this.st[i] !== s) continue;
        var x = this.mx[i] * world - v.ox;
        var y = this.my[i] * world - v.oy;
        if (x < -r || y < -r || x > v.w + r || y > v.h + r) continue;
        ctx.moveTo(x + r, y);
        ctx.arc(x, y, r, 0, 6.2832);
        shown++;
      }
      ctx.fillStyle = DOT[s];
      ctx.fill();
    }
    return { shown: shown, clusters: 0, mode: "dots" };
  };

  Painter.prototype.drawClusters = function (ctx, v, world) {
    var cell = CELL_PX * this.scale;
    var bw = Math.ceil(v.w / cell) + 1;
    var bh = Math.ceil(v.h / cell) + 1;
    if (bw !== this.binW || bh !== this.binH) {
      this.binW = bw;
      this.binH = bh;
      this.count = new Int32Array(bw * bh);
      this.busy = new Int32Array(bw * bh);
      this.sx = new Float64Array(bw * bh);
      this.sy = new Float64Array(bw * bh);
    } else {
      this.count.fill(0);
      this.busy.fill(0);
      this.sx.fill(0);
      this.sy.fill(0);
    }
    var shown = 0;
    for (var i = 0; i < this.n; i++) {
      if (this.st[i] === 2) continue; // offline patrols are not part of the force on the wall
      var x = this.mx[i] * world - v.ox;
      var y = this.my[i] * world - v.oy;
      if (x < 0 || y < 0 || x >= v.w || y >= v.h) continue;
      var b = ((y / cell) | 0) * bw + ((x / cell) | 0);
      this.count[b]++;
      this.sx[b] += x;
      this.sy[b] += y;
      if (this.st[i] === 1) this.busy[b]++;
      shown++;
    }
    var clusters = 0;
    var s = this.scale;
    ctx.font = "700 " + Math.round(12 * s) + "px sans-serif";
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    for (var k = 0; k < bw * bh; k++) {
      var c = this.count[k];
      if (!c) continue;
      var cx = this.sx[k] / c;
      var cy = this.sy[k] / c;
      if (c === 1) {
        ctx.beginPath();
        ctx.arc(cx, cy, 2.8 * s, 0, 6.2832);
        ctx.fillStyle = DOT[this.busy[k] ? 1 : 0];
        ctx.fill();
        continue;
      }
      clusters++;
      var r = (9 + 3.2 * Math.log2(c)) * s;
      ctx.beginPath();
      ctx.arc(cx, cy, r, 0, 6.2832);
      ctx.fillStyle = "rgba(16, 60, 44, 0.82)";
      ctx.fill();
      ctx.lineWidth = 2 * s;
      ctx.strokeStyle = DOT[0];
      ctx.stroke();
      if (this.busy[k]) {
        // The busy share as an amber arc on the ring, clockwise from twelve o'clock.
        ctx.beginPath();
        ctx.arc(cx, cy, r, -1.5708, -1.5708 + (6.2832 * this.busy[k]) / c);
        ctx.strokeStyle = DOT[1];
        ctx.lineWidth = 3 * s;
        ctx.stroke();
      }
      ctx.fillStyle = "#eafff3";
      ctx.fillText(String(c), cx, cy + 0.5 * s);
    }
    return { shown: shown, clusters: clusters, mode: "clusters" };
  };

  var inWorker = typeof WorkerGlobalScope !== "undefined" && scope instanceof WorkerGlobalScope;
  if (inWorker) {
    var painter = new Painter(function (m) {
      scope.postMessage(m);
    });
    scope.onmessage = function (e) {
      painter.handle(e.data);
    };
  } else {
    scope.GridcmdPatrolPainter = Painter;
  }
})(self);
