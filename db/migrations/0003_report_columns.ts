// Frozen in time: this migration must never import application code.
import { DateTime } from 'luxon'
import { sql, type Kysely } from 'kysely'
import { isPostgres } from '../dialect.js'

/**
 * Season report: every figure becomes a GROUP BY over one narrow index, with no join and no
 * date arithmetic at read time, so that a season of a million slots is read in well under a
 * second. Each slot carries:
 * - its start read in its CPTS's zone: local date, local hour, ISO week. The application
 *   computes them at insert (luxon); existing slots are backfilled here in JS, because SQL
 *   has no portable time-zone conversion;
 * - facts of its current booking, kept by triggers whoever writes the booking (live booking,
 *   cancellation, outcome, import): status (booked, honored, no_show; null when not booked),
 *   has_treating_gp, and the lead time in whole minutes from booking to start;
 * - how many of its holds ended without a booking (`slot.released` events), kept by a trigger
 *   on the event log.
 * The triggers and the lead time are written in each engine's SQL (SQLite, PostgreSQL).
 */
function localColumns (startAt: string, zone: string): { local_date: string, local_hour: number, iso_week: string } {
  const dt = DateTime.fromISO(startAt, { zone: 'utc' }).setZone(zone)
  if (!dt.isValid) throw new Error(`cannot read slot start ${startAt} in ${zone}`)
  return { local_date: dt.toFormat('yyyy-MM-dd'), local_hour: dt.hour, iso_week: dt.toFormat("kkkk-'W'WW") }
}

const BATCH = 5000
/** Whole minutes from `booked` to the slot's start, rounded half away from zero on both engines. */
const lead = (pg: boolean, booked: string): string => pg
  ? `CAST(round(extract(epoch FROM CAST(slots.start_at AS timestamptz) - CAST(${booked} AS timestamptz)) / 60) AS integer)`
  : `CAST(round((julianday(slots.start_at) - julianday(${booked})) * 1440) AS INTEGER)`

/** What each trigger does, the same on both engines; only the trigger around it differs. */
const ON_BOOKING_INSERT = (LEAD: string): string => `UPDATE slots SET booking_status = NEW.status, booking_has_treating_gp = NEW.has_treating_gp, lead_minutes = ${LEAD}
        WHERE slots.id = NEW.slot_id AND slots.booking_id = NEW.id;`
const ON_BOOKING_UPDATE = (LEAD: string): string => `UPDATE slots SET
          booking_status = CASE WHEN NEW.status = 'cancelled' THEN NULL ELSE NEW.status END,
          booking_has_treating_gp = CASE WHEN NEW.status = 'cancelled' THEN NULL ELSE NEW.has_treating_gp END,
          lead_minutes = CASE WHEN NEW.status = 'cancelled' THEN NULL ELSE ${LEAD} END
        WHERE slots.id = NEW.slot_id AND slots.booking_id = NEW.id;`
const ON_RELEASED = 'UPDATE slots SET released_holds = released_holds + 1 WHERE id = NEW.slot_id;'

export async function up (db: Kysely<any>): Promise<void> {
  if (isPostgres(db)) {
    // The migrator runs each migration of PostgreSQL in a transaction of its own already.
    await upPostgres(db)
    return
  }
  // SQLite's DDL is transactional: columns, backfill, triggers and indexes commit together.
  await db.transaction().execute(async (trx) => {
    await addColumnsAndBackfill(trx, false)
    const LEAD = lead(false, 'NEW.booked_at')

    // The slot's booking facts follow its current booking (slots.booking_id is set before the
    // booking is inserted, and still set when it is cancelled).
    await sql.raw(`CREATE TRIGGER slots_report_booking_insert AFTER INSERT ON bookings WHEN NEW.status <> 'cancelled'
      BEGIN ${ON_BOOKING_INSERT(LEAD)} END`).execute(trx)
    await sql.raw(`CREATE TRIGGER slots_report_booking_update AFTER UPDATE OF status, has_treating_gp, booked_at ON bookings
      BEGIN ${ON_BOOKING_UPDATE(LEAD)} END`).execute(trx)
    await sql.raw(`CREATE TRIGGER slots_report_released AFTER INSERT ON events WHEN NEW.type = 'slot.released'
      BEGIN ${ON_RELEASED} END`).execute(trx)

    await createIndexes(trx)
  })
}

/** Same columns, backfill, triggers and indexes as SQLite's, in PostgreSQL's SQL (plpgsql triggers). */
async function upPostgres (trx: Kysely<any>): Promise<void> {
  await addColumnsAndBackfill(trx, true)
  const LEAD = lead(true, 'NEW.booked_at')
  await sql.raw(`CREATE FUNCTION slots_report_booking_insert() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN ${ON_BOOKING_INSERT(LEAD)} RETURN NULL; END $$`).execute(trx)
  await sql`CREATE TRIGGER slots_report_booking_insert AFTER INSERT ON bookings
    FOR EACH ROW WHEN (NEW.status <> 'cancelled') EXECUTE FUNCTION slots_report_booking_insert()`.execute(trx)
  await sql.raw(`CREATE FUNCTION slots_report_booking_update() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN ${ON_BOOKING_UPDATE(LEAD)} RETURN NULL; END $$`).execute(trx)
  await sql`CREATE TRIGGER slots_report_booking_update AFTER UPDATE OF status, has_treating_gp, booked_at ON bookings
    FOR EACH ROW EXECUTE FUNCTION slots_report_booking_update()`.execute(trx)
  await sql.raw(`CREATE FUNCTION slots_report_released() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN ${ON_RELEASED} RETURN NULL; END $$`).execute(trx)
  await sql`CREATE TRIGGER slots_report_released AFTER INSERT ON events
    FOR EACH ROW WHEN (NEW.type = 'slot.released') EXECUTE FUNCTION slots_report_released()`.execute(trx)
  await createIndexes(trx)
}

/** The report's columns on slots, filled for the slots (and bookings, events) already there. */
async function addColumnsAndBackfill (trx: Kysely<any>, pg: boolean): Promise<void> {
  const add = async (name: string, type: 'text' | 'integer'): Promise<void> => {
    await trx.schema.alterTable('slots').addColumn(name, type).execute()
  }
  await add('local_date', 'text')
  await add('local_hour', 'integer')
  await add('iso_week', 'text')
  await add('booking_status', 'text')
  await add('booking_has_treating_gp', 'text')
  await add('lead_minutes', 'integer')
  await trx.schema.alterTable('slots').addColumn('released_holds', 'integer', (c) => c.notNull().defaultTo(0)).execute()

  let after = ''
  for (;;) {
    const rows: Array<{ id: string, start_at: string, timezone: string }> = await trx.selectFrom('slots')
      .innerJoin('cpts', 'cpts.id', 'slots.cpts_id')
      .select(['slots.id', 'slots.start_at', 'cpts.timezone'])
      .where('slots.id', '>', after).orderBy('slots.id').limit(BATCH).execute()
    for (const r of rows) {
      await trx.updateTable('slots').set(localColumns(r.start_at, r.timezone)).where('id', '=', r.id).execute()
    }
    if (rows.length < BATCH) break
    after = rows[rows.length - 1]!.id
  }
  await sql.raw(`UPDATE slots SET booking_status = b.status, booking_has_treating_gp = b.has_treating_gp,
      lead_minutes = ${lead(pg, 'b.booked_at')}
    FROM bookings AS b WHERE b.id = slots.booking_id AND b.status <> 'cancelled'`).execute(trx)
  await sql`UPDATE slots SET released_holds = (SELECT count(*) FROM events WHERE events.type = 'slot.released' AND events.slot_id = slots.id)
    WHERE id IN (SELECT slot_id FROM events WHERE type = 'slot.released')`.execute(trx)
}

async function createIndexes (trx: Kysely<any>): Promise<void> {
  // Covering indexes, one per pass of the report, in the order of its GROUP BY (no sort).
  // Days and hours, for the instance or one CPTS:
  await trx.schema.createIndex('slots_report_day').on('slots')
    .columns(['local_date', 'local_hour', 'kind', 'status', 'released_holds']).execute()
  await trx.schema.createIndex('slots_report_cpts_day').on('slots')
    .columns(['cpts_id', 'local_date', 'local_hour', 'kind', 'status', 'released_holds']).execute()
  // Practitioners by ISO week (majoration), with their bookings' facts:
  await trx.schema.createIndex('slots_report_week').on('slots')
    .columns(['iso_week', 'practitioner_id', 'cpts_id', 'kind', 'local_date', 'status', 'booking_status', 'booking_has_treating_gp']).execute()
  // Lead times of booked slots, in order:
  await trx.schema.createIndex('slots_report_lead').on('slots')
    .columns(['lead_minutes', 'local_date', 'cpts_id', 'kind']).where(sql.ref('lead_minutes'), 'is not', null).execute()
  // Calls that found no slot (unmet demand), by CPTS and time:
  await trx.schema.createIndex('calls_report').on('calls').columns(['outcome', 'cpts_id', 'at', 'kind']).execute()
}

export async function down (db: Kysely<any>): Promise<void> {
  const pg = isPostgres(db)
  for (const [t, table] of [['slots_report_released', 'events'], ['slots_report_booking_update', 'bookings'], ['slots_report_booking_insert', 'bookings']] as const) {
    if (pg) {
      await sql`DROP TRIGGER ${sql.id(t)} ON ${sql.id(table)}`.execute(db)
      await sql`DROP FUNCTION ${sql.id(t)}()`.execute(db)
    } else {
      await sql`DROP TRIGGER ${sql.id(t)}`.execute(db)
    }
  }
  await db.schema.dropIndex('calls_report').execute()
  for (const i of ['slots_report_lead', 'slots_report_week', 'slots_report_cpts_day', 'slots_report_day']) {
    await db.schema.dropIndex(i).execute()
  }
  for (const c of ['released_holds', 'lead_minutes', 'booking_has_treating_gp', 'booking_status', 'iso_week', 'local_hour', 'local_date']) {
    await db.schema.alterTable('slots').dropColumn(c).execute()
  }
}
