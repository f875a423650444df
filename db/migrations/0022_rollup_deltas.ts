// Frozen in time: this migration must never import application code.
import { sql, type Kysely } from 'kysely'
import { isPostgres } from '../dialect.js'

/**
 * Rollup counters locked in one ordered step (issue 24), PostgreSQL only. The rollups' statement
 * triggers (migration 0012) upsert their counter rows in the middle of a change, statement by
 * statement: a booking locked its hour's rows, then its cancellation trigger another hour's, and
 * a move the other way round took them in the opposite order; a hold's release even locked them
 * after the events counter (the `slot.released` trigger of 0003). Under contention PostgreSQL
 * broke those circles as deadlocks (40P01), some three times in a row.
 *
 * Now a transaction may defer its rollups: with `creneaux.rollup_deltas` set to `defer`
 * (`SET LOCAL`, db/rollup-deltas.ts), a BEFORE INSERT trigger on each registered rollup table
 * diverts the rows the triggers upsert into `<rollup>_deltas` (an unlogged table of the same
 * columns, with no key: nothing there is locked or waited for) and skips the upsert. At its end
 * the transaction calls `rollup_apply()`, which sums each rollup's deltas by key and upserts
 * them, rollup tables by name and keys in sorted order, in one step: the last locks it takes
 * before the audit chain's head at commit (CONTRIBUTING, "Several instances"). The triggers
 * themselves do not change: without the setting (imports of old, scripts, psql) they upsert at
 * once as before. Deltas never outlive their transaction (`rollup_apply` deletes what it
 * applies; others' uncommitted deltas are invisible to it).
 *
 * A new rollup joins with one call, after creating its table (primary key = its keys) and
 * triggers: `SELECT rollup_register('<table>', ARRAY[<key columns>], ARRAY[<counter columns>])`.
 * A column added to a registered rollup later is added to its `_deltas` table too.
 * SQLite has one writer at a time and takes no row locks: nothing to do there.
 */

/** The rollups of 0012 (report_day_hours, report_practitioner_days, report_lead_hours), by name. */
const ROLLUPS: Array<{ table: string, keys: string[], counters: string[] }> = [
  { table: 'report_day_hours', keys: ['local_date', 'local_hour', 'kind'], counters: ['total', 'withdrawn', 'booked', 'released'] },
  { table: 'report_lead_hours', keys: ['lead_hour', 'local_date', 'kind'], counters: ['n'] },
  {
    table: 'report_practitioner_days',
    keys: ['practitioner_id', 'cpts_id', 'kind', 'iso_week', 'local_date'],
    counters: ['total', 'withdrawn', 'booked', 'honored', 'no_show', 'without_gp']
  },
  {
    // 0020: a slot's extra CPTS (slot_offers), the same keys and counters.
    table: 'report_offer_days',
    keys: ['practitioner_id', 'cpts_id', 'kind', 'iso_week', 'local_date'],
    counters: ['total', 'withdrawn', 'booked', 'honored', 'no_show', 'without_gp']
  }
]

const text = (xs: string[]): string => `ARRAY[${xs.map((x) => `'${x}'`).join(', ')}]::text[]`

export async function up (db: Kysely<any>): Promise<void> {
  // The migrator runs each migration of PostgreSQL in a transaction of its own already.
  if (!isPostgres(db)) return
  await sql`CREATE TABLE rollup_tables (name text PRIMARY KEY, apply_sql text NOT NULL)`.execute(db)

  // Diverts a rollup's upserted row into its deltas when the transaction defers its rollups.
  await sql`CREATE FUNCTION rollup_divert() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF current_setting('creneaux.rollup_deltas', true) IS DISTINCT FROM 'defer' THEN RETURN NEW; END IF;
      EXECUTE format('INSERT INTO %I.%I SELECT ($1).*', TG_TABLE_SCHEMA, TG_TABLE_NAME || '_deltas') USING NEW;
      RETURN NULL;
    END $$`.execute(db)

  // Registers a rollup: its deltas table, the diverting trigger, and the statement that applies its deltas.
  await sql`CREATE FUNCTION rollup_register(tbl text, keys text[], counters text[]) RETURNS void LANGUAGE plpgsql AS $$
    DECLARE
      k text := array_to_string(ARRAY(SELECT quote_ident(x) FROM unnest(keys) AS x), ', ');
      c text := array_to_string(ARRAY(SELECT quote_ident(x) FROM unnest(counters) AS x), ', ');
      sums text := array_to_string(ARRAY(SELECT format('sum(%I)', x) FROM unnest(counters) AS x), ', ');
      moved text := array_to_string(ARRAY(SELECT format('sum(%I) <> 0', x) FROM unnest(counters) AS x), ' OR ');
      adds text := array_to_string(ARRAY(SELECT format('%1$I = %2$I.%1$I + excluded.%1$I', x, tbl) FROM unnest(counters) AS x), ', ');
    BEGIN
      EXECUTE format('CREATE UNLOGGED TABLE %I (LIKE %I)', tbl || '_deltas', tbl);
      EXECUTE format('CREATE TRIGGER %I BEFORE INSERT ON %I FOR EACH ROW EXECUTE FUNCTION rollup_divert()', tbl || '_divert', tbl);
      INSERT INTO rollup_tables (name, apply_sql) VALUES (tbl, format(
        'WITH d AS (DELETE FROM %I RETURNING *) INSERT INTO %I (%s, %s) SELECT %s, %s FROM d GROUP BY %s HAVING %s ORDER BY %s ON CONFLICT (%s) DO UPDATE SET %s',
        tbl || '_deltas', tbl, k, c, k, sums, k, moved, k, k, adds));
    END $$`.execute(db)

  // Applies every rollup's deltas, tables by name, keys in order; later changes of the transaction apply at once.
  await sql`CREATE FUNCTION rollup_apply() RETURNS void LANGUAGE plpgsql AS $$
    DECLARE s text;
    BEGIN
      PERFORM set_config('creneaux.rollup_deltas', '', true);
      FOR s IN SELECT apply_sql FROM rollup_tables ORDER BY name LOOP EXECUTE s; END LOOP;
    END $$`.execute(db)

  for (const r of ROLLUPS) await sql.raw(`SELECT rollup_register('${r.table}', ${text(r.keys)}, ${text(r.counters)})`).execute(db)
}

export async function down (db: Kysely<any>): Promise<void> {
  if (!isPostgres(db)) return
  const { rows } = await sql<{ name: string }>`SELECT name FROM rollup_tables`.execute(db)
  for (const { name } of rows) {
    await sql`DROP TRIGGER ${sql.id(name + '_divert')} ON ${sql.id(name)}`.execute(db)
    await sql`DROP TABLE ${sql.id(name + '_deltas')}`.execute(db)
  }
  await sql`DROP FUNCTION rollup_apply()`.execute(db)
  await sql`DROP FUNCTION rollup_register(text, text[], text[])`.execute(db)
  await sql`DROP FUNCTION rollup_divert()`.execute(db)
  await sql`DROP TABLE rollup_tables`.execute(db)
}
