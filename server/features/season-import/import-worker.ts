// A season import on its own thread and its own SQLite connection: parsing, checking and
// writing 100,000 lines no longer stops the event loop that serves the live board.
import { parentPort, workerData } from 'node:worker_threads'
import { openSqlite } from '../../../db/connection.js'
import { AppError } from '../../errors.js'
import type { Actor } from '../session/actor.js'
import { importSeason } from './season-import.js'

export interface ImportJob { dbFile: string, actor: Actor, text: string, now: string, dryRun: boolean }
export type ImportReply =
  | { ok: true, result: Awaited<ReturnType<typeof importSeason>> }
  | { ok: false, refused: { code: AppError['code'], message: string, errors?: AppError['errors'] } }
  | { ok: false, failed: string }

const job = workerData as ImportJob
const db = openSqlite(job.dbFile)
let reply: ImportReply
try {
  reply = { ok: true, result: await importSeason(db, job.actor, job.text, new Date(job.now), { dryRun: job.dryRun }) }
} catch (err) {
  reply = err instanceof AppError
    ? { ok: false, refused: { code: err.code, message: err.message, ...(err.errors === undefined ? {} : { errors: err.errors }) } }
    : { ok: false, failed: err instanceof Error ? (err.stack ?? err.message) : String(err) }
} finally {
  await db.destroy()
}
parentPort?.postMessage(reply!)
