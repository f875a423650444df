/**
 * The demo season's waiting list (issue 25), so that the board's figures are not empty: most
 * calls that found no slot left a request; a share of them were booked from the list (linked to
 * a booking of the season of the same kind, made within the patient's window), some withdrawn,
 * the rest expired. History carries no patient identity (as the season import): the patient
 * columns stay empty. Written directly, with no events (as the season's calls).
 */
import { DateTime } from 'luxon'
import type { Db } from '../db/connection.js'
import { logCall } from '../server/features/calls/calls-service.js'
import type { Actor } from '../server/features/session/actor.js'
import type { WaitingList } from '../server/features/waiting-list/waiting-list-service.js'
import { newId } from '../server/lib/secrets.js'
import { CallBody, type HasTreatingGp } from '../shared/schemas/slots.js'
import { CreateRequestBody } from '../shared/schemas/waiting-list.js'
import { between, rng, type CptsKey } from './demo-data.js'

/** Share of no-slot calls that left a request, and of requests withdrawn (the rest: booked when a slot came, else expired). */
const ON_LIST = 0.7
const WITHDRAWN = 0.15

/** Adds the requests of the no-slot calls in [from, to) of these CPTS; returns how many. */
export async function seasonWaitingList (db: Db, cptsIds: string[], from: string, to: string, zone: string): Promise<number> {
  const calls = await db.selectFrom('calls').select(['id', 'at', 'kind', 'commune_code', 'cpts_id', 'regulator_id', 'has_treating_gp'])
    .where('outcome', '=', 'no_slot').where('cpts_id', 'in', cptsIds).where('at', '>=', from).where('at', '<', to)
    .orderBy('at').orderBy('id').execute()
  const bookings = await db.selectFrom('bookings').innerJoin('slots', 'slots.id', 'bookings.slot_id')
    .select(['bookings.id', 'bookings.booked_at', 'slots.kind', 'slots.cpts_id'])
    .where('bookings.status', 'in', ['booked', 'honored', 'no_show']).where('slots.cpts_id', 'in', cptsIds)
    .where('bookings.booked_at', '>=', from).where('bookings.booked_at', '<', to)
    .orderBy('bookings.booked_at').orderBy('bookings.id').execute()
  const used = new Set<string>()
  let n = 0
  await db.transaction().execute(async (trx) => {
    for (const [i, c] of calls.entries()) {
      const r = rng(`waiting:${i}`)
      if (r() >= ON_LIST || c.commune_code === null) continue
      const until = DateTime.fromISO(c.at, { zone }).plus({ days: between(r, 0, 2) })
      const notAfter = until.plus({ days: 1 }).startOf('day').toUTC().toISO()!
      const withdrawn = r() < WITHDRAWN
      // Booked from the list: the first booking of the same kind and CPTS made after the call, inside the window.
      const booking = withdrawn ? undefined : bookings.find((b) => !used.has(b.id) && b.kind === c.kind && b.cpts_id === c.cpts_id && b.booked_at > c.at && b.booked_at < notAfter)
      if (booking !== undefined) used.add(booking.id)
      const endedAt = booking !== undefined
        ? booking.booked_at
        : withdrawn ? DateTime.fromISO(c.at).plus({ hours: between(r, 1, 20) }).toUTC().toISO()! : notAfter
      await trx.insertInto('waiting_requests').values({
        id: newId(), call_id: c.id, created_at: DateTime.fromISO(c.at).plus({ minutes: 1 }).toUTC().toISO()!, created_by: c.regulator_id,
        cpts_id: c.cpts_id, commune_code: c.commune_code, kind: c.kind as 'snp' | 'psy', modes: 'office', not_after: notAfter,
        has_treating_gp: c.has_treating_gp as 'yes' | 'no' | 'unknown', patient_last_name: null, patient_first_name: null,
        patient_birth_date: null, patient_phone: null, reason: null,
        status: booking !== undefined ? 'booked' : withdrawn ? 'withdrawn' : 'expired',
        claim_by: null, claim_expires_at: null, claim_slot_id: null,
        ended_at: endedAt < notAfter ? endedAt : notAfter, ended_by: withdrawn ? c.regulator_id : null, end_reason: null,
        booking_id: booking?.id ?? null
      }).execute()
      n++
    }
  })
  return n
}

/** The requests the regulators left today, still open: [CPTS, INSEE code, kind, modes, days of wait, first name, treating GP, reason]. */
const OPEN_TODAY: Array<[CptsKey, string, 'snp' | 'psy', Array<'office' | 'video' | 'home'>, number, string, HasTreatingGp, string]> = [
  ['monts', '85047', 'psy', ['office', 'video'], 4, 'Clément', 'yes', 'Anxiété majeure depuis une semaine, avis psychiatrique'],
  ['monts', '85234', 'snp', ['home'], 1, 'Yvonne', 'no', 'Personne âgée alitée, fièvre'],
  ['lumiere', '85222', 'snp', ['office', 'video'], 0, 'Nathan', 'unknown', 'Conjonctivite, gêne importante']
]

/**
 * Today's open waiting list, so that /regulation shows requests and their live matches: each a
 * no-slot call then its request, through the application's services (events, audit, matches as
 * a regulator makes them). None when the demo's CPTS already have an open request.
 */
export async function openWaitingList (db: Db, list: WaitingList, regulatorIds: string[], cptsIds: Record<CptsKey, string>, today: string, now: Date): Promise<number> {
  const open = await db.selectFrom('waiting_requests').select('id').where('status', '=', 'open').where('cpts_id', 'in', Object.values(cptsIds)).executeTakeFirst()
  if (open !== undefined) return 0
  for (const [i, [cpts, communeCode, kind, modes, days, firstName, hasTreatingGp, reason]] of OPEN_TODAY.entries()) {
    const actor: Actor = { id: regulatorIds[i % regulatorIds.length]!, role: 'regulator', ip: null }
    const call = await logCall(db, actor, CallBody.parse({ outcome: 'no_slot', kind, hasTreatingGp, cptsId: cptsIds[cpts], communeCode }), now)
    await list.create(actor, CreateRequestBody.parse({
      callId: call.id,
      cptsId: cptsIds[cpts],
      communeCode,
      kind,
      modes,
      until: DateTime.fromISO(today).plus({ days }).toISODate()!,
      patient: { lastName: 'Démo', firstName, birthDate: `${1950 + i * 17}-0${i + 3}-1${i}`, phone: `06 00 00 01 0${i}` },
      reason,
      hasTreatingGp
    }))
  }
  return OPEN_TODAY.length
}
