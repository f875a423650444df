// Frozen in time: this migration must never import application code.
import { sql, type Kysely } from 'kysely'
import { isPostgres } from '../dialect.js'

/**
 * A slot offered to several CPTS (migration 0019: its own CPTS `slots.cpts_id`, plus the extras
 * of `slot_offers`) counts once in the territory's figures (0012's rollups, keyed by its own
 * CPTS, untouched) and in each CPTS's own figures: report_offer_days counts the slots offered to
 * an extra CPTS, with the keys and counters of report_practitioner_days (`cpts_id` = the extra
 * CPTS). A CPTS's report reads both rollups.
 * Kept exact by triggers, written in the shape of 0012's (same upsert):
 * - `slot_offers` AFTER INSERT: +1 per offer, from its slot's current columns; AFTER DELETE: −1
 *   (the slot still exists: slot_offers → slots has no cascade, offers are deleted first);
 * - `slots` AFTER UPDATE: for each offer of the slot, the new row's contribution minus the old
 *   one's. A slot INSERT or DELETE writes nothing (its offers come after it, go before it).
 * SQLite runs row triggers (the slots one only when the slot has offers); PostgreSQL statement
 * triggers over the transition tables joined to the other table (a statement never writes both:
 * offers are immutable once published), one upsert per statement, keys locked in sorted order.
 */

/** The columns of a slot the rollup reads (0012's, but for those of the day-hour and lead rollups). */
const SLOT_COLUMNS = ['local_date', 'iso_week', 'kind', 'practitioner_id', 'status', 'booking_status', 'booking_has_treating_gp'] as const

const is = (expr: string): string => `CASE WHEN ${expr} THEN 1 ELSE 0 END`

interface Rollup {
  table: string
  /** Primary key: column → expression over the source row `s`. */
  keys: Record<string, string>
  /** Counters: column → a slot's contribution (multiplied by its sign). */
  counters: Record<string, string>
  where: string
}

const ROLLUP: Rollup = {
  table: 'report_offer_days',
  keys: { practitioner_id: 's.practitioner_id', cpts_id: 's.cpts_id', kind: 's.kind', iso_week: 's.iso_week', local_date: 's.local_date' },
  counters: {
    total: '1',
    withdrawn: is("s.status = 'withdrawn'"),
    booked: is("s.status = 'booked'"),
    honored: is("s.booking_status = 'honored'"),
    no_show: is("s.booking_status = 'no_show'"),
    without_gp: is("s.booking_has_treating_gp = 'no'")
  },
  where: 's.local_date IS NOT NULL'
}

/** Adds the source rows' signed contributions to the rollup (`source` selects SLOT_COLUMNS, `cpts_id` and `sign`). 0012's. */
function upsert (r: Rollup, source: string): string {
  const keys = Object.keys(r.keys)
  const counters = Object.keys(r.counters)
  const keyExprs = keys.map((k) => r.keys[k]!)
  const sums = counters.map((c) => `sum(s.sign * ${r.counters[c]!})`)
  return `INSERT INTO ${r.table} (${[...keys, ...counters].join(', ')})
    SELECT ${[...keyExprs.map((e, i) => `${e} AS ${keys[i]!}`), ...sums.map((e, i) => `${e} AS ${counters[i]!}`)].join(', ')}
    FROM (${source}) AS s
    WHERE ${r.where}
    GROUP BY ${keyExprs.join(', ')}
    HAVING ${sums.map((e) => `${e} <> 0`).join(' OR ')}
    ORDER BY ${keyExprs.join(', ')}
    ON CONFLICT (${keys.join(', ')}) DO UPDATE SET ${counters.map((c) => `${c} = ${r.table}.${c} + excluded.${c}`).join(', ')};`
}

/** The offered CPTS `cpts` of the slot `slot` (row or alias), signed. */
const offered = (slot: string, cpts: string, sign: 1 | -1): string =>
  `SELECT ${SLOT_COLUMNS.map((c) => `${slot}.${c} AS ${c}`).join(', ')}, ${cpts} AS cpts_id, ${sign} AS sign`

const TRIGGERS = {
  // SQLite: one row, NEW or OLD; PostgreSQL: a transition table joined to the other side.
  slot_offers_rollup_insert: {
    table: 'slot_offers',
    event: 'INSERT',
    sqlite: [`${offered('s', 'NEW.cpts_id', 1)} FROM slots s WHERE s.id = NEW.slot_id`],
    pg: [`${offered('s', 'o.cpts_id', 1)} FROM new_rows o JOIN slots s ON s.id = o.slot_id`],
    referencing: 'NEW TABLE AS new_rows'
  },
  slot_offers_rollup_delete: {
    table: 'slot_offers',
    event: 'DELETE',
    sqlite: [`${offered('s', 'OLD.cpts_id', -1)} FROM slots s WHERE s.id = OLD.slot_id`],
    pg: [`${offered('s', 'o.cpts_id', -1)} FROM old_rows o JOIN slots s ON s.id = o.slot_id`],
    referencing: 'OLD TABLE AS old_rows'
  },
  slots_offer_rollup_update: {
    table: 'slots',
    event: 'UPDATE',
    sqlite: [
      `${offered('NEW', 'o.cpts_id', 1)} FROM slot_offers o WHERE o.slot_id = NEW.id`,
      `${offered('OLD', 'o.cpts_id', -1)} FROM slot_offers o WHERE o.slot_id = OLD.id`
    ],
    pg: [
      `${offered('n', 'o.cpts_id', 1)} FROM new_rows n JOIN slot_offers o ON o.slot_id = n.id`,
      `${offered('d', 'o.cpts_id', -1)} FROM old_rows d JOIN slot_offers o ON o.slot_id = d.id`
    ],
    referencing: 'OLD TABLE AS old_rows NEW TABLE AS new_rows'
  }
} as const

const body = (sources: readonly string[]): string => upsert(ROLLUP, sources.join(' UNION ALL '))

export async function up (db: Kysely<any>): Promise<void> {
  const pg = isPostgres(db)
  if (pg) {
    // The migrator runs each migration of PostgreSQL in a transaction of its own already.
    await create(db, true)
  } else {
    // SQLite's DDL is transactional: table, backfill and triggers commit together.
    await db.transaction().execute(async (trx) => { await create(trx, false) })
  }
}

async function create (trx: Kysely<any>, pg: boolean): Promise<void> {
  const keys = Object.keys(ROLLUP.keys)
  let t = trx.schema.createTable('report_offer_days')
  for (const k of keys) t = t.addColumn(k, 'text', (c) => c.notNull())
  for (const n of Object.keys(ROLLUP.counters)) t = t.addColumn(n, 'integer', (c) => c.notNull().defaultTo(0))
  await t.addPrimaryKeyConstraint('report_offer_days_pk', keys as any).execute()
  await trx.schema.createIndex('report_offer_days_cpts').on('report_offer_days').columns(['cpts_id', 'local_date']).execute()

  // Backfill: every offer already there, once.
  await sql.raw(upsert(ROLLUP, `${offered('s', 'o.cpts_id', 1)} FROM slot_offers o JOIN slots s ON s.id = o.slot_id`)).execute(trx)

  for (const [name, e] of Object.entries(TRIGGERS)) {
    if (pg) {
      await sql.raw(`CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN ${body(e.pg)} RETURN NULL; END $$`).execute(trx)
      await sql.raw(`CREATE TRIGGER ${name} AFTER ${e.event} ON ${e.table} REFERENCING ${e.referencing}
        FOR EACH STATEMENT EXECUTE FUNCTION ${name}()`).execute(trx)
    } else if (e.table === 'slots') {
      // An UPDATE of none of the columns read, or of a slot offered to no other CPTS, never runs it.
      await sql.raw(`CREATE TRIGGER ${name} AFTER UPDATE OF ${SLOT_COLUMNS.join(', ')} ON slots
        WHEN EXISTS (SELECT 1 FROM slot_offers WHERE slot_id = NEW.id) BEGIN ${body(e.sqlite)} END`).execute(trx)
    } else {
      await sql.raw(`CREATE TRIGGER ${name} AFTER ${e.event} ON ${e.table} BEGIN ${body(e.sqlite)} END`).execute(trx)
    }
  }
}

export async function down (db: Kysely<any>): Promise<void> {
  const pg = isPostgres(db)
  for (const [name, e] of Object.entries(TRIGGERS)) {
    if (pg) {
      await sql`DROP TRIGGER ${sql.id(name)} ON ${sql.id(e.table)}`.execute(db)
      await sql`DROP FUNCTION ${sql.id(name)}()`.execute(db)
    } else {
      await sql`DROP TRIGGER ${sql.id(name)}`.execute(db)
    }
  }
  await db.schema.dropTable('report_offer_days').execute()
}
