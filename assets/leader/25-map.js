/* GridCommand leader pass: the small map of a drilled area (street, community or grid) on one <canvas>.
 *
 * The area's outline and its children's come once per area from GET /api/v1/leader/outline (simplified on the
 * server, a few kilobytes, kept by the browser); its open cases come with every summary (`map_cases`). Each dot is
 * coloured by the SLA rule of assets/shared/sla.js with the page's thresholds, recomputed by the 1 Hz tick (a dot
 * turns red as its countdown runs out). No tiles, no map library: the phone loads nothing else. A tap on a dot
 * shows that case: its row in the needs-me list when it is there, else the case sheet (35-sheet.js).
 */
(function (L) {
  "use strict";

  var C = window.gridcmdLeaderCharts;
  var st = L.st;
  var s = L.s;
  var node = L.node;
  var TAP_PX = 22; // a fingertip: the nearest dot within this many CSS pixels
  var RADIUS = { none: 4, green: 5, amber: 5, red: 6, over: 7 };
  var FOCUS_MS = 2500;
  var map = (L.map = { outlines: {}, pending: {}, dots: [], statuses: [], drawn: 0 });

  /** Colours from the stylesheet's custom properties (10-leader.css), so the legend and the dots agree. */
  function palette() {
    if (map.colors) return map.colors;
    var css = getComputedStyle(L.el("leader-root"));
    var get = function (name, fallback) {
      return (css.getPropertyValue(name) || "").trim() || fallback;
    };
    map.colors = {
      over: get("--sla-over", "#7a0012"),
      red: get("--sla-red", "#d0302f"),
      amber: get("--sla-amber", "#d98200"),
      green: get("--sla-green", "#1e8a3e"),
      none: get("--sla-none", "#6b7685"),
      outline: get("--brand", "#0b4fa8"),
      child: get("--line", "#c9d1dc"),
    };
    return map.colors;
  }

  function section() {
    return document.querySelector(".leader-section--map");
  }

  function note(text) {
    L.el("leader-map-note").textContent = text;
  }

  /** The outline of `scope`, fetched once (then the browser's cache answers within its max-age). */
  function outline(scope) {
    if (map.outlines[scope]) return Promise.resolve(map.outlines[scope]);
    if (map.pending[scope]) return map.pending[scope];
    var url = st.config.outlineUrl + "?scope=" + encodeURIComponent(scope);
    map.pending[scope] = L.api("GET", url).then(function (res) {
      delete map.pending[scope];
      if (!res.ok) throw new Error(String(res.status));
      map.outlines[scope] = res.body;
      return res.body;
    });
    return map.pending[scope];
  }

  function canvas() {
    var host = L.el("leader-map");
    var cv = host.querySelector("canvas");
    if (!cv) {
      cv = host.appendChild(document.createElement("canvas"));
      cv.className = "leader-map-canvas";
      cv.setAttribute("role", "img");
      cv.addEventListener("click", onTap);
    }
    return cv;
  }

  function ringPath(ctx, proj, ring) {
    ctx.moveTo(proj.x(ring[0][0]), proj.y(ring[0][1]));
    for (var i = 1; i < ring.length; i++) ctx.lineTo(proj.x(ring[i][0]), proj.y(ring[i][1]));
    ctx.closePath();
  }

  function statuses(now) {
    var cases = (st.summary && st.summary.map_cases && st.summary.map_cases.cases) || [];
    return cases.map(function (dot) {
      return C.dotStatus(dot, now, st.config.sla_thresholds, window.gridcmdSla);
    });
  }

  /** Draw the outline, the children and the dots (most urgent on top) for the summary shown. */
  function draw(shape) {
    var cv = canvas();
    var width = Math.max(1, cv.parentNode.clientWidth);
    // At most 320 px, and well under a phone's height when it is held sideways (844×390).
    var height = Math.round(Math.min(width * 0.72, 320, Math.max(180, window.innerHeight * 0.62)));
    var ratio = window.devicePixelRatio || 1;
    if (cv.width !== Math.round(width * ratio) || cv.height !== Math.round(height * ratio)) {
      cv.width = Math.round(width * ratio);
      cv.height = Math.round(height * ratio);
    }
    cv.style.height = height + "px";
    cv.setAttribute("aria-label", s("leader.map.label", { name: st.summary.name }));
    var ctx = cv.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    var proj = C.fit(shape.bbox, width, height, 10);
    var colors = palette();
    ctx.lineJoin = "round";
    ctx.beginPath();
    shape.children.forEach(function (child) {
      child.rings.forEach(function (ring) {
        ringPath(ctx, proj, ring);
      });
    });
    ctx.strokeStyle = colors.child;
    ctx.lineWidth = 1;
    ctx.stroke();
    ctx.beginPath();
    shape.rings.forEach(function (ring) {
      ringPath(ctx, proj, ring);
    });
    ctx.fillStyle = "rgba(11, 79, 168, 0.06)";
    ctx.fill();
    ctx.strokeStyle = colors.outline;
    ctx.lineWidth = 2;
    ctx.stroke();
    drawDots(ctx, proj, colors);
    map.shape = shape;
    map.drawn += 1;
  }

  function drawDots(ctx, proj, colors) {
    var cases = st.summary.map_cases.cases;
    map.statuses = statuses(Date.now());
    map.dots = [];
    C.ORDER.forEach(function (status) {
      cases.forEach(function (dot, i) {
        if (map.statuses[i] !== status) return;
        var x = proj.x(dot[1]);
        var y = proj.y(dot[2]);
        ctx.beginPath();
        ctx.arc(x, y, RADIUS[status], 0, 2 * Math.PI);
        ctx.fillStyle = colors[status];
        ctx.fill();
        ctx.lineWidth = status === "over" ? 2.5 : 1.5;
        ctx.strokeStyle = status === "over" ? "#000" : "#fff";
        ctx.stroke();
        map.dots.push({ x: x, y: y, id: dot[0] }); // in drawing order: nearest() prefers the one on top
      });
    });
    legend();
  }

  function legend() {
    var box = L.clear(L.el("leader-map-legend"));
    var counts = C.tally(map.statuses);
    C.ORDER.slice()
      .reverse()
      .forEach(function (status) {
        if (!counts[status]) return;
        var item = box.appendChild(node("span", "leader-map-key"));
        item.appendChild(node("span", "leader-map-swatch sw-" + status));
        item.appendChild(document.createTextNode(s("leader.map.sla." + status) + " " + counts[status]));
      });
    if (!map.statuses.length) box.appendChild(node("span", "leader-empty", s("leader.map.empty")));
  }

  /** The summary's map: hidden for the district; the outline fetched once per area, then drawn. */
  L.renderMap = function () {
    var box = section();
    var mc = st.summary && st.summary.map_cases;
    if (!mc) {
      box.hidden = true;
      return;
    }
    box.hidden = false;
    note(mc.total > mc.cases.length ? s("leader.map.more", { total: mc.total, shown: mc.cases.length }) : s("leader.map.count", { total: mc.total }));
    var scope = st.summary.scope;
    if (!map.outlines[scope]) L.clear(L.el("leader-map-legend")).appendChild(node("span", "leader-empty", s("leader.map.loading")));
    outline(scope).then(
      function (shape) {
        if (st.summary && st.summary.scope === scope) draw(shape);
      },
      function (err) {
        if (st.summary && st.summary.scope === scope) {
          L.clear(L.el("leader-map-legend")).appendChild(node("span", "leader-empty", s("leader.map.failed", { status: err.message })));
        }
      }
    );
  };

  /** 1 Hz: redraw when a dot's colour changed (a countdown crossed a threshold). */
  function tickMap() {
    if (!map.shape || !st.summary || !st.summary.map_cases || map.shape.scope !== st.summary.scope) return;
    var now = statuses(Date.now());
    for (var i = 0; i < now.length; i++) {
      if (now[i] !== map.statuses[i]) return draw(map.shape);
    }
  }
  var baseTick = L.tick;
  L.tick = function () {
    baseTick();
    tickMap();
  };

  function childName(code) {
    var scopes = Object.keys(map.outlines);
    for (var i = 0; i < scopes.length; i++) {
      var kids = map.outlines[scopes[i]].children;
      for (var j = 0; j < kids.length; j++) if (kids[j].code === code) return kids[j].name;
    }
    return null;
  }

  /** Where a grid is, for the case sheet: its name when an outline fetched names it (a community's children are
   * its grids), else its community's name (a street's children) and the grid code, else the code alone. */
  L.gridName = function (code) {
    var grid = childName(code);
    if (grid) return grid;
    var community = typeof code === "string" ? childName(code.slice(0, 12)) : null;
    return community ? community + " · " + code : code;
  };

  /** Show case `id`: its needs-me row (scrolled to and marked a moment), or the case sheet. */
  L.showCase = function (id) {
    var row = document.querySelector('.leader-need[data-id="' + id + '"]');
    if (!row) return L.openSheet(id);
    row.scrollIntoView({ block: "center", behavior: "smooth" });
    row.classList.add("is-focus");
    setTimeout(function () {
      row.classList.remove("is-focus");
    }, FOCUS_MS);
  };

  function onTap(e) {
    var rect = e.currentTarget.getBoundingClientRect();
    var hit = C.nearest(map.dots, e.clientX - rect.left, e.clientY - rect.top, TAP_PX);
    if (hit >= 0) L.showCase(map.dots[hit].id);
  }

  var resizeTimer = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () {
      if (map.shape && !section().hidden && st.summary && map.shape.scope === st.summary.scope) draw(map.shape);
    }, 150);
  });
})(window.gridcmdLeader);
