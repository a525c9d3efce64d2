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
 *   ARGV[1]  new claim id (fresh; chosen by the caller, it seeds every meter event identifier)
 *   ARGV[2]  claim time in ms (the claim's score, so claims resume oldest first)
 *   ARGV[3]  a customer id to claim only that customer's cells, or '' to claim everything
 *
 * Output: flat array `id1, score1, id2, score2, …` of every open claim, oldest first; the new one
 * is among them when anything matched. Increments that arrive after the script ran go to a
 * fresh pending hash (HINCRBY creates it), so nothing is lost and nothing is claimed twice.
 */
export const CLAIM_SCRIPT = `
local pending, claims, target = KEYS[1], KEYS[2], KEYS[3]
local id, score, customer = ARGV[1], ARGV[2], ARGV[3]
if customer == '' then
  if redis.call('EXISTS', pending) == 1 then
    redis.call('RENAME', pending, target)
    redis.call('ZADD', claims, score, id)
  end
else
  -- Collect first, move after: changing a hash while scanning it could skip or repeat fields.
  local fields, seen, cursor = {}, {}, '0'
  repeat
    local page = redis.call('HSCAN', pending, cursor, 'MATCH', customer .. '|*', 'COUNT', 1000)
    cursor = page[1]
    for i = 1, #page[2], 2 do
      local f = page[2][i]
      if not seen[f] then seen[f] = true; fields[#fields + 1] = f end
    end
  until cursor == '0'
  for _, f in ipairs(fields) do
    local v = redis.call('HGET', pending, f)
    if v then
      redis.call('HSET', target, f, v)
      redis.call('HDEL', pending, f)
    end
  end
  if #fields > 0 then redis.call('ZADD', claims, score, id) end
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
