// The wall's charts (assets/screen/41-panels.js) are drawn as soon as the first summary and Plotly are in, without
// waiting for the map to complete: Plotly starts loading with the panels. Run in a fake page. `node --test tests/js/`.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");

const ASSETS = path.join(__dirname, "..", "..", "assets");
const FILES = ["shared/text.js", "screen/14-format.js", "screen/15-arrivals.js", "screen/40-charts.js", "screen/41-panels.js"];

const SUMMARY = {
  at: "2026-11-22T09:00:00+08:00",
  day_start: "2026-11-22T00:00:00+08:00",
  tiles: { reported: 3, filed: 1, closed: 1, self_handled: 0, handle_rate: null, on_time_close_rate: null, first_time_rate: null, satisfaction_rate: null },
  yesterday: { reported: 2, filed: 1, closed: 0, self_handled: 0, handle_rate: null, on_time_close_rate: null, first_time_rate: null, satisfaction_rate: null },
  by_major: [{ major: "市容环境", count: 3 }],
  sources: [{ source: "wechat", count: 3 }],
  hourly: { yesterday: new Array(24).fill(0), today: [0, 0, 0, 0, 0, 0, 0, 0, 0, 3], hour: 9 },
  ranking: { days: 30, streets: [] },
  max_case_id: 3,
};

const BASIC = "/static/vendor/plotly-basic.min.js?m=1";

function page() {
  const drawn = [];
  const scripts = [];
  const elements = new Map();
  const el = (id) => {
    if (!elements.has(id)) {
      // The root names the basic bundle the layout serves (layouts/screen.py plotly_url).
      const attrs = id === "screen-root" ? { "data-plotly-url": BASIC } : {};
      const getAttribute = (name) => (name in attrs ? attrs[name] : null);
      elements.set(id, { id, textContent: "", className: "", clientWidth: 300, clientHeight: 200, getAttribute });
    }
    return elements.get(id);
  };
  const win = { gridcmd: {} };
  const doc = {
    readyState: "complete",
    addEventListener() {},
    getElementById: el,
    createElement: () => ({}),
    head: {
      appendChild(script) {
        scripts.push(script.src);
        setTimeout(() => {
          win.Plotly = { react: (gd) => drawn.push(gd.id) };
          script.onload();
        }, 5);
      },
    },
  };
  win._dashPlotlyJSURL = "/plotly.min.js";
  const fetch = async () => ({ ok: true, json: async () => JSON.parse(JSON.stringify(SUMMARY)) });
  for (const file of FILES) {
    const src = fs.readFileSync(path.join(ASSETS, file), "utf8");
    new Function("window", "self", "document", "fetch", src)(win, win, doc, fetch);
  }
  return { win, drawn, scripts };
}

test("charts draw from the first summary without waiting for the map", async () => {
  const { win, drawn, scripts } = page();
  const panels = win.gridcmd.screenPanels;
  panels.start({ strings: {}, scale: 1, periodS: 60, template: null, today: () => 3, newestId: () => 0, major: () => null });
  try {
    assert.deepEqual(scripts, [BASIC]); // Plotly's basic bundle is on its way at once, with the summary
    const deadline = Date.now() + 3000;
    while (drawn.length < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    // Never told the map is complete (allowCharts): all four charts are drawn all the same, within a second.
    assert.deepEqual(drawn.sort(), ["screen-chart-major", "screen-chart-ranking", "screen-chart-source", "screen-chart-trend"]);
  } finally {
    panels.stop();
  }
});
