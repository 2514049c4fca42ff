/* GridCommand dispatch desk: the dispatch (派遣) dialog — the department (the suggested one first), for one case a
 * patrol (none, a suggested nearest one, or the one clicked on the map), and a note. For several cases (bulk
 * dispatch, 33-bulk.js) the same department for all and no patrol.
 */
window.gridcmdDesk.part(function (D, st, h, s) {
  "use strict";

  function suggestedDept(dlg, row) {
    if (dlg.opts.bulk) return dlg.opts.suggested;
    var sg = st.sugg && st.primary === dlg.opts.caseId ? st.sugg : null;
    return (sg && sg.department && sg.department.code) || D.actions.catalogDept(row, st.catalogByCode);
  }

  function deptNode(suggested) {
    return function (x) {
      var node = h("div", "dp-item");
      node.append(h("b", null, x.dept.name), h("span", "dp-code", x.dept.code));
      if (x.value === suggested) node.append(h("span", "dp-tag", s("dispatch.dlg.suggested")));
      return node;
    };
  }

  /** The patrol choices: none, the suggested nearest ones, and the one clicked on the map if it is not among them. */
  function patrolOptions(dlg) {
    var options = [{ id: "", label: s("dispatch.dlg.no_patrol") }];
    var sugg = st.sugg && st.primary === dlg.opts.caseId ? st.sugg.patrols || [] : [];
    sugg.forEach(function (p) {
      options.push({ id: p.id, label: D.cells.patrolLabel(p, D.metres(p.distance_m)) });
    });
    var picked = dlg.opts.patrol;
    var listed = sugg.some(function (p) {
      return p.id === picked;
    });
    if (picked && !listed) {
      options.push({ id: picked, label: picked + " · " + D.metres(dlg.opts.distance) + "（" + s("dispatch.dlg.map_patrol") + "）" });
    }
    return options;
  }

  function patrolChoice(dlg) {
    var group = h("div", "dlg-radios");
    group.id = "dispatch-patrol-choice";
    patrolOptions(dlg).forEach(function (o) {
      var lab = h("label", "dlg-radio");
      var input = h("input");
      input.type = "radio";
      input.name = "dispatch-patrol";
      input.value = o.id;
      input.checked = o.id === (dlg.opts.patrol || "");
      lab.append(input, h("span", null, o.label));
      group.append(lab);
    });
    return group;
  }

  D.dialogs.dispatch = function (body, dlg, row) {
    var bulk = !!dlg.opts.bulk;
    var suggested = suggestedDept(dlg, row);
    // Several cases may lie in several streets: offer the district departments (and the suggested one).
    var pick = D.pickList(D.actions.deptItems(bulk ? null : row, suggested, st), {
      id: "dispatch-dept",
      placeholder: s("dispatch.dlg.dept_search"),
      empty: "—",
      preferred: suggested,
      onPick: function () {
        dlg.confirm();
      },
      render: deptNode(suggested),
    });
    body.append(D.field(s("dispatch.dlg.department"), pick.node));
    var group = patrolChoice(dlg);
    var note = D.noteField();
    if (!bulk) body.append(D.field(s("dispatch.dlg.patrol"), group));
    body.append(note.node);
    return function () {
      var dept = pick.value();
      if (!dept) return { error: s("dispatch.dlg.department") };
      var fields = { department: dept, note: note.input.value.trim() };
      var patrol = D.checkedValue(group);
      if (patrol) fields.patrol = patrol;
      return { fields: fields };
    };
  };
});
