// The map's fit padding (assets/screen/16-fit.js): the tiles across the top and the legend in the south-west
// corner never cover the district. `node --test tests/js/`.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const path = require("node:path");

const fit = require(path.join(__dirname, "..", "..", "assets", "screen", "16-fit.js"));

const MAP = { left: 400, top: 100, right: 1500, bottom: 900 }; // 1100 x 800
const TILES = { left: 420, top: 110, right: 1480, bottom: 190 }; // a strip across the top
const LEGEND = { left: 410, top: 640, right: 560, bottom: 890 }; // a tall box in the bottom-left corner

test("the strip of tiles pads the top, the legend the side it is thinner along", () => {
  const p = fit.padding(MAP, [TILES, LEGEND], 10);
  assert.deepEqual(p.paddingTopLeft, [160 + 10, 90 + 10]);
  assert.deepEqual(p.paddingBottomRight, [10, 10]);
});

test("a wide, low legend pads the bottom instead", () => {
  const wide = { left: 410, top: 820, right: 900, bottom: 890 };
  assert.deepEqual(fit.padding(MAP, [wide], 10).paddingBottomRight, [10, 80 + 10]);
});

test("overlays off the map and no overlays leave only the margin", () => {
  assert.deepEqual(fit.padding(MAP, [{ left: 0, top: 0, right: 300, bottom: 90 }], 8), {
    paddingTopLeft: [8, 8],
    paddingBottomRight: [8, 8],
  });
  assert.deepEqual(fit.padding(MAP, []).paddingTopLeft, [12, 12]);
});
