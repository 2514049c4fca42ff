/* GridCommand leader pass: 督办 (supervise, optional note and reply deadline) and 批示 (instruct, note required) on a
 * needs-me case (or a case opened from the map's sheet), in a small dialog; POST /api/v1/cases/{id}/{command} with
 * the version the leader saw. The answer updates the row;
 * a lost race (409) refetches the summary; every refusal is shown as text. No other command is offered here.
 */
(function (L) {
  "use strict";

  var M = window.gridcmdLeaderModel;
  var st = L.st;
  var s = L.s;
  var node = L.node;
  var NOTE_MAX = 2000;
  var REPLY_CHOICES = ["none", "2h", "today", "3d"];

  L.api = function (method, path, body) {
    var init = { method: method, credentials: "same-origin", headers: { Accept: "application/json" } };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(path, init).then(function (resp) {
      if (resp.status === 401) location.href = "/login?next=/leader/";
      return resp.text().then(function (text) {
        var data = null;
        try {
          data = text ? JSON.parse(text) : null;
        } catch (_e) {
          data = { error: text };
        }
        return { status: resp.status, ok: resp.ok, body: data };
      });
    });
  };

  function findCase(id) {
    var cases = st.summary ? st.summary.needs.cases : [];
    for (var i = 0; i < cases.length; i++) if (cases[i].id === id) return i;
    return -1;
  }

  /** Replace the row of case `id` with its updated copy and say what happened under it. */
  function updateRow(id, answer, message) {
    st.flash = { id: id, text: message }; // kept across the refetch the command's own delta brings
    var i = findCase(id);
    if (i < 0) return L.toast(message); // a case from the map's sheet, not in the list: say it at the foot
    var item = M.merge(st.summary.needs.cases[i], answer);
    st.summary.needs.cases[i] = item;
    var old = document.querySelector('.leader-need[data-id="' + id + '"]');
    if (!old) return;
    var fresh = L.needsItem(item);
    old.parentNode.replaceChild(fresh, old);
    var msg = fresh.querySelector(".leader-need-msg");
    msg.textContent = message;
    msg.hidden = false;
    L.tick();
  }

  L.closeDialog = function () {
    var host = L.el("leader-dialog-host");
    if (st.dialog && st.dialog.opener) st.dialog.opener.focus();
    st.dialog = null;
    L.clear(host);
  };

  function build(cmd, item) {
    var overlay = node("div", "leader-overlay");
    var box = overlay.appendChild(node("div", "leader-dialog"));
    box.setAttribute("role", "dialog");
    box.setAttribute("aria-modal", "true");
    var title = box.appendChild(node("h2", "leader-dialog-title", s("leader.dialog." + cmd, { code: item.code })));
    title.id = "leader-dialog-title";
    box.setAttribute("aria-labelledby", title.id);
    var label = box.appendChild(node("label", "leader-dialog-label", s(cmd === "instruct" ? "leader.dialog.note_required" : "leader.dialog.note")));
    var note = box.appendChild(node("textarea", "leader-dialog-note"));
    note.id = "leader-dialog-note";
    note.maxLength = NOTE_MAX;
    note.rows = 4;
    label.htmlFor = note.id;
    var within = cmd === "supervise" ? replyChoice(box) : null;
    var error = box.appendChild(node("p", "leader-dialog-error"));
    error.setAttribute("role", "alert");
    error.hidden = true;
    var row = box.appendChild(node("div", "leader-dialog-buttons"));
    var cancel = row.appendChild(node("button", "leader-btn leader-btn--ghost", s("leader.dialog.cancel")));
    cancel.type = "button";
    var ok = row.appendChild(node("button", "leader-btn leader-btn--primary", s("leader.dialog.ok")));
    ok.type = "button";
    ok.id = "leader-dialog-ok";
    return { overlay: overlay, note: note, within: within, error: error, ok: ok, cancel: cancel };
  }

  /** The 督办's optional reply deadline: none, 2 hours, end of today, 3 days (M.replyBy). */
  function replyChoice(box) {
    var label = box.appendChild(node("label", "leader-dialog-label", s("leader.reply.within")));
    var select = box.appendChild(node("select", "leader-dialog-within"));
    select.id = "leader-dialog-within";
    label.htmlFor = select.id;
    REPLY_CHOICES.forEach(function (choice) {
      var opt = select.appendChild(node("option", null, s("leader.reply." + choice)));
      opt.value = choice;
    });
    return select;
  }

  function failed(dlg, text) {
    dlg.ok.disabled = false;
    dlg.error.textContent = text;
    dlg.error.hidden = false;
  }

  function submit(dlg, cmd, item) {
    var text = dlg.note.value.trim();
    if (cmd === "instruct" && !text) return failed(dlg, s("leader.dialog.need_note"));
    dlg.ok.disabled = true;
    var body = { expected_version: item.version };
    if (text) body.note = text;
    var replyBy = dlg.within ? M.replyBy(dlg.within.value, Date.now(), M.offsetOf(st.summary && st.summary.at)) : null;
    if (replyBy) body.reply_by = replyBy;
    L.api("POST", "/api/v1/cases/" + item.id + "/" + cmd, body).then(
      function (res) {
        if (res.ok) {
          L.closeDialog();
          updateRow(item.id, res.body, s("leader.done", { verb: s("leader." + cmd), code: item.code }));
          return;
        }
        if (res.status === 409) {
          L.closeDialog();
          updateRow(item.id, null, s("leader.conflict"));
          L.refresh(true);
          return;
        }
        failed(dlg, s("leader.refused", { error: (res.body && res.body.error) || res.status }));
      },
      function () {
        failed(dlg, s("leader.failed", { status: "network" }));
      }
    );
  }

  var toastTimer = null;
  /** A short message at the foot of the screen (for a case that has no row in the list). */
  L.toast = function (message) {
    var el = L.el("leader-toast");
    el.textContent = message;
    el.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () {
      el.hidden = true;
    }, 5000);
  };

  /** Open the dialog of `cmd` for needs-me case `id`, or for `given` (a case row from the map's case sheet). */
  L.openDialog = function (cmd, id, opener, given) {
    var i = findCase(id);
    if ((i < 0 && !given) || (cmd !== "supervise" && cmd !== "instruct")) return;
    var item = i >= 0 ? st.summary.needs.cases[i] : given;
    var dlg = build(cmd, item);
    dlg.opener = opener;
    st.dialog = dlg;
    L.clear(L.el("leader-dialog-host")).appendChild(dlg.overlay);
    dlg.cancel.addEventListener("click", L.closeDialog);
    dlg.ok.addEventListener("click", function () {
      submit(dlg, cmd, item);
    });
    dlg.overlay.addEventListener("click", function (e) {
      if (e.target === dlg.overlay) L.closeDialog();
    });
    dlg.overlay.addEventListener("keydown", function (e) {
      if (e.key === "Escape") L.closeDialog();
    });
    dlg.note.focus();
  };
})(window.gridcmdLeader);
