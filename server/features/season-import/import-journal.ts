/**
 * The journal of a season import written in steps on SQLite (migration 0023): which import is
 * under way, and the slots each of its steps wrote, so that an import that fails, or whose
 * process dies, half-way is undone whole. One import is written at a time: its run row is the
 * turn, renewed by each step (`heartbeat_at`, wall time: a lease, not the app's clock).
 */
import type { Kysely, Transaction } from 'kysely'
import type { Database } from '../../../db/types.js'
import { newId } from '../../lib/secrets.js'

/** A run whose last step is older than this belongs to a process that died (a step takes well under a second). */
export const DEAD_RUN_MS = 60_000
/** How often an import waiting for another one to finish looks again. */
const WAIT_TURN_MS = 50

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
const wallClock = (): string => new Date().toISOString()

/**
 * Starts a run once no other import is under way (waiting for it meanwhile), after undoing the
 * runs of dead processes. Returns its id.
 */
export async function startRun (db: Kysely<Database>): Promise<string> {
  const id = newId()
  for (;;) {
    await undoRuns(db, new Date(Date.now() - DEAD_RUN_MS).toISOString())
    const started = await db.transaction().execute(async (trx) => {
      if (await trx.selectFrom('season_import_runs').select('id').limit(1).executeTakeFirst() !== undefined) return false
      const now = wallClock()
      await trx.insertInto('season_import_runs').values({ id, started_at: now, heartbeat_at: now }).execute()
      return true
    })
    if (started) return id
    await sleep(WAIT_TURN_MS)
  }
}

/** Records, in the step's own transaction, the slots it wrote, and renews the run. */
export async function recordStep (trx: Transaction<Database>, runId: string, seq: number, slotIds: readonly string[]): Promise<void> {
  await trx.updateTable('season_import_runs').set({ heartbeat_at: wallClock() }).where('id', '=', runId).execute()
  await trx.insertInto('season_import_steps').values({ run_id: runId, seq, slot_ids: JSON.stringify(slotIds) }).execute()
}

/** Ends a run that went through (in its last step's transaction): its slots stay. */
export async function endRun (trx: Transaction<Database>, runId: string): Promise<void> {
  await trx.deleteFrom('season_import_steps').where('run_id', '=', runId).execute()
  await trx.deleteFrom('season_import_runs').where('id', '=', runId).execute()
}

/**
 * Undoes the runs last renewed before `before` (every run when null: at start, when no import
 * of this process can be under way): their slots and bookings are deleted, a step per
 * transaction, last step first (the rollups' triggers subtract them as they added them).
 */
export async function undoRuns (db: Kysely<Database>, before: string | null): Promise<number> {
  let q = db.selectFrom('season_import_runs').select('id')
  if (before !== null) q = q.where('heartbeat_at', '<', before)
  const runs = await q.execute()
  for (const { id } of runs) await undoRun(db, id)
  return runs.length
}

/** Undoes one run: what its steps wrote, then the run itself. */
export async function undoRun (db: Kysely<Database>, runId: string): Promise<void> {
  const steps = await db.selectFrom('season_import_steps').select('seq').where('run_id', '=', runId).orderBy('seq', 'desc').execute()
  for (const { seq } of steps) {
    await db.transaction().execute(async (trx) => {
      const step = await trx.selectFrom('season_import_steps').select('slot_ids').where('run_id', '=', runId).where('seq', '=', seq).executeTakeFirst()
      if (step === undefined) return
      const slotIds = JSON.parse(step.slot_ids) as string[]
      if (slotIds.length > 0) {
        // Rows that point to a slot go first (an import writes bookings; per-slot rows of later columns join here).
        await trx.deleteFrom('bookings').where('slot_id', 'in', slotIds).execute()
        await trx.deleteFrom('slot_offers').where('slot_id', 'in', slotIds).execute()
        await trx.deleteFrom('slots').where('id', 'in', slotIds).execute()
      }
      await trx.deleteFrom('season_import_steps').where('run_id', '=', runId).where('seq', '=', seq).execute()
    })
  }
  await db.deleteFrom('season_import_runs').where('id', '=', runId).execute()
}
