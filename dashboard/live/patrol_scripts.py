"""The Lua scripts of the patrol store: one round trip per chunk of fixes, one per frame.

TRACK applies dashboard/domain/patrol_track.py (`advance`) to every fix of a chunk, in order, inside Redis, so two
requests carrying fixes of the same patrol can never interleave between reading its state and writing it. Its
input is one text argument of lines `id,lon,lat,status,ts_ms,grid,own,clamped` (validated by the API: ids and
statuses carry no comma, numbers are plain), which costs Redis less to take apart than eight arguments a fix and
redis-py nothing to pack. Per patrol it keeps the latest fix as text in `patrols:state` (`lon,lat,status,ts_ms`,
exactly what the latest-fix store writes, so frames, snapshots and `nearest` read both alike) and the rest in a
binary record (RECORD) in `patrols:track`. Profiled under callgrind, the text version of that record spent most of
the script's instructions in strtod and printf; struct.pack/unpack spend none.

Per patrol and chunk the state is read once and written once (one HMGET and one HSET for the whole chunk, SADD to
the moved set), and its accepted fixes go to its trail in one RPUSH (a list of their texts `lon,lat,status,ts_ms`,
in time order because accepted times only increase). Cheaper than one XADD a fix, and about as cheap to keep short:
once the trail holds TRIM_EVERY_MS more than the trail length, its old head is cut off with one LRANGE + LTRIM. The
GEO entry (for GEOSEARCH) is moved only once the patrol is GEO_STEP_M from where it was indexed (`nearest` takes
distances from the state itself), and the trail key's expiry is refreshed at most every EXPIRY_EVERY_MS of fix time,
so a patrol that falls silent leaves no trail behind for long. Measured on the bench box: GEOADD ~4 µs, XADD ~4 µs,
RPUSH ~1.5 µs a call; under callgrind the script costs about what the latest-fix one does (~70k instructions a fix).
"""

from __future__ import annotations

EXPIRY_EVERY_MS = 600_000  # the trail key's expiry is pushed back at most this often (fix time)
TRIM_EVERY_MS = 600_000  # a trail is cut back to the trail length once it holds this much more
GEO_STEP_M = 25.0  # the GEO index is moved once the patrol is this far from where it was indexed
# The track record (hash `patrols:track`), binary so the script never parses or prints a number: lon, lat, day_ms,
# distance_m, outside_ms, expiry_set_ms, geo_lon, geo_lat (999 = not indexed), trail_head_ms, ts_ms as
# little-endian doubles, own and clamped as one byte each, then the grid code.
RECORD = "<ddddddddddBB"

# Today's store, kept for PATROL_TRACKING=0 and the benchmark: only the latest fix per patrol (stale ones dropped).
LATEST = """
local accepted = 0
for i = 1, #ARGV, 5 do
  local id = ARGV[i]
  local ts = tonumber(ARGV[i + 4])
  local prev = redis.call('HGET', KEYS[2], id)
  local fresh = true
  if prev then
    local pts = tonumber(string.match(prev, '([^,]+)$'))
    if pts and pts >= ts then fresh = false end
  end
  if fresh then
    redis.call('GEOADD', KEYS[1], ARGV[i + 1], ARGV[i + 2], id)
    redis.call('HSET', KEYS[2], id, ARGV[i + 1] .. ',' .. ARGV[i + 2] .. ',' .. ARGV[i + 3] .. ',' .. ARGV[i + 4])
    redis.call('SADD', KEYS[3], id)
    accepted = accepted + 1
  end
end
return accepted
"""

# KEYS: geo, state, moved, track. ARGV: trail key prefix, today's local midnight (ms), UTC offset (ms), max speed
# (m/s), offline gap (ms), trail length (ms), the chunk's numbers, then four columns of text (below).
# Returns {accepted, stale, too_fast}.
TRACK = (
    """
local trail_prefix = ARGV[1]
local today = tonumber(ARGV[2])
local offset = tonumber(ARGV[3])
local max_speed = tonumber(ARGV[4])
local gap = tonumber(ARGV[5])
local trail_ms = tonumber(ARGV[6])
local EXPIRY_EVERY = """
    + str(EXPIRY_EVERY_MS)
    + """
local TRIM_EVERY = """
    + str(TRIM_EVERY_MS)
    + """
local GEO_STEP = """
    + str(GEO_STEP_M)
    + """
local RECORD = '"""
    + RECORD
    + """'
local D2 = 2 * 6371008.8
local RAD = math.pi / 180
local sin, cos, asin, sqrt, floor, min, max = math.sin, math.cos, math.asin, math.sqrt, math.floor, math.min, math.max
local pack, unpack_record, byte, char, sub = struct.pack, struct.unpack, string.byte, string.char, string.sub

local function metres(lon1, lat1, lon2, lat2)
  local dphi, dl = (lat2 - lat1) * RAD, (lon2 - lon1) * RAD
  local h = sin(dphi / 2) ^ 2 + cos(lat1 * RAD) * cos(lat2 * RAD) * sin(dl / 2) ^ 2
  return D2 * asin(min(1, sqrt(h)))
end

local function day_of(ts)
  if ts >= today then return today end
  return floor((ts + offset) / 86400000) * 86400000 - offset
end

local function record(raw)
  local lon, lat, day, dist, out, xp, gx, gy, th, ts, own, cl, rest = unpack_record(RECORD, raw)
  return {lon = lon, lat = lat, day = day, dist = dist, out = out, xp = xp, gx = gx, gy = gy, th = th, ts = ts,
          own = char(own), clamped = char(cl), grid = sub(raw, rest), points = {}, np = 0}
end

local function from_latest(raw)  -- a patrol only the latest-fix store has seen: lon,lat,status,ts
  local lon_s, lat_s, st, ts = string.match(raw, '^([^,]*),([^,]*),([^,]*),([^,]*)$')
  local lon, lat = tonumber(lon_s), tonumber(lat_s)
  return {lon = lon, lat = lat, day = 0, dist = 0, out = 0, xp = 0, gx = 999, gy = 0, th = tonumber(ts),
          ts = tonumber(ts), own = '-', clamped = '0', grid = '', points = {}, np = 0}
end

-- Take the chunk apart first, so that every patrol is read with one HMGET and written with one HSET (a
-- redis.call costs about a microsecond of its own, more than the hash work it does).
-- ARGV[7] holds lon, lat, ts of every fix as little-endian doubles; ARGV[8..10] three columns, one line a fix:
-- ids, texts `lon,lat,status,ts` (the state, and the trail's entry), and grid .. own .. clamped. Everything a fix
-- is written as comes ready made, so the script parses and prints no number; and a plain find per value costs
-- a fraction of a pattern match (or of redis-py encoding three arguments a fix).
local numbers = ARGV[7]
local n = #numbers / 24
local find = string.find
local function column(text)
  local out, pos = {}, 1
  for k = 1, n - 1 do
    local e = find(text, '\\n', pos, true)
    out[k] = sub(text, pos, e - 1)
    pos = e + 1
  end
  out[n] = sub(text, pos)
  return out
end
local IDS, TEXTS, TAGS = column(ARGV[8]), column(ARGV[9]), column(ARGV[10])
local ids, nids, seen = {}, 0, {}
for k = 1, n do
  local id = IDS[k]
  if not seen[id] then
    seen[id] = true
    nids = nids + 1
    ids[nids] = id
  end
end
local cur = {}
for i = 1, nids, 1000 do  -- unpack() of more than ~8000 values fails in Redis's Lua
  local slice = {}
  for j = i, min(i + 999, nids) do slice[j - i + 1] = ids[j] end
  local raws = redis.call('HMGET', KEYS[4], unpack(slice))
  local missing = {}
  for j = 1, #slice do
    if raws[j] then cur[slice[j]] = record(raws[j]) else missing[#missing + 1] = slice[j] end
  end
  if #missing > 0 then
    local texts = redis.call('HMGET', KEYS[2], unpack(missing))
    for j = 1, #missing do cur[missing[j]] = texts[j] and from_latest(texts[j]) or false end
  end
end

local order, norder = {}, 0
local accepted, stale, too_fast = 0, 0, 0
for k = 1, n do
  local id, tag = IDS[k], TAGS[k]
  local lon, lat, ts = unpack_record('<ddd', numbers, 24 * k - 23)
  local p = cur[id]
  local take = false
  if not p then
    p = {day = day_of(ts), dist = 0, out = 0, xp = 0, gx = 999, gy = 0, th = ts, points = {}, np = 0}
    cur[id] = p
    take = true
  elseif ts <= p.ts then
    stale = stale + 1
  else
    local dt = ts - p.ts
    local d = metres(p.lon, p.lat, lon, lat)
    if p.clamped == '0' and d > max_speed * dt / 1000 then
      too_fast = too_fast + 1
    else
      local day = day_of(ts)
      local share = 1
      if day ~= p.day then
        share = min(1, (ts - day) / dt)
        p.dist, p.out, p.day = 0, 0, day
      end
      p.dist = p.dist + d * share
      if p.own == 'o' then
        p.out = p.out + max(0, min(p.ts + gap, ts) - max(p.ts, day))
      end
      take = true
    end
  end
  if take then
    local len = #tag
    p.lon, p.lat, p.ts, p.text = lon, lat, ts, TEXTS[k]
    p.grid, p.own, p.clamped = sub(tag, 1, len - 2), sub(tag, len - 1, len - 1), sub(tag, len)
    if p.np == 0 then
      norder = norder + 1
      order[norder] = id
    end
    p.np = p.np + 1
    p.points[p.np] = TEXTS[k]
    accepted = accepted + 1
  end
end

local texts, records, geo, ngeo = {}, {}, {}, 0
for i = 1, norder do
  local id = order[i]
  local p = cur[id]
  local trail = trail_prefix .. id
  redis.call('RPUSH', trail, unpack(p.points, 1, p.np))
  if p.ts - p.th >= trail_ms + TRIM_EVERY then
    -- Entries are in time order: drop the head older than the trail length (about TRIM_EVERY of it).
    local cutoff = p.ts - trail_ms
    local head = redis.call('LRANGE', trail, 0, 4095)
    local keep = #head + 1
    for j = 1, #head do
      local t = tonumber(string.match(head[j], '([^,]+)$'))
      if t >= cutoff then keep = j; p.th = t; break end
    end
    if keep > #head then p.th = cutoff end  -- more than 4096 old entries: the rest goes next time
    redis.call('LTRIM', trail, keep - 1, -1)
  end
  if p.ts - p.xp >= EXPIRY_EVERY then
    redis.call('PEXPIRE', trail, trail_ms + EXPIRY_EVERY)
    p.xp = p.ts
  end
  if p.gx > 180 or metres(p.gx, p.gy, p.lon, p.lat) >= GEO_STEP then
    -- The text's own digits: a Lua number would be printed with %.17g on the way into GEOADD.
    local c1 = find(p.text, ',', 1, true)
    local c2 = find(p.text, ',', c1 + 1, true)
    geo[ngeo + 1], geo[ngeo + 2], geo[ngeo + 3] = sub(p.text, 1, c1 - 1), sub(p.text, c1 + 1, c2 - 1), id
    ngeo = ngeo + 3
    p.gx, p.gy = p.lon, p.lat
  end
  texts[2 * i - 1] = id
  texts[2 * i] = p.text
  records[2 * i - 1] = id
  records[2 * i] = pack(RECORD, p.lon, p.lat, p.day, p.dist, p.out, p.xp, p.gx, p.gy, p.th, p.ts,
    byte(p.own), byte(p.clamped)) .. p.grid
end
-- The chunk holds at most MAX_CHUNK fixes, so these calls stay below unpack()'s limit.
if norder > 0 then
  redis.call('HSET', KEYS[2], unpack(texts, 1, 2 * norder))
  redis.call('HSET', KEYS[4], unpack(records, 1, 2 * norder))
  redis.call('SADD', KEYS[3], unpack(order, 1, norder))
end
if ngeo > 0 then redis.call('GEOADD', KEYS[1], unpack(geo, 1, ngeo)) end
return {accepted, stale, too_fast}
"""
)

# KEYS: state, track. ARGV: patrol id. The latest fix as text and the track record's fields as text (the record
# is binary; clients of this module never decode it themselves). Returns {state or false, fields or false}.
READ = (
    """
local text = redis.call('HGET', KEYS[1], ARGV[1])
local raw = redis.call('HGET', KEYS[2], ARGV[1])
if not raw then return {text, false} end
local lon, lat, day, dist, out, xp, gx, gy, th, ts, own, cl, rest = struct.unpack('"""
    + RECORD
    + """', raw)
return {text, {string.format('%.0f', day), string.format('%.17g', dist), string.format('%.0f', out),
               string.format('%.0f', ts), string.char(own), string.char(cl), string.sub(raw, rest)}}
"""
)

# KEYS: moved, state, seen. ARGV: offline cut-off (ms). Takes the moved set and clears it atomically (no fix is
# lost between two frames) with the moved patrols' states, and takes out of `seen` (which the frame loop fills
# with each framed patrol's fix time) those not heard of since the cut-off: each goes offline in exactly one
# frame, and a fix later brings it back. Returns `id,state` items of both kinds; a patrol may appear twice.
TAKE_FRAME = """
local out = {}
local function add(ids)
  for i = 1, #ids, 1000 do  -- HMGET in slices: unpack() of more than ~8000 values fails in Redis's Lua
    local slice = {}
    for j = i, math.min(i + 999, #ids) do slice[#slice + 1] = ids[j] end
    local states = redis.call('HMGET', KEYS[2], unpack(slice))
    for j = 1, #slice do
      if states[j] then out[#out + 1] = slice[j] .. ',' .. states[j] end
    end
  end
end
add(redis.call('SMEMBERS', KEYS[1]))
redis.call('DEL', KEYS[1])
local silent = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', '(' .. ARGV[1])
if #silent > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', '(' .. ARGV[1])
  add(silent)
end
return out
"""
