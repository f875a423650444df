/**
 * Every refusal the server can send, shared by server and browser: one named code, its HTTP
 * status and the French sentence the pages show. The server answers
 * `{statusCode, error, code, message}` (over HTTP and in the websocket's error frames) with the
 * status of this table (server/errors.ts reads it) and an English `message` for developers and
 * scripts; the pages choose what they show by `code` only, through `frenchMessage(code)`.
 *
 * A new refusal gets a code of its own here (a sentence a user can act on, distinct from the
 * others): test/error-codes.test.ts fails when the server sends a code this table lacks.
 */
export const ERRORS = {
  // The contract's codes (docs: /work/shared/contract.md, README "Errors").
  VALIDATION: { status: 400, fr: 'Certains champs sont invalides.' },
  UNAUTHENTICATED: { status: 401, fr: 'Veuillez vous connecter.' },
  FORBIDDEN: { status: 403, fr: "Vous n'avez pas accès à cette page ou à cette action." },
  NOT_FOUND: { status: 404, fr: 'Élément introuvable.' },
  RATE_LIMITED: { status: 429, fr: 'Trop de tentatives, réessayez dans une minute.' },
  SLOT_TAKEN: { status: 409, fr: "Ce créneau n'est plus disponible." },
  SLOT_HELD: { status: 409, fr: 'Ce créneau est en cours de réservation par un autre régulateur.' },
  SLOT_OVERLAP: { status: 409, fr: 'Ce créneau chevauche un de vos créneaux.' },
  SLOT_BOOKED: { status: 409, fr: 'Ce créneau est réservé : annulez la réservation avant de le retirer.' },
  IMPORT_INVALID: { status: 400, fr: "Le fichier contient des lignes invalides : rien n'a été importé." },
  INTERNAL: { status: 500, fr: 'Erreur interne du serveur. Réessayez.' },

  // Bookings: cancel, move, outcome.
  OUTCOME_TOO_EARLY: { status: 409, fr: "Le créneau n'a pas encore commencé : le résultat se note après son début." },
  BOOKING_ALREADY_CANCELLED: { status: 409, fr: 'Ce rendez-vous a déjà été annulé.' },
  BOOKING_CLOSED: { status: 409, fr: 'Ce rendez-vous est clos : le patient a été noté venu ou absent, il ne peut plus être annulé ni déplacé.' },
  BOOKING_STARTED: { status: 409, fr: 'Ce rendez-vous a déjà commencé : il ne peut plus être déplacé.' },
  BOOKING_WITHOUT_PATIENT: { status: 409, fr: 'Ce rendez-vous vient de l’historique importé, sans patient : il ne peut pas être déplacé.' },

  // Accounts (/admin) and password-reset links.
  EMAIL_TAKEN: { status: 409, fr: 'Un compte existe déjà avec cette adresse e-mail.' },
  RPPS_TAKEN: { status: 409, fr: 'Un praticien a déjà un compte avec ce numéro RPPS.' },
  IDNPS_TAKEN: { status: 409, fr: 'Un autre compte actif porte déjà cet identifiant national (IDNPS) : retirez-le de ce compte ou désactivez-le d’abord.' },
  CANNOT_DEACTIVATE_SELF: { status: 409, fr: 'Vous ne pouvez pas désactiver votre propre compte.' },
  LAST_ADMIN: { status: 409, fr: 'C’est le dernier compte de coordination actif : il ne peut pas être désactivé.' },
  ACCOUNT_ALREADY_DEACTIVATED: { status: 409, fr: 'Ce compte était déjà désactivé.' },
  ACCOUNT_ALREADY_ACTIVE: { status: 409, fr: 'Ce compte était déjà actif.' },
  ACCOUNT_DEACTIVATED: { status: 409, fr: 'Ce compte est désactivé : réactivez-le d’abord.' },
  PLACE_IN_USE: { status: 409, fr: 'Ce lieu ne peut pas être archivé : c’est le lieu principal du praticien, ou des créneaux à venir y sont publiés (retirez-les d’abord).' },
  MEMBERSHIP_IN_USE: { status: 409, fr: 'Le praticien ne peut pas quitter cette CPTS : des créneaux à venir lui sont proposés (retirez-les d’abord).' },
  RESET_LINK_INVALID: { status: 400, fr: 'Ce lien de réinitialisation n’est plus valable (déjà utilisé, expiré, remplacé, ou le compte a été désactivé) : demandez-en un nouveau à la coordination de la CPTS.' },

  // Pro Santé Connect sign-in (README, "Sign in with Pro Santé Connect").
  PSC_ACCOUNT_UNKNOWN: { status: 403, fr: "Aucun compte Créneaux ne porte votre identifiant national (RPPS) : demandez à l'administrateur de votre CPTS de créer votre compte (régulateurs : votre compte est créé par la plateforme SAS)." },
  PSC_ACCOUNT_DISABLED: { status: 403, fr: "Votre compte Créneaux est désactivé : adressez-vous à l'administrateur de votre CPTS." },
  PSC_CALLBACK_INVALID: { status: 400, fr: "La connexion Pro Santé Connect n'a pas pu être vérifiée (lien expiré, déjà utilisé ou falsifié) : recommencez la connexion." },
  PSC_ACR_INSUFFICIENT: { status: 403, fr: "Pro Santé Connect n'a pas confirmé une authentification forte (e-CPS ou carte CPS) : recommencez la connexion." },
  PSC_CANCELLED: { status: 401, fr: 'La connexion avec Pro Santé Connect a été annulée.' },
  PSC_UNAVAILABLE: { status: 503, fr: 'Pro Santé Connect ne répond pas : réessayez dans un instant.' },
  PSC_REQUIRED: { status: 403, fr: 'Votre compte se connecte avec Pro Santé Connect (e-CPS ou carte CPS), pas avec un mot de passe.' },

  // Operations: a server draining on SIGTERM (README, "Operating Créneaux").
  DRAINING: { status: 503, fr: 'Le serveur redémarre : réessayez dans un instant.' },

  // Patients' rights (/admin/patients).
  PATIENT_BOOKINGS_CHANGED: { status: 409, fr: 'Les réservations de ce patient ont changé depuis la recherche : rien n’a été effacé. Recherchez-le à nouveau.' },
  PATIENT_REQUESTS_CHANGED: { status: 409, fr: 'Les demandes de liste d’attente de ce patient ont changé depuis la recherche : rien n’a été effacé. Recherchez-le à nouveau.' },

  // The waiting list (issue 25).
  COMMUNE_UNKNOWN: { status: 400, fr: 'Commune inconnue : choisissez-la dans la liste proposée.' },
  WAITING_WINDOW_PAST: { status: 400, fr: 'Le délai d’attente est déjà passé : choisissez aujourd’hui ou un jour suivant.' },
  WAITING_WINDOW_TOO_LONG: { status: 400, fr: 'Le délai d’attente dépasse quatorze jours : proposez plutôt un rendez-vous avec le médecin traitant.' },
  REQUEST_CLAIMED: { status: 409, fr: 'Cette demande de la liste d’attente est déjà prise en charge par un autre régulateur.' },
  REQUEST_ENDED: { status: 409, fr: 'Cette demande de la liste d’attente est close (réservée, retirée ou expirée).' },
  REQUEST_SLOT_MISMATCH: { status: 409, fr: 'Ce créneau ne correspond pas à la demande (type, mode ou délai).' }
} as const satisfies Record<string, { status: number, fr: string }>

export type ErrorCode = keyof typeof ERRORS

/** Every code of the table, in its order. */
export const ERROR_CODES = Object.keys(ERRORS) as ErrorCode[]

export const isErrorCode = (code: string): code is ErrorCode => Object.hasOwn(ERRORS, code)

/** The HTTP status of a code. */
export const errorStatus = (code: ErrorCode): number => ERRORS[code].status

/** The French sentence a page shows for a code (an unknown one reads as INTERNAL's). */
export function frenchMessage (code: string | undefined): string {
  return code !== undefined && isErrorCode(code) ? ERRORS[code].fr : ERRORS.INTERNAL.fr
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
