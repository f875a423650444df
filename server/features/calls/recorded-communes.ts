import type { Kysely } from 'kysely'
import type { Database } from '../../../db/types.js'
import { territoryLevel } from '../../lib/commune-search.js'
import { communeByCode, territoryOfCommunes, type CommuneHit } from '../../lib/communes.js'
import { practiceCommuneCodes } from '../communes/territory-repository.js'

/** How many moves back a booking's call is looked for (a booking moved again and again). */
const MAX_MOVES = 5

/**
 * The patient's commune as the call that booked each booking recorded it (`calls.commune_code`),
 * for a patient who calls back: a move then ranks the slots near the patient. A booking made by
 * a move has no call of its own: its commune is the one of the booking it replaced (the audit
 * log's `booking.move` names it), followed back up to MAX_MOVES moves. Bookings with no recorded
 * commune are absent; each commune says where it lies from the asker's territory (`cptsId`).
 */
export async function recordedCommunes (db: Kysely<Database>, bookingIds: string[], cptsId: string | null): Promise<Map<string, CommuneHit>> {
  const out = new Map<string, CommuneHit>()
  if (bookingIds.length === 0) return out
  /** The booking whose call is looked for → the bookings found that descend from it. */
  let origins = new Map<string, string[]>(bookingIds.map((id) => [id, [id]]))
  const codes = new Map<string, string>()
  for (let hop = 0; hop <= MAX_MOVES && origins.size > 0; hop++) {
    const calls = await db.selectFrom('calls').select(['booking_id', 'commune_code', 'at'])
      .where('booking_id', 'in', [...origins.keys()]).where('commune_code', 'is not', null)
      .orderBy('at', 'asc').execute()
    for (const c of calls) for (const id of origins.get(c.booking_id!) ?? []) codes.set(id, c.commune_code!)
    const missing = [...origins].filter(([origin]) => !calls.some((c) => c.booking_id === origin))
    if (missing.length === 0 || hop === MAX_MOVES) break
    const moves = await db.selectFrom('audit_log').select(['subject_id', 'detail'])
      .where('action', '=', 'booking.move').where('subject_id', 'in', missing.map(([origin]) => origin)).execute()
    const next = new Map<string, string[]>()
    for (const m of moves) {
      const from = (JSON.parse(m.detail ?? '{}') as { fromBookingId?: unknown }).fromBookingId
      if (typeof from !== 'string') continue
      next.set(from, [...(next.get(from) ?? []), ...(origins.get(m.subject_id!) ?? [])])
    }
    origins = next
  }
  if (codes.size === 0) return out
  const territory = territoryOfCommunes(await practiceCommuneCodes(db, cptsId))
  for (const [id, code] of codes) {
    const commune = communeByCode(code)
    if (commune !== undefined) out.set(id, { ...commune, territory: territoryLevel(commune, territory) })
  }
  return out
}
