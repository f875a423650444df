// Season reports on their own thread and their own read-only SQLite connection: a national
// year's report no longer stops the event loop that serves the live board (better-sqlite3 is
// synchronous). One worker serves the reports one after the other.
import { parentPort, workerData } from 'node:worker_threads'
import { openSqliteReadOnly } from '../../../db/connection.js'
import { SeasonReport } from '../../../shared/schemas/reports.js'
import type { ReportScope } from './report-common.js'
import { seasonReport } from './report-repository.js'

export interface ReportJob { id: number, scope: ReportScope, majoration: { euros: number, weeklyCap: number } }
/** The answer already checked against the contract and serialised here, so that the main thread only sends it. */
export type ReportReply = { id: number, ok: true, json: string } | { id: number, ok: false, failed: string }

const db = openSqliteReadOnly((workerData as { dbFile: string }).dbFile)
let queue = Promise.resolve()
parentPort?.on('message', (job: ReportJob) => {
  queue = queue.then(async () => {
    let reply: ReportReply
    try {
      reply = { id: job.id, ok: true, json: JSON.stringify(SeasonReport.parse(await seasonReport(db, job.scope, job.majoration))) }
    } catch (err) {
      reply = { id: job.id, ok: false, failed: err instanceof Error ? (err.stack ?? err.message) : String(err) }
    }
    parentPort?.postMessage(reply)
  })
})
