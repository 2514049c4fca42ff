/* GridCommand dispatch desk: the page's data-config (layouts/dispatch.py page_config) read into the desk's model,
 * and the names the desk shows for codes in it. Pure (no DOM).
 *
 *   var model = gridcmdDesk.config.read(json)   // {strings, me, commands: Set, sources: {cmd: Set}, terminal: Set,
 *                                               //  thresholds, deptList, depts: Map, streets: Map, tabs, tz, lang}
 *   gridcmdDesk.config.deptName(model, code) … stateLabel, cmdLabel, actorLabel, gridName
 *
 * The model is a plain object; the page merges it into its state (00-state.js), so every pure function of the desk
 * takes the page's state or a model read here alike. The SLA thresholds are defined once, in Python; without them
 * the desk says so in the console and shows deadlines uncoloured, never guessing a copy.
 *
 * Loaded as a plain script (gridcmdDesk.config) and by `require` under Node (tests/js/desk-config.test.js).
 */
(function (root, factory) {
  "use strict";
  var fmt = typeof module !== "undefined" && module.exports ? require("../shared/format.js") : root.gridcmdFormat;
  var api = factory(fmt);
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  else (root.gridcmdDesk = root.gridcmdDesk || {}).config = api;
})(typeof self !== "undefined" ? self : this, function (fmt) {
  "use strict";

  function parse(json) {
    try {
      return JSON.parse(json || "{}") || {};
    } catch (_e) {
      return {};
    }
  }

  /** {amber, red} when the config carries them as shares 0 <= red <= amber <= 1, else null (and a console error). */
  function thresholds(cfg, log) {
    var t = cfg.sla_thresholds;
    if (t && typeof t.amber === "number" && typeof t.red === "number" && t.red >= 0 && t.red <= t.amber && t.amber <= 1) {
      return { amber: t.amber, red: t.red };
    }
    (log || console).error(
      "gridcmdDesk: data-config has no valid sla_thresholds {amber, red} (layouts/dispatch.py); deadlines stay uncoloured",
      t
    );
    return null;
  }

  /** The desk's model from the data-config JSON text (or an already parsed object). `log` stands in for console. */
  function read(json, log) {
    var cfg = typeof json === "string" || json === null || json === undefined ? parse(json) : json;
    var sources = {};
    Object.keys(cfg.sources || {}).forEach(function (cmd) {
      sources[cmd] = new Set(cfg.sources[cmd]);
    });
    var deptList = cfg.departments || [];
    var depts = new Map();
    deptList.forEach(function (d) {
      depts.set(d.code, d);
    });
    var streets = new Map();
    (cfg.streets || []).forEach(function (x) {
      streets.set(x.code, x.name);
    });
    var model = {
      strings: cfg.i18n || {},
      me: cfg.me || { name: "", role: "", scope: "", district_wide: true },
      commands: new Set(cfg.commands || []),
      sources: sources,
      terminal: new Set(cfg.terminal || []),
      thresholds: thresholds(cfg, log),
      deptList: deptList,
      depts: depts,
      streets: streets,
      tabs: cfg.tabs || null, // null: every tab of the queue model (10-queue.js), in its order
      tz: cfg.tz || "Asia/Shanghai",
      lang: cfg.lang || "zh",
    };
    return model;
  }

  function s(model, key, vars) {
    return fmt.t(model.strings, key, vars);
  }

  function deptName(model, code) {
    if (!code) return "";
    var d = model.depts.get(code);
    return d ? d.name : code;
  }

  /** A grid's name once the grid layer has named it (`model.gridNames`), else its code. */
  function gridName(model, code) {
    return (model.gridNames && model.gridNames.get(code)) || code || "";
  }

  /** Whether a row has its location (a report the intake could not place waits for `locate`: no grid, no point). */
  function located(row) {
    return !!row && row.grid_code !== null && row.grid_code !== undefined;
  }

  /** Where a row is, as the queue and panel name it: its grid's name, or 待定位 while it has no location. */
  function placeLabel(model, row) {
    return located(row) ? gridName(model, row.grid_code) : s(model, "dispatch.unlocated");
  }

  function stateLabel(model, state) {
    return s(model, "state." + state);
  }

  function cmdLabel(model, cmd) {
    return s(model, "dispatch.cmd." + cmd);
  }

  /** Audit actors are user names; the scheduler's rules act as "system:<rule>". */
  function actorLabel(model, actor) {
    return actor && actor.indexOf("system:") === 0 ? s(model, "dispatch.actor.system") : actor || "";
  }

  return {
    read: read,
    s: s,
    deptName: deptName,
    gridName: gridName,
    located: located,
    placeLabel: placeLabel,
    stateLabel: stateLabel,
    cmdLabel: cmdLabel,
    actorLabel: actorLabel,
  };
});
