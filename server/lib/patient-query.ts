/**
 * Query parameters that carry a patient's identity (the audit journal's patient filter, whose
 * CSV is a plain link): their values never reach the request log.
 */
const PATIENT_PARAMS = /([?&](?:patientName|patientBirthDate)=)[^&#]*/gi

/** `/api/audit.csv?patientName=Dupont&action=x` → `/api/audit.csv?patientName=[patient]&action=x` */
export function redactPatientQuery (url: string): string {
  return url.replace(PATIENT_PARAMS, '$1[patient]')
}
