// Frozen in time: this migration must never import application code.
import { sql, type Kysely } from 'kysely'

/**
 * The national identifier of a health professional's account, IDNPS (`8` + RPPS for a holder of
 * an RPPS number), as Pro Santé Connect returns it (its `sub`/`SubjectNameID`) and as the SAS
 * platform names a regulator it provisions (INT_R02). An account is found by it, never by name
 * or e-mail. Optional: the first admin, the board and regulators known only by a SAS UUID have
 * none. Unique among the accounts still active, so that an IDNPS can pass to a new account once
 * the old one is deactivated. Practitioners get theirs from their RPPS.
 */
export async function up (db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').addColumn('idnps', 'text').execute()
  await sql`UPDATE users SET idnps = '8' || (SELECT p.rpps FROM practitioners p WHERE p.user_id = users.id)
    WHERE EXISTS (SELECT 1 FROM practitioners p WHERE p.user_id = users.id)`.execute(db)
  await db.schema.createIndex('users_idnps_active').on('users').column('idnps').unique()
    .where(sql.ref('disabled_at'), 'is', null).execute()
}

export async function down (db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('users_idnps_active').execute()
  await db.schema.alterTable('users').dropColumn('idnps').execute()
}
