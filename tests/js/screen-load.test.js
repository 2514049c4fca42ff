// The big screen's scripts load as Dash loads them (assets/screen/*.js in name order, after the shared helpers of
// assets/shared/), and each reads only what an earlier one defined. `node --test tests/js/`.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");

const ASSETS = path.join(__dirname, "..", "..", "assets");
const SCREEN = path.join(ASSETS, "screen");
// The shared helpers load first (layouts/dash_app.py shared_scripts: the live client, then the others sorted).
const SHARED = fs
  .readdirSync(path.join(ASSETS, "shared"))
  .filter((name) => name.endsWith(".js") && name !== "live.js")
  .sort()
  .map((name) => path.join(ASSETS, "shared", name));
// Dash (layouts/dash_app.py, assets_folder=assets/screen/) loads the folder's scripts sorted by name.
const FILES = fs
  .readdirSync(SCREEN)
  .filter((name) => name.endsWith(".js"))
  .sort();

/**
 * Run `paths` as plain scripts in one fake page, in that order. Returns the page's window and every read of a
 * window.gridcmd* global or a window.gridcmd.* name that was not there yet and that the reading file did not then
 * define itself (the `ns.x = ns.x || {}` pattern): [file, name]; a script that throws as it loads is [file, "threw: …"].
 */
function load(paths) {
  const early = [];
  let file = null;
  let reads = [];
  const watch = (target, filter) =>
    new Proxy(target, {
      get(t, key) {
        if (typeof key === "string" && filter(key) && !(key in t)) reads.push([file, key, t]);
        return t[key];
      },
    });
  const ns = watch({}, () => true);
  const win = watch({ gridcmd: ns }, (key) => key.startsWith("gridcmd"));
  const doc = { readyState: "complete", addEventListener() {}, getElementById: () => null };
  const loc = { pathname: "/dispatch/" }; // not the wall's URL: nothing starts early
  for (const p of paths) {
    file = path.basename(p);
    reads = [];
    try {
      new Function("window", "self", "document", "location", fs.readFileSync(p, "utf8"))(win, win, doc, loc);
    } catch (e) {
      early.push([file, "threw: " + e.message]);
    }
    for (const [who, key, target] of reads) if (!(key in target)) early.push([who, key]);
  }
  return { win, early };
}

test("every script of the wall is numbered: the load order is explicit", () => {
  assert.ok(FILES.length > 0);
  for (const name of FILES) assert.match(name, /^\d\d-[a-z]+\.js$/, name);
});

test("in Dash's order, no script reads what a later one defines", () => {
  const { early } = load(SHARED.concat(FILES.map((name) => path.join(SCREEN, name))));
  assert.deepEqual(early, []);
});

test("the check bites: in reverse order, or without the shared helpers first, scripts read too early", () => {
  const reversed = load(SHARED.concat(FILES.map((name) => path.join(SCREEN, name)).reverse()));
  assert.ok(reversed.early.some(([who]) => who === "56-handle.js"), JSON.stringify(reversed.early));
  const alone = load(FILES.map((name) => path.join(SCREEN, name)));
  assert.deepEqual(alone.early.filter(([, key]) => key.startsWith("gridcmd")), [
    ["10-deadlines.js", "gridcmdSla"],
    ["14-format.js", "gridcmdFormat"],
    ["40-charts.js", "gridcmdText"],
  ]);
});

test("loaded, the wall offers dash-leaflet its hooks and tests their handle, and draws nothing yet", () => {
  const { win } = load(SHARED.concat(FILES.map((name) => path.join(SCREEN, name))));
  for (const hook of ["attach", "detach", "gridStyle", "gridFeature"]) assert.equal(typeof win.gridcmd[hook], "function", hook);
  const handle = win.gridcmdLive;
  assert.ok(Object.isFrozen(handle));
  assert.equal(handle.state, "idle");
  assert.equal(handle.openCount(), 0);
  assert.equal(handle.tickerKeys(), "");
  assert.equal(handle.summaryFetches(), 0);
  assert.deepEqual(handle.pressure(), []);
  // Before a snapshot a grid is filled by the server's own count (3 open per 1,000 residents: the fourth band).
  const style = win.gridcmd.gridStyle({ properties: { code: "G1", population: 1000, load: 3 } }, { hideout: { steps: [0.5, 1, 2, 4] } });
  assert.equal(style.fillColor, win.gridcmd.screenFormat.LOAD_COLORS[3]);
});

test("no script of the wall is over 400 lines (issue 12)", () => {
  const workers = fs.readdirSync(path.join(SCREEN, "workers")).map((name) => path.join("workers", name));
  for (const name of fs.readdirSync(SCREEN).concat(workers)) {
    if (!fs.statSync(path.join(SCREEN, name)).isFile()) continue; // workers/ is a folder of scripts
    const lines = fs.readFileSync(path.join(SCREEN, name), "utf8").split("\n").length - 1;
    assert.ok(lines <= 400, name + ": " + lines + " lines");
  }
});
