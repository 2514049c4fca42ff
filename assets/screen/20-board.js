/* GridCommand big screen: the countdown board (时限预警), drawn from the order and paging of 10-deadlines.js.
 *
 * A fixed pool of rows (as many as fit) updated in place each second: text is written only when it changed.
 * Shown: every overdue case, then the cases closest to their deadline, sorted by time left; when that is
 * more than fits, the board pages through it.
 */
(function () {
  "use strict";

  var ns = (window.gridcmd = window.gridcmd || {});
  var deadlines = ns.screenDeadlines;

  /** The board in `listEl`; `describe(entry)` gives a row's {cat, where}. */
  function Board(listEl, strings, describe) {
    this.el = listEl;
    this.s = strings;
    this.describe = describe;
    this.pool = [];
    this.size = 0;
    this.pager = { page: 0, pageAt: 0 };
    this.pageLabel = document.getElementById("screen-board-page");
  }

  /** Build as many rows as the list's height holds (rows have a fixed CSS height); again after a resize. */
  Board.prototype.fit = function () {
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

  Board.prototype.makeRow = function () {
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

  var FIELDS = ["cls", "id", "tag", "time", "lvl", "cat", "where"];

  /** Write the fields of `texts` (10-deadlines.js boardRow) that differ from what the row shows. */
  function put(li, texts) {
    for (var i = 0; i < FIELDS.length; i++) {
      var key = FIELDS[i];
      var value = texts[key];
      if (li._v[key] === value) continue;
      li._v[key] = value;
      if (key === "cls") li.className = value;
      else if (key === "id") li.setAttribute("data-case", value);
      else li._f[key].textContent = value;
    }
  }

  /** Show `ordered` (running cases sorted by deadline) at `now`; `overdue` = how many lead the list. */
  Board.prototype.render = function (ordered, overdue, now) {
    if (!this.size) this.fit();
    var size = this.size;
    var view = deadlines.paging(this.pager, overdue, size, ordered.length, now);
    var label = deadlines.pageLabel(this.s, view.page, view.pages);
    if (this.pageLabel && this.pageLabel.textContent !== label) this.pageLabel.textContent = label;
    this.el.classList.toggle("is-empty", view.total === 0);
    for (var i = 0; i < size; i++) {
      var li = this.pool[i];
      var at = view.page * size + i;
      var entry = ordered[at];
      if (!entry || at >= view.total) {
        if (!li.hidden) li.hidden = true;
        continue;
      }
      if (li.hidden) li.hidden = false;
      put(li, deadlines.boardRow(entry, now, this.s, this.describe(entry)));
    }
  };

  ns.screenBoard = Board;
})();
