// Frozen in time: this migration must never import application code.
import type { Kysely } from 'kysely'

/**
 * Pro Santé Connect sign-in (issue 22).
 * - `psc_logins`: one row per sign-in under way at PSC, keyed by the sha256 of its `state`, tied
 *   to the browser that started it (sha256 of a cookie), with the `nonce` and PKCE verifier the
 *   callback checks. The callback deletes the row it uses: a callback works once.
 * - `sessions.via_psc`: the session was opened through PSC (sign-out then also ends PSC's).
 * - `users.psc_linked_at`: when the account first signed in through PSC (the account link).
 */
export async function up (db: Kysely<any>): Promise<void> {
  await db.schema.createTable('psc_logins')
    .addColumn('state_hash', 'text', (c) => c.primaryKey())
    .addColumn('browser_hash', 'text', (c) => c.notNull())
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('code_verifier', 'text', (c) => c.notNull())
    .addColumn('redirect_uri', 'text', (c) => c.notNull())
    .addColumn('return_to', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('psc_logins_expires').on('psc_logins').column('expires_at').execute()
  await db.schema.alterTable('sessions').addColumn('via_psc', 'integer', (c) => c.notNull().defaultTo(0)).execute()
  await db.schema.alterTable('users').addColumn('psc_linked_at', 'text').execute()
}

export async function down (db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').dropColumn('psc_linked_at').execute()
  await db.schema.alterTable('sessions').dropColumn('via_psc').execute()
  await db.schema.dropTable('psc_logins').execute()
}
