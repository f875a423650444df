import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { toCsv } from '../../../shared/csv.js'
import { AuditPage, AuditQuery } from '../../../shared/schemas/audit.js'
import { currentUser } from '../../plugins/auth.js'
import { verifyAuditChain } from './audit-chain.js'
import { appendAudit } from './audit-repository.js'
import { readJournal } from './audit-journal.js'

/** Rows of one CSV export, at most. */
export const AUDIT_CSV_MAX = 100_000

export const AUDIT_CSV_HEADERS = ['N°', 'Date et heure', 'Compte', 'E-mail', 'Rôle', 'Action', 'Objet', 'Identifiant', 'Adresse IP', 'Détail'] as const

/** What a reading of the journal says of its filters: which were used, never a patient's name. */
function filtersOf (q: AuditQuery): Record<string, unknown> {
  return {
    ...(q.userId !== undefined ? { userId: q.userId } : {}),
    ...(q.action !== undefined ? { action: q.action } : {}),
    ...(q.bookingId !== undefined ? { bookingId: q.bookingId } : {}),
    ...(q.patientName !== undefined ? { patientSearch: true } : {}),
    ...(q.from !== undefined ? { from: q.from } : {}),
    ...(q.to !== undefined ? { to: q.to } : {})
  }
}

/**
 * The audit journal, for the admin only (the DPO's and the CNIL's questions): who read or
 * changed what, when, from where. Reading it is itself audited (`audit.read`, `audit.export`).
 */
const routes: FastifyPluginAsyncZod = async (app) => {
  app.get('/api/audit', {
    schema: { tags: ['audit'], summary: 'The audit journal, newest first, filtered and paged (admin)', querystring: AuditQuery, response: { 200: AuditPage } },
    onRequest: app.requireRole('admin')
  }, async (request) => {
    const page = await readJournal(app.db, request.query, request.query.limit)
    await appendAudit(app.db, { at: app.clock.now(), userId: currentUser(request).id, action: 'audit.read', subjectType: 'audit_log', ip: request.ip, detail: { filters: filtersOf(request.query), entries: page.entries.length } })
    return page
  })

  // The chain's check (audit-chain.ts): the first entry where it breaks, if any. Reads no content the journal does not show.
  app.get('/api/audit/chain', {
    schema: { tags: ['audit'], summary: 'Checks the audit log\'s hash chain: the first entry where it breaks (admin)' },
    onRequest: app.requireRole('admin')
  }, async () => await verifyAuditChain(app.db))

  app.get('/api/audit.csv', {
    schema: { tags: ['audit'], summary: 'The audit journal as CSV (same filters, every matching entry)', querystring: AuditQuery, response: { 200: z.string() } },
    onRequest: app.requireRole('admin')
  }, async (request, reply) => {
    const { entries } = await readJournal(app.db, request.query, AUDIT_CSV_MAX)
    await appendAudit(app.db, { at: app.clock.now(), userId: currentUser(request).id, action: 'audit.export', subjectType: 'audit_log', ip: request.ip, detail: { filters: filtersOf(request.query), entries: entries.length } })
    const csv = toCsv(AUDIT_CSV_HEADERS, entries.map((e) => [
      e.id, e.at.slice(0, 19).replace('T', ' '), e.user?.name ?? null, e.user?.email ?? null, e.user?.role ?? null,
      e.action, e.subjectType, e.subjectId, e.ip, e.detail === null ? null : JSON.stringify(e.detail)
    ]))
    return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="journal.csv"').send(csv)
  })
}

export default routes
