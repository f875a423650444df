import type { Kysely, Transaction } from 'kysely'
import { isPostgres } from '../../../db/dialect.js'
import type { Database, DeliveryRow } from '../../../db/types.js'
import type { DeliveryKind } from './booking-change.js'

type Db = Kysely<Database>
/** The enqueueing transaction, which holds the channel's cursor (lockCursor). */
type Trx = Transaction<Database>

/**
 * Inside the enqueueing transaction: the channel's cursor, locked until the transaction ends on
 * PostgreSQL (`FOR UPDATE`), so that two instances never read the same events after it; the
 * second waits, then reads the cursor the first one moved. SQLite has one writer at a time.
 */
export async function lockCursor (trx: Trx, channel: string): Promise<number | undefined> {
  const q = trx.selectFrom('delivery_cursors').select('last_seq').where('channel', '=', channel)
  const r = await (isPostgres(trx) ? q.forUpdate() : q).executeTakeFirst()
  return r?.last_seq
}

/** A channel switched on for the first time starts at `lastSeq`; a cursor already there (another instance's) is kept. */
export async function createCursor (db: Db, channel: string, lastSeq: number, now: Date): Promise<void> {
  await db.insertInto('delivery_cursors')
    .values({ channel, last_seq: lastSeq, updated_at: now.toISOString() })
    .onConflict((oc) => oc.column('channel').doNothing())
    .execute()
}

export async function saveCursor (db: Trx, channel: string, lastSeq: number, now: Date): Promise<void> {
  await db.updateTable('delivery_cursors').set({ last_seq: lastSeq, updated_at: now.toISOString() }).where('channel', '=', channel).execute()
}

export interface NewDelivery {
  channel: string
  eventSeq: number
  bookingId: string
  kind: DeliveryKind
  payload: unknown
  now: Date
  /** Why it can never be sent: then it is recorded as given up at once, never attempted. */
  refused?: string
}

/** Queues one delivery, due now; an event already queued on this channel is left as it is. */
export async function insertDelivery (db: Trx, d: NewDelivery): Promise<boolean> {
  const nowIso = d.now.toISOString()
  const r = await db.insertInto('deliveries').values({
    channel: d.channel, event_seq: d.eventSeq, booking_id: d.bookingId, kind: d.kind, payload: JSON.stringify(d.payload),
    next_attempt_at: nowIso, sent_at: null, failed_at: d.refused === undefined ? null : nowIso, last_error: d.refused ?? null, created_at: nowIso
  }).onConflict((oc) => oc.columns(['channel', 'event_seq']).doNothing()).executeTakeFirst()
  return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0
}

/**
 * Claims the deliveries of the channel due now, in event order, until `until` (a lease): no
 * other worker claims them meanwhile, and those of a worker that died come back when it runs out.
 * On PostgreSQL the rows are read `FOR UPDATE SKIP LOCKED`, so that two instances claiming at
 * once take different rows without waiting on each other. One waits while an earlier delivery
 * of the same slot is still pending on the channel, claimed or not — of its own booking (the SAS
 * must have the appointment before its update) or of an earlier booking of that slot (book,
 * cancel, rebook: the last mail must say the slot is booked, not free).
 */
export async function claimDue (db: Db, channel: string, now: Date, until: Date, limit: number): Promise<DeliveryRow[]> {
  return await db.transaction().execute(async (trx) => {
    const nowIso = now.toISOString()
    const q = trx.selectFrom('deliveries as d').selectAll('d')
      .where('d.channel', '=', channel)
      .where('d.sent_at', 'is', null).where('d.failed_at', 'is', null)
      .where('d.next_attempt_at', '<=', nowIso)
      .where((eb) => eb.or([eb('d.claimed_until', 'is', null), eb('d.claimed_until', '<=', nowIso)]))
      .where(({ not, exists, selectFrom }) => not(exists(
        selectFrom('deliveries as e')
          .innerJoin('bookings as be', 'be.id', 'e.booking_id')
          .innerJoin('bookings as bd', 'bd.slot_id', 'be.slot_id')
          .select('e.id')
          .whereRef('bd.id', '=', 'd.booking_id')
          .whereRef('e.channel', '=', 'd.channel')
          .whereRef('e.event_seq', '<', 'd.event_seq')
          .where('e.sent_at', 'is', null).where('e.failed_at', 'is', null)
      )))
      .orderBy('d.event_seq').limit(limit)
    const rows = await (isPostgres(trx) ? q.forUpdate('d').skipLocked() : q).execute()
    if (rows.length === 0) return rows
    const claimedUntil = until.toISOString()
    await trx.updateTable('deliveries').set({ claimed_until: claimedUntil }).where('id', 'in', rows.map((r) => r.id)).execute()
    return rows.map((r) => ({ ...r, claimed_until: claimedUntil }))
  })
}

/** Gives back claims not yet attempted (the worker stops: another instance sends them at once, not when the lease runs out). */
export async function releaseClaims (db: Db, rows: DeliveryRow[]): Promise<void> {
  // One statement per lease (a batch of claimDue shares one), each row still only while its lease is this worker's.
  const byLease = new Map<string | null, number[]>()
  for (const d of rows) byLease.set(d.claimed_until, [...(byLease.get(d.claimed_until) ?? []), d.id])
  for (const [lease, ids] of byLease) {
    await db.updateTable('deliveries').set({ claimed_until: null })
      .where('id', 'in', ids).where('claimed_until', '=', lease).where('sent_at', 'is', null).where('failed_at', 'is', null).execute()
  }
}

/**
 * Writes the outcome of an attempt only while the claim is still the worker's own (the same
 * lease, not sent nor given up by anyone): false when its lease ran out and another worker
 * claimed the delivery meanwhile.
 */
async function settle (db: Db, d: DeliveryRow, set: Partial<Pick<DeliveryRow, 'attempts' | 'sent_at' | 'failed_at' | 'next_attempt_at' | 'last_error'>>): Promise<boolean> {
  const r = await db.updateTable('deliveries').set({ ...set, claimed_until: null })
    .where('id', '=', d.id)
    .where('sent_at', 'is', null).where('failed_at', 'is', null)
    .where('claimed_until', d.claimed_until === null ? 'is' : '=', d.claimed_until)
    .executeTakeFirst()
  return Number(r.numUpdatedRows) > 0
}

export async function markSent (db: Db, d: DeliveryRow, attempts: number, now: Date): Promise<boolean> {
  return await settle(db, d, { sent_at: now.toISOString(), attempts, last_error: null })
}

export async function markRetry (db: Db, d: DeliveryRow, attempts: number, nextAt: Date, error: string): Promise<boolean> {
  return await settle(db, d, { attempts, next_attempt_at: nextAt.toISOString(), last_error: error })
}

export async function markFailed (db: Db, d: DeliveryRow, attempts: number, now: Date, error: string): Promise<boolean> {
  return await settle(db, d, { attempts, failed_at: now.toISOString(), last_error: error })
}
