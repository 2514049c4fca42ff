/* GridCommand big screen: the figures of the four Plotly charts (major classes, sources, 24-hour trend, street
 * ranking) from a summary's figures. Pure (no DOM, no Plotly): loaded as a plain script (window.gridcmd.screenCharts)
 * and by `require` under Node (tests/js/screen-panels.test.js); 41-panels.js hands the figures to Plotly.react.
 *
 * Each figure is {data, layout} for `c` = {scale, strings, template}: sizes follow the wall (`scale`: 1 at 1080p),
 * the layout starts from the server's dark template (data-chart-template). Names from data are escaped for Plotly,
 * which reads markup (<b>, <br>, <a href>) in labels.
 */
(function (root, factory) {
  "use strict";
  if (typeof module !== "undefined" && module.exports) module.exports = factory(require("../shared/text.js"));
  else (root.gridcmd = root.gridcmd || {}).screenCharts = factory(root.gridcmdText);
})(typeof self !== "undefined" ? self : this, function (text) {
  "use strict";

  var SOURCE_COLORS = {
    grid_worker: "#2ee6ff",
    hotline_12345: "#ffb02e",
    wechat: "#3ee07a",
    video: "#b18cff",
    open311: "#4da3ff",
    leader: "#ff6b6b",
  };

  /** The layout each chart shares: the server's dark template (data-chart-template), sized for this wall. */
  function baseLayout(c, extra) {
    var k = c.scale;
    var layout = {
      template: c.template,
      font: { size: 15 * k, color: "#cfe3ff" },
      margin: { l: 8 * k, r: 16 * k, t: 8 * k, b: 8 * k, pad: 4 * k },
      showlegend: false,
      bargap: 0.32,
      uniformtext: { mode: "hide", minsize: 11 * k },
    };
    return Object.assign(layout, extra);
  }

  function axis(c, extra) {
    var k = c.scale;
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

  /** A chart's figure: its traces, and the shared layout with `extra` on top. */
  function figure(c, data, extra) {
    return { data: data, layout: baseLayout(c, extra) };
  }

  function str(c, key) {
    return c.strings[key] || key;
  }

  function major(rows, c) {
    var k = c.scale;
    var named = rows.map(function (r) {
      // Escaped: Plotly reads markup (<b>, <br>, <a href>) in axis labels, and category names come from imports.
      return { name: r.major ? text.plotly(r.major) : str(c, "screen.chart.uncategorised"), count: r.count };
    });
    named.reverse(); // largest at the top of a horizontal bar chart
    return figure(
      c,
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
      { xaxis: axis(c, { showgrid: true, rangemode: "tozero" }), yaxis: axis(c, { tickfont: { size: 15 * k, color: "#e6f1ff" } }) }
    );
  }

  function source(rows, c) {
    var k = c.scale;
    var total = rows.reduce(function (n, r) {
      return n + r.count;
    }, 0);
    return figure(
      c,
      [
        {
          type: "pie",
          hole: 0.6,
          sort: false,
          direction: "clockwise",
          // The legend carries name and count ("网格员 14"); slices carry their share.
          labels: rows.map(function (r) { return str(c, "source." + r.source) + " " + r.count; }),
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

  function trend(hourly, c) {
    var k = c.scale;
    var hours = [];
    for (var h = 0; h < 24; h++) hours.push(h);
    return figure(
      c,
      [
        {
          type: "scatter",
          mode: "lines",
          name: str(c, "screen.chart.yesterday"),
          x: hours,
          y: hourly.yesterday,
          line: { color: "#8aa4c4", width: 2 * k, dash: "dot", shape: "spline" },
        },
        {
          type: "scatter",
          mode: "lines+markers",
          name: str(c, "screen.chart.today"),
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
        xaxis: axis(c, { range: [-0.3, 23.3], tickvals: [0, 3, 6, 9, 12, 15, 18, 21], ticksuffix: ":00", showgrid: false }),
        yaxis: axis(c, { rangemode: "tozero" }),
      }
    );
  }

  /**
   * The bars of the street ranking, bottom first: streets with cases due in the window have a rate and a rank, the
   * others follow unnumbered; ten bars stay readable from 10 m, so with more ranked streets the best five and the
   * last five. Names are escaped for Plotly (it reads markup in labels; street names are data).
   */
  function rankingRows(streets) {
    var ranked = [];
    var unranked = [];
    streets.forEach(function (r) {
      var name = text.plotly(r.name);
      if (r.rate === null) unranked.push({ label: name, rate: null });
      else ranked.push({ label: ranked.length + 1 + ". " + name, rate: r.rate });
    });
    var rows = ranked.length > 10 ? ranked.slice(0, 5).concat(ranked.slice(-5)) : ranked.concat(unranked).slice(0, 10);
    return rows.reverse();
  }

  /** A street's bar colour by its on-time rate: green from 95 %, amber from 90 %, red below, grey without one. */
  function rateColor(rate) {
    if (rate === null) return "#5b6b80";
    return rate >= 0.95 ? "#3ee07a" : rate >= 0.9 ? "#ffb02e" : "#ff4d4f";
  }

  function ranking(data, c) {
    var k = c.scale;
    var rows = rankingRows(data.streets);
    return figure(
      c,
      [
        {
          type: "bar",
          orientation: "h",
          y: rows.map(function (r) { return r.label; }),
          x: rows.map(function (r) { return r.rate === null ? 0 : r.rate * 100; }),
          text: rows.map(function (r) { return r.rate === null ? str(c, "screen.chart.no_due") : (r.rate * 100).toFixed(1) + "%"; }),
          textposition: "outside",
          cliponaxis: false,
          textfont: { size: 14 * k, color: "#e6f1ff" },
          marker: { color: rows.map(function (r) { return rateColor(r.rate); }) },
        },
      ],
      {
        xaxis: axis(c, { range: [0, 118], showgrid: false, showticklabels: false, zeroline: false }),
        yaxis: axis(c, { tickfont: { size: 14 * k, color: "#e6f1ff" } }),
      }
    );
  }

  // Each chart: its name (element screen-chart-<name>), its input in a summary, and its figure.
  var CHARTS = [
    ["major", function (d) { return d.by_major; }, major],
    ["source", function (d) { return d.sources; }, source],
    ["trend", function (d) { return d.hourly; }, trend],
    ["ranking", function (d) { return d.ranking; }, ranking],
  ];

  return {
    CHARTS: CHARTS,
    major: major,
    source: source,
    trend: trend,
    ranking: ranking,
    rankingRows: rankingRows,
    rateColor: rateColor,
  };
});
