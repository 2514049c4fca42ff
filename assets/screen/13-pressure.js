/* GridCommand big screen: which streets are under the most pressure, and the auto-tour's caption for them.
 * Pure (no DOM): loaded as a plain script (window.gridcmd.screenPressure) and by `require` under Node
 * (tests/js/screen-format.test.js). The tour that flies the map is 32-tour.js.
 */
(function (root, factory) {
  "use strict";
  if (typeof module !== "undefined" && module.exports) module.exports = factory();
  else (root.gridcmd = root.gridcmd || {}).screenPressure = factory();
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  // What weighs on a street: overdue most, then red, level A, amber, and every open case a little.
  var WEIGHTS = { over: 5, red: 3, a: 2, amber: 1, open: 0.2 };

  /**
   * Streets by how pressing their held cases are, most pressing first: [{code, name, over, red, amber, a, open,
   * score}]. `cases` is anything with forEach over entries {row, sla}; `names` maps street code -> name.
   */
  function streets(cases, names) {
    var by = new Map();
    cases.forEach(function (entry) {
      var code = entry.row.street_code;
      if (!code) return; // a report not located yet belongs to no street (the tour cannot fly to it)
      var p = by.get(code);
      if (!p) by.set(code, (p = { code: code, name: names.get(code) || code, over: 0, red: 0, amber: 0, a: 0, open: 0 }));
      p.open++;
      if (entry.sla === "over") p.over++;
      else if (entry.sla === "red") p.red++;
      else if (entry.sla === "amber") p.amber++;
      if (entry.row.level === "A") p.a++;
    });
    var list = Array.from(by.values());
    list.forEach(function (p) {
      p.score = p.over * WEIGHTS.over + p.red * WEIGHTS.red + p.amber * WEIGHTS.amber + p.a * WEIGHTS.a + p.open * WEIGHTS.open;
    });
    return list.sort(function (a, b) {
      return b.score - a.score;
    });
  }

  /** "自动巡览 · 第01街道 · 超期 2 · 临期 1 · 在办 5" for the street `pick` (screen.tour.pressure fills the numbers). */
  function focusCaption(strings, pick) {
    var detail = (strings["screen.tour.pressure"] || "")
      .replace("{over}", pick.over)
      .replace("{red}", pick.red)
      .replace("{open}", pick.open);
    return (strings["screen.tour"] || "") + " · " + pick.name + " · " + detail;
  }

  /** "自动巡览 · 全域": the tour shows the whole district. */
  function overviewCaption(strings) {
    return (strings["screen.tour"] || "") + " · " + (strings["screen.tour.overview"] || "");
  }

  return { WEIGHTS: WEIGHTS, streets: streets, focusCaption: focusCaption, overviewCaption: overviewCaption };
});
