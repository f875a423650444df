import fp from 'fastify-plugin'
import { withAdvisoryTryLock } from '../../../db/advisory-lock.js'
import { purgeAuditLog, type AuditPurgeResult } from './audit-log-purge.js'
import { flushErasedPages } from './flush-erased.js'
import { purgePatientData, type PurgeResult } from './patient-data-purge.js'

/** One run of the retention purges: the patient data's (its figures at the top), then the audit log's. */
export interface RetentionRun extends PurgeResult { audit: AuditPurgeResult }

declare module 'fastify' {
  interface FastifyInstance {
    retention: {
      /**
       * Runs the patient-data and audit-log purges now (they also run at start and daily).
       * Null when another instance on the same PostgreSQL schema is running them at this moment:
       * one run does the work, with one audit entry each, not two.
       */
      runOnce: () => Promise<RetentionRun | null>
    }
  }
}

const DAY_MS = 24 * 3600_000

/**
 * Patient data are kept `PATIENT_DATA_MONTHS` after their slot: then the purge erases them,
 * at start and every day (and nothing of them stays in the SQLite file: `flushErasedPages`).
 * Audit entries are kept `AUDIT_MONTHS`, then deleted by the same daily run.
 */
export default fp(async (app) => {
  const log = app.log.child({ feature: 'retention' })
  let running: Promise<RetentionRun | null> | null = null
  const runOnce = (): Promise<RetentionRun | null> => {
    running ??= withAdvisoryTryLock(app.db, 'retention', async () => {
      const result = await purgePatientData(app.db, app.clock, app.config.patientDataMonths)
      if (result.bookings + result.requests > 0) await flushErasedPages(app.db)
      log.info({ bookings: result.bookings, requests: result.requests, slotsEndedBefore: result.cutoff }, 'patient data purge')
      const audit = await purgeAuditLog(app.db, app.clock, app.config.auditMonths)
      log.info({ entries: audit.entries, before: audit.cutoff }, 'audit log purge')
      return { ...result, audit }
    }).then((run) => {
      if (run === null) log.info('retention purge: another instance is running it')
      return run
    }).finally(() => { running = null })
    return running
  }
  app.decorate('retention', { runOnce })
  const run = (): void => { runOnce().catch((err: unknown) => log.error({ err }, 'retention purge failed')) }
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
