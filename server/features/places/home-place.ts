/**
 * A practitioner's home place (migration 0019) and the copy of it that `practitioners` still
 * keeps (address, postal code, commune, IdNat_Struct) until every reader reads places: both are
 * written here only, in the caller's transaction, so they cannot drift apart.
 */
import type { Kysely, Transaction } from 'kysely'
import type { Database } from '../../../db/types.js'

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

/**
 * Copies the home place into the practitioner's own address columns, which readers not yet moved
 * to places still read; called after any change of the home place or of which place is home.
 */
export async function copyHomePlace (db: Kysely<Database>, practitionerId: string): Promise<void> {
  const home = await db.selectFrom('practitioner_places').selectAll()
    .where('practitioner_id', '=', practitionerId).where('is_home', '=', 1).executeTakeFirstOrThrow()
  await db.updateTable('practitioners').set({
    address: home.address, postal_code: home.postal_code, commune: home.commune, commune_code: home.commune_code, structure_id: home.structure_id
  }).where('user_id', '=', practitionerId).execute()
}
