import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { PatientBookings, PatientEraseBody, PatientErasure, PatientExport, PatientExportBody, PatientLookup } from '../../../shared/schemas/patients.js'
import { JOURNAL_ZONE } from '../audit/audit-journal.js'
import { actorOf } from '../session/actor.js'
import { toZonedIso } from '../../lib/zoned-time.js'
import { patientCsv } from './patient-csv.js'
import { erasePatient, patientRecords } from './patients-service.js'

/** `droit-d-acces-2026-06-01.csv`: the date of the export, never the patient's name. */
const filename = (now: Date, ext: string): string => `droit-d-acces-${toZonedIso(now, JOURNAL_ZONE).slice(0, 10)}.${ext}`

/**
 * The patient's rights, for the admin only (the CPTS answers them as data controller). Every
 * route takes the patient in a POST body, so that no name reaches a URL, a log or a history.
 */
const routes: FastifyPluginAsyncZod = async (app) => {
  app.post('/api/admin/patients/search', {
    schema: { tags: ['patients'], summary: 'Every booking of one patient, with its slot, and every waiting-list request (admin; audited as patient.search)', body: PatientLookup, response: { 200: PatientBookings } },
    onRequest: app.requireRole('admin')
  }, async (request) => await patientRecords(app.db, actorOf(request), request.body, app.clock.now(), 'patient.search'))

  app.post('/api/admin/patients/export', {
    schema: {
      tags: ['patients'],
      summary: 'Right of access: the patient\'s bookings and waiting-list requests as a JSON or CSV file (admin; audited as patient.export)',
      body: PatientExportBody,
      response: { 200: z.union([PatientExport, z.string()]) }
    },
    onRequest: app.requireRole('admin')
  }, async (request, reply) => {
    const now = app.clock.now()
    const { format, ...key } = request.body
    const { bookings, requests } = await patientRecords(app.db, actorOf(request), key, now, 'patient.export', format)
    reply.header('content-disposition', `attachment; filename="${filename(now, format)}"`)
    if (format === 'csv') return reply.type('text/csv; charset=utf-8').send(patientCsv(bookings, requests))
    const file: PatientExport = {
      exportedAt: toZonedIso(now, JOURNAL_ZONE),
      patient: { lastName: key.lastName, firstName: key.firstName ?? null, birthDate: key.birthDate },
      bookings,
      requests
    }
    return file
  })

  app.post('/api/admin/patients/erase', {
    schema: {
      tags: ['patients'],
      summary: 'Right to erasure: the patient identity and reasons of these bookings and waiting-list requests erased now, open requests ended (admin; audited as patient.erase)',
      body: PatientEraseBody,
      response: { 200: PatientErasure }
    },
    onRequest: app.requireRole('admin')
  }, async (request) => await erasePatient({ db: app.db, unitOfWork: app.slots.unitOfWork, waitingList: app.waitingList }, actorOf(request), request.body))
}

export default routes
