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
  'PSC_ACCOUNT_UNKNOWN',
  'PSC_ACCOUNT_DISABLED',
  'PSC_CALLBACK_INVALID',
  'PSC_ACR_INSUFFICIENT',
  'PSC_CANCELLED',
  'PSC_UNAVAILABLE',
  'PSC_REQUIRED',
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
  PSC_ACCOUNT_UNKNOWN: "Aucun compte Créneaux ne porte votre identifiant national (RPPS) : demandez à l'administrateur de votre CPTS de créer votre compte (régulateurs : votre compte est créé par la plateforme SAS).",
  PSC_ACCOUNT_DISABLED: "Votre compte Créneaux est désactivé : adressez-vous à l'administrateur de votre CPTS.",
  PSC_CALLBACK_INVALID: "La connexion Pro Santé Connect n'a pas pu être vérifiée (lien expiré, déjà utilisé ou falsifié) : recommencez la connexion.",
  PSC_ACR_INSUFFICIENT: "Pro Santé Connect n'a pas confirmé une authentification forte (e-CPS ou carte CPS) : recommencez la connexion.",
  PSC_CANCELLED: 'La connexion avec Pro Santé Connect a été annulée.',
  PSC_UNAVAILABLE: 'Pro Santé Connect ne répond pas : réessayez dans un instant.',
  PSC_REQUIRED: 'Votre compte se connecte avec Pro Santé Connect (e-CPS ou carte CPS), pas avec un mot de passe.',
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
