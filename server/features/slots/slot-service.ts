import type { Kysely, Updateable } from 'kysely'
import { DateTime } from 'luxon'
import type { Database, SlotsTable } from '../../../db/types.js'
import { bookingReference } from '../../../shared/booking-reference.js'
import type { Booking, BookingBody, CreateSeriesBody, CreateSlotBody, EventType, MoveBody, Slot, SlotQuery, WithdrawManyBody } from '../../../shared/schemas/slots.js'
import type { Clock } from '../../clock.js'
import { AppError, forbidden, invalid, notFound } from '../../errors.js'
import { communeByCode } from '../../lib/communes.js'
import { departementOfCommune, publicHolidaysBetween, type PublicHoliday } from '../../lib/public-holidays.js'
import { newId } from '../../lib/secrets.js'
import { isDeadlock } from '../../../db/errors.js'
import { appendAudit } from '../audit/audit-repository.js'
import type { Actor } from '../session/actor.js'
import { appendEvent, type LoggedEvent } from './event-log.js'
import { holdIsLive } from './hold-rule.js'
import { notLiveRefusal } from './booking-refusals.js'
import { cancelBooking, findBookingByKey, findBookingRecord, insertBooking, listBookingRecords, recordBookingOutcome, toBookingView, type BookingRecord } from './booking-repository.js'
import { findPublisher, findSlotRecord, findSlotState, forViewer, hasOverlap, heldSlotIdsOf, anyLapsedHold, listSlotRecords, lockAccounts, lockLapsedHolds, lockSlots, toNeutralSlot, withdrawableSlotIds, type NeutralSlot } from './slot-repository.js'
import { claimSlot, freeHold, freeSlotOfBooking, insertSlot, touchSlot, withdrawSlot } from './slot-writes.js'
import { toZonedIso } from '../../lib/zoned-time.js'
import { checkSlotTimes, expandSeries, type SkipReason, type SlotLimits } from './slot-times.js'
import { resolveRange } from './time-range.js'
import { bookingMatches, hasCriteria, parseBookingQuery } from './booking-search.js'

export interface SeriesResult {
  created: Slot[]
  /** With dryRun: the slots that would be created. */
  preview?: Array<{ start: string, end: string }>
  skipped: Array<{ start: string, reason: SkipReason | 'overlap' | 'public_holiday' }>
  /** The public holidays of the practitioner's département from `from` to `to`. */
  holidays: PublicHoliday[]
  /** The id the created slots carry as `seriesId` (absent with dryRun). */
  seriesId?: string
}

export interface WithdrawManyResult {
  /** The slots withdrawn by this action, in start order. */
  withdrawn: Slot[]
  /** The slots of the selection that are booked, so kept: their patients are expected. */
  kept: Slot[]
}

/** How many times a slot change is run when PostgreSQL picks it as a deadlock's victim (see #write). */
const DEADLOCK_TRIES = 3

export interface SlotServiceDeps {
  db: Kysely<Database>
  clock: Clock
  holdSeconds: number
  limits: SlotLimits
}

/** Told the events of a commit, in seq order. */
export type CommitListener = (events: LoggedEvent[]) => void

type Trx = Kysely<Database>

const PATIENT_FIELDS = ['lastName', 'firstName', 'birthDate', 'phone', 'reason']

/**
 * The slot state machine: free → held → booked → (cancelled →) free, and withdrawn.
 * Every change is one conditional UPDATE (the database decides who wins a race), written with
 * its event (and audit entry) in one transaction; sockets are told after the commit.
 * HTTP routes and websocket commands both call these functions.
 */
export class SlotService {
  readonly #d: SlotServiceDeps
  constructor (deps: SlotServiceDeps) { this.#d = deps }

  get #db (): Kysely<Database> { return this.#d.db }

  /** The events each open transaction will write, logged at its end and handed to the listeners once it commits. */
  readonly #queued = new WeakMap<Trx, Array<Omit<LoggedEvent, 'seq'>>>()
  readonly #listeners = new Set<CommitListener>()

  /**
   * Be told the events of every commit that wrote some (the live hub sends them to the
   * sockets). Returns what stops it.
   */
  onCommit (listener: CommitListener): () => void {
    this.#listeners.add(listener)
    return () => { this.#listeners.delete(listener) }
  }

  /**
   * Runs `fn` in a transaction, logs its events at the end, and broadcasts them after the commit.
   * On PostgreSQL a transaction chosen as a deadlock's victim (40P01) is run again, whole, up to
   * DEADLOCK_TRIES times: the season rollups' counter rows (migration 0012) are shared by every
   * slot of a local hour, so two changes of slots in the same hours can lock them in opposite
   * orders (a move against a booking, say). Nothing of a victim was committed, so running `fn`
   * again is safe; `fn` must keep its side effects inside the transaction (it does: events are
   * queued per attempt, the rest is SQL).
   */
  async #write<T> (fn: (trx: Trx, now: Date) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#writeOnce(fn)
      } catch (err) {
        if (attempt >= DEADLOCK_TRIES || !isDeadlock(err)) throw err
      }
    }
  }

  async #writeOnce<T> (fn: (trx: Trx, now: Date) => Promise<T>): Promise<T> {
    const now = this.#d.clock.now()
    const events: LoggedEvent[] = []
    const result = await this.#db.transaction().execute(async (trx) => {
      const queued: Array<Omit<LoggedEvent, 'seq'>> = []
      this.#queued.set(trx, queued)
      const r = await fn(trx, now)
      // The events go last: on PostgreSQL their seq locks the one counter row until the commit,
      // holding every other writer, so nothing else runs under that lock but the commit itself.
      for (const ev of queued) events.push({ seq: await appendEvent(trx, ev.type, ev.slot, now), ...ev })
      return r
    })
    // On the next turn of the event loop: the reply to whoever made the change goes out first,
    // then the 500-odd sends of its event (setImmediate is FIFO, so seq order is kept).
    if (events.length > 0) setImmediate(() => { for (const l of this.#listeners) l(events) })
    return result
  }

  /** Logs an event in the transaction of its change (at its end); it is broadcast after the commit. */
  async #emit (trx: Trx, type: EventType, slot: NeutralSlot, now: Date): Promise<void> {
    const queued = this.#queued.get(trx)
    /* c8 ignore next */
    if (queued === undefined) throw new Error('events are written in a transaction of #write')
    queued.push({ type, at: now.toISOString(), slot })
  }

  async #neutral (trx: Trx, slotId: string, now: Date): Promise<NeutralSlot> {
    const r = await findSlotRecord(trx, slotId)
    /* c8 ignore next */
    if (r === undefined) throw notFound('Slot')
    return toNeutralSlot(r, now)
  }

  /** Why a conditional update on a slot found nothing to change. */
  async #refusal (trx: Trx, slotId: string, actorId: string, now: Date): Promise<AppError> {
    const s = await findSlotState(trx, slotId)
    if (s === undefined) return notFound('Slot')
    if (holdIsLive(s, now.toISOString()) && s.hold_by !== actorId) {
      return new AppError('SLOT_HELD', 'This slot is being booked by another regulator')
    }
    if (s.status === 'booked') return new AppError('SLOT_TAKEN', 'This slot has just been booked')
    if (s.status === 'withdrawn') return new AppError('SLOT_TAKEN', 'This slot was withdrawn by its practitioner')
    return new AppError('SLOT_TAKEN', 'This slot has already started')
  }

  // ---------------------------------------------------------------- publishing

  async #practitioner (actor: Actor, practitionerId: string | undefined) {
    let id = actor.id
    if (actor.role === 'admin') {
      if (practitionerId === undefined) throw invalid([{ code: 'custom', path: ['practitionerId'], message: 'an admin names the practitioner' }])
      id = practitionerId
    } else if (actor.role !== 'practitioner') {
      throw forbidden()
    } else if (practitionerId !== undefined && practitionerId !== actor.id) {
      throw forbidden('a practitioner publishes only their own slots')
    }
    const p = await findPublisher(this.#db, id)
    if (p === undefined || p.cpts_id === null) {
      throw invalid([{ code: 'custom', path: ['practitionerId'], message: 'unknown practitioner, or not attached to a CPTS' }])
    }
    const departement = communeByCode(p.commune_code)?.departement ?? departementOfCommune(p.commune_code)
    return { id: p.id, cptsId: p.cpts_id, profession: p.profession, zone: p.timezone, departement }
  }

  #checkKind (profession: 'gp' | 'psychiatrist', kind: Slot['kind']): void {
    const allowed = profession === 'gp' ? 'snp' : 'psy'
    if (kind !== allowed) {
      throw invalid([{ code: 'custom', path: ['kind'], message: profession === 'gp' ? 'GPs publish snp slots' : 'psychiatrists publish psy slots' }])
    }
  }

  async #insertSlot (trx: Trx, p: { id: string, cptsId: string, zone: string }, start: Date, end: Date, body: { kind: Slot['kind'], mode: Slot['mode'] }, now: Date, seriesId: string | null = null): Promise<NeutralSlot> {
    const id = newId()
    await insertSlot(trx, { id, practitionerId: p.id, cptsId: p.cptsId, zone: p.zone, start, end, kind: body.kind, mode: body.mode, seriesId }, now)
    const view = await this.#neutral(trx, id, now)
    await this.#emit(trx, 'slot.published', view, now)
    return view
  }

  async publish (actor: Actor, body: CreateSlotBody): Promise<Slot> {
    const p = await this.#practitioner(actor, body.practitionerId)
    this.#checkKind(p.profession, body.kind)
    const start = new Date(body.start)
    const end = new Date(body.end)
    const issues = checkSlotTimes(start, end, this.#d.clock.now(), this.#d.limits)
    if (issues.length > 0) throw invalid(issues)
    const view = await this.#write(async (trx, now) => {
      // Check and insert in one transaction: SQLite runs one writer at a time, so no other
      // slot of this practitioner can slip in between.
      if (await hasOverlap(trx, p.id, start.toISOString(), end.toISOString())) {
        throw new AppError('SLOT_OVERLAP', 'This slot overlaps another of your slots')
      }
      return await this.#insertSlot(trx, p, start, end, body, now)
    })
    return forViewer(view, actor.id)
  }

  /**
   * Publishes a series: slots that are in the past, too far ahead, at a local time that does
   * not exist or overlapping the practitioner's slots are reported as skipped, the rest created
   * in one transaction. With `dryRun` nothing is written: the answer is the form's preview.
   */
  async publishSeries (actor: Actor, body: CreateSeriesBody): Promise<SeriesResult> {
    const p = await this.#practitioner(actor, body.practitionerId)
    this.#checkKind(p.profession, body.kind)
    const plan = expandSeries(body, p.zone, this.#d.clock.now(), this.#d.limits)
    if (plan.issues.length > 0) throw invalid(plan.issues)
    const skipped: SeriesResult['skipped'] = plan.skipped.map((s) => ({ ...s }))
    const dryRun = body.dryRun === true
    const holidays = publicHolidaysBetween(body.from, body.to, p.departement)
    const holidayDates = new Set(holidays.map((h) => h.date))
    const seriesId = newId()
    const run = async (trx: Trx, now: Date): Promise<{ created: Slot[], preview: Array<{ start: string, end: string }> }> => {
      // A run again after a deadlock (see #write) starts from the plan's own skips.
      skipped.splice(plan.skipped.length)
      const created: Slot[] = []
      const preview: Array<{ start: string, end: string }> = []
      for (const s of plan.slots) {
        const start = toZonedIso(s.start, p.zone)
        if (body.skipHolidays === true && holidayDates.has(start.slice(0, 10))) {
          skipped.push({ start, reason: 'public_holiday' })
        } else if (await hasOverlap(trx, p.id, s.start.toISOString(), s.end.toISOString())) {
          skipped.push({ start: toZonedIso(s.start, p.zone), reason: 'overlap' })
        } else if (dryRun) {
          preview.push({ start: toZonedIso(s.start, p.zone), end: toZonedIso(s.end, p.zone) })
        } else {
          created.push(forViewer(await this.#insertSlot(trx, p, s.start, s.end, body, now, seriesId), actor.id))
        }
      }
      return { created, preview }
    }
    const out = dryRun
      ? await this.#db.transaction().execute((trx) => run(trx, this.#d.clock.now()))
      : await this.#write(run)
    // In time order, whatever the reason: every start begins with its local date and time.
    skipped.sort((a, b) => a.start.slice(0, 16).localeCompare(b.start.slice(0, 16)))
    return {
      created: out.created,
      ...(dryRun ? { preview: out.preview } : {}),
      skipped,
      holidays,
      ...(!dryRun && out.created.length > 0 ? { seriesId } : {})
    }
  }

  async withdraw (actor: Actor, slotId: string): Promise<Slot> {
    const owner = await findSlotState(this.#db, slotId)
    if (owner === undefined) throw notFound('Slot')
    if (actor.role !== 'admin' && owner.practitioner_id !== actor.id) throw forbidden('only its practitioner or an admin withdraws a slot')
    const view = await this.#write(async (trx, now) => {
      if (!await withdrawSlot(trx, slotId, now.toISOString())) {
        const s = await findSlotState(trx, slotId)
        if (s?.status === 'booked') throw new AppError('SLOT_BOOKED', 'This slot is booked: cancel the booking first')
        return await this.#neutral(trx, slotId, now) // already withdrawn: nothing to do
      }
      const v = await this.#neutral(trx, slotId, now)
      await this.#emit(trx, 'slot.withdrawn', v, now)
      return v
    })
    return forViewer(view, actor.id)
  }

  /**
   * Withdraws, in one transaction, a practitioner's slots not yet started of a series and/or
   * a local date: free and held ones are withdrawn (one `slot.withdrawn` event each, as one at
   * a time would), booked ones are kept and listed, already withdrawn ones left alone.
   */
  async withdrawMany (actor: Actor, body: WithdrawManyBody): Promise<WithdrawManyResult> {
    let practitionerId = actor.id
    if (actor.role === 'admin') {
      if (body.practitionerId === undefined) throw invalid([{ code: 'custom', path: ['practitionerId'], message: 'an admin names the practitioner' }])
      practitionerId = body.practitionerId
    } else if (actor.role !== 'practitioner') {
      throw forbidden()
    } else if (body.practitionerId !== undefined && body.practitionerId !== actor.id) {
      throw forbidden('only its practitioner or an admin withdraws a slot')
    }
    return await this.#withdrawWhere(actor, practitionerId, { seriesId: body.seriesId, date: body.date })
  }

  /**
   * Withdraws every slot of a practitioner still to come (an admin deactivated the account): the
   * booked ones are kept, for the admin to see to their patients. One transaction, one
   * `slot.withdrawn` event each, audited like a withdrawal.
   */
  async withdrawFutureOf (actor: Actor, practitionerId: string): Promise<WithdrawManyResult> {
    if (actor.role !== 'admin') throw forbidden()
    return await this.#withdrawWhere(actor, practitionerId, {})
  }

  async #withdrawWhere (actor: Actor, practitionerId: string, only: { seriesId?: string | undefined, date?: string | undefined }): Promise<WithdrawManyResult> {
    const out = await this.#write(async (trx, now) => {
      const withdrawn: NeutralSlot[] = []
      const kept: NeutralSlot[] = []
      const nowIso = now.toISOString()
      const ids = await withdrawableSlotIds(trx, { practitionerId, nowIso, seriesId: only.seriesId, date: only.date })
      await lockSlots(trx, ids)
      for (const id of ids) {
        if (await withdrawSlot(trx, id, nowIso)) {
          const v = await this.#neutral(trx, id, now)
          await this.#emit(trx, 'slot.withdrawn', v, now)
          withdrawn.push(v)
        } else {
          kept.push(await this.#neutral(trx, id, now))
        }
      }
      if (withdrawn.length > 0) {
        await appendAudit(trx, {
          at: now, userId: actor.id, action: 'slots.withdraw', subjectType: 'practitioner', subjectId: practitionerId, ip: actor.ip,
          detail: { seriesId: only.seriesId ?? null, date: only.date ?? null, withdrawn: withdrawn.length, kept: kept.length }
        })
      }
      return { withdrawn, kept }
    })
    return { withdrawn: out.withdrawn.map((v) => forViewer(v, actor.id)), kept: out.kept.map((v) => forViewer(v, actor.id)) }
  }

  // ---------------------------------------------------------------- holds

  /**
   * The one conditional UPDATE behind hold and book: it changes the slot only if it has not
   * started and is free, held by this regulator, or held past its expiry. Of simultaneous
   * claims the database lets exactly one through; the others learn why from #refusal.
   */
  async #claim (trx: Trx, slotId: string, actorId: string, now: Date, change: Updateable<SlotsTable>): Promise<void> {
    if (!await claimSlot(trx, slotId, actorId, now.toISOString(), change)) throw await this.#refusal(trx, slotId, actorId, now)
  }

  /**
   * Before a regulator's claim (hold, book, move): locks their account, then the slots the
   * transaction may change — `slotIds` and those they hold — in id order (the lock order in
   * lockAccounts). Two claims of one regulator on two instances then run one after the other:
   * the second sees the first one's hold, and releases it.
   */
  async #lockClaim (trx: Trx, regulatorId: string, slotIds: string[]): Promise<void> {
    await lockAccounts(trx, [regulatorId])
    await lockSlots(trx, [...slotIds, ...await heldSlotIdsOf(trx, regulatorId, slotIds[0] ?? '')])
  }

  /** A regulator holds one slot at a time: holding another releases the previous hold. */
  async hold (actor: Actor, slotId: string): Promise<{ slot: Slot, expiresAt: string }> {
    if (actor.role !== 'regulator') throw forbidden('only regulators hold slots')
    const view = await this.#write(async (trx, now) => {
      await this.#lockClaim(trx, actor.id, [slotId])
      const expires = new Date(now.getTime() + this.#d.holdSeconds * 1000).toISOString()
      await this.#claim(trx, slotId, actor.id, now, { status: 'held', hold_by: actor.id, hold_expires_at: expires })
      await this.#releaseOthers(trx, actor.id, slotId, now)
      const v = await this.#neutral(trx, slotId, now)
      await this.#emit(trx, 'slot.held', v, now)
      return v
    })
    const slot = forViewer(view, actor.id)
    return { slot, expiresAt: slot.hold?.expiresAt ?? '' }
  }

  async #releaseOthers (trx: Trx, holderId: string, keepSlotId: string, now: Date): Promise<void> {
    for (const id of await heldSlotIdsOf(trx, holderId, keepSlotId)) await this.#freeHold(trx, id, now, holderId)
  }

  /** Frees a held slot (by its holder, or anyone's once expired) and logs slot.released. */
  async #freeHold (trx: Trx, slotId: string, now: Date, holderId: string | null): Promise<boolean> {
    if (!await freeHold(trx, slotId, now.toISOString(), holderId)) return false
    await this.#emit(trx, 'slot.released', await this.#neutral(trx, slotId, now), now)
    return true
  }

  async release (actor: Actor, slotId: string): Promise<Slot> {
    const view = await this.#write(async (trx, now) => {
      if (await this.#freeHold(trx, slotId, now, actor.id)) return await this.#neutral(trx, slotId, now)
      const s = await findSlotState(trx, slotId)
      if (s === undefined) throw notFound('Slot')
      if (holdIsLive(s, now.toISOString())) throw forbidden('this slot is held by another regulator')
      if (s.status === 'booked' || s.status === 'withdrawn') throw await this.#refusal(trx, slotId, actor.id, now)
      return await this.#neutral(trx, slotId, now) // already free: releasing twice is harmless
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
    if (!await anyLapsedHold(this.#db, this.#d.clock.now().toISOString())) return 0
    return await this.#write(async (trx, now) => {
      let n = 0
      for (const id of await lockLapsedHolds(trx, now.toISOString())) if (await this.#freeHold(trx, id, now, null)) n++
      return n
    })
  }

  // ---------------------------------------------------------------- bookings

  async book (actor: Actor, slotId: string, body: BookingBody): Promise<{ booking: Booking, created: boolean }> {
    if (actor.role !== 'regulator') throw forbidden('only regulators book slots')
    // Not after today anywhere on Earth (the date line's last zone): no false refusal in any territory.
    if (body.patient.birthDate > DateTime.fromJSDate(this.#d.clock.now(), { zone: 'Pacific/Kiritimati' }).toISODate()!) {
      throw invalid([{ code: 'custom', path: ['patient', 'birthDate'], message: 'the birth date is after today' }])
    }
    const replay = async (): Promise<{ booking: Booking, created: boolean } | null> => {
      if (body.idempotencyKey === undefined) return null
      const prior = await findBookingByKey(this.#db, actor.id, body.idempotencyKey)
      if (prior === undefined) return null
      if (prior.slot_id !== slotId) {
        throw invalid([{ code: 'custom', path: ['idempotencyKey'], message: 'this key was already used for another slot' }])
      }
      // The answer carries the patient again: a read of identity, audited like any other.
      await this.#auditRead(this.#db, actor, prior.id, this.#d.clock.now())
      return { booking: toBookingView(prior, true), created: false }
    }
    const earlier = await replay()
    if (earlier !== null) return earlier
    try {
      // The answer is read inside the transaction: once it commits the reply is ready, and it
      // does not queue behind the broadcast's read of the event log.
      const r = await this.#write(async (trx, now) => {
        const nowIso = now.toISOString()
        const id = newId()
        await this.#lockClaim(trx, actor.id, [slotId])
        await this.#claim(trx, slotId, actor.id, now, { status: 'booked', booking_id: id, hold_by: null, hold_expires_at: null })
        // Booking ends the call: a hold this regulator kept on another slot goes back to the pool.
        await this.#releaseOthers(trx, actor.id, slotId, now)
        await insertBooking(trx, { id, slotId, body, bookedBy: actor.id, nowIso })
        await this.#emit(trx, 'slot.booked', await this.#neutral(trx, slotId, now), now)
        await appendAudit(trx, { at: now, userId: actor.id, action: 'booking.create', subjectType: 'booking', subjectId: id, ip: actor.ip, detail: { slotId, patientFields: PATIENT_FIELDS } })
        const created = await findBookingRecord(trx, id)
        /* c8 ignore next */
        if (created === undefined) throw notFound('Booking')
        return created
      })
      return { booking: toBookingView(r, true), created: true }
    } catch (err) {
      // Two retries with the same key racing: the loser returns the winner's booking.
      const late = await replay()
      if (late !== null) return late
      throw err
    }
  }

  #canSeePatient (actor: Actor, r: BookingRecord): boolean {
    return actor.role === 'regulator' || (actor.role === 'practitioner' && r.practitioner_id === actor.id)
  }

  async #bookingForChange (actor: Actor, bookingId: string, who: 'cancel' | 'outcome'): Promise<BookingRecord> {
    const r = await findBookingRecord(this.#db, bookingId)
    if (r === undefined) throw notFound('Booking')
    const own = actor.role === 'practitioner' && r.practitioner_id === actor.id
    const allowed = actor.role === 'admin' || own || (who === 'cancel' && actor.role === 'regulator')
    if (!allowed) throw forbidden(who === 'cancel' ? 'only regulators, its practitioner or an admin cancel a booking' : 'only its practitioner or an admin records the outcome')
    return r
  }

  async cancel (actor: Actor, bookingId: string, reason: string): Promise<Booking> {
    const r = await this.#bookingForChange(actor, bookingId, 'cancel')
    await this.#write(async (trx, now) => {
      const nowIso = now.toISOString()
      // The slot before the booking (the lock order): a move of this booking waits here, not in a circle.
      await lockSlots(trx, [r.slot_id])
      if (!await cancelBooking(trx, bookingId, actor.id, reason, nowIso)) throw await notLiveRefusal(trx, bookingId)
      // The slot goes back to the pool; one that has started can no longer be held or booked anyway.
      await freeSlotOfBooking(trx, r.slot_id, bookingId, nowIso)
      await this.#emit(trx, 'booking.cancelled', await this.#neutral(trx, r.slot_id, now), now)
      await appendAudit(trx, { at: now, userId: actor.id, action: 'booking.cancel', subjectType: 'booking', subjectId: bookingId, ip: actor.ip })
      // The reply carries the patient: a read of identity, audited as one.
      if (this.#canSeePatient(actor, r)) await this.#auditRead(trx, actor, bookingId, now)
    })
    const after = await findBookingRecord(this.#db, bookingId)
    return toBookingView(after ?? r, this.#canSeePatient(actor, r))
  }

  /**
   * Moves a live booking to another slot in one transaction (a patient called back): the target
   * is claimed like a booking (free, held by this regulator, or held past its expiry), a new
   * booking of the same patient is written on it, and only then the old one is cancelled and its
   * slot freed. When the target was taken meanwhile nothing changes (SLOT_TAKEN / SLOT_HELD).
   * Both events (`slot.booked`, `booking.cancelled`) go out after the commit.
   */
  async move (actor: Actor, bookingId: string, body: MoveBody): Promise<{ booking: Booking, previous: Booking }> {
    if (actor.role !== 'regulator') throw forbidden('only regulators move bookings')
    const r = await findBookingRecord(this.#db, bookingId)
    if (r === undefined) throw notFound('Booking')
    if (body.slotId === r.slot_id) throw invalid([{ code: 'custom', path: ['slotId'], message: 'the booking is already on this slot' }])
    if (r.patient_last_name === null) throw new AppError('BOOKING_WITHOUT_PATIENT', 'This booking has no patient to move (imported history)')
    const ids = await this.#write(async (trx, now) => {
      const nowIso = now.toISOString()
      if (r.start_at <= nowIso) throw new AppError('BOOKING_STARTED', 'This booking has started: it can no longer be moved')
      const id = newId()
      await this.#lockClaim(trx, actor.id, [body.slotId, r.slot_id])
      // First the target: a refusal here rolls everything back, the old booking untouched.
      await this.#claim(trx, body.slotId, actor.id, now, { status: 'booked', booking_id: id, hold_by: null, hold_expires_at: null })
      await this.#releaseOthers(trx, actor.id, body.slotId, now)
      const reason = body.reason ?? `Rendez-vous déplacé (nouvelle référence ${bookingReference(id)})`
      if (!await cancelBooking(trx, bookingId, actor.id, reason, nowIso)) throw await notLiveRefusal(trx, bookingId)
      await insertBooking(trx, {
        id, slotId: body.slotId, bookedBy: actor.id, nowIso,
        body: {
          patient: { lastName: r.patient_last_name ?? '', firstName: r.patient_first_name ?? '', birthDate: r.patient_birth_date ?? '', phone: r.patient_phone ?? '' },
          ...(r.reason !== null ? { reason: r.reason } : {}),
          hasTreatingGp: r.has_treating_gp
        }
      })
      await this.#emit(trx, 'slot.booked', await this.#neutral(trx, body.slotId, now), now)
      await freeSlotOfBooking(trx, r.slot_id, bookingId, nowIso)
      await this.#emit(trx, 'booking.cancelled', await this.#neutral(trx, r.slot_id, now), now)
      await appendAudit(trx, {
        at: now, userId: actor.id, action: 'booking.move', subjectType: 'booking', subjectId: id, ip: actor.ip,
        detail: { fromBookingId: bookingId, fromSlotId: r.slot_id, toSlotId: body.slotId, patientFields: PATIENT_FIELDS }
      })
      // The reply carries the patient of both bookings: a read of identity.
      await appendAudit(trx, { at: now, userId: actor.id, action: 'booking.read', subjectType: 'booking', subjectId: id, ip: actor.ip, detail: { bookingIds: [id, bookingId] } })
      return id
    })
    const [created, old] = await Promise.all([findBookingRecord(this.#db, ids), findBookingRecord(this.#db, bookingId)])
    /* c8 ignore next */
    if (created === undefined || old === undefined) throw notFound('Booking')
    return { booking: toBookingView(created, true), previous: toBookingView(old, true) }
  }

  /**
   * The live bookings (not ended) matching what a regulator typed when a patient calls back:
   * reference, names, birth date (booking-search.ts). Regulators only; the read is audited.
   */
  async findBookings (actor: Actor, text: string): Promise<Booking[]> {
    if (actor.role !== 'regulator') throw forbidden('only regulators search bookings by patient')
    const criteria = parseBookingQuery(text)
    if (!hasCriteria(criteria)) return []
    const now = this.#d.clock.now()
    const records = await listBookingRecords(this.#db, { live: true, endAfter: now.toISOString() })
    const found = records.filter((r) => bookingMatches(criteria, { id: r.id, lastName: r.patient_last_name, firstName: r.patient_first_name, birthDate: r.patient_birth_date })).slice(0, 20)
    if (found.length > 0) {
      await appendAudit(this.#db, { at: now, userId: actor.id, action: 'booking.read', subjectType: 'booking', ip: actor.ip, detail: { bookingIds: found.map((r) => r.id), search: true } })
    }
    return found.map((r) => toBookingView(r, true))
  }

  async recordOutcome (actor: Actor, bookingId: string, outcome: 'honored' | 'no_show'): Promise<Booking> {
    const r = await this.#bookingForChange(actor, bookingId, 'outcome')
    if (this.#d.clock.now().toISOString() < r.start_at) throw new AppError('OUTCOME_TOO_EARLY', 'The outcome can be recorded once the slot has started')
    await this.#write(async (trx, now) => {
      await lockSlots(trx, [r.slot_id])
      if (!await recordBookingOutcome(trx, bookingId, outcome, actor.id, now.toISOString())) throw await notLiveRefusal(trx, bookingId)
      await touchSlot(trx, r.slot_id, now.toISOString())
      await this.#emit(trx, 'booking.outcome', await this.#neutral(trx, r.slot_id, now), now)
      await appendAudit(trx, { at: now, userId: actor.id, action: 'booking.outcome', subjectType: 'booking', subjectId: bookingId, ip: actor.ip, detail: { outcome } })
      if (this.#canSeePatient(actor, r)) await this.#auditRead(trx, actor, bookingId, now)
    })
    const after = await findBookingRecord(this.#db, bookingId)
    return toBookingView(after ?? r, this.#canSeePatient(actor, r))
  }

  /** A reply that shows a booking's patient is a read of identity. */
  async #auditRead (trx: Trx, actor: Actor, bookingId: string, now: Date): Promise<void> {
    await appendAudit(trx, { at: now, userId: actor.id, action: 'booking.read', subjectType: 'booking', subjectId: bookingId, ip: actor.ip, detail: { bookingIds: [bookingId] } })
  }

  // ---------------------------------------------------------------- reads

  async listSlots (actor: Actor, q: SlotQuery): Promise<Slot[]> {
    const now = this.#d.clock.now()
    const range = await resolveRange(this.#db, q, now, q.cptsId)
    const records = await listSlotRecords(this.#db, {
      endAfter: range.from, ...(range.to !== undefined ? { startBefore: range.to } : {}),
      ...(q.status !== undefined ? { statuses: q.status } : {}),
      ...(q.kind !== undefined ? { kind: q.kind } : {}),
      ...(q.mode !== undefined ? { mode: q.mode } : {}),
      ...(q.cptsId !== undefined ? { cptsId: q.cptsId } : {}),
      ...(q.practitionerId !== undefined ? { practitionerId: q.practitionerId } : {})
    })
    return records.map((r) => forViewer(toNeutralSlot(r, now), actor.id))
  }

  /** Bookings with patient identity for those allowed; every read with identity is audited. */
  async listBookings (actor: Actor, q: { from?: string | undefined, to?: string | undefined }): Promise<Booking[]> {
    const now = this.#d.clock.now()
    const range = await resolveRange(this.#db, q, now, undefined, true)
    const records = await listBookingRecords(this.#db, {
      ...(actor.role === 'practitioner' ? { practitionerId: actor.id } : {}),
      startFrom: range.from, ...(range.to !== undefined ? { startBefore: range.to } : {})
    })
    const views = records.map((r) => toBookingView(r, this.#canSeePatient(actor, r)))
    const withIdentity = views.filter((v) => v.patient !== undefined).map((v) => v.id)
    if (withIdentity.length > 0) {
      await appendAudit(this.#db, { at: now, userId: actor.id, action: 'booking.read', subjectType: 'booking', ip: actor.ip, detail: { bookingIds: withIdentity } })
    }
    return views
  }
}
