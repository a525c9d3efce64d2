/**
 * Lua scripts of the usage counters. Every key one call touches carries the same shard hash tag
 * `{u<s>}` (keys.ts), so each call runs atomically on one Redis Cluster slot; only the client's
 * RECORD_SHARDS_SCRIPT spans shards, and only on a single Redis. Like SQL, the text lives here,
 * apart from the code that runs it: client.ts (record-shards), usage-store.ts (claim,
 * pending-total); record is for clients in other languages. The usage query's script is in
 * snapshot-script.ts (usage-query.ts).
 */

/**
 * The per-shard steps of both record scripts below: `refusal` checks, `record` counts n events
 * with ids, then m without, into one shard's pending hash, and enters each field it creates in the
 * hash's index `<pending>:index` (a sorted set, every score 0, so ordered by field: one customer's
 * fields are one ZRANGEBYLEX range, which the usage query reads instead of the whole hash).
 *
 *   pending      the shard's pending hash
 *   KEYS[k+1 .. k+n]                 one dedupe key per event with an id, in order
 *   ARGV[a .. a+2n-1]                field, value of each event with an id (pair i goes with KEYS[k+i])
 *   ARGV[a+2n .. a+2n+2m-1]          field, value pairs of events without an id (always counted)
 *
 * `refusal` runs over every shard of a call before `record` writes anything, and returns why the
 * call must be refused, or nil: `USAGE_VALUE <field>` when a value is not whole units from 0 to
 * 2^53 − 1 (or the stored counter is not an integer, which HINCRBY would refuse half way),
 * `USAGE_OVERFLOW <field>` when the counter would pass 2^53 − 1 (events with ids counted as if
 * none were a repeat). So a counter never exceeds 2^53 − 1 through a script, HINCRBY can never
 * fail past 2^63 half way, and a refused call writes nothing. The sums are Lua doubles; they decide
 * exactly all the same: below 2^53 every sum is exact, and rounding is monotonic, so a true sum of
 * 2^53 or more never comes out below it.
 *
 * `record` returns n characters: `1` where that event's id was already counted (nothing added),
 * `0` where it was counted now. An id is remembered for `ttl` seconds; dedupe and increment are one step.
 */
const RECORD_SHARD_FUNCTION = `
local MAX_UNITS = 9007199254740991
local function refusal(pending, a, n, m)
  local add, fresh = {}, {}
  for j = a, a + 2 * (n + m) - 1, 2 do
    local field, value = ARGV[j], ARGV[j + 1]
    if not string.match(value, '^%d+$') or tonumber(value) > MAX_UNITS then return 'USAGE_VALUE ' .. field end
    add[field] = (add[field] or 0) + tonumber(value)
  end
  for field, units in pairs(add) do
    local stored = redis.call('HGET', pending, field)
    if stored and not string.match(stored, '^%-?%d+$') then return 'USAGE_VALUE ' .. field end
    if (tonumber(stored) or 0) + units > MAX_UNITS then return 'USAGE_OVERFLOW ' .. field end
    if not stored then fresh[field] = true end
  end
  return nil, fresh
end
local function record(pending, ttl, k, a, n, m, fresh)
  local function count(field, value)
    redis.call('HINCRBY', pending, field, value)
    if fresh[field] then
      redis.call('ZADD', pending .. ':index', 0, field)
      fresh[field] = nil
    end
  end
  local dup = {}
  for i = 1, n do
    local field, value = ARGV[a + 2 * i - 2], ARGV[a + 2 * i - 1]
    if redis.call('SET', KEYS[k + i], '1', 'NX', 'EX', ttl) then
      if value ~= '0' then count(field, value) end
      dup[i] = '0'
    else
      dup[i] = '1'
    end
  end
  for j = a + 2 * n, a + 2 * (n + m) - 1, 2 do count(ARGV[j], ARGV[j + 1]) end
  return table.concat(dup)
end
`;

/**
 * record — counts events in one shard, each event with an id at most once per USAGE_DEDUPE_SECONDS.
 * Any language may call it (docs/usage.md); dedupe and increment are one atomic step.
 *
 *   KEYS[1]          pending hash of the shard        <P>:usage:{u<s>}:pending
 *   KEYS[2 .. n+1]   one dedupe key per event with an id, in order: <P>:usage:{u<s>}:id:<customer>|<id>
 *   ARGV[1]          USAGE_DEDUPE_SECONDS (how long an id is remembered)
 *   ARGV[2]          n, the number of events with an id
 *   ARGV[3 .. 2+2n]  field, value of each event with an id (pair i goes with KEYS[1+i])
 *   ARGV[3+2n ..]    field, value pairs of events without an id (always counted)
 *   field = <customer>|<meter>|<window start>, value = whole units from 0 to 2^53 − 1 (decimal)
 *
 * Output: a string of n characters, `1` where that event's id was already counted (a duplicate:
 * nothing added), `0` where it was counted now. The same id twice in one call counts once.
 * Error `USAGE_VALUE <field>` or `USAGE_OVERFLOW <field>` (see refusal above): nothing was written.
 */
export const RECORD_SCRIPT = `${RECORD_SHARD_FUNCTION}
local n = tonumber(ARGV[2])
local m = (#ARGV - 2 - 2 * n) / 2
local refused, fresh = refusal(KEYS[1], 3, n, m)
if refused then return redis.error_reply(refused) end
return record(KEYS[1], ARGV[1], 1, 3, n, m, fresh)
`;

/**
 * record-shards — RECORD_SCRIPT for several shards in one call: what the TypeScript client sends.
 * On a single Redis one call carries every shard a tick touched (one command instead of up to 16:
 * a script call costs Redis and Node far more than the increments in it). On a Redis Cluster the
 * client sends it once per shard, since one call must stay in one slot.
 *
 *   KEYS    for each shard in turn: its pending hash, then its n dedupe keys (as RECORD_SCRIPT)
 *   ARGV[1] USAGE_DEDUPE_SECONDS
 *   ARGV[2 ..] for each shard in turn: n, m, the n (field, value) pairs of events with an id (in
 *           the order of its dedupe keys), the m (field, value) pairs of events without
 *
 * Output: one string per shard, in order, as RECORD_SCRIPT's output. Every shard is checked
 * before any is written: one refusal (RECORD_SCRIPT's errors) refuses the whole call.
 */
export const RECORD_SHARDS_SCRIPT = `${RECORD_SHARD_FUNCTION}
local k, a, fresh = 0, 2, {}
while a <= #ARGV do
  local n, m = tonumber(ARGV[a]), tonumber(ARGV[a + 1])
  local refused, created = refusal(KEYS[k + 1], a + 2, n, m)
  if refused then return redis.error_reply(refused) end
  fresh[#fresh + 1] = created
  k, a = k + 1 + n, a + 2 + 2 * (n + m)
end
local out = {}
k, a = 0, 2
while a <= #ARGV do
  local n, m = tonumber(ARGV[a]), tonumber(ARGV[a + 1])
  out[#out + 1] = record(KEYS[k + 1], ARGV[1], k + 1, a + 2, n, m, fresh[#out + 1])
  k, a = k + 1 + n, a + 2 + 2 * (n + m)
end
return out
`;

/**
 * claim — moves pending usage into a new claimed batch, atomically.
 *
 *   KEYS[1]  pending hash           <P>:usage:{u<s>}:pending
 *   KEYS[2]  open-claims sorted set <P>:usage:{u<s>}:claims
 *   KEYS[3]  the new claim's hash   <P>:usage:{u<s>}:claim:<ARGV[1]>
 *   KEYS[4]  invoice-flush set      <P>:usage:{u<s>}:flush
 *   ARGV[1]  new claim id (fresh; chosen by the caller, it seeds every meter event identifier)
 *   ARGV[2]  claim time in ms (the claim's score, so claims resume oldest first)
 *   ARGV[3]  'all': claim everything pending (O(1), a RENAME of the hash and of its index), which also settles every invoice
 *            flush waiting in KEYS[4]; 'fields': claim only the fields listed next
 *   with 'fields':
 *   ARGV[4]  n, the number of flush requests this claim settles
 *   ARGV[5 .. 4+n]  those requests (members of KEYS[4], removed)
 *   ARGV[5+n ..]    the pending fields to move, found by the caller with HSCAN outside the
 *                   script, so Redis is never blocked scanning a large hash
 *
 * Output: flat array `id1, score1, id2, score2, …` of every open claim, oldest first; the new one
 * is among them when anything was moved. A moved field moves in the indexes too (`<hash>:index`,
 * see RECORD_SHARD_FUNCTION). Increments that arrive after the script ran go to a
 * fresh pending hash or field (HINCRBY creates it), so nothing is lost and nothing is claimed
 * twice; a listed field that is gone by now (claimed meanwhile) is skipped.
 */
export const CLAIM_SCRIPT = `
local pending, claims, target, flush = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local id, score, mode = ARGV[1], ARGV[2], ARGV[3]
if mode == 'all' then
  if redis.call('EXISTS', pending) == 1 then
    redis.call('RENAME', pending, target)
    if redis.call('EXISTS', pending .. ':index') == 1 then redis.call('RENAME', pending .. ':index', target .. ':index') end
    redis.call('ZADD', claims, score, id)
  end
  redis.call('DEL', flush)
else
  local settled = tonumber(ARGV[4])
  for i = 5, 4 + settled do redis.call('SREM', flush, ARGV[i]) end
  local moved = 0
  for i = 5 + settled, #ARGV do
    local v = redis.call('HGET', pending, ARGV[i])
    if v then
      redis.call('HSET', target, ARGV[i], v)
      redis.call('HDEL', pending, ARGV[i])
      redis.call('ZREM', pending .. ':index', ARGV[i])
      redis.call('ZADD', target .. ':index', 0, ARGV[i])
      moved = moved + 1
    end
  end
  if moved > 0 then redis.call('ZADD', claims, score, id) end
end
return redis.call('ZRANGE', claims, 0, -1, 'WITHSCORES')
`;

/**
 * pending-total — the pending total of one shard, counted up to a threshold (early drain trigger).
 *
 *   KEYS[1]  pending hash   <P>:usage:{u<s>}:pending
 *   ARGV[1]  threshold in units
 *
 * Output: the sum of the shard's pending cells, or the first partial sum that reaches ARGV[1]
 * (it stops summing there); O(cells) otherwise, which early drains keep small.
 */
export const PENDING_TOTAL_SCRIPT = `
local threshold = tonumber(ARGV[1])
local total = 0
local values = redis.call('HVALS', KEYS[1])
for i = 1, #values do
  total = total + (tonumber(values[i]) or 0)
  if total >= threshold then return total end
end
return total
`;
