import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit'
import type { Kysely } from 'kysely'
import type { Database } from '../../../db/types.js'
import type { Clock } from '../../clock.js'
import { sha256 } from '../../lib/secrets.js'
import { countHit, purgeEnded } from './rate-limit-repository.js'

type Incr = FastifyRateLimitStore['incr']
type Callback = Parameters<Incr>[1]

/** How often an instance deletes the counters of ended windows. */
const PURGE_EVERY_MS = 60_000

/**
 * A store for @fastify/rate-limit that counts in the database (table `rate_limits`), so that the
 * instances serving one calendar share each count: attempts spread over two instances are limited
 * at the same total as on one. Fixed windows of the route's `timeWindow`, aligned on the clock
 * (`floor(now / window)`): up to twice the limit can pass across one window's edge, the usual
 * price of a fixed window. Keys are hashed before they are stored (addresses, e-mails, feed
 * tokens never sit in the table). Used on PostgreSQL; SQLite, one server, keeps the plugin's
 * in-memory store.
 */
export function sharedRateLimitStore (db: Kysely<Database>, clock: Clock): FastifyRateLimitStoreCtor {
  let lastPurge = -Infinity
  const purge = async (now: Date): Promise<void> => {
    if (now.getTime() - lastPurge < PURGE_EVERY_MS) return
    lastPurge = now.getTime()
    await purgeEnded(db, now)
  }

  class SharedStore implements FastifyRateLimitStore {
    // @fastify/rate-limit calls incr(key, callback, timeWindow, max); its types list the first two only.
    incr (key: string, callback: Callback, timeWindow?: number): void {
      const windowMs = timeWindow ?? 60_000
      const now = clock.now()
      const start = Math.floor(now.getTime() / windowMs) * windowMs
      const end = new Date(start + windowMs)
      purge(now)
        .then(async () => await countHit(db, sha256(key), new Date(start), end))
        .then((current) => { callback(null, { current, ttl: end.getTime() - now.getTime() }) }, (err: unknown) => { callback(err instanceof Error ? err : new Error(String(err))) })
    }

    child (): FastifyRateLimitStore {
      return new SharedStore()
    }
  }
  return SharedStore
}
