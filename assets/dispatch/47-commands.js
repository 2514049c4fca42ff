/* GridCommand dispatch desk: sending a command (POST /api/v1/cases/{id}/{command} with the version the dispatcher
 * saw), what the desk does with the answer — a lost race (409) names who acted first and shows the case as it is
 * now — and the toasts that report it.
 */
window.gridcmdDesk.part(function (D, st, h, s) {
  "use strict";

  /** "操作未执行：已被 张三 于 10:42 立案（当前状态：已立案）": who acted first, from a 409's `current`. */
  D.conflictText = function (body) {
    var cur = (body && body.current) || {};
    var state = cur.state ? D.config.stateLabel(st, cur.state) : "?";
    if (!cur.last_actor || !cur.last_at) return s("dispatch.conflict_unknown", { state: state });
    return s("dispatch.conflict", {
      actor: D.config.actorLabel(st, cur.last_actor),
      time: st.clock.hm(Date.parse(cur.last_at)),
      verb: D.config.cmdLabel(st, cur.last_command),
      state: state,
    });
  };

  D.send = function (caseId, cmd, version, fields) {
    st.own.set(caseId, Date.now());
    return D.api("POST", "/api/v1/cases/" + caseId + "/" + cmd, Object.assign({ expected_version: version }, fields));
  };

  function done(caseId, cmd, res) {
    D.closeDialog();
    D.upsertFetched([res.body]); // our desk shows it now; the delta that follows is a duplicate
    D.toast(s("dispatch.done", { code: res.body.code, verb: D.config.cmdLabel(st, cmd) }), "ok");
    if (caseId === st.primary) {
      st.alert = null;
      D.loadDetail(caseId);
    }
  }

  /** Lost a race (or the case moved on): say who did what, then show the case as it is now. */
  function overtaken(caseId, res) {
    D.closeDialog();
    var text = res.status === 409 ? D.conflictText(res.body) : s("dispatch.refused", { error: res.body.error });
    st.alert = { id: caseId, text: text };
    D.toast(text, "warn");
    D.refreshCase(caseId).then(function () {
      D.renderPanel();
    });
    D.renderPanel();
  }

  /** Any other refusal or failure: the dialog stays open with the reason, ready to try again. */
  function failed(dlg, text) {
    dlg.busy = false;
    dlg.ok.disabled = false;
    dlg.error.hidden = false;
    dlg.error.textContent = text;
  }

  /** Send `cmd` from dialog `dlg` and handle the answer. */
  D.submit = function (caseId, cmd, version, fields, dlg) {
    D.send(caseId, cmd, version, fields).then(
      function (res) {
        if (res.ok) return done(caseId, cmd, res);
        if (res.status === 409 || (res.status === 422 && res.body && res.body.field === "state")) {
          return overtaken(caseId, res);
        }
        var refused = res.status === 422 || res.status === 403 || res.status === 404;
        failed(
          dlg,
          refused
            ? s("dispatch.refused", { error: (res.body && res.body.error) || res.status })
            : s("dispatch.failed", { status: res.status })
        );
      },
      function () {
        failed(dlg, s("dispatch.failed", { status: "network" }));
      }
    );
  };

  /** A toast (kind ok | warn | info) at the top of the stack of four; warnings stay longer. */
  D.toast = function (text, kind) {
    var box = D.el("dispatch-toasts");
    if (!box) return;
    var t = h("div", "toast toast--" + (kind || "info"), text);
    box.prepend(t);
    while (box.children.length > 4) box.lastChild.remove();
    setTimeout(
      function () {
        t.classList.add("is-gone");
        setTimeout(function () {
          t.remove();
        }, 400);
      },
      kind === "warn" ? 8000 : 3500
    );
  };
});
