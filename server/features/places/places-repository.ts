import { sql, type Insertable, type Kysely, type Selectable, type Updateable } from 'kysely'
import type { Database, PractitionerPlacesTable } from '../../../db/types.js'
import type { Place } from '../../../shared/schemas/places.js'

export type PlaceRow = Selectable<PractitionerPlacesTable>

export const toPlace = (r: PlaceRow): Place => ({
  id: r.id,
  label: r.label,
  address: r.address,
  postalCode: r.postal_code,
  commune: r.commune,
  communeCode: r.commune_code,
  phone: r.phone,
  structureId: r.structure_id,
  home: r.is_home === 1
})

const byLabel = new Intl.Collator('fr', { sensitivity: 'base', numeric: true })

/**
 * The active places of some practitioners (all when `practitionerIds` is undefined): each one's
 * home place first, then by label in French order (the same on both engines, whatever their collation).
 */
export async function activePlaces (db: Kysely<Database>, practitionerIds?: readonly string[]): Promise<PlaceRow[]> {
  if (practitionerIds?.length === 0) return []
  let q = db.selectFrom('practitioner_places').selectAll().where('archived_at', 'is', null)
  if (practitionerIds !== undefined) q = q.where('practitioner_id', 'in', [...practitionerIds])
  const rows = await q.execute()
  return rows.sort((a, b) => (a.practitioner_id < b.practitioner_id ? -1 : a.practitioner_id > b.practitioner_id ? 1 : 0) ||
    b.is_home - a.is_home || byLabel.compare(a.label, b.label) || (a.id < b.id ? -1 : 1))
}

/** One active place of one practitioner. */
export async function findActivePlace (db: Kysely<Database>, practitionerId: string, placeId: string): Promise<PlaceRow | undefined> {
  return await db.selectFrom('practitioner_places').selectAll()
    .where('id', '=', placeId).where('practitioner_id', '=', practitionerId).where('archived_at', 'is', null)
    .executeTakeFirst()
}

export async function insertPlace (db: Kysely<Database>, row: Insertable<PractitionerPlacesTable>): Promise<void> {
  await db.insertInto('practitioner_places').values(row).execute()
}

/** The columns a slot's LOCATION is written from (the feed's SEQUENCE rises when one changes). */
const LOCATION_COLUMNS = ['address', 'postal_code', 'commune'] as const

/** Writes a place's columns; an edit of its address also counts a revision (migration 0024). */
export async function updatePlaceRow (db: Kysely<Database>, placeId: string, set: Updateable<PractitionerPlacesTable>, now: Date): Promise<void> {
  if (Object.keys(set).length === 0) return
  const moved = LOCATION_COLUMNS.some((c) => set[c] !== undefined)
  await db.updateTable('practitioner_places')
    .set(moved ? { ...set, revision: sql<number>`revision + 1`, revised_at: now.toISOString() } : set)
    .where('id', '=', placeId).execute()
}

/**
 * Makes a place the practitioner's home place: the former one first loses it (the partial
 * unique index allows one home place per practitioner at any time).
 */
export async function setHomePlace (db: Kysely<Database>, practitionerId: string, placeId: string): Promise<void> {
  await db.updateTable('practitioner_places').set({ is_home: 0 })
    .where('practitioner_id', '=', practitionerId).where('is_home', '=', 1).where('id', '!=', placeId).execute()
  await db.updateTable('practitioner_places').set({ is_home: 1 }).where('id', '=', placeId).execute()
}

/** How many slots still to come (not withdrawn) are published at a place. */
export async function futureSlotsAt (db: Kysely<Database>, placeId: string, nowIso: string): Promise<number> {
  const r = await db.selectFrom('slots').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('place_id', '=', placeId).where('end_at', '>', nowIso).where('status', '!=', 'withdrawn')
    .executeTakeFirstOrThrow()
  return Number(r.n)
}

/** The CPTS some practitioners are members of (all when undefined), by practitioner. */
export async function membershipsOf (db: Kysely<Database>, practitionerIds?: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>()
  if (practitionerIds?.length === 0) return out
  let q = db.selectFrom('cpts_memberships').select(['practitioner_id', 'cpts_id'])
  if (practitionerIds !== undefined) q = q.where('practitioner_id', 'in', [...practitionerIds])
  for (const r of await q.orderBy('practitioner_id').orderBy('cpts_id').execute()) {
    out.set(r.practitioner_id, [...(out.get(r.practitioner_id) ?? []), r.cpts_id])
  }
  return out
}

/**
 * How many of a practitioner's slots still to come (not withdrawn) are offered to a CPTS: as
 * their own CPTS or as an extra one (slot_offers).
 */
export async function futureSlotsOfferedTo (db: Kysely<Database>, practitionerId: string, cptsId: string, nowIso: string): Promise<number> {
  const r = await db.selectFrom('slots').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('practitioner_id', '=', practitionerId).where('end_at', '>', nowIso).where('status', '!=', 'withdrawn')
    .where((eb) => eb.or([
      eb('slots.cpts_id', '=', cptsId),
      eb.exists(eb.selectFrom('slot_offers').select('slot_offers.slot_id')
        .whereRef('slot_offers.slot_id', '=', 'slots.id').where('slot_offers.cpts_id', '=', cptsId))
    ]))
    .executeTakeFirstOrThrow()
  return Number(r.n)
}

/** Sets a practitioner's memberships to exactly `cptsIds` (the ones kept keep their date). */
export async function replaceMemberships (db: Kysely<Database>, practitionerId: string, cptsIds: readonly string[], now: Date): Promise<{ added: string[], removed: string[] }> {
  const current = (await membershipsOf(db, [practitionerId])).get(practitionerId) ?? []
  const removed = current.filter((id) => !cptsIds.includes(id))
  const added = cptsIds.filter((id) => !current.includes(id))
  if (removed.length > 0) {
    await db.deleteFrom('cpts_memberships').where('practitioner_id', '=', practitionerId).where('cpts_id', 'in', removed).execute()
  }
  if (added.length > 0) {
    await db.insertInto('cpts_memberships')
      .values(added.map((cptsId) => ({ practitioner_id: practitionerId, cpts_id: cptsId, created_at: now.toISOString() }))).execute()
  }
  return { added, removed }
}
