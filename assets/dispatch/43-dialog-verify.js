/* GridCommand dispatch desk: the verify (核查) dialog — passed (the case closes) or failed (rework: back to the
 * department), a reason required when it failed.
 */
window.gridcmdDesk.part(function (D, _st, _h, s) {
  "use strict";

  D.dialogs.verify = function (body) {
    var group = D.radios("dispatch-verify", ["pass", "fail"], function (v) {
      return s(v === "pass" ? "dispatch.dlg.verify_pass" : "dispatch.dlg.verify_fail");
    });
    var note = D.noteField();
    body.append(group, note.node);
    group.addEventListener("change", function () {
      var fail = D.checkedValue(group) === "fail";
      note.input.placeholder = s(fail ? "dispatch.dlg.reason" : "dispatch.dlg.note");
    });
    return function () {
      var result = D.checkedValue(group);
      var text = note.input.value.trim();
      if (result === "fail" && !text) return { error: s("dispatch.dlg.required") };
      return { fields: { result: result, note: text } };
    };
  };
});
