/* GridCommand dispatch desk: the locate (标注位置) dialog — the point of a report the intake could not place (an
 * address naming none of our areas), typed as latitude and longitude (WGS-84) or picked on the desk's map: the
 * dialog steps aside, the next click on the map is the point, and the dialog comes back with it filled in (Esc
 * gives up). The server finds the grid, or refuses a point outside every grid (the dialog shows why).
 */
window.gridcmdDesk.part(function (D, st, h, s) {
  "use strict";

  function coordinate(id, value) {
    var input = h("input", "dlg-input dlg-coord");
    input.type = "text";
    input.inputMode = "decimal";
    input.autocomplete = "off";
    input.maxLength = 40;
    input.id = id;
    if (value !== undefined && value !== null) input.value = String(value);
    return input;
  }

  function stopPicking() {
    st.picking = null;
    var root = D.el(D.ROOT_ID);
    if (root) root.classList.remove("is-picking");
    document.removeEventListener("keydown", onPickKey, true);
  }

  function onPickKey(ev) {
    if (ev.key !== "Escape" || !st.picking) return;
    ev.preventDefault();
    ev.stopPropagation();
    stopPicking();
    D.toast(s("dispatch.map.pick_cancelled"), "info");
  }

  /** Step the dialog aside: the next click on the desk's map gives the open case its point. */
  D.startPicking = function (caseId) {
    if (!st.map) {
      D.toast(s("dispatch.map.pick_no_map"), "warn");
      return;
    }
    D.closeDialog();
    st.picking = { caseId: caseId };
    var root = D.el(D.ROOT_ID);
    if (root) root.classList.add("is-picking");
    document.addEventListener("keydown", onPickKey, true);
    D.toast(s("dispatch.map.pick_point"), "info");
  };

  /** A map click while picking: true when it was taken as the point (the dialog opens again with it). */
  D.pickedOnMap = function (latlng) {
    var picking = st.picking;
    if (!picking) return false;
    stopPicking();
    if (st.primary !== picking.caseId || !D.openAction("locate", { lat: latlng.lat.toFixed(6), lon: latlng.lng.toFixed(6) })) {
      D.toast(s("dispatch.map.pick_cancelled"), "info"); // the case moved on (located by someone else, or closed)
    }
    return true;
  };

  D.dialogs.locate = function (body, dlg) {
    var lat = coordinate("dispatch-locate-lat", dlg.opts.lat);
    var lon = coordinate("dispatch-locate-lon", dlg.opts.lon);
    lat.setAttribute("data-autofocus", "");
    var pick = h("button", "desk-btn desk-btn--ghost dlg-pick", s("dispatch.dlg.pick_on_map"));
    pick.type = "button";
    pick.id = "dispatch-locate-pick";
    pick.addEventListener("click", function () {
      D.startPicking(dlg.opts.caseId);
    });
    var note = D.noteField();
    body.append(
      h("p", "dlg-hint", s("dispatch.dlg.locate_hint")),
      D.field(s("dispatch.dlg.lat"), lat),
      D.field(s("dispatch.dlg.lon"), lon),
      pick,
      note.node
    );
    return function () {
      var point = D.actions.parsePoint(lat.value, lon.value);
      if (!point) return { error: s("dispatch.dlg.point_required") };
      return { fields: { lat: point.lat, lon: point.lon, note: note.input.value.trim() } };
    };
  };
});
