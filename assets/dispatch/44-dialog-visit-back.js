/* GridCommand dispatch desk: the visit-back (回访) dialog on a closed case — the reporter's satisfaction and a note
 * (once per case: 13-actions.js offers it only while the audit trail has no visit-back).
 */
window.gridcmdDesk.part(function (D, _st, _h, s) {
  "use strict";

  var ANSWERS = ["satisfied", "basically_satisfied", "dissatisfied"];

  D.dialogs["visit-back"] = function (body) {
    var group = D.radios("dispatch-satisfaction", ANSWERS, function (v) {
      return s("dispatch.satisfaction." + v);
    });
    var note = D.noteField();
    body.append(group, note.node);
    return function () {
      return { fields: { satisfaction: D.checkedValue(group), note: note.input.value.trim() } };
    };
  };
});
