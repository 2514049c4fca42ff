/* GridCommand dispatch desk: merged rows (11-merge.js) onto the grid, the map, the panel and the open dialog, and
 * the queue's own fetches (the closed list, one refreshed case).
 */
window.gridcmdDesk.part(function (D, st) {
  "use strict";

  var merge = D.merge;

  /** What the page does for one merged row: markers, highlight, the sound cue, the open case and dialog. */
  function redrawMerged(res, how) {
    var row = res.row;
    if (res.left) {
      st.fresh.delete(row.id);
      D.dropMarker(row.id);
      st.multi.delete(row.id);
    } else if (res.closed) {
      D.dropMarker(row.id);
      st.multi.delete(row.id);
    } else if (!st.terminal.has(row.state)) {
      D.drawMarker(row);
    }
    if (res.arrived) {
      st.fresh.set(row.id, Date.now());
      if (row.level === "A") D.cue();
    } else if (res.upgraded && !st.own.has(row.id)) {
      D.cue(); // a colleague (or the overdue rule) just made it an A-level case
    }
    if (row.id === st.primary) D.onPrimaryChanged(row, res.held);
    if (st.dialog && st.dialog.ids.indexOf(row.id) >= 0 && how === "delta") D.markDialogStale(row);
  }

  /**
   * Merge one CASE_ROW (`how`: snapshot | delta | fetch), collecting the grid's change in `tx` so a whole delta
   * becomes one grid transaction. Returns true when the row was taken.
   */
  D.upsert = function (row, how, tx) {
    var res = merge.apply(st, row, how, tx, { keepId: st.primary });
    if (!res) return false;
    redrawMerged(res, how);
    return true;
  };

  /** Hand `tx` to the grid (when there is a change) and redraw the counts. */
  D.commit = function (tx) {
    if (st.api && !merge.isEmpty(tx)) st.api.applyTransaction(merge.payload(tx));
    D.scheduleRender();
  };

  /** Merge rows the desk fetched itself (a command's answer, a refreshed case) as one transaction. */
  D.upsertFetched = function (rows) {
    var tx = merge.newTx();
    rows.forEach(function (row) {
      D.upsert(row, "fetch", tx);
    });
    D.commit(tx);
  };

  /** The case rows of one delta, as the live client hands them over (in stream order, deduplicated). */
  D.applyCases = function (rows) {
    var tx = merge.newTx();
    for (var i = 0; i < rows.length; i++) D.upsert(rows[i], "delta", tx);
    D.commit(tx);
  };

  D.applySnapshot = function (snap) {
    var k = snap.kpis || {};
    st.skewMs = k.server_ms ? k.server_ms - Date.now() : 0;
    var tx = merge.newTx();
    var done = merge.snapshot(st, snap, tx, st.primary, function (res) {
      redrawMerged(res, "snapshot");
    });
    done.removed.forEach(D.dropMarker); // closed or out of scope meanwhile
    if (st.api) {
      if (done.first) st.api.setGridOption("rowData", Array.from(st.cases.values()));
      else D.commit(tx);
    }
    D.applyPatrolRows(snap.patrols || [], true);
    if (done.first) loadClosed();
    D.scheduleRender();
  };

  /** The 已结案 tab starts with the newest closed cases (visit-back), then follows the live feed. */
  function loadClosed() {
    D.api("GET", "/api/v1/cases?state=closed&limit=" + merge.CLOSED_MAX).then(function (res) {
      if (!res.ok || !res.body) return;
      D.upsertFetched((res.body.cases || []).slice().reverse()); // oldest first, so the newest stay
    });
  }

  /** Re-read one case (after a conflict, or a command's answer) and apply it like a delta. */
  D.refreshCase = function (id) {
    return D.api("GET", "/api/v1/cases/" + id).then(function (res) {
      if (!res.ok || !res.body) return null;
      D.upsertFetched([merge.rowOf(res.body)]);
      if (id === st.primary) D.takeDetail(id, res.body, null);
      return res.body;
    });
  };
});
