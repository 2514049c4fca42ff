/* GridCommand dispatch desk: which case is open (the primary selection), the multi-selection for bulk dispatch,
 * stepping through the queue, and reading the open case's detail and suggestions.
 */
window.gridcmdDesk.part(function (D, st) {
  "use strict";

  /** Open case `id` (null: none). opts: keepMulti (leave the multi-selection), scroll (false: leave the grid), reload. */
  D.select = function (id, opts) {
    opts = opts || {};
    var before = st.primary;
    var changed = [];
    if (!opts.keepMulti && st.multi.size) {
      st.multi.forEach(function (m) {
        changed.push(m);
      });
      st.multi.clear();
      D.syncMultiMarkers();
    }
    st.primary = id;
    if (before !== null) changed.push(before);
    if (id !== null) changed.push(id);
    if (id !== null && st.fresh.delete(id)) changed.push(id);
    if (before !== id) {
      st.alert = null;
      st.detail = null;
      st.sugg = null;
    }
    D.redraw(changed);
    if (id !== null && opts.scroll !== false) {
      var node = D.nodeOf(id);
      if (node && node.displayed) st.api.ensureNodeVisible(node);
    }
    D.drawSelection();
    D.renderPanel();
    D.renderBulk();
    if (id !== null && (before !== id || opts.reload)) loadDetail(id);
  };

  /** Shift/Ctrl-click: add or take `id` out of the multi-selection (the open case joins it first). */
  D.toggleMulti = function (id) {
    if (!st.multi.size && st.primary !== null && st.primary !== id) st.multi.add(st.primary);
    if (st.multi.has(id)) st.multi.delete(id);
    else st.multi.add(id);
    if (st.fresh.delete(id)) D.redraw([id]);
    D.redraw(Array.from(st.multi).concat([id]));
    D.syncMultiMarkers();
    if (!st.multi.has(st.primary) && st.multi.size) {
      var first = st.multi.values().next().value;
      D.select(first, { keepMulti: true, scroll: false });
    }
    D.renderBulk();
  };

  D.clearMulti = function () {
    var ids = Array.from(st.multi);
    st.multi.clear();
    D.redraw(ids);
    D.syncMultiMarkers();
    D.renderBulk();
  };

  /** Open the next (dir 1) or previous (-1) case the queue shows; from none, the first or the last. */
  D.step = function (dir) {
    if (!st.api) return;
    var n = st.api.getDisplayedRowCount();
    if (!n) return;
    var idx = -1;
    var node = st.primary !== null ? D.nodeOf(st.primary) : null;
    if (node && node.displayed && node.rowIndex !== null) idx = node.rowIndex;
    var next = idx < 0 ? (dir > 0 ? 0 : n - 1) : Math.min(n - 1, Math.max(0, idx + dir));
    var target = st.api.getDisplayedRowAtIndex(next);
    if (target && target.data) D.select(target.data.id);
  };

  /** The open case's row changed (a delta, a fetch): re-read its detail shortly if its version moved. */
  D.onPrimaryChanged = function (row, held) {
    if (!held || held.version !== row.version) {
      // Someone (maybe us) changed the open case: the timeline and suggestions follow shortly.
      clearTimeout(st.timers.detail);
      st.timers.detail = setTimeout(function () {
        if (st.primary === row.id) loadDetail(row.id);
      }, 120);
    }
    D.renderPanelSoon();
  };

  /** Read the case's detail (timeline, photos, reporter) and suggestions; a newer selection wins. */
  function loadDetail(id) {
    var seq = ++st.detailSeq;
    var detail = D.api("GET", "/api/v1/cases/" + id);
    var sugg = D.api("GET", "/api/v1/cases/" + id + "/suggestions");
    Promise.all([detail, sugg]).then(function (res) {
      if (seq !== st.detailSeq || st.primary !== id) return;
      D.takeDetail(id, res[0].ok ? res[0].body : null, res[1].ok ? res[1].body : null);
    });
  }
  D.loadDetail = loadDetail;

  D.takeDetail = function (id, detail, sugg) {
    if (st.primary !== id) return;
    if (detail) {
      st.detail = detail;
      var held = st.cases.get(id);
      if (held && detail.version > held.version) D.upsertFetched([D.merge.rowOf(detail)]);
    }
    if (sugg) st.sugg = sugg;
    D.renderPanel();
    D.drawSelection();
  };

  /** The open case's row: held in the queue, or read from its detail (a case the queue does not hold). */
  D.currentRow = function () {
    if (st.primary === null) return null;
    var row = st.cases.get(st.primary);
    if (row) return row;
    if (st.detail && st.detail.id === st.primary) return D.queue.decorate(D.merge.rowOf(st.detail));
    return null;
  };

  /** The commands the open case (or `row`) offers now (13-actions.js). */
  D.legal = function (row) {
    return D.actions.legal(row, st, st.detail);
  };
});
