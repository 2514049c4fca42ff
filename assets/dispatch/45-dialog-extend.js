/* GridCommand dispatch desk: the extend (延期) dialog — how much longer the stage may take, and the reason (at most
 * twice per case: 13-actions.js counts the audit trail).
 */
window.gridcmdDesk.part(function (D, _st, _h, s) {
  "use strict";

  // The extensions a dispatcher may grant, written as in the catalog (the server parses them: parse_time_limit).
  var LIMITS = ["1工作日", "2工作日", "3工作日", "5工作日", "4工作时"];

  D.dialogs.extend = function (body) {
    var group = D.radios("dispatch-extend", LIMITS, function (v) {
      return v;
    });
    var ta = D.noteInput(true);
    body.append(D.field(s("dispatch.dlg.extend_by"), group), D.field(s("dispatch.dlg.reason"), ta));
    return function () {
      var note = ta.value.trim();
      if (!note) return { error: s("dispatch.dlg.required") };
      return { fields: { limit: D.checkedValue(group), note: note } };
    };
  };
});
