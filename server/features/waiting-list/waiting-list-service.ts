import type { Kysely } from 'kysely'
import { DateTime } from 'luxon'
import type { Database } from '../../../db/types.js'
import type { ClaimBody, ClaimResult, CreateRequestBody, ListedRequest, RequestBookingBody, RequestQuery, WaitingRequest, WaitingRequestDetail } from '../../../shared/schemas/waiting-list.js'
import { MAX_WAIT_DAYS } from '../../../shared/schemas/waiting-list.js'
import type { Booking } from '../../../shared/schemas/slots.js'
import { slotsFor } from '../../../shared/waiting-match.js'
import type { Clock } from '../../clock.js'
import { AppError, forbidden, invalid, notFound } from '../../errors.js'
import { communeByCode } from '../../lib/communes.js'
import { newId } from '../../lib/secrets.js'
import { localDate } from '../../lib/zoned-time.js'
import { appendAudit } from '../audit/audit-repository.js'
import { zoneFor } from '../cpts/cpts-repository.js'
import type { Actor } from '../session/actor.js'
import { PATIENT_FIELDS, type Bookings } from '../slots/bookings.js'
import { findBookingByKey } from '../slots/booking-repository.js'
import { claim, freeHeld, releaseOthers, startClaim } from '../slots/slot-claims.js'
import { listSlotRecords, toNeutralSlot, type NeutralSlot } from '../slots/slot-repository.js'
import type { UnitOfWork, Work } from '../slots/unit-of-work.js'
import { anyRequestToExpire, changeOpenRequest, expireRequests, findRequest, insertRequest, lastSeq, listRequests, openRequests, openRequestsAmong, withdrawOpenRequests } from './request-repository.js'
import { claimIsLive, requestForViewer, toNeutralRequest, toRequestDetail, type NeutralRequest, type RequestRecord } from './request-view.js'

export interface WaitingListDeps {
  db: Kysely<Database>
  clock: Clock
  unitOfWork: UnitOfWork
  bookings: Bookings
  /** How long a claim lasts, and the hold of the slot taken with it (HOLD_SECONDS). */
  claimSeconds: number
}

/**
 * The waiting list (issue 25). Every change is one unit of work: the request's row, its audit
 * entry and its event (in the slots' seq, without patient data) commit together; a claim and the
 * hold of its slot, a booking and the end of its request, are each one transaction.
 */
export class WaitingList {
  readonly #d: WaitingListDeps
  constructor (deps: WaitingListDeps) { this.#d = deps }

  #regulator (actor: Actor): void {
    if (actor.role !== 'regulator') throw forbidden('only regulators use the waiting list')
  }

  async create (actor: Actor, body: CreateRequestBody): Promise<WaitingRequestDetail> {
    this.#regulator(actor)
    if (communeByCode(body.communeCode) === undefined) throw new AppError('COMMUNE_UNKNOWN', `unknown commune (INSEE code ${body.communeCode})`, { details: [{ code: 'custom', path: ['communeCode'], message: 'unknown commune' }] })
    const { db, clock } = this.#d
    const issues = []
    if (body.cptsId !== undefined && await db.selectFrom('cpts').select('id').where('id', '=', body.cptsId).executeTakeFirst() === undefined) {
      issues.push({ code: 'custom', path: ['cptsId'], message: 'unknown CPTS' })
    }
    if (body.callId !== undefined) {
      const call = await db.selectFrom('calls').select('outcome').where('id', '=', body.callId).executeTakeFirst()
      if (call?.outcome !== 'no_slot') issues.push({ code: 'custom', path: ['callId'], message: 'not a call that found no slot' })
    }
    const now = clock.now()
    if (body.patient.birthDate > DateTime.fromJSDate(now, { zone: 'Pacific/Kiritimati' }).toISODate()!) {
      issues.push({ code: 'custom', path: ['patient', 'birthDate'], message: 'the birth date is after today' })
    }
    if (issues.length > 0) throw invalid(issues)
    const zone = await zoneFor(db, body.cptsId)
    const today = localDate(now, zone)
    if (body.until < today) throw new AppError('WAITING_WINDOW_PAST', `the window ends ${body.until}, before today (${today})`)
    const last = DateTime.fromISO(today, { zone }).plus({ days: MAX_WAIT_DAYS }).toISODate()!
    if (body.until > last) throw new AppError('WAITING_WINDOW_TOO_LONG', `the window ends after ${last}`)
    // The window ends at the start of the day after `until`, local to the territory.
    const notAfter = DateTime.fromISO(body.until, { zone }).plus({ days: 1 }).startOf('day').toUTC().toISO()!
    const id = newId()
    return await this.#d.unitOfWork.run(async (w) => {
      await insertRequest(w.trx, {
        id, call_id: body.callId ?? null, created_at: w.nowIso, created_by: actor.id, cpts_id: body.cptsId ?? null,
        commune_code: body.communeCode, kind: body.kind, modes: body.modes.join(','), not_after: new Date(notAfter).toISOString(),
        has_treating_gp: body.hasTreatingGp, patient_last_name: body.patient.lastName, patient_first_name: body.patient.firstName,
        patient_birth_date: body.patient.birthDate, patient_phone: body.patient.phone, reason: body.reason ?? null, status: 'open',
        claim_by: null, claim_expires_at: null, claim_slot_id: null, ended_at: null, ended_by: null, end_reason: null, booking_id: null
      })
      const r = await this.#found(w, id)
      await this.#audit(w, actor, 'waiting_request.create', id, { patientFields: PATIENT_FIELDS })
      w.emitRequest('request.created', toNeutralRequest(r, w.now), { actorId: actor.id })
      return toRequestDetail(r, w.now, actor.id)
    })
  }

  /** The list without patient data (not audited: no health data), each open request with its matches now. */
  async list (actor: Actor, q: RequestQuery): Promise<{ seq: number, requests: ListedRequest[] }> {
    this.#regulator(actor)
    const { db } = this.#d
    const now = this.#d.clock.now()
    // The list and the seq it is as of are read in one transaction: a page applies the events after it.
    const { seq, rows, slots } = await db.transaction().execute(async (trx) => {
      const seq = await lastSeq(trx)
      const rows = await listRequests(trx, { statuses: q.status ?? ['open'], ...(q.kind !== undefined ? { kind: q.kind } : {}), ...(q.communeCode !== undefined ? { communeCode: q.communeCode } : {}) })
      const slots = rows.some((r) => r.status === 'open') ? await listSlotRecords(trx, { endAfter: now.toISOString(), statuses: ['free', 'held'] }) : []
      return { seq, rows, slots }
    })
    const free = slots.map((s) => toNeutralSlot(s, now))
    const requests = rows.map((r): ListedRequest => {
      const view = requestForViewer(toNeutralRequest(r, now), actor.id)
      return { ...view, matches: slotsFor(view, free, now.getTime()).slice(0, 20).map((m) => ({ slotId: m.slot.id, rank: m.rank })) }
    })
    return { seq, requests }
  }

  /** One request with its patient: a read of health data, audited. */
  async get (actor: Actor, id: string): Promise<WaitingRequestDetail> {
    this.#regulator(actor)
    const now = this.#d.clock.now()
    const r = await findRequest(this.#d.db, id)
    if (r === undefined) throw notFound('Waiting-list request')
    await appendAudit(this.#d.db, { at: now, userId: actor.id, action: 'waiting_request.read', subjectType: 'waiting_request', subjectId: id, ip: actor.ip, detail: { patientFields: PATIENT_FIELDS } })
    return toRequestDetail(r, now, actor.id)
  }

  /**
   * A regulator takes a request in hand (and, with `slotId`, holds that matching slot): one
   * transaction, so that either both are theirs or neither. The claim lasts as a hold does.
   */
  async claim (actor: Actor, id: string, body: ClaimBody): Promise<ClaimResult> {
    this.#regulator(actor)
    return await this.#d.unitOfWork.run(async (w) => {
      const expires = new Date(w.now.getTime() + this.#d.claimSeconds * 1000).toISOString()
      const slotId = body.slotId ?? null
      // Refused first for the request (ended, or another regulator's): that is what the regulator must hear.
      const r = await this.#found(w, id)
      if (r.status !== 'open') throw ended()
      if (claimIsLive(r, w.nowIso) && r.claim_by !== actor.id) throw claimedByOther()
      if (slotId !== null) {
        const scope = await startClaim(w, actor.id, [slotId])
        const before = scope.slots.get(slotId)
        if (before === undefined) throw notFound('Slot')
        // The slot must answer the request (its status aside: a hold of this regulator, or one lapsed, is claimed below).
        if (slotsFor(toNeutralRequest(r, w.now), [{ ...toNeutralSlot(before, w.now), status: 'free' }], w.now.getTime()).length === 0) {
          throw new AppError('REQUEST_SLOT_MISMATCH', 'this slot does not answer the request (kind, mode, window or place)')
        }
        let held
        try {
          held = await claim(w, scope, slotId, actor.id, { status: 'held', hold_by: actor.id, hold_expires_at: expires })
        } catch (err) {
          // Two regulators claiming the request with its slot at once: the one who lost the slot
          // waited for the winner's commit, whose claim of the request is now what it reads.
          if (err instanceof AppError && err.code === 'SLOT_HELD') {
            const now = await findRequest(w.trx, id)
            if (now !== undefined && claimIsLive(now, w.nowIso) && now.claim_by !== actor.id) throw claimedByOther()
          }
          throw err
        }
        await releaseOthers(w, scope, actor.id)
        w.emit('slot.held', toNeutralSlot(held, w.now), { actorId: actor.id })
      }
      const claimed = await changeOpenRequest(w.trx, id, actor.id, w.nowIso, { claim_by: actor.id, claim_expires_at: expires, claim_slot_id: slotId })
      if (claimed === undefined) throw await this.#refusal(w, id)
      w.emitRequest('request.claimed', toNeutralRequest(claimed, w.now), { actorId: actor.id, slotId })
      // The answer carries the patient (the callback number on screen): a read, audited.
      await this.#audit(w, actor, 'waiting_request.claim', id, { slotId, patientFields: PATIENT_FIELDS })
      const request = toRequestDetail(claimed, w.now, actor.id)
      return { request, expiresAt: request.claim?.expiresAt ?? '' }
    })
  }

  /** Gives a claim back (and the hold of its slot, when still this regulator's). */
  async release (actor: Actor, id: string): Promise<WaitingRequest> {
    this.#regulator(actor)
    return await this.#d.unitOfWork.run(async (w) => {
      const before = await this.#found(w, id)
      if (before.status !== 'open') throw ended()
      if (!claimIsLive(before, w.nowIso) || before.claim_by !== actor.id) {
        if (claimIsLive(before, w.nowIso)) throw claimedByOther()
        return requestForViewer(toNeutralRequest(before, w.now), actor.id) // not claimed: releasing twice is harmless
      }
      const r = await changeOpenRequest(w.trx, id, actor.id, w.nowIso, { claim_by: null, claim_expires_at: null, claim_slot_id: null })
      if (r === undefined) throw await this.#refusal(w, id)
      if (before.claim_slot_id !== null) await freeHeld(w, before.claim_slot_id, actor.id)
      w.emitRequest('request.released', toNeutralRequest(r, w.now), { actorId: actor.id })
      await this.#audit(w, actor, 'waiting_request.release', id, {})
      return requestForViewer(toNeutralRequest(r, w.now), actor.id)
    })
  }

  /**
   * Books a slot for the request's patient, as a booking from the board is (the same claim of
   * the slot, the same audit), and ends the request as booked, linked to its booking, in the
   * same transaction. The request must be this regulator's claim, or claimed by nobody.
   */
  async book (actor: Actor, id: string, body: RequestBookingBody): Promise<{ booking: Booking, request: WaitingRequest, created: boolean }> {
    this.#regulator(actor)
    const r = await findRequest(this.#d.db, id)
    if (r === undefined) throw notFound('Waiting-list request')
    const nowIso = this.#d.clock.now().toISOString()
    // The same key again after the request was booked with it: the same booking (Bookings.book replays it).
    const replay = r.status === 'booked' && body.idempotencyKey !== undefined &&
      (await findBookingByKey(this.#d.db, actor.id, body.idempotencyKey))?.id === r.booking_id
    if (r.status !== 'open' && !replay) throw ended()
    if (claimIsLive(r, nowIso) && r.claim_by !== actor.id) throw claimedByOther()
    if (r.patient_last_name === null) throw ended()
    let ended_: RequestRecord | undefined
    const { booking, created } = await this.#d.bookings.book(actor, body.slotId, {
      patient: { lastName: r.patient_last_name, firstName: r.patient_first_name ?? '', birthDate: r.patient_birth_date ?? '', phone: r.patient_phone ?? '' },
      ...(r.reason !== null ? { reason: r.reason } : {}),
      hasTreatingGp: r.has_treating_gp,
      ...(body.idempotencyKey !== undefined ? { idempotencyKey: body.idempotencyKey } : {})
    }, async (w, bookingId) => {
      const done = await changeOpenRequest(w.trx, id, actor.id, w.nowIso, {
        status: 'booked', booking_id: bookingId, ended_at: w.nowIso, claim_by: null, claim_expires_at: null, claim_slot_id: null
      })
      if (done === undefined) throw await this.#refusal(w, id)
      ended_ = done
      w.emitRequest('request.ended', toNeutralRequest(done, w.now), { actorId: actor.id, slotId: body.slotId, bookingId })
      await this.#audit(w, actor, 'waiting_request.book', id, { bookingId, slotId: body.slotId })
    })
    const after = ended_ ?? await findRequest(this.#d.db, id)
    /* c8 ignore next */
    if (after === undefined) throw notFound('Waiting-list request')
    return { booking, created, request: requestForViewer(toNeutralRequest(after, this.#d.clock.now()), actor.id) }
  }

  /** The patient no longer needs it: ended as withdrawn, with the reason (health data: erased by the purge). */
  async withdraw (actor: Actor, id: string, reason: string): Promise<WaitingRequest> {
    this.#regulator(actor)
    return await this.#d.unitOfWork.run(async (w) => {
      const before = await this.#found(w, id)
      const r = await changeOpenRequest(w.trx, id, actor.id, w.nowIso, {
        status: 'withdrawn', ended_at: w.nowIso, ended_by: actor.id, end_reason: reason, claim_by: null, claim_expires_at: null, claim_slot_id: null
      })
      if (r === undefined) throw await this.#refusal(w, id)
      if (before.claim_slot_id !== null && before.claim_by === actor.id) await freeHeld(w, before.claim_slot_id, actor.id)
      w.emitRequest('request.ended', toNeutralRequest(r, w.now), { actorId: actor.id })
      await this.#audit(w, actor, 'waiting_request.withdraw', id, { fields: ['endReason'] })
      return requestForViewer(toNeutralRequest(r, w.now), actor.id)
    })
  }

  /**
   * The right to erasure (the admin, inside the erasure's unit of work `w`): those of these
   * requests still open end as withdrawn with `reason`, whoever claims them, since the patient can
   * no longer be called back; a live claim's held slot is freed for the other patients (slot then
   * request, the claim's lock order). One `request.ended` each, so that no list shows them open.
   * Their patient data are erased by the caller; its audit entry names them. Returns the ids ended.
   */
  async endErased (w: Work, actor: Actor, ids: readonly string[], reason: string): Promise<string[]> {
    const open = await openRequestsAmong(w.trx, ids)
    for (const r of open) {
      if (r.claim_slot_id !== null && claimIsLive(r, w.nowIso)) await freeHeld(w, r.claim_slot_id, r.claim_by)
    }
    const ended = await withdrawOpenRequests(w.trx, open.map((r) => r.id), actor.id, w.nowIso, reason)
    for (const id of ended) w.emitRequest('request.ended', toNeutralRequest(await this.#found(w, id), w.now), { actorId: actor.id })
    return ended
  }

  /** Ends the requests whose window has passed (the server's sweeper, on its clock): one `request.ended` each. */
  async expire (): Promise<number> {
    if (!await anyRequestToExpire(this.#d.db, this.#d.clock.now().toISOString())) return 0
    return await this.#d.unitOfWork.run(async (w) => {
      const ids = await expireRequests(w.trx, w.nowIso)
      for (const id of ids) {
        w.emitRequest('request.ended', toNeutralRequest(await this.#found(w, id), w.now), { actorId: null })
        await appendAudit(w.trx, { at: w.now, userId: null, action: 'waiting_request.expire', subjectType: 'waiting_request', subjectId: id })
      }
      return ids.length
    })
  }

  /**
   * The matcher, run at the end of every change that logs slot events (UnitOfWork.beforeCommit):
   * each slot that is free after the change (published, released by its holder or the sweeper,
   * freed by a cancellation, republished) is matched against the open requests; each request it
   * answers gets one `request.matched` naming the best such slot, in the same transaction and seq.
   */
  readonly matchHook = async (w: Work, events: ReadonlyArray<{ type: string, slot: NeutralSlot }>): Promise<void> => {
    const last = new Map<string, NeutralSlot>()
    for (const ev of events) last.set(ev.slot.id, ev.slot)
    const opened = [...last.values()].filter((s) => s.status === 'free')
    if (opened.length === 0) return
    const requests = await openRequests(w.trx, w.nowIso, [...new Set(opened.map((s) => s.kind))])
    const matched: Array<{ view: NeutralRequest, slotId: string, rank: number }> = []
    for (const r of requests) {
      const view = toNeutralRequest(r, w.now)
      const best = slotsFor(view, opened, w.now.getTime())[0]
      if (best !== undefined) matched.push({ view, slotId: best.slot.id, rank: best.rank })
    }
    // In the board's order: nearest first, then the patient who has waited longest.
    matched.sort((a, b) => a.rank - b.rank || Date.parse(a.view.createdAt) - Date.parse(b.view.createdAt))
    for (const m of matched) w.emitRequest('request.matched', m.view, { actorId: null, slotId: m.slotId })
  }

  async #found (w: Work, id: string): Promise<RequestRecord> {
    const r = await findRequest(w.trx, id)
    if (r === undefined) throw notFound('Waiting-list request')
    return r
  }

  /** Why `changeOpenRequest` found nothing to change. */
  async #refusal (w: Work, id: string): Promise<AppError> {
    const r = await findRequest(w.trx, id)
    if (r === undefined) return notFound('Waiting-list request')
    if (r.status !== 'open') return ended()
    return claimedByOther()
  }

  async #audit (w: Work, actor: Actor, action: string, id: string, detail: Record<string, unknown>): Promise<void> {
    await appendAudit(w.trx, { at: w.now, userId: actor.id, action, subjectType: 'waiting_request', subjectId: id, ip: actor.ip, detail })
  }
}

const claimedByOther = (): AppError => new AppError('REQUEST_CLAIMED', 'another regulator handles this request')
const ended = (): AppError => new AppError('REQUEST_ENDED', 'this request has ended (booked, withdrawn or expired)')
