/* GridCommand dispatch desk: the text of the queue's description and 批示 cells, of the panel's long description, of a
 * suggested patrol, and the desk's layout choices by window width (the map's fold, the queue's columns). Pure (no DOM): every value here becomes text
 * (textContent, an AG Grid value), never markup.
 *
 * Loaded as a plain script (gridcmdDesk.cells) and by `require` under Node (tests/js/desk-cells.test.js).
 */
(function (root, factory) {
  "use strict";
  var api = factory();
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  else (root.gridcmdDesk = root.gridcmdDesk || {}).cells = api;
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  var CLAMP_CHARS = 140; // a description longer than this (or of more than CLAMP_LINES lines) is clamped in the panel
  var CLAMP_LINES = 4;
  var NARROW_PX = 1280; // below this width the desk opens with the map folded away: the queue comes first

  /** The description's first non-empty line, trimmed ("" for none). */
  function firstLine(text) {
    var lines = String(text === null || text === undefined ? "" : text).split(/\r\n|\r|\n/);
    for (var i = 0; i < lines.length; i++) {
      var line = lines[i].trim();
      if (line) return line;
    }
    return "";
  }

  /** Whether the panel clamps this description (and offers 展开). */
  function isLong(text) {
    var t = String(text || "");
    return t.length > CLAMP_CHARS || t.split(/\r\n|\r|\n/).length > CLAMP_LINES;
  }

  /** The 批示 mark of a row: "批示×N" (`label` the command's name), "" when there is none. */
  function instructionMark(row, label) {
    var n = (row && row.instruction_count) || 0;
    return n > 0 ? label + "×" + n : "";
  }

  /** A suggested patrol as the desk lists it: name (or its code when off the roster), phone, distance text. */
  function patrolParts(p, distanceText) {
    return {
      name: p.name || p.id,
      code: p.name ? p.id : "",
      phone: p.phone || "",
      distance: distanceText,
    };
  }

  /** A patrol's one-line label (the dispatch dialog's radio): "张三 · 138… · 120米", or "code · 120米". */
  function patrolLabel(p, distanceText) {
    var parts = patrolParts(p, distanceText);
    return [parts.name, parts.phone, parts.distance].filter(Boolean).join(" · ");
  }

  /** Whether the map starts folded at this window width (the dispatcher's own choice, when made, wins). */
  function mapFolded(width, saved) {
    if (saved === "1") return true;
    if (saved === "0") return false;
    return width < NARROW_PX;
  }

  // Columns a narrow queue leaves out (the panel still shows them), widest screens first: below 1600 px the source
  // and the department, below 1280 px the report time too (the queue stays sorted by it).
  var NARROW_COLUMNS = [
    [1600, ["source", "department_code"]],
    [1280, ["reported_at"]],
  ];

  /** The queue's column ids hidden at this window width. */
  function hiddenColumns(width) {
    var out = [];
    NARROW_COLUMNS.forEach(function (step) {
      if (width < step[0]) out = out.concat(step[1]);
    });
    return out;
  }

  /** Every column id hiddenColumns() may hide. */
  function narrowColumns() {
    return hiddenColumns(0);
  }

  return {
    CLAMP_CHARS: CLAMP_CHARS,
    hiddenColumns: hiddenColumns,
    narrowColumns: narrowColumns,
    NARROW_PX: NARROW_PX,
    firstLine: firstLine,
    isLong: isLong,
    instructionMark: instructionMark,
    patrolParts: patrolParts,
    patrolLabel: patrolLabel,
    mapFolded: mapFolded,
  };
});
