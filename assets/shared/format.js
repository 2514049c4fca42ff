/* GridCommand: formatting every view shares — UI strings with placeholders, wall-clock times in the district's
 * time zone, distances. Pure (no DOM).
 *
 *   gridcmdFormat.t(strings, "dispatch.total", {shown: 3, open: 9})  // the string with {shown}, {open} filled in;
 *                                                                      // a missing string shows its key
 *   var clock = gridcmdFormat.clock("zh", "Asia/Shanghai")             // {weekday: "long"} for the wall's header
 *   clock.hm(ms) "08:05", clock.hms(ms) "08:05:09", clock.mdhm(ms) "11-22 08:05", clock.mdhms(ms) "11-22 08:05:09",
 *   clock.stamp(ms) "2026-11-22 周日 08:05:09", clock.sameDay(a, b), clock.parts(ms) {year, month, day, weekday, …}
 *   gridcmdFormat.distance(850, "米", "公里") "850 米"; 1234 -> "1.2 公里"; null -> ""
 *   gridcmdFormat.pad2(7) "07"
 *
 * Times are the district's wall clock whatever the browser's own zone (an operator may sit elsewhere), each field
 * two digits, 24 h, whatever the locale's punctuation.
 *
 * Loaded as a plain script in every view (global `gridcmdFormat`, from /static/shared/ before the view's own
 * assets; layouts/dash_app.py) and by `require` under Node (tests/js/desk-format.test.js).
 */
(function (root, factory) {
  "use strict";
  var api = factory();
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  else root.gridcmdFormat = api;
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  /** `strings[key]` (the key itself when missing) with every `{name}` replaced by `vars[name]`. */
  function t(strings, key, vars) {
    var text = strings && Object.prototype.hasOwnProperty.call(strings, key) ? strings[key] : key;
    if (vars) {
      Object.keys(vars).forEach(function (k) {
        text = text.split("{" + k + "}").join(String(vars[k]));
      });
    }
    return text;
  }

  function pad2(n) {
    return n < 10 ? "0" + n : String(n);
  }

  /** A distance in metres as "850 米" / "1.2 公里" (one decimal from 1 km on); "" when unknown. */
  function distance(m, unitM, unitKm) {
    if (m === null || m === undefined) return "";
    return m >= 1000 ? (m / 1000).toFixed(1) + " " + unitKm : Math.round(m) + " " + unitM;
  }

  /**
   * Wall-clock readings of times (ms) in `tz`, in `lang` ("en" or Chinese). `opts.weekday`: "short" (default) or
   * "long", as Intl names it.
   */
  function clock(lang, tz, opts) {
    var format = new Intl.DateTimeFormat(lang === "en" ? "en-GB" : "zh-CN", {
      timeZone: tz,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      weekday: (opts && opts.weekday) || "short",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
    });

    function parts(ms) {
      var p = {};
      format.formatToParts(new Date(ms)).forEach(function (x) {
        p[x.type] = x.value;
      });
      return p;
    }

    function hm(ms) {
      var p = parts(ms);
      return p.hour + ":" + p.minute;
    }

    function hms(ms) {
      var p = parts(ms);
      return p.hour + ":" + p.minute + ":" + p.second;
    }

    function mdhm(ms) {
      var p = parts(ms);
      return p.month + "-" + p.day + " " + p.hour + ":" + p.minute;
    }

    function mdhms(ms) {
      var p = parts(ms);
      return p.month + "-" + p.day + " " + p.hour + ":" + p.minute + ":" + p.second;
    }

    /** "2026-11-22 周日 08:05:09": a header clock. */
    function stamp(ms) {
      var p = parts(ms);
      return p.year + "-" + p.month + "-" + p.day + " " + p.weekday + " " + p.hour + ":" + p.minute + ":" + p.second;
    }

    function sameDay(a, b) {
      var x = parts(a);
      var y = parts(b);
      return x.year === y.year && x.month === y.month && x.day === y.day;
    }

    return { parts: parts, hm: hm, hms: hms, mdhm: mdhm, mdhms: mdhms, stamp: stamp, sameDay: sameDay };
  }

  return { t: t, pad2: pad2, distance: distance, clock: clock };
});
