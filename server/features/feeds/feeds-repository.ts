import type { Kysely } from 'kysely'
import type { Database } from '../../../db/types.js'
import { newSecret, sha256 } from '../../lib/secrets.js'
import type { FeedBooking, FeedInput, FeedSlot } from './feed-calendar.js'

type Db = Kysely<Database>

export interface FeedToken { token: string, createdAt: string }

export async function findFeedToken (db: Db, practitionerId: string): Promise<FeedToken | undefined> {
  const r = await db.selectFrom('feed_tokens').select(['token', 'created_at'])
    .where('practitioner_id', '=', practitionerId).executeTakeFirst()
  return r === undefined ? undefined : { token: r.token, createdAt: r.created_at }
}

/** Creates the practitioner's token unless there is one (two first visits at once keep one). */
export async function ensureFeedToken (db: Db, practitionerId: string, now: Date): Promise<{ token: FeedToken, created: boolean }> {
  const token = newSecret()
  const res = await db.insertInto('feed_tokens')
    .values({ practitioner_id: practitionerId, token, token_hash: sha256(token), created_at: now.toISOString() })
    .onConflict((oc) => oc.column('practitioner_id').doNothing())
    .executeTakeFirst()
  const stored = await findFeedToken(db, practitionerId)
  /* c8 ignore next */
  if (stored === undefined) throw new Error('feed token vanished')
  return { token: stored, created: Number(res.numInsertedOrUpdatedRows ?? 0) > 0 }
}

/** Replaces the practitioner's token: from now on only the new one answers. */
export async function replaceFeedToken (db: Db, practitionerId: string, now: Date): Promise<FeedToken> {
  const token = newSecret()
  const row = { token, token_hash: sha256(token), created_at: now.toISOString() }
  await db.insertInto('feed_tokens').values({ practitioner_id: practitionerId, ...row })
    .onConflict((oc) => oc.column('practitioner_id').doUpdateSet(row))
    .execute()
  return { token, createdAt: row.created_at }
}

/** The active practitioner a feed token belongs to, looked up by the token's hash. */
export async function practitionerByFeedToken (db: Db, token: string): Promise<{ id: string, zone: string, practitioner: FeedInput['practitioner'] } | undefined> {
  const r = await db.selectFrom('feed_tokens')
    .innerJoin('users', 'users.id', 'feed_tokens.practitioner_id')
    .innerJoin('cpts', 'cpts.id', 'users.cpts_id')
    .select(['users.id', 'users.name', 'cpts.timezone'])
    .where('feed_tokens.token_hash', '=', sha256(token))
    .where('users.role', '=', 'practitioner')
    .where('users.disabled_at', 'is', null)
    .executeTakeFirst()
  if (r === undefined) return undefined
  return { id: r.id, zone: r.timezone, practitioner: { name: r.name } }
}

/** At most this many slots in one feed (a season of daily slots is a few hundred). */
const FEED_LIMIT = 5000

/**
 * The practitioner's slots ending after `endAfter`, each with the place it is held at, and their
 * bookings. Only these columns are read: never the patient's identity, reason or phone.
 */
export async function feedRows (db: Db, practitionerId: string, endAfter: string): Promise<{ slots: FeedSlot[], bookings: FeedBooking[] }> {
  const slots = await db.selectFrom('slots')
    .innerJoin('practitioner_places as place', 'place.id', 'slots.place_id')
    .select([
      'slots.id', 'slots.start_at', 'slots.end_at', 'slots.kind', 'slots.mode', 'slots.status', 'slots.booking_id', 'slots.version',
      'slots.created_at', 'slots.updated_at', 'place.address', 'place.postal_code', 'place.commune', 'place.revision', 'place.revised_at'
    ])
    .where('slots.practitioner_id', '=', practitionerId)
    .where('slots.end_at', '>', endAfter)
    .orderBy('slots.start_at').orderBy('slots.id').limit(FEED_LIMIT)
    .execute()
  const bookings = slots.length === 0
    ? []
    : await db.selectFrom('bookings')
      .innerJoin('slots', 'slots.id', 'bookings.slot_id')
      .select(['bookings.id', 'bookings.slot_id', 'bookings.status', 'bookings.booked_at'])
      .where('slots.practitioner_id', '=', practitionerId)
      .where('slots.end_at', '>', endAfter)
      .execute()
  return {
    slots: slots.map((s) => ({
      id: s.id, startAt: s.start_at, endAt: s.end_at, kind: s.kind, mode: s.mode, status: s.status,
      // The place's address edits count as changes of its slots: a calendar takes the new LOCATION.
      bookingId: s.booking_id, version: s.version + s.revision, createdAt: s.created_at,
      updatedAt: s.revised_at !== null && s.revised_at > s.updated_at ? s.revised_at : s.updated_at,
      place: { address: s.address, postalCode: s.postal_code, commune: s.commune }
    })),
    bookings: bookings.map((b) => ({ id: b.id, slotId: b.slot_id, status: b.status, bookedAt: b.booked_at }))
  }
}
