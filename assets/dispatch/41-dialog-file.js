/* GridCommand dispatch desk: the file (立案) dialog — pick the catalog condition (GET /api/v1/catalog) that sets
 * the case's level, time limit and department, with an optional note. The case's reported category (or the
 * suggested one) is preselected; with neither, nothing is, and Enter asks for a pick.
 */
window.gridcmdDesk.part(function (D, st, h, s) {
  "use strict";

  function lvl(c) {
    return "dq-lvl-" + c.level.toLowerCase();
  }

  function conditionNode(x) {
    var c = x.item;
    var node = h("div", "fl-item");
    var top = h("div", "fl-top");
    top.append(
      h("span", "fl-lvl " + lvl(c), c.level),
      h("b", null, c.major + " › " + c.minor),
      h("span", "fl-limit", c.time_limit),
      h("span", "fl-code", c.code)
    );
    node.append(top, h("div", "fl-cond", c.condition));
    return node;
  }

  /** What filing under the highlighted condition means: level, time limit, department. */
  function describe(info, x) {
    if (!x) {
      info.replaceChildren();
      return;
    }
    var c = x.item;
    info.replaceChildren(
      h("span", null, s("dispatch.dlg.level") + " "), h("b", lvl(c), c.level),
      h("span", null, " · " + s("dispatch.dlg.limit") + " "), h("b", null, c.time_limit),
      h("span", null, " · " + s("dispatch.dlg.dept") + " "), h("b", null, D.config.deptName(st, c.department) || "—")
    );
  }

  /** The condition to preselect: the case's reported category, else the suggested one, else none. */
  function preselected(dlg, row) {
    var sg = st.sugg && st.primary === dlg.opts.caseId ? st.sugg : null;
    return D.actions.fileChoice(row, sg, st.catalogByCode);
  }

  D.dialogs.file = function (body, dlg, row) {
    var items = st.catalog.map(function (c) {
      var words = [c.code, c.major, c.minor, c.condition, D.config.deptName(st, c.department)];
      return { value: c.code, item: c, text: words.join(" ").toLowerCase() };
    });
    var info = h("div", "fl-info");
    var pick = D.pickList(items, {
      id: "dispatch-file",
      placeholder: s("dispatch.dlg.file_search"),
      empty: s("dispatch.dlg.file_none"),
      preferred: preselected(dlg, row),
      blank: true, // never the catalog's first row: `f` then Enter must not file a case under 矛盾纠纷 by accident
      onPick: function () {
        dlg.confirm();
      },
      render: conditionNode,
      onChange: function (x) {
        describe(info, x);
      },
    });
    var note = D.noteField();
    body.append(pick.node, info, note.node);
    return function () {
      var code = pick.value();
      if (!code) return { error: s("dispatch.dlg.file_pick") };
      return { fields: { condition: code, note: note.input.value.trim() } };
    };
  };
});
