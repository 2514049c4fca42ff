/* GridCommand dispatch desk: the queue model — which rows each tab shows, the street filter, the tab counts, the
 * queue's orderings and the text quick search matches. Pure (no DOM).
 *
 * `model` is the page's state or a model from 05-config.js (terminal states, names); `t` is the server's time in ms
 * (deadlines are the server's). Rows are CASE_ROWs as decorate() leaves them: `_due`, `_start` and `_at` in ms.
 *
 * Loaded as a plain script (gridcmdDesk.queue) and by `require` under Node (tests/js/desk-queue.test.js).
 */
(function (root, factory) {
  "use strict";
  var config = typeof module !== "undefined" && module.exports ? require("./05-config.js") : root.gridcmdDesk.config;
  var api = factory(config);
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  else (root.gridcmdDesk = root.gridcmdDesk || {}).queue = api;
})(typeof self !== "undefined" ? self : this, function (config) {
  "use strict";

  /** The row with its times parsed once: `_due` (deadline), `_start` (stage start), `_at` (reported). */
  function decorate(row) {
    row._due = row.deadline ? Date.parse(row.deadline) : null;
    row._start = row.stage_start ? Date.parse(row.stage_start) : null;
    row._at = row.reported_at ? Date.parse(row.reported_at) : 0;
    return row;
  }

  /** Past its deadline with the clock running (a suspended or finished case has no running clock). */
  function isOverdue(row, t, model) {
    return !!row._due && row._due < t && row.state !== "suspended" && !model.terminal.has(row.state);
  }

  // Tab -> which rows it shows, in the order a dispatcher works them (the page's data-config names the tabs shown).
  var TABS = {
    all: function (r) {
      return r.state !== "closed";
    },
    reported: function (r) {
      return r.state === "reported";
    },
    to_dispatch: function (r) {
      return r.state === "filed" || r.state === "returned";
    },
    handling: function (r) {
      return r.state === "dispatched" || r.state === "handling";
    },
    to_verify: function (r) {
      return r.state === "handled";
    },
    overdue: function (r, t, model) {
      return isOverdue(r, t, model);
    },
    supervised: function (r) {
      return r.supervision_count > 0 && r.state !== "closed";
    },
    suspended: function (r) {
      return r.state === "suspended";
    },
    closed: function (r) {
      return r.state === "closed";
    },
  };
  var TAB_NAMES = Object.keys(TABS);

  /** The street filter: "" every row, "district" escalated cases, else one street's code. */
  function streetPass(row, street) {
    if (!street) return true;
    if (street === "district") return row.tier === "district";
    return row.street_code === street;
  }

  /** Whether `row` shows on `tab` (an unknown tab shows what "all" does) under the street filter. */
  function shows(row, tab, street, t, model) {
    var test = Object.prototype.hasOwnProperty.call(TABS, tab) ? TABS[tab] : TABS.all;
    return test(row, t, model) && streetPass(row, street);
  }

  /** {counts: {tab: n}, open: n} over `rows` (any iterable with forEach) under the street filter. */
  function counts(rows, tabs, street, t, model) {
    var out = {};
    tabs.forEach(function (k) {
      out[k] = 0;
    });
    var open = 0;
    rows.forEach(function (r) {
      if (!streetPass(r, street)) return;
      if (r.state !== "closed") open++;
      for (var i = 0; i < tabs.length; i++) if (TABS[tabs[i]](r, t, model)) out[tabs[i]]++;
    });
    return { counts: out, open: open };
  }

  /** Report time to the second, then case id: reports in the same second keep their arrival order. */
  function compareReported(x, y) {
    if (!x || !y) return 0;
    return x._at - y._at || x.id - y.id;
  }

  /** Deadline (ms or null) order: soonest first, cases without a running clock last whichever way (`desc`). */
  function compareDue(a, b, desc) {
    if (a === b) return 0;
    if (a === null || a === undefined) return desc ? -1 : 1;
    if (b === null || b === undefined) return desc ? 1 : -1;
    return a - b;
  }

  /** What quick search matches in a column: names as shown (and the grid's code), not the codes behind them. */
  function searchText(row, field, value, model) {
    if (field === "source") return config.s(model, "source." + row.source);
    if (field === "grid_code") return config.located(row) ? config.gridName(model, row.grid_code) + " " + row.grid_code : config.placeLabel(model, row);
    if (field === "state") return config.stateLabel(model, row.state);
    if (field === "department_code") return config.deptName(model, row.department_code);
    return String(value || "");
  }

  /** A cell's tooltip: names cut with an ellipsis in the cell, whole; the description's full text. */
  function tooltip(row, field, value, formatted, model) {
    if (field === "grid_code") return config.located(row) ? config.gridName(model, row.grid_code) + " · " + row.grid_code : config.placeLabel(model, row);
    if (field === "department_code") return config.deptName(model, row.department_code);
    if (field === "description") return String(row.description || ""); // the cell shows the first line only
    return formatted || value || "";
  }

  return {
    TABS: TABS,
    TAB_NAMES: TAB_NAMES,
    decorate: decorate,
    isOverdue: isOverdue,
    streetPass: streetPass,
    shows: shows,
    counts: counts,
    compareReported: compareReported,
    compareDue: compareDue,
    searchText: searchText,
    tooltip: tooltip,
  };
});
