/*
 * The Redis side of shared-record.ts, as Lua: each script runs atomically, so a mark is
 * read, merged, written, given its expiry and published as one step, and every process
 * hears the changes in the order Redis applied them. Numbers travel as decimal strings
 * ('%.0f': epoch milliseconds are exact in a Lua double).
 */

/**
 * KEYS[1]: the change counter; KEYS[2..]: one record per mark.
 * ARGV: channel, now, ENABLE_MEMORY_MS, origin, then per mark: kind, until, at, replay (0|1),
 * fingerprint.
 */
export const APPLY_MARKS = `
local channel = ARGV[1]
local now = tonumber(ARGV[2])
local memory = tonumber(ARGV[3])
local origin = ARGV[4]
local function num(v) return string.format('%.0f', v) end
for i = 2, #KEYS do
  local b = 4 + (i - 2) * 5
  local kind = ARGV[b + 1]
  local mark_until = tonumber(ARGV[b + 2])
  local at = tonumber(ARGV[b + 3])
  local replay = ARGV[b + 4] == '1'
  local fingerprint = ARGV[b + 5]
  local rec = KEYS[i]
  local f = redis.call('HMGET', rec, 'permanent', 'until', 'since', 'enabled_at')
  local permanent = f[1] == '1'
  local u = tonumber(f[2]) or 0
  local since = tonumber(f[3]) or 0
  local enabled = tonumber(f[4]) or 0
  if kind == 'enable' then
    if (not replay) or at >= since then
      enabled = math.max(enabled, at, since)
      permanent = false
      u = 0
    else
      enabled = math.max(enabled, at)
    end
  elseif (not replay) or at > enabled then
    if kind == 'permanent' then permanent = true else u = math.max(u, mark_until) end
    since = math.max(since, at)
  end
  local forget = nil
  if not permanent then
    if enabled == 0 then forget = u else forget = math.max(u, enabled + memory) end
  end
  if forget ~= nil and forget <= now then
    redis.call('DEL', rec)
  else
    redis.call('HSET', rec, 'permanent', permanent and '1' or '0', 'until', num(u),
      'since', num(since), 'enabled_at', num(enabled))
    if forget == nil then redis.call('PERSIST', rec) else redis.call('PEXPIRE', rec, forget - now) end
  end
  local seq = redis.call('INCR', KEYS[1])
  redis.call('PUBLISH', channel, table.concat({ num(seq), fingerprint,
    permanent and '1' or '0', num(u), num(since), origin }, ' '))
end
return #KEYS - 1
`;

/**
 * KEYS[1]: the change counter; KEYS[2..]: records. Returns the counter, then four strings
 * per record ('' for a field it lacks, all four for a record that does not exist).
 */
export const SNAPSHOT = `
local out = { redis.call('GET', KEYS[1]) or '0' }
for i = 2, #KEYS do
  local f = redis.call('HMGET', KEYS[i], 'permanent', 'until', 'since', 'enabled_at')
  for j = 1, 4 do out[#out + 1] = f[j] or '' end
end
return out
`;
