/* GridCommand leader pass: drawing the summary (status line, breadcrumb, KPI cards with their trends, rankings of
 * areas and departments, needs-me list). Everything from data goes in as text (textContent) or as SVG attributes
 * set one by one; no markup is ever built from a string. The area map is 25-map.js.
 */
(function () {
  "use strict";

  var M = window.gridcmdLeaderModel;
  var C = window.gridcmdLeaderCharts;
  var L = (window.gridcmdLeader = window.gridcmdLeader || {});
  var st = (L.st = { summary: null, window: "today", rankBy: "on_time", rankOf: "areas", scope: null, fetches: 0 });
  var SVG = "http://www.w3.org/2000/svg";
  var SPARK_W = 100; // the sparkline's viewBox; CSS stretches it to the card's width
  var SPARK_H = 24;

  L.s = function (key, vars) {
    return window.gridcmdFormat.t(st.strings, key, vars);
  };
  var s = L.s;

  L.el = function (id) {
    return document.getElementById(id);
  };

  /** A new element with a class and text (text set as text, never markup). */
  function node(tag, cls, text) {
    var el = document.createElement(tag);
    if (cls) el.className = cls;
    if (text !== undefined && text !== null) el.textContent = String(text);
    return el;
  }
  L.node = node;

  function clear(el) {
    while (el.firstChild) el.removeChild(el.firstChild);
    return el;
  }
  L.clear = clear;

  L.renderStatus = function () {
    var sum = st.summary;
    var box = L.el("leader-status");
    if (!sum) return;
    var w = sum.windows[st.window];
    var tone = M.indexTone(w.index);
    clear(box).className = "leader-status tone-" + tone;
    var index = w.index === null ? s("leader.status.no_index") : s("leader.status.index", { index: w.index.toFixed(2) });
    box.appendChild(node("span", "leader-status-index", index));
    var needs = sum.needs.total;
    var overdue = sum.needs.cases.filter(function (c) {
      return c.reasons.indexOf("overdue") >= 0;
    }).length;
    var text = needs ? s("leader.status.needs", { n: needs }) : s("leader.status.none");
    if (needs && overdue) text += "，" + s("leader.status.overdue", { n: overdue });
    box.appendChild(node("span", "leader-status-needs" + (needs ? " has-needs" : ""), text));
  };

  L.renderCrumbs = function () {
    var nav = clear(L.el("leader-crumbs"));
    var path = st.summary.path;
    path.forEach(function (crumb, i) {
      if (i > 0) nav.appendChild(node("span", "leader-crumb-sep", "›"));
      if (i === path.length - 1) {
        var here = nav.appendChild(node("span", "leader-crumb is-current", crumb.name));
        here.setAttribute("aria-current", "page");
        return;
      }
      var btn = nav.appendChild(node("button", "leader-crumb", crumb.name));
      btn.type = "button";
      btn.setAttribute("data-code", crumb.code);
    });
    L.el("leader-scope-name").textContent = st.summary.name;
  };

  function svg(tag, attrs) {
    var el = document.createElementNS(SVG, tag);
    Object.keys(attrs).forEach(function (k) {
      el.setAttribute(k, String(attrs[k]));
    });
    return el;
  }

  /** The card's trend: a sparkline of the window's last periods (11-charts.js spark), ending on the figure shown. */
  function trend(key, w) {
    var values = w.trend && w.trend.kpis ? w.trend.kpis[key] : null;
    var box = node("div", "leader-card-trend");
    if (!values || !values.length) return box;
    var period = s("leader.trend." + st.window);
    var line = C.spark(values, SPARK_W, SPARK_H, 3);
    var pic = svg("svg", { viewBox: "0 0 " + SPARK_W + " " + SPARK_H, preserveAspectRatio: "none", class: "leader-spark" });
    pic.setAttribute("role", "img");
    var said = C.sparkText(values, function (v) {
      return M.figure(key, v, s);
    });
    pic.setAttribute("aria-label", s("leader.trend.label", { period: period, values: said }));
    line.segments.forEach(function (seg) {
      var points = seg
        .map(function (p) {
          return p[0] + "," + p[1];
        })
        .join(" ");
      if (seg.length > 1) pic.appendChild(svg("polyline", { points: points, class: "leader-spark-line" }));
    });
    var frame = box.appendChild(node("span", "leader-spark-box"));
    frame.appendChild(pic);
    if (line.last) {
      // The end point as a dot in HTML over the stretched SVG (an SVG circle would be stretched into an ellipse).
      var dot = frame.appendChild(node("span", "leader-spark-dot"));
      dot.style.left = (line.last[0] / SPARK_W) * 100 + "%";
      dot.style.top = (line.last[1] / SPARK_H) * 100 + "%";
    }
    box.appendChild(node("span", "leader-card-trend-label", period));
    return box;
  }

  function card(key, w) {
    var box = node("div", "leader-card");
    var value = w.kpis[key];
    box.setAttribute("data-kpi", key);
    box.appendChild(node("div", "leader-card-label", s("leader.kpi." + key)));
    box.appendChild(node("div", "leader-card-value", M.figure(key, value, s)));
    box.appendChild(trend(key, w));
    var target = st.config.targets[key];
    if (target !== undefined) {
      var below = typeof value === "number" && value < target;
      box.appendChild(node("div", "leader-card-target" + (below ? " is-below" : ""), s("leader.target", { target: (target * 100).toFixed(2).replace(/0$/, "") + "%" })));
    }
    var ch = M.change(key, value, w.previous[key], s);
    var good = M.isRate(key) ? ch.dir === "up" : false;
    var bad = M.isRate(key) ? ch.dir === "down" : false;
    var delta = node("div", "leader-card-change dir-" + ch.dir + (good ? " is-good" : bad ? " is-bad" : ""));
    delta.textContent = ch.text ? s("leader.prev." + st.window) + " " + ch.text : s("leader.prev." + st.window) + " —";
    box.appendChild(delta);
    return box;
  }

  L.renderCards = function () {
    if (!st.summary) return;
    var box = clear(L.el("leader-cards"));
    var w = st.summary.windows[st.window];
    st.config.cards.forEach(function (key) {
      box.appendChild(card(key, w));
    });
    Array.prototype.forEach.call(document.querySelectorAll(".leader-toggle-btn"), function (b) {
      b.setAttribute("aria-pressed", b.getAttribute("data-window") === st.window ? "true" : "false");
    });
  };

  function rankRow(child, by, drill) {
    var el = node(drill ? "button" : "div", "leader-rank-row");
    if (drill) {
      el.type = "button";
      el.setAttribute("data-code", child.code);
    }
    el.appendChild(node("span", "leader-rank-name", child.name));
    var main = by === "on_time" ? M.figure("on_time_close_rate", child.on_time_close_rate, s) : s("leader.rank.overdue", { n: child.overdue });
    el.appendChild(node("span", "leader-rank-figure", main));
    var side = by === "on_time" ? s("leader.rank.overdue", { n: child.overdue }) : s("leader.rank.open", { n: child.open });
    el.appendChild(node("span", "leader-rank-side", side));
    return el;
  }

  function rankGroup(title, rows, by, drill) {
    var group = node("div", "leader-rank-group");
    group.appendChild(node("h3", "leader-rank-head", title));
    if (!rows.length) group.appendChild(node("p", "leader-empty", s("leader.rank.norate")));
    rows.forEach(function (child) {
      group.appendChild(rankRow(child, by, drill));
    });
    return group;
  }

  function pressed(selector, attr, value) {
    Array.prototype.forEach.call(document.querySelectorAll(selector), function (b) {
      b.setAttribute("aria-pressed", b.getAttribute(attr) === value ? "true" : "false");
    });
  }

  /** The rankings: the scope's child areas (tap to drill) or the departments of its cases, by st.rankBy. */
  L.renderRank = function () {
    if (!st.summary) return;
    var rankings = st.summary.rankings;
    var depts = st.rankOf === "departments";
    var r = depts ? rankings.departments : rankings;
    var box = clear(L.el("leader-rank"));
    var level = depts ? "department" : r.level;
    L.el("leader-rank-level").textContent = level ? s("leader.rank.level." + level) : "";
    pressed("#leader-rank-tabs .leader-tab", "data-by", st.rankBy);
    pressed("#leader-rank-of .leader-tab", "data-of", st.rankOf);
    if (!r.count) {
      box.appendChild(node("p", "leader-empty", s(depts ? "leader.rank.nodept" : "leader.rank.empty")));
      return;
    }
    var lists = r[st.rankBy];
    var drill = !depts && r.level !== null; // a department is not an area: nothing to drill into
    if (!lists.best.length) {
      // Nothing to rank in this period (no case due yet): every one, so the leader can still drill in.
      box.appendChild(rankGroup(s("leader.rank.norate"), r.all, "overdue", drill));
      return;
    }
    // Few enough to rank in one list (best and worst would repeat the same rows): one list, best first.
    var shown = {};
    lists.best.forEach(function (c) {
      shown[c.code] = true;
    });
    var worst = lists.worst.filter(function (c) {
      return !shown[c.code];
    });
    box.appendChild(rankGroup(s(worst.length ? "leader.rank.best" : "leader.rank.all"), lists.best, st.rankBy, drill));
    if (worst.length) box.appendChild(rankGroup(s("leader.rank.worst"), worst, st.rankBy, drill));
  };

  function needsItem(c) {
    var li = node("li", "leader-need");
    li.setAttribute("data-id", String(c.id));
    var head = li.appendChild(node("div", "leader-need-head"));
    head.appendChild(node("span", "leader-need-code", c.code));
    c.reasons.forEach(function (r) {
      head.appendChild(node("span", "leader-badge badge-" + r, s("leader.reason." + r)));
    });
    var what = [c.category, c.grid_name].filter(Boolean).join(" · ");
    li.appendChild(node("div", "leader-need-what", what || c.grid_code));
    var meta = li.appendChild(node("div", "leader-need-meta"));
    meta.appendChild(node("span", "leader-need-state", s("state." + c.state)));
    var clock = meta.appendChild(node("span", "leader-need-clock"));
    clock.setAttribute("data-deadline", c.deadline || "");
    meta.appendChild(node("span", "leader-need-counts", s("leader.counts", { s: c.supervision_count, i: c.instruction_count })));
    if (c.supervision_count > 0) {
      // 督办回复: filled (and turned red when overdue) by L.tick from the row's receipt fields.
      var reply = li.appendChild(node("div", "leader-need-reply"));
      reply.setAttribute("data-id", String(c.id));
    }
    var acts = li.appendChild(node("div", "leader-need-actions"));
    ["supervise", "instruct"].forEach(function (cmd) {
      var b = acts.appendChild(node("button", "leader-act leader-act--" + cmd, s("leader." + cmd)));
      b.type = "button";
      b.setAttribute("data-cmd", cmd);
      b.setAttribute("data-id", String(c.id));
    });
    li.appendChild(node("p", "leader-need-msg")).hidden = true;
    return li;
  }
  L.needsItem = needsItem;

  L.renderNeeds = function () {
    var needs = st.summary.needs;
    var list = clear(L.el("leader-needs"));
    var shown = needs.cases.length;
    L.el("leader-needs-count").textContent =
      needs.total > shown ? s("leader.needs.more", { total: needs.total, shown: shown }) : s("leader.needs.count", { total: needs.total });
    if (!shown) list.appendChild(node("li", "leader-empty", s("leader.needs.empty")));
    needs.cases.forEach(function (c) {
      var li = list.appendChild(needsItem(c));
      if (st.flash && st.flash.id === c.id) {
        var msg = li.querySelector(".leader-need-msg");
        msg.textContent = st.flash.text;
        msg.hidden = false;
      }
    });
    L.tick();
  };

  function tickReplies(now, dur) {
    var byId = {};
    (st.summary ? st.summary.needs.cases : []).forEach(function (c) {
      byId[c.id] = c;
    });
    Array.prototype.forEach.call(document.querySelectorAll(".leader-need-reply"), function (el) {
      var r = M.receipt(byId[Number(el.getAttribute("data-id"))], now, s, dur);
      if (el.textContent !== r.text) el.textContent = r.text;
      el.className = "leader-need-reply" + (r.status ? " reply-" + r.status : "");
    });
  }

  /** 1 Hz: every countdown's text and colour, the 督办 receipts' too. */
  L.tick = function () {
    var now = Date.now();
    var dur = window.gridcmdSla.duration;
    Array.prototype.forEach.call(document.querySelectorAll(".leader-need-clock"), function (el) {
      var raw = el.getAttribute("data-deadline");
      var cd = M.countdown(raw ? Date.parse(raw) : null, now, s, dur);
      if (el.textContent !== cd.text) el.textContent = cd.text;
      el.classList.toggle("is-over", cd.over);
    });
    tickReplies(now, dur);
  };

  L.renderAll = function () {
    L.renderStatus();
    L.renderCrumbs();
    L.renderCards();
    L.renderRank();
    L.renderNeeds();
    if (L.renderMap) L.renderMap();
    L.el("leader-updated").textContent = s("leader.updated", { time: (st.summary.at || "").slice(11, 19) });
  };
})();
