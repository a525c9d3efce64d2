/**
 * Lua scripts of the drain. Every key a script touches carries the `{u}` hash tag (keys.ts), so
 * each runs atomically on one Redis Cluster slot. SQL-like: the text lives here, apart from the
 * code that runs it (claims.ts).
 */

/**
 * claim — moves pending usage into a new claimed batch, atomically.
 *
 *   KEYS[1]  pending hash           <P>:usage:{u}:pending
 *   KEYS[2]  open-claims sorted set <P>:usage:{u}:claims
 *   KEYS[3]  the new claim's hash   <P>:usage:{u}:claim:<ARGV[1]>
 *   KEYS[4]  invoice-flush set      <P>:usage:{u}:flush
 *   ARGV[1]  new claim id (fresh; chosen by the caller, it seeds every meter event identifier)
 *   ARGV[2]  claim time in ms (the claim's score, so claims resume oldest first)
 *   ARGV[3]  'all': claim everything pending (O(1), a RENAME), which also settles every invoice
 *            flush waiting in KEYS[4]; 'fields': claim only the fields listed next
 *   with 'fields':
 *   ARGV[4]  n, the number of flush requests this claim settles
 *   ARGV[5 .. 4+n]  those requests (members of KEYS[4], removed)
 *   ARGV[5+n ..]    the pending fields to move, found by the caller with HSCAN outside the
 *                   script, so Redis is never blocked scanning a large hash
 *
 * Output: flat array `id1, score1, id2, score2, …` of every open claim, oldest first; the new one
 * is among them when anything was moved. Increments that arrive after the script ran go to a
 * fresh pending hash or field (HINCRBY creates it), so nothing is lost and nothing is claimed
 * twice; a listed field that is gone by now (claimed meanwhile) is skipped.
 */
export const CLAIM_SCRIPT = `
local pending, claims, target, flush = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local id, score, mode = ARGV[1], ARGV[2], ARGV[3]
if mode == 'all' then
  if redis.call('EXISTS', pending) == 1 then
    redis.call('RENAME', pending, target)
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
      moved = moved + 1
    end
  end
  if moved > 0 then redis.call('ZADD', claims, score, id) end
end
return redis.call('ZRANGE', claims, 0, -1, 'WITHSCORES')
`;

/**
 * pending-reached — is the pending total at least a threshold? (early drain trigger)
 *
 *   KEYS[1]  pending hash   <P>:usage:{u}:pending
 *   ARGV[1]  threshold in units
 *
 * Output: 1 when the sum of all pending cells reaches ARGV[1], else 0. Stops summing as soon as
 * it does; O(cells) otherwise, which early drains keep small.
 */
export const PENDING_REACHED_SCRIPT = `
local threshold = tonumber(ARGV[1])
local total = 0
local values = redis.call('HVALS', KEYS[1])
for i = 1, #values do
  total = total + (tonumber(values[i]) or 0)
  if total >= threshold then return 1 end
end
return 0
`;
