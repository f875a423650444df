import type { Worker } from 'node:worker_threads'
import { startWorker } from '../../lib/start-worker.js'
import type { ReportScope } from './report-common.js'
import type { ReportJob, ReportReply } from './report-worker.js'

const WORKER = new URL('./report-worker', import.meta.url)

interface Pending { resolve: (json: string) => void, reject: (e: Error) => void }

/**
 * Season reports of a SQLite file computed in a worker thread with its own read-only
 * connection, started at the first report and kept for the next ones; a worker that dies is
 * replaced at the next report (those it was computing fail). `close()` ends it.
 */
export class ReportWorker {
  readonly #dbFile: string
  #worker: Worker | null = null
  #next = 0
  readonly #pending = new Map<number, Pending>()

  constructor (dbFile: string) { this.#dbFile = dbFile }

  /** The report as JSON text, checked against the contract in the worker. */
  async reportJson (scope: ReportScope, majoration: { euros: number, weeklyCap: number }): Promise<string> {
    const worker = this.#start()
    const id = ++this.#next
    const job: ReportJob = { id, scope: { from: scope.from, to: scope.to, cptsId: scope.cptsId, kind: scope.kind }, majoration }
    return await new Promise<string>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject })
      worker.postMessage(job)
    })
  }

  #start (): Worker {
    if (this.#worker !== null) return this.#worker
    const worker = startWorker(WORKER, { dbFile: this.#dbFile })
    // Never keeps the process alive on its own: the server's close() ends it.
    worker.unref()
    worker.on('message', (reply: ReportReply) => {
      const p = this.#pending.get(reply.id)
      this.#pending.delete(reply.id)
      if (reply.ok) p?.resolve(reply.json)
      else p?.reject(new Error(`season report failed in its worker: ${reply.failed}`))
    })
    const fail = (err: Error): void => {
      if (this.#worker === worker) this.#worker = null
      for (const p of this.#pending.values()) p.reject(err)
      this.#pending.clear()
    }
    worker.on('error', fail)
    worker.on('exit', (code) => { fail(new Error(`the report worker stopped (exit code ${code})`)) })
    this.#worker = worker
    return worker
  }

  async close (): Promise<void> {
    const worker = this.#worker
    this.#worker = null
    if (worker !== null) await worker.terminate()
  }
}
