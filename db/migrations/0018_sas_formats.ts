// Frozen in time: this migration must never import application code.
import type { Kysely } from 'kysely'

/**
 * What the SAS certification kit expects and we did not keep (issue 21):
 * - `cpts.phone`: the CPTS's phone, which its FHIR Organization carries (`telecom`, INT_R04);
 * - `practitioners.structure_id`: IdNat_Struct of the practice where the practitioner consults
 *   ("1" + FINESS, "3" + SIRET or "4" + RPPS rang), the PractitionerRole's
 *   `organization.identifier`. Both optional: the FHIR output leaves the element out without them.
 */
export async function up (db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('cpts').addColumn('phone', 'text').execute()
  await db.schema.alterTable('practitioners').addColumn('structure_id', 'text').execute()
}

export async function down (db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('practitioners').dropColumn('structure_id').execute()
  await db.schema.alterTable('cpts').dropColumn('phone').execute()
}
