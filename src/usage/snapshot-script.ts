/**
 * The Lua script of the usage query (usage-query.ts), apart from the counters' scripts (scripts.ts)
 * whose indexes it reads. Same rules: every key carries the shard's hash tag, one slot per call.
 */

/**
 * customer-snapshot — one customer's uncommitted usage in one shard, read atomically (usage-query.ts).
 *
 *   KEYS[1]  pending hash              <P>:usage:{u<s>}:pending
 *   KEYS[2]  open-claims sorted set    <P>:usage:{u<s>}:claims
 *   KEYS[3]  released-claims sorted set <P>:usage:{u<s>}:released
 *   ARGV[1]  the customer's field prefix `<customer>|`
 *   ARGV[2]  the shard's claim key prefix `<P>:usage:{u<s>}:claim:` (claim ids are only known
 *            inside the script; their keys carry the same hash tag, so the same slot)
 *
 * Output: { Redis time in ms, pending `field, value, …` of the customer, released claim ids,
 * { claim id, `field, value, …` of the customer in that claim } for each open claim }.
 * Each hash is read through its index `<hash>:index` (record and claim keep it): the customer's
 * fields are the range [`<customer>|`, `<customer>}`) of it (`}` follows `|`), then HMGET, so a call
 * costs O((1 + open claims) × (log cells + the customer's cells)), whatever the rest of the shard
 * holds. A hash with more fields than index entries holds fields a raw HINCRBY created: that one
 * is read whole and filtered (O(its cells)), as before the index. Index entries are always fields
 * of their hash (written, moved and deleted together), so equal counts mean a complete index.
 */
export const CUSTOMER_SNAPSHOT_SCRIPT = `
local prefix = ARGV[1]
local upper = string.sub(prefix, 1, -2) .. '}'
local function indexed(key, index)
  local out, fields = {}, redis.call('ZRANGEBYLEX', index, '[' .. prefix, '(' .. upper)
  for i = 1, #fields, 500 do
    local part = { unpack(fields, i, math.min(i + 499, #fields)) }
    local values = redis.call('HMGET', key, unpack(part))
    for j = 1, #part do
      if values[j] then
        out[#out + 1] = part[j]
        out[#out + 1] = values[j]
      end
    end
  end
  return out
end
local function mine(key)
  local index = key .. ':index'
  if redis.call('HLEN', key) == redis.call('ZCARD', index) then return indexed(key, index) end
  local out, flat = {}, redis.call('HGETALL', key)
  for i = 1, #flat, 2 do
    if string.sub(flat[i], 1, #prefix) == prefix then
      out[#out + 1] = flat[i]
      out[#out + 1] = flat[i + 1]
    end
  end
  return out
end
local t = redis.call('TIME')
local claims = {}
for _, id in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do claims[#claims + 1] = { id, mine(ARGV[2] .. id) } end
return { tostring(t[1] * 1000 + math.floor(t[2] / 1000)), mine(KEYS[1]), redis.call('ZRANGE', KEYS[3], 0, -1), claims }
`;
