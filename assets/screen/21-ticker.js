/* GridCommand big screen: the alert ticker (预警快讯), scrolling the bounded list of 11-alerts.js right to left.
 * Rebuilt only between loops, so it never jumps. On creation it asks the server for the last hour's alerts
 * (GET /api/v1/screen/alerts, the caller's jurisdiction), so a reloaded wall does not start empty; they merge with
 * the live ones by key (kind and case).
 */
(function () {
  "use strict";

  var ns = (window.gridcmd = window.gridcmd || {});
  var alerts = ns.screenAlerts;
  var PX_PER_S = 90; // at 1080p; scaled with the wall
  var HISTORY_URL = "/api/v1/screen/alerts";

  /** The ticker in `trackEl`; `textOf(alert)` is an item's text, read when the ticker is drawn. */
  function Ticker(trackEl, strings, scale, textOf) {
    this.el = trackEl;
    this.s = strings;
    this.scale = scale;
    this.textOf = textOf;
    this.list = new alerts.List();
    this.dirty = false;
    var self = this;
    this.onLoop = function () {
      if (self.dirty) self.build();
    };
    trackEl.addEventListener("animationiteration", this.onLoop);
    this.loadHistory();
  }

  /** The last hour's alerts from the server, merged with what the live feed has pushed meanwhile. */
  Ticker.prototype.loadHistory = function () {
    var self = this;
    if (typeof fetch !== "function") return;
    fetch(HISTORY_URL, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) {
        if (!r.ok) throw new Error("alerts " + r.status);
        return r.json();
      })
      .then(function (body) {
        if (!self.dead && self.list.merge(body.alerts || [])) self.changed();
      })
      .catch(function () {}); // offline: the live alerts still come
  };

  Ticker.prototype.changed = function () {
    this.dirty = true;
    if (!this.el.firstChild) this.build(); // nothing scrolling yet: show it now
  };

  Ticker.prototype.push = function (alert) {
    if (this.list.push(alert)) this.changed();
  };

  Ticker.prototype.item = function (a) {
    var span = document.createElement("span");
    span.className = "tk-item tk-" + a.kind;
    var tag = document.createElement("b");
    tag.textContent = this.s["screen.ticker." + a.kind] || a.kind;
    var time = document.createElement("time");
    time.textContent = a.at.slice(11, 16);
    span.append(tag, time, document.createTextNode(this.textOf(a)));
    span.setAttribute("data-case", a.id);
    return span;
  };

  Ticker.prototype.build = function () {
    this.dirty = false;
    var el = this.el;
    var items = this.list.items;
    var frag = document.createDocumentFragment();
    // Two copies: the track scrolls by exactly one copy's width and starts over seamlessly.
    for (var copy = 0; copy < 2; copy++) {
      for (var i = 0; i < items.length; i++) frag.appendChild(this.item(items[i]));
    }
    el.replaceChildren(frag);
    var width = el.scrollWidth / 2;
    el.style.animationDuration = Math.max(10, width / (PX_PER_S * this.scale)) + "s";
    // Restart the animation from the start for the new content.
    el.classList.remove("is-running");
    void el.offsetWidth;
    if (items.length) el.classList.add("is-running");
  };

  Ticker.prototype.text = function () {
    return this.list.text();
  };

  /** [{key, tag, text}] of every alert as an item shows it, newest first (the test handle's view; the DOM is rebuilt
   * only between loops, which may be a minute away on a full ticker). */
  Ticker.prototype.texts = function () {
    var self = this;
    return this.list.items.map(function (a) {
      return { key: a.key, tag: self.s["screen.ticker." + a.kind] || a.kind, text: self.textOf(a) };
    });
  };

  Ticker.prototype.destroy = function () {
    this.dead = true;
    this.el.removeEventListener("animationiteration", this.onLoop);
    this.el.replaceChildren();
    this.list.clear();
  };

  ns.screenTicker = Ticker;
})();
