// Frozen in time: this migration must never import application code.
import { sql, type Kysely } from 'kysely'
import { isPostgres } from '../dialect.js'

/**
 * Several places and several CPTS for one practitioner (issue 21, the SAS kit's
 * `multi_lieux_group` and `single_practitioner_multiple_cpts`; docs/plans/places-and-cpts.md):
 * - `practitioner_places`: where a practitioner consults (address, commune, IdNat_Struct, an
 *   optional phone). Exactly one home place per practitioner (a partial unique index). The place
 *   backfilled here takes the practitioner's user id as its id, so that the FHIR ids already
 *   given to the SAS (`Schedule/<id>`, `PractitionerRole/<id>`) do not change; places created
 *   later get ids of their own.
 * - `cpts_memberships`: every CPTS a practitioner belongs to; `users.cpts_id` stays the home one.
 * - `slot_offers`: the CPTS a slot is offered to besides its own `slots.cpts_id` (never the own
 *   one). No cascade: a slot's offers are deleted before the slot.
 * - `slots.place_id`: the slot's place. Nullable only because SQLite cannot add a NOT NULL column
 *   without rebuilding `slots` and its triggers; every writer sets it.
 * `practitioners.address…structure_id` stay, as a copy of the home place, until every reader
 * has moved to the places.
 */
export async function up (db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) {
    // The migrator runs each migration of PostgreSQL in a transaction of its own already.
    await create(db, true)
  } else {
    await db.transaction().execute(async (trx) => { await create(trx, false) })
  }
}

async function create (trx: Kysely<any>, pg: boolean): Promise<void> {
  await trx.schema.createTable('practitioner_places')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('practitioner_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('postal_code', 'text', (c) => c.notNull())
    .addColumn('commune', 'text', (c) => c.notNull())
    .addColumn('commune_code', 'text', (c) => c.notNull())
    .addColumn('structure_id', 'text')
    .addColumn('phone', 'text')
    .addColumn('is_home', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('archived_at', 'text')
    .execute()
  await trx.schema.createIndex('practitioner_places_practitioner').on('practitioner_places').column('practitioner_id').execute()
  await trx.schema.createIndex('practitioner_places_commune').on('practitioner_places').column('commune_code').execute()
  await trx.schema.createIndex('practitioner_places_home').on('practitioner_places').column('practitioner_id').unique()
    .where(sql.ref('is_home'), '=', 1).execute()

  await trx.schema.createTable('cpts_memberships')
    .addColumn('practitioner_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('cpts_id', 'text', (c) => c.notNull().references('cpts.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('cpts_memberships_pk', ['practitioner_id', 'cpts_id'])
    .execute()
  await trx.schema.createIndex('cpts_memberships_cpts').on('cpts_memberships').column('cpts_id').execute()

  await trx.schema.createTable('slot_offers')
    .addColumn('slot_id', 'text', (c) => c.notNull().references('slots.id'))
    .addColumn('cpts_id', 'text', (c) => c.notNull().references('cpts.id'))
    .addPrimaryKeyConstraint('slot_offers_pk', ['slot_id', 'cpts_id'])
    .execute()
  await trx.schema.createIndex('slot_offers_cpts').on('slot_offers').columns(['cpts_id', 'slot_id']).execute()

  await trx.schema.alterTable('slots').addColumn('place_id', 'text', (c) => c.references('practitioner_places.id')).execute()

  // Backfill, the same SQL on both engines: each practitioner's practice becomes their home
  // place (id = user id, label = commune), their CPTS their one membership, their slots' place.
  await sql`INSERT INTO practitioner_places
      (id, practitioner_id, label, address, postal_code, commune, commune_code, structure_id, phone, is_home, created_at, archived_at)
    SELECT p.user_id, p.user_id, p.commune, p.address, p.postal_code, p.commune, p.commune_code, p.structure_id, NULL, 1, u.created_at, NULL
    FROM practitioners p JOIN users u ON u.id = p.user_id`.execute(trx)
  await sql`INSERT INTO cpts_memberships (practitioner_id, cpts_id, created_at)
    SELECT u.id, u.cpts_id, u.created_at FROM users u JOIN practitioners p ON p.user_id = u.id
    WHERE u.cpts_id IS NOT NULL`.execute(trx)
  // No version bump: a calendar feed's SEQUENCE does not move for a column it does not show.
  // PostgreSQL's rollup statement trigger would read every slot's transition rows for a column
  // no rollup reads: off for this statement (SQLite's is `UPDATE OF` the rollup columns).
  if (pg) await sql`ALTER TABLE slots DISABLE TRIGGER slots_rollup_update`.execute(trx)
  // (A slot whose author has no practitioner profile, which only a hand-made database holds,
  // keeps no place.)
  await sql`UPDATE slots SET place_id = practitioner_id
    WHERE EXISTS (SELECT 1 FROM practitioner_places pp WHERE pp.id = slots.practitioner_id)`.execute(trx)
  if (pg) await sql`ALTER TABLE slots ENABLE TRIGGER slots_rollup_update`.execute(trx)
}

export async function down (db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('slots').dropColumn('place_id').execute()
  await db.schema.dropTable('slot_offers').execute()
  await db.schema.dropTable('cpts_memberships').execute()
  await db.schema.dropTable('practitioner_places').execute()
}
