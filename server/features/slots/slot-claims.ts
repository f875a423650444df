import type { Transaction, Updateable } from 'kysely'
import type { Database, SlotsTable } from '../../../db/types.js'
import { AppError, notFound } from '../../errors.js'
import { holdIsLive } from './hold-rule.js'
import { findSlotRecord, findSlotState, lockAccounts, lockClaim, toNeutralSlot, type NeutralSlot, type SlotChange, type SlotRecord } from './slot-repository.js'
import { claimSlot, freeHold } from './slot-writes.js'
import type { Work } from './unit-of-work.js'

/**
 * What holds, bookings and moves share: a regulator's claim on a slot, the release of the other
 * holds it ends, and why a change was refused. All run inside a unit of work.
 */

/** The slot as it is now, read again (when no record of it was read before the change). */
export async function neutralSlot (trx: Transaction<Database>, slotId: string, now: Date): Promise<NeutralSlot> {
  const r = await findSlotRecord(trx, slotId)
  /* c8 ignore next */
  if (r === undefined) throw notFound('Slot')
  return toNeutralSlot(r, now)
}

/**
 * The slot after a change: the record read (and locked) before it, with the columns the change
 * returned; the record alone when the change found nothing to do. Read again only when no record was read.
 */
export async function viewAfter (w: Work, slotId: string, before: SlotRecord | undefined, change: SlotChange | undefined): Promise<NeutralSlot> {
  if (before === undefined) return await neutralSlot(w.trx, slotId, w.now)
  return toNeutralSlot(change === undefined ? before : { ...before, ...change }, w.now)
}

/** Why a conditional update on a slot found nothing to change. */
export async function refusal (trx: Transaction<Database>, slotId: string, actorId: string, now: Date): Promise<AppError> {
  const s = await findSlotState(trx, slotId)
  if (s === undefined) return notFound('Slot')
  if (holdIsLive(s, now.toISOString()) && s.hold_by !== actorId) {
    return new AppError('SLOT_HELD', 'This slot is being booked by another regulator')
  }
  if (s.status === 'booked') return new AppError('SLOT_TAKEN', 'This slot has just been booked')
  if (s.status === 'withdrawn') return new AppError('SLOT_TAKEN', 'This slot was withdrawn by its practitioner')
  return new AppError('SLOT_TAKEN', 'This slot has already started')
}

/** The slots a claim read (and locked), the regulator's other holds, and the regulator's name. */
export type ClaimScope = Awaited<ReturnType<typeof lockClaim>>

/**
 * Before a regulator's claim (hold, book, move): locks their account, then reads and locks the
 * slots the transaction may change — `slotIds` and those they hold — in id order (the lock
 * order, CONTRIBUTING). Two claims of one regulator on two instances then run one after the
 * other: the second sees the first one's hold, and releases it.
 */
export async function startClaim (w: Work, regulatorId: string, slotIds: string[]): Promise<ClaimScope> {
  await lockAccounts(w.trx, [regulatorId])
  return await lockClaim(w.trx, regulatorId, slotIds)
}

/**
 * The one conditional UPDATE behind hold and book: it changes the slot only if it has not
 * started and is free, held by this regulator, or held past its expiry. Of simultaneous
 * claims the database lets exactly one through; the others learn why from `refusal`.
 * Returns the slot's record after the change.
 */
export async function claim (w: Work, scope: ClaimScope, slotId: string, actorId: string, change: Updateable<SlotsTable>): Promise<SlotRecord> {
  const done = await claimSlot(w.trx, slotId, actorId, w.nowIso, change)
  if (done === undefined) throw await refusal(w.trx, slotId, actorId, w.now)
  const before = scope.slots.get(slotId) ?? await findSlotRecord(w.trx, slotId)
  /* c8 ignore next */
  if (before === undefined) throw notFound('Slot')
  return { ...before, ...done }
}

/** Frees a held slot (by its holder, or anyone's once expired) and logs slot.released; undefined when it was not so held. */
export async function freeHeld (w: Work, slotId: string, holderId: string | null, before?: SlotRecord): Promise<NeutralSlot | undefined> {
  const change = await freeHold(w.trx, slotId, w.nowIso, holderId)
  if (change === undefined) return undefined
  const view = await viewAfter(w, slotId, before, change)
  w.emit('slot.released', view, { actorId: holderId })
  return view
}

/** A claim ends the regulator's other holds (one at a time; booking ends the call). */
export async function releaseOthers (w: Work, scope: ClaimScope, holderId: string): Promise<void> {
  for (const id of scope.held) await freeHeld(w, id, holderId, scope.slots.get(id))
}
