/* GridCommand big screen: mounting the wall on the map dash-leaflet draws (gridcmd.attach / gridcmd.detach from the
 * screen's LayerGroup, layouts/screen.py), the live client's wiring, the street metadata, and teardown.
 */
(function (ns, sc) {
  "use strict";

  var state = ns.screenState;
  var pressure = ns.screenPressure;
  var live = sc.live;

  // ---------------------------------------------------------------- live client (assets/shared/live.js)

  sc.resync = function () {
    if (live.client) live.client.resync(); // not connected: the next connect asks for a snapshot
  };

  function onSynced() {
    if (live.board) sc.tick(); // counters, colours and the board reflect the new state at once, not next second
    if (sc.pastMidnight()) sc.resync(); // we were away over midnight: today's counter needs a fresh base
  }

  function startSocket() {
    if (live.client) {
      live.client.reconnect(); // connects now if the socket gave up
      return;
    }
    live.client = window.gridcmdLiveClient.connect({
      io: window.io,
      view: "screen",
      paused: !live.map, // connected before the map mounted: attach() resumes
      onSnapshot: function (_cases, _kpis, snap) {
        sc.applySnapshot(snap);
      },
      onCases: sc.applyCases,
      onPatrols: function (frame) {
        sc.applyPatrolRows(frame.rows || [], false);
      },
      onSynced: onSynced,
      onState: sc.setConn,
    });
  }

  /** Streets by how pressing their open cases are (13-pressure.js), for the tour and the test handle. */
  sc.pressure = function () {
    return pressure.streets(live.cases, live.streetNames);
  };

  // ---------------------------------------------------------------- mount / unmount

  function ensurePane(map, name, z) {
    var pane = map.getPane(name) || map.createPane(name);
    pane.style.zIndex = String(z);
    return pane;
  }

  /** Boxes drawn over the map (stats, legend, the tour's caption) in map pixels: street names keep clear of them. */
  function overlays() {
    if (!live.map) return [];
    var at = live.map.getContainer().getBoundingClientRect();
    var boxes = [];
    document.querySelectorAll(".screen-stats, .screen-legend, .screen-tour.is-on").forEach(function (node) {
      var r = node.getBoundingClientRect();
      if (r.width && r.height) boxes.push([r.left - at.left, r.top - at.top, r.right - at.left, r.bottom - at.top]);
    });
    return boxes;
  }

  function loadMeta() {
    fetch("/api/v1/screen/meta", { credentials: "same-origin" })
      .then(function (r) {
        if (!r.ok) throw new Error("meta " + r.status);
        return r.json();
      })
      .then(function (meta) {
        if (!live.map) return;
        live.departments = meta.departments || {};
        live.majors = meta.majors || {};
        meta.streets.features.forEach(function (f) {
          live.streetNames.set(f.properties.code, f.properties.name);
        });
        if (live.streets) live.streets.group.remove();
        live.streets = ns.screenMap.drawStreets(live.map, meta.streets, live.scale, overlays);
        var district = sc.el("screen-district");
        if (district && meta.district) district.textContent = meta.district.name + " · " + sc.s("screen.subtitle");
        live.boardDirty = true;
        sc.mark("meta");
      })
      .catch(function () {
        setTimeout(function () {
          if (live.map) loadMeta();
        }, 10000);
      });
  }

  function buildLayers(map) {
    ensurePane(map, "gc-streets", 420);
    ensurePane(map, "gc-patrols", 440);
    // Case panes bottom to top (14-format.js casePane): an A-level or overdue case is never under an ordinary one,
    // and street names are above every marker and badge.
    ensurePane(map, "gc-cases", 450); // hidden at district zoom, where the badges stand for these
    ensurePane(map, "gc-clusters", 452);
    ensurePane(map, "gc-cases-over", 454).classList.add("gc-blink-pane");
    ensurePane(map, "gc-cases-a", 456);
    ensurePane(map, "gc-cases-a-over", 458).classList.add("gc-blink-pane");
    ensurePane(map, "gc-labels", 460);
    sc.mountClusters(map);
    live.patrolLayer = ns.screenMap.patrolLayer({
      workerUrl: live.config.workerUrl,
      scale: live.scale,
      clusterBelowZoom: live.config.clusterBelowZoom,
      onDrawn: function (m) {
        sc.record(live.perf.draws, m.ms);
        sc.mark("patrolsDrawn");
      },
    });
    live.patrolLayer.addTo(map);
    sc.refeedPatrols();
  }

  /** The page's settings (data-* of #screen-root, layouts/screen.py), among them the SLA thresholds. */
  function readConfig() {
    var root = sc.el("screen-root");
    try {
      live.strings = JSON.parse(root.getAttribute("data-i18n") || "{}");
      live.config = JSON.parse(root.getAttribute("data-config") || "{}");
    } catch (_e) {
      live.strings = {};
      live.config = {};
    }
    // Defined once, in Python (dashboard/domain/sla.py); without them running clocks stay uncoloured.
    live.thresholds = window.gridcmdSla.thresholds(live.config.sla_thresholds);
    if (!live.thresholds) {
      console.error("gridcmd screen: data-config has no valid sla_thresholds (layouts/screen.py)", live.config.sla_thresholds);
    }
    live.tz = root.getAttribute("data-tz") || live.tz;
    live.lang = root.getAttribute("data-lang") || live.lang;
    live.scale = parseFloat(getComputedStyle(document.documentElement).fontSize) / 16 || 1;
    if (live.config.loadSteps) sc.gridSteps = live.config.loadSteps;
  }

  function readTemplate() {
    try {
      return JSON.parse(sc.el("screen-root").getAttribute("data-chart-template") || "null");
    } catch (_e) {
      return null;
    }
  }

  /**
   * The live map is complete (snapshot applied, grids drawn): once it has been painted, let the charts load
   * Plotly, whose evaluation holds the main thread for a second or more.
   */
  sc.maybeAllowCharts = function () {
    if (!live.haveSnapshot || !("gridsDone" in live.marks) || !ns.screenPanels) return;
    requestAnimationFrame(function () {
      requestAnimationFrame(function () {
        sc.mark("mapPainted"); // the frame with the complete map has been produced (first-paint bench)
        setTimeout(ns.screenPanels.allowCharts, 300);
      });
    });
  };

  function startPanels() {
    var board = sc.el("screen-board-list");
    if (board) live.board = new ns.screenBoard(board, live.strings, sc.describe);
    var track = sc.el("screen-ticker");
    if (track) live.ticker = new ns.screenTicker(track, live.strings, live.scale, sc.alertText);
    ns.screenPanels.start({
      strings: live.strings,
      scale: live.scale,
      periodS: live.config.summaryPeriodS || 60,
      template: readTemplate(),
      today: function () {
        return live.today;
      },
      newestId: function () {
        return live.maxSeenId;
      },
      major: function (code) {
        return (live.majors && live.majors[code]) || null;
      },
    });
    live.tour = new ns.screenMap.Tour(live.map, {
      captionId: "screen-tour",
      idleS: live.config.tourIdleS || 60,
      stepS: live.config.tourStepS || 20,
      strings: live.strings,
      streets: function () {
        return live.streets;
      },
      pressure: sc.pressure,
    });
    live.tour.start();
    // Align the per-second pass to the wall clock so countdowns tick with the header clock.
    live.timers.tick = setTimeout(function () {
      sc.tick();
      live.timers.tick = setInterval(sc.tick, 1000);
    }, 1000 - (Date.now() % 1000));
    window.addEventListener("resize", onResize);
  }

  function onResize() {
    clearTimeout(live.timers.resize);
    live.timers.resize = setTimeout(function () {
      if (live.board) live.board.fit();
    }, 300);
  }

  function teardown() {
    if (live.client) live.client.close();
    Object.keys(live.timers).forEach(function (k) {
      clearTimeout(live.timers[k]);
      clearInterval(live.timers[k]);
      live.timers[k] = 0;
    });
    window.removeEventListener("resize", onResize);
    if (live.fitWatch) live.fitWatch.disconnect(); // 51-grids.js keepFitted: the next map is fitted afresh
    live.fitWatch = null;
    live.fitSettled = false;
    if (ns.screenPanels) ns.screenPanels.stop();
    if (live.tour) live.tour.stop();
    if (live.ticker) live.ticker.destroy();
    if (live.patrolLayer) live.patrolLayer.remove();
    sc.unmountClusters();
    live.tour = live.ticker = live.board = live.patrolLayer = live.streets = null;
    live.client = null;
    live.map = null;
    state.reset(live);
    live.ordered = [];
    live.shown = {};
    live.conn = "idle";
  }

  /** Mount point: called by dash-leaflet with the LayerGroup as e.target and ctx.map, on every (re)creation. */
  ns.attach = function (e, ctx) {
    var map = (ctx && ctx.map) || (e && e.target && e.target._map);
    if (!map || !sc.el("screen-root")) return; // not the big screen
    if (live.map !== map) {
      if (live.map) teardown(); // a new map (page re-created): start clean, the server sends a snapshot
      live.map = map;
      sc.mark("attach");
      readConfig();
      buildLayers(map);
      loadMeta();
      startPanels();
    }
    startSocket();
    sc.setConn(live.conn);
    live.client.resume(); // what arrived before the map mounted (snapshot, deltas) is drawn now, in order
    sc.scheduleRender();
  };

  /** dash-leaflet removes the group when it re-creates it (attach follows at once) or leaves the page. */
  ns.detach = function () {
    setTimeout(function () {
      if (live.map && !document.body.contains(live.map.getContainer())) teardown();
    }, 1000);
  };

  /**
   * On the big screen's own URL, start what takes the server longest before Dash has even rendered the map: the
   * socket (its snapshot is held until attach) and the grid polygons (the map's later request is answered from
   * the browser cache with a 304).
   */
  function early() {
    if (location.pathname.indexOf("/screen") !== 0 || typeof window.io !== "function" || live.client) return;
    sc.mark("early");
    fetch("/api/v1/screen/grids", { credentials: "same-origin" })
      .then(function (r) {
        return r.arrayBuffer();
      })
      .catch(function () {});
    startSocket();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", early);
  else early();
})(window.gridcmd, window.gridcmd.screen);
