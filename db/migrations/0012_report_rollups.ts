// Frozen in time: this migration must never import application code.
import { sql, type Kysely } from 'kysely'
import { isPostgres } from '../dialect.js'

/**
 * Season report at a national scale: three rollup tables, kept exact by triggers on `slots`
 * (so by every writer: live changes, the booking triggers of 0003, imports, retention, any
 * DELETE), backfilled here. The report then reads a few hundred thousand counters instead of
 * millions of slots (docs/performance.md, "Season report at a national scale").
 * - report_day_hours (local date, local hour, kind): days, weeks, heatmap, released holds;
 * - report_practitioner_days (practitioner, CPTS, kind, ISO week, local date): totals,
 *   practitioners and their majoration (weekly cap per ISO week), CPTS, kinds;
 * - report_lead_hours (lead time in whole hours, local date, kind): the lead-time histogram
 *   by the hour; the report refines the hours its percentiles fall in from the slots' own
 *   lead-ordered index (0003), to the minute.
 * Each trigger adds the new row's contribution and subtracts the old one's, grouped by key,
 * and writes only the keys whose counters moved (a hold moves none). SQLite runs row triggers
 * (one writer: no lock order to care about). PostgreSQL runs statement triggers over the
 * transition tables: one upsert per rollup and statement, whatever the number of rows (an
 * import, a withdrawn series), keys locked in sorted order.
 */

/** The columns of a slot a rollup reads, and its sign (+1 new, -1 old). */
const SLOT_COLUMNS = ['local_date', 'local_hour', 'iso_week', 'kind', 'practitioner_id', 'cpts_id', 'status',
  'booking_status', 'booking_has_treating_gp', 'lead_minutes', 'released_holds'] as const

const is = (expr: string): string => `CASE WHEN ${expr} THEN 1 ELSE 0 END`

interface Rollup {
  table: string
  /** Primary key: column → expression over the source row `s`. */
  keys: Record<string, string>
  /** Counters: column → a slot's contribution (multiplied by its sign). */
  counters: Record<string, string>
  where: string
}

const ROLLUPS: Rollup[] = [
  {
    table: 'report_day_hours',
    keys: { local_date: 's.local_date', local_hour: 's.local_hour', kind: 's.kind' },
    counters: { total: '1', withdrawn: is("s.status = 'withdrawn'"), booked: is("s.status = 'booked'"), released: 's.released_holds' },
    where: 's.local_date IS NOT NULL'
  },
  {
    table: 'report_practitioner_days',
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
  },
  {
    table: 'report_lead_hours',
    // Floor division on both engines (their % keeps the dividend's sign).
    keys: { lead_hour: '(s.lead_minutes - (((s.lead_minutes % 60) + 60) % 60)) / 60', local_date: 's.local_date', kind: 's.kind' },
    counters: { n: '1' },
    where: 's.local_date IS NOT NULL AND s.lead_minutes IS NOT NULL'
  }
]

/** Adds the source rows' signed contributions to one rollup (`source` selects SLOT_COLUMNS and `sign`). */
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

/** SQLite: one row, NEW or OLD, as a source. */
const rowSource = (row: 'NEW' | 'OLD'): string =>
  `SELECT ${SLOT_COLUMNS.map((c) => `${row}.${c} AS ${c}`).join(', ')}, ${row === 'NEW' ? 1 : -1} AS sign`
/** PostgreSQL: a transition table as a source. */
const tableSource = (table: 'new_rows' | 'old_rows'): string =>
  `SELECT ${SLOT_COLUMNS.join(', ')}, ${table === 'new_rows' ? 1 : -1} AS sign FROM ${table}`

const EVENTS = {
  insert: { sqlite: [rowSource('NEW')], pg: [tableSource('new_rows')], referencing: 'NEW TABLE AS new_rows' },
  update: { sqlite: [rowSource('NEW'), rowSource('OLD')], pg: [tableSource('new_rows'), tableSource('old_rows')], referencing: 'OLD TABLE AS old_rows NEW TABLE AS new_rows' },
  delete: { sqlite: [rowSource('OLD')], pg: [tableSource('old_rows')], referencing: 'OLD TABLE AS old_rows' }
} as const

const body = (sources: readonly string[]): string => ROLLUPS.map((r) => upsert(r, sources.join(' UNION ALL '))).join('\n')

export async function up (db: Kysely<any>): Promise<void> {
  const pg = isPostgres(db)
  if (pg) {
    // The migrator runs each migration of PostgreSQL in a transaction of its own already.
    await create(db, true)
  } else {
    // SQLite's DDL is transactional: tables, backfill and triggers commit together.
    await db.transaction().execute(async (trx) => { await create(trx, false) })
  }
}

async function create (trx: Kysely<any>, pg: boolean): Promise<void> {
  const counters = async (table: string, names: string[], keys: Array<[string, 'text' | 'integer']>, pk: string[]): Promise<void> => {
    let t = trx.schema.createTable(table)
    for (const [k, type] of keys) t = t.addColumn(k, type, (c) => c.notNull())
    for (const n of names) t = t.addColumn(n, 'integer', (c) => c.notNull().defaultTo(0))
    await t.addPrimaryKeyConstraint(`${table}_pk`, pk as any).execute()
  }
  await counters('report_day_hours', ['total', 'withdrawn', 'booked', 'released'],
    [['local_date', 'text'], ['local_hour', 'integer'], ['kind', 'text']], ['local_date', 'local_hour', 'kind'])
  await counters('report_practitioner_days', ['total', 'withdrawn', 'booked', 'honored', 'no_show', 'without_gp'],
    [['practitioner_id', 'text'], ['cpts_id', 'text'], ['kind', 'text'], ['iso_week', 'text'], ['local_date', 'text']],
    ['practitioner_id', 'cpts_id', 'kind', 'iso_week', 'local_date'])
  await trx.schema.createIndex('report_practitioner_days_cpts').on('report_practitioner_days').columns(['cpts_id', 'local_date']).execute()
  await counters('report_lead_hours', ['n'], [['lead_hour', 'integer'], ['local_date', 'text'], ['kind', 'text']], ['lead_hour', 'local_date', 'kind'])

  // Backfill: every slot already there, once.
  for (const r of ROLLUPS) await sql.raw(upsert(r, `SELECT ${SLOT_COLUMNS.join(', ')}, 1 AS sign FROM slots`)).execute(trx)

  for (const [event, e] of Object.entries(EVENTS)) {
    const name = `slots_rollup_${event}`
    if (pg) {
      await sql.raw(`CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN ${body(e.pg)} RETURN NULL; END $$`).execute(trx)
      await sql.raw(`CREATE TRIGGER ${name} AFTER ${event.toUpperCase()} ON slots REFERENCING ${e.referencing}
        FOR EACH STATEMENT EXECUTE FUNCTION ${name}()`).execute(trx)
    } else {
      // An UPDATE of none of the columns read (a version bump) never runs it; a hold runs it and writes nothing.
      const on = event === 'update' ? `UPDATE OF ${SLOT_COLUMNS.join(', ')}` : event.toUpperCase()
      await sql.raw(`CREATE TRIGGER ${name} AFTER ${on} ON slots BEGIN ${body(e.sqlite)} END`).execute(trx)
    }
  }
}

export async function down (db: Kysely<any>): Promise<void> {
  const pg = isPostgres(db)
  for (const event of Object.keys(EVENTS)) {
    const name = `slots_rollup_${event}`
    if (pg) {
      await sql`DROP TRIGGER ${sql.id(name)} ON slots`.execute(db)
      await sql`DROP FUNCTION ${sql.id(name)}()`.execute(db)
    } else {
      await sql`DROP TRIGGER ${sql.id(name)}`.execute(db)
    }
  }
  for (const t of ['report_lead_hours', 'report_practitioner_days', 'report_day_hours']) await db.schema.dropTable(t).execute()
}
