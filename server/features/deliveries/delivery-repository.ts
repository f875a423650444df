import type { Kysely } from 'kysely'
import type { Database, DeliveryRow } from '../../../db/types.js'
import type { DeliveryKind } from './booking-change.js'

type Db = Kysely<Database>

/** The last event seq the channel has read, or undefined when it has no cursor (never on, or reset). */
export async function readCursor (db: Db, channel: string): Promise<number | undefined> {
  const r = await db.selectFrom('delivery_cursors').select('last_seq').where('channel', '=', channel).executeTakeFirst()
  return r?.last_seq
}

export async function saveCursor (db: Db, channel: string, lastSeq: number, now: Date): Promise<void> {
  await db.insertInto('delivery_cursors')
    .values({ channel, last_seq: lastSeq, updated_at: now.toISOString() })
    .onConflict((oc) => oc.column('channel').doUpdateSet({ last_seq: lastSeq, updated_at: now.toISOString() }))
    .execute()
}

export async function deleteCursor (db: Db, channel: string): Promise<void> {
  await db.deleteFrom('delivery_cursors').where('channel', '=', channel).execute()
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
export async function insertDelivery (db: Db, d: NewDelivery): Promise<boolean> {
  const nowIso = d.now.toISOString()
  const r = await db.insertInto('deliveries').values({
    channel: d.channel, event_seq: d.eventSeq, booking_id: d.bookingId, kind: d.kind, payload: JSON.stringify(d.payload),
    next_attempt_at: nowIso, sent_at: null, failed_at: d.refused === undefined ? null : nowIso, last_error: d.refused ?? null, created_at: nowIso
  }).onConflict((oc) => oc.columns(['channel', 'event_seq']).doNothing()).executeTakeFirst()
  return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0
}

/**
 * Deliveries of the channel due now, in event order. One waits while an earlier delivery of the
 * same slot is still pending on the channel — of its own booking (the SAS must have the
 * appointment before its update) or of an earlier booking of that slot (book, cancel, rebook:
 * the last mail must say the slot is booked, not free).
 */
export async function dueDeliveries (db: Db, channel: string, now: Date, limit: number): Promise<DeliveryRow[]> {
  return await db.selectFrom('deliveries as d').selectAll('d')
    .where('d.channel', '=', channel)
    .where('d.sent_at', 'is', null).where('d.failed_at', 'is', null)
    .where('d.next_attempt_at', '<=', now.toISOString())
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
    .orderBy('d.event_seq').limit(limit).execute()
}

export async function markSent (db: Db, id: number, attempts: number, now: Date): Promise<void> {
  await db.updateTable('deliveries').set({ sent_at: now.toISOString(), attempts, last_error: null }).where('id', '=', id).execute()
}

export async function markRetry (db: Db, id: number, attempts: number, nextAt: Date, error: string): Promise<void> {
  await db.updateTable('deliveries').set({ attempts, next_attempt_at: nextAt.toISOString(), last_error: error }).where('id', '=', id).execute()
}

export async function markFailed (db: Db, id: number, attempts: number, now: Date, error: string): Promise<void> {
  await db.updateTable('deliveries').set({ attempts, failed_at: now.toISOString(), last_error: error }).where('id', '=', id).execute()
}
