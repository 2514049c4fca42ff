// Unit tests of the case panel's photo groups (assets/dispatch/16-photos.js): 上报 / 处置前 / 处置后 from
// GET /api/v1/cases/{id}'s photo_items, thumbnails for photos of ours, text links for other hosts.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");

const { desk } = require("./desk-fixture.js");

const photos = desk("16-photos.js");
const SHA = "ab".repeat(32);
const ours = (kind, n = 0) => ({ url: `/media/${SHA.slice(0, 62)}${n}${n}.jpg`, thumb: `/media/${SHA}/thumb`, kind });

test("photos are grouped report, before, after; the department's handled photos show as after", () => {
  const detail = {
    photo_items: [ours("handled", 1), ours("report", 2), ours("after", 3), ours("before", 4), ours("report", 5)],
  };
  const groups = photos.groups(detail);
  assert.deepEqual(
    groups.map((g) => [g.key, g.entries.map((e) => e.kind)]),
    [
      ["report", ["report", "report"]],
      ["before", ["before"]],
      ["after", ["handled", "after"]],
    ]
  );
  assert.deepEqual(groups[0].entries.map((e) => e.n), [1, 2]); // numbered within the group, for the alt text
});

test("a photo of ours shows its thumbnail and opens the full image; another host's stays a link", () => {
  const [entry] = photos.entries({ photo_items: [ours("report", 1)] });
  assert.equal(entry.src, `/media/${SHA}/thumb`);
  assert.ok(entry.href.endsWith("11.jpg"));
  const [link] = photos.entries({ photo_items: [{ url: "https://oss.example.cn/a.jpg", thumb: null, kind: "handled" }] });
  assert.equal(link.src, null); // CSP img-src is this origin: no <img> that could never load
  assert.equal(photos.groupOf(link.kind), "after");
});

test("an older detail with only `photos` URLs still shows them as reported photos", () => {
  const entries = photos.entries({ photos: ["/photos/2024/a.jpg", "https://x.example/b.jpg", "javascript:alert(1)"] });
  assert.deepEqual(
    entries.map((e) => [e.src, e.kind]),
    [
      ["/photos/2024/a.jpg", "report"],
      [null, "report"],
      [null, "report"],
    ]
  );
  assert.deepEqual(photos.groups(null), []);
  assert.deepEqual(photos.groups({ photo_items: [] }), []);
});

test("an unknown kind joins the reported group and at most 18 photos are shown", () => {
  const many = Array.from({ length: 25 }, (_, i) => ({ url: `/media/${SHA}.jpg`, thumb: null, kind: i ? "report" : "x" }));
  const groups = photos.groups({ photo_items: many });
  assert.equal(groups.length, 1);
  assert.equal(groups[0].entries.length, photos.MAX_SHOWN);
});

test("alt text fills the template from layouts/i18n.py", () => {
  assert.equal(photos.altText("{kind}照片 {n}", "处置前", 2), "处置前照片 2");
  assert.equal(photos.altText("{kind} photo {n}", "<b>x</b>", 1), "<b>x</b> photo 1"); // set as a property: text
});
