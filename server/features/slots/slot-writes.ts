import { sql, type Transaction, type Updateable } from 'kysely'
import type { Database, SlotsTable } from '../../../db/types.js'
import type { Slot } from '../../../shared/schemas/slots.js'
import { lapsedHold } from './hold-rule.js'
import { slotLocalColumns } from './local-columns.js'
import { SLOT_CHANGE_COLUMNS, type SlotChange } from './slot-repository.js'

/**
 * The slot state machine's writes, inside a unit of work (unit-of-work.ts). Each change is one
 * conditional UPDATE that returns the columns it wrote (`RETURNING`), or undefined when it
 * changed nothing: of simultaneous changes the database lets one through (the caller then says
 * why the others were refused). Every change bumps `version`.
 */

type Db = Transaction<Database>

const changed = (nowIso: string) => ({ updated_at: nowIso, version: sql<number>`version + 1` })


export interface NewSlot {
  id: string
  practitionerId: string
  cptsId: string
  /** The CPTS's zone: the local columns of the season report are read in it. */
  zone: string
  start: Date
  end: Date
  kind: Slot['kind']
  mode: Slot['mode']
  /** The series it is published in, if any. */
  seriesId?: string | null
  /** Its place (practitioner_places); the practitioner's home place when left out. */
  placeId?: string
  /** The CPTS it is offered to besides its own (slot_offers; never `cptsId`). */
  extraCptsIds?: readonly string[]
}

/** The practitioner's home place, as a subquery of the INSERT. */
const homePlaceOf = (db: Db, practitionerId: string) => db.selectFrom('practitioner_places').select('id')
  .where('practitioner_id', '=', practitionerId).where('is_home', '=', 1)

/** A free slot, then its offers to other CPTS (an offer names an existing slot). */
export async function insertSlot (db: Db, s: NewSlot, now: Date): Promise<void> {
  await db.insertInto('slots').values({
    id: s.id, practitioner_id: s.practitionerId, cpts_id: s.cptsId, place_id: s.placeId ?? homePlaceOf(db, s.practitionerId), start_at: s.start.toISOString(), end_at: s.end.toISOString(),
    kind: s.kind, mode: s.mode, status: 'free', hold_by: null, hold_expires_at: null, booking_id: null,
    created_at: now.toISOString(), updated_at: now.toISOString(), withdrawn_at: null, series_id: s.seriesId ?? null,
    // Local date, hour and ISO week in the CPTS's zone, for the season report.
    ...slotLocalColumns(s.start, s.zone)
  }).execute()
  const extras = [...new Set(s.extraCptsIds ?? [])].filter((c) => c !== s.cptsId)
  if (extras.length > 0) await db.insertInto('slot_offers').values(extras.map((cptsId) => ({ slot_id: s.id, cpts_id: cptsId }))).execute()
}

/** Withdraws a slot that is free or held; undefined when it is not. */
export async function withdrawSlot (db: Db, slotId: string, nowIso: string): Promise<SlotChange | undefined> {
  return await db.updateTable('slots')
    .set({ status: 'withdrawn', hold_by: null, hold_expires_at: null, withdrawn_at: nowIso, ...changed(nowIso) })
    .where('id', '=', slotId).where('status', 'in', ['free', 'held'])
    .returning(SLOT_CHANGE_COLUMNS).executeTakeFirst()
}

/**
 * Applies `change` (a hold or a booking) to a slot that has not started and is free, held by
 * `actorId`, or held past its expiry; undefined when it is none of these.
 */
export async function claimSlot (db: Db, slotId: string, actorId: string, nowIso: string, change: Updateable<SlotsTable>): Promise<SlotChange | undefined> {
  return await db.updateTable('slots')
    .set({ ...change, ...changed(nowIso) })
    .where('id', '=', slotId).where('start_at', '>', nowIso)
    .where((eb) => eb.or([
      eb('status', '=', 'free'),
      eb.and([eb('status', '=', 'held'), eb('hold_by', '=', actorId)]),
      lapsedHold(nowIso)
    ]))
    .returning(SLOT_CHANGE_COLUMNS).executeTakeFirst()
}

/** Frees a held slot: by its holder, or (`holderId` null) anyone's once its hold has run out. */
export async function freeHold (db: Db, slotId: string, nowIso: string, holderId: string | null): Promise<SlotChange | undefined> {
  let q = db.updateTable('slots')
    .set({ status: 'free', hold_by: null, hold_expires_at: null, ...changed(nowIso) })
    .where('id', '=', slotId)
  q = holderId === null ? q.where(lapsedHold(nowIso)) : q.where('status', '=', 'held').where('hold_by', '=', holderId)
  return await q.returning(SLOT_CHANGE_COLUMNS).executeTakeFirst()
}

/**
 * The slot of a cancelled booking goes back to the pool (if that booking is still its own);
 * undefined when it is not.
 */
export async function freeSlotOfBooking (db: Db, slotId: string, bookingId: string, nowIso: string): Promise<SlotChange | undefined> {
  return await db.updateTable('slots')
    .set({ status: 'free', booking_id: null, ...changed(nowIso) })
    .where('id', '=', slotId).where('booking_id', '=', bookingId)
    .returning(SLOT_CHANGE_COLUMNS).executeTakeFirst()
}

/** Marks a slot changed (its booking's outcome was recorded). */
export async function touchSlot (db: Db, slotId: string, nowIso: string): Promise<SlotChange | undefined> {
  return await db.updateTable('slots').set(changed(nowIso)).where('id', '=', slotId)
    .returning(SLOT_CHANGE_COLUMNS).executeTakeFirst()
}
