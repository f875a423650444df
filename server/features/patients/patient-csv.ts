import { toCsv } from '../../../shared/csv.js'
import type { PatientBooking } from '../../../shared/schemas/patients.js'

export const PATIENT_CSV_HEADERS = [
  'Réservation', 'Statut', 'Nom', 'Prénom', 'Date de naissance', 'Téléphone', 'Motif', 'Médecin traitant',
  'Réservé le', 'Réservé par', 'Annulé le', 'Motif d’annulation', 'Issue enregistrée le',
  'Début du créneau', 'Fin du créneau', 'Type', 'Mode', 'Praticien', 'CPTS'
] as const

const STATUS_FR: Record<PatientBooking['status'], string> = { booked: 'réservé', cancelled: 'annulé', honored: 'honoré', no_show: 'non honoré' }
const TREATING_GP_FR: Record<PatientBooking['hasTreatingGp'], string> = { yes: 'oui', no: 'non', unknown: 'ne sait pas' }
const KIND_FR: Record<PatientBooking['slot']['kind'], string> = { snp: 'SNP', psy: 'Psy' }
const MODE_FR: Record<PatientBooking['slot']['mode'], string> = { office: 'cabinet', video: 'téléconsultation', home: 'visite à domicile' }

/** `2026-06-02T12:00:00+02:00` → `2026-06-02 12:00:00` (the wall time of the CPTS, as the report's CSV writes it). */
const wall = (iso: string | null): string | null => iso === null ? null : iso.slice(0, 19).replace('T', ' ')

/** A patient's bookings as the right of access's CSV, in the format of every download (shared/csv.ts). */
export function patientCsv (bookings: readonly PatientBooking[]): string {
  return toCsv(PATIENT_CSV_HEADERS, bookings.map((b) => [
    b.id, STATUS_FR[b.status], b.patient.lastName, b.patient.firstName, b.patient.birthDate, b.patient.phone, b.reason,
    TREATING_GP_FR[b.hasTreatingGp], wall(b.bookedAt), b.bookedBy?.name ?? 'import', wall(b.cancelledAt), b.cancelReason, wall(b.outcomeAt),
    wall(b.slot.start), wall(b.slot.end), KIND_FR[b.slot.kind], MODE_FR[b.slot.mode], b.slot.practitioner.name, b.slot.cpts.name
  ]))
}
