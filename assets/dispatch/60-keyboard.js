/* GridCommand dispatch desk: the key handler — the key map and what a key means where are 14-keys.js; this file
 * does what it says — and the key help (?).
 */
window.gridcmdDesk.part(function (D, st, h, s) {
  "use strict";

  function prevent(ev) {
    ev.preventDefault();
  }

  /** The key help (toggled by ? and the header's button; a click or Esc closes it). */
  D.showKeys = function () {
    var old = D.el("dispatch-keys");
    if (old) {
      old.remove();
      return;
    }
    var box = h("div", "desk-keys");
    box.id = "dispatch-keys";
    box.append(h("b", null, s("dispatch.keys.title")));
    D.keys.HELP.forEach(function (pair) {
      var line = h("div", "desk-keys-row");
      line.append(h("kbd", null, pair[0]), h("span", null, s(pair[1])));
      box.append(line);
    });
    box.addEventListener("click", function () {
      box.remove();
    });
    document.body.append(box);
  };

  // run (14-keys.js) -> what it does; `act` is {run, arg, prevent}.
  var RUN = {
    closeDialog: D.closeDialog,
    confirm: function () {
      st.dialog.confirm();
    },
    closeHelp: function () {
      D.el("dispatch-keys").remove();
    },
    blur: function (_act, ev) {
      ev.target.blur();
    },
    searchNext: function (_act, ev) {
      ev.target.blur();
      D.step(1);
    },
    step: function (act) {
      D.step(act.arg);
    },
    command: function (act, ev) {
      if (D.openAction(act.arg)) prevent(ev); // else the key does what it would
    },
    bulk: D.openBulk,
    focusSearch: function () {
      var search = D.el("dispatch-search");
      if (search) search.focus();
    },
    tab: function (act) {
      D.setTab(act.arg);
    },
    locate: D.locate,
    mute: function () {
      D.setMuted(!st.muted);
    },
    help: D.showKeys,
    clearMulti: D.clearMulti,
  };

  D.onKey = function (ev) {
    if (D.keys.modified(ev)) return;
    D.wakeAudio();
    var act = D.keys.resolve(ev, { dialog: !!st.dialog, help: !!D.el("dispatch-keys"), multi: st.multi.size, tabs: st.tabs });
    if (!act) return;
    if (act.prevent) prevent(ev);
    RUN[act.run](act, ev);
  };
});
