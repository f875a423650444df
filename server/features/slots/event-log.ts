import type { Kysely } from 'kysely'
import type { Database } from '../../../db/types.js'
import type { EventType } from '../../../shared/schemas/slots.js'
import type { NeutralSlot } from './slot-repository.js'

/**
 * One change of a slot, as the log keeps it: the slot as everyone may see it after the change
 * (no patient data), and the instant of the change. The live hub broadcasts these; the delivery
 * worker reads them after its cursor (the log is its outbox).
 */
export interface LoggedEvent { seq: number, type: EventType, at: string, slot: NeutralSlot }

/** Appends a change to the event log and returns its seq. Call it inside the transaction that makes the change. */
export async function appendEvent (trx: Kysely<Database>, type: EventType, slot: NeutralSlot, now: Date): Promise<number> {
  const r = await trx.insertInto('events')
    .values({ at: now.toISOString(), type, slot_id: slot.id, payload: JSON.stringify(slot) })
    .returning('seq').executeTakeFirstOrThrow()
  return r.seq
}

/** The events after `seq`, oldest first, at most `limit`. */
export async function eventsAfter (db: Kysely<Database>, seq: number, limit: number): Promise<LoggedEvent[]> {
  const rows = await db.selectFrom('events').select(['seq', 'type', 'at', 'payload'])
    .where('seq', '>', seq).orderBy('seq').limit(limit).execute()
  return rows.map((r) => ({ seq: r.seq, type: r.type as EventType, at: r.at, slot: JSON.parse(r.payload) as NeutralSlot }))
}

/** The first and last sequence numbers still in the log (0, 0 when empty). */
export async function seqBounds (db: Kysely<Database>): Promise<{ min: number, max: number }> {
  const r = await db.selectFrom('events')
    .select((eb) => [eb.fn.min<number | null>('seq').as('min'), eb.fn.max<number | null>('seq').as('max')])
    .executeTakeFirstOrThrow()
  return { min: Number(r.min ?? 0), max: Number(r.max ?? 0) }
}
