/* GridCommand: data is text (STYLE.md habit 15). The one place every view checks a URL from data and escapes
 * text for the few sinks that read markup.
 *
 * Case descriptions, reporters, notes, patrol ids, grid, street, department and category names all come from
 * outside (intake feeds, imports, other users). A view puts them into the page with `textContent` only; where a
 * library would read a string as HTML, it hands over a node or an escaped string from here instead:
 *
 *   gridcmdText.node("span", "dm-tip-text", p.id + " · 120 m")  // for Leaflet's bindTooltip/bindPopup and
 *                                                                // divIcon, which set a string as innerHTML
 *   gridcmdText.plotly(name)   // Plotly reads <b>, <br>, <a href> in labels; escaped, the name shows literally
 *   gridcmdText.url(raw)       // the URL to use as href/src, or null: then show `raw` as text, never a link
 *
 * A URL from data may become an href or a src only when it is http(s), or a path on this origin (one leading
 * `/`, not `//`). Anything else (`javascript:`, `data:`, `vbscript:`, `//evil.example`) is refused, and so is
 * anything a browser would rewrite before reading its scheme: ASCII whitespace and control characters (the URL
 * parser drops tabs and newlines, so "java\tscript:" is "javascript:") and backslashes (read as `/` in http
 * URLs, so "/\evil.example" is "//evil.example").
 *
 * Loaded as a plain script in every view (global `gridcmdText`; layouts/dash_app.py keeps it for each page) and by
 * `require` under Node (tests/js/text.test.js). Views read `window.gridcmdText` when they render, not when they
 * load: Dash loads assets in name order, and this file sorts after some views' own scripts.
 */
(function (root, factory) {
  "use strict";
  var api = factory();
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  else root.gridcmdText = api;
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  var REWRITTEN = /[\u0000-\u0020\u007f-\u009f\\]/; // characters a URL parser drops or reinterprets
  var WEB = /^https?:\/\/[^/]/i;
  var PLOTLY_MARKUP = /[&<>]/g;
  var PLOTLY_ENTITIES = { "&": "&amp;", "<": "&lt;", ">": "&gt;" };

  function here() {
    return typeof location !== "undefined" && location.origin && location.origin !== "null" ? location.origin : null;
  }

  /**
   * `raw` as an absolute URL safe for href/src (http(s), or a path on `origin`), else null.
   * `origin` defaults to the page's own.
   */
  function url(raw, origin) {
    if (typeof raw !== "string" || raw === "" || raw.length > 4096 || REWRITTEN.test(raw)) return null;
    var base = origin || here();
    var local = raw.charAt(0) === "/" && raw.charAt(1) !== "/";
    if (local && !base) return null;
    if (!local && !WEB.test(raw)) return null;
    var parsed;
    try {
      parsed = local ? new URL(raw, base) : new URL(raw);
    } catch (_e) {
      return null;
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return null;
    if (local && parsed.origin !== new URL(base).origin) return null;
    return parsed.href;
  }

  /** `text` escaped for Plotly's label markup (it reads <b>, <br>, <a>, and entities, in every text it draws). */
  function plotly(text) {
    if (text === null || text === undefined) return "";
    return String(text).replace(PLOTLY_MARKUP, function (c) {
      return PLOTLY_ENTITIES[c];
    });
  }

  /** A new element holding `text` as text: for libraries that would set a string as HTML. */
  function node(tag, cls, text) {
    var el = document.createElement(tag || "span");
    if (cls) el.className = cls;
    if (text !== undefined && text !== null) el.textContent = String(text);
    return el;
  }

  return { url: url, plotly: plotly, node: node };
});
