/* GridCommand dispatch desk: the merge (合并) dialog — one case (a fresh report) merged into a duplicate nearby
 * (32-suggestions.js offers which into which), with an optional note.
 */
window.gridcmdDesk.part(function (D, _st, h, s) {
  "use strict";

  D.dialogs.merge = function (body, dlg) {
    var into = dlg.opts.into;
    body.append(h("div", "dlg-merge", s("dispatch.dlg.merge_target", { code: into.code })));
    if (into.description) body.append(h("div", "dlg-quote", into.description));
    var note = D.noteField();
    note.input.setAttribute("data-autofocus", "");
    body.append(note.node);
    return function () {
      return { fields: { into: into.id, note: note.input.value.trim() } };
    };
  };
});
