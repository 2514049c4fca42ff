"""The Lua scripts of the patrol store: one round trip per chunk of fixes, one per frame.

TRACK applies dashboard/domain/patrol_track.py (`advance`) to every fix of a chunk, in order, inside Redis, so two
requests carrying fixes of the same patrol can never interleave between reading its state and writing it. Its
input is one text argument of lines `id,lon,lat,status,ts_ms,grid,own,clamped` (validated by the API: ids and
statuses carry no comma, numbers are plain), which costs Redis less to take apart than eight arguments a fix and
redis-py nothing to pack. State per patrol (hash field) is `lon,lat,status,grid,own,clamped,day_ms,distance_m,
outside_ms,expiry_set_ms,geo_lon,geo_lat,trail_head_ms,ts_ms`; the time stays last, as the latest-fix store
writes it, so every reader finds it with one rsplit.

Per patrol and chunk the state is read once and written once (HSET, SADD to the moved set), and its accepted
fixes go to its trail in one RPUSH (a list of `ts_ms,lon,lat`, in time order because accepted times only
increase). Cheaper than one XADD a fix, and about as cheap to keep short: once the trail holds TRIM_EVERY_MS more
than the trail length, its old head is cut off with one LRANGE + LTRIM. The GEO entry (for GEOSEARCH) is moved
only once the patrol is GEO_STEP_M from where it was indexed (`nearest` takes distances from the state itself),
and the trail key's expiry is refreshed at most every EXPIRY_EVERY_MS of fix time, so a patrol that falls silent
leaves no trail behind for long. Measured on the bench box: GEOADD ~4 µs, XADD ~4 µs, RPUSH ~1.5 µs a call.
"""

from __future__ import annotations

EXPIRY_EVERY_MS = 600_000  # the trail key's expiry is pushed back at most this often (fix time)
TRIM_EVERY_MS = 600_000  # a trail is cut back to the trail length once it holds this much more
GEO_STEP_M = 25.0  # the GEO index is moved once the patrol is this far from where it was indexed

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

# KEYS: geo, state, moved. ARGV: trail key prefix, today's local midnight (ms), UTC offset (ms), max speed (m/s),
# offline gap (ms), trail length (ms), the chunk's lines. Returns {accepted, stale, too_fast}.
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
local D2 = 2 * 6371008.8
local RAD = math.pi / 180
local sin, cos, asin, sqrt, floor, min, max = math.sin, math.cos, math.asin, math.sqrt, math.floor, math.min, math.max

local function metres(lon1, lat1, lon2, lat2)
  local dphi, dl = (lat2 - lat1) * RAD, (lon2 - lon1) * RAD
  local h = sin(dphi / 2) ^ 2 + cos(lat1 * RAD) * cos(lat2 * RAD) * sin(dl / 2) ^ 2
  return D2 * asin(min(1, sqrt(h)))
end

local function day_of(ts)
  if ts >= today then return today end
  return floor((ts + offset) / 86400000) * 86400000 - offset
end

local function parse(id, raw)
  local lon, lat, st, grid, own, cl, day, dist, out, xp, gx, gy, th, ts = string.match(raw,
    '^([^,]*),([^,]*),([^,]*),([^,]*),([^,]*),([^,]*),([^,]*),([^,]*),([^,]*),([^,]*),([^,]*),([^,]*),([^,]*),([^,]*)$')
  if not ts then  -- written by the latest-fix store: lon,lat,status,ts
    lon, lat, st, ts = string.match(raw, '^([^,]*),([^,]*),([^,]*),([^,]*)$')
    grid, own, cl, day, dist, out, xp, gx, gy, th = '', '-', '0', '0', '0', '0', '0', lon, lat, '0'
  end
  return {lon_s = lon, lat_s = lat, lon = tonumber(lon), lat = tonumber(lat), status = st, grid = grid, own = own,
          clamped = cl, day = tonumber(day), dist = tonumber(dist), out = tonumber(out), xp = tonumber(xp),
          gx = gx, gy = gy, th = tonumber(th), ts = tonumber(ts), points = {}}
end

-- Take the chunk apart first, so that every patrol's state is read with one HMGET and written with one HSET
-- (a redis.call costs about a microsecond of its own, more than the hash work it does).
local fixes, ids, seen = {}, {}, {}
for id, lon_s, lat_s, status, ts_s, grid, own, clamped in string.gmatch(ARGV[7],
    '([^,\\n]+),([^,\\n]+),([^,\\n]+),([^,\\n]+),([^,\\n]+),([^,\\n]*),([^,\\n]+),([^,\\n]+)') do
  fixes[#fixes + 1] = {id, lon_s, lat_s, status, ts_s, grid, own, clamped}
  if not seen[id] then
    seen[id] = true
    ids[#ids + 1] = id
  end
end
local cur = {}
for i = 1, #ids, 1000 do  -- unpack() of more than ~8000 values fails in Redis's Lua
  local slice = {}
  for j = i, min(i + 999, #ids) do slice[#slice + 1] = ids[j] end
  local raws = redis.call('HMGET', KEYS[2], unpack(slice))
  for j = 1, #slice do
    cur[slice[j]] = raws[j] and parse(slice[j], raws[j]) or false
  end
end

local order = {}
local accepted, stale, too_fast = 0, 0, 0
for i = 1, #fixes do
  local f = fixes[i]
  local id, lon_s, lat_s, status, ts_s, grid, own, clamped = f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8]
  local ts = tonumber(ts_s)
  local lon, lat = tonumber(lon_s), tonumber(lat_s)
  local p = cur[id]
  local take = false
  if not p then
    p = {day = day_of(ts), dist = 0, out = 0, xp = 0, gx = '', gy = '', th = ts, points = {}}
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
    p.lon_s, p.lat_s, p.lon, p.lat, p.status, p.grid, p.own, p.clamped, p.ts =
      lon_s, lat_s, lon, lat, status, grid, own, clamped, ts
    local points = p.points
    if #points == 0 then order[#order + 1] = id end
    points[#points + 1] = ts_s .. ',' .. lon_s .. ',' .. lat_s
    accepted = accepted + 1
  end
end

local states, geo = {}, {}
for i = 1, #order do
  local id = order[i]
  local p = cur[id]
  local trail = trail_prefix .. id
  redis.call('RPUSH', trail, unpack(p.points))
  if p.ts - p.th >= trail_ms + TRIM_EVERY then
    -- Entries are in time order: drop the head older than the trail length (about TRIM_EVERY of it).
    local cutoff = p.ts - trail_ms
    local head = redis.call('LRANGE', trail, 0, 4095)
    local keep = #head + 1
    for j = 1, #head do
      local t = tonumber(string.match(head[j], '^([^,]+)'))
      if t >= cutoff then keep = j; p.th = t; break end
    end
    if keep > #head then p.th = cutoff end  -- more than 4096 old entries: the rest goes next time
    redis.call('LTRIM', trail, keep - 1, -1)
  end
  if p.ts - p.xp >= EXPIRY_EVERY then
    redis.call('PEXPIRE', trail, trail_ms + EXPIRY_EVERY)
    p.xp = p.ts
  end
  if p.gx == '' or metres(tonumber(p.gx), tonumber(p.gy), p.lon, p.lat) >= GEO_STEP then
    geo[#geo + 1] = p.lon_s
    geo[#geo + 1] = p.lat_s
    geo[#geo + 1] = id
    p.gx, p.gy = p.lon_s, p.lat_s
  end
  states[#states + 1] = id
  states[#states + 1] = p.lon_s .. ',' .. p.lat_s .. ',' .. p.status .. ',' .. p.grid .. ',' .. p.own .. ','
    .. p.clamped .. ',' .. p.day .. ',' .. floor(p.dist * 10 + 0.5) / 10 .. ',' .. p.out .. ',' .. p.xp .. ','
    .. p.gx .. ',' .. p.gy .. ',' .. p.th .. ',' .. p.ts
end
-- The chunk holds at most CHUNK fixes, so these calls stay far below unpack()'s limit.
if #states > 0 then
  redis.call('HSET', KEYS[2], unpack(states))
  redis.call('SADD', KEYS[3], unpack(order))
end
if #geo > 0 then redis.call('GEOADD', KEYS[1], unpack(geo)) end
return {accepted, stale, too_fast}
"""
)

# KEYS: moved, state, seen. ARGV: offline cut-off (ms). Takes the moved set and clears it atomically (no fix is
# lost between two frames), notes when each moved patrol was last heard of, and takes out of `seen` those not
# heard of since the cut-off: each goes offline in exactly one frame, and a fix later brings it back.
# Returns `id,state` items; a patrol may appear twice (moved, yet stale), the caller keeps one.
TAKE_FRAME = """
local ids = redis.call('SMEMBERS', KEYS[1])
redis.call('DEL', KEYS[1])
local out = {}
for i = 1, #ids, 1000 do  -- HMGET in slices: unpack() of more than ~8000 values fails in Redis's Lua
  local slice = {}
  for j = i, math.min(i + 999, #ids) do slice[#slice + 1] = ids[j] end
  local states = redis.call('HMGET', KEYS[2], unpack(slice))
  for j = 1, #slice do
    local state = states[j]
    if state then
      out[#out + 1] = slice[j] .. ',' .. state
      redis.call('ZADD', KEYS[3], tonumber(string.match(state, '([^,]+)$')), slice[j])
    end
  end
end
local silent = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', '(' .. ARGV[1])
if #silent > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', '(' .. ARGV[1])
  for i = 1, #silent do
    local state = redis.call('HGET', KEYS[2], silent[i])
    if state then out[#out + 1] = silent[i] .. ',' .. state end
  end
end
return out
"""
