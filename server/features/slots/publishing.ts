import type { Kysely } from 'kysely'
import type { Database } from '../../../db/types.js'
import type { CreateSeriesBody, CreateSlotBody, SeriesResult, Slot, WithdrawManyBody, WithdrawManyResult } from '../../../shared/schemas/slots.js'
import type { Clock } from '../../clock.js'
import { AppError, forbidden, invalid, notFound } from '../../errors.js'
import { communeByCode } from '../../lib/communes.js'
import { departementOfCommune, publicHolidaysBetween } from '../../lib/public-holidays.js'
import { newId } from '../../lib/secrets.js'
import { toZonedIso } from '../../lib/zoned-time.js'
import { appendAudit } from '../audit/audit-repository.js'
import type { Actor } from '../session/actor.js'
import { neutralSlot, viewAfter } from './slot-claims.js'
import { findPublisher, findSlotState, forViewer, hasOverlap, lockAccounts, lockSlots, withdrawableSlotIds, type NeutralSlot } from './slot-repository.js'
import { checkSlotTimes, expandSeries, type SlotLimits } from './slot-times.js'
import { insertSlot, withdrawSlot } from './slot-writes.js'
import type { UnitOfWork, Work } from './unit-of-work.js'

/** Who publishes, where, to whom, and what follows from it (the zone, the holidays' département). */
interface Offer {
  id: string
  /** The slot's own CPTS, and the others it is offered to (by id). */
  cptsId: string
  extraCptsIds: string[]
  placeId: string
  profession: 'gp' | 'psychiatrist'
  zone: string
  /** The place's. */
  departement: string
}

export interface PublishingDeps {
  db: Kysely<Database>
  clock: Clock
  unitOfWork: UnitOfWork
  limits: SlotLimits
}

/**
 * Publishing: a practitioner (or an admin for them) publishes slots, one or a series, and
 * withdraws those not booked, one, a series or a day at a time (all of them when an admin
 * deactivates the account). Each change is one transaction with its events.
 */
export class Publishing {
  readonly #d: PublishingDeps
  constructor (deps: PublishingDeps) { this.#d = deps }

  /**
   * Whose slots the actor publishes (their own, or an admin's choice), where and to whom: the
   * place (default: the home place; one of theirs, not archived) and the CPTS (default: the
   * home CPTS; among their memberships, all in one zone). The slot's own CPTS is the home CPTS
   * when offered to it, else the first named; the others are its extras.
   */
  async #practitioner (actor: Actor, body: { practitionerId?: string | undefined, placeId?: string | undefined, cptsIds?: string[] | undefined }): Promise<Offer> {
    const { practitionerId } = body
    let id = actor.id
    if (actor.role === 'admin') {
      if (practitionerId === undefined) throw invalid([{ code: 'custom', path: ['practitionerId'], message: 'an admin names the practitioner' }])
      id = practitionerId
    } else if (actor.role !== 'practitioner') {
      throw forbidden()
    } else if (practitionerId !== undefined && practitionerId !== actor.id) {
      throw forbidden('a practitioner publishes only their own slots')
    }
    const p = await findPublisher(this.#d.db, id)
    if (p === undefined || p.cpts_id === null) {
      throw invalid([{ code: 'custom', path: ['practitionerId'], message: 'unknown practitioner, or not attached to a CPTS' }])
    }
    const place = body.placeId === undefined ? p.places.find((x) => x.is_home) : p.places.find((x) => x.id === body.placeId)
    if (place === undefined) {
      throw invalid([{ code: 'custom', path: ['placeId'], message: 'not a place of this practitioner, or archived' }])
    }
    const wanted = [...new Set(body.cptsIds ?? [p.cpts_id])]
    const offered = wanted.map((cptsId, i) => {
      const m = p.memberships.find((x) => x.cpts_id === cptsId)
      if (m === undefined) throw invalid([{ code: 'custom', path: ['cptsIds', i], message: 'the practitioner is not a member of this CPTS' }])
      return m
    })
    const own = offered.find((m) => m.cpts_id === p.cpts_id) ?? offered[0]!
    if (offered.some((m) => m.timezone !== own.timezone)) {
      throw invalid([{ code: 'custom', path: ['cptsIds'], message: 'the CPTS of one slot share a time zone' }])
    }
    const departement = communeByCode(place.commune_code)?.departement ?? departementOfCommune(place.commune_code)
    return {
      id: p.id,
      cptsId: own.cpts_id,
      extraCptsIds: offered.map((m) => m.cpts_id).filter((c) => c !== own.cpts_id).sort(),
      placeId: place.id,
      profession: p.profession,
      zone: own.timezone,
      departement
    }
  }

  /**
   * The place and CPTS read by #practitioner, confirmed inside the publishing transaction once
   * the practitioner's account is locked: an archive of the place or a CPTS left (places
   * service, under the same lock) that committed in between refuses the publish, as it would
   * have a moment later.
   */
  async #confirmOffer (w: Work, p: Offer): Promise<void> {
    await lockAccounts(w.trx, [p.id])
    const place = await w.trx.selectFrom('practitioner_places').select('id')
      .where('id', '=', p.placeId).where('practitioner_id', '=', p.id).where('archived_at', 'is', null).executeTakeFirst()
    if (place === undefined) throw invalid([{ code: 'custom', path: ['placeId'], message: 'not a place of this practitioner, or archived' }])
    const cptsIds = [p.cptsId, ...p.extraCptsIds]
    const members = await w.trx.selectFrom('cpts_memberships').select('cpts_id')
      .where('practitioner_id', '=', p.id).where('cpts_id', 'in', cptsIds).execute()
    if (members.length !== cptsIds.length) {
      throw invalid([{ code: 'custom', path: ['cptsIds'], message: 'the practitioner is not a member of this CPTS' }])
    }
  }

  #checkKind (profession: 'gp' | 'psychiatrist', kind: Slot['kind']): void {
    const allowed = profession === 'gp' ? 'snp' : 'psy'
    if (kind !== allowed) {
      throw invalid([{ code: 'custom', path: ['kind'], message: profession === 'gp' ? 'GPs publish snp slots' : 'psychiatrists publish psy slots' }])
    }
  }

  async #insertSlot (w: Work, actor: Actor, p: Offer, start: Date, end: Date, body: { kind: Slot['kind'], mode: Slot['mode'] }, seriesId: string | null = null): Promise<NeutralSlot> {
    const id = newId()
    await insertSlot(w.trx, {
      id, practitionerId: p.id, placeId: p.placeId, cptsId: p.cptsId, extraCptsIds: p.extraCptsIds, zone: p.zone,
      start, end, kind: body.kind, mode: body.mode, seriesId
    }, w.now)
    const view = await neutralSlot(w.trx, id, w.now)
    w.emit('slot.published', view, { actorId: actor.id })
    return view
  }

  async publish (actor: Actor, body: CreateSlotBody): Promise<Slot> {
    const p = await this.#practitioner(actor, body)
    this.#checkKind(p.profession, body.kind)
    const start = new Date(body.start)
    const end = new Date(body.end)
    const issues = checkSlotTimes(start, end, this.#d.clock.now(), this.#d.limits)
    if (issues.length > 0) throw invalid(issues)
    const view = await this.#d.unitOfWork.run(async (w) => {
      // Check and insert in one transaction, the practitioner's account locked (hasOverlap):
      // no other slot of theirs can slip in between, on any instance.
      await this.#confirmOffer(w, p)
      if (await hasOverlap(w.trx, p.id, start.toISOString(), end.toISOString())) {
        throw new AppError('SLOT_OVERLAP', 'This slot overlaps another of your slots')
      }
      return await this.#insertSlot(w, actor, p, start, end, body)
    })
    return forViewer(view, actor.id)
  }

  /**
   * Publishes a series: slots that are in the past, too far ahead, at a local time that does
   * not exist or overlapping the practitioner's slots are reported as skipped, the rest created
   * in one transaction. With `dryRun` nothing is written: the answer is the form's preview.
   */
  async publishSeries (actor: Actor, body: CreateSeriesBody): Promise<SeriesResult> {
    const p = await this.#practitioner(actor, body)
    this.#checkKind(p.profession, body.kind)
    const plan = expandSeries(body, p.zone, this.#d.clock.now(), this.#d.limits)
    if (plan.issues.length > 0) throw invalid(plan.issues)
    const skipped: SeriesResult['skipped'] = plan.skipped.map((s) => ({ ...s }))
    const dryRun = body.dryRun === true
    const holidays = publicHolidaysBetween(body.from, body.to, p.departement)
    const holidayDates = new Set(holidays.map((h) => h.date))
    const seriesId = newId()
    // A dry run writes nothing, but checks overlaps as the real run would: in a transaction.
    const out = await this.#d.unitOfWork.run(async (w) => {
      // A run again after a deadlock (see UnitOfWork.run) starts from the plan's own skips.
      skipped.splice(plan.skipped.length)
      await this.#confirmOffer(w, p)
      const created: Slot[] = []
      const preview: Array<{ start: string, end: string }> = []
      for (const s of plan.slots) {
        const start = toZonedIso(s.start, p.zone)
        if (body.skipHolidays === true && holidayDates.has(start.slice(0, 10))) {
          skipped.push({ start, reason: 'public_holiday' })
        } else if (await hasOverlap(w.trx, p.id, s.start.toISOString(), s.end.toISOString())) {
          skipped.push({ start: toZonedIso(s.start, p.zone), reason: 'overlap' })
        } else if (dryRun) {
          preview.push({ start: toZonedIso(s.start, p.zone), end: toZonedIso(s.end, p.zone) })
        } else {
          created.push(forViewer(await this.#insertSlot(w, actor, p, s.start, s.end, body, seriesId), actor.id))
        }
      }
      return { created, preview }
    })
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
    const owner = await findSlotState(this.#d.db, slotId)
    if (owner === undefined) throw notFound('Slot')
    if (actor.role !== 'admin' && owner.practitioner_id !== actor.id) throw forbidden('only its practitioner or an admin withdraws a slot')
    const view = await this.#d.unitOfWork.run(async (w) => {
      // The slot locked before the instant is read (see Work.now).
      await lockSlots(w.trx, [slotId])
      const { trx, now } = w
      if (!await withdrawSlot(trx, slotId, now.toISOString())) {
        const s = await findSlotState(trx, slotId)
        if (s?.status === 'booked') throw new AppError('SLOT_BOOKED', 'This slot is booked: cancel the booking first')
        return await neutralSlot(trx, slotId, now) // already withdrawn: nothing to do
      }
      const v = await neutralSlot(trx, slotId, now)
      w.emit('slot.withdrawn', v, { actorId: actor.id })
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
    const out = await this.#d.unitOfWork.run(async (w) => {
      const withdrawn: NeutralSlot[] = []
      const kept: NeutralSlot[] = []
      const ids = await withdrawableSlotIds(w.trx, { practitionerId, nowIso: this.#d.clock.now().toISOString(), seriesId: only.seriesId, date: only.date })
      const slots = await lockSlots(w.trx, ids)
      // The instant after the locks (see Work.now).
      const { trx, now, nowIso } = w
      for (const id of ids) {
        const change = await withdrawSlot(trx, id, nowIso)
        const v = await viewAfter(w, id, slots.get(id), change)
        if (change !== undefined) {
          w.emit('slot.withdrawn', v, { actorId: actor.id })
          withdrawn.push(v)
        } else {
          kept.push(v)
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
}
