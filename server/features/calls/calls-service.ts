import type { Kysely } from 'kysely'
import type { Database } from '../../../db/types.js'
import type { Call, CallBody } from '../../../shared/schemas/slots.js'
import { invalid, type Issue } from '../../errors.js'
import { communeByCode } from '../../lib/communes.js'
import { newId } from '../../lib/secrets.js'
import type { Actor } from '../session/actor.js'
import { toZonedIso } from '../../lib/zoned-time.js'
import { zoneFor } from '../cpts/cpts-repository.js'

/**
 * Logs how a call ended. Calls that found no slot are the board's "unmet demand": without
 * this log only the filled slots would be counted.
 */
export async function logCall (db: Kysely<Database>, actor: Actor, body: CallBody, now: Date): Promise<Call> {
  const issues: Issue[] = []
  let bookingCptsId: string | undefined
  if (body.bookingId !== undefined) {
    const b = await db.selectFrom('bookings').innerJoin('slots', 'slots.id', 'bookings.slot_id')
      .select('slots.cpts_id').where('bookings.id', '=', body.bookingId).executeTakeFirst()
    if (b === undefined) issues.push({ code: 'custom', path: ['bookingId'], message: 'unknown booking' })
    bookingCptsId = b?.cpts_id
  }
  if (body.cptsId !== undefined) {
    const c = await db.selectFrom('cpts').select('id').where('id', '=', body.cptsId).executeTakeFirst()
    if (c === undefined) issues.push({ code: 'custom', path: ['cptsId'], message: 'unknown CPTS' })
  }
  if (body.communeCode !== undefined && communeByCode(body.communeCode) === undefined) {
    issues.push({ code: 'custom', path: ['communeCode'], message: 'unknown commune (INSEE code)' })
  }
  if (issues.length > 0) throw invalid(issues)
  // Stored in UTC like every instant; answered with the offset of the territory's zone.
  const zone = await zoneFor(db, body.cptsId ?? bookingCptsId)
  const call: Call = {
    id: newId(), at: toZonedIso(now, zone), outcome: body.outcome, kind: body.kind, hasTreatingGp: body.hasTreatingGp,
    bookingId: body.bookingId ?? null, communeCode: body.communeCode ?? null, cptsId: body.cptsId ?? null
  }
  await db.insertInto('calls').values({
    id: call.id, at: now.toISOString(), regulator_id: actor.id, outcome: call.outcome, kind: call.kind, has_treating_gp: call.hasTreatingGp,
    booking_id: call.bookingId, commune_code: call.communeCode, cpts_id: call.cptsId
  }).execute()
  return call
}
