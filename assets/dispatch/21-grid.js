/* GridCommand dispatch desk: the AG Grid wiring — the cell functions the column definitions name
 * (window.dashAgGridFunctions, layouts/dispatch.py _columns), redraws and filter changes, attaching to the grid.
 * The grid is fed through its JS API only (20-rows.js); what a tab shows and how rows order is the queue model's.
 */
window.gridcmdDesk.part(function (D, st, _h, s) {
  "use strict";

  var queue = D.queue;
  var config = D.config;
  var deadline = D.deadline;
  var fns = (window.dashAgGridFunctions = window.dashAgGridFunctions || {});

  fns.dqLevel = function (p) {
    return (p.data && p.data.level) || s("dispatch.unrated");
  };
  fns.dqLevelClass = function (p) {
    return "dq-lvl dq-lvl-" + ((p.data && p.data.level) || "n").toLowerCase();
  };
  fns.dqTime = function (p) {
    if (!p.data || !p.data._at || !st.clock) return "";
    return st.clock.sameDay(p.data._at, D.now()) ? st.clock.hms(p.data._at) : st.clock.mdhm(p.data._at);
  };
  fns.dqSource = function (p) {
    return p.data ? s("source." + p.data.source) : "";
  };
  fns.dqGrid = function (p) {
    return p.data ? config.placeLabel(st, p.data) : "";
  };
  fns.dqGridClass = function (p) {
    return p.data && !config.located(p.data) ? "dq-unlocated" : "";
  };
  fns.dqCategory = function (p) {
    return (p.data && p.data.category) || s("dispatch.uncategorised");
  };
  fns.dqState = function (p) {
    return p.data ? config.stateLabel(st, p.data.state) : "";
  };
  fns.dqStateClass = function (p) {
    return "dq-state dq-st-" + (p.data ? p.data.state : "");
  };
  fns.dqDept = function (p) {
    return p.data ? config.deptName(st, p.data.department_code) : "";
  };
  var SUP_WORDS = null; // the answer's short words in the 督办 cell, read once from the strings
  fns.dqSupervision = function (p) {
    if (!p.data) return "";
    SUP_WORDS = SUP_WORDS || { pending: s("dispatch.sup.pending"), acked: s("dispatch.sup.acked"), overdue: s("dispatch.sup.overdue") };
    return D.cells.supervisionMark(p.data, D.now(), SUP_WORDS);
  };
  fns.dqSupervisionClass = function (p) {
    return p.data ? D.cells.supervisionClass(p.data, D.now()) : "dq-sup";
  };
  fns.dqDescription = function (p) {
    return p.data ? D.cells.firstLine(p.data.description) : "";
  };
  fns.dqInstruction = function (p) {
    return D.cells.instructionMark(p.data, config.cmdLabel(st, "instruct"));
  };
  fns.dqCountdown = function (p) {
    return p.data ? deadline.countdownText(p.data, D.now(), st) : "";
  };
  fns.dqCountdownClass = function (p) {
    return p.data ? "dq-due " + deadline.dueClass(p.data, D.now(), st) : "dq-due";
  };
  fns.dqCompareReported = function (_a, _b, na, nb) {
    return queue.compareReported(na && na.data, nb && nb.data);
  };
  fns.dqCompareDue = function (a, b, _na, _nb, desc) {
    return queue.compareDue(a, b, desc);
  };
  fns.dqQuickText = function (p) {
    return p.data ? queue.searchText(p.data, p.colDef.field, p.value, st) : "";
  };
  fns.dqTip = function (p) {
    return p.data ? queue.tooltip(p.data, p.colDef.field, p.value, p.valueFormatted, st) : "";
  };
  fns.dqIsPrimary = function (p) {
    return !!p.data && p.data.id === st.primary;
  };
  fns.dqIsMulti = function (p) {
    return !!p.data && st.multi.has(p.data.id);
  };
  fns.dqIsNew = function (p) {
    return !!p.data && st.fresh.has(p.data.id);
  };
  fns.dqFilterPresent = function () {
    return true;
  };
  fns.dqFilterPass = function (node) {
    return !!node.data && queue.shows(node.data, st.tab, st.street, D.now(), st);
  };

  /** The grid's row node of case `id`, or null. */
  D.nodeOf = function (id) {
    var row = st.cases.get(id);
    return row && st.api ? st.api.getRowNode(row.code) : null;
  };

  /** Redraw the rows of these case ids (their row classes: selection, highlight). */
  D.redraw = function (ids) {
    if (!st.api) return;
    var nodes = [];
    ids.forEach(function (id) {
      var node = D.nodeOf(id);
      if (node) nodes.push(node);
    });
    if (nodes.length) st.api.redrawRows({ rowNodes: nodes });
  };

  /** The tab, the street or the clock changed what the filter passes. */
  D.refilter = function () {
    if (st.api) st.api.onFilterChanged();
    D.scheduleRender();
  };

  function onRowClicked(e) {
    if (!e.data) return;
    var ev = e.event || {};
    if (ev.shiftKey || ev.ctrlKey || ev.metaKey) D.toggleMulti(e.data.id);
    else D.select(e.data.id, { scroll: false });
  }

  /** Show the queue's columns that fit the window (15-cells.js hiddenColumns); the panel shows the others. */
  D.fitColumns = function () {
    if (!st.api) return;
    var hide = D.cells.hiddenColumns(window.innerWidth);
    var all = D.cells.narrowColumns();
    st.api.setColumnsVisible(all.filter(function (c) { return hide.indexOf(c) < 0; }), true);
    if (hide.length) st.api.setColumnsVisible(hide, false);
  };

  /** Wait for dash-ag-grid, then take the grid's API and hand it the rows held so far. */
  D.attachGrid = function () {
    if (!window.dash_ag_grid || !window.dash_ag_grid.getApiAsync) {
      setTimeout(D.attachGrid, 100);
      return;
    }
    window.dash_ag_grid.getApiAsync(D.GRID_ID).then(function (gridApi) {
      st.api = gridApi;
      gridApi.setGridOption("rowData", st.haveSnapshot ? Array.from(st.cases.values()) : []);
      // The empty overlays are AG Grid's own, in Chinese through the grid's localeText (layouts/dispatch.py): text.
      gridApi.addEventListener("rowClicked", onRowClicked);
      D.fitColumns();
      window.addEventListener("resize", D.fitColumns);
      gridApi.addEventListener("modelUpdated", D.scheduleRender);
      D.scheduleRender();
    });
  };
});
