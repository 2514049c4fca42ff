/* GridCommand dispatch desk: the command dialog (#dispatch-modal, JS-owned) — its frame, the form parts the dialogs
 * share (field, note, radios, pick list), and the plain note/reason dialog every command without its own uses
 * (reject, escalate, supervise, instruct, self-handle, suspend, resume, acknowledge, return, report-handled).
 *
 * Each command with its own form registers a builder in gridcmdDesk.dialogs (41-…46-dialog-*.js):
 * `builder(body, dlg, row)` fills the form and returns collect() → {fields} | {error}. Enter confirms, Esc cancels
 * (60-keyboard.js); the confirm button sends (47-commands.js, or 33-bulk.js for several cases).
 */
window.gridcmdDesk.part(function (D, st, h, s) {
  "use strict";

  var dialogs = (D.dialogs = D.dialogs || {});

  /** Open `cmd`'s dialog on the open case, when the case offers it now; true when it opened. */
  D.openAction = function (cmd, extra) {
    var row = D.currentRow();
    if (!row || D.legal(row).indexOf(cmd) < 0) return false;
    D.openDialog(cmd, Object.assign({ caseId: row.id, version: row.version }, extra || {}));
    return true;
  };

  D.closeDialog = function () {
    var modal = D.el("dispatch-modal");
    if (modal) {
      modal.replaceChildren();
      modal.classList.remove("is-open");
    }
    st.dialog = null;
  };

  /** Say in the open dialog that `row` changed since the dialog opened (someone else acted on it). */
  D.markDialogStale = function (row) {
    var dlg = st.dialog;
    // While our own command is in flight its delta may arrive before its answer: that is not someone else.
    if (!dlg || !dlg.stale || dlg.busy) return;
    var version = dlg.versions[row.id];
    if (version !== undefined && row.version > version) {
      dlg.stale.hidden = false;
      dlg.stale.textContent = s("dispatch.stale") + "（" + D.config.stateLabel(st, row.state) + "）";
    }
  };

  function button(cls, label, id) {
    var b = h("button", "desk-btn " + cls, label);
    b.type = "button";
    b.id = id;
    return b;
  }

  /** The dialog's box: title, stale notice, body, error line, keys hint and buttons. */
  function frame(cmd, opts, row) {
    var f = { box: h("div", "dlg"), stale: h("div", "dlg-stale"), body: h("div", "dlg-body"), error: h("div", "dlg-error") };
    f.box.id = "dispatch-dialog";
    f.box.setAttribute("data-cmd", cmd);
    f.box.setAttribute("role", "dialog");
    var title = h("div", "dlg-title");
    title.append(
      h("b", null, opts.bulk ? s("dispatch.dlg.bulk", { n: opts.bulk.length }) : D.config.cmdLabel(st, cmd)),
      h("span", "dlg-code", opts.bulk ? "" : row ? row.code : "")
    );
    f.stale.hidden = true;
    f.error.id = "dispatch-dialog-error";
    f.error.hidden = true;
    var foot = h("div", "dlg-foot");
    f.cancel = button("desk-btn--ghost", s("dispatch.dlg.cancel"), "dispatch-dialog-cancel");
    f.ok = button("desk-btn--primary", D.config.cmdLabel(st, cmd), "dispatch-dialog-confirm");
    foot.append(h("span", "dlg-keys", s("dispatch.dlg.keys")), f.cancel, f.ok);
    f.box.append(title, f.stale, f.body, f.error, foot);
    return f;
  }

  /** Case id -> the version the dialog is about (several for a bulk dispatch). */
  function versionsOf(opts) {
    var versions = {};
    if (opts.bulk) {
      opts.bulk.forEach(function (r) {
        versions[r.id] = r.version;
      });
    } else {
      versions[opts.caseId] = opts.version;
    }
    return versions;
  }

  function confirmer(dlg) {
    return function () {
      if (dlg.busy) return;
      var got = dlg.collect();
      if (got.error) {
        dlg.error.hidden = false;
        dlg.error.textContent = got.error;
        return;
      }
      dlg.busy = true;
      dlg.ok.disabled = true;
      if (dlg.opts.bulk) D.bulkDispatch(dlg.opts.bulk, got.fields);
      else D.submit(dlg.opts.caseId, dlg.cmd, dlg.opts.version, got.fields, dlg);
    };
  }

  /**
   * A modal for `cmd` on one case (opts {caseId, version, …}) or several (opts.bulk: their rows, bulk dispatch).
   */
  D.openDialog = function (cmd, opts) {
    D.closeDialog();
    var modal = D.el("dispatch-modal");
    if (!modal) return;
    var row = st.cases.get(opts.caseId) || D.currentRow();
    var ids = opts.bulk ? opts.bulk.map(function (r) { return r.id; }) : [opts.caseId];
    var f = frame(cmd, opts, row);
    modal.replaceChildren(f.box);
    modal.classList.add("is-open");
    var dlg = { cmd: cmd, opts: opts, ids: ids, versions: versionsOf(opts), stale: f.stale, error: f.error, ok: f.ok, busy: false };
    st.dialog = dlg;
    dlg.collect = (dialogs[cmd] || noteDialog)(f.body, dlg, row);
    dlg.confirm = confirmer(dlg);
    f.cancel.addEventListener("click", D.closeDialog);
    f.ok.addEventListener("click", dlg.confirm);
    modal.onclick = function (ev) {
      if (ev.target === modal) D.closeDialog();
    };
    // The row may have changed between the click and now.
    ids.forEach(function (id) {
      var cur = st.cases.get(id);
      if (cur) D.markDialogStale(cur);
    });
    // Focus now, not on a timer: keys typed right after the shortcut must land in the dialog.
    (f.box.querySelector("[data-autofocus]") || f.ok).focus();
  };

  // ---------------------------------------------------------------- form parts

  /** A labelled field. */
  D.field = function (label, input) {
    var wrap = h("label", "dlg-field");
    wrap.append(h("span", "dlg-label", label), input);
    return wrap;
  };

  /** The note (or, `required`, reason) text area. */
  D.noteInput = function (required) {
    var ta = h("textarea", "dlg-note");
    ta.rows = 2;
    ta.maxLength = 2000;
    ta.placeholder = s(required ? "dispatch.dlg.reason" : "dispatch.dlg.note");
    ta.id = "dispatch-dialog-note";
    return ta;
  };

  /** An optional note field: the text area and the field holding it. */
  D.noteField = function () {
    var ta = D.noteInput(false);
    return { input: ta, node: D.field(s("dispatch.dlg.note"), ta) };
  };

  /** Radio buttons named `name`, one per value (labelled by `labelOf(value)`), the first checked and focused. */
  D.radios = function (name, values, labelOf) {
    var group = h("div", "dlg-radios");
    values.forEach(function (v, i) {
      var lab = h("label", "dlg-radio");
      var input = h("input");
      input.type = "radio";
      input.name = name;
      input.value = v;
      input.checked = i === 0;
      if (i === 0) input.setAttribute("data-autofocus", "");
      lab.append(input, h("span", null, labelOf(v)));
      group.append(lab);
    });
    return group;
  };

  /** Whether `item.text` holds every word typed (lower case, space separated). */
  function matches(item, words) {
    return words.every(function (w) {
      return item.text.indexOf(w) >= 0;
    });
  }

  /**
   * A filtered, keyboard-driven pick list: an input above, ↑/↓ move, the highlighted item is the answer.
   * `items`: {value, text (lower case, searched), …}. opts: id, placeholder, empty (shown when nothing matches),
   * render(item) -> node, preferred (value highlighted first), blank (with no preferred value, highlight nothing
   * until the user picks or types), onPick (double click), onChange(item | null).
   * Returns {node, input, value()}.
   */
  D.pickList = function (items, opts) {
    var wrap = h("div", "pk");
    var input = h("input", "pk-search");
    input.type = "search";
    input.placeholder = opts.placeholder;
    input.autocomplete = "off";
    input.setAttribute("data-autofocus", "");
    input.id = opts.id + "-search";
    var list = h("div", "pk-list");
    list.id = opts.id + "-list";
    list.setAttribute("role", "listbox");
    wrap.append(input, list);
    var shown = [];
    var active = 0;

    function itemNode(item, i) {
      var node = opts.render(item);
      node.classList.add("pk-item");
      if (i === active) node.classList.add("is-active");
      node.setAttribute("data-value", item.value);
      node.addEventListener("mousedown", function (ev) {
        ev.preventDefault();
        active = i;
        paint();
      });
      node.addEventListener("dblclick", function () {
        active = i;
        if (opts.onPick) opts.onPick();
      });
      return node;
    }

    function paint() {
      var nodes = shown.map(itemNode);
      if (!nodes.length) nodes = [h("div", "pn-none", opts.empty)];
      list.replaceChildren.apply(list, nodes);
      var cur = list.querySelector(".is-active");
      if (cur && cur.scrollIntoView) cur.scrollIntoView({ block: "nearest" });
      if (opts.onChange) opts.onChange(shown[active] || null);
    }

    function filter() {
      var words = input.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
      shown = items.filter(function (item) {
        return matches(item, words);
      });
      var pre = opts.preferred ? shown.findIndex(function (x) { return x.value === opts.preferred; }) : -1;
      // Typed words: the first match. None: the preferred item, or (opts.blank) nothing until one is picked.
      if (words.length) active = 0;
      else active = pre >= 0 ? pre : opts.blank ? -1 : 0;
      paint();
    }

    input.addEventListener("input", filter);
    input.addEventListener("keydown", function (ev) {
      if (ev.key !== "ArrowDown" && ev.key !== "ArrowUp") return;
      ev.preventDefault();
      if (!shown.length) return;
      if (active < 0) active = ev.key === "ArrowDown" ? 0 : shown.length - 1;
      else active = (active + (ev.key === "ArrowDown" ? 1 : -1) + shown.length) % shown.length;
      paint();
    });
    filter();
    return {
      node: wrap,
      input: input,
      value: function () {
        return shown[active] ? shown[active].value : null;
      },
    };
  };

  D.checkedValue = function (group) {
    var chosen = group.querySelector("input:checked");
    return chosen ? chosen.value : null;
  };

  /** The note/reason dialog: a reason is required for reject, suspend, return and extend, the text for instruct. */
  function noteDialog(body, dlg) {
    var required = !!D.actions.REASON_REQUIRED[dlg.cmd];
    var ta = D.noteInput(required);
    ta.setAttribute("data-autofocus", "");
    var label = dlg.cmd === "instruct" ? "dispatch.dlg.instruction" : required ? "dispatch.dlg.reason" : "dispatch.dlg.note";
    if (dlg.cmd === "instruct") ta.placeholder = s(label);
    body.append(D.field(s(label), ta));
    return function () {
      var note = ta.value.trim();
      if (required && !note) return { error: s("dispatch.dlg.required") };
      return { fields: { note: note } };
    };
  }
});
