/* GridCommand leader pass: the case sheet — one case tapped on the map that is not in the needs-me list, read from
 * GET /api/v1/cases/{id}: its code, state, countdown, counts, the 督办's receipt, description and latest timeline,
 * with 督办 and 批示 (30-act.js's dialog). All text (textContent); the sheet is a dialog like the commands' own.
 */
(function (L) {
  "use strict";

  var M = window.gridcmdLeaderModel;
  var st = L.st;
  var s = L.s;
  var node = L.node;
  var TIMELINE_MAX = 6; // the latest entries; the desk has the whole timeline

  function actor(name) {
    var who = String(name || "");
    return who.indexOf("system:") === 0 ? s("leader.sheet.system") : who;
  }

  function timeline(list) {
    var ol = node("ol", "leader-sheet-timeline");
    (list || [])
      .slice(-TIMELINE_MAX)
      .reverse()
      .forEach(function (e) {
        var li = ol.appendChild(node("li", "leader-sheet-event"));
        li.setAttribute("data-command", e.command);
        var head = [String(e.at || "").slice(5, 16).replace("T", " "), s("dispatch.cmd." + e.command), actor(e.actor)];
        li.appendChild(node("div", "leader-sheet-event-head", head.join(" · ")));
        if (e.note) li.appendChild(node("div", "leader-sheet-event-note", e.note));
      });
    return ol;
  }

  /** The sheet's content for the case detail `c` (the API's case row with description and timeline). */
  function fill(box, c) {
    L.clear(box);
    var title = box.appendChild(node("h2", "leader-dialog-title", c.code));
    title.id = "leader-sheet-title";
    box.setAttribute("aria-labelledby", title.id);
    var what = [c.category, L.gridName(c.grid_code)].filter(Boolean).join(" · ");
    box.appendChild(node("div", "leader-need-what", what));
    var meta = box.appendChild(node("div", "leader-need-meta"));
    meta.appendChild(node("span", "leader-need-state", s("state." + c.state)));
    var clock = meta.appendChild(node("span", "leader-need-clock"));
    clock.setAttribute("data-deadline", c.deadline || "");
    meta.appendChild(node("span", "leader-need-counts", s("leader.counts", { s: c.supervision_count, i: c.instruction_count || 0 })));
    if (c.supervision_count > 0) {
      var r = M.receipt(c, Date.now(), s, window.gridcmdSla.duration);
      box.appendChild(node("div", "leader-need-reply" + (r.status ? " reply-" + r.status : ""), r.text));
    }
    box.appendChild(node("h3", "leader-sheet-head", s("leader.sheet.description")));
    box.appendChild(node("p", "leader-sheet-desc", c.description || ""));
    box.appendChild(node("h3", "leader-sheet-head", s("leader.sheet.timeline")));
    box.appendChild(timeline(c.timeline));
    var row = box.appendChild(node("div", "leader-dialog-buttons leader-sheet-buttons"));
    ["supervise", "instruct"].forEach(function (cmd) {
      var b = row.appendChild(node("button", "leader-act leader-act--" + cmd, s("leader." + cmd)));
      b.type = "button";
      b.setAttribute("data-sheet-cmd", cmd);
      b.addEventListener("click", function () {
        L.closeDialog();
        L.openDialog(cmd, c.id, null, c);
      });
    });
    var close = box.appendChild(node("button", "leader-btn leader-btn--ghost leader-sheet-close", s("leader.sheet.close")));
    close.type = "button";
    close.addEventListener("click", L.closeDialog);
    L.tick();
    close.focus();
  }

  /** Open the sheet of case `id` (a dot tapped on the map). */
  L.openSheet = function (id) {
    var overlay = node("div", "leader-overlay");
    var box = overlay.appendChild(node("div", "leader-dialog leader-sheet"));
    box.setAttribute("role", "dialog");
    box.setAttribute("aria-modal", "true");
    box.setAttribute("data-id", String(id));
    box.appendChild(node("p", "leader-empty", s("leader.sheet.loading")));
    st.dialog = { overlay: overlay, opener: document.activeElement, sheet: id };
    L.clear(L.el("leader-dialog-host")).appendChild(overlay);
    overlay.addEventListener("click", function (e) {
      if (e.target === overlay) L.closeDialog();
    });
    overlay.addEventListener("keydown", function (e) {
      if (e.key === "Escape") L.closeDialog();
    });
    L.api("GET", st.config.caseUrl + encodeURIComponent(id)).then(
      function (res) {
        if (!st.dialog || st.dialog.sheet !== id) return; // closed, or another one opened meanwhile
        if (!res.ok) return L.clear(box).appendChild(node("p", "leader-dialog-error", s("leader.sheet.failed", { status: res.status })));
        fill(box, res.body);
      },
      function () {
        if (st.dialog && st.dialog.sheet === id) L.clear(box).appendChild(node("p", "leader-dialog-error", s("leader.sheet.failed", { status: "network" })));
      }
    );
  };
})(window.gridcmdLeader);
