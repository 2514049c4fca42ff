/* GridCommand dispatch desk: the shared live client (shared/live.js, as on the big screen) wired to the desk. The
 * client connects, buffers until the snapshot or `synced`, orders by stream id, deduplicates by case version, backs
 * off and resyncs (DESIGN.md section 10); the desk merges what it hands over (20-rows.js, 11-merge.js).
 */
window.gridcmdDesk.part(function (D, st) {
  "use strict";

  D.startLive = function () {
    if (st.live) return;
    st.live = window.gridcmdLiveClient.connect({
      io: window.io,
      view: "dispatch",
      onSnapshot: function (_cases, _kpis, snap) {
        D.applySnapshot(snap);
      },
      onCases: D.applyCases,
      onPatrols: function (frame) {
        D.applyPatrolRows(frame.rows || [], false);
      },
      onState: D.setConn,
    });
  };
});
