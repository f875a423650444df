import { startWorker } from '../../lib/start-worker.js'
import type { SeasonImportResult } from '../../../shared/schemas/reports.js'
import { AppError } from '../../errors.js'
import type { Actor } from '../session/actor.js'
import type { ImportJob, ImportReply } from './import-worker.js'

const WORKER = new URL('./import-worker', import.meta.url)

/**
 * Runs `importSeason` in a worker thread with its own connection to the SQLite file: the event
 * loop goes on serving pages, sockets and reads meanwhile; its writes go between the import's
 * short steps (season-import.ts, importInSteps). All or nothing as before.
 */
export async function importSeasonInWorker (dbFile: string, actor: Actor, text: string, now: Date, dryRun = false): Promise<SeasonImportResult> {
  const job: ImportJob = { dbFile, actor, text, now: now.toISOString(), dryRun }
  const reply = await new Promise<ImportReply>((resolve, reject) => {
    const worker = startWorker(WORKER, job)
    worker.once('message', resolve)
    worker.once('error', reject)
    worker.once('exit', (code) => { reject(new Error(`the import worker stopped (exit code ${code}) without an answer`)) })
  })
  if (reply.ok) return reply.result
  if ('refused' in reply) throw new AppError(reply.refused.code, reply.refused.message, reply.refused.errors === undefined ? {} : { errors: reply.refused.errors })
  throw new Error(`season import failed in its worker: ${reply.failed}`)
}
