// Frozen in time: this migration must never import application code.
import { createHash } from 'node:crypto'
import { sql, type Kysely } from 'kysely'
import { isPostgres } from '../dialect.js'

/**
 * A tamper-evident audit log (issue 24): each entry carries its place in a chain (`chain_seq`,
 * 1, 2, 3… with no gap), the hash of the entry before it (`prev_hash`) and its own `hash`, the
 * SHA-256 of `prev_hash` and of its canonical content (see server/features/audit/audit-chain.ts,
 * whose `chainHash` this file copies, and the PostgreSQL function below). `audit_chain_head`
 * (one row) holds the last seq and hash, so that deleting the last entries shows too.
 *
 * Order under concurrent writers: on SQLite one transaction writes at a time, and the
 * application chains each entry as it inserts it. On PostgreSQL several instances append at
 * once: an entry is inserted unchained, and a deferred constraint trigger chains it when its
 * transaction commits: it locks the head row (FOR UPDATE), so chain order is commit order, and it
 * runs after every other statement of the transaction, so the head is always the LAST lock taken
 * (CONTRIBUTING, "Several instances"): it never waits while holding another one, and so can be
 * part of no deadlock. The UPDATE it makes is the only one the append-only trigger lets through:
 * filling in the chain of an entry not yet chained, its content unchanged.
 *
 * Existing entries are chained here, in id order.
 */
export const GENESIS = '0'.repeat(64)
const REFUSE = 'audit_log is append-only'
const FIELDS = ['at', 'user_id', 'action', 'subject_type', 'subject_id', 'ip', 'detail'] as const

const field = (v: string | null): string => v === null ? '-' : `${Buffer.byteLength(v, 'utf8')}:${v}`

function chainHash (prev: string, seq: number, row: Record<string, unknown>): string {
  const body = [String(seq), ...FIELDS.map((f) => row[f] === null || row[f] === undefined ? null : String(row[f]))].map(field).join('|')
  return createHash('sha256').update(prev + '|' + body, 'utf8').digest('hex')
}

export async function up (db: Kysely<any>): Promise<void> {
  const pg = isPostgres(db)
  const run = async (trx: Kysely<any>): Promise<void> => {
    await trx.schema.alterTable('audit_log').addColumn('chain_seq', pg ? 'bigint' : 'integer').execute()
    await trx.schema.alterTable('audit_log').addColumn('prev_hash', 'text').execute()
    await trx.schema.alterTable('audit_log').addColumn('hash', 'text').execute()
    await trx.schema.createIndex('audit_log_chain_seq').unique().on('audit_log').column('chain_seq').execute()
    await trx.schema.createTable('audit_chain_head')
      .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
      .addColumn('seq', pg ? 'bigint' : 'integer', (c) => c.notNull())
      .addColumn('hash', 'text', (c) => c.notNull())
      .execute()

    await sql.raw(pg ? 'DROP TRIGGER audit_log_no_update ON audit_log' : 'DROP TRIGGER audit_log_no_update').execute(trx)
    const rows = await trx.selectFrom('audit_log').selectAll().orderBy('id').execute()
    let prev = GENESIS
    let seq = 0
    for (const row of rows) {
      seq++
      const hash = chainHash(prev, seq, row)
      await trx.updateTable('audit_log').set({ chain_seq: seq, prev_hash: prev, hash }).where('id', '=', row.id).execute()
      prev = hash
    }
    await trx.insertInto('audit_chain_head').values({ id: 1, seq, hash: prev }).execute()

    if (!pg) {
      await sql.raw(`CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, '${REFUSE}'); END`).execute(trx)
      return
    }
    await sql.raw(`CREATE FUNCTION audit_log_update_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF OLD.hash IS NULL AND NEW.hash IS NOT NULL
          AND (NEW.id, NEW.at, NEW.user_id, NEW.action, NEW.subject_type, NEW.subject_id, NEW.ip, NEW.detail)
            IS NOT DISTINCT FROM (OLD.id, OLD.at, OLD.user_id, OLD.action, OLD.subject_type, OLD.subject_id, OLD.ip, OLD.detail)
        THEN RETURN NEW; END IF;
        RAISE EXCEPTION '${REFUSE}' USING ERRCODE = 'restrict_violation';
      END $$`).execute(trx)
    await sql`CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_update_guard()`.execute(trx)
    // The canonical content, as chainHash above: each field as <UTF-8 length>:<text>, or - for NULL, joined by |.
    await sql`CREATE FUNCTION audit_chain_field(v text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
      SELECT CASE WHEN v IS NULL THEN '-' ELSE octet_length(v)::text || ':' || v END $$`.execute(trx)
    await sql`CREATE FUNCTION audit_log_chain() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE head record; h text;
      BEGIN
        SELECT seq, hash INTO head FROM audit_chain_head WHERE id = 1 FOR UPDATE;
        h := encode(sha256(convert_to(head.hash || '|' || concat_ws('|',
          audit_chain_field((head.seq + 1)::text), audit_chain_field(NEW.at), audit_chain_field(NEW.user_id),
          audit_chain_field(NEW.action), audit_chain_field(NEW.subject_type), audit_chain_field(NEW.subject_id),
          audit_chain_field(NEW.ip), audit_chain_field(NEW.detail)), 'UTF8')), 'hex');
        UPDATE audit_log SET chain_seq = head.seq + 1, prev_hash = head.hash, hash = h WHERE id = NEW.id;
        UPDATE audit_chain_head SET seq = head.seq + 1, hash = h WHERE id = 1;
        RETURN NULL;
      END $$`.execute(trx)
    await sql`CREATE CONSTRAINT TRIGGER audit_log_chain AFTER INSERT ON audit_log
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION audit_log_chain()`.execute(trx)
  }
  // The migrator runs each migration of PostgreSQL in a transaction of its own already.
  if (pg) await run(db)
  else await db.transaction().execute(run)
}

export async function down (db: Kysely<any>): Promise<void> {
  const pg = isPostgres(db)
  const run = async (trx: Kysely<any>): Promise<void> => {
    if (pg) {
      await sql`DROP TRIGGER audit_log_chain ON audit_log`.execute(trx)
      await sql`DROP FUNCTION audit_log_chain()`.execute(trx)
      await sql`DROP FUNCTION audit_chain_field(text)`.execute(trx)
      await sql`DROP TRIGGER audit_log_no_update ON audit_log`.execute(trx)
      await sql`DROP FUNCTION audit_log_update_guard()`.execute(trx)
      await sql`CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()`.execute(trx)
    }
    await trx.schema.dropTable('audit_chain_head').execute()
    await trx.schema.dropIndex('audit_log_chain_seq').execute()
    for (const c of ['hash', 'prev_hash', 'chain_seq']) await trx.schema.alterTable('audit_log').dropColumn(c).execute()
  }
  if (pg) await run(db)
  else await db.transaction().execute(run)
}
