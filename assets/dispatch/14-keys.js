/* GridCommand dispatch desk: the key map and what a key press does. Pure (no DOM): resolve() reads the event's
 * key, modifiers and target (tag name, id) and says what to do; the page's handler (60-keyboard.js) does it.
 *
 *   keys.resolve(ev, {dialog: false, help: false, multi: 0, tabs: [...]})
 *   // -> null (leave the key alone) or {run, arg?, prevent?}: run names one of the page's handlers:
 *   //    closeDialog, confirm (in a dialog); closeHelp; blur, searchNext (in a text field); step, command, bulk,
 *   //    focusSearch, tab, locate, mute, help, clearMulti. `command` is prevented only when its dialog opens.
 *
 * Loaded as a plain script (gridcmdDesk.keys) and by `require` under Node (tests/js/desk-keys.test.js).
 */
(function (root, factory) {
  "use strict";
  var api = factory();
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  else (root.gridcmdDesk = root.gridcmdDesk || {}).keys = api;
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  var SEARCH_ID = "dispatch-search";
  var CANCEL_ID = "dispatch-dialog-cancel";

  // Letter -> the command whose dialog it opens on the open case (the panel's buttons show the letter).
  var COMMAND_KEYS = { f: "file", d: "dispatch", e: "escalate", s: "supervise", r: "reject", v: "verify" };

  // Key -> what it does on the queue (outside dialogs and text fields). Digits 1–9 pick the tab of that number.
  var KEY_MAP = {
    j: { run: "step", arg: 1, prevent: true },
    ArrowDown: { run: "step", arg: 1, prevent: true },
    k: { run: "step", arg: -1, prevent: true },
    ArrowUp: { run: "step", arg: -1, prevent: true },
    "/": { run: "focusSearch", prevent: true },
    z: { run: "locate" },
    m: { run: "mute" },
    "?": { run: "help" },
  };

  // The key help (?): key caption -> i18n key of what it does.
  var HELP = [
    ["J / K", "dispatch.keys.jk"], ["F", "dispatch.keys.f"], ["D", "dispatch.keys.d"], ["E", "dispatch.keys.e"],
    ["S", "dispatch.keys.s"], ["R", "dispatch.keys.r"], ["V", "dispatch.keys.v"], ["/", "dispatch.keys.search"],
    ["Z", "dispatch.keys.z"], ["1–9", "dispatch.keys.tabs"], ["Enter", "dispatch.keys.enter"], ["Esc", "dispatch.keys.esc"],
  ];

  var own = Object.prototype.hasOwnProperty;

  /** The letter that opens `cmd`'s dialog, or undefined. */
  function hotkeyOf(cmd) {
    return Object.keys(COMMAND_KEYS).filter(function (k) {
      return COMMAND_KEYS[k] === cmd;
    })[0];
  }

  function modified(ev) {
    return !!(ev.ctrlKey || ev.altKey || ev.metaKey);
  }

  function typing(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || !!(target && target.isContentEditable);
  }

  /** In a dialog: Esc cancels, Enter confirms (but a new line in a note, and Enter on the cancel button). */
  function inDialog(ev) {
    var tag = ev.target && ev.target.tagName;
    if (ev.key === "Escape") return { run: "closeDialog", prevent: true };
    if (ev.key !== "Enter" || (tag === "TEXTAREA" && ev.shiftKey)) return null;
    if (tag === "BUTTON" && ev.target.id === CANCEL_ID) return null; // the button's own Enter cancels
    return { run: "confirm", prevent: true };
  }

  /** In a text field: Esc leaves it; Enter in the search box goes to the first match. */
  function inField(ev) {
    if (ev.key === "Escape") return { run: "blur" };
    if (ev.key === "Enter" && ev.target.id === SEARCH_ID) return { run: "searchNext" };
    return null;
  }

  function onQueue(key, ctx) {
    if (own.call(KEY_MAP, key)) return KEY_MAP[key];
    if (own.call(COMMAND_KEYS, key)) {
      if (key === "d" && ctx.multi > 1) return { run: "bulk", prevent: true };
      return { run: "command", arg: COMMAND_KEYS[key] };
    }
    if (/^[1-9]$/.test(key)) {
      var tab = (ctx.tabs || [])[Number(key) - 1];
      return tab ? { run: "tab", arg: tab } : null;
    }
    if (key === "Escape" && ctx.multi) return { run: "clearMulti" };
    return null;
  }

  /** What the key press `ev` does in `ctx` {dialog, help, multi, tabs}, or null. */
  function resolve(ev, ctx) {
    if (modified(ev)) return null;
    if (ctx.dialog) return inDialog(ev);
    if (ctx.help && ev.key === "Escape") return { run: "closeHelp" };
    if (typing(ev.target)) return inField(ev);
    return onQueue(ev.key, ctx);
  }

  return { COMMAND_KEYS: COMMAND_KEYS, KEY_MAP: KEY_MAP, HELP: HELP, hotkeyOf: hotkeyOf, modified: modified, resolve: resolve };
});
