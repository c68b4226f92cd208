/**
 * The Lua scripts behind the Redis session registry: each registry call is one script, so it is atomic
 * across every signal instance sharing the Redis. Keys (all under one prefix P):
 *   s:<sid> hash {host, addr, owner} · sessions set · addr:<address> count · ch:<conn> set of hosted sids
 *   cj:<conn> "<sid> <peerId>" · p:<sid> hash peerId → conn · peers count
 *   o:<sid> hash {hash, addr} · owners zset (until) · oa:<address> zset (until): remembered owners
 *   i:<instance> set of its conns · instances set · alive:<instance> (expires when the instance dies)
 */

/** Helpers every script starts with. ARGV[1] is always the prefix. */
const COMMON = `
local P = ARGV[1]
local function forgetOwner(sid)
  local a = redis.call('HGET', P..'o:'..sid, 'addr')
  if a then
    redis.call('DEL', P..'o:'..sid)
    redis.call('ZREM', P..'owners', sid)
    redis.call('ZREM', P..'oa:'..a, sid)
  end
end
local function expireOwners(now)
  for _, sid in ipairs(redis.call('ZRANGEBYSCORE', P..'owners', '-inf', now, 'LIMIT', 0, 100)) do forgetOwner(sid) end
end
local function rememberOwner(sid, hash, addr, now, retention, max, maxPerAddr)
  forgetOwner(sid)
  expireOwners(now)
  while redis.call('ZCARD', P..'oa:'..addr) >= maxPerAddr do
    forgetOwner(redis.call('ZRANGE', P..'oa:'..addr, 0, 0)[1])
  end
  while redis.call('ZCARD', P..'owners') >= max do
    forgetOwner(redis.call('ZRANGE', P..'owners', 0, 0)[1])
  end
  redis.call('HSET', P..'o:'..sid, 'hash', hash, 'addr', addr)
  redis.call('ZADD', P..'owners', now + retention, sid)
  redis.call('ZADD', P..'oa:'..addr, now + retention, sid)
end
local function countAddr(addr, delta)
  local n = redis.call('INCRBY', P..'addr:'..addr, delta)
  if n <= 0 then redis.call('DEL', P..'addr:'..addr) end
end
local function removeSession(sid, now, retention, max, maxPerAddr)
  local s = redis.call('HMGET', P..'s:'..sid, 'host', 'addr', 'owner')
  if not s[1] then return false end
  redis.call('DEL', P..'s:'..sid)
  redis.call('SREM', P..'sessions', sid)
  countAddr(s[2], -1)
  redis.call('SREM', P..'ch:'..s[1], sid)
  rememberOwner(sid, s[3], s[2], now, retention, max, maxPerAddr)
  return {sid, redis.call('HVALS', P..'p:'..sid)}
end
local function leave(conn)
  local joined = redis.call('GET', P..'cj:'..conn)
  if not joined then return false end
  redis.call('DEL', P..'cj:'..conn)
  local sid, peer = string.match(joined, '^(%S+) (%S+)$')
  if redis.call('HGET', P..'p:'..sid, peer) == conn then
    redis.call('HDEL', P..'p:'..sid, peer)
    redis.call('DECR', P..'peers')
  end
  return {sid, peer, redis.call('HGET', P..'s:'..sid, 'host') or ''}
end
local function drop(conn, instance, now, retention, max, maxPerAddr)
  local left = leave(conn)
  local ended = {}
  for _, sid in ipairs(redis.call('SMEMBERS', P..'ch:'..conn)) do
    if redis.call('HGET', P..'s:'..sid, 'host') == conn then
      local gone = removeSession(sid, now, retention, max, maxPerAddr)
      if gone then table.insert(ended, gone) end
    end
  end
  redis.call('DEL', P..'ch:'..conn)
  redis.call('SREM', P..'i:'..instance, conn)
  return {left, ended}
end
`;

/**
 * register: ARGV P conn addr sid owner now maxSessions maxPerAddr maxPerConn instance.
 * → {'OK', replaced or ''} | {'TAKEN'} | {'LIMIT', which}. Owner hashes are compared as strings: they
 * are SHA-256 of secrets, so the timing of a comparison says nothing useful about a secret.
 */
export const REGISTER = `${COMMON}
local conn, addr, sid, owner = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local now, maxSessions, maxPerAddr, maxPerConn, instance = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9]), ARGV[10]
expireOwners(now)
local cur = redis.call('HMGET', P..'s:'..sid, 'host', 'addr', 'owner')
local known = cur[3] or redis.call('HGET', P..'o:'..sid, 'hash')
if known and known ~= owner then return {'TAKEN'} end
if cur[1] == conn then return {'OK', ''} end
if not cur[1] and redis.call('SCARD', P..'sessions') >= maxSessions then return {'LIMIT', maxSessions..' sessions in total'} end
if cur[2] ~= addr and tonumber(redis.call('GET', P..'addr:'..addr) or '0') >= maxPerAddr then return {'LIMIT', maxPerAddr..' sessions per address'} end
if redis.call('SCARD', P..'ch:'..conn) >= maxPerConn then return {'LIMIT', maxPerConn..' sessions per connection'} end
local replaced = ''
if cur[1] then
  redis.call('SREM', P..'ch:'..cur[1], sid)
  countAddr(cur[2], -1)
  replaced = cur[1]
end
forgetOwner(sid)
redis.call('HSET', P..'s:'..sid, 'host', conn, 'addr', addr, 'owner', owner)
redis.call('SADD', P..'sessions', sid)
redis.call('SADD', P..'ch:'..conn, sid)
countAddr(addr, 1)
redis.call('SADD', P..'i:'..instance, conn)
return {'OK', replaced}
`;

/** unregister: ARGV P conn sid now retention max maxPerAddr → false | {sid, peers}. */
export const UNREGISTER = `${COMMON}
local conn, sid = ARGV[2], ARGV[3]
if redis.call('HGET', P..'s:'..sid, 'host') ~= conn then return false end
return removeSession(sid, tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7]))
`;

/** join: ARGV P conn sid peerId instance → {'UNKNOWN'} | {'TAKEN'} | {'OK', left or false}. */
export const JOIN = `${COMMON}
local conn, sid, peer, instance = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
if redis.call('EXISTS', P..'s:'..sid) == 0 then return {'UNKNOWN'} end
local holder = redis.call('HGET', P..'p:'..sid, peer)
if holder and holder ~= conn then return {'TAKEN'} end
local prev = redis.call('GET', P..'cj:'..conn)
local left = false
if prev and prev ~= sid..' '..peer then left = leave(conn) end
if not redis.call('GET', P..'cj:'..conn) then
  redis.call('HSET', P..'p:'..sid, peer, conn)
  redis.call('INCR', P..'peers')
  redis.call('SET', P..'cj:'..conn, sid..' '..peer)
  redis.call('SADD', P..'i:'..instance, conn)
end
return {'OK', left}
`;

/** drop: ARGV P conn instance now retention max maxPerAddr → {left or false, {{sid, peers}...}}. */
export const DROP = `${COMMON}
return drop(ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7]))
`;

/**
 * reap: ARGV P closing now retention max maxPerAddr → the departures of every connection of every
 * instance whose alive key expired (it died without saying so), and of `closing` (an instance shutting
 * down; '' for none), as {{left, ended}...}. At most 1,000 connections per call, so one call never
 * blocks Redis for long; the caller repeats while it gets a full batch.
 */
export const REAP = `${COMMON}
local out = {}
local budget = 1000
for _, inst in ipairs(redis.call('SMEMBERS', P..'instances')) do
  if inst == ARGV[2] or redis.call('EXISTS', P..'alive:'..inst) == 0 then
    for _, conn in ipairs(redis.call('SRANDMEMBER', P..'i:'..inst, budget)) do
      table.insert(out, drop(conn, inst, tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])))
      budget = budget - 1
    end
    if redis.call('SCARD', P..'i:'..inst) == 0 then redis.call('SREM', P..'instances', inst) end
    if budget <= 0 then break end
  end
end
return out
`;
