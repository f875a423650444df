import { sql, type Kysely } from 'kysely'
import type { Database } from '../../../db/types.js'

type Db = Kysely<Database>

/**
 * Counts one hit of `key` in the fixed window [windowStart, expiresAt), in one upsert: of two
 * instances counting at once, the second's insert turns into an increment of the first one's
 * row (the primary key decides), so neither count is lost. Returns the hits of the window so far.
 */
export async function countHit (db: Db, key: string, windowStart: Date, expiresAt: Date): Promise<number> {
  const r = await db.insertInto('rate_limits')
    .values({ key, window_start: windowStart.toISOString(), hits: 1, expires_at: expiresAt.toISOString() })
    .onConflict((oc) => oc.columns(['key', 'window_start']).doUpdateSet({ hits: sql<number>`rate_limits.hits + 1` }))
    .returning('hits')
    .executeTakeFirstOrThrow()
  return Number(r.hits)
}

/** Deletes the counters of windows that have ended; returns how many. */
export async function purgeEnded (db: Db, now: Date): Promise<number> {
  const r = await db.deleteFrom('rate_limits').where('expires_at', '<=', now.toISOString()).executeTakeFirst()
  return Number(r.numDeletedRows)
}
