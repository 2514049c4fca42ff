/* GridCommand live client: the one Socket.IO sync engine every view uses (wall, desk, leader view).
 *
 * Protocol (DESIGN.md section 10), namespace /live:
 * - connect with auth {view, token?, since}: `since` is the last stream id this client is complete up to, or
 *   null; the server answers with a `snapshot` {id, cases, patrols, kpis}, or replays every missed `delta`
 *   {id, cases} and ends the replay with `synced` {id}.
 * - deltas that arrive before the snapshot or before `synced` (live ones included) are buffered; then the
 *   snapshot (if any) goes first, the buffer is applied in stream-id order, and only after that does the client
 *   advance to `synced.id` (which also covers rows outside the view's scope).
 * - once synced, a delta is applied only if its stream id is newer than the last applied ("ms-seq" ids compare
 *   numerically: "9-0" < "10-0"); within a delta, a case row whose version is not newer than the version this
 *   client last handed out for that case is dropped (a batch the relay published twice, a replay overlap).
 * - a buffer past `pendingMax`, or a `gap` event from the server, asks for `resync` and takes the snapshot.
 * - reconnects back off with jitter (socket.io's own reconnection for network errors; our own, doubling, when the
 *   server closed or refused us, which socket.io does not retry).
 *
 * A view only renders what it is handed:
 *
 *   var client = gridcmdLiveClient.connect({
 *     io: window.io,                       // socket factory: io(url, options) -> socket (tests pass a fake)
 *     view: "dispatch",                    // auth.view
 *     token: null,                         // auth.token, left out when absent (a session cookie is used)
 *     since: null,                         // resume from this stream id (the view holds what precedes it)
 *     paused: false,                       // hold everything until resume() (the view cannot draw yet)
 *     onSnapshot: function (cases, kpis, snap) {},  // replace the live picture; snap = {id, cases, patrols, kpis}
 *     onCases: function (rows, id) {},     // new case rows (deduplicated), in stream order
 *     onPatrols: function (frame) {},      // {t, rows: [[id, lon, lat, status]…]}, passed through
 *     onSynced: function (id) {},          // the picture is complete up to `id` (after a snapshot or a replay)
 *     onState: function (state, previous) {}, // connecting | live | reconnecting | offline
 *   });
 *   client.state, client.lastId, client.synced, client.socket
 *   client.resync(); client.pause(); client.resume(); client.reconnect(); client.close();
 *
 * "live" means connected and synced. "offline" follows "reconnecting" when no connection succeeded for
 * `offlineAfterMs`. No callback runs after close(). An exception thrown by a callback does not break the sync
 * state: it goes to `onError`, or is rethrown on a timer so the page still reports it.
 *
 * Loaded as a plain script in the browser (global `gridcmdLiveClient`) and by `require` under Node (the unit
 * tests in tests/js/ load this very file with a fake socket).
 */
(function (root, factory) {
  "use strict";
  var api = factory();
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  else root.gridcmdLiveClient = api;
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  var DEFAULTS = {
    url: "/live",
    pendingMax: 5000, // deltas buffered before snapshot/synced; past this a fresh snapshot is cheaper
    versionsMax: 50000, // case versions remembered for dedup (oldest forgotten first)
    retryDelayMs: 2000, // first retry after the server closed the connection on purpose
    refusedDelayMs: 5000, // first retry after the server refused the connection (signed out, idle timeout)
    maxDelayMs: 60000, // our own retries double up to this
    offlineAfterMs: 60000, // "reconnecting" turns "offline" after this long without a connection
  };
  var SOCKET_OPTIONS = {
    transports: ["websocket"], // no sticky sessions needed behind a round-robin proxy (DESIGN.md section 11)
    reconnectionDelay: 1000,
    reconnectionDelayMax: 10000,
    randomizationFactor: 0.5,
    timeout: 10000,
  };

  var STREAM_ID = /^(\d{1,20})-(\d{1,20})$/;

  /** True for a Redis stream id "ms-seq". */
  function isStreamId(id) {
    return typeof id === "string" && STREAM_ID.test(id);
  }

  function cmpDigits(a, b) {
    a = a.replace(/^0+(?=\d)/, "");
    b = b.replace(/^0+(?=\d)/, "");
    if (a.length !== b.length) return a.length < b.length ? -1 : 1;
    return a < b ? -1 : a > b ? 1 : 0;
  }

  /** Order of two stream ids, numerically by part and exact at any length: negative, 0 or positive. */
  function cmpId(a, b) {
    var x = STREAM_ID.exec(a);
    var y = STREAM_ID.exec(b);
    return cmpDigits(x[1], y[1]) || cmpDigits(x[2], y[2]);
  }

  function LiveClient(options) {
    var opts = {};
    Object.keys(DEFAULTS).forEach(function (k) {
      opts[k] = options[k] !== undefined ? options[k] : DEFAULTS[k];
    });
    if (typeof options.io !== "function") throw new TypeError("gridcmdLiveClient: options.io must be a socket factory");
    this._o = options;
    this._c = opts;
    // Wrapped: the browser's timers throw "Illegal invocation" when called as methods of another object.
    this._setTimeout =
      options.setTimeout ||
      function (fn, ms) {
        return setTimeout(fn, ms);
      };
    this._clearTimeout =
      options.clearTimeout ||
      function (id) {
        clearTimeout(id);
      };
    this._random = options.random || Math.random;
    this.state = "idle";
    this.lastId = isStreamId(options.since) ? options.since : null; // complete up to here (sent as `since`)
    this.synced = false; // the server said the picture is complete on this connection
    this.paused = !!options.paused;
    this.socket = null;
    this._needSnapshot = this.lastId === null; // a replay cannot complete a picture we never had
    this._held = null; // a snapshot received while paused
    this._covered = null; // `synced.id` waiting for the buffer to be applied
    this._pending = []; // buffered deltas
    this._versions = new Map(); // case id -> newest version handed out
    this._retries = 0;
    this._retryTimer = null;
    this._offlineTimer = null;
    this._closed = false;
    this._open();
  }

  LiveClient.prototype._open = function () {
    var self = this;
    var o = this._o;
    var socketOptions = {};
    Object.keys(SOCKET_OPTIONS).forEach(function (k) {
      socketOptions[k] = SOCKET_OPTIONS[k];
    });
    Object.keys(o.socketOptions || {}).forEach(function (k) {
      socketOptions[k] = o.socketOptions[k];
    });
    // A function: every (re)connect sends what we hold now, so the server replays exactly the gap.
    socketOptions.auth = function (cb) {
      var auth = { view: o.view, since: self._needSnapshot ? null : self.lastId };
      if (o.token) auth.token = o.token;
      cb(auth);
    };
    this._setState("connecting");
    var socket = o.io(this._c.url, socketOptions);
    this.socket = socket;
    // socket.io-client delivers the events that came with the handshake (snapshot or replay) *before* it fires
    // "connect": "connect" must not reset the sync state; "disconnect" does.
    socket.on("connect", function () {
      self._retries = 0;
      self._stopOfflineTimer();
      if (!self.synced) self._setState("connecting");
    });
    socket.on("disconnect", function (reason) {
      self.synced = false;
      self._pending = []; // the replay on reconnect sends them again, in order
      self._covered = null;
      self._lost();
      if (reason === "io server disconnect") self._retry(self._c.retryDelayMs); // closed on purpose: no auto retry
    });
    socket.on("connect_error", function () {
      self._lost();
      if (!socket.active) self._retry(self._c.refusedDelayMs); // refused: socket.io gives up by itself
    });
    socket.on("snapshot", function (snap) {
      self._onSnapshot(snap);
    });
    socket.on("delta", function (delta) {
      self._onDelta(delta);
    });
    socket.on("synced", function (msg) {
      self._onSynced(msg);
    });
    socket.on("gap", function () {
      self.resync(); // the server cannot replay what we missed
    });
    socket.on("patrols", function (frame) {
      // The server sends each frame as JSON text, encoded once for the room (dashboard/live/gateway.py).
      if (typeof frame === "string") {
        try {
          frame = JSON.parse(frame);
        } catch (e) {
          return; // a torn frame: the next one, a second later, carries every patrol that moved
        }
      }
      if (frame && Array.isArray(frame.rows)) self._call("onPatrols", [frame]);
    });
  };

  // ------------------------------------------------------------ protocol

  LiveClient.prototype._onSnapshot = function (snap) {
    if (this._closed || !snap || !isStreamId(snap.id)) return;
    var rows = snap.cases || [];
    for (var i = 0; i < rows.length; i++) this._remember(rows[i], true);
    // The snapshot is authoritative up to its id; buffered deltas after it still apply, older ones drop.
    this.lastId = snap.id;
    this._needSnapshot = false;
    this._held = snap;
    this._covered = null;
    this.synced = true;
    this._flush();
  };

  LiveClient.prototype._onDelta = function (delta) {
    if (this._closed || !delta || !isStreamId(delta.id)) return;
    if (this.synced && !this.paused) {
      this._apply(delta);
      return;
    }
    if (this._pending.length >= this._c.pendingMax) {
      this.resync(); // overflow: a fresh snapshot is cheaper than an unbounded buffer
      return;
    }
    this._pending.push(delta);
  };

  LiveClient.prototype._onSynced = function (msg) {
    if (this._closed || this._needSnapshot) return; // we asked for a snapshot: only that completes the picture
    this._covered = msg && isStreamId(msg.id) ? msg.id : null;
    this.synced = true;
    this._flush();
  };

  /** Hand out what the buffer holds, in order, then advance to what the server said it covered. */
  LiveClient.prototype._flush = function () {
    if (this.paused || !this.synced) return;
    var snap = this._held;
    this._held = null;
    if (snap) this._call("onSnapshot", [snap.cases || [], snap.kpis || {}, snap]);
    var buffered = this._pending;
    this._pending = [];
    buffered.sort(function (a, b) {
      return cmpId(a.id, b.id);
    });
    for (var i = 0; i < buffered.length; i++) this._apply(buffered[i]);
    // Setting this before applying the buffer would discard every replayed delta as already seen.
    if (this._covered && (this.lastId === null || cmpId(this._covered, this.lastId) > 0)) this.lastId = this._covered;
    this._covered = null;
    this._stopOfflineTimer();
    this._setState("live");
    this._call("onSynced", [this.lastId]);
  };

  LiveClient.prototype._apply = function (delta) {
    if (this.lastId !== null && cmpId(delta.id, this.lastId) <= 0) return; // seen already (replay overlap)
    this.lastId = delta.id;
    var rows = delta.cases || [];
    var fresh = [];
    for (var i = 0; i < rows.length; i++) {
      if (this._remember(rows[i], false)) fresh.push(rows[i]);
    }
    if (fresh.length) this._call("onCases", [fresh, delta.id]);
  };

  /** Record a row's version; false when it is not newer than one already handed out (a duplicate or stale row). */
  LiveClient.prototype._remember = function (row, fromSnapshot) {
    if (!row || row.id === undefined || typeof row.version !== "number") return true; // nothing to compare
    var held = this._versions.get(row.id);
    if (held !== undefined && row.version <= held) {
      if (fromSnapshot) return true; // snapshots are authoritative; the map keeps the newer version
      return false;
    }
    this._versions.delete(row.id); // re-insert: the Map's order is then oldest-touched first
    this._versions.set(row.id, row.version);
    if (this._versions.size > this._c.versionsMax) this._versions.delete(this._versions.keys().next().value);
    return true;
  };

  // ------------------------------------------------------------ connection

  LiveClient.prototype._lost = function () {
    if (this._closed) return;
    if (this.state === "offline") return; // already said; keep retrying quietly
    this._setState("reconnecting");
    var self = this;
    if (!this._offlineTimer) {
      this._offlineTimer = this._setTimeout(function () {
        self._offlineTimer = null;
        if (!self._closed && self.state === "reconnecting") self._setState("offline");
      }, this._c.offlineAfterMs);
    }
  };

  LiveClient.prototype._stopOfflineTimer = function () {
    if (this._offlineTimer) this._clearTimeout(this._offlineTimer);
    this._offlineTimer = null;
  };

  /** Our own retry with exponential back-off and jitter: base·2^n·(1..2), at most maxDelayMs. */
  LiveClient.prototype._retry = function (baseMs) {
    var self = this;
    var socket = this.socket;
    var delay = Math.min(this._c.maxDelayMs, baseMs * Math.pow(2, this._retries) * (1 + this._random()));
    this._retries = Math.min(this._retries + 1, 16);
    if (this._retryTimer) this._clearTimeout(this._retryTimer);
    this._retryTimer = this._setTimeout(function () {
      self._retryTimer = null;
      if (!self._closed && self.socket === socket && !socket.connected) socket.connect();
    }, delay);
    return delay;
  };

  LiveClient.prototype._setState = function (state) {
    var previous = this.state;
    if (state === previous) return;
    this.state = state;
    this._call("onState", [state, previous]);
  };

  LiveClient.prototype._call = function (name, args) {
    var fn = this._o[name];
    if (this._closed || typeof fn !== "function") return;
    try {
      fn.apply(null, args);
    } catch (err) {
      if (typeof this._o.onError === "function") this._o.onError(err);
      else
        this._setTimeout(function () {
          throw err;
        }, 0);
    }
  };

  // ------------------------------------------------------------ public

  /** Ask the server for a fresh snapshot (after an overflow, at midnight…); deltas wait for it. */
  LiveClient.prototype.resync = function () {
    if (this._closed) return;
    this.synced = false;
    this._needSnapshot = true;
    this._pending = [];
    this._held = null;
    this._covered = null;
    // Not connected: the next connect sends since=null and gets the snapshot anyway.
    if (this.socket && this.socket.connected) this.socket.emit("resync");
  };

  /** Keep buffering (snapshot and deltas) until resume(): the view is not ready to draw. */
  LiveClient.prototype.pause = function () {
    this.paused = true;
  };

  /** Hand over what was held while paused, in order. */
  LiveClient.prototype.resume = function () {
    if (!this.paused) return;
    this.paused = false;
    this._flush();
  };

  /** Connect now if the socket gave up (socket.io stops retrying after the server refused or closed us). */
  LiveClient.prototype.reconnect = function () {
    if (this._closed || !this.socket || this.socket.connected || this.socket.active) return;
    if (this._retryTimer) this._clearTimeout(this._retryTimer);
    this._retryTimer = null;
    this.socket.connect();
  };

  /** Disconnect for good: timers cleared, listeners removed, no callback after this. */
  LiveClient.prototype.close = function () {
    if (this._closed) return;
    this._closed = true;
    if (this._retryTimer) this._clearTimeout(this._retryTimer);
    this._stopOfflineTimer();
    this._pending = [];
    this._held = null;
    this.synced = false;
    this.state = "closed";
    if (this.socket) {
      this.socket.removeAllListeners();
      this.socket.disconnect();
    }
  };

  return {
    /** Open a live connection for a view; see the top of this file for the options and callbacks. */
    connect: function (options) {
      return new LiveClient(options || {});
    },
    cmpId: cmpId,
    isStreamId: isStreamId,
    DEFAULTS: DEFAULTS,
  };
});
