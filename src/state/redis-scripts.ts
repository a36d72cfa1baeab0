/**
 * The Lua scripts of the Redis backend. Each runs atomically on the server, so a batch of grant
 * charges is one script call: no other client's command runs between its checks and its writes.
 *
 * They implement the SQLite algorithm of src/limits/grant-counters.ts step for step, so both
 * backends give the same decisions: per (counter, window) a running sum and a cursor (the edge
 * the window last slid to); per counter a clock (`latest`), the event log as a sorted set scored
 * by time, and a prune of events every window has left after every PRUNE_EVERY inserts by one
 * client. Numbers are written with %.17g, which reads back as the same double (Lua's own
 * tostring keeps 14 digits); scripts return integers and strings only (Redis truncates Lua numbers).
 *
 * Keys of one counter: KEYS[2i-1] its events (member `<seq>:<amount>`, score t), KEYS[2i] its hash
 * (`latest`, `longest`, `seq`, and `s:<ms>` / `c:<ms>`: sum and cursor of each window). Both get
 * the same TTL (longest window + grace) whenever a script writes them, so they expire together.
 *
 * As in SQLite, the requests of one script that charge a counter at the same time are recorded as
 * one event of their summed units (`unwritten`), written when the script ends or before the
 * counter's events are read; each request learns the event's `seq` and time, and a refund takes
 * its share out of the event.
 */

const COMMON = `
local function num(x) return string.format('%.17g', x) end
local function amountOf(member) return tonumber(string.sub(member, string.find(member, ':', 1, true) + 1)) end
local function sumRange(ev, min, max)
  local s = 0
  for _, m in ipairs(redis.call('ZRANGEBYSCORE', ev, min, max)) do s = s + amountOf(m) end
  return s
end
local touched = {}
-- Per counter index: {t, amount, shares} of the event recorded by this script and not written yet
-- (its units are in no window's sum in the hash yet); writeEvent (the charge script's) writes it.
local unwritten = {}
local writeEvent = nil
-- What this script has read of each counter's hash, kept as it writes it (nothing else runs while
-- a script does): windows[ci][w] = {sum, cursor} or false (no such window), clocks[ci] = latest or false.
local windows = {}
local clocks = {}
local function readWindow(ci, w)
  local rows = windows[ci]
  if not rows then
    rows = {}
    windows[ci] = rows
  end
  local row = rows[w]
  if row == nil then
    local v = redis.call('HMGET', KEYS[2 * ci], 's:' .. num(w), 'c:' .. num(w))
    row = v[2] and {tonumber(v[1]), tonumber(v[2])} or false
    rows[w] = row
  end
  return row
end
local function slide(ci, w, t)
  local ev, h = KEYS[2 * ci - 1], KEYS[2 * ci]
  touched[ci] = true
  local edge = t - w
  local row = readWindow(ci, w)
  local pending = unwritten[ci]
  if row and edge <= row[2] then return row[1] + (pending and pending[2] or 0) end
  if pending then
    -- The events are read below: this script's go in first.
    writeEvent(ci)
    row = readWindow(ci, w)
    if row and edge <= row[2] then return row[1] end
  end
  local s
  if not row then
    s = sumRange(ev, '(' .. num(edge), '+inf')
    local longest = tonumber(redis.call('HGET', h, 'longest') or '0')
    if w > longest then redis.call('HSET', h, 'longest', num(w)) end
  else
    s = row[1] - sumRange(ev, '(' .. num(row[2]), num(edge))
  end
  redis.call('HSET', h, 's:' .. num(w), num(s), 'c:' .. num(w), num(edge), 'latest', num(t))
  windows[ci][w] = {s, edge}
  clocks[ci] = t
  return s
end
local function clockOf(ci, t)
  local latest = clocks[ci]
  if latest == nil then
    local v = redis.call('HGET', KEYS[2 * ci], 'latest')
    latest = v and tonumber(v) or false
    clocks[ci] = latest
  end
  if latest and latest > t then return latest end
  return t
end
local function expireTouched(grace)
  for ci in pairs(touched) do
    local longest = tonumber(redis.call('HGET', KEYS[2 * ci], 'longest') or '0')
    local ttl = math.ceil(longest + grace)
    redis.call('PEXPIRE', KEYS[2 * ci - 1], ttl)
    redis.call('PEXPIRE', KEYS[2 * ci], ttl)
  end
end
`;

/**
 * ARGV: now, grace ms, PRUNE_EVERY, JSON `[pruneLeft[], requests]`, where `requests` is one flat
 * array of numbers (a table per request and charge cost more than the checks): per request, its
 * charge count n, n × (ci, windowMs, max, amount), its event count m, m × (ci, amount) (one
 * event per counter). Returns one flat array too: per request `1, seq, t, seq, t…` (allowed: the
 * event of each of its counters, m pairs) or `0, chargeIndex, retryAfter | -1`; then the events
 * written per counter, one number per counter.
 */
export const CHARGE_SCRIPT = `${COMMON}
local now, grace, pruneEvery = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local input = cjson.decode(ARGV[4])
local pruneLeft, flat = input[1], input[2]

local function retryAfter(ci, w, max, amount, t)
  if amount > max then return -1 end
  local inWindow = redis.call('ZRANGEBYSCORE', KEYS[2 * ci - 1], '(' .. num(t - w), '+inf', 'WITHSCORES')
  local total = 0
  for i = 1, #inWindow, 2 do total = total + amountOf(inWindow[i]) end
  local excess = total + amount - max
  for i = 1, #inWindow, 2 do
    excess = excess - amountOf(inWindow[i])
    if excess <= 0 then return math.max(1, math.ceil((tonumber(inWindow[i + 1]) + w - t) / 1000)) end
  end
  return math.max(1, math.ceil(w / 1000))
end

local function record(ci, amount, t)
  local ev, h = KEYS[2 * ci - 1], KEYS[2 * ci]
  local seq = redis.call('HINCRBY', h, 'seq', 1)
  redis.call('ZADD', ev, num(t), seq .. ':' .. num(amount))
  local fields = redis.call('HGETALL', h)
  for i = 1, #fields, 2 do
    if string.sub(fields[i], 1, 2) == 's:' then redis.call('HSET', h, fields[i], num(tonumber(fields[i + 1]) + amount)) end
  end
  for _, row in pairs(windows[ci] or {}) do
    if row then row[1] = row[1] + amount end
  end
  return seq
end

local function prune(ci, t)
  local fields = redis.call('HGETALL', KEYS[2 * ci])
  local oldest = nil
  for i = 1, #fields, 2 do
    if string.sub(fields[i], 1, 2) == 'c:' then
      local w = tonumber(string.sub(fields[i], 3))
      slide(ci, w, t)
      if oldest == nil or t - w < oldest then oldest = t - w end
    end
  end
  if oldest ~= nil then redis.call('ZREMRANGEBYSCORE', KEYS[2 * ci - 1], '-inf', num(oldest)) end
end

local inserted = {}
local results = {}
writeEvent = function(ci)
  local e = unwritten[ci]
  if not e then return end
  unwritten[ci] = nil
  local t = e[1]
  local seq = record(ci, e[2], t)
  local at = e[3]
  for i = 1, #at do
    results[at[i]] = seq
    results[at[i] + 1] = num(t)
  end
  local n = (inserted[ci] or 0) + 1
  inserted[ci] = n
  local left = pruneLeft[ci]
  if n >= left and (n - left) % pruneEvery == 0 then prune(ci, t) end
end
local p = 1
while p <= #flat do
  local n = flat[p]
  local first = p + 1
  p = first + 4 * n
  local m = flat[p]
  local events = p + 1
  p = events + 2 * m
  local t = now
  for k = first, first + 4 * (n - 1), 4 do t = clockOf(flat[k], t) end
  local refused = false
  for k = first, first + 4 * (n - 1), 4 do
    local ci, w, max, amount = flat[k], flat[k + 1], flat[k + 2], flat[k + 3]
    if slide(ci, w, t) + amount > max then
      writeEvent(ci)
      local r = #results
      results[r + 1] = 0
      results[r + 2] = (k - first) / 4
      results[r + 3] = retryAfter(ci, w, max, amount, t)
      refused = true
      break
    end
  end
  if not refused then
    results[#results + 1] = 1
    for k = events, events + 2 * (m - 1), 2 do
      local ci, amount = flat[k], flat[k + 1]
      local pending = unwritten[ci]
      if pending and pending[1] ~= t then
        writeEvent(ci)
        pending = nil
      end
      if not pending then
        pending = {t, 0, {}}
        unwritten[ci] = pending
      end
      pending[2] = pending[2] + amount
      local r = #results
      local at = pending[3]
      at[#at + 1] = r + 1
      results[r + 1] = 0
      results[r + 2] = 0
    end
  end
end
for ci = 1, #KEYS / 2 do writeEvent(ci) end
expireTouched(grace)
for ci = 1, #KEYS / 2 do results[#results + 1] = inserted[ci] or 0 end
return results
`;

/**
 * ARGV: grace ms, JSON `[[ci, seq, t, amount], …]`. Takes each share out of its event while the
 * event is still recorded (an event left with nothing is removed), and from the windows it is still inside.
 */
export const REFUND_SCRIPT = `${COMMON}
local grace = tonumber(ARGV[1])
local function find(ev, seq, t)
  local prefix = seq .. ':'
  for _, m in ipairs(redis.call('ZRANGEBYSCORE', ev, t, t)) do
    if string.sub(m, 1, #prefix) == prefix then return m end
  end
  return nil
end
for _, e in ipairs(cjson.decode(ARGV[2])) do
  local ci, seq, t, amount = e[1], e[2], e[3], e[4]
  local ev, h = KEYS[2 * ci - 1], KEYS[2 * ci]
  local member = find(ev, seq, t)
  if member then
    local score = tonumber(t)
    local left = amountOf(member) - amount
    redis.call('ZREM', ev, member)
    if left > 0 then redis.call('ZADD', ev, t, seq .. ':' .. num(left)) end
    local fields = redis.call('HGETALL', h)
    local values = {}
    for i = 1, #fields, 2 do values[fields[i]] = fields[i + 1] end
    for field, cursor in pairs(values) do
      if string.sub(field, 1, 2) == 'c:' and score > tonumber(cursor) then
        local sumField = 's:' .. string.sub(field, 3)
        redis.call('HSET', h, sumField, num(tonumber(values[sumField]) - amount))
      end
    end
    touched[ci] = true
  end
end
expireTouched(grace)
return 1
`;

/** ARGV: now, window ms, grace ms. The window's sum at the counter's clock, as a %.17g string. */
export const USAGE_SCRIPT = `${COMMON}
local t = clockOf(1, tonumber(ARGV[1]))
local s = slide(1, tonumber(ARGV[2]), t)
expireTouched(tonumber(ARGV[3]))
return num(s)
`;

/** KEYS: the approval, the pending index. ARGV: id, expiresAt, ttl ms, then field/value pairs. 0 when the id is taken. */
export const CREATE_APPROVAL_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local fields = {}
for i = 4, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', KEYS[1], unpack(fields))
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
return 1
`;

/** KEYS: the approval, the pending index. ARGV: id, status, now. 1 when a pending, unexpired approval got its answer. */
export const ANSWER_APPROVAL_SCRIPT = `
local v = redis.call('HMGET', KEYS[1], 'status', 'expiresAt')
if v[1] ~= 'pending' or not (tonumber(v[2]) > tonumber(ARGV[3])) then return 0 end
redis.call('HSET', KEYS[1], 'status', ARGV[2])
redis.call('ZREM', KEYS[2], ARGV[1])
return 1
`;

/** KEYS: the kind's hash. ARGV: key, expected version ('' = must not exist), JSON. The new version, or -1. */
export const WRITE_DOCUMENT_SCRIPT = `
local current = redis.call('HGET', KEYS[1], ARGV[1])
if ARGV[2] == '' then
  if current then return -1 end
  redis.call('HSET', KEYS[1], ARGV[1], '1:' .. ARGV[3])
  return 1
end
if not current then return -1 end
local version = tonumber(string.sub(current, 1, string.find(current, ':', 1, true) - 1))
if version ~= tonumber(ARGV[2]) then return -1 end
redis.call('HSET', KEYS[1], ARGV[1], string.format('%d', version + 1) .. ':' .. ARGV[3])
return version + 1
`;
