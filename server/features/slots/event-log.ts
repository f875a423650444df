import type { Kysely } from 'kysely'
import { isPostgres } from '../../../db/dialect.js'
import type { Database } from '../../../db/types.js'
import type { EventType } from '../../../shared/schemas/slots.js'
import type { NeutralSlot } from './slot-repository.js'

/**
 * One change of a slot, as the log keeps it: the slot as everyone may see it after the change
 * (no patient data), and the instant of the change. The live hub broadcasts these; the delivery
 * worker reads them after its cursor (the log is its outbox).
 */
export interface LoggedEvent { seq: number, type: EventType, at: string, slot: NeutralSlot }

/**
 * Appends a change to the event log. Call it inside the transaction that makes the change.
 * On PostgreSQL the seq comes from the one-row `events_counter`, whose row lock holds every
 * other writer until this transaction ends: seqs follow commit order and a rollback leaves no
 * hole (a sequence would do neither, and the live hub waits for the next seq). SQLite has one
 * writer at a time: its autoincrement is already both.
 */
export async function appendEvent (trx: Kysely<Database>, type: EventType, slot: NeutralSlot, now: Date): Promise<number> {
  if (isPostgres(trx)) {
    const { last } = await trx.updateTable('events_counter').set((eb) => ({ last: eb('last', '+', 1) }))
      .returning('last').executeTakeFirstOrThrow()
    await trx.insertInto('events').values({ seq: last, at: now.toISOString(), type, slot_id: slot.id, payload: JSON.stringify(slot) }).execute()
    return last
  }
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
