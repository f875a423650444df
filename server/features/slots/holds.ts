import type { Kysely } from 'kysely'
import type { Database } from '../../../db/types.js'
import type { Slot } from '../../../shared/schemas/slots.js'
import type { Clock } from '../../clock.js'
import { forbidden, notFound } from '../../errors.js'
import type { Actor } from '../session/actor.js'
import { holdIsLive } from './hold-rule.js'
import { claim, freeHeld, neutralSlot, refusal, releaseOthers, startClaim } from './slot-claims.js'
import { anyLapsedHold, findSlotState, forViewer, lockLapsedHolds, lockSlots, toNeutralSlot } from './slot-repository.js'
import type { UnitOfWork } from './unit-of-work.js'

export interface HoldsDeps {
  db: Kysely<Database>
  clock: Clock
  unitOfWork: UnitOfWork
  holdSeconds: number
}

/**
 * Holds: a regulator keeps a free slot for a few minutes while on the phone (free → held →
 * free, or booked by bookings.ts). A regulator holds one slot at a time; a hold past its
 * expiry is free for every purpose, and the sweeper writes it so.
 */
export class Holds {
  readonly #d: HoldsDeps
  constructor (deps: HoldsDeps) { this.#d = deps }

  /** A regulator holds one slot at a time: holding another releases the previous hold. */
  async hold (actor: Actor, slotId: string): Promise<{ slot: Slot, expiresAt: string }> {
    if (actor.role !== 'regulator') throw forbidden('only regulators hold slots')
    const view = await this.#d.unitOfWork.run(async (w) => {
      const scope = await startClaim(w, actor.id, [slotId])
      const expires = new Date(w.now.getTime() + this.#d.holdSeconds * 1000).toISOString()
      const held = await claim(w, scope, slotId, actor.id, { status: 'held', hold_by: actor.id, hold_expires_at: expires })
      await releaseOthers(w, scope, actor.id)
      const v = toNeutralSlot(held, w.now)
      w.emit('slot.held', v, { actorId: actor.id })
      return v
    })
    const slot = forViewer(view, actor.id)
    return { slot, expiresAt: slot.hold?.expiresAt ?? '' }
  }

  async release (actor: Actor, slotId: string): Promise<Slot> {
    const view = await this.#d.unitOfWork.run(async (w) => {
      // The slot locked before the instant is read (see Work.now).
      const before = (await lockSlots(w.trx, [slotId])).get(slotId)
      const { trx, now } = w
      const freed = await freeHeld(w, slotId, actor.id, before)
      if (freed !== undefined) return freed
      const s = await findSlotState(trx, slotId)
      if (s === undefined) throw notFound('Slot')
      if (holdIsLive(s, now.toISOString())) throw forbidden('this slot is held by another regulator')
      if (s.status === 'booked' || s.status === 'withdrawn') throw await refusal(trx, slotId, actor.id, now)
      return await neutralSlot(trx, slotId, now) // already free: releasing twice is harmless
    })
    return forViewer(view, actor.id)
  }

  /**
   * Releases every hold past its expiry; run by the server's sweeper, no request needed. Each
   * slot is released once with one `slot.released`, whichever instance's sweeper gets it: the
   * slots are locked (skipping those another transaction holds) and freed by a conditional
   * update that finds nothing to do on a slot already released.
   */
  async expireHolds (): Promise<number> {
    // A read first: most sweeps find nothing, and open no writing transaction.
    if (!await anyLapsedHold(this.#d.db, this.#d.clock.now().toISOString())) return 0
    return await this.#d.unitOfWork.run(async (w) => {
      let n = 0
      for (const id of await lockLapsedHolds(w.trx, w.nowIso)) if (await freeHeld(w, id, null) !== undefined) n++
      return n
    })
  }
}
