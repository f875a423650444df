import { sql, type Kysely } from 'kysely'
import { isPostgres } from '../../../db/dialect.js'
import type { Database, SlotRow } from '../../../db/types.js'
import { lapsedHold } from '../slots/hold-rule.js'
import { extraCpts } from '../slots/offer-rule.js'
import { slotsWithOwners } from '../slots/slot-repository.js'
import type { CptsRecord } from './cpts-organization.js'

function slotQuery (db: Kysely<Database>) {
  return slotsWithOwners(db)
    .innerJoin('practitioner_places as place', 'place.id', 'slots.place_id')
    .select((eb) => [
      'slots.id', 'slots.start_at', 'slots.end_at', 'slots.kind', 'slots.mode', 'slots.status', 'slots.hold_expires_at',
      'slots.practitioner_id', 'users.name as practitioner_name', 'practitioners.rpps', 'practitioners.profession',
      // Where the slot is: its place (a practitioner may consult at several), with the
      // practitioner's phone when the place has none of its own.
      'place.id as place_id', 'place.label as place_label', 'place.address', 'place.postal_code', 'place.commune',
      'place.commune_code', 'place.structure_id', eb.fn.coalesce('place.phone', 'practitioners.phone').as('phone'),
      'slots.cpts_id', 'cpts.timezone', extraCpts(db)
    ])
    // A disabled account offers nothing to the outside.
    .where('users.disabled_at', 'is', null)
}

/** A slot with what the FHIR resources around it need: never anything about a booking. */
export type FhirSlotRecord = Awaited<ReturnType<ReturnType<typeof slotQuery>['executeTakeFirstOrThrow']>>

export interface FreeSlotQuery {
  /** Inclusive bounds on the start, ISO UTC. */
  from: string
  to: string
  /** Now, ISO UTC: slots already started are not offered; holds that ran out are free. */
  now: string
  /** Only these practitioners (RPPS); null = all. */
  rpps: string[] | null
}

/** Free slots starting in the window, in start order (INT_R01 / INT_R04). */
export async function findFreeSlots (db: Kysely<Database>, q: FreeSlotQuery): Promise<FhirSlotRecord[]> {
  if (q.rpps !== null && q.rpps.length === 0) return []
  // For a batch of practitioners, SQLite (no statistics) would read every free slot of the window
  // through (status, start_at) and then keep the batch's: 951 ms a search at 1.68 M slots. A
  // unary `+` keeps that index out of the plan, so it reads practitioner by practitioner through
  // (practitioner_id, start_at): 2.4 ms (bench:fhir). PostgreSQL plans it from its statistics.
  const status = q.rpps !== null && !isPostgres(db) ? sql<SlotRow['status']>`+slots.status` : sql.ref<SlotRow['status']>('slots.status')
  let query = slotQuery(db)
    .where('slots.start_at', '>=', q.from)
    .where('slots.start_at', '<=', q.to)
    .where('slots.start_at', '>', q.now)
    // A hold past its expiry is free even before the sweeper writes it (as on the live board).
    .where((eb) => eb.or([eb(status, '=', 'free'), lapsedHold(q.now, status)]))
  if (q.rpps !== null) query = query.where('practitioners.rpps', 'in', q.rpps)
  return await query.orderBy('slots.start_at').orderBy('slots.id').execute()
}

/** Slots not withdrawn that have not ended and start before `startBefore` (SMART Scheduling Links). */
export async function findPublishedSlots (db: Kysely<Database>, q: { now: string, startBefore: string }): Promise<FhirSlotRecord[]> {
  return await slotQuery(db)
    .where('slots.end_at', '>', q.now)
    .where('slots.start_at', '<', q.startBefore)
    .where('slots.status', '!=', 'withdrawn')
    .orderBy('slots.start_at').orderBy('slots.id')
    .execute()
}

/**
 * Every CPTS by id, with what its HealthcareService and Organization need (a few tens of rows,
 * read once per search): the CPTS a slot is offered to besides its own are named by id only.
 */
export async function cptsDirectory (db: Kysely<Database>): Promise<Map<string, CptsDirectoryEntry>> {
  const rows = await db.selectFrom('cpts').select(['id as cpts_id', 'name as cpts_name', 'finess', 'phone as cpts_phone']).execute()
  return new Map(rows.map((r) => [r.cpts_id, r]))
}

/** A CPTS as the directory lists it: a FINESS makes it known to the SAS platform (CptsRecord). */
export type CptsDirectoryEntry = Omit<CptsRecord, 'finess'> & { finess: string | null }

/**
 * The zone that reads instants sent without an offset: the territories' zone when they all
 * share one, else Europe/Paris (the SAS platform's own).
 */
export async function defaultZone (db: Kysely<Database>): Promise<string> {
  const zones = await db.selectFrom('cpts').select('timezone').distinct().limit(2).execute()
  return zones.length === 1 && zones[0] !== undefined ? zones[0].timezone : 'Europe/Paris'
}
