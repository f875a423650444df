import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely'
import { isPostgres } from '../../../db/dialect.js'
import type { Database } from '../../../db/types.js'
import type { EventType } from '../../../shared/schemas/slots.js'
import type { RequestEventType } from '../../../shared/schemas/waiting-list.js'
import type { NeutralRequest } from '../waiting-list/request-view.js'
import type { NeutralSlot } from './slot-repository.js'

/**
 * Who made a change (null: the server itself, the hold sweeper) and the booking it is about
 * (booked, cancelled, outcome; migration 0015), as the event row stores them.
 */
export interface EventRefs { actorId: string | null, bookingId?: string | null }

/**
 * One change of a slot, as the log keeps it: the slot as everyone may see it after the change
 * (no patient data), the instant of the change, who made it and the booking it is about (a
 * cancellation's slot no longer names it). The live hub broadcasts these; the delivery worker
 * reads them after its cursor (the log is its outbox).
 */
export interface SlotLoggedEvent { seq: number, type: EventType, at: string, slot: NeutralSlot, bookingId: string | null, actorId: string | null, request?: undefined }

/**
 * One change of a waiting-list request (issue 25), in the same log and seq as the slots': the
 * request without patient data, the slot it names (matched, claimed with, booked on) or null.
 * The live hub sends it to regulators only; the delivery worker passes over it.
 */
export interface RequestLoggedEvent { seq: number, type: RequestEventType, at: string, request: NeutralRequest, slotId: string | null, bookingId: string | null, actorId: string | null, slot?: undefined }

/** An entry of the log: a slot's change or a request's. */
export type LoggedEvent = SlotLoggedEvent | RequestLoggedEvent

/**
 * The PostgreSQL NOTIFY channel of this schema's event log: one per schema (NOTIFY is already
 * per database), so that instances on another schema of the same database (a test each) never
 * hear each other. Computed by the server on both ends (the writer's transaction, the listening
 * connection), from the same `search_path`; md5 keeps it under PostgreSQL's 63-byte limit.
 */
export const EVENT_CHANNEL: RawBuilder<string> = sql<string>`'creneaux_events_' || md5(current_schema())`

/**
 * Appends a change to the event log. Call it inside the transaction that makes the change.
 * On PostgreSQL the seq comes from the one-row `events_counter`, whose row lock holds every
 * other writer until this transaction ends: seqs follow commit order and a rollback leaves no
 * hole (a sequence would do neither, and the live hub waits for the next seq). The same
 * statement sends `pg_notify(EVENT_CHANNEL, seq)`, which PostgreSQL delivers on commit only, to
 * the other instances' hubs (pg-fanout.ts); one statement, because the counter's lock is held
 * from here to the commit. SQLite has one writer at a time: its autoincrement is already both.
 */
export async function appendEvent (trx: Transaction<Database>, type: EventType, slot: NeutralSlot, now: Date, refs: EventRefs): Promise<number> {
  return await appendRow(trx, { type, slotId: slot.id, payload: JSON.stringify(slot), requestId: null }, now, refs)
}

/** Appends a request's change to the event log (see appendEvent): its payload is the request without patient data. */
export async function appendRequestEvent (trx: Transaction<Database>, type: RequestEventType, request: NeutralRequest, slotId: string | null, now: Date, refs: EventRefs): Promise<number> {
  return await appendRow(trx, { type, slotId: slotId ?? '', payload: JSON.stringify(request), requestId: request.id }, now, refs)
}

interface EventRow { type: string, slotId: string, payload: string, requestId: string | null }

async function appendRow (trx: Transaction<Database>, row: EventRow, now: Date, refs: EventRefs): Promise<number> {
  const bookingId = refs.bookingId ?? null
  const { type } = row
  if (isPostgres(trx)) {
    const r = await trx
      .with('next', (db) => db.updateTable('events_counter').set((eb) => ({ last: eb('last', '+', 1) })).returning('last'))
      .insertInto('events')
      .columns(['seq', 'at', 'type', 'slot_id', 'payload', 'booking_id', 'actor_id', 'request_id'])
      .expression((eb) => eb.selectFrom('next').select((eb) => [
        'next.last',
        eb.val(now.toISOString()).as('at'),
        eb.val(type).as('type'),
        eb.val(row.slotId).as('slot_id'),
        eb.val(row.payload).as('payload'),
        eb.val(bookingId).as('booking_id'),
        eb.val(refs.actorId).as('actor_id'),
        eb.val(row.requestId).as('request_id')
      ]))
      .returning((eb) => ['seq', eb.fn('pg_notify', [EVENT_CHANNEL, sql`seq::text`]).as('notified')])
      .executeTakeFirstOrThrow()
    return r.seq
  }
  const r = await trx.insertInto('events')
    .values({ at: now.toISOString(), type, slot_id: row.slotId, payload: row.payload, booking_id: bookingId, actor_id: refs.actorId, request_id: row.requestId })
    .returning('seq').executeTakeFirstOrThrow()
  return r.seq
}

/** The events after `seq`, oldest first, at most `limit`. */
export async function eventsAfter (db: Kysely<Database>, seq: number, limit: number): Promise<LoggedEvent[]> {
  const rows = await db.selectFrom('events').select(['seq', 'type', 'at', 'payload', 'booking_id', 'actor_id', 'slot_id', 'request_id'])
    .where('seq', '>', seq).orderBy('seq').limit(limit).execute()
  return rows.map((r): LoggedEvent => {
    const common = { seq: Number(r.seq), at: r.at, bookingId: r.booking_id, actorId: r.actor_id }
    if (r.request_id !== null) {
      return { ...common, type: r.type as RequestEventType, request: JSON.parse(r.payload) as NeutralRequest, slotId: r.slot_id === '' ? null : r.slot_id }
    }
    return { ...common, type: r.type as EventType, slot: upgradeSlotPayload(JSON.parse(r.payload)) }
  })
}

/** A slot as events logged before places and offers (migration 0019) kept it. */
type OldSlotPayload = Omit<NeutralSlot, 'place' | 'cptsIds'> & Partial<Pick<NeutralSlot, 'place' | 'cptsIds'>>

/**
 * A logged slot in today's shape. Events logged before places (0019) have no `place` nor
 * `cptsIds`: the slot was at its practitioner's one place, whose id is the practitioner's (the
 * place the migration made of it), and offered to its own CPTS only. Pages replaying the log
 * and the other instances' hubs then read one shape.
 */
export function upgradeSlotPayload (slot: OldSlotPayload): NeutralSlot {
  const p = slot.practitioner
  return {
    ...slot,
    cptsIds: slot.cptsIds ?? [slot.cptsId],
    place: slot.place ?? {
      id: p.id, label: p.commune, address: p.address, postalCode: p.postalCode, commune: p.commune,
      communeCode: p.communeCode, epci: p.epci, departement: p.departement
    }
  }
}

/** The first and last sequence numbers still in the log (0, 0 when empty). */
export async function seqBounds (db: Kysely<Database>): Promise<{ min: number, max: number }> {
  const r = await db.selectFrom('events')
    .select((eb) => [eb.fn.min<number | null>('seq').as('min'), eb.fn.max<number | null>('seq').as('max')])
    .executeTakeFirstOrThrow()
  return { min: Number(r.min ?? 0), max: Number(r.max ?? 0) }
}
