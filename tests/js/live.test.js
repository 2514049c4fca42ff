// Unit tests of the shared live client (assets/shared/live.js), loaded as the browser loads it, with a fake
// socket and fake timers: `node --test tests/js/` (run by `make test`).
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const path = require("node:path");

const live = require(path.join(__dirname, "..", "..", "assets", "shared", "live.js"));

const TERMINAL = new Set(["self_handled", "rejected", "merged", "closed"]);

/** A socket.io-client socket as far as the live client uses it; the test plays the server. */
class FakeSocket {
  constructor(url, options) {
    this.url = url;
    this.options = options;
    this.handlers = new Map();
    this.emitted = [];
    this.connected = false;
    this.active = true; // socket.io's manager is (re)trying
    this.connects = 0;
  }
  on(event, fn) {
    if (!this.handlers.has(event)) this.handlers.set(event, []);
    this.handlers.get(event).push(fn);
    return this;
  }
  emit(event, data) {
    this.emitted.push([event, data]);
  }
  removeAllListeners() {
    this.handlers.clear();
  }
  connect() {
    this.connects += 1;
    this.active = true;
  }
  disconnect() {
    this.connected = false;
    this.active = false;
  }
  // ---- the server's side
  auth() {
    let sent;
    this.options.auth((a) => {
      sent = a;
    });
    return sent;
  }
  fire(event, ...args) {
    for (const fn of this.handlers.get(event) || []) fn(...args);
  }
  /** The handshake: its events (snapshot or replay) arrive before "connect", as socket.io delivers them. */
  open(...events) {
    this.connected = true;
    for (const [event, data] of events) this.fire(event, data);
    this.fire("connect");
  }
  drop(reason = "transport close") {
    this.connected = false;
    this.fire("disconnect", reason);
  }
  resyncs() {
    return this.emitted.filter(([e]) => e === "resync").length;
  }
}

/** setTimeout/clearTimeout that run only when the test advances the clock. */
class FakeTimers {
  constructor() {
    this.now = 0;
    this.queue = new Map();
    this.next = 1;
    this.setTimeout = (fn, ms) => {
      const id = this.next++;
      this.queue.set(id, { at: this.now + ms, fn, ms });
      return id;
    };
    this.clearTimeout = (id) => {
      this.queue.delete(id);
    };
  }
  delays() {
    return [...this.queue.values()].map((t) => t.ms);
  }
  advance(ms) {
    const until = this.now + ms;
    for (;;) {
      const due = [...this.queue.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at);
      if (!due.length) break;
      const [id, t] = due[0];
      this.queue.delete(id);
      this.now = t.at;
      t.fn();
    }
    this.now = until;
  }
}

function row(id, version, state = "reported") {
  return { id, version, state, code: `C${id}`, grid_code: "110112001001001", lat: 39.9, lon: 116.6 };
}

/** A client wired to a view that keeps the open cases as the wall and the desk do, recording every call. */
function setup(options = {}) {
  const sockets = [];
  const timers = new FakeTimers();
  const view = { cases: new Map(), calls: [], states: [], errors: [] };
  const client = live.connect({
    view: "screen",
    io: (url, opts) => {
      const s = new FakeSocket(url, opts);
      sockets.push(s);
      return s;
    },
    setTimeout: timers.setTimeout,
    clearTimeout: timers.clearTimeout,
    random: () => 0.5,
    onSnapshot(cases, kpis, snap) {
      view.calls.push(["snapshot", snap.id]);
      view.cases = new Map(cases.map((r) => [r.id, r]));
      view.kpis = kpis;
    },
    onCases(rows, id) {
      view.calls.push(["cases", id, rows.map((r) => [r.id, r.version])]);
      for (const r of rows) {
        if (TERMINAL.has(r.state)) view.cases.delete(r.id);
        else view.cases.set(r.id, r);
      }
    },
    onPatrols(frame) {
      view.calls.push(["patrols", frame.t]);
    },
    onSynced(id) {
      view.calls.push(["synced", id]);
    },
    onState(state) {
      view.states.push(state);
    },
    onError(err) {
      view.errors.push(err);
    },
    ...options,
  });
  const socket = sockets[0];
  const held = () => [...view.cases.values()].map((r) => [r.id, r.version, r.state]).sort((a, b) => a[0] - b[0]);
  return { client, socket, sockets, timers, view, held };
}

/** A client that took a snapshot at `id` holding `rows`, live. */
function liveAt(id, rows, options) {
  const t = setup(options);
  t.socket.open(["snapshot", { id, cases: rows, patrols: [], kpis: { open: rows.length } }]);
  assert.equal(t.client.state, "live");
  t.view.calls.length = 0;
  return t;
}

// ---------------------------------------------------------------- connect and snapshot

test("connects to /live with auth {view, since: null} and no token when none is given", () => {
  const { socket } = setup();
  assert.equal(socket.url, "/live");
  assert.deepEqual(socket.auth(), { view: "screen", since: null });
  assert.deepEqual(socket.options.transports, ["websocket"]);
});

test("a token goes into auth; `since` resumes from a given id", () => {
  const { socket } = setup({ view: "leader", token: "tok-1", since: "1700000000000-3" });
  assert.deepEqual(socket.auth(), { view: "leader", since: "1700000000000-3", token: "tok-1" });
});

test("snapshot then deltas: the snapshot replaces the picture, newer deltas apply, older ones are ignored", () => {
  const t = setup();
  assert.equal(t.client.state, "connecting");
  t.socket.open(["snapshot", { id: "100-0", cases: [row(1, 1), row(2, 1)], patrols: [], kpis: { open: 2 } }]);
  assert.equal(t.client.state, "live");
  assert.deepEqual(t.view.kpis, { open: 2 });
  t.socket.fire("delta", { id: "101-0", cases: [row(1, 2, "filed"), row(3, 1)] });
  t.socket.fire("delta", { id: "99-0", cases: [row(4, 1)] }); // before the snapshot: covered by it
  t.socket.fire("delta", { id: "102-0", cases: [row(2, 2, "closed")] });
  assert.deepEqual(t.held(), [
    [1, 2, "filed"],
    [3, 1, "reported"],
  ]);
  assert.equal(t.client.lastId, "102-0");
  assert.deepEqual(t.view.calls, [
    ["snapshot", "100-0"],
    ["synced", "100-0"],
    ["cases", "101-0", [[1, 2], [3, 1]]],
    ["cases", "102-0", [[2, 2]]],
  ]);
});

test("deltas that arrive before the snapshot wait for it; those it covers are dropped", () => {
  const t = setup();
  t.socket.fire("delta", { id: "12-0", cases: [row(2, 2, "filed")] });
  t.socket.fire("delta", { id: "9-0", cases: [row(1, 1)] });
  assert.deepEqual(t.view.calls, []);
  t.socket.open(["snapshot", { id: "10-0", cases: [row(1, 1), row(2, 1)], patrols: [], kpis: {} }]);
  assert.deepEqual(t.held(), [
    [1, 1, "reported"],
    [2, 2, "filed"],
  ]);
  assert.deepEqual(
    t.view.calls.map((c) => c.slice(0, 2)),
    [
      ["snapshot", "10-0"],
      ["cases", "12-0"],
      ["synced", "12-0"],
    ],
  );
});

test("a delta after the snapshot carrying a row the snapshot already has at that version is dropped", () => {
  const t = setup();
  // The snapshot read the stream head (10-0) before the database, so it may already hold 11-0's rows.
  t.socket.fire("delta", { id: "11-0", cases: [row(1, 2, "filed")] });
  t.socket.open(["snapshot", { id: "10-0", cases: [row(1, 2, "filed")], patrols: [], kpis: {} }]);
  t.socket.fire("delta", { id: "11-5", cases: [row(1, 1)] }); // older than what the snapshot held
  assert.deepEqual(t.held(), [[1, 2, "filed"]]);
  assert.deepEqual(
    t.view.calls.filter((c) => c[0] === "cases"),
    [],
  );
  assert.equal(t.client.lastId, "11-5");
});

// ---------------------------------------------------------------- replay

test("replay after a drop: buffered replayed deltas are applied before advancing to synced.id", () => {
  const t = liveAt("10-0", [row(1, 1), row(2, 1), row(3, 1)]);
  t.socket.drop();
  assert.equal(t.client.state, "reconnecting");
  // What changed and arrived while away comes as a replay; synced.id also covers rows outside our scope.
  t.socket.open(
    ["delta", { id: "11-0", cases: [row(1, 2, "filed"), row(2, 2, "filed")] }],
    ["delta", { id: "12-0", cases: [row(3, 2, "closed"), row(4, 1), row(5, 1)] }],
    ["delta", { id: "13-0", cases: [row(6, 1)] }],
  );
  assert.deepEqual(t.view.calls, [], "nothing is applied before synced");
  assert.notEqual(t.client.state, "live");
  t.socket.fire("synced", { id: "15-0", replayed: 3 });
  assert.deepEqual(t.held(), [
    [1, 2, "filed"],
    [2, 2, "filed"],
    [4, 1, "reported"],
    [5, 1, "reported"],
    [6, 1, "reported"],
  ]);
  assert.equal(t.client.lastId, "15-0");
  assert.equal(t.client.state, "live");
  assert.deepEqual(t.view.calls.at(-1), ["synced", "15-0"]);
});

test("a live delta that arrives before the replay does not make the older replayed deltas look seen", () => {
  const t = liveAt("10-0", [row(1, 1)]);
  t.socket.drop();
  t.socket.connected = true;
  // A delta published while we reconnected reaches us through the message queue ahead of the replay.
  t.socket.fire("delta", { id: "14-0", cases: [row(9, 1)] });
  t.socket.fire("delta", { id: "11-0", cases: [row(1, 2, "filed")] });
  t.socket.fire("delta", { id: "12-0", cases: [row(7, 1)] });
  t.socket.fire("delta", { id: "13-0", cases: [row(8, 1)] });
  t.socket.fire("synced", { id: "13-0" });
  t.socket.fire("connect");
  assert.deepEqual(t.held(), [
    [1, 2, "filed"],
    [7, 1, "reported"],
    [8, 1, "reported"],
    [9, 1, "reported"],
  ]);
  assert.deepEqual(
    t.view.calls.filter((c) => c[0] === "cases").map((c) => c[1]),
    ["11-0", "12-0", "13-0", "14-0"],
  );
  assert.equal(t.client.lastId, "14-0"); // past synced.id: the live delta was newer still
});

test("synced.id never moves the last id backwards", () => {
  const t = liveAt("10-0", []);
  t.socket.drop();
  t.socket.open(["delta", { id: "12-0", cases: [row(1, 1)] }], ["synced", { id: "11-0" }]);
  assert.equal(t.client.lastId, "12-0");
});

// ---------------------------------------------------------------- ordering and dedup

test("out-of-order and duplicate deltas are applied once each, in stream-id order", () => {
  const t = liveAt("10-0", [row(1, 1)]);
  t.socket.drop();
  t.socket.open(
    ["delta", { id: "12-0", cases: [row(1, 3, "dispatched")] }],
    ["delta", { id: "11-0", cases: [row(1, 2, "filed")] }],
    ["delta", { id: "12-0", cases: [row(1, 3, "dispatched")] }],
    ["delta", { id: "9-9", cases: [row(1, 0)] }],
    ["synced", { id: "12-0" }],
  );
  assert.deepEqual(t.view.calls.filter((c) => c[0] === "cases"), [
    ["cases", "11-0", [[1, 2]]],
    ["cases", "12-0", [[1, 3]]],
  ]);
  assert.deepEqual(t.held(), [[1, 3, "dispatched"]]);
  // Once live: a delta not newer than the last applied is ignored; so is a row not newer than the one held.
  t.socket.fire("delta", { id: "12-0", cases: [row(2, 1)] });
  t.socket.fire("delta", { id: "13-0", cases: [row(1, 3, "dispatched"), row(3, 1)] });
  assert.deepEqual(t.view.calls.filter((c) => c[0] === "cases").at(-1), ["cases", "13-0", [[3, 1]]]);
  assert.deepEqual(t.held(), [
    [1, 3, "dispatched"],
    [3, 1, "reported"],
  ]);
});

test("stream ids compare as numbers, not strings", () => {
  assert.ok(live.cmpId("9-0", "10-0") < 0);
  assert.ok(live.cmpId("10-2", "10-10") < 0);
  assert.ok(live.cmpId("1700000000000-0", "999999999999-99") > 0);
  assert.equal(live.cmpId("12345678901234567890-1", "12345678901234567890-1"), 0);
  assert.ok(live.cmpId("12345678901234567890-1", "12345678901234567891-0") < 0); // past 2^53: still exact
  const t = liveAt("9-5", [row(1, 1)]);
  t.socket.fire("delta", { id: "10-0", cases: [row(1, 2, "filed")] });
  assert.deepEqual(t.held(), [[1, 2, "filed"]]);
  t.socket.drop();
  t.socket.open(
    ["delta", { id: "100-0", cases: [row(1, 4, "handling")] }],
    ["delta", { id: "20-0", cases: [row(1, 3, "dispatched")] }],
    ["synced", { id: "100-0" }],
  );
  assert.deepEqual(t.view.calls.filter((c) => c[0] === "cases").map((c) => c[1]), ["10-0", "20-0", "100-0"]);
  assert.deepEqual(t.held(), [[1, 4, "handling"]]);
});

test("a batch the relay published twice (same rows under two stream ids) is applied once", () => {
  const t = liveAt("10-0", [row(1, 1), row(2, 1)]);
  const batch = [row(1, 2, "filed"), row(2, 2, "rejected"), row(3, 1)];
  t.socket.fire("delta", { id: "11-0", cases: batch });
  t.socket.fire("delta", { id: "12-0", cases: [row(1, 3, "dispatched")] });
  t.socket.fire("delta", { id: "13-0", cases: batch.map((r) => ({ ...r })) }); // republished after a crash
  assert.deepEqual(t.held(), [
    [1, 3, "dispatched"],
    [3, 1, "reported"],
  ]);
  assert.deepEqual(t.view.calls.filter((c) => c[0] === "cases").map((c) => c[1]), ["11-0", "12-0"]);
  assert.equal(t.client.lastId, "13-0");
  // The same in a replay.
  t.socket.drop();
  t.socket.open(
    ["delta", { id: "14-0", cases: [row(4, 1)] }],
    ["delta", { id: "15-0", cases: [row(4, 1), row(1, 3, "dispatched")] }],
    ["synced", { id: "15-0" }],
  );
  assert.deepEqual(t.view.calls.filter((c) => c[0] === "cases").at(-1), ["cases", "14-0", [[4, 1]]]);
  assert.equal(t.view.calls.filter((c) => c[0] === "cases").length, 3);
});

// ---------------------------------------------------------------- overflow and resync

test("a buffer past pendingMax asks for resync and takes the snapshot; replays no longer count", () => {
  const t = liveAt("10-0", [row(1, 1)], { pendingMax: 3 });
  t.socket.drop();
  t.socket.connected = true;
  for (let i = 1; i <= 4; i++) t.socket.fire("delta", { id: `1${i}-0`, cases: [row(10 + i, 1)] });
  assert.equal(t.socket.resyncs(), 1);
  t.socket.fire("synced", { id: "14-0" }); // the replay's end: we wait for the snapshot instead
  assert.deepEqual(t.view.calls, []);
  t.socket.fire("delta", { id: "16-0", cases: [row(20, 1)] });
  t.socket.fire("snapshot", { id: "15-0", cases: [row(1, 2, "filed"), row(14, 1)], patrols: [], kpis: {} });
  assert.deepEqual(t.held(), [
    [1, 2, "filed"],
    [14, 1, "reported"],
    [20, 1, "reported"],
  ]);
  assert.equal(t.client.state, "live");
  assert.equal(t.client.lastId, "16-0");
});

test("after an overflow a reconnect asks for a snapshot (since null), not a replay", () => {
  const t = liveAt("10-0", [], { pendingMax: 1 });
  t.socket.drop();
  t.socket.fire("delta", { id: "11-0", cases: [] });
  t.socket.fire("delta", { id: "12-0", cases: [] });
  assert.equal(t.socket.resyncs(), 0, "not connected: nothing to send");
  assert.equal(t.socket.auth().since, null);
});

test("a gap the server reports asks for resync; resync() does too", () => {
  const t = liveAt("10-0", [row(1, 1)]);
  t.socket.connected = true;
  t.socket.fire("gap", { since: "10-0" });
  assert.equal(t.socket.resyncs(), 1);
  assert.equal(t.client.synced, false);
  t.socket.fire("delta", { id: "11-0", cases: [row(2, 1)] });
  assert.deepEqual(t.view.calls, [], "deltas wait for the snapshot");
  t.socket.fire("snapshot", { id: "10-5", cases: [row(1, 1)], patrols: [], kpis: {} });
  assert.deepEqual(t.held(), [
    [1, 1, "reported"],
    [2, 1, "reported"],
  ]);
  t.client.resync();
  assert.equal(t.socket.resyncs(), 2);
});

// ---------------------------------------------------------------- reconnect

test("a reconnect sends the last id it applied, not one it only buffered", () => {
  const t = liveAt("10-0", [row(1, 1)]);
  t.socket.fire("delta", { id: "10-7", cases: [row(1, 2, "filed")] });
  t.socket.drop();
  assert.deepEqual(t.socket.auth(), { view: "screen", since: "10-7" });
  t.socket.connected = true;
  t.socket.fire("delta", { id: "11-0", cases: [row(2, 1)] }); // replayed, but synced never came
  assert.equal(t.socket.auth().since, "10-7", "a buffered delta is not applied yet");
  t.socket.drop();
  assert.equal(t.socket.auth().since, "10-7");
  t.socket.open(["delta", { id: "11-0", cases: [row(2, 1)] }], ["synced", { id: "11-0" }]);
  assert.equal(t.socket.auth().since, "11-0");
  assert.deepEqual(t.held(), [
    [1, 2, "filed"],
    [2, 1, "reported"],
  ]);
});

test("connection state: connecting, live, reconnecting, offline after a while, then live again", () => {
  const t = setup({ offlineAfterMs: 30000 });
  t.socket.open(["snapshot", { id: "1-0", cases: [], patrols: [], kpis: {} }]);
  t.socket.drop();
  t.timers.advance(29000);
  assert.equal(t.client.state, "reconnecting");
  t.timers.advance(2000);
  assert.equal(t.client.state, "offline");
  t.socket.fire("connect_error", new Error("down")); // still failing: stays offline
  t.socket.open(["synced", { id: "1-0" }]);
  assert.deepEqual(t.view.states, ["connecting", "live", "reconnecting", "offline", "live"]);
  t.socket.drop();
  t.timers.advance(60000);
  assert.equal(t.client.state, "offline");
  t.socket.connected = true;
  t.socket.fire("connect"); // connected, replay not finished yet
  assert.equal(t.client.state, "connecting");
});

test("a server that closes or refuses us is retried with a doubling, jittered back-off", () => {
  const t = setup({ random: () => 0 });
  t.socket.open(["snapshot", { id: "1-0", cases: [], patrols: [], kpis: {} }]);
  t.socket.active = false;
  t.socket.drop("io server disconnect");
  assert.deepEqual(t.timers.delays().filter((d) => d < 30000), [2000]);
  t.timers.advance(2000);
  assert.equal(t.socket.connects, 1);
  t.socket.active = false;
  t.socket.fire("connect_error", new Error("refused")); // socket.io gave up: ours again, doubled
  assert.ok(t.timers.delays().includes(10000), t.timers.delays());
  t.timers.advance(10000);
  assert.equal(t.socket.connects, 2);
  t.socket.active = false;
  t.socket.fire("connect_error", new Error("refused"));
  assert.ok(t.timers.delays().includes(20000), t.timers.delays());
  for (let i = 0; i < 10; i++) {
    t.timers.advance(60000);
    t.socket.active = false;
    t.socket.fire("connect_error", new Error("refused"));
  }
  assert.ok(Math.max(...t.timers.delays()) <= 60000, "capped");
  t.socket.open(["synced", { id: "1-0" }]); // a success starts the back-off over
  t.socket.active = false;
  t.socket.drop("io server disconnect");
  assert.ok(t.timers.delays().includes(2000), t.timers.delays());
  // A network error is socket.io's own to retry (still active): no timer of ours.
  const u = setup();
  u.socket.fire("connect_error", new Error("network"));
  assert.deepEqual(u.timers.delays().filter((d) => d < 30000), []);
});

test("jitter spreads the first retry between 1x and 2x the base delay", () => {
  for (const [r, want] of [
    [0, 2000],
    [0.5, 3000],
    [0.999, 3998],
  ]) {
    const t = setup({ random: () => r });
    t.socket.active = false;
    t.socket.drop("io server disconnect");
    assert.equal(Math.round(Math.min(...t.timers.delays())), want);
  }
});

// ---------------------------------------------------------------- the view's side

test("patrol frames arrive as JSON text (encoded once per room) and are parsed; a torn or foreign one is dropped", () => {
  const t = setup({});
  t.socket.open(["snapshot", { id: "5-0", cases: [], patrols: [], kpis: {} }]);
  t.view.calls.length = 0;
  t.socket.fire("patrols", JSON.stringify({ t: 7, rows: [["P-1", 116.7, 39.9, "available"]] }));
  t.socket.fire("patrols", '{"t": 8, "rows": [["P-1", 116.7');
  t.socket.fire("patrols", JSON.stringify({ t: 9 }));
  t.socket.fire("patrols", { t: 10, rows: [] }); // an object still works (an older server)
  assert.deepEqual(t.view.calls, [
    ["patrols", 7],
    ["patrols", 10],
  ]);
});

test("paused: snapshot and deltas are held until resume(), then handed over in order", () => {
  const t = setup({ paused: true });
  t.socket.open(["snapshot", { id: "5-0", cases: [row(1, 1)], patrols: [], kpis: {} }]);
  t.socket.fire("delta", { id: "7-0", cases: [row(2, 1)] });
  t.socket.fire("delta", { id: "6-0", cases: [row(1, 2, "filed")] });
  t.socket.fire("patrols", { t: 1, rows: [] }); // frames are not stream-ordered: passed through at once
  assert.deepEqual(t.view.calls, [["patrols", 1]]);
  assert.equal(t.client.state, "connecting");
  assert.equal(t.socket.auth().since, "5-0");
  t.client.resume();
  assert.deepEqual(t.view.calls.slice(1).map((c) => c.slice(0, 2)), [
    ["snapshot", "5-0"],
    ["cases", "6-0"],
    ["cases", "7-0"],
    ["synced", "7-0"],
  ]);
  assert.equal(t.client.state, "live");
});

test("a callback that throws does not break the sync state", () => {
  let fail = true;
  const t = liveAt("1-0", [], {
    onCases() {
      if (fail) throw new Error("render bug");
    },
  });
  t.socket.fire("delta", { id: "2-0", cases: [row(1, 1)] });
  fail = false;
  t.socket.fire("delta", { id: "3-0", cases: [row(2, 1)] });
  assert.equal(t.view.errors.length, 1);
  assert.equal(t.client.lastId, "3-0");
  assert.equal(t.client.state, "live");
});

test("close() disconnects, clears its timers and calls nothing any more", () => {
  const t = liveAt("1-0", []);
  t.socket.drop();
  t.client.close();
  assert.equal(t.socket.active, false);
  assert.equal(t.timers.queue.size, 0);
  t.socket.fire("delta", { id: "2-0", cases: [row(1, 1)] }); // listeners are gone
  assert.equal(t.client.state, "closed");
  assert.deepEqual(t.view.calls, []);
});

test("malformed messages are ignored", () => {
  const t = liveAt("1-0", []);
  t.socket.fire("delta", { id: "2", cases: [row(1, 1)] });
  t.socket.fire("delta", null);
  t.socket.fire("snapshot", { id: 5 });
  assert.equal(t.client.lastId, "1-0");
  assert.deepEqual(t.view.calls, []);
  assert.equal(live.isStreamId("1-0"), true);
  assert.equal(live.isStreamId("1-0; drop"), false);
});

test("the default timers are called as plain functions (a browser throws 'Illegal invocation' otherwise)", () => {
  const realSet = globalThis.setTimeout;
  const realClear = globalThis.clearTimeout;
  const strict = (real) =>
    function (...args) {
      if (this !== undefined && this !== globalThis) throw new TypeError("Illegal invocation");
      return real(...args);
    };
  globalThis.setTimeout = strict(realSet);
  globalThis.clearTimeout = strict(realClear);
  try {
    const sockets = [];
    const client = live.connect({
      view: "dispatch",
      io: (url, opts) => {
        const s = new FakeSocket(url, opts);
        sockets.push(s);
        return s;
      },
    });
    sockets[0].open(["snapshot", { id: "1-0", cases: [], patrols: [], kpis: {} }]);
    sockets[0].active = false;
    sockets[0].drop("io server disconnect"); // schedules the offline timer and a retry
    assert.equal(client.state, "reconnecting");
    client.close(); // clears both
  } finally {
    globalThis.setTimeout = realSet;
    globalThis.clearTimeout = realClear;
  }
});
