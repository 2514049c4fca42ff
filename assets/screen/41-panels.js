/* GridCommand big screen: the low-rate panels — KPI tiles with their change against the same time yesterday, and
 * the four Plotly charts. Both come from GET /api/v1/screen/summary (computed in SQL, cached a few seconds on the
 * server): every `summaryPeriodS`, and sooner (at most every 30 s) after deltas arrived, never once per event.
 * Between summaries, each new case of the deltas is added to the arrival figures (sources, 24-hour trend, major
 * classes) the summary left out (ids above its `max_case_id`; 15-arrivals.js), so the charts follow the live
 * "reported" tile. Charts are drawn with Plotly.react into plain divs from the figures of 40-charts.js; the figure
 * never goes through a Dash prop (DESIGN.md section 11: Dash keeps every prop change in an unbounded undo history).
 * Plotly itself (the 1.2 MB basic bundle, assets/vendor: the full 4.8 MB one cost seconds of the map's first paint)
 * starts loading with the panels, in parallel with the grids, and the charts are drawn as soon as both the first summary and Plotly are there (they used to wait for the map
 * to complete, or 8 s, before even fetching Plotly: blank charts for 5–10 s while the tiles showed). Each chart is
 * redrawn in its own task and only when its figures changed, so no second of the wall carries all four redraws.
 */
(function () {
  "use strict";

  var ns = (window.gridcmd = window.gridcmd || {});
  var format = ns.screenFormat;
  var arrivals = ns.screenArrivals;
  var charts = ns.screenCharts;
  var panels = (ns.screenPanels = {});

  var MIN_GAP_MS = 30000; // after deltas: not sooner than this since the last fetch
  var CHART_GAP_MS = 1200; // between two chart redraws: no one-second window of the wall carries two
  var FIRST_GAP_MS = 150; // the very first drawing fills empty panels: no need to wait
  var CHECK_MS = 5000;
  var ARRIVAL_REDRAW_MS = 10000; // charts follow new cases from deltas at most this often (read from 10 m)
  var ARRIVALS_MAX = 20000; // new cases counted since the last summary; a summary prunes them
  var TILE_KEYS = { filed: "filed", closed: "closed", self: "self_handled" };
  var RATE_KEYS = ["handle_rate", "on_time_close_rate", "first_time_rate", "satisfaction_rate"];

  var st = {
    ctx: null, // {strings, scale, periodS, template, today(), newestId(), major(code)}
    chartsAllowed: false,
    plotly: null, // a Promise once loading started
    drawn: {}, // chart name -> signature of the figures it shows
    queue: [],
    queueTimer: 0,
    timer: 0,
    lastFetch: 0,
    dirty: false,
    inflight: false,
    data: null,
    shown: {},
    fetches: 0,
    arrivals: [], // {id, source, major, hour} of new cases seen in deltas, beyond the summary's max_case_id
    arrivalTimer: 0,
    retryTimer: 0,
    uncountedUpTo: 0,
    counted: 0,
  };

  function write(id, text, cls) {
    var key = id + "|" + text + "|" + (cls || "");
    if (st.shown[id] === key) return;
    st.shown[id] = key;
    var node = document.getElementById(id);
    if (!node) return;
    node.textContent = text;
    if (cls !== undefined) node.className = cls;
  }

  // ---------------------------------------------------------------- tiles

  /** Tiles from the last summary; "reported" follows the live count (deltas) between summaries. */
  panels.renderTiles = function () {
    var data = st.data;
    if (!data) return;
    var y = data.yesterday;
    var strings = st.ctx.strings;
    var rd = format.countDelta(st.ctx.today(), y.reported, strings);
    write("screen-kpi-today-delta", rd[0], rd[1]);
    Object.keys(TILE_KEYS).forEach(function (id) {
      var key = TILE_KEYS[id];
      write("screen-kpi-" + id, format.num(data.tiles[key]));
      var d = format.countDelta(data.tiles[key], y[key], strings);
      write("screen-kpi-" + id + "-delta", d[0], d[1]);
    });
    RATE_KEYS.forEach(function (key) {
      write("screen-rate-" + key, format.pct(data.tiles[key]));
      var d = format.rateDelta(data.tiles[key], y[key], strings);
      write("screen-rate-" + key + "-delta", d[0], d[1]);
    });
  };

  // ---------------------------------------------------------------- charts

  /** Draw figure `fig` into its chart; false when the chart or Plotly is not there. */
  function draw(name, fig) {
    var gd = document.getElementById("screen-chart-" + name);
    if (!gd || !window.Plotly) return false;
    window.Plotly.react(gd, fig.data, fig.layout, { staticPlot: true, displayModeBar: false, responsive: true });
    return true;
  }

  /** Queue a redraw of each chart whose figures changed; one chart per task, CHART_GAP_MS apart. */
  panels.renderCharts = function () {
    var d = st.data;
    if (!d) return;
    charts.CHARTS.forEach(function (c) {
      var input = c[1](d);
      var sig = JSON.stringify(input);
      if (st.drawn[c[0]] === sig) return;
      st.queue = st.queue.filter(function (q) {
        return q[0] !== c[0];
      });
      st.queue.push([c[0], input, c[2], sig]);
    });
    loadPlotly().then(drainCharts, function () {}); // offline: the next summary tries again
  };

  function drainCharts() {
    if (st.queueTimer || !st.queue.length) return;
    var job = st.queue.shift();
    var first = !(job[0] in st.drawn);
    var gd = document.getElementById("screen-chart-" + job[0]);
    var c = { scale: st.ctx.scale, strings: st.ctx.strings, template: st.ctx.template };
    if (gd && gd.clientWidth) {
      c.width = gd.clientWidth; // the figures size the donut's total and the bar labels to the chart
      c.height = gd.clientHeight;
    }
    if (draw(job[0], job[2](job[1], c))) st.drawn[job[0]] = job[3];
    st.queueTimer = setTimeout(function () {
      st.queueTimer = 0;
      drainCharts();
    }, first ? FIRST_GAP_MS : CHART_GAP_MS);
  }

  function plotlyUrl() {
    // The basic bundle the layout names (bar, pie, scatter: a quarter of the full bundle's size), else Dash's own.
    var root = document.getElementById("screen-root");
    var basic = root && root.getAttribute("data-plotly-url");
    if (basic) return basic;
    if (window._dashPlotlyJSURL) return window._dashPlotlyJSURL;
    try {
      return JSON.parse(document.getElementById("_dash-config").textContent).plotlyjs_url;
    } catch (_e) {
      return null;
    }
  }

  function loadPlotly() {
    if (window.Plotly) return Promise.resolve(window.Plotly);
    if (st.plotly) return st.plotly;
    st.plotly = new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = plotlyUrl(); // served locally by Dash (serve_locally): no CDN
      script.async = true;
      script.onload = function () {
        resolve(window.Plotly);
      };
      script.onerror = function () {
        st.plotly = null; // try again with the next summary
        reject(new Error("plotly.js did not load"));
      };
      document.head.appendChild(script);
    });
    return st.plotly;
  }

  /** The map is complete (55-mount.js says so): kept for it; charts no longer wait for the map. */
  panels.allowCharts = function () {
    st.chartsAllowed = true;
  };

  // ---------------------------------------------------------------- new cases between summaries

  /**
   * A case new to this wall arrived in a delta (`dayStartMs`: the wall's local midnight). Counted once, only when
   * the summary did not count it; the charts are redrawn at most every ARRIVAL_REDRAW_MS.
   */
  panels.countArrival = function (row, dayStartMs) {
    var data = st.data;
    if (!st.ctx || st.arrivals.length >= ARRIVALS_MAX) {
      panels.noteUncounted(row.id); // not started, or no summary for hours: the next summary must cover it
      return;
    }
    if (arrivals.covered(data, row.id)) return;
    var a = arrivals.arrival(row, dayStartMs, st.ctx.major);
    if (!a) return; // not today's: the summary's days are its own
    st.arrivals.push(a); // before the first summary too: adopt() adds those it does not count
    st.counted++;
    if (!data) return;
    arrivals.add(data, a);
    if (!st.arrivalTimer) {
      st.arrivalTimer = setTimeout(function () {
        st.arrivalTimer = 0;
        panels.renderCharts();
      }, ARRIVAL_REDRAW_MS);
    }
  };

  /** A fresh summary counts every case up to its max_case_id: keep only the arrivals beyond it, on top of it. */
  function adopt(data) {
    st.arrivals = arrivals.merge(data, st.arrivals);
    st.data = data;
    // Cases this wall knows of but did not count as arrivals (its snapshot) are newer than this summary: it was
    // fetched before the snapshot came.
    if (arrivals.upTo(data) < st.uncountedUpTo) refetchSoon();
  }

  /** Ask for a summary again shortly (min_id makes the server recompute a cached one that is behind). */
  function refetchSoon() {
    if (st.retryTimer || !st.ctx) return;
    st.retryTimer = setTimeout(function () {
      st.retryTimer = 0;
      fetchSummary();
    }, 2000);
  }

  /** The wall learned of cases up to `id` without counting them (a snapshot): summaries must cover them. */
  panels.noteUncounted = function (id) {
    if (id > st.uncountedUpTo) st.uncountedUpTo = id;
    if (st.data && arrivals.upTo(st.data) < id) refetchSoon();
  };

  // ---------------------------------------------------------------- refresh loop

  function fetchSummary() {
    if (st.inflight) return;
    st.inflight = true;
    st.lastFetch = Date.now();
    st.dirty = false;
    // min_id: the server recomputes a cached summary that predates the newest case this wall holds.
    var url = "/api/v1/screen/summary?min_id=" + Math.max(0, st.ctx.newestId() || 0);
    fetch(url, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) {
        if (!r.ok) throw new Error("summary " + r.status);
        return r.json();
      })
      .then(function (data) {
        adopt(data);
        st.fetches++;
        panels.renderTiles();
        panels.renderCharts();
      })
      .catch(function () {
        st.lastFetch = Date.now() - st.ctx.periodS * 1000 + 10000; // retry in about 10 s
      })
      .then(function () {
        st.inflight = false;
      });
  }

  panels.start = function (ctx) {
    st.ctx = ctx;
    if (st.timer) return;
    fetchSummary();
    // Plotly downloads and parses while the summary is computed; the charts draw once both are in.
    loadPlotly().then(drainCharts, function () {});
    st.timer = setInterval(function () {
      var since = Date.now() - st.lastFetch;
      if (since >= ctx.periodS * 1000 || (st.dirty && since >= MIN_GAP_MS)) fetchSummary();
    }, CHECK_MS);
  };

  panels.stop = function () {
    clearInterval(st.timer);
    clearTimeout(st.queueTimer);
    clearTimeout(st.arrivalTimer);
    clearTimeout(st.retryTimer);
    st.retryTimer = 0;
    st.timer = 0;
    st.queueTimer = 0;
    st.arrivalTimer = 0;
    st.arrivals = [];
    st.queue = [];
    st.drawn = {};
    st.shown = {};
    st.chartsAllowed = false;
  };

  /** Something changed (a delta arrived): refresh sooner than the period, but not per event. */
  panels.noteChange = function () {
    st.dirty = true;
  };

  panels.data = function () {
    return st.data;
  };

  panels.fetches = function () {
    return st.fetches;
  };

  panels.arrivalsCounted = function () {
    return st.counted;
  };
})();
