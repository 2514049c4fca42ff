// Unit tests of the shared text helper (assets/shared/text.js), loaded as the browser loads it:
// `node --test tests/js/` (run by `make test`). Which URLs from data may become an href/src, and Plotly escaping.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const path = require("node:path");

const text = require(path.join(__dirname, "..", "..", "assets", "shared", "text.js"));

const ORIGIN = "https://grid.example";

test("http(s) URLs and paths of our own origin are links", () => {
  assert.equal(text.url("https://img.example/a.jpg", ORIGIN), "https://img.example/a.jpg");
  assert.equal(text.url("HTTP://img.example/a.jpg?x=1#y", ORIGIN), "http://img.example/a.jpg?x=1#y");
  assert.equal(text.url("/photos/2024/a.jpg", ORIGIN), "https://grid.example/photos/2024/a.jpg");
  assert.equal(text.url("/static/a%20b", ORIGIN), "https://grid.example/static/a%20b");
});

test("every other scheme, and anything a browser would rewrite first, stays text", () => {
  const refused = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "\u0000javascript:alert(1)",
    "javascript&colon;alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "data:image/png;base64,AAAA",
    "vbscript:msgbox(1)",
    "blob:https://grid.example/1",
    "file:///etc/passwd",
    "//evil.example/a.jpg",
    "/\\evil.example/a.jpg",
    "\\\\evil.example/a.jpg",
    "/\t/evil.example/a.jpg",
    "/static/a b.jpg",
    "https:evil.example",
    "https:///evil.example",
    "photos/a.jpg",
    "./a.jpg",
    "?x=1",
    "#top",
    "",
    "x".repeat(5000),
  ];
  for (const raw of refused) assert.equal(text.url(raw, ORIGIN), null, JSON.stringify(raw));
  for (const raw of [null, undefined, 42, {}, ["https://a.example/"]]) assert.equal(text.url(raw, ORIGIN), null);
});

test("a local path needs an origin to resolve against", () => {
  assert.equal(text.url("/static/a.jpg"), null); // under Node there is no page, hence no origin
  assert.equal(text.url("https://img.example/a.jpg"), "https://img.example/a.jpg");
});

test("plotly() escapes the markup Plotly reads in labels, and only that", () => {
  assert.equal(text.plotly("<img src=x onerror=alert(1)>"), "&lt;img src=x onerror=alert(1)&gt;");
  assert.equal(text.plotly('"><svg onload=alert(1)>'), '"&gt;&lt;svg onload=alert(1)&gt;');
  assert.equal(text.plotly("A&amp;B <br> 城管"), "A&amp;amp;B &lt;br&gt; 城管");
  assert.equal(text.plotly("朝阳街道"), "朝阳街道");
  assert.equal(text.plotly(null), "");
  assert.equal(text.plotly(7), "7");
});
