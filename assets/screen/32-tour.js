/* GridCommand big screen: the auto-tour, flying between the whole district and the streets under the most pressure
 * (13-pressure.js). Started by the screen's mount (55-mount.js).
 */
(function () {
  "use strict";

  var ns = (window.gridcmd = window.gridcmd || {});
  var mapkit = (ns.screenMap = ns.screenMap || {});
  var pressure = ns.screenPressure;

  /**
   * When nobody has touched the map for `idleS`, alternate every `stepS` between the whole district and the street
   * under the most pressure (rotating through the top three), flying slowly. Any touch stops it until idle again.
   */
  mapkit.Tour = function (map, opts) {
    this.map = map;
    this.opts = opts;
    this.lastTouch = Date.now();
    this.step = 0;
    this.timer = 0;
    this.caption = document.getElementById(opts.captionId);
    var self = this;
    this.onTouch = function () {
      self.lastTouch = Date.now();
      self.show("");
    };
    var el = map.getContainer();
    ["pointerdown", "wheel", "keydown", "touchstart"].forEach(function (type) {
      el.addEventListener(type, self.onTouch, { passive: true });
    });
  };

  mapkit.Tour.prototype.start = function () {
    var self = this;
    if (this.timer) return;
    this.timer = setInterval(function () {
      self.next();
    }, this.opts.stepS * 1000);
  };

  mapkit.Tour.prototype.stop = function () {
    clearInterval(this.timer);
    this.timer = 0;
    var el = this.map.getContainer();
    var self = this;
    ["pointerdown", "wheel", "keydown", "touchstart"].forEach(function (type) {
      el.removeEventListener(type, self.onTouch);
    });
  };

  mapkit.Tour.prototype.show = function (text) {
    if (!this.caption) return;
    if (this.caption.textContent !== text) this.caption.textContent = text;
    this.caption.classList.toggle("is-on", !!text);
  };

  mapkit.Tour.prototype.next = function () {
    if (Date.now() - this.lastTouch < this.opts.idleS * 1000) return;
    var streets = this.opts.streets();
    if (!streets || !streets.all) return;
    var s = this.opts.strings;
    var focus = this.step % 2 === 0;
    var pressing = focus ? this.opts.pressure().slice(0, 3) : [];
    this.step++;
    if (focus && pressing.length) {
      var pick = pressing[Math.floor(this.step / 2) % pressing.length];
      var b = streets.bounds.get(pick.code);
      if (b) {
        this.map.flyToBounds(b, { duration: 3, padding: [40, 40], maxZoom: 15 });
        this.show(pressure.focusCaption(s, pick));
        return;
      }
    }
    var fit = window.gridcmd && window.gridcmd.screenFit;
    var opts = { duration: 3, padding: [20, 20] }; // overview: clear of the tiles and the legend (16-fit.js)
    this.map.flyToBounds(streets.all, fit ? fit.options(this.map, opts) : opts);
    this.show(pressure.overviewCaption(s));
  };
})();
