/* GridCommand big screen: the low-rate panels — KPI tiles with their change against the same time yesterday, and
 * the four Plotly charts. Both come from GET /api/v1/screen/summary (computed in SQL, cached a few seconds on the
 * server): every `summaryPeriodS`, and sooner (at most every 30 s) after deltas arrived, never once per event.
 * Between summaries, each new case of the deltas is added to the arrival figures (sources, 24-hour trend, major
 * classes) the summary left out (ids above its `max_case_id`), so the charts follow the live "reported" tile.
 * Charts are drawn with Plotly.react into plain divs; the figure never goes through a Dash prop (DESIGN.md
 * section 11: Dash keeps every prop change in an unbounded undo history). Plotly itself (4.8 MB) is loaded only
 * once the map is complete, so its evaluation does not delay the wall's first paint, and each chart is redrawn
 * in its own task and only when its figures changed, so no second of the wall carries all four redraws.
 */
(function () {
  "use strict";

  var ns = (window.gridcmd = window.gridcmd || {});
  var panels = (ns.screenPanels = {});

  var MIN_GAP_MS = 30000; // after deltas: not sooner than this since the last fetch
  var CHART_GAP_MS = 1200; // between two chart redraws: no one-second window of the wall carries two
  var FIRST_GAP_MS = 150; // the very first drawing fills empty panels: no need to wait
  var CHECK_MS = 5000;
  var ARRIVAL_REDRAW_MS = 10000; // charts follow new cases from deltas at most this often (read from 10 m)
  var ARRIVALS_MAX = 20000; // new cases counted since the last summary; a summary prunes them
  var HOUR_MS = 3600000;
  var SOURCE_COLORS = {
    grid_worker: "#2ee6ff",
    hotline_12345: "#ffb02e",
    wechat: "#3ee07a",
    video: "#b18cff",
    open311: "#4da3ff",
    leader: "#ff6b6b",
  };
  var TILE_KEYS = { filed: "filed", closed: "closed", self: "self_handled" };
  var RATE_KEYS = ["handle_rate", "on_time_close_rate", "first_time_rate", "satisfaction_rate"];

  var st = {
    ctx: null, // {strings, scale, periodS, template, today()}
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

  function s(key) {
    return st.ctx.strings[key] || key;
  }

  function el(id) {
    return document.getElementById(id);
  }

  function write(id, text, cls) {
    var key = id + "|" + text + "|" + (cls || "");
    if (st.shown[id] === key) return;
    st.shown[id] = key;
    var node = el(id);
    if (!node) return;
    node.textContent = text;
    if (cls !== undefined) node.className = cls;
  }

  function num(n) {
    return n === null || n === undefined ? "—" : Number(n).toLocaleString("zh-CN");
  }

  function pct(rate) {
    return rate === null || rate === undefined ? "—" : (rate * 100).toFixed(1);
  }

  // ---------------------------------------------------------------- tiles

  function countDelta(today, then) {
    if (then === null || then === undefined) return ["", "screen-tile-delta"];
    var d = today - then;
    if (d === 0) return [s("screen.delta.same"), "screen-tile-delta is-flat"];
    return [(d > 0 ? "▲ " : "▼ ") + Math.abs(d).toLocaleString("zh-CN"), "screen-tile-delta " + (d > 0 ? "is-up" : "is-down")];
  }

  function rateDelta(today, then) {
    if (today === null || today === undefined) return ["", "screen-tile-delta"];
    if (then === null || then === undefined) return [s("screen.delta.none"), "screen-tile-delta is-flat"];
    var d = Math.round((today - then) * 1000) / 10;
    if (d === 0) return [s("screen.delta.same"), "screen-tile-delta is-flat"];
    // For a rate, higher is better: up is good (green), down is bad (red).
    return [(d > 0 ? "▲ " : "▼ ") + Math.abs(d).toFixed(1) + s("screen.delta.pts"), "screen-tile-delta " + (d > 0 ? "is-good" : "is-bad")];
  }

  /** Tiles from the last summary; "reported" follows the live count (deltas) between summaries. */
  panels.renderTiles = function () {
    var data = st.data;
    if (!data) return;
    var y = data.yesterday;
    var today = st.ctx.today();
    var rd = countDelta(today, y.reported);
    write("screen-kpi-today-delta", rd[0], rd[1]);
    Object.keys(TILE_KEYS).forEach(function (id) {
      var key = TILE_KEYS[id];
      write("screen-kpi-" + id, num(data.tiles[key]));
      var d = countDelta(data.tiles[key], y[key]);
      write("screen-kpi-" + id + "-delta", d[0], d[1]);
    });
    RATE_KEYS.forEach(function (key) {
      write("screen-rate-" + key, pct(data.tiles[key]));
      var d = rateDelta(data.tiles[key], y[key]);
      write("screen-rate-" + key + "-delta", d[0], d[1]);
    });
  };

  // ---------------------------------------------------------------- charts

  /** The layout each chart shares: the server's dark template (data-chart-template), sized for this wall. */
  function baseLayout(extra) {
    var k = st.ctx.scale;
    var layout = {
      template: st.ctx.template,
      font: { size: 15 * k, color: "#cfe3ff" },
      margin: { l: 8 * k, r: 16 * k, t: 8 * k, b: 8 * k, pad: 4 * k },
      showlegend: false,
      bargap: 0.32,
      uniformtext: { mode: "hide", minsize: 11 * k },
    };
    return Object.assign(layout, extra);
  }

  function axis(extra) {
    var k = st.ctx.scale;
    return Object.assign(
      {
        gridcolor: "rgba(77,163,255,0.14)",
        zerolinecolor: "rgba(77,163,255,0.25)",
        tickfont: { size: 14 * k, color: "#a9c3e6" },
        automargin: true,
        fixedrange: true,
      },
      extra
    );
  }

  function react(name, data, layout) {
    var gd = el("screen-chart-" + name);
    if (!gd || !window.Plotly) return false;
    window.Plotly.react(gd, data, baseLayout(layout), { staticPlot: true, displayModeBar: false, responsive: true });
    return true;
  }

  function chartMajor(rows) {
    var k = st.ctx.scale;
    var named = rows.map(function (r) {
      // Escaped: Plotly reads markup (<b>, <br>, <a href>) in axis labels, and category names come from imports.
      return { name: r.major ? window.gridcmdText.plotly(r.major) : s("screen.chart.uncategorised"), count: r.count };
    });
    named.reverse(); // largest at the top of a horizontal bar chart
    return react(
      "major",
      [
        {
          type: "bar",
          orientation: "h",
          y: named.map(function (r) { return r.name; }),
          x: named.map(function (r) { return r.count; }),
          text: named.map(function (r) { return String(r.count); }),
          textposition: "outside",
          cliponaxis: false,
          textfont: { size: 15 * k, color: "#e6f1ff" },
          marker: { color: "#2ee6ff", line: { width: 0 } },
        },
      ],
      { xaxis: axis({ showgrid: true, rangemode: "tozero" }), yaxis: axis({ tickfont: { size: 15 * k, color: "#e6f1ff" } }) }
    );
  }

  function chartSource(rows) {
    var k = st.ctx.scale;
    var total = rows.reduce(function (n, r) {
      return n + r.count;
    }, 0);
    return react(
      "source",
      [
        {
          type: "pie",
          hole: 0.6,
          sort: false,
          direction: "clockwise",
          // The legend carries name and count ("网格员 14"); slices carry their share.
          labels: rows.map(function (r) { return s("source." + r.source) + " " + r.count; }),
          values: rows.map(function (r) { return r.count; }),
          marker: {
            colors: rows.map(function (r) { return SOURCE_COLORS[r.source] || "#8aa4c4"; }),
            line: { color: "#06142a", width: 2 * k },
          },
          textinfo: "percent",
          textposition: "inside",
          insidetextorientation: "horizontal",
          textfont: { size: 13 * k, color: "#041022" },
          domain: { x: [0, 0.5], y: [0, 1] },
        },
      ],
      {
        showlegend: true,
        legend: { x: 0.56, xanchor: "left", y: 0.5, yanchor: "middle", font: { size: 15 * k, color: "#e6f1ff" } },
        margin: { l: 6 * k, r: 6 * k, t: 6 * k, b: 6 * k },
        annotations: [
          { text: String(total), showarrow: false, font: { size: 26 * k, color: "#2ee6ff" }, x: 0.25, y: 0.5, xref: "paper", yref: "paper" },
        ],
      }
    );
  }

  function chartTrend(hourly) {
    var k = st.ctx.scale;
    var hours = [];
    for (var h = 0; h < 24; h++) hours.push(h);
    return react(
      "trend",
      [
        {
          type: "scatter",
          mode: "lines",
          name: s("screen.chart.yesterday"),
          x: hours,
          y: hourly.yesterday,
          line: { color: "#8aa4c4", width: 2 * k, dash: "dot", shape: "spline" },
        },
        {
          type: "scatter",
          mode: "lines+markers",
          name: s("screen.chart.today"),
          x: hours.slice(0, hourly.today.length),
          y: hourly.today,
          line: { color: "#2ee6ff", width: 3 * k, shape: "spline" },
          marker: { size: 5 * k, color: "#2ee6ff" },
          fill: "tozeroy",
          fillcolor: "rgba(46,230,255,0.14)",
        },
      ],
      {
        showlegend: true,
        legend: { orientation: "h", x: 1, xanchor: "right", y: 1.02, yanchor: "bottom", font: { size: 14 * k } },
        margin: { l: 8 * k, r: 12 * k, t: 26 * k, b: 8 * k, pad: 4 * k },
        xaxis: axis({ range: [-0.3, 23.3], tickvals: [0, 3, 6, 9, 12, 15, 18, 21], ticksuffix: ":00", showgrid: false }),
        yaxis: axis({ rangemode: "tozero" }),
      }
    );
  }

  function chartRanking(ranking) {
    var k = st.ctx.scale;
    // Only streets with cases due in the window have a rate and a rank; the others follow, unnumbered.
    var ranked = [];
    var unranked = [];
    ranking.streets.forEach(function (r) {
      var name = window.gridcmdText.plotly(r.name); // Plotly reads markup in labels; street names are data
      if (r.rate === null) unranked.push({ label: name, rate: null });
      else ranked.push({ label: ranked.length + 1 + ". " + name, rate: r.rate });
    });
    // Ten bars stay readable from 10 m: with more ranked streets show the best five and the last five.
    var rows = ranked.length > 10 ? ranked.slice(0, 5).concat(ranked.slice(-5)) : ranked.concat(unranked).slice(0, 10);
    rows.reverse();
    var color = function (r) {
      if (r === null) return "#5b6b80";
      return r >= 0.95 ? "#3ee07a" : r >= 0.9 ? "#ffb02e" : "#ff4d4f";
    };
    return react(
      "ranking",
      [
        {
          type: "bar",
          orientation: "h",
          y: rows.map(function (r) { return r.label; }),
          x: rows.map(function (r) { return r.rate === null ? 0 : r.rate * 100; }),
          text: rows.map(function (r) { return r.rate === null ? s("screen.chart.no_due") : (r.rate * 100).toFixed(1) + "%"; }),
          textposition: "outside",
          cliponaxis: false,
          textfont: { size: 14 * k, color: "#e6f1ff" },
          marker: { color: rows.map(function (r) { return color(r.rate); }) },
        },
      ],
      {
        xaxis: axis({ range: [0, 118], showgrid: false, showticklabels: false, zeroline: false }),
        yaxis: axis({ tickfont: { size: 14 * k, color: "#e6f1ff" } }),
      }
    );
  }

  var CHARTS = [
    ["major", function (d) { return d.by_major; }, chartMajor],
    ["source", function (d) { return d.sources; }, chartSource],
    ["trend", function (d) { return d.hourly; }, chartTrend],
    ["ranking", function (d) { return d.ranking; }, chartRanking],
  ];

  /** Queue a redraw of each chart whose figures changed; one chart per task, CHART_GAP_MS apart. */
  panels.renderCharts = function () {
    var d = st.data;
    if (!d || !st.chartsAllowed) return;
    CHARTS.forEach(function (c) {
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
    if (job[2](job[1])) st.drawn[job[0]] = job[3];
    st.queueTimer = setTimeout(function () {
      st.queueTimer = 0;
      drainCharts();
    }, first ? FIRST_GAP_MS : CHART_GAP_MS);
  }

  function plotlyUrl() {
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

  /** The map is complete (or it is taking long): from now on charts may load Plotly and draw. */
  panels.allowCharts = function () {
    if (st.chartsAllowed) return;
    st.chartsAllowed = true;
    panels.renderCharts();
  };

  // ---------------------------------------------------------------- new cases between summaries

  function bump(rows, key, value) {
    var hit = null;
    for (var i = 0; i < rows.length; i++) {
      if (rows[i][key] === value) {
        hit = rows[i];
        break;
      }
    }
    if (hit) hit.count++;
    else {
      hit = { count: 1 };
      hit[key] = value;
      rows.push(hit);
    }
    // The server's order: largest first, ties by name (no name last among equals, as "" sorts first there).
    rows.sort(function (a, b) {
      var ka = a[key] || "";
      var kb = b[key] || "";
      return b.count - a.count || (ka < kb ? -1 : ka > kb ? 1 : 0);
    });
  }

  function addArrival(data, a) {
    bump(data.sources, "source", a.source);
    bump(data.by_major, "major", a.major);
    var today = data.hourly.today;
    while (today.length <= a.hour) today.push(0);
    today[a.hour]++;
  }

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
    if (data && typeof data.max_case_id === "number" && row.id <= data.max_case_id) return;
    var offset = Date.parse(row.reported_at) - dayStartMs;
    if (!(offset >= 0 && offset < 24 * HOUR_MS)) return; // not today's: the summary's days are its own
    var major = row.category_code ? st.ctx.major(row.category_code) : null;
    var a = { id: row.id, source: row.source, major: major, hour: Math.floor(offset / HOUR_MS) };
    st.arrivals.push(a); // before the first summary too: adopt() adds those it does not count
    st.counted++;
    if (!data) return;
    addArrival(data, a);
    if (!st.arrivalTimer) {
      st.arrivalTimer = setTimeout(function () {
        st.arrivalTimer = 0;
        panels.renderCharts();
      }, ARRIVAL_REDRAW_MS);
    }
  };

  /** A fresh summary counts every case up to its max_case_id: keep only the arrivals beyond it, on top of it. */
  function adopt(data) {
    var keep = typeof data.max_case_id === "number" ? data.max_case_id : Infinity;
    st.arrivals = st.arrivals.filter(function (a) {
      return a.id > keep;
    });
    st.arrivals.forEach(function (a) {
      addArrival(data, a);
    });
    st.data = data;
    // Cases this wall knows of but did not count as arrivals (its snapshot) are newer than this summary: it was
    // fetched before the snapshot came.
    if (keep < st.uncountedUpTo) refetchSoon();
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
    if (st.data && typeof st.data.max_case_id === "number" && st.data.max_case_id < id) refetchSoon();
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
    // Charts wait for the map (allowCharts), but not for ever.
    setTimeout(panels.allowCharts, 8000);
    fetchSummary();
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
