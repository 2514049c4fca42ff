/* GridCommand dispatch desk: the multi-selection bar (#dispatch-bulk, JS-owned) and bulk dispatch — one dispatch
 * dialog for every selected case that can be dispatched, then one command per case, one after the other.
 */
window.gridcmdDesk.part(function (D, st, h, s) {
  "use strict";

  function button(cls, label, onClick) {
    var b = h("button", "desk-btn " + cls, label);
    b.type = "button";
    b.addEventListener("click", onClick);
    return b;
  }

  D.renderBulk = function () {
    var bar = D.el("dispatch-bulk");
    if (!bar) return;
    var n = st.multi.size;
    var key = n > 1 ? "n" + n : "hint";
    if (bar.getAttribute("data-key") === key) return;
    bar.setAttribute("data-key", key);
    if (n < 2) {
      bar.className = "desk-bulk";
      bar.replaceChildren(h("span", "desk-hint", s("dispatch.bulk.hint")));
      return;
    }
    bar.className = "desk-bulk is-active";
    var go = button("desk-btn--primary", s("dispatch.bulk.dispatch"), D.openBulk);
    go.id = "dispatch-bulk-go";
    var clear = button("desk-btn--ghost", s("dispatch.bulk.clear"), D.clearMulti);
    bar.replaceChildren(h("b", null, s("dispatch.bulk.selected", { n: n })), go, clear);
  };

  /** The dispatch dialog for the selected cases that can be dispatched (the department suggested if they agree). */
  D.openBulk = function () {
    var rows = [];
    st.multi.forEach(function (id) {
      var r = st.cases.get(id);
      if (r && D.actions.bulkDispatchable(r, st)) rows.push(r);
    });
    if (!rows.length) {
      D.toast(s("dispatch.bulk.none"), "warn");
      return;
    }
    var depts = new Set(
      rows.map(function (r) {
        return D.actions.catalogDept(r, st.catalogByCode);
      })
    );
    var only = depts.size === 1 ? depts.values().next().value : null;
    D.openDialog("dispatch", { bulk: rows, caseId: rows[0].id, version: rows[0].version, suggested: only });
  };

  function failure(r, res) {
    return r.code + "：" + (res.status === 409 ? D.conflictText(res.body) : (res.body && res.body.error) || res.status);
  }

  /** Dispatch `rows` with the dialog's `fields`, one after the other; then one toast with what failed and why. */
  D.bulkDispatch = function (rows, fields) {
    var ok = 0;
    var failed = [];
    var chain = Promise.resolve();
    rows.forEach(function (r) {
      chain = chain.then(function () {
        return D.send(r.id, "dispatch", r.version, fields).then(function (res) {
          if (res.ok) {
            ok++;
            D.upsertFetched([res.body]);
          } else {
            failed.push(failure(r, res));
          }
        });
      });
    });
    chain.then(function () {
      D.closeDialog();
      D.clearMulti();
      var text = s("dispatch.bulk.result", { ok: ok, fail: failed.length }) + (failed.length ? "\n" + failed.join("\n") : "");
      D.toast(text, failed.length ? "warn" : "ok");
      if (st.primary !== null) D.loadDetail(st.primary);
    });
  };
});
