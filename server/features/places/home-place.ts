/**
 * A practitioner's home place (migration 0019) and the copy of it that `practitioners` still
 * keeps (address, postal code, commune, IdNat_Struct) until every reader reads places: both are
 * written here only, in the caller's transaction, so they cannot drift apart.
 */
import type { Transaction, Updateable } from 'kysely'
import type { Database, PractitionersTable } from '../../../db/types.js'

type Db = Transaction<Database>

export interface HomePlace {
  address: string
  postalCode: string
  commune: string
  communeCode: string
  structureId: string | null
}

/**
 * The place and CPTS membership a new practitioner account starts with. The place takes the
 * account's id as its own, as the places backfilled by 0019 did: one practitioner, one place,
 * the same FHIR `PractitionerRole`/`Schedule` id as before places existed.
 */
export async function insertHomePlace (db: Db, practitionerId: string, place: HomePlace, cptsId: string | null, nowIso: string): Promise<void> {
  await db.insertInto('practitioner_places').values({
    id: practitionerId, practitioner_id: practitionerId, label: place.commune, address: place.address,
    postal_code: place.postalCode, commune: place.commune, commune_code: place.communeCode,
    structure_id: place.structureId, phone: null, is_home: 1, created_at: nowIso, archived_at: null
  }).execute()
  if (cptsId !== null) {
    await db.insertInto('cpts_memberships').values({ practitioner_id: practitionerId, cpts_id: cptsId, created_at: nowIso }).execute()
  }
}

/** Applies an edit of the practitioner's practice fields to their home place too. */
export async function mirrorToHomePlace (db: Db, practitionerId: string, set: Updateable<PractitionersTable>): Promise<void> {
  const place: Updateable<Database['practitioner_places']> = {}
  if (set.address !== undefined) place.address = set.address
  if (set.postal_code !== undefined) place.postal_code = set.postal_code
  if (set.commune !== undefined) place.commune = set.commune
  if (set.commune_code !== undefined) place.commune_code = set.commune_code
  if (set.structure_id !== undefined) place.structure_id = set.structure_id
  if (Object.keys(place).length === 0) return
  await db.updateTable('practitioner_places').set(place)
    .where('practitioner_id', '=', practitionerId).where('is_home', '=', 1).execute()
}
