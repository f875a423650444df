import fp from 'fastify-plugin'
import { sql, SqliteAdapter } from 'kysely'
import { purgePatientData, type PurgeResult } from './patient-data-purge.js'

declare module 'fastify' {
  interface FastifyInstance {
    retention: {
      /** Runs the patient-data purge now (it also runs at start and daily). */
      runOnce: () => Promise<PurgeResult>
    }
  }
}

const DAY_MS = 24 * 3600_000

/**
 * Patient data are kept `PATIENT_DATA_MONTHS` after their slot: then the purge erases them,
 * at start and every day. On SQLite, erased values are overwritten in the file
 * (`secure_delete`, set on the connection) and the write-ahead log, which still holds the old
 * pages, is checkpointed and truncated.
 */
export default fp(async (app) => {
  const log = app.log.child({ feature: 'retention' })
  let running: Promise<PurgeResult> | null = null
  const runOnce = (): Promise<PurgeResult> => {
    running ??= (async () => {
      const result = await purgePatientData(app.db, app.clock, app.config.patientDataMonths)
      if (result.bookings > 0 && app.db.getExecutor().adapter instanceof SqliteAdapter) {
        await sql`pragma wal_checkpoint(TRUNCATE)`.execute(app.db)
      }
      log.info({ bookings: result.bookings, slotsEndedBefore: result.cutoff }, 'patient data purge')
      return result
    })().finally(() => { running = null })
    return running
  }
  app.decorate('retention', { runOnce })
  const run = (): void => { runOnce().catch((err: unknown) => log.error({ err }, 'patient data purge failed')) }
  let timer: NodeJS.Timeout | undefined
  app.addHook('onReady', async () => {
    setImmediate(run)
    timer = setInterval(run, DAY_MS)
    timer.unref()
  })
  app.addHook('onClose', async () => {
    clearInterval(timer)
    await running?.catch(() => {})
  })
}, { name: 'retention', dependencies: ['context'] })
