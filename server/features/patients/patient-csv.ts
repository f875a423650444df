import { toCsv, type CsvCell } from '../../../shared/csv.js'
import type { PatientBooking, PatientRequest } from '../../../shared/schemas/patients.js'

/**
 * One table: a line per booking, then a line per waiting-list request. The bookings' columns come
 * first, as they always were; a request fills those it shares (status, identity, callback phone,
 * reason, treating GP, type, CPTS) and the request's own columns after them, left empty on a
 * booking's line.
 */
export const PATIENT_CSV_HEADERS = [
  'Réservation', 'Statut', 'Nom', 'Prénom', 'Date de naissance', 'Téléphone', 'Motif', 'Médecin traitant',
  'Réservé le', 'Réservé par', 'Annulé le', 'Motif d’annulation', 'Issue enregistrée le',
  'Début du créneau', 'Fin du créneau', 'Type', 'Mode', 'Praticien', 'CPTS',
  'Demande (liste d’attente)', 'Inscrit le', 'Inscrit par', 'Commune', 'Modes acceptés', 'Fin de la fenêtre',
  'Demande terminée le', 'Motif de retrait', 'Réservation depuis la liste'
] as const

const STATUS_FR: Record<PatientBooking['status'], string> = { booked: 'réservé', cancelled: 'annulé', honored: 'honoré', no_show: 'non honoré' }
const REQUEST_STATUS_FR: Record<PatientRequest['status'], string> = {
  open: 'en attente', booked: 'réservée depuis la liste', withdrawn: 'retirée', expired: 'expirée'
}
const TREATING_GP_FR: Record<PatientBooking['hasTreatingGp'], string> = { yes: 'oui', no: 'non', unknown: 'ne sait pas' }
const KIND_FR: Record<PatientBooking['slot']['kind'], string> = { snp: 'SNP', psy: 'Psy' }
const MODE_FR: Record<PatientBooking['slot']['mode'], string> = { office: 'cabinet', video: 'téléconsultation', home: 'visite à domicile' }

/** `2026-06-02T12:00:00+02:00` → `2026-06-02 12:00:00` (the wall time of the CPTS, as the report's CSV writes it). */
const wall = (iso: string | null): string | null => iso === null ? null : iso.slice(0, 19).replace('T', ' ')

const REQUEST_COLUMNS = 9

/** A patient's bookings and requests as the right of access's CSV, in the format of every download (shared/csv.ts). */
export function patientCsv (bookings: readonly PatientBooking[], requests: readonly PatientRequest[] = []): string {
  const bookingLines = bookings.map((b): CsvCell[] => [
    b.id, STATUS_FR[b.status], b.patient.lastName, b.patient.firstName, b.patient.birthDate, b.patient.phone, b.reason,
    TREATING_GP_FR[b.hasTreatingGp], wall(b.bookedAt), b.bookedBy?.name ?? 'import', wall(b.cancelledAt), b.cancelReason, wall(b.outcomeAt),
    wall(b.slot.start), wall(b.slot.end), KIND_FR[b.slot.kind], MODE_FR[b.slot.mode], b.slot.practitioner.name, b.slot.cpts.name,
    ...Array<null>(REQUEST_COLUMNS).fill(null)
  ])
  const requestLines = requests.map((r): CsvCell[] => [
    null, REQUEST_STATUS_FR[r.status], r.patient.lastName, r.patient.firstName, r.patient.birthDate, r.patient.phone, r.reason,
    TREATING_GP_FR[r.hasTreatingGp], null, null, null, null, null,
    null, null, KIND_FR[r.kind], null, null, r.cpts?.name ?? null,
    r.id, wall(r.createdAt), r.createdBy?.name ?? null, `${r.place.commune} (${r.place.communeCode})`, r.modes.map((m) => MODE_FR[m]).join(', '),
    wall(r.notAfter), wall(r.endedAt), r.endReason, r.bookingId
  ])
  return toCsv(PATIENT_CSV_HEADERS, [...bookingLines, ...requestLines])
}
