/**
 * Stable machine codes of the public contract's errors, shared by server and browser.
 * The server answers `{statusCode, error, code, message}`; the web pages show
 * `frenchMessage(code)` when the server's own sentence is not meant for the user.
 */
export const ERROR_CODES = [
  'VALIDATION',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'RATE_LIMITED',
  'SLOT_TAKEN',
  'SLOT_HELD',
  'SLOT_OVERLAP',
  'SLOT_BOOKED',
  'IMPORT_INVALID',
  'OUTCOME_TOO_EARLY',
  'DRAINING',
  'INTERNAL'
] as const

export type ErrorCode = (typeof ERROR_CODES)[number]

const FRENCH: Record<ErrorCode, string> = {
  VALIDATION: 'Certains champs sont invalides.',
  UNAUTHENTICATED: 'Veuillez vous connecter.',
  FORBIDDEN: "Vous n'avez pas accès à cette page ou à cette action.",
  NOT_FOUND: 'Élément introuvable.',
  CONFLICT: 'Cet élément existe déjà.',
  RATE_LIMITED: 'Trop de tentatives, réessayez dans une minute.',
  SLOT_TAKEN: "Ce créneau n'est plus disponible.",
  SLOT_HELD: 'Ce créneau est en cours de réservation par un autre régulateur.',
  SLOT_OVERLAP: 'Ce créneau chevauche un de vos créneaux.',
  SLOT_BOOKED: 'Ce créneau est réservé : annulez la réservation avant de le retirer.',
  OUTCOME_TOO_EARLY: "Le créneau n'a pas encore commencé : le résultat se note après son début.",
  IMPORT_INVALID: "Le fichier contient des lignes invalides : rien n'a été importé.",
  DRAINING: 'Le serveur redémarre : réessayez dans un instant.',
  INTERNAL: 'Erreur interne du serveur. Réessayez.'
}

export function frenchMessage (code: string | undefined): string {
  return (code !== undefined && code in FRENCH) ? FRENCH[code as ErrorCode] : FRENCH.INTERNAL
}

/** The error body every API route answers with. */
export interface ApiErrorBody {
  statusCode: number
  error: string
  code: ErrorCode
  message: string
  details?: unknown
  errors?: Array<{ line: number, message: string }>
}
