/* GridCommand big screen: deadline (SLA) status, the countdown board and the alert ticker.
 *
 * SLA status rule (DESIGN.md section 6 colours), computed in the browser every second from the case row:
 *   share left = (deadline - now) / (deadline - stage start), both wall-clock; the stage start is the row's
 *   `stage_start` (when the running stage clock started: filing, dispatch, handling report or rework).
 *   green  > 50 % left, amber <= 50 %, red <= 10 %, overdue (flashing red) once now passes the deadline.
 * A suspension moves the deadline by the time on hold when the case resumes, so the share stays honest;
 * while suspended (挂账) or before filing (no deadline yet) a case has no status ("none"/"paused").
 * Rows from a server without `stage_start` fall back to the stage's nominal allowance (dispatch 10 min for level A
 * else 30 min, verification 2 h, handling the span since the case was reported).
 */
(function () {
  "use strict";

  var ns = (window.gridcmd = window.gridcmd || {});
  var MIN = 60000;
  var RUNNING = { filed: true, returned: true, dispatched: true, handling: true, handled: true };
  var sla = (ns.screenSla = {});

  /** Wall-clock start of the running stage, in ms (see the rule above for rows without stage_start). */
  sla.stageStart = function (row, deadlineMs) {
    if (row.stage_start) return Date.parse(row.stage_start);
    if (row.state === "filed" || row.state === "returned") return deadlineMs - (row.level === "A" ? 10 : 30) * MIN;
    if (row.state === "handled") return deadlineMs - 120 * MIN;
    return row.reported_at ? Date.parse(row.reported_at) : deadlineMs - 60 * MIN;
  };

  /** "none" | "paused" | "green" | "amber" | "red" | "over" for a held case at `now` (ms). */
  sla.status = function (entry, now) {
    var state = entry.row.state;
    if (!RUNNING[state] || !entry.deadlineMs) return state === "suspended" ? "paused" : "none";
    var left = entry.deadlineMs - now;
    if (left < 0) return "over";
    var span = entry.deadlineMs - entry.startMs;
    var share = span > 0 ? left / span : 0;
    if (share <= 0.1) return "red";
    if (share <= 0.5) return "amber";
    return "green";
  };

  function pad(n) {
    return n < 10 ? "0" + n : String(n);
  }

  /** "03:15:20" for a duration in ms (sign ignored); beyond a day "2天03:15" (minutes are precise enough then). */
  sla.duration = function (ms, dayWord) {
    var s = Math.floor(Math.abs(ms) / 1000);
    var d = Math.floor(s / 86400);
    s -= d * 86400;
    var hm = pad(Math.floor(s / 3600)) + ":" + pad(Math.floor((s % 3600) / 60));
    return d ? d + dayWord + hm : hm + ":" + pad(s % 60);
  };

  // ---------------------------------------------------------------- countdown board

  /**
   * A fixed pool of rows (as many as fit) updated in place each second: text is written only when it changed.
   * Shown: every overdue case, then the cases closest to their deadline, sorted by time left; when that is
   * more than fits, the board pages through it.
   */
  sla.Board = function (listEl, strings, describe) {
    this.el = listEl;
    this.s = strings;
    this.describe = describe; // entry -> {cat, where}
    this.pool = [];
    this.size = 0;
    this.page = 0;
    this.pageAt = 0;
    this.pageLabel = document.getElementById("screen-board-page");
  };

  /** Build as many rows as the list's height holds (rows have a fixed CSS height); again after a resize. */
  sla.Board.prototype.fit = function () {
    this.el.replaceChildren();
    this.pool = [];
    var probe = this.makeRow();
    this.el.appendChild(probe);
    var rowH = probe.getBoundingClientRect().height || 1;
    var size = Math.max(1, Math.floor((this.el.clientHeight + 0.5) / rowH));
    this.pool.push(probe);
    for (var i = 1; i < size; i++) {
      var li = this.makeRow();
      this.el.appendChild(li);
      this.pool.push(li);
    }
    this.pool.forEach(function (row) {
      row.hidden = true;
    });
    this.size = size;
  };

  sla.Board.prototype.makeRow = function () {
    var li = document.createElement("li");
    li.className = "bd-row";
    li.innerHTML =
      '<span class="bd-left"><i class="bd-tag"></i><b class="bd-time"></b></span>' +
      '<span class="bd-lvl"></span><span class="bd-cat"></span><span class="bd-where"></span>';
    li._v = {};
    li._f = {
      tag: li.querySelector(".bd-tag"),
      time: li.querySelector(".bd-time"),
      lvl: li.querySelector(".bd-lvl"),
      cat: li.querySelector(".bd-cat"),
      where: li.querySelector(".bd-where"),
    };
    return li;
  };

  function put(li, key, value) {
    if (li._v[key] === value) return;
    li._v[key] = value;
    if (key === "cls") li.className = value;
    else if (key === "id") li.setAttribute("data-case", value);
    else li._f[key].textContent = value;
  }

  /** Show `ordered` (running cases sorted by deadline) at `now`; `overdue` = how many lead the list. */
  sla.Board.prototype.render = function (ordered, overdue, now) {
    if (!this.size) this.fit();
    var size = this.size;
    // Every overdue case is shown (paging when they need more than one page); the slots left on the last page
    // go to the cases closest to their deadline.
    var pages = Math.max(1, Math.ceil(overdue / size));
    var total = Math.min(ordered.length, pages * size);
    if (!this.pageAt) this.pageAt = now;
    if (now - this.pageAt >= 8000) {
      this.page = (this.page + 1) % pages;
      this.pageAt = now;
    }
    if (this.page >= pages) this.page = 0;
    var label = pages > 1 ? this.s["screen.board.page"].replace("{page}", this.page + 1).replace("{pages}", pages) : "";
    if (this.pageLabel && this.pageLabel.textContent !== label) this.pageLabel.textContent = label;
    this.el.classList.toggle("is-empty", total === 0);
    for (var i = 0; i < size; i++) {
      var li = this.pool[i];
      var entry = ordered[this.page * size + i];
      if (!entry || this.page * size + i >= total) {
        if (!li.hidden) li.hidden = true;
        continue;
      }
      if (li.hidden) li.hidden = false;
      var left = entry.deadlineMs - now;
      var d = this.describe(entry);
      put(li, "cls", "bd-row sla-" + entry.sla);
      put(li, "id", String(entry.row.id));
      put(li, "tag", left < 0 ? this.s["screen.board.late"] : this.s["screen.board.left"]);
      put(li, "time", sla.duration(left, this.s["screen.board.day"]));
      put(li, "lvl", entry.row.level || "·");
      put(li, "cat", d.cat);
      put(li, "where", d.where);
    }
  };

  // ---------------------------------------------------------------- alert ticker

  var TICKER_MAX = 24;
  var TICKER_PX_PER_S = 90; // at 1080p; scaled with the wall

  /** A bounded list of alerts scrolling right to left; rebuilt only between loops, so it never jumps. */
  sla.Ticker = function (trackEl, strings, scale, textOf) {
    this.el = trackEl;
    this.s = strings;
    this.scale = scale;
    this.textOf = textOf;
    this.items = []; // newest first: {key, kind, id, at, category, source, grid}
    this.keys = new Set();
    this.dirty = false;
    var self = this;
    this.onLoop = function () {
      if (self.dirty) self.build();
    };
    trackEl.addEventListener("animationiteration", this.onLoop);
  };

  sla.Ticker.prototype.push = function (alert) {
    if (this.keys.has(alert.key)) return;
    this.keys.add(alert.key);
    this.items.push(alert);
    this.items.sort(function (a, b) {
      return b.at < a.at ? -1 : b.at > a.at ? 1 : 0;
    });
    while (this.items.length > TICKER_MAX) this.keys.delete(this.items.pop().key);
    this.dirty = true;
    if (!this.el.firstChild) this.build(); // nothing scrolling yet: show it now
  };

  sla.Ticker.prototype.build = function () {
    this.dirty = false;
    var el = this.el;
    var frag = document.createDocumentFragment();
    var s = this.s;
    var textOf = this.textOf;
    var make = function (a) {
      var span = document.createElement("span");
      span.className = "tk-item tk-" + a.kind;
      var tag = document.createElement("b");
      tag.textContent = s["screen.ticker." + a.kind] || a.kind;
      var time = document.createElement("time");
      time.textContent = a.at.slice(11, 16);
      span.append(tag, time, document.createTextNode(textOf(a)));
      span.setAttribute("data-case", a.id);
      return span;
    };
    // Two copies: the track scrolls by exactly one copy's width and starts over seamlessly.
    for (var copy = 0; copy < 2; copy++) {
      for (var i = 0; i < this.items.length; i++) frag.appendChild(make(this.items[i]));
    }
    el.replaceChildren(frag);
    var width = el.scrollWidth / 2;
    el.style.animationDuration = Math.max(10, width / (TICKER_PX_PER_S * this.scale)) + "s";
    // Restart the animation from the start for the new content.
    el.classList.remove("is-running");
    void el.offsetWidth;
    if (this.items.length) el.classList.add("is-running");
  };

  sla.Ticker.prototype.text = function () {
    return this.items
      .map(function (a) {
        return a.kind + ":" + a.id;
      })
      .join(" ");
  };

  sla.Ticker.prototype.destroy = function () {
    this.el.removeEventListener("animationiteration", this.onLoop);
    this.el.replaceChildren();
    this.items = [];
    this.keys.clear();
  };
})();
