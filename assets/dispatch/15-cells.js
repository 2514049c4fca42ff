/* GridCommand dispatch desk: the text of the queue's description, 督办 (with the answer to it) and 批示 cells, of the
 * panel's answer line and long description, of a suggested patrol, and the desk's layout choices by window width
 * (the map's fold, the queue's columns). Pure (no DOM): every value here becomes text (textContent, an AG Grid
 * value), never markup.
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

  /**
   * The open 督办's answer, as the leader pass reads it (dashboard/domain/leader.py reply_status, against the desk's
   * clock so a waiting reply turns overdue as its deadline passes): {status, by, at, who}, status null (never
   * supervised), "acked" (回复督办 done), "overdue" (its reply_by passed unanswered) or "pending"; `by` and `at` ms.
   */
  function supervisionReply(row, nowMs) {
    if (!row || !(row.supervision_count > 0)) return { status: null, by: null, at: null, who: "" };
    var by = row.supervision_reply_by ? Date.parse(row.supervision_reply_by) : NaN;
    by = isFinite(by) ? by : null;
    if (row.supervision_acked_at) {
      return { status: "acked", by: by, at: Date.parse(row.supervision_acked_at), who: row.supervision_acked_by || "" };
    }
    return { status: by !== null && by < nowMs ? "overdue" : "pending", by: by, at: null, who: "" };
  }

  /** The 督办 cell: "×N", with the answer's word (`words[status]`) once a reply was asked for (reply_by) or given. */
  function supervisionMark(row, nowMs, words) {
    var n = (row && row.supervision_count) || 0;
    if (!n) return "";
    var r = supervisionReply(row, nowMs);
    var asked = r.by !== null || r.status === "acked";
    return asked && words[r.status] ? "×" + n + " " + words[r.status] : "×" + n;
  }

  /** The cell's class: the answer's status once a reply was asked for or given ("dq-sup dq-sup-overdue" …). */
  function supervisionClass(row, nowMs) {
    var r = supervisionReply(row, nowMs);
    return r.status && (r.by !== null || r.status === "acked") ? "dq-sup dq-sup-" + r.status : "dq-sup";
  }

  /**
   * The panel's line on the answer: "待回复 · 限 14:30", "逾期未回复 · 限 14:30", "已回复 · 张三 12-03 10:22", plain
   * "待回复" when no deadline was asked; "" when never supervised. `s(key, vars)` the desk's strings, `when(ms)` a
   * time as the desk writes it.
   */
  function replyText(row, nowMs, s, when) {
    var r = supervisionReply(row, nowMs);
    if (!r.status) return "";
    if (r.status === "acked") return s("dispatch.reply.acked", { who: r.who, time: isFinite(r.at) ? when(r.at) : "" });
    if (r.by === null) return s("dispatch.reply.pending");
    return s("dispatch.reply." + (r.status === "overdue" ? "overdue" : "pending_by"), { time: when(r.by) });
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
    supervisionReply: supervisionReply,
    supervisionMark: supervisionMark,
    supervisionClass: supervisionClass,
    replyText: replyText,
    patrolParts: patrolParts,
    patrolLabel: patrolLabel,
    mapFolded: mapFolded,
  };
});
