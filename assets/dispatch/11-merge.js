/* GridCommand dispatch desk: snapshot and delta rows merged into the queue's rows by case id and version. Pure (no
 * DOM): it changes the `store` it is given and collects the grid's change in a transaction; the page then redraws.
 *
 * The store (the page's state, 00-state.js) holds `cases` (id -> row: open cases and the newest closed ones),
 * `closed` (held closed ids, oldest first), `tomb` (id -> version of cases that left the queue, so a late stale
 * row cannot bring one back), `maxSeenId`, `haveSnapshot`, and `terminal` (the states that end a case).
 *
 *   var tx = merge.newTx();
 *   var res = merge.apply(store, row, "delta", tx)  // null: not newer than what the store holds or buried
 *   // res = {row, held, left, closed, arrived, upgraded}: what the page must redraw (20-rows.js)
 *   merge.snapshot(store, snap, tx, keepId, each)    // the snapshot replaces the picture; each(res) per row taken
 *   merge.payload(tx)                                // {remove, update, add} for AG Grid's applyTransaction
 *
 * The shared live client (shared/live.js) has already ordered the stream and deduplicated its versions; this merge
 * also guards the rows the desk fetches itself (a command's answer, a refreshed case, the closed list).
 *
 * Loaded as a plain script (gridcmdDesk.merge) and by `require` under Node (tests/js/desk-merge.test.js).
 */
(function (root, factory) {
  "use strict";
  var queue = typeof module !== "undefined" && module.exports ? require("./10-queue.js") : root.gridcmdDesk.queue;
  var api = factory(queue);
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  else (root.gridcmdDesk = root.gridcmdDesk || {}).merge = api;
})(typeof self !== "undefined" ? self : this, function (queue) {
  "use strict";

  var TOMB_MAX = 4096; // versions of recently dropped cases remembered
  var CLOSED_MAX = 200; // closed cases kept for the 已结案 tab (visit-back), newest first

  /** A pending grid transaction keyed by case id: one case changed twice in a batch is one add or update. */
  function newTx() {
    return { add: new Map(), update: new Map(), remove: new Map() };
  }

  function txPut(tx, row, inGrid) {
    if (tx.add.has(row.id) || !inGrid) tx.add.set(row.id, row);
    else tx.update.set(row.id, row);
  }

  function txDrop(tx, row) {
    if (tx.add.delete(row.id)) return; // added and removed within one batch: the grid never saw it
    tx.update.delete(row.id);
    tx.remove.set(row.id, row);
  }

  function isEmpty(tx) {
    return !(tx.add.size || tx.update.size || tx.remove.size);
  }

  function payload(tx) {
    return {
      remove: Array.from(tx.remove.values()),
      update: Array.from(tx.update.values()),
      add: Array.from(tx.add.values()),
    };
  }

  function tombstone(store, id, version) {
    store.tomb.delete(id);
    store.tomb.set(id, version);
    if (store.tomb.size > TOMB_MAX) store.tomb.delete(store.tomb.keys().next().value);
  }

  /** Hold closed case `id`, letting the oldest closed ones (but `keepId`, the open case) go past CLOSED_MAX. */
  function keepClosed(store, id, tx, keepId) {
    store.closed.push(id);
    while (store.closed.length > CLOSED_MAX) {
      var old = store.closed.shift();
      var row = store.cases.get(old);
      if (row && row.state === "closed" && old !== keepId) {
        store.cases.delete(old);
        txDrop(tx, row);
        tombstone(store, old, row.version);
      }
    }
  }

  /** Whether the store already holds `row`'s version (or a newer one), or buried the case at that version. */
  function stale(store, row) {
    var held = store.cases.get(row.id);
    if (held && row.version <= held.version) return true;
    var gone = store.tomb.get(row.id);
    return gone !== undefined && row.version <= gone;
  }

  /**
   * Merge one CASE_ROW; `how` is snapshot | delta | fetch. `opts.force` takes it whatever its version (the
   * snapshot is authoritative); `opts.keepId` is never evicted from the closed list. Returns null when the row was
   * not newer, else what changed: `held` (the row it replaced, or undefined), `left` (a held case left the queue:
   * self-handled, rejected, merged), `closed` (the row is closed), `arrived` (a new case, live), `upgraded` (a live
   * change made a held case A-level).
   */
  function apply(store, row, how, tx, opts) {
    var o = opts || {};
    var held = store.cases.get(row.id);
    if (!o.force && stale(store, row)) return null;
    queue.decorate(row);
    var arrived = how === "delta" && !held && row.id > store.maxSeenId;
    if (row.id > store.maxSeenId) store.maxSeenId = row.id;
    var res = { row: row, held: held, left: false, closed: row.state === "closed", arrived: arrived, upgraded: false };
    if (store.terminal.has(row.state) && row.state !== "closed") {
      if (held) {
        store.cases.delete(row.id);
        txDrop(tx, held);
        res.left = true;
      }
      tombstone(store, row.id, row.version);
    } else {
      store.cases.set(row.id, row);
      txPut(tx, row, !!held);
      if (res.closed && (!held || held.state !== "closed")) keepClosed(store, row.id, tx, o.keepId);
    }
    res.upgraded = !arrived && !!held && how === "delta" && row.level === "A" && held.level !== "A";
    return res;
  }

  /**
   * Take a snapshot {cases, kpis}: every row it lists (unless the store holds a newer version: our own command's
   * answer), then drop the open cases it no longer lists (closed or out of scope meanwhile). Calls `each(res)` per
   * row taken; returns {first, removed: [ids]}. `first` is true for the store's first snapshot.
   */
  function snapshot(store, snap, tx, keepId, each) {
    var rows = snap.cases || [];
    var keep = new Set();
    for (var i = 0; i < rows.length; i++) {
      keep.add(rows[i].id);
      var held = store.cases.get(rows[i].id);
      if (held && held.version > rows[i].version) continue;
      store.tomb.delete(rows[i].id);
      var res = apply(store, rows[i], "snapshot", tx, { force: true, keepId: keepId });
      if (each) each(res);
    }
    var removed = [];
    store.cases.forEach(function (row, id) {
      if (!keep.has(id) && row.state !== "closed") {
        store.cases.delete(id);
        txDrop(tx, row);
        removed.push(id);
      }
    });
    store.maxSeenId = Math.max(store.maxSeenId, (snap.kpis && snap.kpis.max_case_id) || 0);
    var first = !store.haveSnapshot;
    store.haveSnapshot = true;
    return { first: first, removed: removed };
  }

  /** The queue row of a case's detail (GET /api/v1/cases/{id}): no timeline, photos or personal data. */
  function rowOf(body) {
    var row = {};
    Object.keys(body).forEach(function (k) {
      if (k !== "timeline" && k !== "photos" && k !== "reporter" && k !== "phone") row[k] = body[k];
    });
    if (row.description && row.description.length > 140) row.description = row.description.slice(0, 140);
    return row;
  }

  return {
    TOMB_MAX: TOMB_MAX,
    CLOSED_MAX: CLOSED_MAX,
    newTx: newTx,
    isEmpty: isEmpty,
    payload: payload,
    apply: apply,
    snapshot: snapshot,
    rowOf: rowOf,
  };
});
