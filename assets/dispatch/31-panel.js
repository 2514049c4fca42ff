/* GridCommand dispatch desk: the case panel (#dispatch-panel, JS-owned: Dash renders it empty and never over it) —
 * head, alert, action buttons, description, facts, photos, timeline; the suggestions are 32-suggestions.js and the
 * mini-map 52-minimap.js. Built once; every render only sets text, classes and children.
 */
window.gridcmdDesk.part(function (D, st, h, s) {
  "use strict";

  var config = D.config;
  var pn = (D.pn = {}); // panel elements, built once
  var queued = false;

  function section(title, node) {
    return [h("h3", "pn-h", s(title)), node];
  }

  function buildHead() {
    pn.head = h("div", "pn-head");
    pn.level = h("span", "pn-lvl");
    pn.code = h("span", "pn-code");
    pn.state = h("span", "pn-state");
    pn.tier = h("span", "pn-tier", s("dispatch.panel.tier_district"));
    pn.sup = h("span", "pn-supc");
    pn.reply = withId(h("span", "pn-reply"), "dispatch-panel-reply"); // the answer to the open 督办 (回复督办)
    pn.ins = withId(h("span", "pn-insc"), "dispatch-panel-instructions");
    pn.cat = h("span", "pn-cat");
    pn.unloc = withId(h("span", "pn-unloc", s("dispatch.unlocated")), "dispatch-panel-unlocated");
    pn.due = h("span", "pn-due");
    pn.locate = h("button", "pn-locate", s("dispatch.panel.locate"));
    pn.locate.type = "button";
    pn.locate.title = "Z";
    pn.locate.addEventListener("click", D.locate);
    pn.head.append(pn.level, pn.code, pn.state, pn.tier, pn.unloc, pn.sup, pn.reply, pn.ins, pn.cat, pn.due, pn.locate);
  }

  function withId(node, id) {
    node.id = id;
    return node;
  }

  D.buildPanel = function () {
    var root = D.el("dispatch-panel");
    if (!root || root.getAttribute("data-built")) return;
    root.setAttribute("data-built", "1");
    pn.empty = h("div", "pn-empty", s("dispatch.empty"));
    pn.body = h("div", "pn-body");
    buildHead();
    pn.alert = withId(h("div", "pn-alert"), "dispatch-alert");
    pn.alert.setAttribute("role", "alert");
    pn.actions = withId(h("div", "pn-actions"), "dispatch-actions");
    pn.cols = h("div", "pn-cols");
    var main = h("div", "pn-col pn-col--main");
    pn.desc = withId(h("p", "pn-desc"), "dispatch-panel-desc");
    pn.more = withId(h("button", "pn-more", s("dispatch.panel.more")), "dispatch-panel-more");
    pn.more.type = "button";
    pn.more.addEventListener("click", function () {
      pn.descOpen = !pn.descOpen;
      renderDesc(pn.descText);
    });
    pn.facts = h("dl", "pn-facts");
    pn.photos = h("div", "pn-photos");
    pn.minimap = withId(h("div", "pn-minimap"), "dispatch-minimap");
    main.append.apply(main, section("dispatch.panel.description", pn.desc));
    main.append(pn.more);
    main.append(pn.facts);
    main.append.apply(main, section("dispatch.panel.photos", pn.photos));
    main.append(pn.minimap);
    var aside = h("div", "pn-col pn-col--aside");
    pn.sugg = withId(h("div", "pn-sugg"), "dispatch-sugg");
    pn.timeline = withId(h("ol", "pn-timeline"), "dispatch-timeline");
    aside.append.apply(aside, section("dispatch.panel.suggestions", pn.sugg).concat(section("dispatch.panel.timeline", pn.timeline)));
    pn.cols.append(main, aside);
    // The key facts (code, state, countdown) and the buttons stay in view; the rest scrolls under them.
    pn.top = withId(h("div", "pn-top"), "dispatch-panel-top");
    pn.top.append(pn.head, pn.alert, pn.actions);
    pn.body.id = "dispatch-panel-body";
    pn.body.append(pn.top, pn.cols);
    root.append(pn.empty, pn.body);
  };

  /** The description as text, clamped with 展开 when long (15-cells.js isLong); open again for a new case. */
  function renderDesc(text) {
    pn.descText = text;
    var long = D.cells.isLong(text);
    pn.desc.textContent = text;
    pn.desc.classList.toggle("is-clamped", long && !pn.descOpen);
    pn.more.hidden = !long;
    pn.more.textContent = s(pn.descOpen ? "dispatch.panel.less" : "dispatch.panel.more");
  }

  function fact(label, value, cls) {
    var dt = h("dt", null, label);
    var dd = h("dd", cls || null, value === null || value === undefined || value === "" ? "—" : value);
    return [dt, dd];
  }

  function renderDue(row, t) {
    pn.due.textContent = D.deadline.countdownText(row, t, st);
    pn.due.className = "pn-due " + D.deadline.dueClass(row, t, st);
    renderReply(row, t);
  }

  /** The 督办's answer beside its count; on the tick too, as a reply deadline passes without a delta. */
  function renderReply(row, t) {
    var text = D.cells.replyText(row, t, s, function (ms) {
      return st.clock.sameDay(ms, t) ? st.clock.hm(ms) : st.clock.mdhm(ms);
    });
    if (pn.reply.textContent !== text) pn.reply.textContent = text;
    pn.reply.hidden = !text;
    pn.reply.className = "pn-reply reply-" + (D.cells.supervisionReply(row, t).status || "none");
  }

  /** The tick's part: the open case's countdown, when the queue holds it. */
  D.renderPanelDue = function (t) {
    var row = st.primary !== null ? st.cases.get(st.primary) : null;
    if (pn.due && pn.due.isConnected && row) renderDue(row, t);
  };

  function renderHead(row) {
    pn.level.textContent = row.level || "—";
    pn.level.className = "pn-lvl dq-lvl-" + (row.level || "n").toLowerCase();
    pn.code.textContent = row.code;
    pn.state.textContent = config.stateLabel(st, row.state);
    pn.state.className = "pn-state dq-st-" + row.state;
    pn.state.id = "dispatch-panel-state";
    var placed = config.located(row);
    pn.tier.hidden = row.tier !== "district" || !placed; // an unplaced report is the district's until located
    pn.unloc.hidden = placed;
    pn.locate.hidden = !placed; // nothing to zoom to yet
    pn.sup.hidden = !row.supervision_count;
    pn.sup.textContent = s("dispatch.cmd.supervise") + " ×" + (row.supervision_count || 0);
    pn.ins.textContent = D.cells.instructionMark(row, config.cmdLabel(st, "instruct"));
    pn.ins.hidden = !pn.ins.textContent;
    pn.cat.textContent = row.category || s("dispatch.uncategorised");
    renderDue(row, D.now());
    var mine = !!(st.alert && st.alert.id === row.id);
    pn.alert.textContent = mine ? st.alert.text : "";
    pn.alert.hidden = !mine;
  }

  function renderFacts(row, d) {
    var at = row._at ? st.clock.mdhms(row._at) : "";
    var facts = [].concat(
      fact(s("dispatch.panel.source"), s("source." + row.source)),
      fact(s("dispatch.panel.reported"), at),
      fact(
        s("dispatch.panel.grid"),
        config.located(row) ? config.gridName(st, row.grid_code) + " · " + row.grid_code : config.placeLabel(st, row),
        config.located(row) ? null : "pn-unloc-fact"
      ),
      fact(s("dispatch.panel.department"), config.deptName(st, row.department_code)),
      fact(s("dispatch.panel.reporter"), d ? d.reporter : "", "pn-pii"),
      fact(s("dispatch.panel.phone"), d ? d.phone : "", "pn-pii pn-mono")
    );
    pn.facts.replaceChildren.apply(pn.facts, facts);
  }

  /** One photo: its thumbnail as a link that opens the full image in a new tab; a plain link as its text. */
  function photo(entry, kindLabel) {
    // Only an http(s) URL or a path of ours becomes a link; anything else (javascript:, data:) stays text.
    var url = window.gridcmdText.url(entry.href);
    var src = entry.src ? window.gridcmdText.url(entry.src) : null;
    if (!url) {
      var shown = h("span", "pn-photo pn-photo--text", String(entry.href));
      shown.title = String(entry.href); // an attribute set as a property is text too
      return shown;
    }
    var a = h("a", "pn-photo");
    a.href = url;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    a.title = s("dispatch.panel.photo_open");
    if (!src) {
      // Another host's photo: the page may not load it (CSP img-src is this origin), so it is a text link.
      a.className = "pn-photo pn-photo--link";
      a.textContent = String(entry.href);
      return a;
    }
    var img = h("img");
    img.src = src;
    img.alt = D.photos.altText(s("dispatch.panel.photo_alt"), kindLabel, entry.n);
    img.loading = "lazy";
    a.append(img);
    return a;
  }

  function renderPhotos(d) {
    var groups = D.photos.groups(d);
    if (!groups.length) {
      pn.photos.replaceChildren(h("span", "pn-none", s("dispatch.panel.no_photos")));
      return;
    }
    pn.photos.replaceChildren.apply(
      pn.photos,
      groups.map(function (g) {
        var label = s("dispatch.panel.photo_kind." + g.key);
        var box = h("div", "pn-photo-group");
        box.setAttribute("data-kind", g.key);
        var row = h("div", "pn-photo-row");
        row.append.apply(
          row,
          g.entries.map(function (e) {
            return photo(e, label);
          })
        );
        box.append(h("span", "pn-photo-kind", label), row);
        return box;
      })
    );
  }

  function actionButton(cmd) {
    var cls = "pn-act" + (D.actions.PRIMARY[cmd] ? " pn-act--primary" : "") + (cmd === "reject" ? " pn-act--warn" : "");
    var b = h("button", cls);
    b.type = "button";
    b.setAttribute("data-cmd", cmd);
    b.append(document.createTextNode(config.cmdLabel(st, cmd)));
    var key = D.keys.hotkeyOf(cmd);
    if (key) b.append(h("kbd", null, key.toUpperCase()));
    b.addEventListener("click", function () {
      D.openAction(cmd);
    });
    return b;
  }

  function renderActions(row) {
    var buttons = D.legal(row).map(actionButton);
    if (!buttons.length) buttons = [h("span", "pn-none", s(D.actions.noneReason(row, st, st.detail)))];
    pn.actions.replaceChildren.apply(pn.actions, buttons);
  }

  function timelineItem(e) {
    var li = h("li", "tl-item tl-" + e.command);
    li.setAttribute("data-command", e.command);
    var head = h("div", "tl-head");
    head.append(
      h("span", "tl-time", st.clock.mdhms(Date.parse(e.at))),
      h("b", "tl-cmd", config.cmdLabel(st, e.command)),
      h("span", "tl-actor", config.actorLabel(st, e.actor))
    );
    li.append(head);
    if (e.from && e.to && e.from !== e.to) {
      li.append(h("div", "tl-move", config.stateLabel(st, e.from) + " → " + config.stateLabel(st, e.to)));
    } else if (!e.from && e.to) {
      li.append(h("div", "tl-move", "→ " + config.stateLabel(st, e.to)));
    }
    if (e.note) li.append(h("div", "tl-note", e.note));
    return li;
  }

  function renderTimeline(d) {
    if (!d || !d.timeline) {
      var row = D.currentRow();
      // The API hides an escalated case from a street desk: say why instead of loading forever.
      var away = row && !st.me.district_wide && row.tier === "district";
      pn.timeline.replaceChildren(h("li", "pn-none", s(away ? "dispatch.panel.read_only" : "dispatch.loading")));
      return;
    }
    pn.timeline.replaceChildren.apply(pn.timeline, d.timeline.slice().reverse().map(timelineItem));
  }

  D.renderPanel = function () {
    D.buildPanel();
    if (!pn.body) return;
    var row = D.currentRow();
    var root = D.el("dispatch-panel");
    root.classList.toggle("has-case", !!row);
    if (!row) {
      pn.empty.textContent = st.primary === null ? s("dispatch.empty") : s("dispatch.loading");
      return;
    }
    root.setAttribute("data-case", String(row.id));
    root.setAttribute("data-state", row.state);
    var d = st.detail && st.detail.id === row.id ? st.detail : null;
    renderHead(row);
    renderActions(row);
    if (pn.descFor !== row.id) pn.descOpen = false;
    pn.descFor = row.id;
    renderDesc(String((d ? d.description : row.description) || ""));
    renderFacts(row, d);
    renderPhotos(d);
    D.renderSuggestions(row);
    renderTimeline(d);
    D.updateMinimap(row);
  };

  /** Render the panel (and the selection on the map) on the next frame, once however many rows changed. */
  D.renderPanelSoon = function () {
    if (queued) return;
    queued = true;
    requestAnimationFrame(function () {
      queued = false;
      D.renderPanel();
      D.drawSelection();
    });
  };
});
