/* GridCommand dispatch desk: the case panel's suggestions (GET /api/v1/cases/{id}/suggestions) — the department to
 * dispatch to, the nearest patrols by name, phone and distance (one click assigns one), and open duplicates nearby
 * (one click merges).
 */
window.gridcmdDesk.part(function (D, st, h, s) {
  "use strict";

  function none(loaded, key) {
    return h("div", "pn-none", loaded ? s(key) : s("dispatch.loading"));
  }

  function departmentLine(row, sg) {
    var line = h("div", "sg-row");
    var code = (sg && sg.department && sg.department.code) || D.actions.catalogDept(row, st.catalogByCode);
    line.append(
      h("span", "sg-k", s("dispatch.panel.sugg_department")),
      h("b", "sg-v", code ? D.config.deptName(st, code) : s("dispatch.panel.no_department"))
    );
    return line;
  }

  function patrolLine(p, dispatchable) {
    var line = h("div", "sg-patrol");
    line.setAttribute("data-patrol", p.id);
    var parts = D.cells.patrolParts(p, D.metres(p.distance_m));
    var who = h("span", "sg-pid", parts.name);
    who.title = p.id;
    line.append(h("i", "sg-dot st-" + p.status), who);
    if (parts.code) line.append(h("span", "sg-pcode", parts.code));
    if (parts.phone) line.append(h("span", "sg-phone", parts.phone));
    line.append(h("span", "sg-dist", parts.distance));
    if (dispatchable) {
      var b = h("button", "sg-btn", s("dispatch.panel.assign"));
      b.type = "button";
      b.addEventListener("click", function () {
        D.openAction("dispatch", { patrol: p.id, distance: p.distance_m });
      });
      line.append(b);
    }
    return line;
  }

  function mergeButton(label, caseId, version, into) {
    var b = h("button", "sg-btn sg-btn--merge", label);
    b.type = "button";
    b.setAttribute("data-merge", caseId + ">" + into.id);
    b.addEventListener("click", function () {
      D.openDialog("merge", { caseId: caseId, version: version, into: into });
    });
    return b;
  }

  function duplicateLine(row, dup) {
    var line = h("div", "sg-dup");
    line.setAttribute("data-dup", String(dup.id));
    var head = h("div", "sg-dup-head");
    head.append(
      h("span", "sg-code", dup.code),
      h("span", "dq-st-" + dup.state + " sg-state", D.config.stateLabel(st, dup.state)),
      h("span", "sg-dist", D.metres(dup.distance_m))
    );
    var link = h("button", "sg-link");
    link.type = "button";
    link.append(head, h("div", "sg-desc", dup.description));
    link.addEventListener("click", function () {
      if (st.cases.has(dup.id)) D.select(dup.id);
    });
    line.append(link);
    // One click merges whichever of the two is still a fresh report into the other.
    var offer = D.actions.mergeOffer(row, dup, st);
    if (offer === "into") line.append(mergeButton(s("dispatch.panel.merge_into"), row.id, row.version, dup));
    else if (offer === "here") line.append(mergeButton(s("dispatch.panel.merge_here"), dup.id, dup.version, row));
    return line;
  }

  D.renderSuggestions = function (row) {
    var sg = st.sugg;
    var out = [departmentLine(row, sg), h("div", "sg-sub", s("dispatch.panel.patrols"))];
    var patrols = (sg && sg.patrols) || [];
    var dispatchable = D.legal(row).indexOf("dispatch") >= 0;
    if (!patrols.length) out.push(none(sg, "dispatch.panel.no_patrols"));
    patrols.forEach(function (p) {
      out.push(patrolLine(p, dispatchable));
    });
    out.push(h("div", "sg-sub", s("dispatch.panel.duplicates")));
    var dups = ((sg && sg.duplicates) || []).filter(function (x) {
      return x.open;
    });
    if (!dups.length) out.push(none(sg, "dispatch.panel.no_duplicates"));
    dups.slice(0, 5).forEach(function (dup) {
      out.push(duplicateLine(row, dup));
    });
    D.pn.sugg.replaceChildren.apply(D.pn.sugg, out);
  };
});
