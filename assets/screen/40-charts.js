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

  /** "1,877": thousands grouped, as the tiles show counts. */
  function grouped(n) {
    return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  }

  /** The chart's plot size in px (`c.width`/`c.height`: its box, read by 41-panels.js; 1080p defaults). */
  function box(c) {
    var k = c.scale;
    return { w: c.width || 300 * k, h: c.height || 220 * k };
  }

  /**
   * A category axis with every label shown: Plotly thins out category ticks it thinks too dense, so the ticks are
   * given explicitly, in a font that fits one bar's pitch (`rows` bars in `plotH` px).
   */
  function everyLabel(c, names, plotH, maxSize) {
    var pitch = plotH / Math.max(1, names.length);
    var size = Math.max(9 * c.scale, Math.min(maxSize, pitch * 0.72));
    return { tickmode: "array", tickvals: names.slice(), ticktext: names.slice(), tickfont: { size: size, color: "#e6f1ff" } };
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
      {
        xaxis: axis(c, { showgrid: true, rangemode: "tozero" }),
        yaxis: axis(c, everyLabel(c, named.map(function (r) { return r.name; }), box(c).h - 16 * k, 15 * k)),
      }
    );
  }

  /** The donut's centre total: as large as 26 px at 1080p, but never wider than the hole (0.6 of the pie). */
  function centreFont(c, label) {
    var k = c.scale;
    var b = box(c);
    var pie = Math.min((b.w - 12 * k) * 0.5, b.h - 12 * k); // the pie's domain is the left half
    var hole = 0.6 * pie;
    var width = 0; // in em: digits about 0.6, separators about 0.3
    for (var i = 0; i < label.length; i++) width += /[0-9]/.test(label[i]) ? 0.6 : 0.3;
    return Math.max(8 * k, Math.min(26 * k, (0.82 * hole) / Math.max(width, 0.6)));
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
          {
            text: grouped(total),
            showarrow: false,
            font: { size: centreFont(c, grouped(total)), color: "#2ee6ff" },
            x: 0.25,
            y: 0.5,
            // Centred on the hole: Plotly's "auto" anchors a paper annotation by its nearest side (left at 0.25),
            // so the total started at the centre and its last digits ran under the ring ("2,000" read "2,00").
            xanchor: "center",
            yanchor: "middle",
            xref: "paper",
            yref: "paper",
          },
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

  var GAP = "⋯"; // the separator row between the best and the worst streets

  /**
   * The bars of the street ranking, bottom first: only streets with cases due in the window have a rate and a rank
   * (true ranks, 1 = best); ten bars stay readable from 10 m, so with more ranked streets the best five, a
   * separator row and the worst five. Streets with nothing due are not listed (none at all: `rankingRows` is empty
   * and the chart says so). Names are escaped for Plotly (it reads markup in labels; street names are data).
   */
  function rankingRows(streets) {
    var ranked = [];
    streets.forEach(function (r) {
      if (r.rate === null || r.rate === undefined) return; // nothing due in the window: no rate, no rank
      var rank = ranked.length + 1;
      ranked.push({ label: rank + ". " + text.plotly(r.name), rate: r.rate, due: r.due, onTime: r.closed_on_time });
    });
    var rows = ranked.length > 10 ? ranked.slice(0, 5).concat([{ label: GAP, rate: null, gap: true }], ranked.slice(-5)) : ranked;
    return rows.reverse();
  }

  /** A street's bar colour by its on-time rate: green from 95 %, amber from 90 %, red below, grey without one. */
  function rateColor(rate) {
    if (rate === null) return "#5b6b80";
    return rate >= 0.95 ? "#3ee07a" : rate >= 0.9 ? "#ffb02e" : "#ff4d4f";
  }

  function rankText(r) {
    if (r.gap) return "";
    var pct = (r.rate * 100).toFixed(1) + "%";
    return r.due ? pct + "  " + r.onTime + "/" + r.due : pct; // "100.0%  3/3": how many it was measured on
  }

  function ranking(data, c) {
    var k = c.scale;
    var rows = rankingRows(data.streets);
    var labels = rows.map(function (r) { return r.label; });
    var extra = {
      xaxis: axis(c, { range: [0, 130], showgrid: false, showticklabels: false, zeroline: false }),
      yaxis: axis(c, everyLabel(c, labels, box(c).h - 16 * k, 14 * k)),
    };
    if (!rows.length) {
      // Nothing due in the window yet: say so, instead of bars of nothing.
      extra.xaxis.visible = false;
      extra.yaxis = axis(c, { visible: false });
      extra.annotations = [
        { text: str(c, "screen.chart.none_due"), showarrow: false, x: 0.5, y: 0.5, xref: "paper", yref: "paper", font: { size: 18 * k, color: "#a9c3e6" } },
      ];
    }
    return figure(
      c,
      [
        {
          type: "bar",
          orientation: "h",
          y: labels,
          x: rows.map(function (r) { return r.gap ? 0 : r.rate * 100; }),
          text: rows.map(rankText),
          textposition: "outside",
          cliponaxis: false,
          textfont: { size: 13 * k, color: "#e6f1ff" },
          marker: { color: rows.map(function (r) { return rateColor(r.rate); }) },
        },
      ],
      extra
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
    centreFont: centreFont,
    grouped: grouped,
    GAP: GAP,
    rateColor: rateColor,
  };
});
