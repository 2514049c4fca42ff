/* GridCommand dispatch desk: the case panel's photos grouped as 上报 / 处置前 / 处置后, from GET /api/v1/cases/{id}.
 * Pure (no DOM): 31-panel.js turns each entry into an <a><img></a> with text properties only.
 *
 * A detail carries `photo_items` (url, thumb, kind per photo; dashboard/services/photos.py) and, for older servers
 * and plain links, `photos` (URLs). A photo of ours shows its thumbnail and opens the full image; a plain link to
 * another host cannot be an <img> (the page's CSP allows images from this origin only), so it stays a text link.
 *
 * Loaded as a plain script (gridcmdDesk.photos) and by `require` under Node (tests/js/desk-photos.test.js).
 */
(function (root, factory) {
  "use strict";
  var api = factory();
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  else (root.gridcmdDesk = root.gridcmdDesk || {}).photos = api;
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  var MAX_SHOWN = 18; // a case keeps at most 18 photos (services/commands.py: 9 reported + 9 before/after)
  // Panel groups in their order, and the photo kinds each shows (a department's 办结 photos are after photos too).
  var GROUPS = [
    { key: "report", kinds: ["report"] },
    { key: "before", kinds: ["before"] },
    { key: "after", kinds: ["after", "handled"] },
  ];

  function isOurs(url) {
    return typeof url === "string" && url.charAt(0) === "/" && url.charAt(1) !== "/";
  }

  /** The detail's photos as entries {href, src, kind}; src is null for a link that cannot be shown inline. */
  function entries(detail) {
    if (!detail) return [];
    var items = Array.isArray(detail.photo_items) ? detail.photo_items : null;
    if (!items) {
      items = (Array.isArray(detail.photos) ? detail.photos : []).map(function (u) {
        return { url: u, thumb: null, kind: "report" };
      });
    }
    return items.slice(0, MAX_SHOWN).map(function (it) {
      var url = it && typeof it.url === "string" ? it.url : String(it && it.url);
      var thumb = it && typeof it.thumb === "string" ? it.thumb : null;
      return { href: url, src: thumb || (isOurs(url) ? url : null), kind: (it && it.kind) || "report" };
    });
  }

  /** The group an entry shows in: its kind's, or 上报 for a kind this desk does not know. */
  function groupOf(kind) {
    for (var i = 0; i < GROUPS.length; i++) if (GROUPS[i].kinds.indexOf(kind) >= 0) return GROUPS[i].key;
    return "report";
  }

  /** Non-empty groups in panel order: [{key, entries}], each entry numbered within its group (n, from 1). */
  function groups(detail) {
    var all = entries(detail);
    var out = [];
    GROUPS.forEach(function (g) {
      var mine = all.filter(function (e) {
        return groupOf(e.kind) === g.key;
      });
      if (mine.length) {
        out.push({
          key: g.key,
          entries: mine.map(function (e, i) {
            return { href: e.href, src: e.src, kind: e.kind, n: i + 1 };
          }),
        });
      }
    });
    return out;
  }

  /** The alt text of an entry: the template's {kind} and {n} filled in (a template from layouts/i18n.py). */
  function altText(template, kindLabel, n) {
    return String(template).replace("{kind}", kindLabel).replace("{n}", String(n));
  }

  return { MAX_SHOWN: MAX_SHOWN, GROUPS: GROUPS, entries: entries, groupOf: groupOf, groups: groups, altText: altText };
});
