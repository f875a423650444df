/**
 * The one folding of names typed any way, for every search by name (a patient's bookings for the
 * regulator and for the patient's rights, the audit journal, communes): case, accents (every
 * combining mark), the ligatures œ and æ, apostrophes (' ‘ ’ ʼ `), hyphens (- ‐ ‑ –), dots, commas,
 * underscores, brackets, slashes and runs of white space all fold to one space or nothing:
 * « Lefèvre-Dupont » finds « LEFEVRE DUPONT », « O’Neil » finds « o'neil ».
 */
export const foldName = (s: string): string => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase()
  .replace(/œ/g, 'oe').replace(/æ/g, 'ae')
  .replace(/['\u2018\u2019\u02bc`\-\u2010\u2011\u2013_.,()/\s]+/g, ' ').trim()
